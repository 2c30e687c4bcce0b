"""An observer's page: a tablet joined by the observers' QR code, or a staff account; the
form without JavaScript, corrections and withdrawals; nobody else gets in."""

from __future__ import annotations

from controlroom.exercise import commands
from controlroom.exercise.events import Rating
from tests.support.devices import Venue, venue

__all__ = ["venue"]


def observe_path(venue: Venue) -> str:
    return f"/exercises/{venue.id}/observe"


async def test_an_observer_tablet_records_corrects_and_withdraws(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.release_now(s, "dina", "S-01"))
    tablet = await venue.join("observer", "Evaluator 1")
    device = venue.state.devices[tablet.device]
    assert device.observer and device.team is None and device.role is None
    landing = await venue.client.get(f"/exercises/{venue.id}/device")
    assert landing.headers["location"].endswith("/observe")
    page = await venue.client.get(observe_path(venue))
    assert page.status_code == 200
    assert "data-cr-observe" in page.text and 'id="outbox"' in page.text
    assert 'data-objective="identify"' in page.text  # tasks carry their objective
    assert "Controller log" not in page.text and "Observer" in page.text
    csrf = await venue.csrf(observe_path(venue))
    form = {
        "csrf": csrf,
        "team": "police",
        "objective": "identify",
        "task": "interview",
        "rating": "S",
        "inject": "S-01",
        "text": "Interviewed in the corridor",
    }
    saved = await venue.client.post(observe_path(venue), data=form)
    assert saved.status_code == 303
    (note,) = venue.state.observations.values()
    assert (note.device, note.by, note.rating, note.inject) == (tablet.device, "", Rating.S, "S-01")
    assert note.scenario is not None
    listed = await venue.client.get(observe_path(venue) + "?part=mine")
    assert "Interviewed in the corridor" in listed.text and "<html" not in listed.text
    # what observe.js fetches when a frame arrives: both parts in one request, options first
    both = await venue.client.get(observe_path(venue) + "?part=live")
    options = await venue.client.get(observe_path(venue) + "?part=injects")
    assert both.status_code == 200 and "<html" not in both.text
    assert both.text == options.text + listed.text
    assert both.text.index('<option value="S-01"') < both.text.index('id="my-observations"')
    edit = await venue.client.get(f"{observe_path(venue)}?correct={note.seq}")
    assert edit.status_code == 200 and f'name="observation" value="{note.seq}"' in edit.text
    fixed = await venue.client.post(
        observe_path(venue), data={**form, "rating": "P", "observation": str(note.seq)}
    )
    assert fixed.status_code == 303
    assert (note.rating, note.version) == (Rating.P, 2)
    not_released = await venue.client.post(observe_path(venue), data={**form, "team": "labour"})
    assert not_released.status_code == 422 and "has not been released" in not_released.text
    gone = await venue.client.post(
        f"{observe_path(venue)}/{note.seq}/withdraw", data={"csrf": csrf}
    )
    assert gone.status_code == 303 and note.withdrawn
    assert (await venue.client.get(f"{observe_path(venue)}?correct=abc")).status_code == 400
    assert (await venue.client.get(f"{observe_path(venue)}?correct={note.seq}")).status_code == 404
    assert (await venue.client.get(f"{observe_path(venue)}?part=x")).status_code == 400


async def test_an_observer_tablet_opens_no_console_page_and_a_team_no_observer_page(
    venue: Venue,
) -> None:
    await venue.join("observer")
    for path in ("log", "matrix", "boards", "debrief", ""):
        response = await venue.client.get(f"/exercises/{venue.id}/{path}".rstrip("/"))
        assert response.status_code == 403, path
    await venue.join("team:police")
    assert (await venue.client.get(observe_path(venue))).status_code == 403
    venue.use("")
    assert (await venue.client.get(observe_path(venue))).status_code == 303


async def test_a_staff_account_observes_in_the_console_and_the_director_may_change_it(
    venue: Venue,
) -> None:
    venue.use(await venue.controller())
    page = await venue.client.get(observe_path(venue))
    assert page.status_code == 200 and 'id="console-live"' in page.text
    csrf = await venue.csrf(observe_path(venue))
    form = {"csrf": csrf, "objective": "identify", "text": "Control was slow"}
    assert (await venue.client.post(observe_path(venue), data=form)).status_code == 303
    (note,) = venue.state.observations.values()
    assert (note.by, note.device, note.team) == ("carl", "", None)
    venue.use(venue.director)
    csrf = await venue.csrf(observe_path(venue))
    assert f'data-observation="{note.seq}"' in (await venue.client.get(observe_path(venue))).text
    withdrawn = await venue.client.post(
        f"{observe_path(venue)}/{note.seq}/withdraw", data={"csrf": csrf}
    )
    assert withdrawn.status_code == 303 and note.withdrawn_by == "dina"


async def test_the_observer_page_speaks_the_tablets_language(venue: Venue) -> None:
    await venue.join("observer", "Планшет", language="ru")
    page = await venue.client.get(observe_path(venue))
    assert page.status_code == 200
    assert "Записать наблюдение" in page.text and "Наблюдатель" in page.text
    assert "Record an observation" not in page.text
