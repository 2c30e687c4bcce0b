"""Team pacing on the console (controlroom.web.console.pacing): hold, resume, shift a team."""

from __future__ import annotations

from controlroom.exercise.lifecycles import TeamPhase
from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    response = await control.post(f"/exercises/{runtime.id}/clock/startex")
    assert response.status_code == 303
    return runtime


async def test_a_controller_holds_resumes_and_shifts_one_team(control: Control) -> None:
    runtime = await started(control)
    control.use("controller")
    teams = f"/exercises/{runtime.id}/teams"
    held = await control.post(f"{teams}/police/hold", {"reason": "Team lost the thread"})
    assert held.status_code == 303
    assert runtime.state.pace("police").phase is TeamPhase.HELD
    assert runtime.state.pace("labour").phase is TeamPhase.RUNNING
    page = await control.get(f"/exercises/{runtime.id}")
    assert 'id="team-pace-police"' in page.text and 'data-phase="held"' in page.text
    assert "Resume this team" in page.text
    resumed = await control.post(f"{teams}/police/resume", htmx=True)
    assert resumed.status_code == 200 and 'id="team-paces"' in resumed.text
    assert runtime.state.pace("police").phase is TeamPhase.RUNNING
    shifted = await control.post(f"{teams}/labour/shift", {"minutes": "15", "reason": "slow"})
    assert shifted.status_code == 303
    assert runtime.state.team_offset("labour") == 900
    paused = await control.post(
        f"{teams}/labour/hold", {"reason": "Actor late", "mode": "releases"}
    )
    assert paused.status_code == 303
    assert runtime.state.pace("labour").phase is TeamPhase.PAUSED


async def test_bad_input_is_a_4xx_that_says_why(control: Control) -> None:
    runtime = await started(control)
    teams = f"/exercises/{runtime.id}/teams"
    before = runtime.state.seq
    cases = [
        (f"{teams}/police/hold", {"reason": " "}, "Give a reason for the hold"),
        (f"{teams}/police/resume", {}, "is not on hold"),
        (f"{teams}/police/shift", {"minutes": "soon", "reason": "r"}, "is a number"),
        (f"{teams}/police/shift", {"minutes": "5"}, "Give a reason for the shift"),
        (f"{teams}/police/shift", {"to": "NOPE", "reason": "r"}, "NOPE"),
        (f"{teams}/ghost/hold", {"reason": "r"}, "team"),
    ]
    for path, form, said in cases:
        response = await control.post(path, form)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert said in response.text, (path, said)
    assert runtime.state.seq == before


async def test_an_observer_cannot_move_a_team(control: Control) -> None:
    runtime = await started(control)
    control.use("observer")
    response = await control.post(f"/exercises/{runtime.id}/teams/police/hold", {"reason": "x"})
    assert response.status_code == 403
    page = await control.get(f"/exercises/{runtime.id}")
    assert 'id="team-paces"' in page.text and "Hold this team" not in page.text
