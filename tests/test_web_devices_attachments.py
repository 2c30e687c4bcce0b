"""An inject's attachments reach only the teams that have the inject (and control)."""

from __future__ import annotations

from controlroom.exercise import commands
from tests.support.devices import Venue, venue

__all__ = ["venue"]

SCAN = "passport-scan.txt"


def path(venue: Venue, inject: str = "S-02", name: str = SCAN) -> str:
    return f"/exercises/{venue.id}/injects/{inject}/attachments/{name}"


async def release_scan(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.release_now(s, "dina", "S-02"))


async def test_a_team_sees_an_attachment_once_its_inject_is_released(venue: Venue) -> None:
    await venue.join("team:police")
    assert (await venue.client.get(path(venue))).status_code == 404
    await release_scan(venue)
    viewer = await venue.client.get(path(venue))
    assert viewer.status_code == 200
    assert "EXERCISE EXERCISE EXERCISE" in viewer.text
    assert 'class="document"' in viewer.text
    fragment = await venue.client.get(path(venue), headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<article class="attachment"')
    raw = await venue.client.get(path(venue) + "?raw=1")
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.headers["cache-control"] == "no-store"
    assert raw.headers["content-security-policy"].startswith("sandbox")
    assert raw.text in viewer.text.replace("&#39;", "'")


async def test_other_teams_actors_and_strangers_get_nothing(venue: Venue) -> None:
    await release_scan(venue)
    for target in ("team:labour", "actor:caller"):
        await venue.join(target)
        assert (await venue.client.get(path(venue))).status_code == 404
        assert (await venue.client.get(path(venue) + "?raw=1")).status_code == 404
    venue.use("")
    assert (await venue.client.get(path(venue))).status_code == 404


async def test_only_files_the_inject_names_are_served(venue: Venue) -> None:
    await release_scan(venue)
    await venue.join("team:police")
    for name in ("scenario.yaml", "..%2Fscenario.yaml", "%2E%2E%2F%2E%2E%2Fscenario.yaml"):
        assert (await venue.client.get(path(venue, name=name))).status_code == 404
    assert (await venue.client.get(path(venue, inject="S-01"))).status_code == 404
    assert (await venue.client.get(path(venue, inject="NOPE"))).status_code == 404


async def test_control_opens_any_injects_attachment(venue: Venue) -> None:
    venue.use(venue.director)
    response = await venue.client.get(path(venue))
    assert response.status_code == 200
    assert (await venue.client.get(path(venue) + "?raw=1")).status_code == 200


async def test_a_revoked_team_device_loses_its_attachments(venue: Venue) -> None:
    await release_scan(venue)
    tablet = await venue.join("team:police")
    await venue.run(lambda s: commands.revoke_device(s, "dina", tablet.device))
    response = await venue.client.get(path(venue) + "?raw=1")
    assert (response.status_code, response.headers["location"]) == (303, "/join/ended")


def variants_inject() -> dict[str, object]:
    return {
        "id": "V-1",
        "trigger": "manual",
        "channel": "document-pack",
        "from": {"en": "Police records", "ru": "Полицейская база"},
        "to": ["police"],
        "title": {"en": "Two documents", "ru": "Два документа"},
        "body": {"en": "See the documents.", "ru": "См. документы."},
        "attachments": [
            {
                "title": {"en": "Witness statement", "ru": "Показания свидетеля"},
                "files": {"en": "statement.en.md", "ru": "statement.ru.md"},
            },
            {
                "title": {"en": "Site plan", "ru": "План стройки"},
                "files": {"en": "site-plan.en.md"},
            },
        ],
    }


async def release_variants(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.create_inject(s, "dina", variants_inject()))
    await venue.run(lambda s: commands.release_now(s, "dina", "V-1"))


async def test_each_device_gets_its_own_languages_file(venue: Venue) -> None:
    await release_variants(venue)
    await venue.join("team:police", language="ru")
    page = (await venue.client.get(f"/exercises/{venue.id}/team")).text
    card = page[page.index('id="inject-V-1"') :]
    assert f'href="/exercises/{venue.id}/injects/V-1/attachments/statement">Показания' in card
    assert "statement.en.md" not in card and "statement.ru.md" not in card
    russian = await venue.client.get(path(venue, "V-1", "statement"))
    assert "<li>Азиз</li>" in russian.text and "<strong>троих</strong>" in russian.text
    assert "Aziz" not in russian.text
    raw = await venue.client.get(path(venue, "V-1", "statement") + "?raw=1")
    assert raw.text.startswith("# Показания")
    await venue.join("team:police", language="en")
    english = await venue.client.get(path(venue, "V-1", "statement"))
    assert "<li>Aziz</li>" in english.text and "Азиз" not in english.text


async def test_a_missing_language_gets_the_original_marked(venue: Venue) -> None:
    await release_variants(venue)
    await venue.join("team:police", language="ru")
    page = (await venue.client.get(f"/exercises/{venue.id}/team")).text
    card = page[page.index('id="inject-V-1"') :]
    assert 'attachments/site-plan" class="untranslated">План стройки</a>' in card
    assert "оригинал: English" in card
    plan = await venue.client.get(path(venue, "V-1", "site-plan"))
    assert "Only in English." in plan.text
    assert "показан оригинал (English)" in plan.text


async def test_variant_files_keep_the_access_checks(venue: Venue) -> None:
    await release_variants(venue)
    await venue.join("team:labour", language="ru")
    assert (await venue.client.get(path(venue, "V-1", "statement"))).status_code == 404
    await venue.join("team:police", language="ru")
    for name in ("statement.ru.md", "statement.en.md", "passport-scan.txt", "statement.ru"):
        assert (await venue.client.get(path(venue, "V-1", name))).status_code == 404
