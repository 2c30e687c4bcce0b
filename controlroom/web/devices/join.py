"""Joining a device by its QR link: ``/join/<token>``. Design: docs/devices.md.

Opening the link shows what the device is about to join and asks for a name; only the
POST binds it (a link preview or a prefetch never creates a device). Joining appends
``device.joined``, replaces whatever session the browser had (a device joined earlier from
this browser is revoked: one browser, one device) and opens the device's own session.
A device that scans its own code again (its session still valid, same team or role, not
revoked) lands back on its device page: no second device, nothing to type.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access import join_tokens as join_codes
from controlroom.access.identity import device_target
from controlroom.access.join_tokens import JoinTarget
from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused
from controlroom.exercise.lifecycles import ClockPhase
from controlroom.exercise.state import Device
from controlroom.i18n import LANGUAGES, local
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web import params
from controlroom.web.auth import Viewer, current_viewer, language_of, start_session
from controlroom.web.devices.guard import CLEAR_SITE_DATA, translated
from controlroom.web.resources import resources

MAX_NAME = 80


async def join(request: Request) -> Response:
    res = resources(request)
    viewer = await current_viewer(request)
    language = _language(request, viewer)
    if not await res.join_attempts.available():  # too many wrong codes: pause all joining
        response = _page(request, "join/invalid.html", {}, language, 429)
        response.headers["Retry-After"] = "60"
        return response
    found = join_codes.find(
        [r.state for r in await res.exercises.refresh()],
        res.secret,
        request.path_params["token"],
    )
    if found is None:
        await res.join_attempts.spend()  # a wrong code uses up one attempt (on every worker)
        return _page(request, "join/invalid.html", {}, language, 404)
    exercise_id, target = found
    runtime = await res.exercises.get(exercise_id)
    if _is_own_device(viewer, runtime, target):
        return RedirectResponse(f"/exercises/{runtime.id}/device", status_code=303)
    if runtime.state.clock.phase is ClockPhase.ENDED:
        return _page(request, "join/invalid.html", {}, language, 410)
    error = ""
    if request.method == "POST":
        form = await request.form()
        language = params.language(form, "language", LANGUAGES) or language
        name = params.text(form, "name")[:MAX_NAME] or _suggested_name(runtime, target, language)
        try:
            return await _bind(request, viewer, runtime, target, name, language)
        except CommandRefused as refused:
            error = translated(request, language, refused, runtime.scenario)
    context = {
        "exercise_name": runtime.state.name,
        "target": target,
        "target_name": local(target.name, language, runtime.scenario.original_language)[0],
        "suggested_name": _suggested_name(runtime, target, language),
        "signed_in_user": viewer is not None and viewer.kind == "user",
        "error": error,
    }
    return _page(request, "join/confirm.html", context, language, 400 if error else 200)


async def ended(request: Request) -> Response:
    """Where a revoked or signed-out device lands: nothing of any exercise is shown."""
    viewer = await current_viewer(request)
    response = _page(request, "join/ended.html", {}, _language(request, viewer), 200)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


async def _bind(
    request: Request,
    viewer: Viewer | None,
    runtime: ExerciseRuntime,
    target: JoinTarget,
    name: str,
    language: str,
) -> Response:
    device = f"d{secrets.token_hex(8)}"
    team = target.id if target.kind == "team" else None
    role = target.id if target.kind == "actor" else None
    observer = target.kind == "observer"
    await runtime.execute(
        lambda s: commands.join_device(s, device, name, team=team, role=role, observer=observer)
    )
    if viewer is not None and viewer.kind == "device" and viewer.device:
        await _retire(request, viewer)
    response = RedirectResponse(f"/exercises/{runtime.id}/device", status_code=303)
    data = {
        "kind": "device",
        "role": target.kind,
        "name": name,
        "exercise": runtime.id,
        "device": device,
        "language": language,
    }
    if not observer:
        data["team" if target.kind == "team" else "actor_role"] = target.id
    await start_session(response, request, data)
    return response


def _is_own_device(viewer: Viewer | None, runtime: ExerciseRuntime, target: JoinTarget) -> bool:
    """Whether the browser is already a live device of this exercise, for this target."""
    if viewer is None or viewer.kind != "device" or viewer.exercise != runtime.id:
        return False
    device = runtime.state.devices.get(viewer.device or "")
    if device is None or device.revoked:
        return False
    return device_target(device.team, device.role, device.observer) == target.key


async def _retire(request: Request, viewer: Viewer) -> None:
    """The device this browser was before: revoked, so no stale device stays listed as live."""
    try:
        previous = await resources(request).exercises.get(viewer.exercise or "")
    except KeyError:
        return
    old = viewer.device or ""
    if old in previous.state.devices:
        await previous.execute(lambda s: commands.revoke_device(s, f"device:{old}", old))


def _suggested_name(runtime: ExerciseRuntime, target: JoinTarget, language: str) -> str:
    """The team's or role's name in the device's language, numbered: "Команда полиции 2"."""
    state = runtime.state
    same = [d for d in state.devices.values() if _joined(d, target)]
    name = local(target.name, language, state.scenario.original_language)[0]
    return f"{name} {len(same) + 1}"


def _joined(device: Device, target: JoinTarget) -> bool:
    """Whether ``device`` joined ``target`` (a team, an actor role, the observers)."""
    return device_target(device.team, device.role, device.observer) == target.key


def _language(request: Request, viewer: Viewer | None) -> str:
    return language_of(request, viewer)


def _page(
    request: Request, template: str, context: dict[str, object], language: str, status: int
) -> Response:
    return resources(request).pages.render(
        request, template, {"viewer": None, **context}, language=language, status=status
    )


routes: list[BaseRoute] = [
    Route("/join/ended", ended, name="join_ended"),
    Route("/join/{token}", join, methods=["GET", "POST"], name="join"),
]
