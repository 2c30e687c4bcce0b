"""Commands: a director's (or a device's) wish, checked against state, turned into one event.

Design: docs/exercise.md. Each command is a pure function of the current state that returns
the typed payload of the event to append, ``None`` when there is nothing to do (idempotent
repeats, a device's action already applied), or raises ``CommandRefused`` with a code and
parameters (``controlroom.exercise.refusals``). The runtime checks the payload against the
state (``ExerciseState.plan``) and appends it with ``expect_seq`` so a command decided on stale
state is decided again, never applied twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import JsonValue, TypeAdapter, ValidationError

from controlroom.exercise.actions import repeated
from controlroom.exercise.command_support import MAX_TEXT, clean_text, inject_of
from controlroom.exercise.cue_commands import cue_status, mark_reveal
from controlroom.exercise.device_commands import (
    join_device,
    reissue_join,
    rename_device,
    revoke_device,
)
from controlroom.exercise.evaluation_commands import (
    RATINGS,
    Observed,
    add_note,
    add_observation,
    correct_observation,
    withdraw_observation,
)
from controlroom.exercise.events import (
    ClockEnded,
    ClockHeld,
    ClockJumped,
    ClockResumed,
    ClockStarted,
    InjectAcknowledged,
    InjectCancelled,
    InjectCreated,
    InjectDelivered,
    InjectEdited,
    InjectHeld,
    InjectReleased,
    InjectRescheduled,
    InjectUnheld,
    Payload,
    ReleaseReason,
    SpeedSet,
)
from controlroom.exercise.lifecycles import ClockMove, ClockPhase, ReleaseMove
from controlroom.exercise.pacing_commands import hold_team, resume_team, shift_team
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.reply_commands import answer_reply, send_reply
from controlroom.exercise.rules import EDITABLE
from controlroom.exercise.simcell_commands import (
    answer_request,
    assign_controller,
    claim_request,
    send_request,
)
from controlroom.exercise.state import ExerciseState, TeamRelease
from controlroom.exercise.tap_time import Tap, tapped_at
from controlroom.scenario.model import Inject
from controlroom.scenario.time import DAY, format_time

# The command surface: the cues', team pacing's, SimCell's, replies', evaluation's and
# devices' commands live in their own modules and are named here too, so a caller needs one
# import.
__all__ = [
    "EDITABLE",
    "MAX_TEXT",
    "RATINGS",
    "CommandRefused",
    "Decision",
    "Observed",
    "Refusal",
    "add_note",
    "add_observation",
    "answer_reply",
    "answer_request",
    "assign_controller",
    "claim_request",
    "correct_observation",
    "cue_status",
    "hold_team",
    "join_device",
    "mark_reveal",
    "reissue_join",
    "rename_device",
    "resume_team",
    "revoke_device",
    "send_reply",
    "send_request",
    "shift_team",
    "withdraw_observation",
]

Decision = Payload  # what a command decides: the payload of one event

MAX_SPEED = 60.0
_JSON_OBJECT = TypeAdapter(dict[str, JsonValue])
_CANNOT = {
    ReleaseMove.RELEASE: Refusal.CANNOT_RELEASE,
    ReleaseMove.HOLD: Refusal.CANNOT_HOLD,
    ReleaseMove.UNHOLD: Refusal.CANNOT_UNHOLD,
    ReleaseMove.RESCHEDULE: Refusal.CANNOT_RESCHEDULE,
    ReleaseMove.CANCEL: Refusal.CANNOT_CANCEL,
}


# -- the clock -------------------------------------------------------------------------------


def startex(state: ExerciseState, by: str, scenario_time: float | None = None) -> ClockStarted:
    if not state.clock.can(ClockMove.START):
        raise CommandRefused(Refusal.ALREADY_STARTED)
    start = state.scenario.start_seconds if scenario_time is None else scenario_time
    _check_time(state, start)
    return ClockStarted(scenario_time=start, by=by)


def hold(state: ExerciseState, by: str, reason: str, shift: bool = True) -> ClockHeld:
    if not state.clock.can(ClockMove.HOLD if shift else ClockMove.PAUSE):
        raise CommandRefused(Refusal.NOT_RUNNING)
    if not reason.strip():
        raise CommandRefused(Refusal.HOLD_NEEDS_REASON)
    return ClockHeld(reason=clean_text(reason), shift=shift, by=by)


def resume(state: ExerciseState, by: str) -> ClockResumed:
    if not state.clock.can(ClockMove.RESUME):
        raise CommandRefused(Refusal.NOT_ON_HOLD)
    return ClockResumed(by=by)


def set_speed(state: ExerciseState, by: str, speed: float) -> SpeedSet:
    if not state.clock.can(ClockMove.SPEED):
        raise CommandRefused(Refusal.ENDED)
    if not 0 < speed <= MAX_SPEED:
        raise CommandRefused(Refusal.BAD_SPEED, most=f"{MAX_SPEED:g}")
    return SpeedSet(speed=speed, by=by)


def jump(state: ExerciseState, by: str, scenario_time: float) -> ClockJumped:
    if not state.clock.can(ClockMove.JUMP):
        raise CommandRefused(Refusal.JUMP_NEEDS_RUNNING)
    _check_time(state, scenario_time)
    return ClockJumped(scenario_time=scenario_time, by=by)


def endex(state: ExerciseState, by: str) -> ClockEnded:
    if not state.clock.can(ClockMove.END):
        raise CommandRefused(Refusal.ENDEX_NEEDS_RUNNING)
    return ClockEnded(by=by)


# -- injects ---------------------------------------------------------------------------------


def release_due(state: ExerciseState, wall: float) -> InjectReleased | None:
    """The clock's command: release the first inject that has fallen due (to its due teams)."""
    for inject, teams in state.due_releases(wall).items():
        late = any(state.is_late(state.releases[inject, team], wall) for team in teams)
        due = min(state.releases[inject, team].due or 0.0 for team in teams)
        return InjectReleased(
            inject=inject,
            teams=tuple(teams),
            version=state.versions[inject],
            due=due,
            late=late,
            reason=ReleaseReason.SCHEDULE,
            by="clock",
        )
    return None


