"""Every route of the devices part, in one list (``controlroom.web.routes`` mounts it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from controlroom.web.devices import (
    actor,
    admin,
    attachments,
    device,
    join,
    replies,
    reply_files,
    sheet,
    team,
)

routes: list[BaseRoute] = [
    *join.routes,
    *device.routes,
    *team.routes,
    *replies.routes,
    *reply_files.routes,
    *actor.routes,
    *attachments.routes,
    *sheet.routes,
    *admin.routes,
]
