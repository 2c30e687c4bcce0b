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
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import JsonValue, TypeAdapter, ValidationError

from controlroom.exercise.actions import repeated
from controlroom.exercise.events import (
    ClockEnded,
    ClockHeld,
    ClockJumped,
    ClockResumed,
    ClockStarted,
    ControllerAssigned,
    CueReported,
    DeviceJoined,
    DeviceRenamed,
    DeviceRevoked,
    InjectAcknowledged,
    InjectCancelled,
    InjectCreated,
    InjectDelivered,
    InjectEdited,
    InjectHeld,
    InjectReleased,
    InjectRescheduled,
    InjectUnheld,
    JoinReissued,
    NoteAdded,
    ObservationAdded,
    Payload,
    Rating,
    ReleaseReason,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    SpeedSet,
)
from controlroom.exercise.lifecycles import (
    CUE,
    REPORTABLE,
    ClockMove,
    ClockPhase,
    CueStatus,
    DeviceMove,
    ReleaseMove,
    RequestMove,
)
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.rules import EDITABLE
from controlroom.exercise.state import Device, ExerciseState, Request, TeamRelease
from controlroom.scenario.model import Attachment, Channel, Inject
from controlroom.scenario.time import DAY, format_time

__all__ = ["EDITABLE", "CommandRefused", "Decision", "Refusal"]

Decision = Payload  # what a command decides: the payload of one event

MAX_SPEED = 60.0
MAX_TEXT = 10_000
_JSON_OBJECT = TypeAdapter(dict[str, JsonValue])
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
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
    return ClockHeld(reason=_text(reason), shift=shift, by=by)


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
    current = _inject(state, inject)
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
    state: ExerciseState, inject: str, team: str, device: str, action: str | None = None
) -> InjectAcknowledged | None:
    if repeated(state, device, action):
        return None
    release = _release_for_team(state, inject, team)
    if release.acknowledged_at is not None:
        return None
    return InjectAcknowledged(inject=inject, team=team, device=device, action=action)


# -- actors, the SimCell, the log -------------------------------------------------------------


def cue_status(
    state: ExerciseState,
    role: str,
    cue: str,
    status: str,
    device: str,
    action: str | None = None,
) -> CueReported | None:
    if repeated(state, device, action):
        return None
    current = state.cues.get(cue)
    if current is None or current.role != role:
        raise CommandRefused(Refusal.NO_CUE)
    try:
        new = CueStatus(status)
    except ValueError:
        raise CommandRefused(Refusal.BAD_CUE_STATUS) from None
    if new not in REPORTABLE:
        raise CommandRefused(Refusal.BAD_CUE_STATUS)
    if new is current.status:
        return None
    if not CUE.can(current.status, new):
        raise CommandRefused(Refusal.BAD_CUE_STATUS)
    return CueReported(cue=cue, role=role, status=new, device=device, action=action)


def send_request(
    state: ExerciseState,
    team: str,
    device: str,
    kind: str | None,
    text: str,
    action: str | None = None,
) -> RequestSent | None:
    if repeated(state, device, action):
        return None
    if team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if kind is not None and kind not in {r.id for r in state.scenario.requests}:
        raise CommandRefused(Refusal.UNKNOWN_REQUEST_KIND)
    if kind is None and not text.strip():
        raise CommandRefused(Refusal.EMPTY_REQUEST)
    number = len(state.requests) + 1
    while f"R{number:03d}" in state.requests:
        number += 1
    return RequestSent(
        request=f"R{number:03d}",
        team=team,
        kind=kind,
        text=_text(text),
        device=device,
        action=action,
    )


def claim_request(
    state: ExerciseState, by: str, request: str, *, take_over: bool = False
) -> RequestClaimed | None:
    """Claim a request; one another controller holds is only taken over on purpose."""
    current = _request(state, request)
    if not current.can(RequestMove.CLAIM):
        raise CommandRefused(Refusal.REQUEST_ANSWERED, request=request)
    if current.claimed_by == by:
        return None
    if current.claimed_by is not None and not take_over:
        raise CommandRefused(Refusal.REQUEST_CLAIMED, request=request, name=current.claimed_by)
    return RequestClaimed(request=request, by=by, took_over_from=current.claimed_by)


def answer_request(
    state: ExerciseState,
    by: str,
    request: str,
    *,
    answer: str | None = None,
    text: str | None = None,
    language: str | None = None,
    sender: str | None = None,
    confirmed: bool = False,
) -> RequestAnswered:
    """Answer as the outside world: from the request type's sender, on its channel.

    A request another controller has claimed must be taken over first; a prepared answer
    marked consequential needs ``confirmed``. With a least delay on the request type, the
    answer is due that much scenario time after the request was sent.
    """
    current = _request(state, request)
    if not current.can(RequestMove.ANSWER):
        raise CommandRefused(Refusal.REQUEST_ANSWERED, request=request)
    if current.claimed_by is not None and current.claimed_by != by:
        raise CommandRefused(Refusal.REQUEST_CLAIMED, request=request, name=current.claimed_by)
    kind = next((r for r in state.scenario.requests if r.id == current.kind), None)
    written = language or state.scenario.original_language
    if not _LANG.fullmatch(written):
        raise CommandRefused(Refusal.BAD_LANGUAGE)
    attachments: tuple[Attachment, ...] = ()
    declared = kind.sender if kind is not None else None
    if answer is not None:
        prepared = next((a for a in (kind.answers if kind else []) if a.id == answer), None)
        if prepared is None:
            raise CommandRefused(Refusal.NO_ANSWER)
        if prepared.consequential and not confirmed:
            raise CommandRefused(Refusal.CONFIRM_ANSWER, answer=answer)
        body = dict(prepared.text)
        attachments = tuple(prepared.attachments)
        declared = prepared.sender or declared
    elif text is not None and text.strip():
        body = {written: _text(text)}
    else:
        raise CommandRefused(Refusal.EMPTY_ANSWER)
    title = dict(kind.title) if kind else {lang: current.text[:80] or current.id for lang in body}
    if declared:
        who = dict(declared)
    elif sender is not None and sender.strip():
        who = {lang: _text(sender)[:200] for lang in title}
    elif kind is not None:
        who = dict(kind.title)
    else:
        raise CommandRefused(Refusal.NO_SENDER)
    due = None
    if kind is not None and kind.delay_seconds > 0 and current.sent_scenario is not None:
        due = current.sent_scenario + kind.delay_seconds
    return RequestAnswered(
        request=request,
        answer=answer,
        text=body,
        title=title,
        sender=who,
        channel=kind.channel if kind is not None else Channel.SIMCELL_ANSWER,
        attachments=attachments,
        due=due,
        by=by,
    )


