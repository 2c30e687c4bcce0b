"""Who is signed in, what they may do, and their CSRF token. Design: docs/security.md.

The session cookie holds only an opaque id; the session itself (who, which role, which
exercise or device, the CSRF token, the language) lives server-side in the session store,
so signing out or revoking a device takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from controlroom.access.identity import Identity, Role
from controlroom.access.permissions import CONTROLLING
from controlroom.access.sessions import DEFAULT_TTL, SESSION_COOKIE
from controlroom.i18n import LANGUAGES, negotiate
from controlroom.web.resources import resources

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person or device behind a request."""

    session_id: str
    kind: str  # "user" or "device"
    role: Role
    name: str
    csrf: str
    language: str
    exercise: str | None = None  # devices are bound to one exercise
    team: str | None = None
    actor_role: str | None = None
    device: str | None = None

    def identity(self, exercise: str) -> Identity:
        principal = self.device or self.name
        return Identity(
            exercise, self.role, principal, self.team, self.actor_role, self.device, self.language
        )

    @property
    def can_control(self) -> bool:
        return self.role in CONTROLLING


async def current_viewer(conn: HTTPConnection) -> Viewer | None:
    """The viewer of a request or socket, or None (cached on the connection's scope)."""
    if "controlroom.viewer" in conn.scope:
        cached: Viewer | None = conn.scope["controlroom.viewer"]
        return cached
    viewer = None
    session_id = conn.cookies.get(SESSION_COOKIE)
    if session_id:
        data = await resources(conn).sessions.get(session_id)
        if data is not None:
            viewer = Viewer(
                session_id=session_id,
                kind=data["kind"],
                role=data["role"],
                name=data.get("name", ""),
                csrf=data["csrf"],
                language=data.get("language", "en"),
                exercise=data.get("exercise"),
                team=data.get("team"),
                actor_role=data.get("actor_role"),
                device=data.get("device"),
            )
            conn.scope["controlroom.csrf"] = viewer.csrf
    conn.scope["controlroom.viewer"] = viewer
    return viewer


def language_of(request: Request, viewer: Viewer | None) -> str:
    """``?lang=`` for one page; else the viewer's chosen language (kept in the session, see
    web/language.py); else, before signing in, the ``cr_lang`` cookie or the browser's."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if viewer is not None:
        return viewer.language
    cookie = request.cookies.get("cr_lang")
    if cookie in LANGUAGES:
        return cookie
    return negotiate(request.headers.get("accept-language", ""))


async def start_session(response: Response, request: Request, data: dict[str, Any]) -> str:
    """Create a server-side session and set its cookie on ``response``."""
    store = resources(request).sessions
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await store.delete(old)  # no session fixation: a new id at every sign-in
    session_id = await store.create({**data, "csrf": secrets.token_urlsafe(32)})
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=DEFAULT_TTL,
        httponly=True,
        samesite="lax",
        secure=resources(request).settings.secure_cookies,
    )
    return session_id


async def end_session(response: Response, request: Request) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await resources(request).sessions.delete(session_id)
    response.delete_cookie(SESSION_COOKIE)


async def checked_form(request: Request, viewer: Viewer) -> FormData:
    """The posted form, after checking the session's CSRF token (form field or header)."""
    form = await request.form()
    token = str(form.get("csrf") or request.headers.get("X-CSRF-Token") or "")
    if not hmac.compare_digest(token.encode(), viewer.csrf.encode()):  # bytes: any text
        raise HTTPException(403, "The form has expired or came from another site. Reload the page.")
    return form


def requires(roles: frozenset[Role]) -> Callable[[Endpoint], Endpoint]:
    """Only viewers with a role in ``roles`` (a named set of ``access.permissions``) get
    through; others are sent to sign in or refused."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            viewer = await current_viewer(request)
            if viewer is None:
                if request.method == "GET":
                    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
                raise HTTPException(401, "Sign in first.")
            if viewer.role not in roles or viewer.kind != "user":  # an observer's tablet too
                raise HTTPException(403, "Your role cannot do this.")
            return await endpoint(request)

        return guarded

    return decorate


async def viewer_of(request: Request) -> Viewer:
    """The viewer of a request already let through by ``requires``."""
    viewer = await current_viewer(request)
    if viewer is None:
        raise HTTPException(401, "Sign in first.")
    return viewer
