"""Device commands: a tablet joins a team, an actor role or as an observer; renamed, revoked.

Design: docs/devices.md. Pure functions of the state, as in ``commands``.
"""

from __future__ import annotations

from controlroom.exercise.command_support import clean_text, device_of
from controlroom.exercise.device_rules import is_join_target
from controlroom.exercise.events import DeviceJoined, DeviceRenamed, DeviceRevoked, JoinReissued
from controlroom.exercise.lifecycles import DeviceMove
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState


def join_device(
    state: ExerciseState,
    device: str,
    name: str,
    *,
    team: str | None = None,
    role: str | None = None,
    observer: bool = False,
) -> DeviceJoined:
    if [team is not None, role is not None, observer].count(True) != 1:
        raise CommandRefused(Refusal.ONE_TARGET)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if role is not None and role not in {r.id for r in state.scenario.roles}:
        raise CommandRefused(Refusal.UNKNOWN_ROLE)
    if device in state.devices:
        raise CommandRefused(Refusal.ALREADY_JOINED)
    return DeviceJoined(
        device=device, name=clean_text(name)[:80], team=team, role=role, observer=observer
    )


def rename_device(state: ExerciseState, device: str, name: str) -> DeviceRenamed:
    if not device_of(state, device).can(DeviceMove.RENAME):
        raise CommandRefused(Refusal.DEVICE_REVOKED)
    return DeviceRenamed(device=device, name=clean_text(name)[:80])


def revoke_device(state: ExerciseState, by: str, device: str) -> DeviceRevoked | None:
    if not device_of(state, device).can(DeviceMove.REVOKE):
        return None
    return DeviceRevoked(device=device, by=by)


def reissue_join(state: ExerciseState, by: str, target: str) -> JoinReissued:
    """A new join link for a team (``team:<id>``), an actor role (``actor:<id>``) or the
    observers' tablets (``observer``)."""
    if not is_join_target(state, target):
        raise CommandRefused(Refusal.NO_SUCH_TARGET)
    return JoinReissued(target=target, by=by)