def assign_controller(
    state: ExerciseState,
    by: str,
    controller: str,
    teams: Sequence[str] = (),
    cases: Sequence[str] = (),
) -> ControllerAssigned | None:
    """Give a controller teams and/or cases (none: unassigned); None if nothing changes."""
    if not 0 < len(controller) <= 64:
        raise CommandRefused(Refusal.NO_CONTROLLER)
    if any(team not in state.scenario.team_ids for team in teams):
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if any(case not in {c.id for c in state.scenario.cases} for case in cases):
        raise CommandRefused(Refusal.UNKNOWN_CASE)
    mine = (tuple(dict.fromkeys(teams)), tuple(dict.fromkeys(cases)))
    current = state.assignments.get(controller)
    if ((current.teams, current.cases) if current else ((), ())) == mine:
        return None
    return ControllerAssigned(controller=controller, teams=mine[0], cases=mine[1], by=by)


def add_note(
    state: ExerciseState, by: str, text: str, team: str | None = None, inject: str | None = None
) -> NoteAdded:
    if not text.strip():
        raise CommandRefused(Refusal.EMPTY_NOTE)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if inject is not None:
        _inject(state, inject)
    return NoteAdded(text=_text(text), by=by, team=team, inject=inject)


RATINGS = tuple(r.value for r in Rating)


def add_observation(
    state: ExerciseState,
    by: str,
    text: str,
    objective: str,
    *,
    task: str | None = None,
    rating: str | None = None,
    team: str | None = None,
) -> ObservationAdded:
    target = next((o for o in state.scenario.objectives if o.id == objective), None)
    if target is None:
        raise CommandRefused(Refusal.UNKNOWN_OBJECTIVE)
    if task is not None and task not in {t.id for t in target.tasks}:
        raise CommandRefused(Refusal.UNKNOWN_TASK)
    if rating is not None and rating not in RATINGS:
        raise CommandRefused(Refusal.BAD_RATING)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    return ObservationAdded(
        text=_text(text),
        by=by,
        objective=objective,
        task=task,
        rating=None if rating is None else Rating(rating),
        team=team,
    )


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
    return DeviceJoined(device=device, name=_text(name)[:80], team=team, role=role)


def rename_device(state: ExerciseState, device: str, name: str) -> DeviceRenamed:
    if not _device(state, device).can(DeviceMove.RENAME):
        raise CommandRefused(Refusal.DEVICE_REVOKED)
    return DeviceRenamed(device=device, name=_text(name)[:80])


def revoke_device(state: ExerciseState, by: str, device: str) -> DeviceRevoked | None:
    if not _device(state, device).can(DeviceMove.REVOKE):
        return None
    return DeviceRevoked(device=device, by=by)


def reissue_join(state: ExerciseState, by: str, target: str) -> JoinReissued:
    """A new join link for a team (``team:<id>``) or an actor role (``actor:<id>``)."""
    kind, _, name = target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    if kind not in ("team", "actor") or name not in known:
        raise CommandRefused(Refusal.NO_SUCH_TARGET)
    return JoinReissued(target=target, by=by)


# -- helpers ---------------------------------------------------------------------------------


def _inject(state: ExerciseState, inject: str) -> Inject:
    try:
        return state.injects[inject]
    except KeyError:
        raise CommandRefused(Refusal.NO_INJECT, inject=inject) from None


def _wanted(state: ExerciseState, inject: str, teams: Sequence[str] | None) -> tuple[str, ...]:
    recipients = state.recipients(_inject(state, inject).id)
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


def _request(state: ExerciseState, request: str) -> Request:
    try:
        return state.requests[request]
    except KeyError:
        raise CommandRefused(Refusal.NO_REQUEST, request=request) from None


def _device(state: ExerciseState, device: str) -> Device:
    try:
        return state.devices[device]
    except KeyError:
        raise CommandRefused(Refusal.NO_DEVICE) from None


def _check_time(state: ExerciseState, scenario_time: float) -> None:
    if not 0 <= scenario_time < state.scenario.days * DAY:
        raise CommandRefused(
            Refusal.OUTSIDE_EXERCISE,
            time=format_time(scenario_time) if math.isfinite(scenario_time) else str(scenario_time),
            last=f"D{state.scenario.days}",
        )


def _text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise CommandRefused(Refusal.TOO_LONG, most=MAX_TEXT)
    return cleaned


def _invalid(error: ValidationError) -> CommandRefused:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return CommandRefused(Refusal.INVALID_INJECT, field=where, problem=first["msg"])
