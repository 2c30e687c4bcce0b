"""Every route of the application, in one list. Design: docs/web.md."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from controlroom.web import signin, testroutes
from controlroom.web.console import routes as console_routes
from controlroom.web.devices.routes import routes as device_routes
from controlroom.web.socket import ExerciseSocket

WEB_DIR = Path(__file__).resolve().parents[2] / "web"


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def build_routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, name="healthz"),
        *signin.routes,
        *console_routes,
        *device_routes,
        *testroutes.routes,  # test-only: 404 unless CONTROLROOM_TEST_TOKENS is on
        WebSocketRoute("/exercises/{exercise}/socket", ExerciseSocket, name="socket"),
        Mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
