"""The devices part in-process: the real app, one exercise, a director, and joined tablets.

``venue`` (a fixture; import it into a test module) runs the application on a memory
journal with the ``mini`` scenario (teams ``police`` and ``labour``, actor roles ``caller``
and ``worker``), signs the director in through ``/setup`` and creates one exercise. Each
signed-in party (the director, each tablet) is a cookie; ``venue.use(cookie)`` switches.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from controlroom.access import join_tokens as join
from controlroom.access.accounts import new_account
from controlroom.access.sessions import SESSION_COOKIE
from controlroom.app import create_app
from controlroom.exercise.commands import Decision
from controlroom.exercise.state import ExerciseState
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web.resources import Resources
from tests.support.console import ADMIN_TOKEN, PASSWORD, serving, settings

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Tablet:
    cookie: str
    device: str
    target: str


class Venue:
    def __init__(self, client: httpx.AsyncClient, resources: Resources) -> None:
        self.client = client
        self.resources = resources
        self.director = ""
        self.runtime: ExerciseRuntime

    async def setup(self) -> None:
        form = {"name": "dina", "password": PASSWORD, "display": "Dina"}
        made = await self.client.post(f"/setup?token={ADMIN_TOKEN}", data=form)
        assert made.status_code == 303, made.text
        self.director = str(self.client.cookies.get(SESSION_COOKIE))
        scenario = self.resources.scenarios.get("mini")
        self.runtime = await self.resources.exercises.create(scenario, "Venue test", "dina")

    @property
    def id(self) -> str:
        return self.runtime.id

    @property
    def state(self) -> ExerciseState:
        return self.runtime.state

    def use(self, cookie: str) -> Venue:
        self.client.cookies.clear()
        if cookie:
            self.client.cookies.set(SESSION_COOKIE, cookie)
        return self

    def code(self, target: str) -> join.JoinCode:
        return join.code_for(self.state, self.resources.secret, target)

    async def join(self, target: str, name: str = "Tablet", language: str = "en") -> Tablet:
        """Join ``team:<id>``/``actor:<id>`` from a fresh browser; the venue then uses it."""
        self.use("")
        response = await self.client.post(
            self.code(target).path, data={"name": name, "language": language}
        )
        assert response.status_code == 303, response.text
        cookie = str(response.cookies.get(SESSION_COOKIE))
        session = await self.resources.sessions.get(cookie)
        assert session is not None
        self.use(cookie)
        return Tablet(cookie, session["device"], target)

    async def controller(self) -> str:
        """A signed-in controller's cookie."""
        await self.resources.accounts.put(new_account("carl", "controller", PASSWORD))
        self.use("")
        signed = await self.client.post("/signin", data={"name": "carl", "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        return str(signed.cookies.get(SESSION_COOKIE))

    async def csrf(self, path: str) -> str:
        page = await self.client.get(path)
        found = _CSRF.search(page.text)
        assert found, page.text
        return found[1]

    async def run(self, decision: Any) -> None:
        def decide(state: ExerciseState) -> Decision | None:
            result: Decision | None = decision(state)
            return result

        await self.runtime.execute(decide)


@pytest.fixture
async def venue(tmp_path: Path) -> AsyncIterator[Venue]:
    async with serving(create_app(settings(tmp_path))) as (client, resources):
        place = Venue(client, resources)
        await place.setup()
        yield place
