"""A Redis client that rides out outages. Design: docs/journal.md ("Outages").

Every store that talks to Redis (the journal, sessions, accounts, presence, the join
attempts) holds one ``RedisClient``. It gives them three things:

* **a typed error**: during an outage a command raises ``JournalUnavailable`` (pages answer
  503, sockets ``unavailable``), never a raw redis exception;
* **recovery on its own**: redis-py drops a connection that failed and the pool opens a new
  one for the next command, so the first command after Redis is back works; an idempotent
  command (``read``) is retried once at once when its connection turns out to be dead (the
  pool's connections all die when Redis restarts), a write is never resent (``write``);
* **one log line per outage**: a WARNING when the first command fails, an INFO when one
  works again, nothing per failed call in between. Every client of one Redis server in this
  process shares that server's ``Outage`` (its address is the key), so the journal, the
  sessions and presence losing the same Redis make one line, not three.

The client itself never retries (``Retry(NoBackoff(), 0)``): which commands may be resent is
decided here, per call. No socket timeout either (see docs/journal.md): each call is bounded
by ``asyncio.timeout`` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from controlroom.journal.base import JournalUnavailable

logger = logging.getLogger("controlroom.redis")

T = TypeVar("T")

# what a lost, refused or stuck connection raises (the last one is asyncio.timeout's)
LOST = (RedisConnectionError, RedisTimeoutError, TimeoutError)
CALL_TIMEOUT = 5.0  # seconds one command (or pipeline) may take before Redis counts as away


def connect(url: str) -> Redis:
    """A redis-py client for ``url`` that never resends a command on its own."""
    return Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 0),  # never resend a write on our behalf
        socket_connect_timeout=CALL_TIMEOUT,
        # No socket timeout (redis-py 8 defaults to 5 s): with one, redis-py sends through
        # asyncio.wait_for, which on Python 3.11 can swallow a task's cancellation (a
        # follower that never ends). Our timeouts use asyncio.timeout.
        socket_timeout=None,
        protocol=2,  # the reply shapes parsed here
    )


class Outage:
    """Whether one Redis server is away, for every client of it in this process."""

    __slots__ = ("down", "server")

    def __init__(self, server: str) -> None:
        self.server = server
        self.down = False  # an outage is under way (logged once)


_OUTAGES: dict[str, Outage] = {}  # one per Redis server this process talks to


def outage_of(redis: Redis) -> Outage:
    """The shared outage state of the server ``redis`` talks to (host, port, db or socket)."""
    kwargs = redis.connection_pool.connection_kwargs
    server = str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")
    return _OUTAGES.setdefault(server, Outage(server))


class RedisClient:
    """One store's connection pool, and the outages of its server as this store saw them."""

    def __init__(self, url: str, name: str, *, timeout: float = CALL_TIMEOUT) -> None:
        self.redis = connect(url)
        self.name = name
        self.timeout = timeout
        self.outage = outage_of(self.redis)
        self.down = False  # this store has seen the outage under way
        self.outages = 0  # outages this store ran into
        self.closed = False

    async def read(
        self, call: Callable[[Redis], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        """Run an idempotent ``call``; on a dropped connection try once more, on a new one."""
        try:
            return await self._call(call, seconds)
        except RedisConnectionError as error:
            if self.closed:  # closed under a blocked call: no new connection
                raise JournalUnavailable(f"{self.name}: closed") from error
            # else a connection the restart killed: the pool connects anew
        except LOST as error:
            raise self.unavailable(error) from error
        try:
            return await self._call(call, seconds)
        except LOST as error:
            raise self.unavailable(error) from error

    async def write(
        self, call: Callable[[Redis], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        """Run ``call`` once: if the connection fails, it may or may not have landed."""
        try:
            return await self._call(call, seconds)
        except LOST as error:
            raise self.unavailable(error) from error

    async def _call(self, call: Callable[[Redis], Awaitable[T]], seconds: float | None = None) -> T:
        async with asyncio.timeout(seconds or self.timeout):
            result = await call(self.redis)
        self.up()
        return result

    def unavailable(self, error: BaseException) -> JournalUnavailable:
        """The typed error for ``error``; logs the start of an outage (once)."""
        if not self.down:
            self.down = True
            self.outages += 1
        if not self.outage.down:  # the first store of this process to find the server away
            self.outage.down = True
            logger.warning(
                "%s: redis %s unreachable (%s); answering 'unavailable' until it is back",
                self.name,
                self.outage.server,
                error or type(error).__name__,
            )
        return JournalUnavailable(f"{self.name}: redis unreachable: {error}", logged=True)

    def up(self) -> None:
        """A command worked: the end of an outage, if there was one."""
        self.down = False
        if self.outage.down:
            self.outage.down = False
            logger.info("%s: redis %s reachable again", self.name, self.outage.server)

    async def close(self) -> None:
        self.closed = True
        await self.redis.aclose()
