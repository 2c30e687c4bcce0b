"""The control room console: the screens of the exercise director, controllers, observers.

Design: docs/console.md. One module per concept; each exposes ``routes``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from controlroom.web.console import (
    adhoc,
    boards,
    clock,
    debrief,
    exercises,
    export,
    injects,
    log,
    msel,
    replay,
    replies,
    safety,
    simcell,
    staff,
    timeline,
)

routes: list[BaseRoute] = [
    *msel.routes,
    *exercises.routes,
    *staff.routes,
    *timeline.routes,
    *clock.routes,
    *adhoc.routes,
    *injects.routes,
    *boards.routes,
    *replies.routes,
    *simcell.routes,
    *log.routes,
    *safety.routes,
    *replay.routes,
    *debrief.routes,
    *export.routes,
]
