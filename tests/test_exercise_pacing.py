"""Each team at its own pace (controlroom.exercise.pacing, pacing_rules, pacing_commands)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from controlroom.exercise import commands
from controlroom.exercise.events import Fact, Payload
from controlroom.exercise.lifecycles import ReleaseStatus, TeamPhase
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from tests.support.scenarios import inject, make_scenario

T0 = 1_800_000_000.0
H = 3600.0


def play(state: ExerciseState, payload: Payload | None, at: float) -> None:
    assert payload is not None
    commit = state.plan(payload)
    state.commit(Fact(state.seq + 1, at, payload), commit)


def release_all_due(state: ExerciseState, at: float) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    while (decision := commands.release_due(state, at)) is not None:
        play(state, decision, at)
        out.append((decision.inject, decision.teams))
    return out


def started(*injects: dict[str, object]) -> ExerciseState:
    state = ExerciseState.new(make_scenario(*injects))
    play(state, commands.startex(state, "dir"), T0)
    return state


def test_a_held_team_waits_and_the_other_team_stays_on_time() -> None:
    state = started(inject("A", at="D1 09:30"), inject("B", at="D1 10:00"))
    play(state, commands.hold_team(state, "dir", "alpha", "the team is lost"), T0 + 600)
    assert state.pace("alpha").phase is TeamPhase.HELD
    assert release_all_due(state, T0 + 1800) == [("A", ("bravo",))]
    assert state.team_now("alpha", T0 + 1800) == 9 * H + 600  # frozen at the hold
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 1200 + 600)
    assert state.team_offset("alpha") == 1200  # the hold's length
    assert release_all_due(state, T0 + 1800 + 1199) == []
    assert release_all_due(state, T0 + 1800 + 1200) == [("A", ("alpha",))]
    assert release_all_due(state, T0 + 3600) == [("B", ("bravo",))]
    assert release_all_due(state, T0 + 3600 + 1200) == [("B", ("alpha",))]
    late = state.releases["B", "alpha"]
    assert not late.late and late.released_scenario == 10 * H + 1200


def test_a_paused_team_keeps_its_time_and_what_fell_due_goes_out_late() -> None:
    state = started(inject("A", at="D1 09:30"), inject("B", at="D1 10:00"))
    play(state, commands.hold_team(state, "dir", "alpha", "wait", shift=False), T0 + 600)
    assert release_all_due(state, T0 + 1800) == [("A", ("bravo",))]
    assert state.team_now("alpha", T0 + 1800) == 9 * H + 1800  # its time runs
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 2400)
    assert release_all_due(state, T0 + 2400) == [("A", ("alpha",))]
    assert state.releases["A", "alpha"].late
    assert release_all_due(state, T0 + 3600) == [("B", ("alpha", "bravo"))]


def test_a_shift_by_minutes_and_to_a_point_of_the_case() -> None:
    state = started(inject("A", at="D1 09:30"), inject("B", at="D1 10:00"))
    play(state, commands.shift_team(state, "dir", "alpha", "slow", T0, minutes=15), T0)
    assert state.team_offset("alpha") == 900
    assert release_all_due(state, T0 + 1800) == [("A", ("bravo",))]
    assert release_all_due(state, T0 + 2700) == [("A", ("alpha",))]
    # bravo is fast: move it on to B's point (its time reads 10:00 now)
    play(
        state,
        commands.shift_team(state, "dir", "bravo", "fast", T0 + 2700, to_inject="B"),
        T0 + 2700,
    )
    assert state.team_now("bravo", T0 + 2700) == 10 * H
    assert release_all_due(state, T0 + 2700) == [("B", ("bravo",))]
    assert state.team_now("alpha", T0 + 2700) == 9 * H + 1800  # alpha did not move


def test_team_commands_refuse_with_codes() -> None:
    state = ExerciseState.new(
        make_scenario(inject("A", at="D1 09:30"), inject("M", trigger="manual"))
    )
    with pytest.raises(CommandRefused) as refused:
        commands.hold_team(state, "dir", "alpha", "why")
    assert refused.value.code is Refusal.TEAM_PACE_NEEDS_CLOCK
    play(state, commands.startex(state, "dir"), T0)
    cases: list[tuple[Callable[[], object], Refusal]] = [
        (lambda: commands.hold_team(state, "dir", "ghost", "why"), Refusal.UNKNOWN_TEAM),
        (lambda: commands.hold_team(state, "dir", "alpha", " "), Refusal.HOLD_NEEDS_REASON),
        (lambda: commands.resume_team(state, "dir", "alpha"), Refusal.TEAM_NOT_HELD),
        (
            lambda: commands.shift_team(state, "d", "alpha", "", T0, minutes=5),
            Refusal.SHIFT_NEEDS_REASON,
        ),
        (lambda: commands.shift_team(state, "d", "alpha", "r", T0, minutes=0), Refusal.BAD_SHIFT),
        (lambda: commands.shift_team(state, "d", "alpha", "r", T0), Refusal.BAD_SHIFT),
        (
            lambda: commands.shift_team(state, "d", "alpha", "r", T0, to_inject="M"),
            Refusal.NO_SHIFT_POINT,
        ),
        (
            lambda: commands.shift_team(state, "d", "alpha", "r", T0, minutes=10 * 60),
            Refusal.OUTSIDE_EXERCISE,
        ),
    ]
    for command, code in cases:
        with pytest.raises(CommandRefused) as refused:
            command()
        assert refused.value.code is code
    play(state, commands.hold_team(state, "dir", "alpha", "why"), T0)
    with pytest.raises(CommandRefused) as refused:
        commands.hold_team(state, "dir", "alpha", "again", shift=False)
    assert refused.value.code is Refusal.TEAM_ALREADY_HELD


def test_an_exercise_hold_holds_every_team_and_a_jump_keeps_a_team_hold_length() -> None:
    state = started(inject("A", at="D1 09:30"), inject("B", at="D1 12:00"))
    play(state, commands.hold_team(state, "dir", "alpha", "r"), T0 + 600)
    play(state, commands.hold(state, "dir", "all stop"), T0 + 900)
    assert release_all_due(state, T0 + 5000) == []  # exercise held: nobody
    play(state, commands.resume(state, "dir"), T0 + 5000)
    # the exercise hold does not count into alpha's: 300 s of it so far
    assert state.team_offset("alpha", T0 + 5000) == 300
    play(state, commands.jump(state, "dir", 11 * H), T0 + 5000)
    assert state.team_offset("alpha", T0 + 5000) == 300  # the jump is not held time
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 5000)
    assert state.team_offset("alpha") == 300
    assert state.status("A", "bravo") is ReleaseStatus.SCHEDULED
    assert release_all_due(state, T0 + 5000) == [("A", ("bravo", "alpha"))]  # in due order


def test_a_simcell_delay_is_held_through_a_team_hold() -> None:
    state = started()
    play(state, commands.send_request(state, "alpha", "d1", kind="embassy", text="help"), T0)
    req = next(iter(state.requests))
    play(state, commands.answer_request(state, "ctl", req, answer="passport"), T0 + 60)
    play(state, commands.hold_team(state, "dir", "alpha", "lunch"), T0 + 300)
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 900)
    answer = f"SIM-{req}"
    assert release_all_due(state, T0 + 1200 + 599) == []
    assert release_all_due(state, T0 + 1200 + 600) == [(answer, ("alpha",))]
