"""Presence across workers through a real redis-server (the SharedPresence of each worker)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from controlroom.delivery.presence import Presence
from controlroom.delivery.shared_presence import SharedPresence
from controlroom.journal.redis_client import RedisClient
from tests.support.redis_server import RedisServer

TTL = 1.0


def worker(redis_server: RedisServer) -> tuple[SharedPresence, Presence, list[int]]:
    reports: list[int] = []
    presence = Presence(lambda: reports.append(1), delay=0.01)
    shared = SharedPresence(RedisClient(redis_server.url, "presence"), ttl=TTL, poll=0.05)
    shared.track("ex1", presence)
    return shared, presence, reports


async def until(check: Callable[[], bool], timeout: float) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_each_worker_sees_the_devices_of_the_others(redis_server: RedisServer) -> None:
    (a, on_a, reports_a), (b, on_b, _) = worker(redis_server), worker(redis_server)
    try:
        on_a.arrived("tab-1")
        on_b.arrived("tab-2")
        await until(lambda: on_a.online() == on_b.online() == {"tab-1", "tab-2"}, 1.0)
        assert on_a.local() == {"tab-1"} and on_b.local() == {"tab-2"}
        assert reports_a  # control sockets on a were told
        on_b.left("tab-2")
        await until(lambda: on_a.online() == {"tab-1"}, 1.0)
        on_b.arrived("tab-1")  # the same tablet, now on b too: still one device
        await asyncio.sleep(0.2)
        on_a.left("tab-1")  # gone from a, still on b: it stays online for a
        await asyncio.sleep(0.3)
        assert on_a.online() == {"tab-1"}
    finally:
        await a.close()
        await b.close()


async def test_a_killed_worker_s_devices_expire(redis_server: RedisServer) -> None:
    (a, on_a, _), (b, on_b, _) = worker(redis_server), worker(redis_server)
    try:
        on_b.arrived("tab-2")
        await until(lambda: on_a.online() == {"tab-2"}, 1.0)
        assert b._task is not None
        b._task.cancel()  # b dies without a word: its entry is no longer refreshed
        assert await until(lambda: on_a.online() == frozenset(), 2 * TTL) <= TTL + 0.3
    finally:
        await a.close()
        await b.client.close()


async def test_a_worker_that_shuts_down_withdraws_its_devices(redis_server: RedisServer) -> None:
    (a, on_a, _), (b, on_b, _) = worker(redis_server), worker(redis_server)
    try:
        on_b.arrived("tab-2")
        await until(lambda: on_a.online() == {"tab-2"}, 1.0)
        await b.close()
        assert await until(lambda: on_a.online() == frozenset(), 1.0) < TTL / 2
    finally:
        await a.close()


async def test_presence_returns_after_a_redis_restart(redis_server: RedisServer) -> None:
    (a, on_a, _), (b, on_b, _) = worker(redis_server), worker(redis_server)
    try:
        on_b.arrived("tab-2")
        await until(lambda: on_a.online() == {"tab-2"}, 1.0)
        await asyncio.to_thread(redis_server.stop)
        await asyncio.sleep(0.2)
        assert on_a.online() == {"tab-2"}  # the last known state stays during an outage
        on_b.arrived("tab-3")
        await asyncio.to_thread(redis_server.start)
        await until(lambda: on_a.online() == {"tab-2", "tab-3"}, 2.0)
    finally:
        await a.close()
        await b.close()
