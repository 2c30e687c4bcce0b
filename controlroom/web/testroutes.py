"""Test-only routes under ``/test/``, mounted only by ``create_test_app``. Design: docs/delivery.md.

``create_test_app`` (``controlroom serve --app controlroom.web.testroutes:create_test_app``)
is the test factory: ``create_app`` with these routes; ``create_app`` never mounts them.

Server tests and the fan-out benchmark drive a real server with them before the exercise
pages exist: create an exercise from a scenario, run exercise commands, read the journal
and open a session. With ``CONTROLROOM_TEST_TOKENS`` off (the default) every one of them
answers 404 even here, exactly like a route that does not exist.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom import exercise
from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.journal import JournalError
from controlroom.scenario.model import Scenario
from controlroom.settings import Settings
from controlroom.web import params
from controlroom.web.resources import resources

Endpoint = Callable[[Request], Awaitable[Response]]

# Every module of the core's commands: ``commands`` and each ``*_commands`` beside it.
COMMAND_MODULES = tuple(
    importlib.import_module(f"{exercise.__name__}.{info.name}")
    for info in pkgutil.iter_modules(exercise.__path__)
    if info.name == "commands" or info.name.endswith("_commands")
)
# The exercise commands a test may run: every public function of those modules that decides.
COMMANDS: dict[str, Callable[..., commands.Decision | None]] = {
    name: function
    for module in COMMAND_MODULES
    for name, function in vars(module).items()
    if inspect.isfunction(function)
    and function.__module__ == module.__name__
    and not name.startswith("_")
    and next(iter(inspect.signature(function).parameters), "") == "state"
}


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status, media_type="application/json")


def test_only(endpoint: Endpoint) -> Endpoint:
    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if not resources(request).settings.test_tokens:
            return Response("Not Found", 404, media_type="text/plain")
        return await endpoint(request)

    return guarded


@test_only
async def create_exercise(request: Request) -> Response:
    body = orjson.loads(await request.body())
    try:
        scenario = Scenario.model_validate(body["scenario"])
    except (KeyError, ValidationError) as error:
        return _json({"error": str(error)}, 400)
    runtime = await resources(request).exercises.create(scenario, body.get("name", ""), "test")
    return _json({"exercise": runtime.id, "epoch": runtime.journal.epoch, "seq": runtime.state.seq})


@test_only
async def run_commands(request: Request) -> Response:
    """Run ``[{"command": name, "args": {...}}, ...]`` in order; stops at the first refusal."""
    runtime = await params.exercise(request)
    done: list[dict[str, Any] | None] = []
    with runtime.batch():  # they land together, as the clock's releases of one tick do
        for step in orjson.loads(await request.body()):
            function = COMMANDS.get(step.get("command", ""))
            if function is None:
                return _json(
                    {"error": f"unknown command {step.get('command')!r}", "done": done}, 400
                )
            args = dict(step.get("args", {}))

            def decide(state: ExerciseState, f: Any = function, a: Any = args) -> Any:
                return f(state, **a)

            try:
                event = await runtime.execute(decide)
            except commands.CommandRefused as refused:
                return _json({"error": str(refused), "done": done}, 409)
            except JournalError as error:
                return _json({"error": str(error), "done": done}, 503)
            done.append(None if event is None else {"seq": event.seq, "type": event.type})
    return _json({"done": done, "seq": runtime.state.seq})


@test_only
async def journal(request: Request) -> Response:
    runtime = await params.exercise(request)
    after = int(request.query_params.get("after", "0"))
    events = await runtime.journal.read(after=after)
    return _json(
        {
            "epoch": runtime.journal.epoch,
            "events": [{"seq": e.seq, "type": e.type, "at": e.at, "data": e.data} for e in events],
        }
    )


@test_only
async def create_session(request: Request) -> Response:
    data = orjson.loads(await request.body())
    session_id = await resources(request).sessions.create({"csrf": "test", **data})
    return _json({"session": session_id})


routes: list[BaseRoute] = [
    Route("/test/exercises", create_exercise, methods=["POST"]),
    Route("/test/exercises/{exercise}/commands", run_commands, methods=["POST"]),
    Route("/test/exercises/{exercise}/journal", journal, methods=["GET"]),
    Route("/test/sessions", create_session, methods=["POST"]),
]


@test_only
async def sockets(request: Request) -> Response:
    """The exercise's live sockets here: audience and whether frames take the fast path."""
    feed = resources(request).delivery.feed(params.exercise_id(request))
    return _json([{"audience": c.audience, "direct": c.direct} for c in feed.connections()])


routes.append(Route("/test/exercises/{exercise}/sockets", sockets, methods=["GET"]))


def create_test_app(settings: Settings | None = None) -> Starlette:
    """The test factory: the application with the test-only routes."""
    from controlroom.app import create_app

    return create_app(settings, extra_routes=routes)
