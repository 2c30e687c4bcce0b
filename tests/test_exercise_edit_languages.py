"""An edit says which languages it updated (``InjectEdited.languages``); the fold keeps the
languages it left behind (``ExerciseState.behind``), and journals written before it was
recorded still fold, every language taken as up to date."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None) -> None:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, T0, decision.data()))


@pytest.fixture
def state() -> ExerciseState:
    return ExerciseState.new(make_scenario(inject("A", at="D1 09:30")), "unit")


def test_an_edit_of_the_english_text_only_leaves_russian_behind(state: ExerciseState) -> None:
    body = {"en": "New English body", "ru": "Body A (ru)"}
    edited = commands.edit(state, "d", "A", {"body": body})
    assert edited.languages == ("en",)
    play(state, edited)
    assert state.behind == {"A": {"ru": 1}}
    # another English-only edit: Russian is still the text of version 1
    play(state, commands.edit(state, "d", "A", {"title": {"en": "T3", "ru": "Title A (ru)"}}))
    assert state.behind == {"A": {"ru": 1}}
    # a notes-only edit changes nothing teams read: nobody falls further behind
    notes = commands.edit(state, "d", "A", {"notes": {"en": "n", "ru": "n"}})
    assert notes.languages == ()
    play(state, notes)
    assert state.behind == {"A": {"ru": 1}}
    # the Russian catches up
    russian = commands.edit(state, "d", "A", {"body": {**body, "ru": "Новый текст"}})
    assert russian.languages == ("ru",)
    play(state, russian)
    assert state.behind == {}


def test_both_languages_edited_together_leave_nobody_behind(state: ExerciseState) -> None:
    edited = commands.edit(state, "d", "A", {"body": {"en": "E2", "ru": "Р2"}})
    assert edited.languages == ("en", "ru")
    play(state, edited)
    assert state.behind == {}


def test_an_old_journals_edit_without_languages_still_folds(state: ExerciseState) -> None:
    play(state, commands.edit(state, "d", "A", {"body": {"en": "E2", "ru": "Body A (ru)"}}))
    assert state.behind == {"A": {"ru": 1}}
    old = {"inject": "A", "version": 3, "changes": {"body": {"en": "E3", "ru": "R3"}}, "by": "d"}
    state.apply(Event(state.seq + 1, EventType.INJECT_EDITED, T0, old))
    assert not state.set_aside
    assert state.versions["A"] == 3 and state.injects["A"].body["en"] == "E3"
    assert state.behind == {}
