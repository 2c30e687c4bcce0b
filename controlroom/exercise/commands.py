"""Commands: a director's (or a device's) wish, checked against state, turned into one event.

Design: docs/exercise.md. Each command is a pure function of the current state that returns
the event to append, ``None`` when there is nothing to do (idempotent repeats), or raises
``CommandRefused`` with a message fit to show the user. The runtime appends the event with
``expect_seq`` so a command decided on stale state is decided again, never applied twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from controlroom.exercise.actions import repeated, with_action
from controlroom.exercise.events import EventType
from controlroom.exercise.scenario_clock import ClockPhase
from controlroom.exercise.state import CueStatus, ExerciseState, ReleaseStatus
from controlroom.scenario.model import Inject
from controlroom.scenario.time import DAY, format_time

Decision = tuple[EventType, dict[str, Any]]

MAX_SPEED = 60.0
MAX_TEXT = 10_000
EDITABLE = frozenset(
    {
        "title",
        "body",
        "from",
        "channel",
        "attachments",
        "expected_actions",
        "notes",
        "objectives",
        "controller",
        "cues",
    }
)
UNRELEASED = frozenset({ReleaseStatus.PLANNED, ReleaseStatus.SCHEDULED, ReleaseStatus.HELD})


class CommandRefused(Exception):
    """The command does not fit the exercise's current state; the message says why."""


# -- the clock -------------------------------------------------------------------------------


def startex(state: ExerciseState, by: str, scenario_time: float | None = None) -> Decision:
    if state.clock.phase is not ClockPhase.PLANNED:
        raise CommandRefused("The exercise has already started (STARTEX was given).")
    start = state.scenario.start_seconds if scenario_time is None else scenario_time
    _check_time(state, start)
    return EventType.STARTED, {"scenario_time": start, "by": by}


def hold(state: ExerciseState, by: str, reason: str, shift: bool = True) -> Decision:
    if state.clock.phase is not ClockPhase.RUNNING or state.clock.releases_paused:
        raise CommandRefused("Only a running exercise can be held.")
    if not reason.strip():
        raise CommandRefused("Give a reason for the hold: it goes into the exercise log.")
    return EventType.HELD, {"reason": _text(reason), "shift": shift, "by": by}


def resume(state: ExerciseState, by: str) -> Decision:
    if state.clock.phase is not ClockPhase.HELD and not state.clock.releases_paused:
        raise CommandRefused("The exercise is not on hold.")
    return EventType.RESUMED, {"by": by}


def set_speed(state: ExerciseState, by: str, speed: float) -> Decision:
    if state.clock.phase is ClockPhase.ENDED:
        raise CommandRefused("The exercise has ended (ENDEX).")
    if not 0 < speed <= MAX_SPEED:
        raise CommandRefused(f"Speed must be above 0 and at most {MAX_SPEED:g}.")
    return EventType.SPEED_SET, {"speed": speed, "by": by}


def jump(state: ExerciseState, by: str, scenario_time: float) -> Decision:
    if state.clock.phase in (ClockPhase.PLANNED, ClockPhase.ENDED):
        raise CommandRefused("The clock can only jump between STARTEX and ENDEX.")
    _check_time(state, scenario_time)
    return EventType.JUMPED, {"scenario_time": scenario_time, "by": by}


def endex(state: ExerciseState, by: str) -> Decision:
    if state.clock.phase in (ClockPhase.PLANNED, ClockPhase.ENDED):
        raise CommandRefused("ENDEX needs a running or held exercise.")
    return EventType.ENDED, {"by": by}


# -- injects ---------------------------------------------------------------------------------


def release_due(state: ExerciseState, wall: float) -> Decision | None:
    """The clock's command: release the first inject that has fallen due (to its due teams)."""
    for inject, teams in state.due_releases(wall).items():
        late = any(state.is_late(state.releases[inject, team], wall) for team in teams)
        due = min(state.releases[inject, team].due or 0.0 for team in teams)
        return EventType.INJECT_RELEASED, {
            "inject": inject,
            "teams": teams,
            "version": state.versions[inject],
            "due": due,
            "late": late,
            "reason": "schedule",
            "by": "clock",
        }
    return None


