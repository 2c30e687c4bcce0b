"""The Redis client every store uses: typed unavailability, recovery, one log line per outage.

Against a real redis-server that is restarted or stopped under the client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from controlroom.access.accounts import RedisAccountStore, new_account
from controlroom.access.sessions import RedisSessionStore
from controlroom.journal import JournalUnavailable
from controlroom.journal.redis_client import RedisClient, StaleConnection
from tests.support.redis_server import RedisServer


async def test_the_first_read_after_a_restart_works(redis_server: RedisServer) -> None:
    client = RedisClient(redis_server.url, "test")
    try:
        await client.read(lambda r: r.set("k", "v"))
        await asyncio.to_thread(redis_server.restart)  # the pooled connection is dead now
        assert await client.read(lambda r: r.get("k")) == b"v"
        assert client.outages == 0  # a dropped connection, retried: not an outage
    finally:
        await client.close()


async def test_an_outage_raises_the_typed_error_and_is_logged_once(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="controlroom.redis")
    client = RedisClient(redis_server.url, "test")
    try:
        await client.read(lambda r: r.ping())
        await asyncio.to_thread(redis_server.stop)
        for _ in range(5):
            with pytest.raises(JournalUnavailable, match="test: redis unreachable"):
                await client.read(lambda r: r.get("k"))
            with pytest.raises(JournalUnavailable):
                await client.write(lambda r: r.set("k", "v"))
            with pytest.raises(JournalUnavailable, match="test: redis unreachable"):
                await client.write_resendable(lambda r: r.set("k", "v"))
        await asyncio.to_thread(redis_server.start)
        assert await client.read(lambda r: r.ping())
    finally:
        await client.close()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert len(messages) == 2, messages  # the outage starts, the outage ends
    assert messages[0][0] == "WARNING" and "test: redis " in messages[0][1]
    assert "unreachable" in messages[0][1]
    assert messages[1][0] == "INFO" and messages[1][1].endswith("reachable again")
    assert client.outages == 1


async def test_a_read_is_retried_once_on_a_stale_connection_a_write_never(
    redis_server: RedisServer,
) -> None:
    client = RedisClient(redis_server.url, "test")
    calls: list[str] = []

    def dropped_once(name: str) -> Callable[[Redis], Awaitable[Any]]:
        async def call(redis: Redis) -> Any:
            calls.append(name)
            if calls.count(name) == 1:
                raise StaleConnection("Connection closed by server.")
            return await redis.incr(name)

        return call

    try:
        assert await client.read(dropped_once("read")) == 1
        assert await client.write_resendable(dropped_once("resendable")) == 1
        with pytest.raises(JournalUnavailable):  # it may have landed: the caller decides
            await client.write(dropped_once("write"))
        assert calls == ["read", "read", "resendable", "resendable", "write"]
        assert await client.write(dropped_once("write")) == 1
    finally:
        await client.close()


def pooled(n: int) -> Callable[[Redis], Awaitable[Any]]:
    """A call that leaves ``n`` connections in the pool (each has answered)."""

    async def call(redis: Redis) -> Any:
        return await asyncio.gather(*(redis.ping() for _ in range(n)))

    return call


def counted(calls: list[str], name: str) -> Callable[[Redis], Awaitable[Any]]:
    async def call(redis: Redis) -> Any:
        calls.append(name)
        return await redis.incr(name)

    return call


def resent_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The clients named in the log's "sent again" lines; fails on anything else logged."""
    assert all(r.levelno == logging.INFO and "sent again" in r.getMessage() for r in caplog.records)
    return [r.getMessage().split(":")[0] for r in caplog.records]


async def test_the_first_write_after_a_restart_goes_out_again_on_a_new_connection(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="controlroom.redis")
    client = RedisClient(redis_server.url, "test")
    calls: list[str] = []
    try:
        await client.read(pooled(3))
        # Not through to_thread: the event loop does not run, so the pool has not read the
        # ends of its connections when the next command goes out (a busy worker).
        redis_server.restart()
        assert await client.write_resendable(counted(calls, "w")) == 1
        assert calls == ["w", "w"]  # the stale connection, then a new one
        # not an outage: one INFO line for the operator, no WARNING
        assert client.outages == 0 and resent_lines(caplog) == ["test"]
        await client.read(pooled(3))
        redis_server.kill_clients()  # the same without a restart
        assert await client.write_resendable(counted(calls, "w")) == 2
        assert calls == ["w", "w", "w", "w"]
        assert client.outages == 0 and resent_lines(caplog) == ["test", "test"]
    finally:
        await client.close()


async def test_a_write_is_not_resent_after_a_restart(redis_server: RedisServer) -> None:
    client = RedisClient(redis_server.url, "test")
    calls: list[str] = []
    try:
        await client.read(pooled(3))
        redis_server.restart()  # the loop does not see the pooled connections end
        with pytest.raises(JournalUnavailable) as raised:
            await client.write(counted(calls, "w"))
        assert calls == ["w"]
        assert isinstance(raised.value.__cause__, StaleConnection)
        assert await client.write(counted(calls, "w")) == 1  # a new connection: it works
    finally:
        await client.close()


async def test_a_failure_on_a_new_connection_is_not_resent(redis_server: RedisServer) -> None:
    client = RedisClient(redis_server.url, "test")
    calls: list[str] = []
    try:
        await client.read(pooled(2))
        await asyncio.to_thread(redis_server.stop)  # the pool sees its connections end
        for call in (client.read, client.write_resendable):
            with pytest.raises(JournalUnavailable) as raised:
                await call(counted(calls, "r"))
            error = raised.value.__cause__
            assert isinstance(error, RedisConnectionError)
            assert not isinstance(error, StaleConnection)  # refused: Redis is away
        assert calls == ["r", "r"]  # each sent once
    finally:
        await client.close()


async def test_a_stale_connection_that_fails_again_is_one_outage(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="controlroom.redis")
    client = RedisClient(redis_server.url, "test")
    calls: list[str] = []
    try:
        await client.read(pooled(3))
        redis_server.kill()  # and it stays down; the loop has not seen the connections end
        with pytest.raises(JournalUnavailable, match="test: redis unreachable"):
            await client.write_resendable(counted(calls, "w"))
        with pytest.raises(JournalUnavailable, match="test: redis unreachable"):
            await client.read(counted(calls, "r"))
        assert calls == ["w", "w", "r"]  # the stale connection, then a refused new one
        await asyncio.to_thread(redis_server.start)
        assert await client.read(counted(calls, "r")) == 1
    finally:
        await client.close()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and "unreachable" in messages[0], messages
    assert messages[1].endswith("reachable again")
    assert client.outages == 1


async def test_sessions_and_accounts_come_back_on_their_own(redis_server: RedisServer) -> None:
    sessions = RedisSessionStore(redis_server.url)
    accounts = RedisAccountStore(redis_server.url)
    try:
        session = await sessions.create({"kind": "user", "role": "director"})
        await accounts.put(new_account("dana", "director", "password1"))
        await asyncio.to_thread(redis_server.stop)
        with pytest.raises(JournalUnavailable):
            await sessions.get(session)
        with pytest.raises(JournalUnavailable):
            await accounts.get("dana")
        await asyncio.to_thread(redis_server.start)
        assert await sessions.get(session) == {"kind": "user", "role": "director"}
        found = await accounts.get("dana")
        assert found is not None and found.verify("password1")
        await asyncio.to_thread(redis_server.restart)  # a restart: the first call works
        assert await sessions.get(session) is not None
        assert [a.name for a in await accounts.all()] == ["dana"]
    finally:
        await sessions.close()
        await accounts.close()