def release_now(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> InjectReleased:
    targets = _movable(state, inject, teams, ReleaseMove.RELEASE)
    if state.clock.phase is ClockPhase.ENDED:
        raise CommandRefused(Refusal.ENDED)
    return InjectReleased(
        inject=inject,
        teams=targets,
        version=state.versions[inject],
        due=None,
        late=False,
        reason=ReleaseReason.MANUAL,
        by=by,
    )


def hold_inject(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> InjectHeld:
    wanted = _wanted(state, inject, teams)
    targets = tuple(t for t in wanted if state.can(inject, t, ReleaseMove.HOLD))
    if not targets:
        if any(state.can(inject, t, ReleaseMove.UNHOLD) for t in wanted):
            raise CommandRefused(Refusal.ALREADY_HELD, inject=inject)
        raise CommandRefused(Refusal.CANNOT_HOLD, inject=inject)
    return InjectHeld(inject=inject, teams=targets, by=by)


def unhold_inject(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> InjectUnheld:
    wanted = _wanted(state, inject, teams)
    targets = tuple(t for t in wanted if state.can(inject, t, ReleaseMove.UNHOLD))
    if not targets:
        if any(state.can(inject, t, ReleaseMove.HOLD) for t in wanted):
            raise CommandRefused(Refusal.NOT_HELD, inject=inject)
        raise CommandRefused(Refusal.CANNOT_UNHOLD, inject=inject)
    return InjectUnheld(inject=inject, teams=targets, by=by)


def reschedule(
    state: ExerciseState,
    by: str,
    inject: str,
    scenario_time: float,
    teams: Sequence[str] | None = None,
) -> InjectRescheduled:
    _check_time(state, scenario_time)
    targets = _movable(state, inject, teams, ReleaseMove.RESCHEDULE)
    return InjectRescheduled(inject=inject, teams=targets, scenario_time=scenario_time, by=by)


def cancel(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> InjectCancelled:
    targets = _movable(state, inject, teams, ReleaseMove.CANCEL)
    return InjectCancelled(inject=inject, teams=targets, by=by)


def edit(state: ExerciseState, by: str, inject: str, changes: Mapping[str, object]) -> InjectEdited:
    """A new version of an inject's content; the earlier one stays in the journal."""
    current = inject_of(state, inject)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise CommandRefused(Refusal.NOT_EDITABLE, fields=tuple(sorted(unknown)))
    merged = current.model_dump(by_alias=True, exclude_none=True) | dict(changes)
    try:
        Inject.model_validate(merged)
        values = _JSON_OBJECT.validate_python(dict(changes))
    except ValidationError as error:
        raise _invalid(error) from error
    version = state.versions[inject] + 1
    languages = _updated_languages(state, current.model_dump(by_alias=True), values)
    return InjectEdited(inject=inject, version=version, changes=values, by=by, languages=languages)


TEAM_TEXTS = ("title", "from", "body")  # what teams read of an inject (notes are control's)


def _updated_languages(
    state: ExerciseState, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[str, ...]:
    """The scenario's languages whose team-visible text ``changes`` updates."""
    updated = []
    for language in state.scenario.languages:
        for name in TEAM_TEXTS:
            if name not in changes:
                continue
            old, new = current.get(name) or {}, changes[name] or {}
            if old.get(language) != new.get(language):
                updated.append(language)
                break
    return tuple(updated)


def create_inject(state: ExerciseState, by: str, data: Mapping[str, object]) -> InjectCreated:
    """An ad-hoc inject written during the exercise."""
    try:
        inject = Inject.model_validate(data)
    except ValidationError as error:
        raise _invalid(error) from error
    if inject.id in state.injects:
        raise CommandRefused(Refusal.INJECT_EXISTS, inject=inject.id)
    unknown = set(state.scenario.recipients(inject)) - set(state.scenario.team_ids)
    if unknown:
        raise CommandRefused(Refusal.UNKNOWN_TEAMS, teams=tuple(sorted(unknown)))
    roles = {role.id for role in state.scenario.roles}
    for cue in inject.cues:
        if cue.role not in roles:
            raise CommandRefused(Refusal.UNKNOWN_ROLE_NAMED, role=cue.role)
    if inject.at is not None:
        _check_time(state, inject.at_seconds or 0)
    return InjectCreated(inject=inject, by=by)


def delivered(
    state: ExerciseState, inject: str, team: str, device: str, action: str | None = None
) -> InjectDelivered | None:
    if repeated(state, device, action):
        return None
    release = _release_for_team(state, inject, team)
    if release.delivered_at is not None:
        return None
    return InjectDelivered(inject=inject, team=team, device=device, action=action)


def acknowledge(
    state: ExerciseState,
    inject: str,
    team: str,
    device: str,
    action: str | None = None,
    tap: Tap | None = None,
) -> InjectAcknowledged | None:
    """The team acknowledged ``inject``; ``tap``: when (not before the release it answers)."""
    if repeated(state, device, action):
        return None
    release = _release_for_team(state, inject, team)
    if release.acknowledged_at is not None:
        return None
    tapped = tapped_at(state, tap, device, release.released_at)
    return InjectAcknowledged(
        inject=inject, team=team, device=device, action=action, tapped_at=tapped
    )


# -- helpers ---------------------------------------------------------------------------------


def _wanted(state: ExerciseState, inject: str, teams: Sequence[str] | None) -> tuple[str, ...]:
    recipients = state.recipients(inject_of(state, inject).id)
    wanted = tuple(teams) if teams else tuple(recipients)
    strangers = tuple(sorted(set(wanted) - set(recipients)))
    if strangers:
        raise CommandRefused(Refusal.NOT_ADDRESSED, inject=inject, teams=strangers)
    return wanted


def _movable(
    state: ExerciseState, inject: str, teams: Sequence[str] | None, move: ReleaseMove
) -> tuple[str, ...]:
    targets = tuple(t for t in _wanted(state, inject, teams) if state.can(inject, t, move))
    if not targets:
        raise CommandRefused(_CANNOT[move], inject=inject)
    return targets


def _release_for_team(state: ExerciseState, inject: str, team: str) -> TeamRelease:
    release = state.releases.get((inject, team))
    if release is None or release.released_at is None:
        raise CommandRefused(Refusal.NOT_RELEASED_TO_TEAM, inject=inject)
    return release


def _check_time(state: ExerciseState, scenario_time: float) -> None:
    if not 0 <= scenario_time < state.scenario.days * DAY:
        raise CommandRefused(
            Refusal.OUTSIDE_EXERCISE,
            time=format_time(scenario_time) if math.isfinite(scenario_time) else str(scenario_time),
            last=f"D{state.scenario.days}",
        )


def _invalid(error: ValidationError) -> CommandRefused:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return CommandRefused(Refusal.INVALID_INJECT, field=where, problem=first["msg"])
