"""The application factory: settings, resources, middleware and routes in one place.

Design: docs/overview.md. ``create_app`` reads nothing at import time; uvicorn calls it
(``uvicorn --factory controlroom.app:create_app``). The lifespan creates every resource
(journal store, sessions, exercises and their clocks, the delivery hub, the scenario
catalogue) and hands them to requests as typed state (``controlroom.web.resources``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import BaseRoute, Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from controlroom.access.accounts import AccountStore, open_accounts, setup_token
from controlroom.access.attempts import open_attempts
from controlroom.access.secret import load_secret
from controlroom.access.sessions import open_sessions
from controlroom.delivery.fastpath import FastPath
from controlroom.delivery.hub import Delivery
from controlroom.files.blobs import open_blobs
from controlroom.i18n import Catalogues
from controlroom.journal import open_store
from controlroom.live.registry import Exercises
from controlroom.live.snapshots import Snapshots
from controlroom.live.timesource import SystemTime, TimeSource
from controlroom.package_data import web_dir
from controlroom.scenario.catalog import ScenarioCatalog
from controlroom.settings import Settings
from controlroom.web.errors import Outage, Unavailability, http_error
from controlroom.web.origin import OriginMiddleware
from controlroom.web.resources import AppState, Resources
from controlroom.web.routes import build_routes
from controlroom.web.templating import Pages

logger = logging.getLogger("controlroom")


def create_app(
    settings: Settings | None = None,
    *,
    time: TimeSource | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The application. ``extra_routes`` is for the test factory only
    (``controlroom.web.testroutes.create_test_app``); production adds none."""
    settings = settings or Settings.from_environ()
    clock_source: TimeSource = time or SystemTime()
    outage = Outage()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        # Everything opened is closed, in reverse order, even if start-up fails halfway.
        async with AsyncExitStack() as opened:
            yield await _start(settings, clock_source, outage, opened)

    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(Unavailability, outage=outage),
        Middleware(OriginMiddleware, allowed=settings.allowed_origins),
    ]
    return ControlRoom(
        routes=build_routes(extra_routes),
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )


async def _start(
    settings: Settings, clock_source: TimeSource, outage: Outage, opened: AsyncExitStack
) -> AppState:
    """Create every resource; each one's close is pushed on ``opened`` as soon as it exists."""
    secret = load_secret(settings)
    fast_path = FastPath.decide(
        wanted=settings.direct_writes,
        implementation=settings.ws_implementation,
        deflate=settings.ws_deflate,
    )
    store = open_store(settings.journal)
    opened.push_async_callback(store.close)
    files = open_blobs(settings.files)
    opened.push_async_callback(files.close)
    sessions = open_sessions(settings.sessions)
    opened.push_async_callback(sessions.close)
    accounts = open_accounts(settings.sessions, settings.data_dir)
    opened.push_async_callback(accounts.close)
    exercises = Exercises(
        store,
        clock_source,
        run_clock=settings.run_clock,
        replay_events=min(settings.restart_history_events, settings.history_events),
        snapshots=None
        if settings.journal.startswith("memory:")
        else Snapshots(settings.data_dir / "snapshots", secret, settings.snapshot_events),
    )
    opened.push_async_callback(exercises.close)
    pages = Pages(web_dir() / "templates", Catalogues(web_dir() / "locale"))
    delivery = Delivery(settings, clock_source, secret, renderer=pages)
    opened.push_async_callback(delivery.close)
    exercises.on_open(delivery.attach)
    scenarios = ScenarioCatalog(settings.injects_dir)
    scenarios.reload()
    join_attempts = open_attempts(
        settings.sessions, "join", settings.join_attempts_per_minute, clock_source.now
    )
    opened.push_async_callback(join_attempts.close)
    await announce_setup(accounts, setup_token(secret, settings.admin_token))
    gc.disable()  # opening reads, folds and routes whole journals: what it makes is kept
    try:
        await exercises.open_all()
    finally:
        gc.enable()
    gc.freeze()  # the start-up heap lives on: keep it out of full GC passes (performance.md)
    logger.info(
        "Control Room ready: %d scenarios, %d exercises, journal %s",
        len(scenarios.valid()),
        len(exercises.loaded()),
        settings.journal,
    )
    return AppState(
        resources=Resources(
            settings=settings,
            secret=secret,
            time=clock_source,
            exercises=exercises,
            sessions=sessions,
            delivery=delivery,
            scenarios=scenarios,
            accounts=accounts,
            pages=pages,
            outage=outage,
            fast_path=fast_path,
            join_attempts=join_attempts,
            files=files,
        )
    )


class ControlRoom(Starlette):
    """Starlette, with a short way in for the exercise socket (docs/performance.md).

    Every request, and every other websocket, goes through Starlette's whole stack:
    ``ServerErrorMiddleware``, the middleware list above, ``ExceptionMiddleware``, the
    router. Each of them keeps a coroutine frame (and a ``send`` wrapper or two) alive for
    as long as its request lasts: nothing for a page, about 3 KB for each of thousands of
    device sockets that stay open for hours. So the exercise socket's route (the
    ``WebSocketRoute`` named ``socket``) is dispatched here, through the SAME middleware list
    (TrustedHost refuses a wrong Host exactly as for a page; a middleware added to the list
    applies to the socket too), straight into the route's endpoint, which checks Origin,
    exercise and identity before accepting (``controlroom.web.socket``). Left out for it:
    ``ServerErrorMiddleware`` (HTTP only), ``ExceptionMiddleware`` (the endpoint raises no
    ``HTTPException`` or ``WebSocketException``; anything else reaches the server either
    way) and the router's search, done here with the route's own ``matches``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        sockets = [r for r in self.router.routes if isinstance(r, WebSocketRoute)]
        self._socket_route = next(r for r in sockets if r.name == "socket")
        self._socket_stack: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            match, child = self._socket_route.matches(scope)
            if match is Match.FULL:
                scope["app"] = self
                scope["router"] = self.router
                scope.update(child)
                if self._socket_stack is None:
                    self._socket_stack = self._build_socket_stack()
                await self._socket_stack(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def _build_socket_stack(self) -> ASGIApp:
        app: ASGIApp = self._socket_route.app
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app


async def announce_setup(accounts: AccountStore, token: str) -> None:
    """At first start (no account yet) print where the first director's account is made."""
    if not await accounts.all():
        print(
            f"\nControl Room first start: create the exercise director's account at\n"
            f"    /setup?token={token}\n(on this server, e.g. http://127.0.0.1:8000/setup?token={token})\n",
            flush=True,
        )
