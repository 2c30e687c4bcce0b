"""Triggers on what players do, on a real server: an observer's rating releases an inject.

A real ``controlroom serve`` with an exercise of the ``mini`` scenario plus a remedial inject
(``trigger: {task: interview, ratings: [M, U]}``). An observer signs in and rates the task M
for the police team through the console's observation form; the server's release clock
releases the remedial inject to the police team only, once, and the police team's socket
gets it; a second M rating, and a rating for the other team of P, release nothing more.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Origin

from controlroom.scenario.loader import load_scenario
from tests.e2e.devices_support import ADMIN_TOKEN, SCENARIOS, server_env
from tests.support.server import LiveServer, LiveServerFactory, token

PASSWORD = "correct horse battery"
REMEDY: dict[str, Any] = {
    "id": "REMEDY",
    "trigger": {"task": "interview", "ratings": ["M", "U"]},
    "channel": "email",
    "from": {"en": "Coordinator", "ru": "Координатор"},
    "to": "all",
    "title": {"en": "Interview again, in private", "ru": "Повторите беседу наедине"},
    "body": {"en": "Interview each worker alone.", "ru": "Побеседуйте с каждым наедине."},
}


async def signed_in(server: LiveServer, name: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.url, timeout=10, headers={"Origin": server.url})
    signed = await client.post("/signin", data={"name": name, "password": PASSWORD})
    assert signed.status_code == 303, signed.text
    return client


async def csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/exercises")
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def released(client: httpx.AsyncClient, exercise: str) -> list[dict[str, Any]]:
    events = (await client.get(f"/test/exercises/{exercise}/journal")).json()["events"]
    return [e["data"] for e in events if e["type"] == "inject.released"]


async def test_an_observers_m_rating_releases_the_remedial_inject_to_that_team_once(
    live_server: LiveServerFactory,
) -> None:
    quiet = {k: v for k, v in server_env().items() if "HEARTBEAT" not in k}
    server = live_server(env=quiet)
    async with httpx.AsyncClient(
        base_url=server.url, timeout=10, headers={"Origin": server.url}
    ) as director:
        made = await director.post(
            f"/setup?token={ADMIN_TOKEN}", data={"name": "dina", "password": PASSWORD}
        )
        assert made.status_code == 303, made.text
        account = {"name": "olga", "role": "observer", "password": PASSWORD}
        added = await director.post("/accounts", data={**account, "csrf": await csrf(director)})
        assert added.status_code == 303, added.text
        scenario = load_scenario(SCENARIOS / "mini").model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        scenario["injects"].append(REMEDY)
        created = await director.post("/test/exercises", json={"scenario": scenario, "name": "t"})
        exercise = created.json()["exercise"]
        await director.post(
            f"/test/exercises/{exercise}/commands",
            json=[{"command": "startex", "args": {"by": "dina"}}],
        )
        observer = await signed_in(server, "olga")
        try:
            url = server.socket_url(exercise, token("team:police", exercise=exercise))
            async with ws_connect(url, origin=Origin(server.origin)) as police:
                resume = {"type": "resume", "epoch": None, "last_seq": 0}
                await police.send(orjson.dumps(resume).decode())
                async with asyncio.timeout(5):
                    while orjson.loads(await police.recv())["type"] != "live":
                        pass
                path = f"/exercises/{exercise}/log/observations"
                form_token = await csrf(observer)
                for team, rating in [("police", "M"), ("labour", "P"), ("police", "U")]:
                    form = {"objective": "identify", "task": "interview", "rating": rating}
                    form |= {"team": team, "text": "Asked them together", "csrf": form_token}
                    rated = await observer.post(path, data=form)
                    assert rated.status_code == 303, rated.text
                deadline = time.monotonic() + 10
                frames: list[str] = []
                while time.monotonic() < deadline and not any("REMEDY" in f for f in frames):
                    try:
                        frames.append(str(await asyncio.wait_for(police.recv(), 1.0)))
                    except TimeoutError:
                        continue
                contents = [str(orjson.loads(f).get("content", "")) for f in frames]
                assert any('id="inject-REMEDY"' in c for c in contents), frames[-3:]
                await asyncio.sleep(1.5)  # time for a wrong second release to happen
                remedies = [
                    r for r in await released(director, exercise) if r["inject"] == "REMEDY"
                ]
                assert [r["teams"] for r in remedies] == [["police"]]
                assert remedies[0]["reason"] == "schedule"
        finally:
            await observer.aclose()
