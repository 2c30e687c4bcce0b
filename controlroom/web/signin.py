"""Sign-in, sign-out and the first director's account. Design: docs/security.md."""

from __future__ import annotations

import dataclasses
import hmac

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.accounts import new_account, setup_token
from controlroom.i18n import LANGUAGES
from controlroom.web import params
from controlroom.web.auth import (
    checked_form,
    current_viewer,
    end_session,
    language_of,
    start_session,
)
from controlroom.web.resources import resources


def _next(request: Request, fallback: str = "/exercises") -> str:
    target = str(request.query_params.get("next") or fallback)
    return target if target.startswith("/") and not target.startswith("//") else fallback


def chosen_here(request: Request) -> bool:
    """Whether a language was picked on this very page (a link or the cookie it set)."""
    chosen = request.query_params.get("lang") or request.cookies.get("cr_lang")
    return chosen in LANGUAGES


async def home(request: Request) -> Response:
    viewer = await current_viewer(request)
    if viewer is None:
        return RedirectResponse("/signin", status_code=303)
    if viewer.kind == "device":
        return RedirectResponse(f"/exercises/{viewer.exercise}/device", status_code=303)
    return RedirectResponse("/exercises", status_code=303)


async def signin(request: Request) -> Response:
    res = resources(request)
    viewer = await current_viewer(request)
    language = language_of(request, viewer)
    _ = res.pages.translator(language).gettext
    error = ""
    if request.method == "POST":
        form = await request.form()
        account = await res.accounts.get(params.text(form, "name", strip=False))
        if account is not None and account.verify(params.text(form, "password", strip=False)):
            response = RedirectResponse(_next(request), status_code=303)
            if not chosen_here(request) and account.language in LANGUAGES:
                language = account.language  # the language this person chose last time
            elif account.language != language:
                await res.accounts.put(dataclasses.replace(account, language=language))
            await start_session(
                response,
                request,
                {"kind": "user", "role": account.role, "name": account.name, "language": language},
            )
            return response
        error = _("Wrong name or password.")
    return res.pages.render(
        request,
        "signin.html",
        {"error": error, "viewer": viewer},
        language=language,
        status=401 if error else 200,
    )


async def signout(request: Request) -> Response:
    viewer = await current_viewer(request)
    if viewer is not None:
        await checked_form(request, viewer)
    response = RedirectResponse("/signin", status_code=303)
    await end_session(response, request)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


async def setup(request: Request) -> Response:
    """Create the first director's account with the one-time token printed at first start."""
    res = resources(request)
    language = language_of(request, None)
    _ = res.pages.translator(language).gettext
    token = setup_token(res.secret, res.settings.admin_token)
    given = str(request.query_params.get("token", ""))
    if await res.accounts.all() or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(404, "Setup is closed.")
    error = ""
    if request.method == "POST":
        form = await request.form()
        try:
            account = new_account(
                params.text(form, "name", strip=False),
                "director",
                params.text(form, "password", strip=False),
                params.text(form, "display", strip=False),
            )
        except ValueError as problem:
            error = _(str(problem))
        else:
            await res.accounts.put(account)
            response = RedirectResponse("/exercises", status_code=303)
            await start_session(
                response,
                request,
                {"kind": "user", "role": "director", "name": account.name, "language": language},
            )
            return response
    return res.pages.render(
        request, "setup.html", {"error": error, "token": given, "viewer": None}, language=language
    )


routes: list[BaseRoute] = [
    Route("/", home, name="home"),
    Route("/signin", signin, methods=["GET", "POST"], name="signin"),
    Route("/signout", signout, methods=["POST"], name="signout"),
    Route("/setup", setup, methods=["GET", "POST"], name="setup"),
]
