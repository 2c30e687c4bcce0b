"""Teams' replies in the SimCell queue: control answers in the thread, observers rate them.

Design: docs/console.md ("Replies"). A team's reply to an inject (text, files, or an action it
reports) arrives live in ``#simcell-replies`` on the SimCell page, tied to its inject. Its
thread page shows the inject, the team's message and files (served only to that team and
the staff, ``web/devices/reply_files``), control's answers with their authors, and the
observations that rate it; a controller answers there (the answer reaches only that team, as
from the inject's sender in the fiction), and anyone of the staff rates it against an
objective's task (an ``observation.added`` naming the reply).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, STAFF
from controlroom.delivery.reply_views import control_reply_view
from controlroom.exercise import commands
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import Reply
from controlroom.web import params
from controlroom.web.auth import requires
from controlroom.web.console.actions import Command, act, field
from controlroom.web.console.pages import exercise_of, render

PATH = "/exercises/{exercise}/simcell/replies/{reply}"


def reply_of(request: Request, replies: dict[str, Reply]) -> Reply:
    found = replies.get(params.item_id(request, "reply"))
    if found is None:
        raise HTTPException(404, "No such reply.")
    return found


@requires(STAFF)
async def thread(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    reply = reply_of(request, state.replies)
    context = {
        "reply": control_reply_view(state, reply),
        "inject": state.injects[reply.inject],
        "thread": [control_reply_view(state, r) for r in state.thread(reply.inject, reply.team)],
        "objectives": state.scenario.objectives,
        "ratings": commands.RATINGS,
    }
    return await render(request, "console/simcell_reply.html", context, runtime=runtime)


@requires(CONTROLLING)
async def answer(request: Request) -> Response:
    """Control's answer in the thread: it reaches the reply's team only."""
    reply = params.item_id(request, "reply")
    return await act(
        request,
        lambda form, by: lambda s: commands.answer_reply(s, by, reply, field(form, "text")),
        lambda form, _: _("Answer to %(reply)s sent.", reply=reply),
    )


def _rating(reply: str, form: FormData, by: str) -> Command:
    text, objective = field(form, "text"), field(form, "objective")
    task, rating = field(form, "task") or None, field(form, "rating") or None
    if not text and rating is None:
        raise CommandRefused(Refusal.EMPTY_NOTE)
    return lambda s: commands.add_observation(
        s, by, text, objective, task=task, rating=rating, reply=reply
    )


@requires(STAFF)
async def rate(request: Request) -> Response:
    """An observation that rates the reply (its team's), against an objective and a task."""
    reply = params.item_id(request, "reply")
    return await act(
        request,
        lambda form, by: _rating(reply, form, by),
        lambda form, _: _("Observation recorded."),
    )


routes: list[BaseRoute] = [
    Route(PATH, thread, name="simcell_reply"),
    Route(f"{PATH}/answer", answer, methods=["POST"], name="simcell_reply_answer"),
    Route(f"{PATH}/rate", rate, methods=["POST"], name="simcell_reply_rate"),
]
