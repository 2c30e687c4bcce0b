"""The fold: state derived from events only."""

from __future__ import annotations

from controlroom.delivery.projections import clock_view, control_clock_view
from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from controlroom.exercise.lifecycles import ClockPhase
from controlroom.exercise.state import ExerciseState, ReleaseStatus
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario

T0 = 1_800_000_000.0


def events(*items: tuple[str, dict[str, object], float]) -> list[Event]:
    return [Event(seq, type_, at, data) for seq, (type_, data, at) in enumerate(items, start=1)]


def test_statuses_follow_the_release_lifecycle() -> None:
    scenario = make_scenario(inject("A", at="D1 09:30"), inject("B", trigger="manual"))
    history = events(
        (EventType.CREATED, {"exercise": "x"}, T0),
        (EventType.STARTED, {"scenario_time": 9 * 3600}, T0),
        (EventType.INJECT_RELEASED, {"inject": "A", "teams": ["alpha"]}, T0 + 1800),
        (EventType.INJECT_DELIVERED, {"inject": "A", "team": "alpha", "device": "d1"}, T0 + 1801),
        (
            EventType.INJECT_ACKNOWLEDGED,
            {"inject": "A", "team": "alpha", "device": "d1"},
            T0 + 1810,
        ),
    )
    state = ExerciseState.fold(scenario, history[:1])
    assert state.status("A", "alpha") is ReleaseStatus.PLANNED
    state = ExerciseState.fold(scenario, history[:2])
    assert state.status("A", "alpha") is ReleaseStatus.SCHEDULED
    assert state.status("B", "alpha") is ReleaseStatus.PLANNED
    state = ExerciseState.fold(scenario, history)
    assert state.status("A", "alpha") is ReleaseStatus.ACKNOWLEDGED
    assert state.status("A", "bravo") is ReleaseStatus.SCHEDULED  # per team, not per inject


def test_fold_refuses_a_gap() -> None:
    state = ExerciseState.new(make_scenario(inject("A", at="D1 09:30")))
    try:
        state.apply(Event(2, EventType.STARTED, T0, {"scenario_time": 0}))
    except ValueError as error:
        assert "needs every event" in str(error)
    else:
        raise AssertionError("a gap in the journal must not be folded")


def test_after_trigger_schedules_per_team_when_the_state_is_reached() -> None:
    scenario = make_scenario(
        inject("A", at="D1 09:30"),
        inject("B", trigger={"after": "A", "state": "acknowledged", "delay": "10m"}),
    )
    history = events(
        (EventType.STARTED, {"scenario_time": 9 * 3600}, T0),
        (EventType.INJECT_RELEASED, {"inject": "A"}, T0 + 1800),
        (EventType.INJECT_ACKNOWLEDGED, {"inject": "A", "team": "bravo", "device": "d"}, T0 + 2400),
    )
    state = ExerciseState.fold(scenario, history)
    assert state.releases["B", "bravo"].due == 9 * 3600 + 2400 + 600
    assert state.releases["B", "alpha"].due is None  # alpha has not acknowledged
    assert state.status("B", "alpha") is ReleaseStatus.PLANNED


def test_an_edit_keeps_the_version_and_the_released_version() -> None:
    scenario = make_scenario(inject("A", at="D1 09:30"))
    history = events(
        (EventType.INJECT_RELEASED, {"inject": "A", "teams": ["alpha"], "version": 1}, T0),
        (
            EventType.INJECT_EDITED,
            {"inject": "A", "version": 2, "changes": {"title": {"en": "New", "ru": "Новое"}}},
            T0,
        ),
    )
    state = ExerciseState.fold(scenario, history)
    assert state.injects["A"].title["en"] == "New"
    assert state.versions["A"] == 2
    assert state.releases["A", "alpha"].version == 1


def test_an_answered_request_becomes_a_simcell_inject_for_that_team_only() -> None:
    scenario = make_scenario(inject("A", at="D1 09:30"))
    history = events(
        (
            EventType.REQUEST_SENT,
            {"request": "R001", "team": "alpha", "kind": "db-check", "text": ""},
            T0,
        ),
        (EventType.REQUEST_CLAIMED, {"request": "R001", "by": "pavel"}, T0 + 5),
        (
            EventType.REQUEST_ANSWERED,
            {
                "request": "R001",
                "by": "pavel",
                "text": {"en": "No record"},
                "title": {"en": "Database check"},
            },
            T0 + 65,
        ),
    )
    state = ExerciseState.fold(scenario, history)
    request = state.requests["R001"]
    assert request.response_seconds == 65
    assert request.answer_inject == "SIM-R001"
    assert state.status("SIM-R001", "alpha") is ReleaseStatus.RELEASED
    assert ("SIM-R001", "bravo") not in state.releases


def test_an_edit_of_the_cues_replaces_the_cue_states_and_keeps_kept_ones() -> None:
    cue = {
        "role": "driver",
        "where": {"en": "Bus"},
        "knows": {"en": "k"},
        "emotion": {"en": "calm"},
    }
    scenario = make_scenario(inject("A", at="D1 09:30", cues=[cue, {**cue, "id": "A.extra"}]))
    history = events(
        (EventType.CUE_STATUS, {"cue": "A.1", "role": "driver", "status": "ready"}, T0),
        (EventType.INJECT_EDITED, {"inject": "A", "version": 2, "changes": {"cues": [cue]}}, T0),
    )
    state = ExerciseState.fold(scenario, history)
    assert set(state.cues) == {"A.1"}  # the removed cue is gone: no status can be set on it
    assert state.cues["A.1"].status == "ready"


def test_before_startex_every_clock_stands_at_the_scenarios_start() -> None:
    scenario = make_scenario(inject("A", at="D1 09:30"), start="D1 08:30")
    state = ExerciseState.fold(scenario, events((EventType.CREATED, {"exercise": "x"}, T0)))
    assert not state.started and state.scenario_at(T0) is None
    for view in (control_clock_view(state), clock_view(state), clock_view(state, "alpha")):
        assert view.phase is ClockPhase.PLANNED
        assert view.scenario_time == 8 * 3600 + 30 * 60
    started = ExerciseState.fold(
        scenario,
        events(
            (EventType.CREATED, {"exercise": "x"}, T0),
            (EventType.STARTED, {"scenario_time": 10 * 3600}, T0 + 5),
        ),
    )
    assert started.scenario_at(T0 + 65) == 10 * 3600 + 60  # STARTEX anchors where it says


def test_a_trigger_fired_before_startex_counts_from_the_fold_s_own_anchor() -> None:
    """What the clocks show before STARTEX (the scenario's start) is not the fold's anchor:
    a journal with a hand release before STARTEX folds to the due it always folded to."""
    scenario = make_scenario(
        inject("A", trigger="manual"),
        inject("B", trigger={"after": "A", "state": "released", "delay": "10m"}),
        start="D1 09:00",
    )
    state = ExerciseState.new(scenario, "x")
    state.apply(Event(1, EventType.CREATED, T0, {"exercise": "x"}))
    release = commands.release_now(state, "dina", "A")
    state.apply(Event(2, release.TYPE, T0 + 60, release.data()))
    assert not state.started
    assert state.releases["B", "alpha"].due == 600
    assert clock_view(state).scenario_time == 9 * 3600  # while the clocks show the start
