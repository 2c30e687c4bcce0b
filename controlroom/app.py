"""The application factory: settings, resources, middleware and routes in one place.

Design: docs/overview.md. ``create_app`` reads nothing at import time; uvicorn calls it
(``uvicorn --factory controlroom.app:create_app``). The lifespan creates every resource
(journal store, sessions, exercises and their clocks, the delivery hub, the scenario
catalogue) and hands them to requests as typed state (``controlroom.web.state``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from controlroom.accounts import AccountStore, open_accounts, setup_token
from controlroom.delivery.hub import Delivery
from controlroom.delivery.limits import RateLimit
from controlroom.exercises import Exercises
from controlroom.i18n import Catalogues
from controlroom.journal import open_store
from controlroom.scenario.catalog import ScenarioCatalog
from controlroom.secret import load_secret
from controlroom.sessions import open_sessions
from controlroom.settings import Settings
from controlroom.timesource import SystemTime, TimeSource
from controlroom.web.origin import OriginMiddleware
from controlroom.web.routes import WEB_DIR, build_routes
from controlroom.web.state import AppState, Resources
from controlroom.web.templating import Pages

logger = logging.getLogger("controlroom")


def create_app(settings: Settings | None = None, *, time: TimeSource | None = None) -> Starlette:
    settings = settings or Settings.from_environ()
    clock_source: TimeSource = time or SystemTime()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        secret = load_secret(settings)
        store = open_store(settings.journal)
        sessions = open_sessions(settings.sessions)
        exercises = Exercises(store, clock_source, run_clock=settings.run_clock)
        pages = Pages(WEB_DIR / "templates", Catalogues(WEB_DIR / "locale"))
        delivery = Delivery(settings, clock_source, secret, renderer=pages)
        exercises.on_open(delivery.attach)
        scenarios = ScenarioCatalog(settings.injects_dir)
        scenarios.reload()
        accounts = open_accounts(settings.sessions, settings.data_dir)
        await announce_setup(accounts, setup_token(secret, settings.admin_token))
        await exercises.open_all()
        gc.freeze()  # the start-up heap lives on: keep it out of full GC passes (performance.md)
        logger.info(
            "Control Room ready: %d scenarios, %d exercises, journal %s",
            len(scenarios.valid()),
            len(exercises.loaded()),
            settings.journal,
        )
        try:
            yield AppState(
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
                    join_attempts=RateLimit(settings.join_attempts_per_minute, clock_source.now),
                )
            )
        finally:
            await delivery.close()
            await exercises.close()
            await store.close()
            await sessions.close()
            await accounts.close()

    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(OriginMiddleware, allowed=settings.allowed_origins),
    ]
    return Starlette(routes=build_routes(), middleware=middleware, lifespan=lifespan)


async def announce_setup(accounts: AccountStore, token: str) -> None:
    """At first start (no account yet) print where the first director's account is made."""
    if not await accounts.all():
        print(
            f"\nControl Room first start: create the exercise director's account at\n"
            f"    /setup?token={token}\n(on this server, e.g. http://127.0.0.1:8000/setup?token={token})\n",
            flush=True,
        )
