"""Status boards: teams' devices and acknowledgements, actors' cues, unacknowledged alerts."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom.exercise import commands
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web.console.boards import actor_boards, alerts, team_boards
from tests.support.console import Control


@pytest.fixture
def console_settings() -> dict[str, Any]:
    return {"ack_alert_seconds": 0.0}  # every unacknowledged release alerts at once


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    return runtime


async def test_an_unacknowledged_release_raises_an_alert_until_acknowledged(
    control: Control,
) -> None:
    runtime = await started(control)
    await control.post(f"/exercises/{runtime.id}/injects/S-04/release")
    panel = await control.get(f"/exercises/{runtime.id}/boards/alerts", htmx=True)
    assert panel.status_code == 200 and "<html" not in panel.text
    assert "has-alerts" in panel.text and "S-04" in panel.text
    assert "hx-trigger" in panel.text  # it refreshes itself after each live event
    await runtime.execute(lambda s: commands.acknowledge(s, "S-04", "police", "tablet-1"))
    now = control.resources.time.now()
    waiting = alerts(runtime.state, now, 0.0)
    assert [(a.inject, a.team) for a in waiting] == [("S-04", "labour")]
    console = await control.get(f"/exercises/{runtime.id}")
    assert 'id="alerts"' in console.text
    assert "S-04</strong></a> &rarr; Labour inspectors:" in console.text  # its name, not its id


def test_alerts_wait_for_the_configured_time() -> None:
    from controlroom.exercise.state import ExerciseState
    from controlroom.journal import Event
    from tests.support.scenarios import inject, make_scenario

    state = ExerciseState.new(make_scenario(inject("A", trigger="manual")), "ex")
    released = commands.release_now(state, "dina", "A")
    state.apply(Event(1, released.TYPE, 1000.0, released.data()))
    assert alerts(state, 1000.0 + 299, 300.0) == []
    late = alerts(state, 1000.0 + 301, 300.0)
    assert {a.team for a in late} == {"alpha", "bravo"} and late[0].waiting == 301


async def test_team_boards_count_devices_and_acknowledgements(control: Control) -> None:
    runtime = await started(control)
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet A", team="police"))
    await runtime.execute(lambda s: commands.join_device(s, "dev-2", "Phone", team="police"))
    await runtime.execute(lambda s: commands.revoke_device(s, "dina", "dev-2"))
    await runtime.execute(lambda s: commands.release_now(s, "dina", "S-04"))
    await runtime.execute(lambda s: commands.acknowledge(s, "S-04", "police", "dev-1"))
    boards = {b.team.id: b for b in team_boards(runtime.state, 0.0, {"dev-1"})}
    police = boards["police"]
    assert [line.device.name for line in police.devices] == ["Tablet A"]  # revoked: gone
    assert police.online == 1 and police.released == 1 and police.acknowledged == 1
    assert boards["labour"].acknowledged == 0 and len(boards["labour"].waiting) == 1
    page = await control.get(f"/exercises/{runtime.id}/boards")
    assert page.status_code == 200
    assert "Tablet A" in page.text and "1 / 1" in page.text.replace("</strong> ", " ")


async def test_actor_boards_show_cue_states_and_lateness(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex", {"at": "D1 09:40"})
    await runtime.execute(
        lambda s: commands.cue_status(s, "worker", "worker-at-site", "ready", "dev-9")
    )
    now = control.resources.time.now()
    boards = {b.role.id: b for b in actor_boards(runtime.state, now, frozenset())}
    caller = boards["caller"].cues[0]
    # S-01 (09:30) fell due before STARTEX at 09:40: the cue follows its release (issue 11),
    # 5 minutes before it, not the plan; not ready yet, it is late from then on
    release = runtime.state.releases["S-01", "police"]
    released = release.released_scenario
    if released is None:  # the release clock has not got to it yet: the plan
        released = 9 * 3600 + 1800
    assert caller.cue == "S-01.1" and caller.team == "police"
    assert caller.when == released - 5 * 60
    assert caller.late == runtime.state.clock.scenario_now(now) - caller.when
    worker = boards["worker"].cues[0]
    assert worker.status == "ready" and worker.late is None
    page = await control.get(f"/exercises/{runtime.id}/boards?lang=ru")
    assert "S-01.1" in page.text and "worker-at-site" in page.text


async def test_after_endex_the_alerts_stop_and_the_console_loses_its_controls(
    control: Control,
) -> None:
    runtime = await started(control)
    await control.post(f"/exercises/{runtime.id}/injects/S-04/release")
    assert alerts(runtime.state, control.resources.time.now(), 0.0)
    await runtime.execute(lambda s: commands.endex(s, "dina"))
    assert alerts(runtime.state, control.resources.time.now(), 0.0) == []
    panel = await control.get(f"/exercises/{runtime.id}/boards/alerts", htmx=True)
    assert "has-alerts" not in panel.text
    timeline = await control.get(f"/exercises/{runtime.id}")
    assert 'id="now-line"' not in timeline.text
    inject = await control.get(f"/exercises/{runtime.id}/injects/S-03")
    assert "/injects/S-03/hold" not in inject.text and "/injects/S-03/release" not in inject.text
    refused = await control.post(f"/exercises/{runtime.id}/injects/S-03/release")
    assert refused.status_code == 409


async def test_actor_boards_name_each_cues_team_as_the_teams_board_does(control: Control) -> None:
    runtime = await started(control)
    for language, name in (("en", "Police team"), ("ru", "Команда полиции")):
        page = await control.get(f"/exercises/{runtime.id}/boards?lang={language}")
        board = page.text[page.text.index('id="board-actor-caller"') :]
        start = board.index("S-01.1")
        row = board[start : board.index("</tr>", start)]
        assert f"<td>{name}</td>" in row, row
        assert "<td>police</td>" not in row
