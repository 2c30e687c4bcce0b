"""The SimCell's commands: a team's request, a controller's claim and answer, assignments.

Design: docs/exercise.md. Pure functions of the state, as in ``commands``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from controlroom.exercise.actions import repeated
from controlroom.exercise.command_support import clean_text, request_of
from controlroom.exercise.lifecycles import RequestMove
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.simcell_events import (
    ControllerAssigned,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
)
from controlroom.exercise.state import ExerciseState
from controlroom.exercise.tap_time import Tap, tapped_at
from controlroom.scenario.model import Attachment, Channel

_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def send_request(
    state: ExerciseState,
    team: str,
    device: str,
    kind: str | None,
    text: str,
    action: str | None = None,
    tap: Tap | None = None,
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
        text=clean_text(text),
        device=device,
        action=action,
        tapped_at=tapped_at(state, tap, device),
    )


def claim_request(
    state: ExerciseState, by: str, request: str, *, take_over: bool = False
) -> RequestClaimed | None:
    """Claim a request; one another controller holds is only taken over on purpose."""
    current = request_of(state, request)
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
    current = request_of(state, request)
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
        body = {written: clean_text(text)}
    else:
        raise CommandRefused(Refusal.EMPTY_ANSWER)
    title = dict(kind.title) if kind else {lang: current.text[:80] or current.id for lang in body}
    if declared:
        who = dict(declared)
    elif sender is not None and sender.strip():
        who = {lang: clean_text(sender)[:200] for lang in title}
    elif kind is not None:
        who = dict(kind.title)
    else:
        raise CommandRefused(Refusal.NO_SENDER)
    due = None
    sent = current.sent_team if current.sent_team is not None else current.sent_scenario
    if kind is not None and kind.delay_seconds > 0 and sent is not None:
        due = sent + kind.delay_seconds  # on the team's own clock: its holds hold the answer
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
