"""Joining a device with its QR link: what the link binds, and what it no longer binds."""

from __future__ import annotations

from controlroom.access.sessions import SESSION_COOKIE
from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from tests.support.devices import Venue, venue

__all__ = ["venue"]


async def test_opening_a_link_asks_first_and_creates_no_device(venue: Venue) -> None:
    venue.use("")
    page = await venue.client.get(venue.code("team:police").path)
    assert page.status_code == 200
    assert "Police team" in page.text and "Venue test" in page.text
    assert 'value="Police team 1"' in page.text  # a name suggested for the device
    assert venue.state.devices == {}
    assert page.headers["cache-control"] == "no-store"


async def test_joining_binds_the_device_to_its_team_with_a_session_of_its_own(
    venue: Venue,
) -> None:
    venue.use("")
    response = await venue.client.post(
        venue.code("team:police").path, data={"name": "Police tablet", "language": "ru"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/exercises/{venue.id}/device"
    (device,) = venue.state.devices.values()
    assert (device.name, device.team, device.role, device.revoked) == (
        "Police tablet",
        "police",
        None,
        False,
    )
    cookie = response.cookies[SESSION_COOKIE]
    session = await venue.resources.sessions.get(cookie)
    assert session is not None
    assert {k: session[k] for k in ("kind", "role", "team", "exercise", "device", "language")} == {
        "kind": "device",
        "role": "team",
        "team": "police",
        "exercise": venue.id,
        "device": device.id,
        "language": "ru",
    }
    assert len(device.id) >= 16
    venue.use(cookie)
    home = await venue.client.get("/")
    assert home.headers["location"] == f"/exercises/{venue.id}/device"
    landing = await venue.client.get(home.headers["location"])
    assert landing.headers["location"] == f"/exercises/{venue.id}/team"


async def test_an_actor_link_leads_to_the_cue_cards(venue: Venue) -> None:
    tablet = await venue.join("actor:worker", "Worker tablet")
    assert venue.state.devices[tablet.device].role == "worker"
    landing = await venue.client.get(f"/exercises/{venue.id}/device")
    assert landing.headers["location"] == f"/exercises/{venue.id}/actor"


async def test_unknown_and_reissued_codes_are_refused(venue: Venue) -> None:
    venue.use("")
    wrong = await venue.client.get("/join/" + "A" * 27)
    assert wrong.status_code == 404
    assert "not valid" in wrong.text
    old = venue.code("team:labour")
    await venue.run(lambda s: commands.reissue_join(s, "dina", "team:labour"))
    for method in ("GET", "POST"):
        refused = await venue.client.request(method, old.path, data={"name": "x"})
        assert refused.status_code == 404
    assert venue.state.devices == {}
    fresh = await venue.client.post(venue.code("team:labour").path, data={"name": "New"})
    assert fresh.status_code == 303
    assert venue.code("team:police").token != venue.code("team:labour").token


async def test_an_ended_exercise_takes_no_more_devices(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.endex(s, "dina"))
    venue.use("")
    response = await venue.client.post(venue.code("team:police").path, data={"name": "Late"})
    assert response.status_code == 410
    assert venue.state.devices == {}


async def test_joining_again_from_the_same_browser_retires_the_old_device(venue: Venue) -> None:
    first = await venue.join("team:police", "Tablet")
    response = await venue.client.post(
        venue.code("actor:caller").path, data={"name": "Same tablet, now the caller"}
    )
    assert response.status_code == 303
    assert venue.state.devices[first.device].revoked
    assert await venue.resources.sessions.get(first.cookie) is None
    live = [d for d in venue.state.devices.values() if not d.revoked]
    assert [(d.role, d.name) for d in live] == [("caller", "Same tablet, now the caller")]


async def test_a_signed_in_director_who_joins_is_signed_out_of_that_browser(
    venue: Venue,
) -> None:
    venue.use(venue.director)
    page = await venue.client.get(venue.code("team:police").path)
    assert "Joining signs you out here" in page.text
    response = await venue.client.post(venue.code("team:police").path, data={"name": "T"})
    assert response.status_code == 303
    assert await venue.resources.sessions.get(venue.director) is None


async def test_the_join_page_and_its_refusals_speak_russian(venue: Venue) -> None:
    venue.use("")
    page = await venue.client.get(venue.code("team:police").path + "?lang=ru")
    assert "Подключиться к учениям" in page.text
    assert "Команда полиции" in page.text
    assert 'name="name" value="Команда полиции 1"' in page.text  # the suggested device name
    joined = [e for e in await venue.runtime.journal.read() if e.type == EventType.DEVICE_JOINED]
    assert joined == []


async def test_wrong_codes_are_rate_limited_for_the_whole_server(venue: Venue) -> None:
    venue.use("")
    limit = venue.resources.settings.join_attempts_per_minute
    for n in range(limit):
        wrong = await venue.client.get(f"/join/{'x' * 26}{n % 10}")
        assert wrong.status_code == 404
    paused = await venue.client.get(venue.code("team:police").path)
    assert paused.status_code == 429  # even a right code waits: no oracle while paused
    assert paused.headers["retry-after"] == "60"
    assert venue.state.devices == {}


async def test_a_device_that_scans_its_own_code_again_lands_back_on_itself(venue: Venue) -> None:
    tablet = await venue.join("team:police", "Police tablet")
    for method in ("GET", "POST"):
        again = await venue.client.request(
            method, venue.code("team:police").path, data={"name": "Police tablet 2"}
        )
        assert again.status_code == 303
        assert again.headers["location"] == f"/exercises/{venue.id}/device"
        assert SESSION_COOKIE not in again.cookies  # the same session, not a new one
    assert list(venue.state.devices) == [tablet.device]
    assert not venue.state.devices[tablet.device].revoked
    assert await venue.resources.sessions.get(tablet.cookie) is not None


async def test_another_code_a_revoked_device_or_a_lost_session_make_a_new_device(
    venue: Venue,
) -> None:
    police = await venue.join("team:police", "Police tablet")
    other = await venue.client.get(venue.code("team:labour").path)
    assert other.status_code == 200  # another team's code asks first, as for any browser
    assert "Joining signs you out here" not in other.text

    await venue.run(lambda s: commands.revoke_device(s, "dina", police.device))
    venue.use(police.cookie)
    revoked = await venue.client.get(venue.code("team:police").path)
    assert revoked.status_code == 200  # no way back onto a revoked device

    venue.use("")  # signed out: the session is gone
    fresh = await venue.client.post(venue.code("team:police").path, data={"name": "Again"})
    assert fresh.status_code == 303
    assert len(venue.state.devices) == 2
