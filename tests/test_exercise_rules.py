"""The fold's rules: an event is checked before it changes anything; a journal event that
cannot be applied is set aside (kept, named), never raised and never dropped; an event that
would not fold is refused before it is written."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom.exercise import commands
from controlroom.exercise.events import (
    ExerciseCreated,
    InjectReleased,
    Payload,
    RequestAnswered,
    SetAside,
    decode,
)
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState, NotApplicable
from controlroom.journal import Event
from controlroom.journal.memory import MemoryJournalStore
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from tests.support.scenarios import inject, make_scenario

SCENARIO = make_scenario(inject("A", at="D1 09:30"), inject("B", trigger="manual"))
T0 = 1_800_000_000.0


def play(state: ExerciseState, payload: Payload | None) -> None:
    assert payload is not None
    state.apply(Event(state.seq + 1, payload.TYPE, T0 + state.seq, payload.data()))


# Events as earlier code wrote them (today's JSON), which must keep folding.
TODAYS_JOURNAL: list[tuple[str, dict[str, Any]]] = [
    ("clock.started", {"scenario_time": 32400, "by": "dina"}),
    ("device.joined", {"device": "d1", "name": "Tab", "team": "alpha", "role": None}),
    (
        "inject.released",
        {
            "inject": "B",
            "teams": ["alpha", "bravo"],
            "version": 1,
            "due": None,
            "late": False,
            "reason": "manual",
            "by": "dina",
        },
    ),
    ("inject.delivered", {"inject": "B", "team": "alpha", "device": "d1"}),
    ("inject.acknowledged", {"inject": "B", "team": "alpha", "device": "d1"}),
    (
        "request.sent",
        {"request": "R001", "team": "alpha", "kind": None, "text": "Help", "device": "d1"},
    ),
    ("request.claimed", {"request": "R001", "by": "sam"}),
    (
        "request.answered",
        {
            "request": "R001",
            "answer": None,
            "text": {"en": "Yes"},
            "title": {"en": "Help"},
            "by": "sam",
        },
    ),
    ("note.added", {"text": "n", "by": "c", "team": None, "inject": None}),
    ("clock.held", {"reason": "lunch", "shift": False, "by": "dina"}),
    ("clock.resumed", {"by": "dina"}),
    ("journal.recovered", {"line": 9, "size": 12, "saved_to": "/x/journal.jsonl.torn-1"}),
]


def test_journals_written_by_earlier_code_fold_without_anything_set_aside() -> None:
    events = [Event(n, t, T0 + n, d) for n, (t, d) in enumerate(TODAYS_JOURNAL, start=1)]
    state = ExerciseState.fold(SCENARIO, events)
    assert state.set_aside == []
    assert state.seq == len(events)
    answered = state.requests["R001"]
    assert answered.answer_inject == "SIM-R001"
    assert state.injects["SIM-R001"].sender == {"en": "SimCell"}  # no sender: as before
    assert state.status("B", "alpha") == "acknowledged"
    assert state.recovered[0].line == 9


@pytest.mark.parametrize(
    ("type_", "data", "reason"),
    [
        ("weather.changed", {}, "unknown event type"),
        ("clock.speed", {"speed": "fast"}, "speed"),
        ("clock.speed", {"speed": -1}, "speed"),
        ("inject.released", {"inject": "GHOST", "teams": ["alpha"]}, "unknown inject"),
        ("inject.delivered", {"inject": "A", "team": "alpha"}, "has not been released"),
        ("request.answered", {"request": "R404", "text": {"en": "x"}}, "unknown request"),
        ("clock.resumed", {}, "cannot resume"),
        ("device.renamed", {"device": "nope", "name": "x"}, "unknown device"),
    ],
)
def test_an_event_that_cannot_apply_is_set_aside_and_the_fold_goes_on(
    type_: str, data: dict[str, object], reason: str
) -> None:
    state = ExerciseState.new(SCENARIO)
    fact = state.apply(Event(1, type_, T0, data))
    assert isinstance(fact.payload, SetAside)
    assert state.set_aside == [fact.payload]
    assert state.set_aside[0].seq == 1 and state.set_aside[0].type == type_
    assert reason in state.set_aside[0].reason
    assert state.seq == 1
    play(state, commands.startex(state, "dina"))  # and the exercise goes on
    assert state.started and state.seq == 2


def test_the_simcell_answer_in_a_language_that_is_no_language_is_refused() -> None:
    state = ExerciseState.new(SCENARIO)
    play(state, commands.send_request(state, "alpha", "d1", None, "Help"))
    with pytest.raises(CommandRefused) as refused:
        commands.answer_request(state, "sam", "R001", text="Yes", language="EN")
    assert refused.value.code is Refusal.BAD_LANGUAGE
    bad = RequestAnswered(request="R001", text={"en": "x"}, sender={"en": ""}, by="sam")
    with pytest.raises(NotApplicable):
        state.plan(bad)
    assert state.requests["R001"].answered_at is None  # planning changed nothing


def test_a_checked_event_changes_nothing_until_it_is_committed() -> None:
    state = ExerciseState.new(SCENARIO)
    play(state, commands.startex(state, "dina"))
    release = commands.release_now(state, "dina", "B")
    commit = state.plan(release)
    assert state.status("B", "alpha") == "planned"
    fact = decode(Event(state.seq + 1, release.TYPE, T0 + 9, release.data()))
    state.commit(fact, commit)
    assert state.status("B", "alpha") == "released" and state.seq == 2


async def test_the_runtime_refuses_an_event_that_would_not_fold_and_writes_nothing() -> None:
    time = ManualTime()
    store = MemoryJournalStore()
    journal = await store.create("ex")
    created = ExerciseCreated(exercise="ex", name="x", scenario=SCENARIO, by="t")
    await journal.append(created.TYPE, created.data(), at=time.now(), expect_seq=0)
    runtime = await ExerciseRuntime.load(journal, time)
    ghost = InjectReleased(inject="GHOST", teams=("alpha",), by="dina")
    with pytest.raises(CommandRefused) as refused:
        await runtime.execute(lambda state: ghost)
    assert refused.value.code is Refusal.WOULD_NOT_APPLY
    assert journal.last_seq == 1 and runtime.state.set_aside == []
    fact = await runtime.execute(lambda state: commands.release_now(state, "dina", "B"))
    assert fact is not None and isinstance(fact.payload, InjectReleased) and fact.seq == 2


def test_a_devices_action_is_applied_once() -> None:
    state = ExerciseState.new(SCENARIO)
    play(state, commands.release_now(state, "dina", "B", ["alpha"]))
    first = commands.acknowledge(state, "B", "alpha", "d1", action="tap-1")
    assert first is not None and first.action == "tap-1"
    play(state, first)
    assert ("d1", "tap-1") in state.actions
    assert commands.acknowledge(state, "B", "alpha", "d1", action="tap-1") is None
    assert commands.send_request(state, "alpha", "d1", None, "Help", action="tap-1") is None
    sent = commands.send_request(state, "alpha", "d1", None, "Help", action="tap-2")
    assert sent is not None
    with pytest.raises(CommandRefused) as refused:
        commands.acknowledge(state, "B", "alpha", "d1", action="bad action!")
    assert refused.value.code is Refusal.BAD_ACTION
