"""The director's device list: every joined device, rename, revoke, re-issue a join code.

Design: docs/devices.md. Revoking appends ``device.revoked``: the hub closes that device's
sockets at once and every later request of the device is refused (``access.cut_off``).
Re-issuing a code appends ``join.reissued``: the old QR code stops working, devices that
already joined stay (revoke them one by one if the sheet was lost).

The page is a console page (``console/layout.html``: clock bar, navigation, the control
socket). Its device rows are the hub's ``DeviceView`` fragment and its online badges the
hub's presence elements, so they change live.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access import join_tokens as join_codes
from controlroom.access.join_tokens import JoinCode
from controlroom.access.permissions import DIRECTING, device_target
from controlroom.delivery.projections import device_view
from controlroom.delivery.views import TargetPresence
from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused, Decision
from controlroom.exercise.state import Device, ExerciseState
from controlroom.i18n import local
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web import params
from controlroom.web.auth import Viewer, checked_form, language_of, requires
from controlroom.web.console.pages import render
from controlroom.web.devices.guard import director_exercise, translated
from controlroom.web.devices.sheet import is_local_only, join_base
from controlroom.web.resources import resources


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """One team, actor role or the observers: its join link and the devices that joined it."""

    code: JoinCode
    name: str
    url: str
    devices: tuple[Device, ...]
    online: int  # of those, with a live socket to this worker

    @property
    def live(self) -> int:
        return sum(1 for device in self.devices if not device.revoked)

    @property
    def presence(self) -> TargetPresence:
        return TargetPresence(self.code.target.key, self.online)


def groups(
    state: ExerciseState, secret: str, base: str, language: str, online: AbstractSet[str]
) -> list[TargetGroup]:
    found = []
    for code in join_codes.codes(state, secret):
        target = code.target
        devices = tuple(
            device
            for device in state.devices.values()
            if device_target(device.team, device.role, device.observer) == target.key
        )
        here = sum(1 for d in devices if not d.revoked and d.id in online)
        name = local(target.name, language, state.scenario.original_language)[0]
        found.append(TargetGroup(code, name, base + code.path, devices, here))
    return found


@requires(DIRECTING)
async def device_list(request: Request) -> Response:
    viewer, runtime = await director_exercise(request)
    return await _render(request, viewer, runtime, "")


@requires(DIRECTING)
async def rename(request: Request) -> Response:
    viewer, runtime = await director_exercise(request)
    form = await checked_form(request, viewer)
    device = params.item_id(request, "device")
    name = params.text(form, "name")
    return await _run(
        request,
        viewer,
        runtime,
        lambda s: commands.rename_device(s, device, name),
        f"device-{device}",
    )


@requires(DIRECTING)
async def revoke(request: Request) -> Response:
    viewer, runtime = await director_exercise(request)
    await checked_form(request, viewer)
    device = params.item_id(request, "device")
    return await _run(
        request,
        viewer,
        runtime,
        lambda s: commands.revoke_device(s, viewer.name, device),
        f"device-{device}",
    )


@requires(DIRECTING)
async def reissue(request: Request) -> Response:
    viewer, runtime = await director_exercise(request)
    form = await checked_form(request, viewer)
    target = params.text(form, "target")
    return await _run(
        request,
        viewer,
        runtime,
        lambda s: commands.reissue_join(s, viewer.name, target),
        f"target-{target.replace(':', '-')}",
    )


async def _run(
    request: Request,
    viewer: Viewer,
    runtime: ExerciseRuntime,
    decide: Callable[[ExerciseState], Decision | None],
    anchor: str,
) -> Response:
    try:
        await runtime.execute(decide)
    except CommandRefused as refused:
        message = translated(request, language_of(request, viewer), refused, runtime.scenario)
        return await _render(request, viewer, runtime, message, status=400)
    return RedirectResponse(f"/exercises/{runtime.id}/devices#{anchor}", status_code=303)


async def _render(
    request: Request, viewer: Viewer, runtime: ExerciseRuntime, error: str, status: int = 200
) -> Response:
    res = resources(request)
    state = runtime.state
    base = join_base(request)
    online = res.delivery.online(runtime.id)
    joined = sorted(state.devices.values(), key=lambda d: (d.revoked, d.joined_at))
    context = {
        "groups": groups(state, res.secret, base, language_of(request, viewer), online),
        "devices": [device_view(state, d.id) for d in joined],
        "local_only": is_local_only(base),
        "base": base,
        "error": error,
    }
    return await render(request, "join/devices.html", context, runtime=runtime, status=status)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/devices", device_list, name="devices"),
    Route("/exercises/{exercise}/devices/reissue", reissue, methods=["POST"], name="reissue"),
    Route(
        "/exercises/{exercise}/devices/{device}/rename",
        rename,
        methods=["POST"],
        name="device_rename",
    ),
    Route(
        "/exercises/{exercise}/devices/{device}/revoke",
        revoke,
        methods=["POST"],
        name="device_revoke",
    ),
]
