"""Join tokens: >= 128 bits, checkable by any worker, dead once re-issued."""

from __future__ import annotations

import pytest

from controlroom.access import join_tokens as join
from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused
from controlroom.exercise.events import JoinReissued
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import make_scenario

SECRET = "unit-secret"


def play(state: ExerciseState, decision: commands.Decision | None) -> None:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, 1_800_000_000.0, decision.data()))


@pytest.fixture
def state() -> ExerciseState:
    return ExerciseState.new(make_scenario(), "ex-1")


def test_every_team_and_actor_role_has_a_distinct_code_of_at_least_128_bits(
    state: ExerciseState,
) -> None:
    codes = join.codes(state, SECRET)
    keys = [c.target.key for c in codes]
    assert keys == ["team:alpha", "team:bravo", "actor:driver", "observer"]
    tokens = {c.token for c in codes}
    assert len(tokens) == 4
    for code in codes:
        assert len(code.token) == join.TOKEN_LENGTH
        assert len(code.token) * 6 >= 128  # URL-safe base64: 6 bits a character
        assert code.path == f"/join/{code.token}"


def test_a_code_is_found_by_any_worker_with_the_secret(state: ExerciseState) -> None:
    code = join.code_for(state, SECRET, "team:bravo")
    assert join.find([state], SECRET, code.token) == ("ex-1", code.target)
    assert join.find([state], "another-secret", code.token) is None
    other = ExerciseState.new(make_scenario(), "ex-2")
    assert join.find([other], SECRET, code.token) is None  # codes are per exercise
    assert join.find([other, state], SECRET, code.token) == ("ex-1", code.target)


def test_wrong_or_mangled_tokens_match_nothing(state: ExerciseState) -> None:
    code = join.code_for(state, SECRET, "actor:driver")
    assert join.find([state], SECRET, "") is None
    assert join.find([state], SECRET, code.token[:-1]) is None
    assert join.find([state], SECRET, code.token + "A") is None
    flipped = ("B" if code.token[0] == "A" else "A") + code.token[1:]
    assert join.find([state], SECRET, flipped) is None


def test_reissuing_a_code_kills_the_old_one_and_only_that_one(state: ExerciseState) -> None:
    before = {c.target.key: c.token for c in join.codes(state, SECRET)}
    decision = commands.reissue_join(state, "director", "team:alpha")
    assert decision == JoinReissued(target="team:alpha", by="director")
    play(state, decision)
    after = {c.target.key: c.token for c in join.codes(state, SECRET)}
    assert after["team:alpha"] != before["team:alpha"]
    assert after["team:bravo"] == before["team:bravo"]
    assert join.find([state], SECRET, before["team:alpha"]) is None
    found = join.find([state], SECRET, after["team:alpha"])
    assert found is not None and found[1].key == "team:alpha"
    assert state.join_generations == {"team:alpha": 1}


@pytest.mark.parametrize(
    "target", ["team:nobody", "actor:nobody", "control", "alpha", "", "observer:x"]
)
def test_reissue_refuses_unknown_targets(state: ExerciseState, target: str) -> None:
    with pytest.raises(CommandRefused, match="No such team, actor role or observers"):
        commands.reissue_join(state, "director", target)


def test_the_fold_replays_reissues(state: ExerciseState) -> None:
    play(state, commands.reissue_join(state, "d", "actor:driver"))
    play(state, commands.reissue_join(state, "d", "actor:driver"))
    assert state.join_generations == {"actor:driver": 2}
    assert join.code_for(state, SECRET, "actor:driver").generation == 2
