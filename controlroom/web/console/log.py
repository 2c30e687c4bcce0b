"""The controller log and observers' observations: timestamped notes into the journal.

Design: docs/console.md. Notes (director, controllers) and observations (observers, and
control too) are journal events, so they are part of the after-action review's raw
material. The page also shows the exercise's whole journal as the review log
(``controlroom.review.log``: scenario time as the clock stood, names, a sentence per event),
a page at a time, newest first, filtered by team, case, kind and person, with a search.

Observations are the one thing an observer may post: an evaluator's record against a
learning objective is not a control action (it changes no inject, no clock, no team's view).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, STAFF
from controlroom.exercise import commands
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.review.log import LogFilter, page_of, people_of, review_log
from controlroom.web.auth import requires
from controlroom.web.console.actions import Command, act, field
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.params import BAD_FIELD, is_item_id
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/log"
KINDS = ("exercise", "clock", "inject", "cue", "request", "note", "observation", "device", "join")
MAX_SEARCH = 200


def log_filter(request: Request) -> tuple[LogFilter, int]:
    """The filter and page number of the query string (400 on a value of the wrong shape)."""
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in ("team", "case", "kind", "person")}
    search = query.get("q", "").strip()
    if any(v and not is_item_id(v) for v in values.values()) or len(search) > MAX_SEARCH:
        raise HTTPException(400, BAD_FIELD)
    if values["kind"] and values["kind"] not in KINDS:
        raise HTTPException(400, BAD_FIELD)
    page = query.get("page", "1")
    if not page.isdigit() or len(page) > 6:
        raise HTTPException(400, BAD_FIELD)
    return LogFilter(search=search, **values), int(page)


@requires(STAFF)
async def log(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    wanted, number = log_filter(request)
    names = {a.name: a.display or a.name for a in await resources(request).accounts.all()}
    entries = review_log(await runtime.journal.read(), names)
    context = {
        "notes": list(reversed(state.notes)),
        "log": page_of(entries, wanted, number),
        "wanted": wanted,
        "kinds": KINDS,
        "people": sorted(people_of(entries).items(), key=lambda item: item[1].lower()),
        "cases": [case.id for case in state.scenario.cases],
        "names": names,
    }
    return await render(request, "console/log.html", context, runtime=runtime)


def _optional(form: FormData, name: str) -> str | None:
    return field(form, name) or None


def _note(form: FormData, by: str) -> Command:
    text, team, inject = field(form, "text"), _optional(form, "team"), _optional(form, "inject")
    return lambda s: commands.add_note(s, by, text, team, inject)


def _observation(form: FormData, by: str) -> Command:
    objective = field(form, "objective")
    task, rating, team = _optional(form, "task"), _optional(form, "rating"), _optional(form, "team")
    text = field(form, "text")
    if not text:
        raise CommandRefused(Refusal.EMPTY_NOTE)
    return lambda s: commands.add_observation(
        s, by, text, objective, task=task, rating=rating, team=team
    )


@requires(CONTROLLING)
async def note(request: Request) -> Response:
    return await act(request, _note, lambda form, _: _("Note added to the log."))


@requires(STAFF)
async def observation(request: Request) -> Response:
    return await act(request, _observation, lambda form, _: _("Observation recorded."))


routes: list[BaseRoute] = [
    Route(PATH, log, name="log"),
    Route(f"{PATH}/notes", note, methods=["POST"], name="log_note"),
    Route(f"{PATH}/observations", observation, methods=["POST"], name="log_observation"),
]
