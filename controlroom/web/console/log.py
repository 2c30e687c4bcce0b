"""The controller log and observers' observations: timestamped notes into the journal.

Design: docs/console.md. Notes (director, controllers) and observations (observers, and
control too) are journal events, so they are part of the after-action review's raw
material. The page also shows the exercise's whole event log, newest first; the hub
prepends each new event to ``#timeline`` as it happens.

Observations are the one thing an observer may post: an evaluator's record against a
learning objective is not a control action (it changes no inject, no clock, no team's view).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, STAFF
from controlroom.delivery.projections import timeline_view
from controlroom.delivery.views import TimelineView
from controlroom.exercise import commands
from controlroom.exercise.events import fact_of
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.web.auth import requires
from controlroom.web.console.actions import Command, act, field
from controlroom.web.console.pages import exercise_of, render

PATH = "/exercises/{exercise}/log"
SHOWN_EVENTS = 300


def event_lines(events: list[Event], state: ExerciseState) -> list[TimelineView]:
    """The latest events as the hub's timeline lines, newest first.

    The scenario time of each line is computed on the current clock (as the hub does for a
    live line), which is exact for events since the last clock change.
    """
    return [timeline_view(fact_of(event), state) for event in reversed(events[-SHOWN_EVENTS:])]


@requires(STAFF)
async def log(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    context = {
        "notes": list(reversed(state.notes)),
        "lines": event_lines(await runtime.journal.read(), state),
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
