"""The interface language sticks (controlroom.web.language): a switch is kept in the session
and, for staff, on the account; the next sign-in starts in it; before signing in, a cookie."""

from __future__ import annotations

from controlroom.access.sessions import SESSION_COOKIE
from tests.support.console import PASSWORD, USERS, Control


async def test_a_staff_switch_lasts_across_pages_and_sign_ins(control: Control) -> None:
    page = await control.get("/exercises")
    assert '<html lang="en">' in page.text
    switched = await control.post("/language", {"language": "ru", "next": "/accounts?lang=en"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/accounts"  # a one-page ?lang= is not kept
    for path in ("/exercises", "/accounts"):
        page = await control.get(path)
        assert '<html lang="ru">' in page.text, path
    account = await control.resources.accounts.get(USERS["director"])
    assert account is not None and account.language == "ru"
    # the next sign-in, on a browser that says English, starts in Russian
    control.client.cookies.clear()
    signed = await control.client.post(
        "/signin",
        data={"name": USERS["director"], "password": PASSWORD},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert signed.status_code == 303
    page = await control.client.get("/exercises")
    assert '<html lang="ru">' in page.text


async def test_a_switch_keeps_the_csrf_token_for_the_other_open_pages(control: Control) -> None:
    token = await control.csrf()
    old = next(str(c.value) for c in control.client.cookies.jar if c.name == SESSION_COOKIE)
    switched = await control.post("/language", {"language": "ru", "next": "/exercises"})
    new = switched.cookies.get(SESSION_COOKIE)
    assert new and new != old  # a new session id...
    assert await control.resources.sessions.get(old) is None  # ...the old one gone
    control.client.cookies.clear()
    control.client.cookies.set(SESSION_COOKIE, new)
    page = await control.get("/exercises")
    assert f'value="{token}"' in page.text  # ...and the same token: open forms still post


async def test_a_switch_needs_the_csrf_token_and_a_known_language(control: Control) -> None:
    forged = await control.post("/language", {"language": "ru"}, csrf=False)
    assert forged.status_code == 403
    unknown = await control.post("/language", {"language": "xx"})
    assert unknown.status_code == 400
    elsewhere = await control.post("/language", {"language": "en", "next": "//evil.example/"})
    assert elsewhere.headers["location"] == "/"
    page = await control.get("/exercises")
    assert '<html lang="en">' in page.text


async def test_before_signing_in_the_choice_is_a_cookie(control: Control) -> None:
    control.client.cookies.clear()
    chosen = await control.client.post("/language", data={"language": "ru", "next": "/signin"})
    assert chosen.status_code == 303
    page = await control.client.get("/signin")
    assert '<html lang="ru">' in page.text
    signed = await control.client.post(
        "/signin", data={"name": USERS["observer"], "password": PASSWORD}
    )
    assert signed.status_code == 303
    account = await control.resources.accounts.get(USERS["observer"])
    assert account is not None and account.language == "ru"
