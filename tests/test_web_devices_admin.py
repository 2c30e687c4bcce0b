"""The director's device list (rename, revoke, re-issue) and the printable QR sheet."""

from __future__ import annotations

import re

from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from tests.support.devices import Venue, venue

__all__ = ["venue"]


def devices_path(venue: Venue) -> str:
    return f"/exercises/{venue.id}/devices"


async def test_the_director_sees_every_target_its_link_and_its_devices(venue: Venue) -> None:
    tablet = await venue.join("team:police", "Police tablet")
    venue.use(venue.director)
    page = await venue.client.get(devices_path(venue))
    assert page.status_code == 200
    targets = re.findall(r'data-target="([^"]+)"', page.text)
    assert targets == ["team:police", "team:labour", "actor:caller", "actor:worker", "observer"]
    links = re.findall(r"data-join-link>([^<]+)<", page.text)
    assert links[0] == "http://testserver" + venue.code("team:police").path
    assert f'id="device-{tablet.device}"' in page.text
    assert 'value="Police tablet"' in page.text
    assert "0 devices online" in page.text  # no socket yet (docs/delivery.md, presence)


async def test_only_the_director_manages_devices(venue: Venue) -> None:
    await venue.join("team:police")
    for path in (devices_path(venue), devices_path(venue) + "/sheet"):
        assert (await venue.client.get(path)).status_code == 403
    venue.use(await venue.controller())
    for path in (devices_path(venue), devices_path(venue) + "/sheet"):
        assert (await venue.client.get(path)).status_code == 403
    venue.use("")
    response = await venue.client.get(devices_path(venue))
    assert response.status_code == 303


async def test_rename_and_revoke_become_events(venue: Venue) -> None:
    tablet = await venue.join("team:police", "Tablet")
    venue.use(venue.director)
    csrf = await venue.csrf(devices_path(venue))
    renamed = await venue.client.post(
        f"{devices_path(venue)}/{tablet.device}/rename", data={"csrf": csrf, "name": "Front desk"}
    )
    assert renamed.status_code == 303
    assert renamed.headers["location"].endswith(f"#device-{tablet.device}")
    revoked = await venue.client.post(
        f"{devices_path(venue)}/{tablet.device}/revoke", data={"csrf": csrf}
    )
    assert revoked.status_code == 303
    device = venue.state.devices[tablet.device]
    assert (device.name, device.revoked) == ("Front desk", True)
    events = [e for e in await venue.runtime.journal.read() if e.type.startswith("device.")]
    assert [e.type for e in events] == [
        EventType.DEVICE_JOINED,
        EventType.DEVICE_RENAMED,
        EventType.DEVICE_REVOKED,
    ]
    assert events[-1].data["by"] == "dina"
    page = await venue.client.get(devices_path(venue))
    assert "Revoked" in page.text


async def test_reissuing_a_code_changes_the_link_and_kills_the_old_one(venue: Venue) -> None:
    old = venue.code("actor:worker")
    venue.use(venue.director)
    csrf = await venue.csrf(devices_path(venue))
    response = await venue.client.post(
        f"{devices_path(venue)}/reissue", data={"csrf": csrf, "target": "actor:worker"}
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("#target-actor-worker")
    page = await venue.client.get(devices_path(venue))
    assert old.path not in page.text
    assert venue.code("actor:worker").path in page.text
    venue.use("")
    assert (await venue.client.get(old.path)).status_code == 404


async def test_refusals_and_forgeries(venue: Venue) -> None:
    venue.use(venue.director)
    csrf = await venue.csrf(devices_path(venue))
    unknown = await venue.client.post(
        f"{devices_path(venue)}/reissue", data={"csrf": csrf, "target": "team:nobody"}
    )
    assert unknown.status_code == 400
    assert "No such team, actor role or observers" in unknown.text
    nobody = await venue.client.post(f"{devices_path(venue)}/nope/revoke", data={"csrf": csrf})
    assert nobody.status_code == 400
    forged = await venue.client.post(
        f"{devices_path(venue)}/reissue", data={"csrf": "x", "target": "team:police"}
    )
    assert forged.status_code == 403
    assert venue.state.join_generations == {}


async def test_the_sheet_has_a_qr_card_per_team_and_per_actor_role(venue: Venue) -> None:
    venue.use(venue.director)
    sheet = await venue.client.get(devices_path(venue) + "/sheet")
    assert sheet.status_code == 200
    assert sheet.text.count('class="sheet-card"') == 5  # and the observers' card
    assert sheet.text.count('class="sheet-page"') == 2  # four cards to a page
    assert sheet.text.count("<svg") == 5
    assert 'id="sheet-observer"' in sheet.text
    assert "Police team" in sheet.text and "Anonymous caller" in sheet.text
    assert "http://testserver" + venue.code("actor:worker").path in sheet.text
    assert "EXERCISE EXERCISE EXERCISE" in sheet.text
    assert "tablets cannot reach it" not in sheet.text
    one = await venue.client.get(devices_path(venue) + "/sheet?target=team:labour")
    assert one.text.count('class="sheet-page"') == one.text.count('class="sheet-card"') == 1
    assert "Labour inspectors" in one.text


async def test_the_sheet_points_tablets_at_the_venue_address(venue: Venue) -> None:
    venue.use(venue.director)
    local = await venue.client.get(devices_path(venue) + "/sheet?base=http://127.0.0.1:8000")
    assert "tablets cannot reach it" in local.text
    lan = await venue.client.get(devices_path(venue) + "/sheet?base=http://192.168.1.10:8000/")
    assert "http://192.168.1.10:8000" + venue.code("team:police").path in lan.text
    assert "tablets cannot reach it" not in lan.text
    for bad in ("javascript:alert(1)", "http://x/y?z", "//evil"):
        ignored = await venue.client.get(devices_path(venue) + "/sheet", params={"base": bad})
        assert "http://testserver" + venue.code("team:police").path in ignored.text


async def test_the_sheet_in_russian(venue: Venue) -> None:
    venue.use(venue.director)
    sheet = await venue.client.get(devices_path(venue) + "/sheet?lang=ru")
    assert "Команда полиции" in sheet.text
    assert "Отсканируйте код, откройте ссылку" in sheet.text


async def test_after_endex_the_sheet_says_the_codes_no_longer_join_and_prints_no_card(
    venue: Venue,
) -> None:
    await venue.runtime.execute(lambda state: commands.startex(state, "dina"))
    await venue.runtime.execute(lambda state: commands.endex(state, "dina"))
    venue.use(venue.director)
    sheet = await venue.client.get(devices_path(venue) + "/sheet")
    assert sheet.status_code == 200
    assert "The exercise has ended (ENDEX): its join codes no longer join" in sheet.text
    assert 'class="sheet-card"' not in sheet.text and "<svg" not in sheet.text
    assert venue.code("team:police").path not in sheet.text
    assert "window.print()" not in sheet.text
    russian = await venue.client.get(devices_path(venue) + "/sheet?lang=ru")
    assert "Учение завершено: его коды подключения больше не действуют" in russian.text
    assert "<svg" not in russian.text
