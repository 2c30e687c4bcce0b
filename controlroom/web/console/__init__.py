"""The control room console: the screens of the exercise director, controllers, observers.

Design: docs/console.md. One module per concept; each exposes ``routes``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from controlroom.web.console import (
    accounts,
    adhoc,
    boards,
    clock,
    exercises,
    injects,
    log,
    simcell,
    timeline,
)

routes: list[BaseRoute] = [
    *exercises.routes,
    *accounts.routes,
    *timeline.routes,
    *clock.routes,
    *adhoc.routes,
    *injects.routes,
    *boards.routes,
    *simcell.routes,
    *log.routes,
]
