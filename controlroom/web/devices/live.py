"""A device page's live part: the audience's view, rendered by the hub's own renderer.

Design: docs/devices.md. The first render of a team dashboard or an actor tablet is the
same ``fragments/view.html`` the hub sends as a ``snapshot`` frame, built from the same
audience filter (``current_view``); the page then resumes the socket from the page's
``seq``, so nothing is missed and nothing is shown twice.

Injects a team's page shows that no device of the team had received yet are marked
delivered as the page is rendered (the socket does the same for the frames it sends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request

from controlroom.delivery.audience import current_view
from controlroom.delivery.views import FullView
from controlroom.exercise import commands
from controlroom.exercise.commands import Decision
from controlroom.exercise.state import ExerciseState
from controlroom.web.devices.guard import DeviceAccess
from controlroom.web.resources import resources


@dataclass(frozen=True, slots=True)
class LiveView:
    view: FullView
    html: Markup  # the view's fragment, exactly as a snapshot frame carries it
    epoch: str
    seq: int  # the view is as of this event: the socket resumes after it
    heartbeat: float
    server_now: float


async def live_view(request: Request, access: DeviceAccess) -> LiveView:
    res = resources(request)
    feed = res.delivery.feed(access.runtime.id)
    view = current_view(access.state, access.audience)
    if view.receipt and access.viewer.team is not None:
        await _delivered(access, access.viewer.team, view.receipt)
        view = current_view(access.state, access.audience)
    html = feed.render.view(view, access.audience, access.language, oob=False)
    return LiveView(
        view=view,
        html=Markup(html),  # rendered by the autoescaping fragment templates
        epoch=feed.epoch,
        seq=access.state.seq,
        heartbeat=res.settings.heartbeat_seconds,
        server_now=res.time.now(),
    )


async def _delivered(access: DeviceAccess, team: str, injects: tuple[str, ...]) -> None:
    for inject in injects:
        try:
            await access.runtime.execute(_delivery(inject, team, access.device.id))
        except commands.CommandRefused:
            continue  # cancelled or changed meanwhile: the view built next tells the truth


async def page_context(request: Request, access: DeviceAccess) -> dict[str, object]:
    """What every device page (team dashboard, actor cards) renders around its live view."""
    return {
        "viewer": None,  # a device leaves with its own button (it is revoked on leaving)
        "device": access.device,
        "exercise": access.runtime.id,
        "exercise_name": access.state.name,
        "live": await live_view(request, access),
        "max_message_bytes": resources(request).settings.max_message_bytes,
    }


def _delivery(inject: str, team: str, device: str) -> Callable[[ExerciseState], Decision | None]:
    return lambda state: commands.delivered(state, inject, team, device)
