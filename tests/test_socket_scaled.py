"""Scaled mode you can trust: three uvicorn workers on one real redis-server.

Clients hop from worker to worker while Redis is killed and restarted and a worker lags
(SIGSTOP, then SIGCONT): nothing duplicated, nothing lost, never a ``reload`` for a position
the journal holds. After a Redis restart the first page and socket on every worker work.
Presence is shared: a console on one worker sees the devices on the others.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from tests.support.redis_server import RedisServer
from tests.support.server import (
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    Oracle,
    marked_scenario,
)
from tests.test_socket_redis import command

AUDIENCES = ("control", "observer", "team:t1", "team:t2", "actor:r0")


async def workers(
    live_server: LiveServerFactory, redis_server: RedisServer, n: int = 3, **settings: Any
) -> list[LiveServer]:
    """``n`` uvicorn processes on one Redis, started side by side (each takes seconds)."""
    directory = redis_server.directory.parent

    def start(k: int) -> LiveServer:
        data = directory / f"{redis_server.directory.name}-worker{k}"
        return live_server(data_dir=data, journal_url=redis_server.url, **settings)

    return list(await asyncio.gather(*(asyncio.to_thread(start, k) for k in range(n))))


def move(client: Client, server: LiveServer) -> None:
    """Point ``client`` at another worker (its next connect goes there)."""
    client.url = re.sub(r":\d+/", f":{server.port}/", client.url, count=1)
    client.origin = server.origin


def pause(server: LiveServer) -> None:
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)


def carry_on(server: LiveServer) -> None:
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGCONT)


async def first(
    client: Client, wanted: Callable[[dict[str, Any]], bool], timeout: float
) -> dict[str, Any]:
    """Read frames until one is ``wanted`` (TimeoutError after ``timeout`` seconds).

    A deadline rather than ``asyncio.timeout`` around ``recv``: on Python 3.11 the
    ``wait_for`` inside ``recv`` can swallow the outer cancellation and read on forever.
    """
    deadline = time.monotonic() + timeout
    while True:
        frame = await client.recv(max(deadline - time.monotonic(), 0.001))
        if wanted(frame):
            return frame


async def answer(client: Client, timeout: float = 10.0) -> dict[str, Any]:
    """The server's answer to a resume: ``live``, ``reload`` or an ``error``."""
    return await first(client, lambda f: f["type"] in ("live", "reload", "error"), timeout)


def assert_exact(client: Client, oracle: Oracle) -> None:
    """Every frame of the client's audience, in order, once; no reload; no leak."""
    assert [f for f in client.frames if f["type"] in ("reload", "snapshot")] == []
    assert client.event_seqs() == oracle.seqs(client.audience), client.audience
    for seq, _, text in client.received:
        assert oracle.leaks(client.audience, seq, text) == []


async def test_a_client_ahead_of_a_lagging_worker_waits_for_the_journal(
    live_server: LiveServerFactory, redis_server: RedisServer, clients: ClientFactory
) -> None:
    a, b, c = await workers(live_server, redis_server, resume_wait_seconds=1.5)
    scenario = marked_scenario(teams=2, roles=1, injects_per_team=3)
    exercise = a.create_exercise(scenario)
    for server in (b, c):
        server.journal(exercise)  # every worker has the exercise open
    team, control = clients(a, exercise, "team:t1"), clients(a, exercise, "control")
    for client in (team, control):
        await client.connect()
        await answer(client)
    await command(a, exercise, "startex", {"by": "d"})
    pause(c)  # c stops following the journal...
    for inject in ("I-t1-0", "I-t1-1", "I-t1-2"):
        await command(a, exercise, "release_now", {"by": "d", "inject": inject})
    _, events = a.journal(exercise)
    for client in (team, control):
        await client.until_seq(events[-1]["seq"])  # ...while these see everything through a
    seen = team.last_seq
    await asyncio.to_thread(redis_server.kill)
    carry_on(c)  # c lags behind the journal, and the journal is away

    # The team moves to c: c cannot catch up, so it says so; no reload, no old snapshot.
    team.drop()
    move(team, c)
    await team.connect()
    refused = await answer(team)
    assert refused["type"] == "error" and refused["code"] == "unavailable"
    try:
        await team.recv(5)
        raise AssertionError("the socket stays open")
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 1013  # try again later
    assert team.last_seq == seen

    # Control moves to c too; Redis comes back while it waits: a replay, no reload.
    control.drop()
    move(control, c)
    await control.connect()
    await asyncio.sleep(0.3)
    await asyncio.to_thread(redis_server.start)
    assert (await answer(control))["type"] == "live"
    team.ws = None
    await team.connect()
    assert (await answer(team))["type"] == "live"

    await command(b, exercise, "release_now", {"by": "d", "inject": "ALL-0"})
    _, events = b.journal(exercise)
    oracle = Oracle(scenario, events)
    for client in (team, control):
        await client.until_seq(oracle.seqs(client.audience)[-1])
        assert_exact(client, oracle)
    assert "not caught up within 1.5s" in c.log()


