"""The console in-process: the real app (lifespan, middleware, routes) behind a test client.

``control`` (a fixture) starts the application on a memory journal with the ``mini`` test
scenario, creates the first director through ``/setup`` and a controller and an observer
through the director's account page. ``control.use("observer")`` switches who is signed in;
``control.post(path, data)`` adds the signed-in user's CSRF token. A test module changes
settings (``injects_dir``, ``ack_alert_seconds``...) by overriding ``console_settings``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from controlroom.access import accounts
from controlroom.access.sessions import SESSION_COOKIE
from controlroom.app import create_app
from controlroom.live.runtime import ExerciseRuntime
from controlroom.settings import Settings
from controlroom.web.resources import Resources

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "fixtures" / "scenarios"
ADMIN_TOKEN = "console-admin-token"
PASSWORD = "correct horse battery"
USERS = {"director": "dina", "controller": "carl", "observer": "olga"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Control:
    def __init__(self, client: httpx.AsyncClient, resources: Resources) -> None:
        self.client = client
        self.resources = resources
        self._cookies: dict[str, str] = {}
        self._csrf: dict[str, str] = {}
        self.who = ""

    async def setup(self) -> None:
        name = USERS["director"]
        form = {"name": name, "password": PASSWORD, "display": "Dina"}
        response = await self.client.post(f"/setup?token={ADMIN_TOKEN}", data=form)
        assert response.status_code == 303, response.text
        self._remember("director")
        for role in ("controller", "observer"):
            created = await self.post(
                "/accounts", {"name": USERS[role], "role": role, "password": PASSWORD}
            )
            assert created.status_code == 303, created.text
        for role in ("controller", "observer"):
            self.client.cookies.clear()
            signed = await self.client.post(
                "/signin", data={"name": USERS[role], "password": PASSWORD}
            )
            assert signed.status_code == 303, signed.text
            self._remember(role)
        self.use("director")

    def _remember(self, role: str) -> None:
        self._cookies[role] = str(self.client.cookies.get(SESSION_COOKIE))
        self.who = role
        self._csrf.pop(role, None)

    def use(self, role: str) -> Control:
        self.client.cookies.clear()
        self.client.cookies.set(SESSION_COOKIE, self._cookies[role])
        self.who = role
        return self

    async def csrf(self) -> str:
        if self.who not in self._csrf:
            page = await self.client.get("/exercises")
            found = _CSRF.search(page.text)
            assert found, page.text
            self._csrf[self.who] = found[1]
        return self._csrf[self.who]

    async def get(self, path: str, *, htmx: bool = False) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return await self.client.get(path, headers=headers)

    async def post(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["csrf"] = await self.csrf()
        sent = {**({"HX-Request": "true"} if htmx else {}), **(headers or {})}
        return await self.client.post(path, data=form, headers=sent)

    async def exercise(self, name: str = "Test run") -> ExerciseRuntime:
        """A new exercise of the ``mini`` scenario, created through the console."""
        created = await self.post("/exercises", {"scenario": "mini", "name": name})
        assert created.status_code == 303, created.text
        exercise_id = created.headers["location"].rsplit("/", 1)[-1]
        return await self.resources.exercises.get(exercise_id)


def settings(tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "injects_dir": SCENARIOS,
        "journal_url": "memory://",
        "admin_token": ADMIN_TOKEN,
        "secret_key": "console-test-secret-of-32-characters",
        **changes,
    }
    return Settings(**values)


@pytest.fixture
def console_settings() -> dict[str, Any]:
    """Settings a test module changes by overriding this fixture."""
    return {}


@pytest.fixture
async def control(
    tmp_path: Path, console_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Control]:
    # Argon2 at its lightest: these tests are about the console, not the hash's cost.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    app = create_app(settings(tmp_path, **console_settings))
    async with serving(app) as (client, resources):
        console = Control(client, resources)
        await console.setup()
        yield console


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[tuple[httpx.AsyncClient, Resources]]:
    """The app with its lifespan run, behind an in-process HTTP client."""
    async with app.router.lifespan_context(app) as state:
        assert state is not None

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state)}, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", follow_redirects=False
        ) as client:
            yield client, state["resources"]
