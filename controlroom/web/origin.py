"""Same-origin checks for websocket handshakes and unsafe requests. Design: docs/security.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from controlroom.web.errors import error_page

CROSS_SITE = "Cross-site request refused."
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_PORT = re.compile(r"[0-9]{1,5}")

Site = tuple[str, str, int]  # (scheme, host, port)


def parse_origin(origin: str) -> Site | None:
    """``scheme://host[:port]`` as (scheme, host, port), or None for anything else.

    Refused: whitespace or control characters anywhere, userinfo (``user@``), a path, query
    or fragment, a scheme other than http(s), a host with characters a DNS name or an IP
    literal does not have, a port that is not 1-65535.
    """
    if not origin.isascii() or not origin.isprintable() or any(c.isspace() for c in origin):
        return None
    scheme, sep, rest = origin.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in DEFAULT_PORTS:
        return None
    rest = rest.removesuffix("/")
    if any(c in rest for c in "/?#@\\"):
        return None
    return _host_port(rest.lower(), DEFAULT_PORTS[scheme], scheme)


def _host_port(netloc: str, default: int, scheme: str) -> Site | None:
    if netloc.startswith("["):
        host, bracket, port_text = netloc.partition("]")
        host += bracket
        if port_text and not port_text.startswith(":"):
            return None
        has_port = bool(port_text)
        port_text = port_text[1:]
    else:
        host, colon, port_text = netloc.partition(":")
        has_port = bool(colon)
    if not _HOST.fullmatch(host):
        return None
    if has_port:
        if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            return None
        port = int(port_text)
    else:
        port = default
    return scheme, host, port


def parse_host(host: str, scheme: str) -> Site | None:
    """The ``Host`` header as a site of ``scheme`` (the scheme of the Origin it is compared to)."""
    if scheme not in DEFAULT_PORTS or not host.isascii() or any(c.isspace() for c in host):
        return None
    if any(c in host for c in "/?#@\\"):
        return None
    return _host_port(host.lower(), DEFAULT_PORTS[scheme], scheme)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Whether ``origin`` is this server (same host and port as ``Host``) or allowed.

    Origins are compared as parsed (scheme, host, port), never as text: a missing or
    ``null`` Origin, a look-alike such as ``http://127.0.0.1:8000.evil.example`` and anything
    odd (``parse_origin``) are refused.
    """
    if not origin or origin == "null" or not host:
        return False
    site = parse_origin(origin)
    if site is None:
        return False
    if site in {parse_origin(a) for a in allowed}:
        return True
    return parse_host(host, site[0]) == site


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
                response = error_page(scope, 403, CROSS_SITE)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
