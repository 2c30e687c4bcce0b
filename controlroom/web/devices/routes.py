"""Every route of the devices part, in one list (``controlroom.web.routes`` mounts it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from controlroom.web.devices import (
    actor,
    admin,
    attachments,
    device,
    join,
    observer,
    replies,
    reply_files,
    run_sheet,
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
    *observer.routes,
    *run_sheet.routes,
    *attachments.routes,
    *sheet.routes,
    *admin.routes,
]
