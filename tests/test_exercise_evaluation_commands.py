"""Observations: recorded with their scenario time, corrected or withdrawn by their author
or the director, the history kept; a tablet's observation applied once (its action id)."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused, Observed
from controlroom.exercise.evaluation_rules import plan
from controlroom.exercise.events import (
    EventType,
    ObservationCorrected,
    ObservationWithdrawn,
    Rating,
)
from controlroom.exercise.refusals import Refusal
from controlroom.exercise.state import ExerciseState, NotApplicable
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None, at: float = T0) -> int:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))
    assert not state.set_aside
    return state.seq


@pytest.fixture
def state() -> ExerciseState:
    scenario = make_scenario(
        inject("A", at="D1 09:30"), inject("B", trigger="manual", to=["bravo"])
    )
    state = ExerciseState.new(scenario, "unit")
    play(state, commands.startex(state, "dina"), T0)
    play(state, commands.release_now(state, "dina", "A"), T0 + 60)
    return state


def observe(state: ExerciseState, by: str = "olga", **extra: object) -> int:
    fields: dict[str, object] = {"task": "T1", "rating": "S", "team": "alpha", **extra}
    decision = commands.add_observation(state, by, "Checked passports", "OBJ-1", **fields)  # type: ignore[arg-type]
    return play(state, decision, T0 + 600)


def test_an_observation_keeps_its_scenario_time_and_inject(state: ExerciseState) -> None:
    seq = observe(state, inject="A")
    note = state.observations[seq]
    assert note.scenario == 9 * 3600 + 600  # D1 09:10: STARTEX at D1 09:00, 10 minutes on
    assert (note.inject, note.rating, note.version) == ("A", Rating.S, 1)
    play(state, commands.jump(state, "dina", 30 * 3600), T0 + 700)
    assert state.observations[seq].scenario == 9 * 3600 + 600  # as the clock stood then


def test_the_inject_must_have_been_released_to_the_team(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused) as refused:
        commands.add_observation(state, "olga", "x", "OBJ-1", team="bravo", inject="B")
    assert refused.value.code is Refusal.NOT_RELEASED_TO_TEAM
    with pytest.raises(CommandRefused) as unknown:
        commands.add_observation(state, "olga", "x", "OBJ-1", team="bravo", inject="ZZ")
    assert unknown.value.code is Refusal.NO_INJECT
    # about control (no team): any inject of the exercise
    assert commands.add_observation(state, "olga", "x", "OBJ-1", inject="B") is not None


def test_the_author_corrects_and_the_history_stays(state: ExerciseState) -> None:
    seq = observe(state)
    change = Observed("Missed one passport", "OBJ-1", "T1", "M", "alpha", "A")
    corrected = commands.correct_observation(state, "olga", seq, change)
    assert isinstance(corrected, ObservationCorrected)
    play(state, corrected, T0 + 900)
    note = state.observations[seq]
    assert (note.text, note.rating, note.inject, note.version) == (
        "Missed one passport",
        Rating.M,
        "A",
        2,
    )
    assert note.scenario == 9 * 3600 + 600  # recorded then; corrected later
    with pytest.raises(CommandRefused) as same:
        commands.correct_observation(state, "olga", seq, change)
    assert same.value.code is Refusal.NOTHING_TO_CHANGE
    assert [n.seq for n in state.notes] == [seq]  # one observation, in its latest version


def test_only_the_author_or_the_director_changes_it(state: ExerciseState) -> None:
    seq = observe(state)
    change = Observed("other", "OBJ-1", "T1", "P", "alpha")
    for who in ("oleg", ""):
        with pytest.raises(CommandRefused) as refused:
            commands.correct_observation(state, who, seq, change)
        assert refused.value.code is Refusal.NOT_AUTHOR
        with pytest.raises(CommandRefused):
            commands.withdraw_observation(state, who, seq)
    with pytest.raises(CommandRefused) as tablet:
        commands.withdraw_observation(state, "", seq, device="d1")
    assert tablet.value.code is Refusal.NOT_AUTHOR
    play(state, commands.correct_observation(state, "dina", seq, change, director=True))
    assert state.observations[seq].updated_by == "dina"
    withdrawn = commands.withdraw_observation(state, "dina", seq, director=True)
    assert isinstance(withdrawn, ObservationWithdrawn)
    play(state, withdrawn)
    assert state.observations[seq].withdrawn and not state.observations[seq].counts
    for decide in (
        lambda: commands.withdraw_observation(state, "olga", seq),
        lambda: commands.correct_observation(state, "olga", seq, change),
    ):
        with pytest.raises(CommandRefused) as gone:
            decide()
        assert gone.value.code is Refusal.OBSERVATION_WITHDRAWN
    with pytest.raises(CommandRefused) as missing:
        commands.withdraw_observation(state, "olga", 999)
    assert missing.value.code is Refusal.NO_OBSERVATION


def test_a_tablets_observation_is_applied_once(state: ExerciseState) -> None:
    play(state, commands.join_device(state, "d1", "Observer tablet", observer=True))
    assert state.devices["d1"].observer
    first = commands.add_observation(
        state,
        "",
        "From the tablet",
        "OBJ-1",
        task="T1",
        rating="P",
        team="alpha",
        device="d1",
        action="obs-1",
    )
    assert first is not None and first.TYPE is EventType.OBSERVATION_ADDED
    seq = play(state, first)
    again = commands.add_observation(
        state, "", "From the tablet", "OBJ-1", device="d1", action="obs-1"
    )
    assert again is None  # a repeat decides nothing
    change = Observed("Fixed", "OBJ-1", "T1", "S", "alpha")
    play(state, commands.correct_observation(state, "", seq, change, device="d1", action="c-1"))
    assert commands.correct_observation(state, "", seq, change, device="d1", action="c-1") is None
    with pytest.raises(CommandRefused) as bad:
        commands.add_observation(state, "", "x", "OBJ-1", device="d1", action="bad id!")
    assert bad.value.code is Refusal.BAD_ACTION


def test_the_fold_refuses_what_would_not_apply(state: ExerciseState) -> None:
    seq = observe(state)
    with pytest.raises(NotApplicable):
        plan(state, ObservationWithdrawn(observation=seq + 100))
    with pytest.raises(NotApplicable):
        plan(state, ObservationCorrected(observation=seq, objective="OBJ-1", task="T9"))
    with pytest.raises(NotApplicable):
        plan(
            state,
            ObservationCorrected(observation=seq, objective="OBJ-1", team="bravo", inject="B"),
        )
    play(state, ObservationWithdrawn(observation=seq, by="olga"))
    with pytest.raises(NotApplicable):
        plan(state, ObservationWithdrawn(observation=seq))


def test_corrections_and_withdrawals_still_go_in_after_endex(state: ExerciseState) -> None:
    seq = observe(state)
    play(state, commands.endex(state, "dina"))
    from controlroom.exercise.endex import refuse_after_endex

    change = Observed("After the hot wash", "OBJ-1", "T1", "U", "alpha")
    corrected = commands.correct_observation(state, "olga", seq, change)
    assert corrected is not None
    refuse_after_endex(state, corrected)  # no refusal
    play(state, corrected)
    withdrawn = commands.withdraw_observation(state, "olga", seq)
    assert withdrawn is not None
    refuse_after_endex(state, withdrawn)


def test_an_observer_device_joins_as_observer_only(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused) as both:
        commands.join_device(state, "d2", "x", team="alpha", observer=True)
    assert both.value.code is Refusal.ONE_TARGET
    play(state, commands.reissue_join(state, "dina", "observer"))
    assert state.join_generations["observer"] == 1
    with pytest.raises(CommandRefused):
        commands.reissue_join(state, "dina", "observer:x")
