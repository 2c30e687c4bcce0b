"""Routes outside the console and devices: the health check and the favicon."""

from __future__ import annotations

from tests.support.console import Control

ICON_LINK = '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">'


async def test_healthz_says_ok(control: Control) -> None:
    response = await control.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_favicon_ico_is_the_projects_mark_not_a_404(control: Control) -> None:
    control.client.cookies.clear()  # a browser asks before anybody signs in
    icon = await control.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and "</svg>" in icon.text
    static = await control.get("/static/icons/favicon.svg")
    assert static.status_code == 200 and static.content == icon.content
    signin = await control.get("/signin")
    assert ICON_LINK in signin.text


async def test_console_pages_link_the_icon(control: Control) -> None:
    runtime = await control.exercise()
    for path in ("/exercises", f"/exercises/{runtime.id}", f"/exercises/{runtime.id}/log"):
        page = await control.get(path)
        assert page.status_code == 200, path
        assert ICON_LINK in page.text, path
