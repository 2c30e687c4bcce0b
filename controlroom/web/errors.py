"""Error pages and the one place that turns an unreachable backend into a 503. Design: docs/web.md.

* ``http_error`` (the app's ``HTTPException`` handler) renders every 4xx (400, 403, 404,
  409...) as a page in the site's layout, translated, with a way back.
* ``Unavailability`` (a middleware in the app factory's explicit list, so the exercise
  socket gets it too) catches the journal or Redis being unreachable
  (``JournalUnavailable``, redis' ``ConnectionError``/``TimeoutError``, an ``OSError`` from
  the store): a page gets a 503 page with ``Retry-After`` and a retry hint, a socket the
  ``unavailable`` error frame and a close with 1013 (try again; hx-ws reconnects).
* ``Outage`` logs ONE line per outage (not a traceback per request): the first failure
  after a quiet spell of ``QUIET_SECONDS`` is logged, the rest are counted.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from typing import Any

import redis.exceptions
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from controlroom.delivery.frames import error_frame
from controlroom.i18n import LANGUAGES, negotiate
from controlroom.journal import JournalUnavailable

logger = logging.getLogger("controlroom.web")

UNAVAILABLE: tuple[type[BaseException], ...] = (
    JournalUnavailable,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)
# OSErrors that are a missing or misplaced file (a bug or a bad path), not an outage
NOT_AN_OUTAGE = (FileNotFoundError, IsADirectoryError, NotADirectoryError)
RETRY_AFTER_SECONDS = 5
QUIET_SECONDS = 60.0
TRY_AGAIN_CLOSE = 1013


def _(message: str) -> str:
    """Marks a message for translation (translated when the page is rendered)."""
    return message


TITLES = {
    400: _("This request is not valid"),
    401: _("Sign in first."),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Not allowed"),
    409: _("Not done"),
    410: _("Not found"),
    413: _("This request is not valid"),
    429: _("Too many attempts"),
    503: _("Try again in a moment"),
}
DEFAULT_MESSAGES = {
    400: _("A field of the form is not valid. Go back and try again."),
    403: _("You cannot open this page."),
    404: _("No such page."),
    405: _("You cannot open this page."),
    503: _(
        "The exercise's journal cannot be reached right now; nothing was lost. "
        "Try again in a few seconds."
    ),
}
GENERIC_TITLE = _("Something went wrong")
UNAVAILABLE_FRAME = _("Not saved: try again in a moment.")


class Outage:
    """One log line per outage: failures closer than ``quiet`` seconds are the same outage."""

    def __init__(self, quiet: float = QUIET_SECONDS, now: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.now = now
        self.last: float | None = None
        self.failures = 0

    def report(self, error: BaseException, where: str) -> None:
        """Count a failure; log it if it starts an outage nobody has logged yet."""
        now = self.now()
        if self.last is None or now - self.last > self.quiet:
            self.failures = 0
            if not getattr(error, "logged", False):  # a Redis client logged this outage itself
                logger.warning(
                    "backend unavailable (%s at %s): answering 503 / 'unavailable' until back",
                    _describe(error),
                    where,
                )
        self.last = now
        self.failures += 1


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def error_page(
    scope: Scope, status: int, detail: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """An error page in the site's layout, in the viewer's language (plain text if the app
    has no pages yet: a request before the lifespan)."""
    request = Request(scope)
    pages = _pages(scope)
    phrase = http.client.responses.get(status, "")
    if not detail or detail == phrase:
        detail = DEFAULT_MESSAGES.get(status, phrase)
    if pages is None:
        return PlainTextResponse(detail, status_code=status, headers=headers)
    language = _language(request)
    gettext = pages.translator(language).gettext
    context = {
        "viewer": None,
        "status": status,
        "title": gettext(TITLES.get(status, GENERIC_TITLE)),
        "message": gettext(detail),
        "retry": status == 503,
        "retry_after": RETRY_AFTER_SECONDS,
        "again": request.url.path if request.method == "GET" else None,
    }
    response: HTMLResponse = pages.render(
        request, "error.html", context, language=language, status=status, block=None
    )
    response.headers.update(headers or {})
    return response


def _pages(scope: Scope) -> Any:
    state = scope.get("state") or {}
    resources = state.get("resources") if isinstance(state, dict) else None
    return getattr(resources, "pages", None)


def _language(request: Request) -> str:
    viewer = request.scope.get("controlroom.viewer")  # once looked up: their chosen language
    language = getattr(viewer, "language", None)
    chosen = request.query_params.get("lang") or language or request.cookies.get("cr_lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return negotiate(request.headers.get("accept-language", ""))


async def http_error(request: Request, exc: Exception) -> Response:
    """The app's handler of ``HTTPException``: every 4xx as a page."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    return error_page(request.scope, exc.status_code, exc.detail, headers)


def unavailable_page(scope: Scope) -> Response:
    return error_page(scope, 503, None, {"Retry-After": str(RETRY_AFTER_SECONDS)})


class Unavailability:
    """Turns the journal or Redis being unreachable into a 503 page or an ``unavailable``
    frame, and reports the outage once (``Outage``)."""

    def __init__(self, app: ASGIApp, outage: Outage) -> None:
        self.app = app
        self.outage = outage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept", "websocket.close"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except UNAVAILABLE as error:
            if isinstance(error, NOT_AN_OUTAGE):
                raise
            self.outage.report(error, f"{scope.get('method', 'WS')} {scope['path']}")
            if scope["type"] == "http":
                if not started:
                    await unavailable_page(scope)(scope, receive, send)
                return
            if not started:
                await send({"type": "websocket.accept"})
            frame = error_frame("unavailable", UNAVAILABLE_FRAME)
            try:
                await send({"type": "websocket.send", "text": frame})
                await send({"type": "websocket.close", "code": TRY_AGAIN_CLOSE})
            except Exception:  # the client is gone too: nothing to tell it
                return
