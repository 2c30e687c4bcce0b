"""The SimCell queue: teams' requests to the fictional world, claimed and answered by control.

Design: docs/console.md. Requests arrive live (the hub inserts them into
``#simcell-requests``); a controller claims one (a claim holds until another controller
takes it over), answers it from the scenario's prepared answers (a consequential one asks to
confirm) or in free text, and the answer reaches the team from the request type's sender in
the fiction, at once or after the type's least delay. The director assigns controllers to
teams and cases here. Response times (sent -> answered) are shown per request, per team and
per controller, and summed up; teams' replies to injects (``state.replies``) count in them
as requests do (waiting until control first answers in the thread).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, DIRECTING, STAFF
from controlroom.delivery.reply_views import control_reply_view, reply_queue
from controlroom.exercise import commands
from controlroom.exercise.lifecycles import ReplyStatus, RequestMove, RequestStatus
from controlroom.exercise.state import ExerciseState, Reply
from controlroom.exercise.state import Request as TeamRequest
from controlroom.scenario.model import PreparedAnswer, RequestKind
from controlroom.web import params
from controlroom.web.auth import checked_form, requires, viewer_of
from controlroom.web.console.actions import CONFIRMED, Command, act, field
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/simcell"

Answerable = TeamRequest | Reply  # what the outside world answers: a request or a reply


def waiting(item: Answerable) -> bool:
    if isinstance(item, Reply):
        return item.status is ReplyStatus.OPEN
    return item.can(RequestMove.ANSWER)


def answered_by(item: Answerable) -> str | None:
    if isinstance(item, Reply):
        return item.answers[0].by if item.answers else None
    return item.answered_by


def answerables(state: ExerciseState) -> list[Answerable]:
    """Every request and every reply of the teams: what the counters count."""
    return [*state.requests.values(), *state.replies.values()]


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    answered: int
    waiting: int
    mean: float | None
    median: float | None
    longest: float | None

    @classmethod
    def of(cls, items: list[Answerable]) -> ResponseTimes:
        times = [r.response_seconds for r in items if r.response_seconds is not None]
        open_ = sum(1 for r in items if waiting(r))
        if not times:
            return cls(0, open_, None, None, None)
        return cls(len(times), open_, statistics.fmean(times), statistics.median(times), max(times))


def kind_of(state: ExerciseState, request: TeamRequest) -> RequestKind | None:
    return next((k for k in state.scenario.requests if k.id == request.kind), None)


def queue(state: ExerciseState) -> list[TeamRequest]:
    """Waiting first (oldest first), then in progress, then answered (newest first)."""
    mine = list(state.requests.values())
    waiting = [r for r in mine if r.status is RequestStatus.OPEN]
    claimed = [r for r in mine if r.status is RequestStatus.CLAIMED]
    answered = [r for r in mine if r.status is RequestStatus.ANSWERED]
    answered.sort(key=lambda r: r.answered_at or 0.0, reverse=True)
    return [*waiting, *claimed, *answered]


def request_of(state: ExerciseState, request: Request) -> TeamRequest:
    found = state.requests.get(params.item_id(request, "request"))
    if found is None:
        raise HTTPException(404, "No such request.")
    return found


def times_by(
    requests: list[Answerable], key: Callable[[Answerable], str | None]
) -> dict[str, ResponseTimes]:
    """Response times per team or per controller (``key`` of an item; None: left out)."""
    groups: dict[str, list[Answerable]] = {}
    for item in requests:
        name = key(item)
        if name is not None:
            groups.setdefault(name, []).append(item)
    return {name: ResponseTimes.of(group) for name, group in sorted(groups.items())}


@requires(STAFF)
async def simcell(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    requests = answerables(state)
    accounts = await resources(request).accounts.all()
    context = {
        "queue": queue(state),
        "times": ResponseTimes.of(requests),
        "team_times": times_by(requests, lambda r: r.team),
        "controller_times": times_by(requests, answered_by),
        "controllers": [a for a in accounts if a.role in CONTROLLING],
        "assignments": dict(sorted(state.assignments.items())),
        "replies": [control_reply_view(state, r) for r in reply_queue(state)],
    }
    return await render(request, "console/simcell.html", context, runtime=runtime)


@requires(DIRECTING)
async def assign(request: Request) -> Response:
    """The director gives a controller teams and/or cases (none: unassigned)."""
    form = await checked_form(request, await viewer_of(request))  # CSRF first
    controller = field(form, "controller").lower()
    account = await resources(request).accounts.get(controller) if controller else None
    if account is None or account.role not in CONTROLLING:
        raise HTTPException(400, "No such controller.")
    teams = [str(t) for t in form.getlist("team")]
    cases = [str(c) for c in form.getlist("case")]
    return await act(
        request,
        lambda form, by: lambda s: commands.assign_controller(s, by, controller, teams, cases),
        lambda form, _: _("Assignment of %(name)s saved.", name=controller),
    )


@requires(STAFF)
async def answer_form(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    found = request_of(state, request)
    answer = found.answer_inject
    pending = answer is not None and state.releases[answer, found.team].released_at is None
    context = {"item": found, "kind": kind_of(state, found), "pending": pending}
    return await render(request, "console/simcell_request.html", context, runtime=runtime)


@requires(CONTROLLING)
async def claim(request: Request) -> Response:
    """Claim a request; ``take_over=yes`` takes one over from another controller (journaled)."""
    request_id = params.item_id(request, "request")
    return await act(
        request,
        lambda form, by: (
            lambda s: commands.claim_request(
                s, by, request_id, take_over=field(form, "take_over") == "yes"
            )
        ),
        lambda form, _: _("You have claimed request %(request)s.", request=request_id),
    )


def _answer(request_id: str, form: FormData, by: str, languages: list[str]) -> Command:
    prepared = field(form, "answer") or None
    text = None if prepared else field(form, "text")
    language = params.language(form, "language", languages)
    sender = field(form, "sender") or None
    confirmed = form.get("confirmed") == CONFIRMED
    return lambda s: commands.answer_request(
        s,
        by,
        request_id,
        answer=prepared,
        text=text,
        language=language,
        sender=sender,
        confirmed=confirmed,
    )


def _consequences(state: ExerciseState, request_id: str, form: FormData) -> PreparedAnswer | None:
    """The prepared answer picked in ``form`` when the catalogue marks it consequential."""
    found = state.requests.get(request_id)
    kind = None if found is None else kind_of(state, found)
    picked = field(form, "answer")
    answer = next((a for a in (kind.answers if kind else []) if a.id == picked), None)
    return answer if answer is not None and answer.consequential else None


@requires(CONTROLLING)
async def answer(request: Request) -> Response:
    """Answer as the outside world; a consequential prepared answer asks to confirm first."""
    request_id = params.item_id(request, "request")
    state = (await exercise_of(request)).state

    def confirm(form: FormData, _: Callable[..., str]) -> str:
        weighty = _consequences(state, request_id, form)
        if weighty is None:
            return ""
        return _(
            "Send the answer %(answer)s to request %(request)s? It has consequences in the "
            "exercise.",
            answer=weighty.id,
            request=request_id,
        )

    return await act(
        request,
        lambda form, by: _answer(request_id, form, by, state.scenario.languages),
        lambda form, _: _("Request %(request)s answered.", request=request_id),
        confirm=confirm,
    )


routes: list[BaseRoute] = [
    Route(PATH, simcell, name="simcell"),
    Route(f"{PATH}/assign", assign, methods=["POST"], name="simcell_assign"),
    Route(f"{PATH}/{{request}}", answer_form, name="simcell_request"),
    Route(f"{PATH}/{{request}}/claim", claim, methods=["POST"], name="simcell_claim"),
    Route(f"{PATH}/{{request}}/answer", answer, methods=["POST"], name="simcell_answer"),
]
