"""A team opens one inject it received, reads its thread with control and replies to it.

Design: docs/devices.md ("Replies"). ``/exercises/{exercise}/team/injects/{inject}`` is the
team's live view showing that inject (an email opened from the mailbox, a call, a news
item), its replies and control's answers, and the reply form: with JavaScript the files are
uploaded as they are picked (``reply_files``) and the reply itself goes through the device's
outbox (``reply`` over the socket: kept offline, applied once); without, the form posts
here, files and text in one request (``POST .../reply``), and the page is shown again. The
post decides first (``precheck``) and stores its files only for a reply that would be
taken; should the runtime still refuse it (the state moved meanwhile), the files it added
are removed (``reply_files.stored_while``): a refused post leaves no file behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.delivery.audience import current_view
from controlroom.delivery.views import TeamInjectView
from controlroom.exercise import commands
from controlroom.exercise.precheck import check_decision
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.reply_events import MAX_FILES, ReplyKind, ReplySent
from controlroom.exercise.state import ExerciseState
from controlroom.web import params
from controlroom.web.auth import checked_form
from controlroom.web.devices.guard import DeviceAccess, device_page, translated
from controlroom.web.devices.reply_files import (
    check_upload,
    journal_record,
    stored_while,
    too_long,
)
from controlroom.web.devices.team import RequestForm, render_team_page
from controlroom.web.resources import resources


@dataclass(frozen=True, slots=True)
class ReplyForm:
    kind: str = ReplyKind.REPLY.value
    text: str = ""
    error: str = ""


def _received(access: DeviceAccess, inject: str) -> TeamInjectView:
    """The inject as the team has it (404 if it is not in the team's view)."""
    view = current_view(access.state, access.audience)
    for item in view.injects:
        if isinstance(item, TeamInjectView) and item.inject == inject:
            return item
    raise HTTPException(404)


async def _page(
    request: Request, access: DeviceAccess, inject: str, form: ReplyForm, status: int = 200
) -> Response:
    opened = _received(access, inject)
    extra = {
        "open_inject": opened.inject,
        "opened": opened,
        "reply_form": form,
        "max_reply_files": MAX_FILES,
        "max_file_mb": f"{resources(request).settings.max_reply_file_bytes / 1_000_000:g}",
    }
    return await render_team_page(
        request, access, RequestForm(), status, layout="open", extra=extra
    )


@device_page("team")
async def opened(request: Request, access: DeviceAccess) -> Response:
    return await _page(request, access, params.item_id(request, "inject"), ReplyForm())


@device_page("team")
async def reply(request: Request, access: DeviceAccess) -> Response:
    """A reply without JavaScript: its files and its text in one multipart post."""
    inject = params.item_id(request, "inject")
    _received(access, inject)
    team, device = access.viewer.team or "", access.device.id
    kind, text = ReplyKind.REPLY.value, ""
    try:
        if too_long(request, MAX_FILES):
            limit = resources(request).settings.max_reply_file_bytes
            raise CommandRefused(Refusal.FILE_TOO_BIG, most=f"{limit / 1_000_000:g}")
        form = await checked_form(request, access.viewer)
        kind, text = params.text(form, "kind") or kind, params.text(form, "text")
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if len(uploads) > MAX_FILES:
            raise CommandRefused(Refusal.TOO_MANY_FILES, most=MAX_FILES)
        checked = [await check_upload(request, access, f) for f in uploads]  # all, then store
        files = [journal_record(record) for record, _ in checked]

        def decide(state: ExerciseState) -> ReplySent | None:
            return commands.send_reply(state, team, device, inject, text, files, kind=kind)

        check_decision(access.state, decide)  # refused (ENDEX, a bad form): nothing stored
        await stored_while(
            resources(request).files, checked, lambda: access.runtime.execute(decide)
        )
    except CommandRefused as refused:
        error = translated(request, access.language, refused, access.runtime.scenario)
        return await _page(request, access, inject, ReplyForm(kind, text, error), 422)
    path = f"/exercises/{access.runtime.id}/team/injects/{inject}"
    return RedirectResponse(f"{path}#thread", status_code=303)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/team/injects/{inject}", opened, name="team_inject"),
    Route(
        "/exercises/{exercise}/team/injects/{inject}/reply",
        reply,
        methods=["POST"],
        name="team_reply",
    ),
]
