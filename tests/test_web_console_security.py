"""Every state-changing route refuses a cross-site request and an observer's attempt to act.

The routes are enumerated from the application itself (``build_routes``), so a POST route
added later is tested here without anyone having to remember it.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Mount, Route

from controlroom.exercise import commands
from controlroom.web.routes import build_routes
from tests.support.console import Control

# POST routes an observer may use, each with the reason. Everything else must answer 403.
NOT_CONTROL_ACTIONS = {
    "/signin": "signing in is how an observer gets a session at all",
    "/signout": "anyone may end their own session",
    "/language": "anyone may choose the language they read",
    "/setup": "only open while there is no account; closed (404) here",
    "/join/{token}": "a team or actor device joins with its code, not with an account",
    "/exercises/{exercise}/log/observations": "observing is what observers are for",
    "/exercises/{exercise}/observe": "the observer's page: record or correct one's own observation",
    "/exercises/{exercise}/observe/{observation}/withdraw": "withdraw one's own observation",
    "/exercises/{exercise}/simcell/replies/{reply}/rate": "rating a team's reply is observing",
}
TEST_ONLY = "/test/"  # 404 unless CONTROLROOM_TEST_TOKENS is on (it is off here)
PARAMS = {
    "inject": "S-04",
    "request": "R001",
    "name": "carl",
    "token": "no-such-join-code",
    "device": "dev-1",
    "observation": "999",
    "team": "police",
}


def _all(routes: list[BaseRoute]) -> list[Route]:
    found: list[Route] = []
    for route in routes:
        if isinstance(route, Mount):
            found.extend(_all(list(route.routes)))
        elif isinstance(route, Route):
            found.append(route)
    return found


def post_paths() -> list[str]:
    return [r.path for r in _all(build_routes()) if r.methods and "POST" in r.methods]


def url(path: str, exercise: str) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: exercise if m[1] == "exercise" else PARAMS.get(m[1], "x"), path
    )


async def exercise_with_everything(control: Control) -> str:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.send_request(s, "police", "dev-1", None, "Help"))
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="police"))
    return runtime.id


def test_the_console_routes_are_all_enumerated() -> None:
    paths = post_paths()
    assert len(paths) >= 20
    for expected in ("/exercises/{exercise}/clock/endex", "/exercises/{exercise}/adhoc"):
        assert expected in paths


@pytest.mark.parametrize("path", post_paths())
async def test_a_cross_site_post_is_refused(control: Control, path: str) -> None:
    exercise = await exercise_with_everything(control)
    runtime = await control.resources.exercises.get(exercise)
    before = runtime.state.seq
    response = await control.post(
        url(path, exercise),
        {"reason": "x", "text": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403, response.text
    assert runtime.state.seq == before


@pytest.mark.parametrize("path", post_paths())
async def test_an_observer_cannot_act(control: Control, path: str) -> None:
    exercise = await exercise_with_everything(control)
    runtime = await control.resources.exercises.get(exercise)
    before = runtime.state.seq
    control.use("observer")
    form = {"reason": "x", "text": "x", "at": "D1 12:00", "speed": "2", "confirmed": "yes"}
    response = await control.post(url(path, exercise), form)
    if path in NOT_CONTROL_ACTIONS:
        return
    if path.startswith(TEST_ONLY):
        assert response.status_code == 404
        return
    assert response.status_code == 403, response.text
    assert runtime.state.seq == before


@pytest.mark.parametrize("path", [p for p in post_paths() if p.startswith("/exercises")])
async def test_a_post_without_the_csrf_token_is_refused(control: Control, path: str) -> None:
    exercise = await exercise_with_everything(control)
    runtime = await control.resources.exercises.get(exercise)
    before = runtime.state.seq
    response = await control.post(url(path, exercise), {"reason": "x"}, csrf=False)
    assert response.status_code == 403, response.text
    assert runtime.state.seq == before


async def test_observer_pages_hide_every_control_action(control: Control) -> None:
    exercise = await exercise_with_everything(control)
    control.use("observer")
    pages = ("", "/boards", "/simcell", "/simcell/R001", "/log", "/injects/S-04", "/matrix")
    for page in (*pages, "/observe"):
        html = (await control.get(f"/exercises/{exercise}{page}")).text
        actions = re.findall(r'<form method="post" action="([^"]+)"', html)
        allowed = {"/signout", "/language", f"/exercises/{exercise}/observe"}
        assert set(actions) <= allowed, (page, actions)
