"""Join tokens: the secret in a team's or an actor role's QR code. Design: docs/devices.md.

A token is ``HMAC-SHA256(secret, exercise | target | generation)`` cut to 160 bits and
written in URL-safe base64: random to anyone without the server's secret key, yet every
worker can compute and check it without shared storage. ``target`` is the audience the
device joins (``team:<id>``, ``actor:<role id>``, or ``observer`` for observers' tablets).
Re-issuing a code appends a ``join.reissued`` event that bumps the target's generation, so
the old token stops matching everywhere at once; devices that already joined keep their own
sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from controlroom.exercise.state import ExerciseState

TOKEN_BYTES = 20  # 160 bits
TOKEN_LENGTH = 27  # base64 characters for TOKEN_BYTES, without padding
_DOMAIN = b"controlroom/join/v1"

TargetKind = Literal["team", "actor", "observer"]
OBSERVERS_NAME = {"en": "Observers", "ru": "Наблюдатели"}  # the observers' join link


@dataclass(frozen=True, slots=True)
class JoinTarget:
    """What a join code binds a device to: one team, one actor role, or the observers."""

    kind: TargetKind
    id: str
    name: Mapping[str, str]  # the team's name, or the role's character

    @property
    def key(self) -> str:
        """``team:<id>``, ``actor:<id>`` or ``observer``: the audience the device joins."""
        return self.kind if self.kind == "observer" else f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class JoinCode:
    target: JoinTarget
    generation: int
    token: str

    @property
    def path(self) -> str:
        return f"/join/{self.token}"


def targets(state: ExerciseState) -> list[JoinTarget]:
    """Every team, then every actor role, in scenario order, then the observers."""
    scenario = state.scenario
    teams = [JoinTarget("team", t.id, t.name) for t in scenario.teams]
    roles = [JoinTarget("actor", r.id, r.character) for r in scenario.roles]
    return [*teams, *roles, JoinTarget("observer", "", OBSERVERS_NAME)]


def token(secret: str, exercise: str, target: str, generation: int) -> str:
    message = b"\0".join([_DOMAIN, exercise.encode(), target.encode(), str(generation).encode()])
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def codes(state: ExerciseState, secret: str) -> list[JoinCode]:
    """The current join code of every team and actor role of an exercise."""
    found = []
    for target in targets(state):
        generation = state.join_generations.get(target.key, 0)
        found.append(
            JoinCode(target, generation, token(secret, state.exercise_id, target.key, generation))
        )
    return found


def code_for(state: ExerciseState, secret: str, target_key: str) -> JoinCode:
    for code in codes(state, secret):
        if code.target.key == target_key:
            return code
    raise KeyError(target_key)


def find(states: Iterable[ExerciseState], secret: str, given: str) -> tuple[str, JoinTarget] | None:
    """The exercise and target a token joins, if it is a current code of one of ``states``.

    Every candidate is compared in constant time; an old generation never matches.
    """
    if len(given) != TOKEN_LENGTH:
        return None
    match: tuple[str, JoinTarget] | None = None
    for state in states:
        for code in codes(state, secret):
            if hmac.compare_digest(code.token.encode(), given.encode()):
                match = (state.exercise_id, code.target)
    return match