def release_now(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> Decision:
    targets = _unreleased(state, inject, teams, "released")
    if state.clock.phase is ClockPhase.ENDED:
        raise CommandRefused("The exercise has ended (ENDEX).")
    return EventType.INJECT_RELEASED, {
        "inject": inject,
        "teams": targets,
        "version": state.versions[inject],
        "due": None,
        "late": False,
        "reason": "manual",
        "by": by,
    }


def hold_inject(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> Decision:
    targets = [
        t for t in _unreleased(state, inject, teams, "held") if not state.releases[inject, t].held
    ]
    if not targets:
        raise CommandRefused(f"Inject {inject} is already held.")
    return EventType.INJECT_HELD, {"inject": inject, "teams": targets, "by": by}


def unhold_inject(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> Decision:
    targets = [
        t for t in _unreleased(state, inject, teams, "resumed") if state.releases[inject, t].held
    ]
    if not targets:
        raise CommandRefused(f"Inject {inject} is not held.")
    return EventType.INJECT_UNHELD, {"inject": inject, "teams": targets, "by": by}


def reschedule(
    state: ExerciseState,
    by: str,
    inject: str,
    scenario_time: float,
    teams: Sequence[str] | None = None,
) -> Decision:
    _check_time(state, scenario_time)
    targets = _unreleased(state, inject, teams, "rescheduled")
    return EventType.INJECT_RESCHEDULED, {
        "inject": inject,
        "teams": targets,
        "scenario_time": scenario_time,
        "by": by,
    }


def cancel(
    state: ExerciseState, by: str, inject: str, teams: Sequence[str] | None = None
) -> Decision:
    targets = _unreleased(state, inject, teams, "cancelled")
    return EventType.INJECT_CANCELLED, {"inject": inject, "teams": targets, "by": by}


def edit(state: ExerciseState, by: str, inject: str, changes: Mapping[str, Any]) -> Decision:
    """A new version of an inject's content; the earlier one stays in the journal."""
    current = _inject(state, inject)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise CommandRefused(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    merged = current.model_dump(by_alias=True, exclude_none=True) | dict(changes)
    try:
        Inject.model_validate(merged)
    except ValidationError as error:
        raise CommandRefused(_first_error(error)) from error
    return EventType.INJECT_EDITED, {
        "inject": inject,
        "version": state.versions[inject] + 1,
        "changes": dict(changes),
        "by": by,
    }


def create_inject(state: ExerciseState, by: str, data: Mapping[str, Any]) -> Decision:
    """An ad-hoc inject written during the exercise."""
    try:
        inject = Inject.model_validate(data)
    except ValidationError as error:
        raise CommandRefused(_first_error(error)) from error
    if inject.id in state.injects:
        raise CommandRefused(f"An inject with id {inject.id} already exists.")
    unknown = set(state.scenario.recipients(inject)) - set(state.scenario.team_ids)
    if unknown:
        raise CommandRefused(f"Unknown team: {', '.join(sorted(unknown))}.")
    roles = {role.id for role in state.scenario.roles}
    for cue in inject.cues:
        if cue.role not in roles:
            raise CommandRefused(f"Unknown actor role: {cue.role}.")
    if inject.at is not None:
        _check_time(state, inject.at_seconds or 0)
    return EventType.INJECT_CREATED, {
        "inject": inject.model_dump(by_alias=True, exclude_none=True),
        "by": by,
    }


def delivered(
    state: ExerciseState, inject: str, team: str, device: str, *, action: str | None = None
) -> Decision | None:
    if repeated(state, device, action):
        return None
    release = _release_for_team(state, inject, team)
    if release.delivered_at is not None:
        return None
    data = {"inject": inject, "team": team, "device": device}
    return EventType.INJECT_DELIVERED, with_action(data, action)


def acknowledge(
    state: ExerciseState, inject: str, team: str, device: str, *, action: str | None = None
) -> Decision | None:
    if repeated(state, device, action):
        return None
    release = _release_for_team(state, inject, team)
    if release.acknowledged_at is not None:
        return None
    data = {"inject": inject, "team": team, "device": device}
    return EventType.INJECT_ACKNOWLEDGED, with_action(data, action)


# -- actors, the SimCell, the log -------------------------------------------------------------


def cue_status(
    state: ExerciseState,
    role: str,
    cue: str,
    status: str,
    device: str,
    *,
    action: str | None = None,
) -> Decision | None:
    if repeated(state, device, action):
        return None
    current = state.cues.get(cue)
    if current is None or current.role != role:
        raise CommandRefused("No such cue for this role.")
    try:
        new = CueStatus(status)
    except ValueError as error:
        raise CommandRefused(f"Unknown cue status {status!r}.") from error
    if new is current.status:
        return None
    data = {"cue": cue, "role": role, "status": new.value, "device": device}
    return EventType.CUE_STATUS, with_action(data, action)


def send_request(
    state: ExerciseState,
    team: str,
    device: str,
    kind: str | None,
    text: str,
    *,
    action: str | None = None,
) -> Decision | None:
    if repeated(state, device, action):
        return None
    if team not in state.scenario.team_ids:
        raise CommandRefused("Unknown team.")
    if kind is not None and kind not in {r.id for r in state.scenario.requests}:
        raise CommandRefused("Unknown request type.")
    if kind is None and not text.strip():
        raise CommandRefused("Write what you ask for, or pick a request from the list.")
    request = f"R{len(state.requests) + 1:03d}"
    data = {"request": request, "team": team, "kind": kind, "text": _text(text), "device": device}
    return EventType.REQUEST_SENT, with_action(data, action)


def claim_request(state: ExerciseState, by: str, request: str) -> Decision | None:
    current = _request(state, request)
    if current.answered_at is not None:
        raise CommandRefused(f"Request {request} has already been answered.")
    if current.claimed_by == by:
        return None
    return EventType.REQUEST_CLAIMED, {"request": request, "by": by}


def answer_request(
    state: ExerciseState,
    by: str,
    request: str,
    *,
    answer: str | None = None,
    text: str | None = None,
    language: str | None = None,
) -> Decision:
    current = _request(state, request)
    if current.answered_at is not None:
        raise CommandRefused(f"Request {request} has already been answered.")
    kind = next((r for r in state.scenario.requests if r.id == current.kind), None)
    if answer is not None:
        prepared = next((a for a in (kind.answers if kind else []) if a.id == answer), None)
        if prepared is None:
            raise CommandRefused("No such prepared answer for this request.")
        body = dict(prepared.text)
    elif text is not None and text.strip():
        body = {language or state.scenario.original_language: _text(text)}
    else:
        raise CommandRefused("Pick a prepared answer or write one.")
    title = dict(kind.title) if kind else {lang: current.text[:80] for lang in body}
    return EventType.REQUEST_ANSWERED, {
        "request": request,
        "answer": answer,
        "text": body,
        "title": title,
        "by": by,
    }


def add_note(
    state: ExerciseState, by: str, text: str, team: str | None = None, inject: str | None = None
) -> Decision:
    if not text.strip():
        raise CommandRefused("The note is empty.")
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused("Unknown team.")
    if inject is not None:
        _inject(state, inject)
    return EventType.NOTE_ADDED, {"text": _text(text), "by": by, "team": team, "inject": inject}


RATINGS = ("P", "S", "M", "U")


def add_observation(
    state: ExerciseState,
    by: str,
    text: str,
    objective: str,
    *,
    task: str | None = None,
    rating: str | None = None,
    team: str | None = None,
) -> Decision:
    target = next((o for o in state.scenario.objectives if o.id == objective), None)
    if target is None:
        raise CommandRefused("Unknown objective.")
    if task is not None and task not in {t.id for t in target.tasks}:
        raise CommandRefused("Unknown task for this objective.")
    if rating is not None and rating not in RATINGS:
        raise CommandRefused("A rating is one of P, S, M, U.")
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused("Unknown team.")
    return EventType.OBSERVATION_ADDED, {
        "text": _text(text),
        "by": by,
        "objective": objective,
        "task": task,
        "rating": rating,
        "team": team,
    }


def join_device(
    state: ExerciseState,
    device: str,
    name: str,
    *,
    team: str | None = None,
    role: str | None = None,
) -> Decision:
    if (team is None) == (role is None):
        raise CommandRefused("A device joins one team or one actor role.")
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused("Unknown team.")
    if role is not None and role not in {r.id for r in state.scenario.roles}:
        raise CommandRefused("Unknown actor role.")
    if device in state.devices:
        raise CommandRefused("This device has already joined.")
    return EventType.DEVICE_JOINED, {
        "device": device,
        "name": _text(name)[:80],
        "team": team,
        "role": role,
    }


def rename_device(state: ExerciseState, device: str, name: str) -> Decision:
    _device(state, device)
    return EventType.DEVICE_RENAMED, {"device": device, "name": _text(name)[:80]}


def revoke_device(state: ExerciseState, by: str, device: str) -> Decision | None:
    if _device(state, device).revoked:
        return None
    return EventType.DEVICE_REVOKED, {"device": device, "by": by}


def reissue_join(state: ExerciseState, by: str, target: str) -> Decision:
    """A new join link for a team (``team:<id>``) or an actor role (``actor:<id>``)."""
    kind, _, name = target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    if kind not in ("team", "actor") or name not in known:
        raise CommandRefused("No such team or actor role.")
    return EventType.JOIN_REISSUED, {"target": target, "by": by}


# -- helpers ---------------------------------------------------------------------------------


def _inject(state: ExerciseState, inject: str) -> Inject:
    try:
        return state.injects[inject]
    except KeyError:
        raise CommandRefused(f"No inject {inject}.") from None


def _unreleased(
    state: ExerciseState, inject: str, teams: Sequence[str] | None, verb: str
) -> list[str]:
    recipients = state.recipients(_inject(state, inject).id)
    wanted = list(teams) if teams else recipients
    strangers = sorted(set(wanted) - set(recipients))
    if strangers:
        raise CommandRefused(f"Inject {inject} is not addressed to {', '.join(strangers)}.")
    targets = [t for t in wanted if state.status(inject, t) in UNRELEASED]
    if not targets:
        raise CommandRefused(
            f"Inject {inject} cannot be {verb}: it is released or cancelled for those teams."
        )
    return targets


def _release_for_team(state: ExerciseState, inject: str, team: str) -> Any:
    release = state.releases.get((inject, team))
    if release is None or release.released_at is None:
        raise CommandRefused(f"Inject {inject} has not been released to this team.")
    return release


def _request(state: ExerciseState, request: str) -> Any:
    try:
        return state.requests[request]
    except KeyError:
        raise CommandRefused(f"No request {request}.") from None


def _device(state: ExerciseState, device: str) -> Any:
    try:
        return state.devices[device]
    except KeyError:
        raise CommandRefused("No such device.") from None


def _check_time(state: ExerciseState, scenario_time: float) -> None:
    if not 0 <= scenario_time < state.scenario.days * DAY:
        raise CommandRefused(
            f"{format_time(scenario_time)} is outside the exercise "
            f"(D1 00:00 to D{state.scenario.days} 23:59)."
        )


def _text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise CommandRefused(f"The text is too long (at most {MAX_TEXT} characters).")
    return cleaned


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"
