"""Exercises: the list, the scenarios in ``injects/`` with their validation reports, creation.

Design: docs/console.md. Several exercises can run at once; each has its own journal and
console. Only the exercise director creates an exercise (from a valid scenario) or re-reads
the scenario folder; everyone signed in to control sees the list and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import DIRECTING, STAFF
from controlroom.exercise.state import ExerciseState
from controlroom.live.runtime import ExerciseRuntime
from controlroom.scenario.loader import ScenarioInvalid
from controlroom.scenario.model import Scenario
from controlroom.web import params
from controlroom.web.auth import checked_form, language_of, requires, viewer_of
from controlroom.web.console.actions import field
from controlroom.web.console.pages import render
from controlroom.web.resources import resources


@dataclass(frozen=True, slots=True)
class ScenarioEntry:
    """A scenario folder and whether it loads: a scenario, or its problems."""

    id: str
    scenario: Scenario | None
    invalid: ScenarioInvalid | None


@dataclass(frozen=True, slots=True)
class ExerciseEntry:
    id: str
    name: str
    scenario: Scenario
    state: ExerciseState
    scenario_now: float


def scenario_entries(request: Request) -> list[ScenarioEntry]:
    found = resources(request).scenarios.all()
    return [
        ScenarioEntry(
            key,
            value if isinstance(value, Scenario) else None,
            value if isinstance(value, ScenarioInvalid) else None,
        )
        for key, value in sorted(found.items())
    ]


def exercise_entries(runtimes: list[ExerciseRuntime], wall: float) -> list[ExerciseEntry]:
    return [
        ExerciseEntry(r.id, r.state.name, r.scenario, r.state, r.state.clock.scenario_now(wall))
        for r in runtimes
    ]


async def _list(request: Request, *, error: str = "", status: int = 200) -> Response:
    res = resources(request)
    context = {
        "exercises": exercise_entries(await res.exercises.refresh(), res.time.now()),
        "scenarios": scenario_entries(request),
        "error": error,
    }
    return await render(request, "console/exercises.html", context, status=status)


@requires(STAFF)
async def exercise_list(request: Request) -> Response:
    return await _list(request)


@requires(DIRECTING)
async def create(request: Request) -> Response:
    viewer = await viewer_of(request)
    form = await checked_form(request, viewer)
    res = resources(request)
    _ = res.pages.translator(language_of(request, viewer)).gettext
    try:
        scenario = res.scenarios.get(field(form, "scenario"))
    except KeyError:
        return await _list(request, error=_("Pick a valid scenario."), status=422)
    runtime = await res.exercises.create(scenario, field(form, "name"), viewer.name)
    return RedirectResponse(f"/exercises/{runtime.id}", status_code=303)


@requires(STAFF)
async def report(request: Request) -> Response:
    """A scenario's validation report: what it holds, or every problem with file and line."""
    scenario_id = params.item_id(request, "scenario")
    entry = next((e for e in scenario_entries(request) if e.id == scenario_id), None)
    if entry is None:
        raise HTTPException(404, "No such scenario.")
    return await render(request, "console/scenario.html", {"entry": entry})


@requires(DIRECTING)
async def reload_scenarios(request: Request) -> Response:
    """Read ``injects/`` again (after a scenario writer fixed a file)."""
    viewer = await viewer_of(request)
    await checked_form(request, viewer)
    resources(request).scenarios.reload()
    return RedirectResponse("/exercises", status_code=303)


routes: list[BaseRoute] = [
    Route("/exercises", exercise_list, name="exercises"),
    Route("/exercises", create, methods=["POST"], name="exercise_create"),
    Route("/scenarios/reload", reload_scenarios, methods=["POST"], name="scenarios_reload"),
    Route("/scenarios/{scenario}", report, name="scenario"),
]
