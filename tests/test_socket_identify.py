"""Who a socket is, from a session or a test token (controlroom.web.identify)."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.scenario.model import Scenario
from controlroom.web.identify import identity_from, make_test_token, token_serializer
from tests.support.server import marked_scenario


@pytest.fixture
def state() -> ExerciseState:
    state = ExerciseState.new(Scenario.model_validate(marked_scenario()), "ex")
    decisions = [
        commands.join_device(state, "tab-1", "Tab", team="t1"),
        commands.join_device(state, "tab-2", "Tab", role="r0"),
        commands.join_device(state, "tab-3", "Tab", team="t2"),
    ]
    for seq, decision in enumerate(decisions, start=1):
        state.apply(Event(seq, decision.TYPE, 1.0, decision.data()))
    revoked = commands.revoke_device(state, "d", "tab-3")
    assert revoked is not None
    state.apply(Event(4, revoked.TYPE, 1.0, revoked.data()))
    return state


@pytest.mark.parametrize(
    ("data", "audience"),
    [
        ({"kind": "user", "role": "director", "name": "dana"}, "control"),
        ({"kind": "user", "role": "controller", "name": "c", "exercise": "ex"}, "control"),
        ({"kind": "user", "role": "observer", "name": "o"}, "observer"),
        ({"kind": "user", "role": "team", "team": "t2", "name": "p"}, "team:t2"),
        ({"kind": "user", "role": "actor", "actor_role": "r1", "name": "a"}, "actor:r1"),
        (
            {"kind": "device", "role": "team", "team": "t1", "exercise": "ex", "device": "tab-1"},
            "team:t1",
        ),
        (
            {
                "kind": "device",
                "role": "actor",
                "actor_role": "r0",
                "exercise": "ex",
                "device": "tab-2",
            },
            "actor:r0",
        ),
    ],
)
def test_valid_identities(state: ExerciseState, data: dict[str, Any], audience: str) -> None:
    identity = identity_from(data, "ex", state)
    assert identity is not None and identity.audience == audience


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "user", "role": "admin"},
        {"kind": "robot", "role": "director"},
        {"kind": "user", "role": "director", "exercise": "other"},  # bound elsewhere
        {"kind": "user", "role": "team", "team": "t9"},  # no such team
        {"kind": "user", "role": "team"},
        {"kind": "user", "role": "actor", "actor_role": "nobody"},
        {"kind": "device", "role": "team", "team": "t1", "device": "tab-1"},  # no exercise
        {"kind": "device", "role": "team", "team": "t1", "exercise": "ex", "device": "tab-9"},
        {"kind": "device", "role": "team", "team": "t2", "exercise": "ex", "device": "tab-1"},
        {"kind": "device", "role": "team", "team": "t2", "exercise": "ex", "device": "tab-3"},
        {"kind": "device", "role": "director", "exercise": "ex", "device": "tab-1"},
        {
            "kind": "device",
            "role": "actor",
            "actor_role": "r1",
            "exercise": "ex",
            "device": "tab-2",
        },
    ],
)
def test_invalid_identities(state: ExerciseState, data: dict[str, Any]) -> None:
    assert identity_from(data, "ex", state) is None


def test_language_falls_back_to_the_default(state: ExerciseState) -> None:
    data = {"kind": "user", "role": "observer", "name": "o", "language": "xx"}
    identity = identity_from(data, "ex", state)
    assert identity is not None and identity.language == "en"
    data["language"] = "ru"
    identity = identity_from(data, "ex", state)
    assert identity is not None and identity.language == "ru"


def test_test_tokens_are_signed() -> None:
    token = make_test_token("secret", {"kind": "user", "role": "director"})
    assert token_serializer("secret").loads(token) == {"kind": "user", "role": "director"}
    with pytest.raises(Exception):  # noqa: B017 - itsdangerous.BadSignature
        token_serializer("other").loads(token)
