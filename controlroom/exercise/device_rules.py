"""The rules of device events: a device joins, is renamed or revoked; a join link reissued.

Design: docs/devices.md. ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change.
"""

from __future__ import annotations

from controlroom.exercise.events import (
    DeviceJoined,
    DeviceRenamed,
    DeviceRevoked,
    Fact,
    JoinReissued,
)
from controlroom.exercise.lifecycles import DeviceMove
from controlroom.exercise.rule_checks import device_can, known_team
from controlroom.exercise.state import Commit, Device, ExerciseState, NotApplicable

DeviceEvent = DeviceJoined | DeviceRenamed | DeviceRevoked | JoinReissued


def plan(state: ExerciseState, payload: DeviceEvent) -> Commit:
    match payload:
        case DeviceJoined():
            return _device_joined(state, payload)
        case DeviceRenamed():
            device = device_can(state, payload.device, DeviceMove.RENAME)
            return lambda f: setattr(device, "name", payload.name)
        case DeviceRevoked():
            device = device_can(state, payload.device, DeviceMove.REVOKE)
            return lambda f: setattr(device, "revoked", True)
        case JoinReissued():
            return _join_reissued(state, payload)


def _device_joined(state: ExerciseState, payload: DeviceJoined) -> Commit:
    if payload.device in state.devices:
        raise NotApplicable(f"device {payload.device} has already joined")
    if (payload.team is None) == (payload.role is None):
        raise NotApplicable("a device joins one team or one actor role")
    known_team(state, payload.team)
    if payload.role is not None and payload.role not in {r.id for r in state.scenario.roles}:
        raise NotApplicable(f"unknown actor role {payload.role!r}")

    def commit(fact: Fact) -> None:
        state.devices[payload.device] = Device(
            payload.device, payload.name, fact.at, payload.team, payload.role
        )

    return commit


def _join_reissued(state: ExerciseState, payload: JoinReissued) -> Commit:
    kind, _, name = payload.target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    if kind not in ("team", "actor") or name not in known:
        raise NotApplicable(f"no join target {payload.target!r}")

    def commit(fact: Fact) -> None:
        state.join_generations[payload.target] = state.join_generations.get(payload.target, 0) + 1

    return commit
