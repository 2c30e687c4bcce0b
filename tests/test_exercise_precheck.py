"""Asking whether a command would be refused, appending nothing (``exercise.precheck``)."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands
from controlroom.exercise.precheck import check_decision
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from tests.support.scenarios import inject, make_scenario
from tests.test_exercise_reply_commands import play


def test_it_refuses_as_the_runtime_would_and_changes_nothing() -> None:
    state = ExerciseState.new(make_scenario(inject("A", at="D1 09:30")), "unit")
    play(state, commands.startex(state, "d"))
    play(state, commands.release_now(state, "d", "A"))
    seq = state.seq

    def reply(s: ExerciseState) -> commands.Decision | None:
        return commands.send_reply(s, "alpha", "tab", "A", "On our way", action="r-1")

    check_decision(state, reply)  # it would be taken
    assert state.seq == seq and state.replies == {}
    with pytest.raises(CommandRefused) as empty:
        check_decision(state, lambda s: commands.send_reply(s, "alpha", "tab", "A", " "))
    assert empty.value.code is Refusal.EMPTY_REPLY
    play(state, commands.endex(state, "d"))
    with pytest.raises(CommandRefused) as ended:  # the runtime's ENDEX rule, asked too
        check_decision(state, reply)
    assert ended.value.code is Refusal.ENDED
    assert state.replies == {}
