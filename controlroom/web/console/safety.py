"""Actor safety on the console: a STOP or a call is a blocking alert on every console page
until a controller marks it seen; the director's auto-hold toggle. Design: docs/console.md.

The alerts are pushed by the hub into ``#safety-alerts`` (``fragments/control/safety_alert.html``)
and rendered by every console page (``console/layout.html``) while no one has seen them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, DIRECTING
from controlroom.exercise import safety_commands
from controlroom.web.auth import requires
from controlroom.web.console.actions import act, field

PATH = "/exercises/{exercise}/safety"


@requires(CONTROLLING)
async def seen(request: Request) -> Response:
    alert = str(request.path_params["alert"])
    return await act(
        request,
        lambda form, by: lambda s: safety_commands.seen(s, by, by, alert),
        lambda form, _: _("The actor sees that you saw the alert."),
    )


@requires(DIRECTING)
async def autohold(request: Request) -> Response:
    return await act(
        request,
        lambda form, by: (
            lambda s: safety_commands.set_autohold(s, by, field(form, "enabled") == "yes")
        ),
        lambda form, _: (
            _("A STOP now holds the team's case.")
            if field(form, "enabled") == "yes"
            else _("A STOP no longer holds the team's case.")
        ),
    )


routes: list[BaseRoute] = [
    Route(f"{PATH}/{{alert}}/seen", seen, methods=["POST"], name="safety_seen"),
    Route(f"{PATH}/autohold", autohold, methods=["POST"], name="safety_autohold"),
]
