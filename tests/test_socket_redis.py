"""Two uvicorn workers on one real redis-server: fan-out across workers, releases once,
and a Redis restart in the middle of an exercise that no client notices in its history."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx
import orjson

from tests.support.redis_server import RedisServer
from tests.support.server import (
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    Oracle,
    marked_scenario,
)


def workers(live_server: LiveServerFactory, redis_server: RedisServer) -> list[LiveServer]:
    return [live_server(journal_url=redis_server.url) for _ in range(2)]


async def test_a_release_through_one_worker_reaches_clients_of_the_other(
    live_server: LiveServerFactory, redis_server: RedisServer, clients: ClientFactory
) -> None:
    a, b = workers(live_server, redis_server)
    scenario = marked_scenario(teams=2, roles=1, injects_per_team=2, scheduled=3)
    exercise = a.create_exercise(scenario)
    team_on_a = clients(a, exercise, "team:t1")
    control_on_b = clients(b, exercise, "control")
    for client in (team_on_a, control_on_b):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    b.run(exercise, ("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    await team_on_a.until_seq(3)
    assert 'id="inject-I-t1-0"' in orjson.loads(team_on_a.received[-1][2])["content"]
    # Both workers run a release clock; at speed 60 the three scheduled injects fall due
    # one second apart, and each must be released exactly once.
    a.run(exercise, ("set_speed", {"by": "d", "speed": 60}))
    async with asyncio.timeout(10):
        while True:
            _, events = b.journal(exercise)
            released = Counter(
                e["data"]["inject"] for e in events if e["type"] == "inject.released"
            )
            if all(released[f"S-{k}"] for k in range(3)):
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # give a second release, if there were one, time to land
    _, events = a.journal(exercise)
    released = Counter(e["data"]["inject"] for e in events if e["type"] == "inject.released")
    assert [released[f"S-{k}"] for k in range(3)] == [1, 1, 1]
    oracle = Oracle(scenario, events)
    for client in (team_on_a, control_on_b):
        await client.until_seq(oracle.seqs(client.audience)[-1])
        assert client.event_seqs() == oracle.seqs(client.audience)


async def command(server: LiveServer, exercise: str, name: str, args: dict[str, object]) -> None:
    """Run one command, retrying while Redis is away (a lost reply may hide a success)."""
    body = orjson.dumps([{"command": name, "args": args}])
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for _ in range(200):
            try:
                response = await http.post(f"/test/exercises/{exercise}/commands", content=body)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
                return
            if response is not None and response.status_code == 409:
                return  # it had landed before the connection was lost: released already
            await asyncio.sleep(0.05)
    raise AssertionError(f"{name} {args} never landed")


async def test_a_redis_restart_mid_stream_loses_nothing(
    live_server: LiveServerFactory, redis_server: RedisServer, clients: ClientFactory
) -> None:
    rng = random.Random(7)
    a, b = workers(live_server, redis_server)
    scenario = marked_scenario(teams=3, roles=2, injects_per_team=10)
    exercise = a.create_exercise(scenario)
    devices = [
        clients(server, exercise, audience)
        for server in (a, b)
        for audience in ("control", "observer", "team:t1", "team:t2", "team:t3", "actor:r0")
    ]
    for device in devices:
        await device.connect()
        await device.until(lambda f: f["type"] == "live")
    await command(a, exercise, "startex", {"by": "d"})
    injects = [i["id"] for i in scenario["injects"]]
    for n, inject in enumerate(injects):
        if n == len(injects) // 3:
            await asyncio.to_thread(redis_server.restart)
        if n == 2 * len(injects) // 3:  # and once more while some tablets are away
            for device in devices[::3]:
                device.drop()
            await asyncio.to_thread(redis_server.restart)
        await command(rng.choice((a, b)), exercise, "release_now", {"by": "d", "inject": inject})
    _, events = a.journal(exercise)
    oracle = Oracle(scenario, events)
    released = Counter(e["data"]["inject"] for e in events if e["type"] == "inject.released")
    assert sorted(released) == sorted(injects) and set(released.values()) == {1}
    for device in devices:
        if device.ws is None:
            await device.connect()
        await device.until_seq(oracle.seqs(device.audience)[-1], timeout=15)
        assert device.event_seqs() == oracle.seqs(device.audience), device.audience
        for seq, _, text in device.received:
            assert oracle.leaks(device.audience, seq, text) == []
