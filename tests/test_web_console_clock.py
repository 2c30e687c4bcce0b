"""Clock control from the console: STARTEX, hold with a reason, resume, speed, jump, ENDEX."""

from __future__ import annotations

import re

from controlroom.exercise.lifecycles import ClockPhase
from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control


def phase(runtime: ExerciseRuntime) -> ClockPhase:
    return runtime.state.clock.phase


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    response = await control.post(f"/exercises/{runtime.id}/clock/startex")
    assert response.status_code == 303
    return runtime


async def test_startex_hold_resume_without_javascript(control: Control) -> None:
    runtime = await control.exercise()
    clock = f"/exercises/{runtime.id}/clock"
    back = f"/exercises/{runtime.id}?team=police"
    done = await control.post(f"{clock}/startex", {"next": back})
    assert done.status_code == 303 and done.headers["location"] == back
    assert phase(runtime) is ClockPhase.RUNNING
    held = await control.post(f"{clock}/hold", {"reason": "Fire drill in the venue"})
    assert held.status_code == 303
    assert phase(runtime) is ClockPhase.HELD
    assert runtime.state.clock.hold_reason == "Fire drill in the venue"
    resumed = await control.post(f"{clock}/resume")
    assert resumed.status_code == 303
    assert phase(runtime) is ClockPhase.RUNNING


async def test_a_hold_can_keep_time_running_and_pause_only_releases(control: Control) -> None:
    runtime = await started(control)
    await control.post(
        f"/exercises/{runtime.id}/clock/hold", {"reason": "Actors late", "mode": "releases"}
    )
    assert phase(runtime) is ClockPhase.PAUSED
    assert runtime.state.clock.ticking and not runtime.state.clock.releasing
    page = await control.get(f"/exercises/{runtime.id}")
    assert "data-releases-paused" in page.text


async def test_htmx_gets_a_message_and_the_new_clock_out_of_band(control: Control) -> None:
    runtime = await started(control)
    held = await control.post(f"/exercises/{runtime.id}/clock/hold", {"reason": "Lunch"}, htmx=True)
    assert held.status_code == 200
    assert "On hold: Lunch" in held.text
    assert 'id="clock"' in held.text and 'hx-swap-oob="outerHTML"' in held.text
    assert 'data-phase="held"' in held.text
    assert "<html" not in held.text


async def test_a_refusal_says_why(control: Control) -> None:
    runtime = await started(control)
    no_reason = await control.post(f"/exercises/{runtime.id}/clock/hold", {"reason": " "})
    assert no_reason.status_code == 409
    assert "Give a reason for the hold" in no_reason.text
    htmx = await control.post(f"/exercises/{runtime.id}/clock/resume", htmx=True)
    assert htmx.status_code == 409
    assert 'role="alert"' in htmx.text and "The exercise is not on hold." in htmx.text
    speed = await control.post(f"/exercises/{runtime.id}/clock/speed", {"speed": "fast"})
    assert speed.status_code == 409 and "The speed is a number" in speed.text


async def test_speed_changes_how_fast_scenario_time_runs(control: Control) -> None:
    runtime = await started(control)
    done = await control.post(f"/exercises/{runtime.id}/clock/speed", {"speed": "2,5"})
    assert done.status_code == 303
    assert runtime.state.clock.speed == 2.5


async def test_endex_asks_for_confirmation_first(control: Control) -> None:
    runtime = await started(control)
    endex = f"/exercises/{runtime.id}/clock/endex"
    asked = await control.post(endex, {"next": f"/exercises/{runtime.id}/boards"})
    assert asked.status_code == 200
    assert phase(runtime) is ClockPhase.RUNNING
    assert "End the exercise (ENDEX)?" in asked.text
    # ENDEX ends every remaining day; the overnight stop is a hold
    assert "It ends the whole exercise: day 2 as well, not only today." in asked.text
    assert "To stop for the night, use Hold" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert f'value="/exercises/{runtime.id}/boards"' in asked.text  # the form is repeated
    confirmed = await control.post(endex, {"confirmed": "yes"})
    assert confirmed.status_code == 303
    assert phase(runtime) is ClockPhase.ENDED


async def test_a_jump_is_confirmed_and_its_time_checked(control: Control) -> None:
    runtime = await started(control)
    jump = f"/exercises/{runtime.id}/clock/jump"
    asked = await control.post(jump, {"at": "D1 12:00"}, htmx=True)
    assert "Jump the scenario clock to D1 12:00?" in asked.text
    assert 'role="alertdialog"' in asked.text and "<html" not in asked.text
    bad = await control.post(jump, {"at": "noon", "confirmed": "yes"})
    assert bad.status_code == 409 and "D&lt;day&gt; HH:MM" in bad.text
    done = await control.post(jump, {"at": "D1 12:00", "confirmed": "yes"})
    assert done.status_code == 303
    assert runtime.state.clock.scenario_now(control.resources.time.now()) >= 12 * 3600


async def test_only_the_director_runs_the_clock(control: Control) -> None:
    runtime = await control.exercise()
    for role in ("controller", "observer"):
        control.use(role)
        refused = await control.post(f"/exercises/{runtime.id}/clock/startex")
        assert refused.status_code == 403
        page = await control.get(f"/exercises/{runtime.id}")
        assert "/clock/startex" not in page.text
    assert not runtime.state.started


async def test_a_post_never_lands_on_another_site(control: Control) -> None:
    runtime = await control.exercise()
    done = await control.post(
        f"/exercises/{runtime.id}/clock/startex", {"next": "https://evil.example/"}
    )
    assert done.headers["location"] == f"/exercises/{runtime.id}"


async def test_before_startex_the_clock_shows_the_scenarios_start(control: Control) -> None:
    runtime = await control.exercise()  # mini starts at D1 09:00
    page = await control.get(f"/exercises/{runtime.id}")
    clock = re.search(r'<div id="clock".*?</div>', page.text, re.S)
    assert clock is not None, page.text
    assert 'data-phase="planned"' in clock[0]
    assert 'data-scenario-time="32400' in clock[0]
    assert '<span class="clock-time">D1 09:00</span>' in clock[0]
    russian = await control.get(f"/exercises/{runtime.id}?lang=ru")
    assert '<span class="clock-time">Д1 09:00</span>' in russian.text
