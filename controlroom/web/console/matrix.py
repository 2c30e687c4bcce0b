"""The evaluation matrix on the console: teams x critical tasks, live. Design: docs/review.md.

``/exercises/<id>/matrix?day=2&objective=OBJ-1`` (control and observers). Each cell is the
latest rating of a team's task and how many observations there are
(``controlroom.review.matrix``); the page's ``#matrix`` part is fetched again when a frame
arrives on the console's socket (console.js, ``cr:refresh``), as the status boards are. A
cell is a link (``&team=..&task=..``, a real href; htmx fetches the ``#cell-observations``
part) that opens its observations. Reading only: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF
from controlroom.exercise.state import Note
from controlroom.review.matrix import evaluation_matrix, observations_of
from controlroom.scenario.model import Scenario
from controlroom.web.auth import requires
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.params import BAD_FIELD, is_item_id
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/matrix"


@dataclass(frozen=True, slots=True)
class MatrixQuery:
    day: int | None
    objective: str | None
    team: str | None  # the opened cell, with task
    task: str | None

    def link(self, **changes: object) -> str:
        """The query string of this view with ``changes`` (None drops a parameter)."""
        values = {
            "day": self.day,
            "objective": self.objective,
            "team": self.team,
            "task": self.task,
        } | changes
        shown = {k: v for k, v in values.items() if v is not None}
        return "?" + urlencode(shown) if shown else "?"


def matrix_query(request: Request, scenario: Scenario) -> MatrixQuery:
    """The filters and the opened cell (400 on anything malformed or unknown)."""
    query = request.query_params
    day, objective = query.get("day", ""), query.get("objective", "")
    team, task = query.get("team", ""), query.get("task", "")
    if day and (not day.isdigit() or not 1 <= int(day) <= scenario.days):
        raise HTTPException(400, BAD_FIELD)
    objectives = {o.id: {t.id for t in o.tasks} for o in scenario.objectives}
    if objective and (not is_item_id(objective) or objective not in objectives):
        raise HTTPException(400, BAD_FIELD)
    if team and (not is_item_id(team) or team not in scenario.team_ids):
        raise HTTPException(400, BAD_FIELD)
    if task and (not is_item_id(task) or not any(task in tasks for tasks in objectives.values())):
        raise HTTPException(400, BAD_FIELD)
    if bool(team) != bool(task):
        raise HTTPException(400, BAD_FIELD)
    return MatrixQuery(int(day) if day else None, objective or None, team or None, task or None)


def _objective_of(scenario: Scenario, task: str) -> str:
    return next(o.id for o in scenario.objectives if task in {t.id for t in o.tasks})


@requires(STAFF)
async def matrix_page(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    wanted = matrix_query(request, state.scenario)
    opened: list[Note] = []
    if wanted.team and wanted.task:
        opened = observations_of(
            state,
            day=wanted.day,
            objective=_objective_of(state.scenario, wanted.task),
            team=wanted.team,
            task=wanted.task,
        )
    names = {a.name: a.display or a.name for a in await resources(request).accounts.all()}
    context = {
        "matrix": evaluation_matrix(state, day=wanted.day, objective=wanted.objective),
        "wanted": wanted,
        "opened": opened,
        "names": names,
        "device_names": {d.id: d.name for d in state.devices.values()},
    }
    return await render(request, "console/matrix.html", context, runtime=runtime)


routes: list[BaseRoute] = [Route(PATH, matrix_page, name="matrix")]
