"""Actor safety's commands and fold (controlroom.exercise.safety, .safety_commands), the
outbox's exactly-once rule (controlroom.exercise.actions) and ENDEX closing the exercise
(controlroom.exercise.endex)."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom.exercise import commands, safety_commands
from controlroom.exercise.endex import refuse_after_endex
from controlroom.exercise.events import (
    EventType,
    Fact,
    SafetyCalled,
    SafetySeen,
    SafetyStopped,
    SetAside,
)
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.safety import SafetyKind
from controlroom.exercise.state import ExerciseState, NotApplicable, ReleaseStatus
from controlroom.journal import Event
from controlroom.scenario.model import Case
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None, at: float = T0) -> Fact:
    """As the runtime does: refused after ENDEX, checked before written, then folded."""
    assert decision is not None
    refuse_after_endex(state, decision)
    state.plan(decision)
    fact = state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))
    assert not isinstance(fact.payload, SetAside), fact.payload
    return fact


def cue(role: str = "driver") -> dict[str, Any]:
    return {"role": role, "where": text("Bus station"), "knows": text("k"), "emotion": text("calm")}


@pytest.fixture
def state() -> ExerciseState:
    scenario = make_scenario(
        inject("A", at="D1 09:30", to=["alpha"], case="bus", cues=[cue()]),
        inject("B", at="D1 10:30", to=["alpha", "bravo"], case="bus"),
        inject("C", at="D1 11:00", to=["alpha"], case="other"),
    )
    cases = [
        Case.model_validate({"id": c, "title": text(c), "kind": "forced-labour"})
        for c in ("bus", "other")
    ]
    scenario = scenario.model_copy(update={"cases": cases})
    return ExerciseState.new(scenario, "unit")


def test_a_stop_names_the_role_cue_and_teams_and_is_seen_once(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    fact = play(state, safety_commands.stop(state, "driver", "dev-1", "A.1", action="x1"))
    assert fact.type == EventType.SAFETY_STOP
    assert isinstance(fact.payload, SafetyStopped)
    assert fact.payload.data() == {
        "alert": "S001",
        "role": "driver",
        "cue": "A.1",
        "teams": ["alpha"],
        "device": "dev-1",
        "action": "x1",
        "holds": [],
    }
    alert = state.safety["S001"]
    assert (alert.kind, alert.role, alert.teams, alert.seen_by) == (
        SafetyKind.STOP,
        "driver",
        ("alpha",),
        None,
    )
    assert ("dev-1", "x1") in state.actions
    # the same action again: nothing to decide (the socket still answers "done")
    assert safety_commands.stop(state, "driver", "dev-1", "A.1", action="x1") is None
    play(state, safety_commands.seen(state, "Dina", "Dina", "S001"))
    assert (state.safety["S001"].seen_by, state.safety["S001"].seen_name) == ("Dina", "Dina")
    assert safety_commands.seen(state, "Other", "Other", "S001") is None
    with pytest.raises(CommandRefused, match="No such safety alert") as refused:
        safety_commands.seen(state, "Dina", "Dina", "S404")
    assert refused.value.code is Refusal.NO_SAFETY_ALERT


def test_safety_refuses_strangers_but_never_the_clock(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="Unknown actor role") as refused:
        safety_commands.stop(state, "ghost", "dev", None)
    assert refused.value.code is Refusal.UNKNOWN_ROLE
    with pytest.raises(CommandRefused, match="No such cue") as refused:
        safety_commands.call_control(state, "driver", "dev", "B.1")
    assert refused.value.code is Refusal.NO_CUE
    with pytest.raises(CommandRefused) as refused:
        safety_commands.stop(state, "driver", "dev", None, action="not an id!")
    assert refused.value.code is Refusal.BAD_ACTION
    play(state, safety_commands.call_control(state, "driver", "dev", None, action="c"))  # planned
    assert state.safety["S001"].kind == "call" and state.safety["S001"].teams == ()
    play(state, commands.startex(state, "d"))
    play(state, commands.endex(state, "d"))
    play(state, safety_commands.stop(state, "driver", "dev", "A.1", action="s"))  # after ENDEX
    assert [a.kind for a in state.safety.values()] == ["call", "stop"]


def test_the_auto_hold_holds_the_case_for_the_actors_teams_only(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    play(state, commands.release_now(state, "d", "A"))
    assert safety_commands.set_autohold(state, "d", False) is None  # off already
    play(state, safety_commands.set_autohold(state, "d", True))
    assert state.safety_autohold
    fact = play(state, safety_commands.stop(state, "driver", "dev", "A.1", action="s"))
    # A is released already; B is the same case (alpha only: the actor plays for alpha);
    # C is another case
    assert isinstance(fact.payload, SafetyStopped)
    assert fact.payload.holds == (("B", "alpha"),)
    assert state.status("B", "alpha") is ReleaseStatus.HELD
    assert state.status("B", "bravo") is ReleaseStatus.SCHEDULED
    assert state.status("C", "alpha") is ReleaseStatus.SCHEDULED
    assert state.safety["S001"].holds == (("B", "alpha"),)


def test_device_actions_are_applied_once_each(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    play(state, commands.release_now(state, "d", "A"))
    play(state, commands.acknowledge(state, "A", "alpha", "tab", action="a1"))
    assert commands.acknowledge(state, "A", "alpha", "tab", action="a1") is None
    fact = play(state, commands.send_request(state, "alpha", "tab", None, "A car", action="r1"))
    assert fact.payload.data()["action"] == "r1"
    assert commands.send_request(state, "alpha", "tab", None, "A car", action="r1") is None
    # the same id from another device is another action
    play(state, commands.send_request(state, "alpha", "tab-2", None, "A car", action="r1"))
    assert len(state.requests) == 2
    play(state, commands.cue_status(state, "driver", "A.1", "done", "act", action="q1"))
    assert commands.cue_status(state, "driver", "A.1", "ready", "act", action="q1") is None
    assert state.actions == {("tab", "a1"), ("tab", "r1"), ("tab-2", "r1"), ("act", "q1")}
    # events without an action (the console's, older journals) fold as before
    assert commands.send_request(state, "alpha", "tab", None, "Again") is not None


def test_the_fold_remembers_actions_from_the_journal(state: ExerciseState) -> None:
    """A restart folds the journal again: the applied action ids come back with it."""
    facts = [
        play(state, commands.startex(state, "d")),
        play(state, commands.release_now(state, "d", "A")),
        play(state, commands.acknowledge(state, "A", "alpha", "tab", action="a1")),
        play(state, safety_commands.stop(state, "driver", "act", None, action="s1")),
    ]
    events = [Event(f.seq, f.type, f.at, f.payload.data()) for f in facts]
    again = ExerciseState.fold(state.scenario, events, "unit")
    assert again.actions == {("tab", "a1"), ("act", "s1")}
    assert commands.acknowledge(again, "A", "alpha", "tab", action="a1") is None
    assert safety_commands.stop(again, "driver", "act", None, action="s1") is None


def test_after_endex_only_the_debrief_and_safety_go_in(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    play(state, commands.release_now(state, "d", "A"))
    play(state, commands.endex(state, "d"))
    refused = [
        commands.acknowledge(state, "A", "alpha", "tab"),
        commands.send_request(state, "alpha", "tab", None, "late"),
        commands.cue_status(state, "driver", "A.1", "done", "act"),
        commands.hold_inject(state, "d", "B"),
        commands.reschedule(state, "d", "B", 40_000.0),
        commands.cancel(state, "d", "C"),
    ]
    for decision in refused:
        with pytest.raises(CommandRefused, match=r"ended \(ENDEX\)") as refusal:
            play(state, decision)
        assert refusal.value.code is Refusal.ENDED
    play(state, commands.add_note(state, "d", "Debrief: went well"))
    play(state, commands.delivered(state, "A", "alpha", "tab"))  # a receipt, not a change
    assert [n.text for n in state.notes] == ["Debrief: went well"]


def test_a_safety_event_that_would_not_fold_is_refused_and_set_aside(
    state: ExerciseState,
) -> None:
    """Checked before written (the runtime plans first); a journal's stray one is set aside."""
    with pytest.raises(NotApplicable, match="unknown safety alert"):
        state.plan(SafetySeen(alert="S404", by="d"))
    with pytest.raises(NotApplicable, match="unknown actor role"):
        state.plan(SafetyCalled(alert="S001", role="ghost"))
    with pytest.raises(NotApplicable, match="does not go to"):
        state.plan(SafetyStopped(alert="S001", role="driver", holds=(("C", "bravo"),)))
    play(state, safety_commands.call_control(state, "driver", "dev", None, action="c"))
    with pytest.raises(NotApplicable, match="already exists"):
        state.plan(SafetyCalled(alert="S001", role="driver"))
    play(state, safety_commands.seen(state, "d", "Dina", "S001"))
    with pytest.raises(NotApplicable, match="seen already"):
        state.plan(SafetySeen(alert="S001", by="d"))
    # the same events found in a journal: set aside, the fold goes on
    stray = Event(state.seq + 1, EventType.SAFETY_SEEN, T0, {"alert": "S404", "by": "d"})
    fact = state.apply(stray)
    assert isinstance(fact.payload, SetAside) and "unknown safety alert" in fact.payload.reason
    broken = Event(state.seq + 1, EventType.SAFETY_STOP, T0, {"alert": "S9", "role": 5})
    assert isinstance(state.apply(broken).payload, SetAside)
    assert [a.id for a in state.safety.values()] == ["S001"]
    assert len(state.set_aside) == 2


def test_a_stop_on_a_cue_played_for_one_team_holds_that_team_only() -> None:
    scenario = make_scenario(
        inject("A", at="D1 09:30", case="bus", cues=[cue()]),  # to both teams
        inject("B", at="D1 10:30", case="bus"),
    )
    cases = [Case.model_validate({"id": "bus", "title": text("bus"), "kind": "forced-labour"})]
    state = ExerciseState.new(scenario.model_copy(update={"cases": cases}), "unit")
    play(state, safety_commands.set_autohold(state, "d", True))
    fact = play(state, safety_commands.stop(state, "driver", "dev", "A.1", "x1", team="bravo"))
    assert isinstance(fact.payload, SafetyStopped)
    assert fact.payload.teams == ("bravo",)
    assert set(fact.payload.holds) == {("A", "bravo"), ("B", "bravo")}
    # a team the cue does not go to (or none): every team of the cue, as before
    called = safety_commands.call_control(state, "driver", "dev", "A.1", "x2", team="ghost")
    assert called is not None and called.teams == ("alpha", "bravo")