async def roam(client: Client, servers: list[LiveServer], stop: asyncio.Event, seed: int) -> None:
    """Connect to another worker, read a while, drop; again and again until ``stop``."""
    rng = random.Random(seed)
    where = seed % len(servers)
    while not stop.is_set():
        where = (where + rng.randrange(1, len(servers))) % len(servers)
        move(client, servers[where])
        try:
            async with asyncio.timeout(2):  # a stopped worker does not even answer
                await client.connect()
            await first(client, lambda _: False, rng.uniform(0.2, 0.8))  # read a while
        except TimeoutError:
            pass
        except (ConnectionClosed, InvalidStatus, OSError):
            await asyncio.sleep(0.05)  # 'unavailable' (1013) or a refused handshake
        client.drop()
        await client.wait_dropped()


async def test_roaming_clients_lose_nothing_while_redis_dies_and_a_worker_lags(
    live_server: LiveServerFactory, redis_server: RedisServer, clients: ClientFactory
) -> None:
    rng = random.Random(14)
    servers = await workers(live_server, redis_server, resume_wait_seconds=2)
    a, b, c = servers
    scenario = marked_scenario(teams=2, roles=1, injects_per_team=7)
    exercise = a.create_exercise(scenario)
    for server in (b, c):
        server.journal(exercise)
    roamers = [
        clients(servers[n % 3], exercise, audience)
        for n, audience in enumerate(AUDIENCES + AUDIENCES)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(roam(r, servers, stop, n)) for n, r in enumerate(roamers)]
    injects = [i["id"] for i in scenario["injects"]]
    await command(a, exercise, "startex", {"by": "d"})
    loop = asyncio.get_running_loop()
    for n, inject in enumerate(injects):
        if n == 3:  # c lags for a second, and Redis dies while it catches up
            pause(c)
            loop.call_later(1.0, carry_on, c)
        if n == 5:
            await asyncio.to_thread(redis_server.kill)
            await asyncio.sleep(0.5)
            await asyncio.to_thread(redis_server.start)
        if n == 10:
            await asyncio.to_thread(redis_server.restart)
        await command(rng.choice((a, b)), exercise, "release_now", {"by": "d", "inject": inject})
        await asyncio.sleep(0.15)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*tasks)
    _, events = a.journal(exercise)
    oracle = Oracle(scenario, events)
    released = Counter(e["data"]["inject"] for e in events if e["type"] == "inject.released")
    assert sorted(released) == sorted(injects) and set(released.values()) == {1}
    hops = 0
    for n, roamer in enumerate(roamers):
        move(roamer, servers[n % 3])
        await roamer.connect()
        await roamer.until_seq(oracle.seqs(roamer.audience)[-1], timeout=15)
        assert_exact(roamer, oracle)
        hops += sum(1 for f in roamer.frames if f["type"] == "live")
    assert hops > 8 * len(roamers)  # they did roam


# -- after a Redis restart, the first page and the first socket work on every worker ----------


async def get(url: str, session: str) -> httpx.Response:
    async with httpx.AsyncClient(cookies={"cr_session": session}, timeout=5) as http:
        return await http.get(url)


async def socket_answer(server: LiveServer, exercise: str, session: str) -> dict[str, Any]:
    async with ws_connect(
        f"{server.ws_url}/exercises/{exercise}/socket",
        origin=Origin(server.origin),
        additional_headers={"Cookie": f"cr_session={session}"},
        open_timeout=5,
    ) as ws:
        await ws.send(orjson.dumps({"type": "resume", "epoch": None, "last_seq": 0}).decode())
        async with asyncio.timeout(5):
            while True:
                frame: dict[str, Any] = orjson.loads(await ws.recv())
                if frame["type"] in ("live", "reload", "error"):
                    return frame


async def unavailable_answer(server: LiveServer, exercise: str, session: str) -> tuple[str, int]:
    """What a socket opened during an outage hears: its error code and the close code."""
    async with ws_connect(
        f"{server.ws_url}/exercises/{exercise}/socket",
        origin=Origin(server.origin),
        additional_headers={"Cookie": f"cr_session={session}"},
        open_timeout=5,
    ) as ws:
        frame = orjson.loads(await ws.recv())
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        return frame.get("code", frame["type"]), closed.value.rcvd.code


