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
    matrix,
    msel,
    pacing,
    replay,
    replies,
    safety,
    sets,
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
    *pacing.routes,
    *adhoc.routes,
    *injects.routes,
    *boards.routes,
    *sets.routes,
    *replies.routes,
    *simcell.routes,
    *log.routes,
    *matrix.routes,
    *safety.routes,
    *replay.routes,
    *debrief.routes,
    *export.routes,
]
