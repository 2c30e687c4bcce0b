"""How every console form acts: check, ask the core, answer. Design: docs/console.md.

A console action is a POST with the session's CSRF token, by a role allowed to do it (the
route's ``@requires``). It turns the form into one exercise command and runs it through the
exercise runtime. The answer depends on who asked:

* htmx gets a short message for the page's ``#flash`` region (and, out of band, the parts of
  the console the event changed, so the acting console never waits for the socket);
* a plain form post (no JavaScript) is sent back to the page it came from (303), or shown
  the refusal on a page of its own.

Destructive actions (ENDEX, a jump, cancelling an inject) first answer with a confirmation
form that repeats the fields plus ``confirmed=yes``; only that second post acts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from controlroom.delivery.audience import PACING_EVENTS
from controlroom.delivery.pacing_views import team_paces_view
from controlroom.delivery.projections import (
    control_clock_view,
    control_inject_view,
    control_request_view,
)
from controlroom.exercise.commands import Decision
from controlroom.exercise.events import CLOCK_EVENTS, EventType, Fact
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.live.runtime import ExerciseRuntime
from controlroom.scenario.model import Inject
from controlroom.web import params
from controlroom.web.auth import checked_form, language_of, viewer_of
from controlroom.web.console.pages import exercise_of, render, safe_next
from controlroom.web.refusal import refusal_text
from controlroom.web.resources import resources
from controlroom.web.templating import is_htmx

Command = Callable[[ExerciseState], Decision | None]
# (the form, the acting user's name) -> the command; may raise CommandRefused for bad input
CommandOf = Callable[[FormData, str], Command]
# (the form, translate) -> what to tell the user once the command landed
MessageOf = Callable[[FormData, Callable[..., str]], str]

CONFIRMED = "yes"
NOT_FORWARDED = frozenset({"csrf", "confirmed"})


async def act(
    request: Request,
    command_of: CommandOf,
    done: MessageOf,
    *,
    confirm: MessageOf | None = None,
) -> Response:
    """Run one console command from a posted form and answer htmx or a plain form."""
    viewer = await viewer_of(request)
    form = await checked_form(request, viewer)
    runtime = await exercise_of(request)
    translator = resources(request).pages.translator(language_of(request, viewer))
    _ = translator.gettext
    back = safe_next(params.text(form, "next"), runtime.id)
    question = confirm(form, _) if confirm is not None else ""
    if question and form.get("confirmed") != CONFIRMED:  # "" asks nothing: no confirmation
        return await _confirmation(request, runtime, form, question, back)
    try:
        event = await runtime.execute(command_of(form, viewer.name))
    except CommandRefused as refusal:
        message = refusal_text(refusal, translator, runtime.scenario)
        return await refused(request, runtime, message, back)
    if not is_htmx(request):
        return RedirectResponse(back, status_code=303)
    return await _done(request, runtime, done(form, _), event)


async def refused(
    request: Request, runtime: ExerciseRuntime, message: str, back: str, status: int = 409
) -> Response:
    """The core said no: tell the user why (the message is already translated)."""
    if is_htmx(request):
        context = {"message": message, "kind": "error"}
        return await render(request, "console/_flash.html", context, runtime=runtime, status=status)
    context = {"message": message, "back": back}
    return await render(request, "console/refused.html", context, runtime=runtime, status=status)


async def _confirmation(
    request: Request, runtime: ExerciseRuntime, form: FormData, question: str, back: str
) -> Response:
    fields = [(k, str(v)) for k, v in form.multi_items() if k not in NOT_FORWARDED]
    context = {"question": question, "fields": fields, "action": request.url.path, "back": back}
    if is_htmx(request):
        return await render(request, "console/_confirm.html", context, runtime=runtime)
    return await render(request, "console/confirm.html", context, runtime=runtime)


async def _done(
    request: Request, runtime: ExerciseRuntime, message: str, event: Fact | None
) -> Response:
    context = {"message": message, "kind": "done", "changed": changed_views(runtime.state, event)}
    return await render(request, "console/_flash.html", context, runtime=runtime)


def changed_views(state: ExerciseState, event: Fact | None) -> dict[str, Any]:
    """What the event changed on a console, to swap out of band into the acting page."""
    if event is None:
        return {}
    changed: dict[str, Any] = {}
    if event.type in CLOCK_EVENTS:
        changed["clock"] = control_clock_view(state)
    if event.type in CLOCK_EVENTS or event.type in PACING_EVENTS:
        changed["paces"] = team_paces_view(state)
    inject = getattr(event.payload, "inject", None)
    if isinstance(inject, Inject):
        inject = inject.id
    if isinstance(inject, str) and inject in state.injects:
        changed["injects"] = [control_inject_view(state, inject)]
    request = getattr(event.payload, "request", None)
    if isinstance(request, str) and request in state.requests:
        changed["requests"] = [control_request_view(state, state.requests[request])]
        answer = state.requests[request].answer_inject
        if event.type == EventType.REQUEST_ANSWERED and answer is not None:
            changed["injects"] = [control_inject_view(state, answer)]
    return changed


def field(form: FormData, name: str) -> str:
    """A form field as stripped text ('' when absent)."""
    return params.text(form, name)


def teams_field(form: FormData, state: ExerciseState) -> list[str] | None:
    """The ``team`` field: one team, or None for every team the inject goes to."""
    team = field(form, "team")
    if not team:
        return None
    if team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    return [team]
