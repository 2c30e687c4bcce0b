"""The rules of the SimCell's events: requests, claims, answers, assignments.

Design: docs/exercise.md. ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change.
"""

from __future__ import annotations

from pydantic import ValidationError

from controlroom.exercise.actions import remember
from controlroom.exercise.events import Fact
from controlroom.exercise.lifecycles import RequestMove
from controlroom.exercise.rule_checks import check_inject, known_team, open_request
from controlroom.exercise.simcell_events import (
    ControllerAssigned,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    simcell_sender,
)
from controlroom.exercise.state import Assignment, Commit, ExerciseState, NotApplicable, Request
from controlroom.scenario.model import Inject

SimCellEvent = RequestSent | RequestClaimed | RequestAnswered | ControllerAssigned


def plan(state: ExerciseState, payload: SimCellEvent) -> Commit:
    match payload:
        case RequestSent():
            return _request_sent(state, payload)
        case RequestClaimed():
            request = open_request(state, payload.request, RequestMove.CLAIM)
            return lambda f: _claim(request, payload, f.at)
        case RequestAnswered():
            return _request_answered(state, payload)
        case ControllerAssigned():
            return _assigned(state, payload)


def _request_sent(state: ExerciseState, payload: RequestSent) -> Commit:
    if payload.request in state.requests:
        raise NotApplicable(f"request {payload.request} already exists")
    known_team(state, payload.team)
    if payload.kind is not None and payload.kind not in {r.id for r in state.scenario.requests}:
        raise NotApplicable(f"unknown request type {payload.kind!r}")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        state.requests[payload.request] = Request(
            payload.request, payload.team, payload.kind, payload.text, fact.at, fact.seq
        )
        state.requests[payload.request].sent_scenario = state.scenario_at(fact.at)
        state.requests[payload.request].sent_team = state.team_now(payload.team, fact.at)
        kind = payload.kind
        state._players_did(fact.at, [payload.team], lambda t: t.request == kind and t.on == "sent")

    return commit


def _claim(request: Request, payload: RequestClaimed, at: float) -> None:
    if payload.took_over_from is not None:
        request.taken_over.append((payload.took_over_from, payload.by))
    request.claimed_by, request.claimed_at = payload.by, at


def answer_inject(request: Request, payload: RequestAnswered) -> Inject:
    """The answer inject a request's answer becomes (``ValidationError`` if not valid)."""
    title = payload.title or {lang: request.id for lang in payload.text}
    return Inject.model_validate(
        {
            "id": f"SIM-{request.id}",
            "trigger": "manual",
            "channel": payload.channel,
            "from": payload.sender or simcell_sender(title),  # older journals
            "to": [request.team],
            "title": title,
            "body": payload.text,
            "attachments": list(payload.attachments),
        }
    )


def answer_arrived(state: ExerciseState, inject: str, team: str, wall: float) -> None:
    """A request's answer reached its team: what waits for that answer fires (triggers)."""
    request = state.requests.get(inject.removeprefix("SIM-"))
    if request is None or request.answer_inject != inject or request.team != team:
        return
    kind, answer = request.kind, request.answer_id
    state._players_did(
        wall,
        [team],
        lambda t: t.request == kind and t.on == "answered" and t.answer in (None, answer),
    )


def _request_answered(state: ExerciseState, payload: RequestAnswered) -> Commit:
    request = open_request(state, payload.request, RequestMove.ANSWER)
    try:
        inject = answer_inject(request, payload)
    except ValidationError as error:
        raise NotApplicable(f"the answer is not valid: {error.errors()[0]['msg']}") from None
    if inject.id in state.injects:
        raise NotApplicable(f"inject {inject.id} already exists")
    check_inject(state, inject)

    def commit(fact: Fact) -> None:
        request.answered_at, request.answered_by = fact.at, payload.by
        request.answer_id, request.answer_text = payload.answer, dict(payload.text)
        request.claimed_by = request.claimed_by or payload.by
        state._add_inject(inject)
        request.answer_inject = inject.id
        release = state.releases[inject.id, request.team]
        now = state.team_now(request.team, fact.at)  # a delay runs on the team's own clock
        if payload.due is not None and now is not None and now < payload.due:
            request.answer_due = release.due = payload.due  # the release clock sends it then
            return
        release.released_at, release.released_seq, release.version = fact.at, fact.seq, 1
        release.released_scenario = state.scenario_at(fact.at)
        release.released_team = now
        answer_arrived(state, inject.id, request.team, fact.at)

    return commit


def _assigned(state: ExerciseState, payload: ControllerAssigned) -> Commit:
    for team in payload.teams:
        known_team(state, team)
    unknown = set(payload.cases) - {c.id for c in state.scenario.cases}
    if unknown:
        raise NotApplicable(f"unknown case {sorted(unknown)[0]!r}")

    def commit(fact: Fact) -> None:
        if payload.teams or payload.cases:
            state.assignments[payload.controller] = Assignment(payload.teams, payload.cases)
        else:
            state.assignments.pop(payload.controller, None)

    return commit
