"""The actor's run sheet: their role's scenes across teams, and nothing else."""

from __future__ import annotations

from controlroom.exercise import commands
from controlroom.web.devices.run_sheet import run_sheet
from tests.support.devices import Venue, venue

__all__ = ["venue"]


async def test_the_run_sheet_lists_the_roles_scenes_across_teams(venue: Venue) -> None:
    await venue.join("actor:worker")
    page = await venue.client.get(f"/exercises/{venue.id}/actor")
    assert page.status_code == 200
    html = page.text
    start = html.index('id="run-sheet"')
    section = html[start : html.index("</section>", start)]
    # the joint inspection: one scene for both teams (a shared cue), with where on the set
    assert 'data-cue="worker-at-site"' in section
    assert "Police team, Labour inspectors" in section and "Construction site set" in section
    assert "D2 10:05" in section
    assert "S-01" not in section  # the caller's scene: another role
    assert 'href="/exercises/' + venue.id + '/actor/run-sheet"' in section
    assert "A complaint letter" not in html and "Nam ne platyat" not in html  # no inject text


async def test_the_run_sheet_page_and_fragment_and_russian(venue: Venue) -> None:
    await venue.join("actor:caller", language="ru")
    full = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert full.status_code == 200 and "<html" in full.text
    assert "Команда полиции" in full.text and "Д1 09:25" in full.text
    assert "worker-at-site" not in full.text
    part = await venue.client.get(
        f"/exercises/{venue.id}/actor/run-sheet", headers={"HX-Request": "true"}
    )
    assert part.status_code == 200 and "<html" not in part.text and 'id="run-sheet"' in part.text


async def test_a_team_shift_moves_the_scene_and_done_scenes_leave(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    wall = venue.resources.time.now()
    sheet = run_sheet(venue.state, wall, "caller", "en")
    assert [(line.cue, line.teams) for line in sheet.lines] == [("S-01.1", ("Police team",))]
    first = sheet.lines[0].time
    assert first is not None and sheet.next_time == first
    await venue.run(lambda s: commands.shift_team(s, "dina", "police", "slow", wall, minutes=15))
    moved = run_sheet(venue.state, wall, "caller", "en")
    assert moved.lines[0].time == first + 900
    await venue.run(
        lambda s: commands.cue_status(s, "caller", "S-01.1", "done", "tab", team="police")
    )
    assert run_sheet(venue.state, wall, "caller", "en").lines == ()


async def test_only_actor_devices_open_it(venue: Venue) -> None:
    await venue.join("team:police")
    response = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert response.status_code == 403
    venue.use("")
    anonymous = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert anonymous.status_code == 303


async def test_a_pause_shows_as_running_to_the_actor_never_controls_phase(venue: Venue) -> None:
    """A hold without shift (a pause) is control's business: the actor's pages carry the
    actors' clock (as the live cue cards' #clock does), never control's ``paused``."""
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.hold(s, "dina", "lunch", shift=False))
    assert venue.state.clock.phase.value == "paused"
    await venue.join("actor:caller")
    cards = await venue.client.get(f"/exercises/{venue.id}/actor")
    sheet = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    for page in (cards, sheet):
        assert page.status_code == 200
        start = page.text.index('id="run-sheet"')
        tag = page.text[start : page.text.index(">", start)]
        assert 'data-phase="running"' in tag
        assert "paused" not in page.text
    clock = cards.text[cards.text.index('id="clock"') :]
    assert 'data-phase="running"' in clock[: clock.index(">")]  # the cue cards' own clock agrees
    # a hold (time frozen) is what actors do see, on both
    venue.use(venue.director)
    await venue.run(lambda s: commands.resume(s, "dina"))
    await venue.run(lambda s: commands.hold(s, "dina", "control-only reason", shift=True))
    await venue.join("actor:caller")
    held = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert 'data-phase="held"' in held.text and "control-only reason" not in held.text


async def test_an_overdue_unmarked_scene_says_so_as_the_cue_cards_countdown_does(
    venue: Venue,
) -> None:
    """A scene whose time has passed and that the actor has not marked: the line says
    "Overdue, not marked yet. Due 3 min ago" (the countdown's words), not the next scene."""
    await venue.run(lambda s: commands.startex(s, "dina"))
    wall = venue.resources.time.now()
    first = run_sheet(venue.state, wall, "caller", "en").lines[0].time
    assert first is not None
    await venue.run(lambda s: commands.jump(s, "dina", first + 200))
    sheet = run_sheet(venue.state, venue.resources.time.now(), "caller", "en")
    assert sheet.lines[0].unmarked and sheet.overdue_by is not None
    assert sheet.overdue_minutes == 3
    await venue.join("actor:caller")
    for path in ("/actor/run-sheet", "/actor"):
        page = await venue.client.get(f"/exercises/{venue.id}{path}")
        start = page.text.index('class="run-sheet-next"')
        line = page.text[start : page.text.index("</p>", start)]
        assert 'data-state="overdue"' in line
        assert ">Overdue, not marked yet.</span>" in line and ">Due 3 min ago</span>" in line
        assert 'data-unmarked="true"' in page.text
    await venue.join("actor:caller", language="ru")
    page = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert "Просрочена, ещё не отмечена." in page.text and "Время было 3 мин назад" in page.text

    # marked Ready: no longer overdue
    await venue.run(
        lambda s: commands.cue_status(s, "caller", "S-01.1", "ready", "tab", team="police")
    )
    marked = run_sheet(venue.state, venue.resources.time.now(), "caller", "en")
    assert not marked.lines[0].unmarked and marked.overdue_by is None
    page = await venue.client.get(f"/exercises/{venue.id}/actor/run-sheet")
    assert 'data-state="none"' in page.text and 'data-unmarked="true"' not in page.text
    assert ">Просрочена, ещё не отмечена.</span>" not in page.text
