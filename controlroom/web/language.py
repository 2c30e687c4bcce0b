"""The interface language a person chose, kept where it lasts. Design: docs/web.md.

A switch (``POST /language``) applies at once and sticks: for staff in their session and on
their account (the next sign-in starts in it), for a device in its session; before signing in,
in a ``cr_lang`` cookie. The page that switched is shown again in the new language; its other
open pages' sockets follow without a reload (``socket.js`` sends them a ``language`` message,
and the hub re-renders their view in it).
"""

from __future__ import annotations

import dataclasses

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.sessions import DEFAULT_TTL, SESSION_COOKIE
from controlroom.i18n import LANGUAGES
from controlroom.web.auth import Viewer, checked_form, current_viewer
from controlroom.web.resources import resources

LANGUAGE_COOKIE = "cr_lang"


def _back(target: str) -> str:
    """Where to go after a switch: a path of this site only, without its ``lang``."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    path, _, query = target.partition("?")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("lang="))
    return path + (f"?{kept}" if kept else "")


async def choose_language(request: Request) -> Response:
    viewer = await current_viewer(request)
    form = await (request.form() if viewer is None else checked_form(request, viewer))
    language = str(form.get("language") or "")
    if language not in LANGUAGES:
        raise HTTPException(400, "That language is not offered.")
    response = RedirectResponse(_back(str(form.get("next") or "/")), status_code=303)
    if viewer is None:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=DEFAULT_TTL, httponly=True, samesite="lax"
        )
    else:
        await remember(request, response, viewer, language)
    return response


async def remember(request: Request, response: Response, viewer: Viewer, language: str) -> None:
    """Keep ``language`` in the viewer's session (and account, for staff) from now on."""
    res = resources(request)
    if viewer.kind == "user":
        account = await res.accounts.get(viewer.name)
        if account is not None and account.language != language:
            await res.accounts.put(dataclasses.replace(account, language=language))
    if viewer.language == language:
        return
    data = await res.sessions.get(viewer.session_id)
    if data is None:
        return
    # Stores have no update in place: a new session with the same contents (the CSRF token
    # too, so the person's other open pages keep working), the old one removed.
    session_id = await res.sessions.create({**data, "language": language})
    await res.sessions.delete(viewer.session_id)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=DEFAULT_TTL,
        httponly=True,
        samesite="lax",
        secure=res.settings.secure_cookies,
    )


routes: list[BaseRoute] = [
    Route("/language", choose_language, methods=["POST"], name="language"),
]
