"""The sets' boards (who is on each set now, who is next) and the schedule conflicts panel.

Design: docs/console.md, "Sets and schedule conflicts". Derived from the exercise state at
the wall clock (``controlroom.exercise.run_sheet``): each cue instance is a scene on its
set at its team's time, so a team's hold or shift moves its scenes here at once. The
conflicts panel (also on the timeline and the status boards) lists the clashes still ahead,
each with the team shift that would resolve it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF
from controlroom.exercise.run_sheet import open_conflicts, set_boards
from controlroom.web.auth import requires
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/sets"


@requires(STAFF)
async def sets_page(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    wall = resources(request).time.now()
    context = {
        "boards": set_boards(state, wall),
        "schedule_conflicts": open_conflicts(state, wall),
    }
    return await render(request, "console/sets.html", context, runtime=runtime)


@requires(STAFF)
async def conflicts_panel(request: Request) -> Response:
    """The conflicts panel alone: the console refreshes it after each live event."""
    runtime = await exercise_of(request)
    context = {"schedule_conflicts": open_conflicts(runtime.state, resources(request).time.now())}
    return await render(request, "console/_schedule_conflicts.html", context, runtime=runtime)


routes: list[BaseRoute] = [
    Route(PATH, sets_page, name="sets"),
    Route(f"{PATH}/conflicts", conflicts_panel, name="sets_conflicts"),
]
