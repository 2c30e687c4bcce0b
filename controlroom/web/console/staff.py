"""The director manages the accounts of exercise control. Design: docs/console.md.

Directors, controllers and observers sign in with a name and a password (Argon2-hashed by
``controlroom.access.accounts``). Only a director sees this page, creates an account or sets a
new password for one; an existing name is never silently overwritten.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.accounts import STAFF_ROLES, ControlRole, new_account
from controlroom.access.permissions import DIRECTING
from controlroom.web import params
from controlroom.web.auth import checked_form, language_of, requires, viewer_of
from controlroom.web.console.actions import field
from controlroom.web.console.pages import render
from controlroom.web.resources import resources

PATH = "/accounts"


async def _page(
    request: Request, *, error: str = "", form: Any = None, status: int = 200
) -> Response:
    context = {
        "accounts": await resources(request).accounts.all(),
        "roles": STAFF_ROLES,
        "error": error,
        "form": form or {},
    }
    return await render(request, "console/accounts.html", context, status=status)


@requires(DIRECTING)
async def account_list(request: Request) -> Response:
    return await _page(request)


def _role(value: str) -> ControlRole:
    for role in STAFF_ROLES:
        if role == value:
            return role
    raise ValueError("Pick a role: director, controller or observer.")


@requires(DIRECTING)
async def create(request: Request) -> Response:
    viewer = await viewer_of(request)
    form = await checked_form(request, viewer)
    res = resources(request)
    _ = res.pages.translator(language_of(request, viewer)).gettext
    name = field(form, "name")
    try:
        account = new_account(
            name,
            _role(field(form, "role")),
            params.text(form, "password", strip=False),
            field(form, "display"),
        )
    except ValueError as problem:
        return await _page(request, error=_(str(problem)), form=form, status=422)
    if await res.accounts.get(account.name) is not None:
        error = _("There is already an account named %(name)s.", name=account.name)
        return await _page(request, error=error, form=form, status=409)
    await res.accounts.put(account)
    return RedirectResponse(PATH, status_code=303)


@requires(DIRECTING)
async def set_password(request: Request) -> Response:
    viewer = await viewer_of(request)
    form = await checked_form(request, viewer)
    res = resources(request)
    _ = res.pages.translator(language_of(request, viewer)).gettext
    current = await res.accounts.get(params.item_id(request, "name"))
    if current is None:
        raise HTTPException(404, "No such account.")
    try:
        renewed = new_account(
            current.name, current.role, params.text(form, "password", strip=False), current.display
        )
    except ValueError as problem:
        return await _page(request, error=_(str(problem)), status=422)
    await res.accounts.put(renewed)
    return RedirectResponse(PATH, status_code=303)


routes: list[BaseRoute] = [
    Route(PATH, account_list, name="accounts"),
    Route(PATH, create, methods=["POST"], name="account_create"),
    Route(f"{PATH}/{{name}}/password", set_password, methods=["POST"], name="account_password"),
]
