"""``/exercises/{exercise}/device``: where a joined device lands, and how it leaves.

Design: docs/devices.md. Home (``/``) sends a device here; a team goes on to its dashboard,
an actor to its cue cards. Leaving revokes the device (its sockets close at once), ends its
session and tells the browser to clear what it kept, so a shared tablet keeps nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.exercise import commands
from controlroom.web.auth import checked_form
from controlroom.web.devices.guard import DeviceAccess, cut_off, device_page


@device_page()
async def landing(request: Request, access: DeviceAccess) -> Response:
    page = {"team": "team", "observer": "observe"}.get(access.viewer.role, "actor")
    return RedirectResponse(f"/exercises/{access.runtime.id}/{page}", status_code=303)


@device_page()
async def leave(request: Request, access: DeviceAccess) -> Response:
    await checked_form(request, access.viewer)
    device = access.device.id
    await access.runtime.execute(lambda s: commands.revoke_device(s, f"device:{device}", device))
    return await cut_off(request)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/device", landing, name="device"),
    Route("/exercises/{exercise}/device/leave", leave, methods=["POST"], name="device_leave"),
]
