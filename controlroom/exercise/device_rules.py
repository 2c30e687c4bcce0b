"""The rules of device events: a device joins, is renamed or revoked; a join link reissued.

Design: docs/devices.md. A device joins a team, an actor role or as an observer. ``plan``
is the rules' part for these events (controlroom/exercise/rules.py): it checks every
precondition, then returns the change.
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

OBSERVER_TARGET = "observer"  # the join target (and audience) of observers' tablets
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
    if [payload.team is not None, payload.role is not None, payload.observer].count(True) != 1:
        raise NotApplicable("a device joins one team, one actor role or as an observer")
    known_team(state, payload.team)
    if payload.role is not None and payload.role not in {r.id for r in state.scenario.roles}:
        raise NotApplicable(f"unknown actor role {payload.role!r}")

    def commit(fact: Fact) -> None:
        state.devices[payload.device] = Device(
            payload.device,
            payload.name,
            fact.at,
            payload.team,
            payload.role,
            observer=payload.observer,
        )

    return commit


def is_join_target(state: ExerciseState, target: str) -> bool:
    """``team:<id>``, ``actor:<role>`` of the scenario, or ``observer``."""
    if target == OBSERVER_TARGET:
        return True
    kind, _, name = target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    return kind in ("team", "actor") and name in known


def _join_reissued(state: ExerciseState, payload: JoinReissued) -> Commit:
    if not is_join_target(state, payload.target):
        raise NotApplicable(f"no join target {payload.target!r}")

    def commit(fact: Fact) -> None:
        state.join_generations[payload.target] = state.join_generations.get(payload.target, 0) + 1

    return commit
