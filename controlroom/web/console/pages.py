"""What every console page shares: the exercise behind the URL, who is looking, rendering.

Design: docs/console.md. Console pages are rendered with the delivery hub's own fragment
context (``controlroom.delivery.render.fragment_context``: ``text``, ``stime``, ``wall``,
``online``...), so a fragment looks the same whether it came with the page or was pushed
over the socket later.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from controlroom.access.permissions import DIRECTING
from controlroom.delivery.projections import control_clock_view, control_request_view
from controlroom.delivery.render import fragment_context
from controlroom.delivery.safety_views import open_alerts
from controlroom.exercise.lifecycles import RequestStatus
from controlroom.exercise.state import ExerciseState
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web import params
from controlroom.web.auth import Viewer, language_of, viewer_of
from controlroom.web.resources import resources

CONTROL = "control"
OBSERVER = "observer"


async def exercise_of(request: Request) -> ExerciseRuntime:
    """The exercise named in the URL (404 when there is none)."""
    return await params.exercise(request)


def audience_of(viewer: Viewer) -> str:
    return CONTROL if viewer.can_control else OBSERVER


async def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    runtime: ExerciseRuntime | None = None,
    status: int = 200,
    block: str | tuple[str, ...] | None = None,
) -> HTMLResponse:
    """A console page (or its ``content`` block for htmx) with the viewer and exercise."""
    res = resources(request)
    viewer = await viewer_of(request)
    language = language_of(request, viewer)
    full: dict[str, Any] = {
        "viewer": viewer,
        "role": viewer.role,
        "is_director": viewer.role in DIRECTING,
        "settings": res.settings,
        "path": request.url.path,
        "here": _here(request),
    }
    if runtime is not None:
        state = runtime.state
        full |= fragment_context(
            runtime.id,
            audience_of(viewer),
            language,
            state.scenario.original_language,
            partial(res.delivery.online, runtime.id),
        )
        text = full["text"]
        full |= {
            "team_names": {t.id: text(t.name) for t in state.scenario.teams},
            "kind_titles": {k.id: text(k.title) for k in state.scenario.requests},
            "runtime": runtime,
            "state": state,
            "scenario": state.scenario,
            "now": res.time.now(),
            "scenario_now": state.clock.scenario_now(res.time.now()),
            "control_clock": control_clock_view(state),
            "control_request": partial(control_request_view, state),
            "safety_alerts": open_alerts(state),
            "live": _live(request, runtime),
            **_mine(state, viewer.name),
        }
    full |= context
    return res.pages.render(request, template, full, language=language, status=status, block=block)


def _mine(state: ExerciseState, name: str) -> dict[str, Any]:
    """The viewer's assignment: their teams and cases, and their teams' waiting requests."""
    mine = state.assignments.get(name)
    teams = mine.teams if mine else ()
    waiting = [
        r.id for r in state.requests.values() if r.team in teams and r.status is RequestStatus.OPEN
    ]
    return {"mine": mine, "my_teams": teams, "my_waiting": waiting}


def _live(request: Request, runtime: ExerciseRuntime) -> dict[str, Any] | None:
    """What the page's socket resumes from: the view is as of ``seq`` (docs/protocol.md)."""
    res = resources(request)
    try:
        epoch = res.delivery.feed(runtime.id).epoch
    except KeyError:
        return None
    return {"epoch": epoch, "seq": runtime.state.seq, "heartbeat": res.settings.heartbeat_seconds}


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_next(target: str, exercise: str) -> str:
    """Where to go back to after a form: a page of this exercise, never another site."""
    base = f"/exercises/{exercise}"
    if target == base or target.startswith((base + "/", base + "?")):
        return target
    return base
