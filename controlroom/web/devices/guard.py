"""Who may open a device page: a device joined to this exercise and not revoked.

Design: docs/devices.md. Revocation is an event in the exercise's journal, so every worker
refuses a revoked device on its next request; the device's session is deleted there and
then, and the browser is told to clear what it kept (``Clear-Site-Data``). A device's
language lives in its session: ``?lang=xx`` on a device page changes it for good.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Literal
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from controlroom.access.permissions import DIRECTING, active_device
from controlroom.access.sessions import SESSION_COOKIE
from controlroom.exercise.refusals import CommandRefused
from controlroom.exercise.state import Device, ExerciseState
from controlroom.i18n import LANGUAGES
from controlroom.live.runtime import ExerciseRuntime
from controlroom.scenario.model import Scenario
from controlroom.web import params
from controlroom.web.auth import Viewer, current_viewer, end_session, start_session
from controlroom.web.refusal import refusal_text
from controlroom.web.resources import resources

DeviceKind = Literal["team", "actor"]
ENDED_PATH = "/join/ended"
CLEAR_SITE_DATA = '"cache", "storage"'
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


@dataclass(frozen=True, slots=True)
class DeviceAccess:
    """A device's request, checked: its viewer, its exercise and its device record."""

    viewer: Viewer
    runtime: ExerciseRuntime
    device: Device

    @property
    def state(self) -> ExerciseState:
        return self.runtime.state

    @property
    def language(self) -> str:
        return self.viewer.language

    @property
    def audience(self) -> str:
        return self.viewer.identity(self.runtime.id).audience


DeviceEndpoint = Callable[[Request, DeviceAccess], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def device_page(kind: DeviceKind | None = None) -> Callable[[DeviceEndpoint], Endpoint]:
    """Only a live device of the exercise in the path (of ``kind``, if given) gets through."""

    def decorate(endpoint: DeviceEndpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            viewer = await current_viewer(request)
            exercise_id = params.exercise_id(request)
            if viewer is None or viewer.kind != "device" or viewer.exercise != exercise_id:
                if request.method == "GET":
                    return RedirectResponse("/", status_code=303)
                raise HTTPException(403, "This device has not joined this exercise.")
            try:
                runtime = await resources(request).exercises.get(exercise_id)
            except KeyError:
                return await cut_off(request)
            device = active_device(runtime.state, viewer.device)
            if device is None:
                return await cut_off(request)
            if kind is not None and viewer.role != kind:
                raise HTTPException(403, "This page is for another kind of device.")
            wanted = request.query_params.get("lang")
            if request.method == "GET" and wanted in LANGUAGES and wanted != viewer.language:
                return await _switch_language(request, viewer, str(wanted))
            return await endpoint(request, DeviceAccess(viewer, runtime, device))

        return guarded

    return decorate


async def cut_off(request: Request) -> Response:
    """End a revoked (or orphaned) device's session and send it where nothing is shown."""
    response: Response
    if request.headers.get("HX-Request") == "true":
        response = Response(status_code=200, headers={"HX-Redirect": ENDED_PATH})
    else:
        response = RedirectResponse(ENDED_PATH, status_code=303)
    await end_session(response, request)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Cache-Control"] = "no-store"
    return response


async def _switch_language(request: Request, viewer: Viewer, language: str) -> Response:
    """Keep the device's new language in its session (a new session: no update in place)."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    target = request.url.path + (f"?{urlencode(query)}" if query else "")
    response = RedirectResponse(target, status_code=303)
    if request.headers.get("Sec-Fetch-Site", "none") not in SAME_SITE_FETCHES:
        return response  # a link from another site does not change a device's settings
    data = await resources(request).sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    if data is not None:
        data.pop("csrf", None)
        await start_session(response, request, {**data, "language": language})
    return response


async def director_exercise(request: Request) -> tuple[Viewer, ExerciseRuntime]:
    """The director and the exercise in the path (for routes already behind ``requires``)."""
    viewer = await current_viewer(request)
    if viewer is None or viewer.role not in DIRECTING:
        raise HTTPException(403, "Only the exercise director manages devices.")
    runtime = await params.exercise(request)
    return viewer, runtime


def translated(request: Request, language: str, refused: CommandRefused, scenario: Scenario) -> str:
    """A refusal (from an exercise command) in the viewer's language."""
    return refusal_text(refused, resources(request).pages.translator(language), scenario)
