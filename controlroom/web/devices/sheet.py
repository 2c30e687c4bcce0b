"""The printable sheet of join QR codes: a page per team and per actor role.

Design: docs/devices.md. The links point at the address the director opened this page
with, so print it from the laptop's network address (``http://192.168.x.y:8000``), not
from ``localhost``: a tablet cannot reach the laptop's ``localhost``. ``?base=`` overrides
the address, ``?target=team:<id>`` prints one page.
After ENDEX the codes join no more: the page says so and prints no card.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access import join_tokens as join_codes
from controlroom.access.join_tokens import JoinCode
from controlroom.access.permissions import DIRECTING
from controlroom.exercise.endex import ended
from controlroom.i18n import local
from controlroom.web.auth import language_of, requires
from controlroom.web.devices.guard import director_exercise
from controlroom.web.resources import resources


@dataclass(frozen=True, slots=True)
class SheetPage:
    code: JoinCode
    name: str
    url: str
    qr: Markup  # inline SVG


def join_base(request: Request) -> str:
    """Where tablets reach this server: ``?base=`` if it is a plain origin, else this request's."""
    given = str(request.query_params.get("base", "")).strip().rstrip("/")
    parts = urlsplit(given)
    if parts.scheme in ("http", "https") and parts.netloc and not parts.path and not parts.query:
        return given
    return str(request.base_url).rstrip("/")


def is_local_only(base: str) -> bool:
    """Whether ``base`` names this machine only (tablets could not reach it)."""
    host = urlsplit(base).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    # segno writes only its own markup around the URL's QR modules: safe to inline
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, title=url))


@requires(DIRECTING)
async def sheet(request: Request) -> Response:
    viewer, runtime = await director_exercise(request)
    res = resources(request)
    language = language_of(request, viewer)
    base = join_base(request)
    wanted = request.query_params.get("target")
    closed = ended(runtime.state)  # after ENDEX no code joins: no card to hand out
    pages = [
        SheetPage(
            code,
            local(code.target.name, language, runtime.scenario.original_language)[0],
            base + code.path,
            qr_svg(base + code.path),
        )
        for code in join_codes.codes(runtime.state, res.secret)
        if (wanted is None or code.target.key == wanted) and not closed
    ]
    context = {
        "viewer": viewer,
        "exercise": runtime.id,
        "exercise_name": runtime.state.name,
        "pages": pages,
        "ended": closed,
        "local_only": is_local_only(base),
        "base": base,
    }
    return res.pages.render(request, "join/sheet.html", context, language=language)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/devices/sheet", sheet, name="device_sheet"),
]