async def test_after_a_redis_restart_the_first_page_and_socket_work_everywhere(
    live_server: LiveServerFactory, redis_server: RedisServer
) -> None:
    servers = await workers(live_server, redis_server)
    exercise = servers[0].create_exercise(marked_scenario(teams=1, roles=1, injects_per_team=1))
    director = {"kind": "user", "role": "director", "name": "dana", "language": "en"}
    session = servers[0].session(director)
    page = f"/exercises/{exercise}/boards"
    for server in servers:  # every worker has used its pools of connections
        response = await get(server.url + page, session)
        assert response.status_code == 200
        assert (await socket_answer(server, exercise, session))["type"] == "live"

    await asyncio.to_thread(redis_server.kill)
    for server in servers:  # during the outage: `unavailable`, close 1013, the client retries
        assert await unavailable_answer(server, exercise, session) == ("unavailable", 1013)
    await asyncio.to_thread(redis_server.start)

    for server in servers:  # the very first page and socket after the restart
        response = await get(server.url + page, session)
        assert response.status_code == 200, response.text[:500]
        assert (await socket_answer(server, exercise, session))["type"] == "live"
    for server in servers:
        log = server.log()
        assert "Traceback" not in log
        assert log.count("unreachable") == 1  # one line per outage, whichever store met it


# -- presence across workers -------------------------------------------------------------------


def online_devices(frame: dict[str, Any]) -> set[str]:
    return set(re.findall(r'id="presence-([\w-]+)" class="presence online"', frame["content"]))


async def presence_until(client: Client, done: Any, timeout: float) -> tuple[set[str], float]:
    """Read presence frames until ``done(online devices)``; returns them and when."""
    frame = await first(
        client, lambda f: f["type"] == "presence" and done(online_devices(f)), timeout
    )
    return online_devices(frame), time.monotonic()


async def test_consoles_see_the_devices_of_every_worker(
    live_server: LiveServerFactory, redis_server: RedisServer, clients: ClientFactory
) -> None:
    timeout = 3.0
    a, b, c = await workers(
        live_server, redis_server, heartbeat_seconds=1, heartbeat_timeout=timeout
    )
    exercise = a.create_exercise(marked_scenario(teams=2, roles=1, injects_per_team=1))
    devices = {"tab-b1": b, "tab-b2": b, "tab-c1": c, "tab-c2": c}
    a.run(
        exercise,
        *(
            ("join_device", {"device": d, "name": d, "team": "t1" if "1" in d else "t2"})
            for d in devices
        ),
    )
    control = clients(a, exercise, "control")
    observer = clients(c, exercise, "observer")
    for console in (control, observer):
        await console.connect()
        await answer(console)
    tablets = []
    for device, server in devices.items():
        team = "team:t1" if "1" in device else "team:t2"
        tablet = clients(server, exercise, team, device=device)
        await tablet.connect()
        await answer(tablet)
        tablets.append(tablet)
    live = time.monotonic()
    for console in (control, observer):
        _, seen = await presence_until(console, lambda on: on == set(devices), 3)
        assert seen - live < 1.0  # within a second, whichever worker the device is on
    observer_session = b.session({"kind": "user", "role": "observer", "name": "o"})
    boards = await get(f"{b.url}/exercises/{exercise}/boards", observer_session)
    assert set(re.findall(r'id="presence-([\w-]+)" class="presence online"', boards.text)) == set(
        devices
    )

    await asyncio.to_thread(c.kill)  # kill -9: c's devices cannot say goodbye
    killed = time.monotonic()
    _, gone = await presence_until(control, lambda on: on == {"tab-b1", "tab-b2"}, timeout)
    assert gone - killed < timeout
    for tablet in tablets[2:]:
        tablet.drop()


async def test_wrong_join_codes_count_on_every_worker(
    live_server: LiveServerFactory, redis_server: RedisServer
) -> None:
    limit = 6
    servers = await workers(live_server, redis_server, 2, join_attempts_per_minute=limit)
    statuses = []
    async with httpx.AsyncClient(timeout=5) as http:
        for n in range(limit):  # spread over both workers
            wrong = await http.get(f"{servers[n % 2].url}/join/{'x' * 26}{n}")
            statuses.append(wrong.status_code)
        for server in servers:
            paused = await http.get(f"{server.url}/join/{'y' * 27}")
            statuses.append(paused.status_code)
    assert statuses == [404] * limit + [429, 429]
