"""An inject's attachments, served only to those who may see the inject.

Design: docs/devices.md. A team device gets an attachment only if its team's current view
(the audience filter, ``current_view``) holds the inject and lists that attachment: never
one of another team's injects, of an unreleased inject, or a file the inject does not name.
Control and observers may open any inject's attachments. Anything else is a plain 404.

``/exercises/{exercise}/injects/{inject}/attachments/{name}`` shows the viewer (a page, or
only its content for the dashboard's viewer dialog); ``?raw=1`` is the file itself.
``name`` is the attachment's key (``Attachment.key``); the file is the one in the reader's
language (a device's own language; for staff, the page's), else the original, marked as
such. Markdown files are shown through the one Markdown renderer.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF, active_device
from controlroom.delivery.audience import current_view
from controlroom.delivery.markdown import render_markdown
from controlroom.delivery.render import ShownAttachment, shown_attachment
from controlroom.delivery.views import TeamInjectView
from controlroom.live.runtime import ExerciseRuntime
from controlroom.scenario import model
from controlroom.web import params
from controlroom.web.auth import Viewer, current_viewer, language_of
from controlroom.web.devices.guard import cut_off
from controlroom.web.resources import resources
from controlroom.web.templating import NO_STORE

TEXT_SUFFIXES = frozenset({".md", ".txt", ".csv"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
MAX_TEXT_BYTES = 1_000_000
SEES_EVERY_INJECT = STAFF
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True, slots=True)
class Attachment:
    inject: str
    shown: ShownAttachment
    path: Path

    @property
    def name(self) -> str:
        return self.shown.title

    @property
    def markdown(self) -> bool:
        return self.path.suffix.lower() == ".md"

    @property
    def kind(self) -> str:
        suffix = self.path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            return "text"
        if suffix in IMAGE_SUFFIXES:
            return "image"
        return "pdf" if suffix == ".pdf" else "file"

    @property
    def media_type(self) -> str:
        if self.kind == "text":
            return "text/plain; charset=utf-8"
        return mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"


async def attachment(request: Request) -> Response:
    viewer = await current_viewer(request)
    exercise_id = params.exercise_id(request)
    if viewer is None:
        raise HTTPException(404)
    try:
        runtime = await resources(request).exercises.get(exercise_id)
    except KeyError:
        raise HTTPException(404) from None
    if viewer.kind == "device":
        device = active_device(runtime.state, viewer.device)
        if viewer.exercise != exercise_id or device is None:
            return await cut_off(request)
    language = viewer.language if viewer.kind == "device" else language_of(request, viewer)
    found = _allowed(request, viewer, runtime, language)
    if request.query_params.get("raw"):
        return _raw(found)
    text = _text(found) if found.kind == "text" else ""
    context = {
        "viewer": None if viewer.kind == "device" else viewer,
        "attachment": found,
        "text": text,
        "html": render_markdown(text) if found.markdown else "",
        "raw_url": f"{request.url.path}?raw=1",
    }
    return resources(request).pages.render(
        request, "team/attachment.html", context, language=language
    )


def _allowed(
    request: Request, viewer: Viewer, runtime: ExerciseRuntime, language: str
) -> Attachment:
    inject_id = params.item_id(request, "inject")
    name = params.file_name(request, "name")
    state = runtime.state
    if viewer.role in SEES_EVERY_INJECT and viewer.kind == "user":
        inject = state.injects.get(inject_id)
        listed: tuple[model.Attachment, ...] = tuple(inject.attachments) if inject else ()
    elif viewer.role == "team" and viewer.team is not None:
        view = current_view(state, viewer.identity(runtime.id).audience)
        mine = [v for v in view.injects if isinstance(v, TeamInjectView) and v.inject == inject_id]
        listed = mine[0].attachments if mine else ()
    else:
        listed = ()
    item = next((a for a in listed if a.key == name), None)
    if item is None:
        raise HTTPException(404)
    shown = shown_attachment(item, language, state.scenario.original_language)
    folder = resources(request).scenarios.attachments_dir(state.scenario.id).resolve()
    path = (folder / shown.file).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise HTTPException(404)
    return Attachment(inject_id, shown, path)


def _raw(found: Attachment) -> Response:
    headers = {
        **NO_STORE,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    if found.kind != "pdf":  # a sandbox would stop the browser's own PDF viewer
        headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        )
    return FileResponse(found.path, media_type=found.media_type, headers=headers)


def _text(found: Attachment) -> str:
    with found.path.open("rb") as file:
        return file.read(MAX_TEXT_BYTES).decode("utf-8", errors="replace")


routes: list[BaseRoute] = [
    Route(
        "/exercises/{exercise}/injects/{inject}/attachments/{name}",
        attachment,
        name="inject_attachment",
    ),
]
