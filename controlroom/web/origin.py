"""Same-origin checks for websocket handshakes and unsafe requests. Design: docs/security.md."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Whether ``origin`` is this server (same scheme-less host:port as ``Host``) or allowed.

    A missing or ``null`` Origin is refused; the comparison is exact, so a look-alike such
    as ``http://127.0.0.1:8000.evil.example`` never passes.
    """
    if not origin or origin == "null" or not host:
        return False
    if origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.path not in ("", "/"):
        return False
    netloc = parts.netloc.lower()
    host = host.lower()
    default = {"http": ":80", "https": ":443"}[parts.scheme]
    return netloc == host or netloc + default == host or netloc == host + default


class OriginMiddleware:
    """Refuses a state-changing request whose Origin (or Referer) is another site.

    Browsers send ``Origin`` with every cross-site POST, so this stops cross-site request
    forgery before a handler runs; the per-session CSRF token checked by each form handler
    is the second lock.
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            source = headers.get("origin")
            if source is None and headers.get("referer"):
                referer = urlsplit(headers["referer"])
                source = f"{referer.scheme}://{referer.netloc}"
            if source is not None and not origin_allowed(source, headers.get("host"), self.allowed):
                response = PlainTextResponse("Cross-site request refused.", status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
