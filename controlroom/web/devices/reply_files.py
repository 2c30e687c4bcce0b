"""Files a team sends with a reply: the upload (a team device) and the file itself (the team,
control). Design: docs/security.md ("Files teams send") and docs/devices.md.

``POST /exercises/{exercise}/team/files`` (multipart: ``file`` and ``csrf``, or the
``X-CSRF-Token`` header) stores one file and answers ``201 {"id", "name", "type", "size"}``;
the reply (an outbox action over the socket, ``reply``) then names it by id. A refused file
is answered ``413``/``415``/``422`` ``{"code", "error"}`` (the reason in the device's
language) and nothing is stored. What is checked, in this order: a ``Content-Length`` no
bigger than the limit allows, the CSRF token, a plain file name (``files.sniff``), the size
(``max_reply_file_bytes``), that it is not empty, and its type by its first bytes (PDF, JPEG,
PNG): never the name or the Content-Type the browser claimed.

``GET /exercises/{exercise}/files/{id}`` serves a file to its team's live devices and to the
staff (``access.permissions.reads_team_file``); to anyone else, a 404 as for a file that
does not exist. It is sent with the sniffed type, ``Content-Disposition`` (inline, with the
display name; ``?download=1``: attachment), ``X-Content-Type-Options: nosniff``, no caching,
and a sandbox CSP for images.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import active_device, reads_team_file
from controlroom.exercise.events import ReplyFile
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.files.blobs import BlobStore, StoredFile, describe
from controlroom.files.sniff import display_name, sniff
from controlroom.web import params
from controlroom.web.auth import checked_form, current_viewer
from controlroom.web.devices.guard import DeviceAccess, device_page, translated
from controlroom.web.resources import resources
from controlroom.web.templating import NO_STORE

T = TypeVar("T")

FORM_OVERHEAD = 64_000  # what a multipart form adds to its file (boundaries, the token)
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
STATUS = {
    Refusal.FILE_TOO_BIG: 413,
    Refusal.FILE_TYPE: 415,
}


async def team_files(
    store: BlobStore, exercise: str, team: str, ids: Sequence[str]
) -> tuple[ReplyFile, ...]:
    """The records of ``team``'s own uploads ``ids`` (``NO_FILE`` for any other id)."""
    found = []
    for file_id in ids:
        record = await store.record(file_id)
        if record is None or record.exercise != exercise or record.team != team:
            raise CommandRefused(Refusal.NO_FILE)
        found.append(journal_record(record))
    return tuple(found)


def journal_record(record: StoredFile) -> ReplyFile:
    """What the journal keeps of a file: never its bytes."""
    return ReplyFile(
        id=record.id, name=record.name, type=record.type, size=record.size, sha256=record.sha256
    )


async def stored_while(
    store: BlobStore, checked: Sequence[tuple[StoredFile, bytes]], act: Callable[[], Awaitable[T]]
) -> T:
    """Store ``checked`` files, then ``act`` (the command that names them). If ``act`` is
    refused, the files this call added are removed again: a refused post leaves no file
    behind. A file the store held already (the same file sent before: the same id) stays."""
    added = []
    for record, data in checked:
        if await store.record(record.id) is None:
            added.append(record.id)
        await store.put(record, data)
    try:
        return await act()
    except CommandRefused:
        for file_id in added:
            await store.remove(file_id)
        raise


async def store_upload(request: Request, access: DeviceAccess, upload: UploadFile) -> StoredFile:
    """Check one uploaded file and store it (``CommandRefused`` saying why not)."""
    record, data = await check_upload(request, access, upload)
    await resources(request).files.put(record, data)
    return record


async def check_upload(
    request: Request, access: DeviceAccess, upload: UploadFile
) -> tuple[StoredFile, bytes]:
    """One uploaded file's record and bytes, checked (``CommandRefused`` saying why not)."""
    limit = resources(request).settings.max_reply_file_bytes
    name = display_name(upload.filename or "")
    if name is None:
        raise CommandRefused(Refusal.FILE_NAME)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise CommandRefused(Refusal.FILE_TOO_BIG, most=_megabytes(limit))
    if not data:
        raise CommandRefused(Refusal.FILE_EMPTY)
    media = sniff(data[:16])
    if media is None:
        raise CommandRefused(Refusal.FILE_TYPE)
    return describe(access.runtime.id, access.viewer.team or "", name, media, data), data


def too_long(request: Request, files: int = 1) -> bool:
    """Whether the request says it is bigger than ``files`` files at the limit can be."""
    limit = resources(request).settings.max_reply_file_bytes
    try:
        length = int(request.headers.get("content-length") or -1)
    except ValueError:
        return True
    return length < 0 or length > files * limit + FORM_OVERHEAD


def disposition(how: str, name: str) -> str:
    """``inline``/``attachment`` with the display name: ASCII fallback and RFC 5987 form."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g}"


@device_page("team")
async def upload(request: Request, access: DeviceAccess) -> Response:
    limit = resources(request).settings.max_reply_file_bytes
    try:
        if too_long(request):
            raise CommandRefused(Refusal.FILE_TOO_BIG, most=_megabytes(limit))
        form = await checked_form(request, access.viewer)
        sent = form.get("file")
        if not isinstance(sent, UploadFile):
            raise CommandRefused(Refusal.FILE_TYPE)
        record = await store_upload(request, access, sent)
    except CommandRefused as refused:
        message = translated(request, access.language, refused, access.runtime.scenario)
        return JSONResponse(
            {"code": refused.code.value, "error": message},
            status_code=STATUS.get(refused.code, 422),
            headers=NO_STORE,
        )
    body = {"id": record.id, "name": record.name, "type": record.type, "size": record.size}
    return JSONResponse(body, status_code=201, headers=NO_STORE)


async def fetch(request: Request) -> Response:
    viewer = await current_viewer(request)
    exercise_id = params.exercise_id(request)
    file_id = params.item_id(request, "file")
    if viewer is None:
        raise HTTPException(404)
    try:
        runtime = await resources(request).exercises.get(exercise_id)
    except KeyError:
        raise HTTPException(404) from None
    store = resources(request).files
    record = await store.record(file_id)
    if record is None or record.exercise != exercise_id:
        raise HTTPException(404)
    if viewer.kind == "device" and (
        viewer.exercise != exercise_id or active_device(runtime.state, viewer.device) is None
    ):
        raise HTTPException(404)
    if not reads_team_file(viewer.kind, viewer.role, viewer.team, record.team):
        raise HTTPException(404)
    data = await store.read(file_id)
    if data is None:
        raise HTTPException(404)
    how = "attachment" if request.query_params.get("download") else "inline"
    headers = {
        **NO_STORE,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": disposition(how, record.name),
    }
    if record.type != "application/pdf":  # a sandbox would stop the browser's PDF viewer
        headers["Content-Security-Policy"] = SANDBOX
    return Response(data, media_type=record.type, headers=headers)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/team/files", upload, methods=["POST"], name="team_upload"),
    Route("/exercises/{exercise}/files/{file}", fetch, name="team_file"),
]
