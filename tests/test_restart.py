"""A restart signs nobody out: kill -9 a real server, start it again, everyone is still in.

Embedded (the default: sessions and accounts in ``<data_dir>/access.sqlite3``) and scaled
(sessions and accounts in Redis). The director stays signed in, a joined tablet opens its
page and its socket with the cookie it had, scanning its code again lands it on the same
device; signing out and revoking still take effect at once after the restart.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from controlroom.access.sessions import SESSION_COOKIE
from tests.e2e.devices_support import Exercise, open_exercise, server_env
from tests.support.redis_server import RedisServer
from tests.support.server import LiveServer, LiveServerFactory


async def socket_goes_live(server: LiveServer, exercise: str, cookie: str) -> bool:
    """Open the exercise socket with ``cookie`` and wait for ``live``; False if refused."""
    try:
        async with ws_connect(
            server.socket_url(exercise),
            origin=Origin(server.origin),
            additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
            open_timeout=5,
        ) as ws:
            await ws.send(orjson.dumps({"type": "resume", "epoch": None, "last_seq": 0}).decode())
            async with asyncio.timeout(5):
                while True:
                    frame: dict[str, Any] = orjson.loads(await ws.recv())
                    if frame["type"] == "live":
                        return True
    except InvalidStatus:
        return False


async def join(server: LiveServer, link: str, name: str, cookie: str = "") -> httpx.Response:
    cookies = {SESSION_COOKIE: cookie} if cookie else {}
    async with httpx.AsyncClient(cookies=cookies, timeout=10) as client:
        return await client.post(link, data={"name": name}, headers={"Origin": server.url})


async def get(server: LiveServer, path: str, cookie: str) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=server.url, cookies={SESSION_COOKIE: cookie}, timeout=10
    ) as client:
        return await client.get(path)


async def restart_keeps_everyone_in(server: LiveServer, exercise: Exercise) -> None:
    link = await exercise.join_link("team:police")
    joined = await join(server, link, "Police tablet")
    assert joined.status_code == 303, joined.text
    tablet = joined.cookies[SESSION_COOKIE]
    director = exercise.director_cookie
    assert await socket_goes_live(server, exercise.id, tablet)

    await asyncio.to_thread(server.kill)  # SIGKILL: nothing flushed on the way out
    await asyncio.to_thread(server.start)  # same port, same data folder (and Redis)

    console = await get(server, f"/exercises/{exercise.id}", director)
    assert console.status_code == 200, console.headers.get("location")
    dashboard = await get(server, f"/exercises/{exercise.id}/team", tablet)
    assert dashboard.status_code == 200, dashboard.headers.get("location")
    assert await socket_goes_live(server, exercise.id, tablet)
    assert await socket_goes_live(server, exercise.id, director)

    rescanned = await join(server, link, "Police tablet 2", tablet)
    assert rescanned.status_code == 303
    assert rescanned.headers["location"] == f"/exercises/{exercise.id}/device"
    assert len(await exercise.events("device.joined")) == 1  # the same device, no second one

    # revocation still takes effect at once: the page and the socket are refused
    device = (await exercise.events("device.joined"))[0]["data"]["device"]
    await exercise.revoke(device)
    cut = await get(server, f"/exercises/{exercise.id}/team", tablet)
    assert cut.status_code == 303 and cut.headers["location"] == "/join/ended"
    assert not await socket_goes_live(server, exercise.id, tablet)

    # and so does signing out
    page = await exercise.client.get("/exercises")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf
    out = await exercise.client.post(
        "/signout", data={"csrf": csrf[1]}, headers={"Origin": server.url}
    )
    assert out.status_code == 303
    gone = await get(server, "/exercises", director)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/signin")
    assert not await socket_goes_live(server, exercise.id, director)


async def test_embedded_sessions_and_accounts_outlive_kill_9(
    live_server: LiveServerFactory,
) -> None:
    server = live_server(env=server_env())
    async for exercise in open_exercise(server):
        await restart_keeps_everyone_in(server, exercise)
    assert (server.data_dir / "access.sqlite3").exists()
    assert not (server.data_dir / "accounts.json").exists()


async def test_scaled_sessions_and_accounts_outlive_kill_9_through_redis(
    live_server: LiveServerFactory, redis_server: RedisServer
) -> None:
    server = live_server(env={**server_env(), "CONTROLROOM_JOURNAL_URL": redis_server.url})
    async for exercise in open_exercise(server):
        await restart_keeps_everyone_in(server, exercise)
    assert not (server.data_dir / "access.sqlite3").exists()
