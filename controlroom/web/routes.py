"""Every route of the application, in one list. Design: docs/web.md."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from controlroom.package_data import web_dir
from controlroom.web import language, signin
from controlroom.web.console import routes as console_routes
from controlroom.web.devices.routes import routes as device_routes
from controlroom.web.socket import ExerciseSocket


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def favicon(request: Request) -> FileResponse:
    """The mark (``/static/icons/favicon.svg``) for browsers that ask for ``/favicon.ico``
    whatever the page links: an icon, not a 404 in the venue's logs."""
    return FileResponse(
        web_dir() / "static" / "icons" / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def build_routes(extra: Sequence[BaseRoute] = ()) -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, name="healthz"),
        Route("/favicon.ico", favicon, name="favicon"),
        *signin.routes,
        *language.routes,
        *console_routes,
        *device_routes,
        *extra,  # only the test factory adds any (controlroom.web.testroutes)
        WebSocketRoute("/exercises/{exercise}/socket", ExerciseSocket, name="socket"),
        Mount("/static", StaticFiles(directory=web_dir() / "static"), name="static"),
    ]
