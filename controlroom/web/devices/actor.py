"""An actor's tablet: the current cue card and the next ones, in big type, with a countdown.

Design: docs/devices.md. The cards come from the audience filter (``live.live_view``): only
this actor role's cues, the timing of their injects and never the injects' content. Ready /
in scene / done go over the socket (``fragments/cue_group.html``) and reach the console at
once; the page keeps its last cards when the connection drops and catches up on reconnect.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.delivery.projections import clock_view
from controlroom.i18n import local
from controlroom.web.devices.guard import DeviceAccess, device_page
from controlroom.web.devices.live import page_context
from controlroom.web.devices.run_sheet import run_sheet
from controlroom.web.resources import resources


@device_page("actor")
async def cue_cards(request: Request, access: DeviceAccess) -> Response:
    state = access.state
    role = next(r for r in state.scenario.roles if r.id == access.viewer.actor_role)
    wall = resources(request).time.now()
    context = {
        **await page_context(request, access),
        "character": local(role.character, access.language, state.scenario.original_language)[0],
        "sheet": run_sheet(state, wall, role.id, access.language),  # the next scenes
        "clock": clock_view(state),  # the run sheet's: the actors' clock, never control's
        "server_now": wall,
    }
    return resources(request).pages.render(
        request, "actor/cards.html", context, language=access.language
    )


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/actor", cue_cards, name="actor_cards"),
]
