"""Device commands: a tablet joins a team or an actor role, is renamed or revoked; new links.

Design: docs/devices.md. Pure functions of the state, as in ``commands``.
"""

from __future__ import annotations

from controlroom.exercise.command_support import clean_text, device_of
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
) -> DeviceJoined:
    if (team is None) == (role is None):
        raise CommandRefused(Refusal.ONE_TARGET)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if role is not None and role not in {r.id for r in state.scenario.roles}:
        raise CommandRefused(Refusal.UNKNOWN_ROLE)
    if device in state.devices:
        raise CommandRefused(Refusal.ALREADY_JOINED)
    return DeviceJoined(device=device, name=clean_text(name)[:80], team=team, role=role)


def rename_device(state: ExerciseState, device: str, name: str) -> DeviceRenamed:
    if not device_of(state, device).can(DeviceMove.RENAME):
        raise CommandRefused(Refusal.DEVICE_REVOKED)
    return DeviceRenamed(device=device, name=clean_text(name)[:80])


def revoke_device(state: ExerciseState, by: str, device: str) -> DeviceRevoked | None:
    if not device_of(state, device).can(DeviceMove.REVOKE):
        return None
    return DeviceRevoked(device=device, by=by)


def reissue_join(state: ExerciseState, by: str, target: str) -> JoinReissued:
    """A new join link for a team (``team:<id>``) or an actor role (``actor:<id>``)."""
    kind, _, name = target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    if kind not in ("team", "actor") or name not in known:
        raise CommandRefused(Refusal.NO_SUCH_TARGET)
    return JoinReissued(target=target, by=by)
