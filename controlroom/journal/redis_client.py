"""A Redis client that rides out outages. Design: docs/journal.md ("Outages").

Every store that talks to Redis (the journal, sessions, accounts, presence, the join
attempts, the files) holds one ``RedisClient``. It gives them three things:

* **a typed error**: during an outage a command raises ``JournalUnavailable`` (pages answer
  503, sockets ``unavailable``), never a raw redis exception;
* **recovery on its own**: when Redis restarts, every connection in the pool dies with it;
  the pool notices most of them, but not one whose end it has not read yet (a busy event
  loop, a reset instead of a close). A command sent on such a *stale* connection fails with
  ``StaleConnection`` (a connection taken from the pool that had answered before). Such a
  command is sent once more, at once, on a new connection, if sending it twice cannot land
  twice: ``read`` (idempotent commands) and ``write_resendable`` (a write that checks its
  own precondition in Redis, like an append's ``expect_seq``, or that is idempotent). A
  ``write`` is never resent: it may have landed. A connection that fails to connect, or a
  new one that fails, is an outage, not a stale connection: nothing is resent then;
* **one log line per outage**: a WARNING when the first command fails, an INFO when one
  works again, nothing per failed call in between. Every client of one Redis server in this
  process shares that server's ``Outage`` (its address is the key), so the journal, the
  sessions and presence losing the same Redis make one line, not three.

redis-py itself never retries (``Retry(NoBackoff(), 0)``): which commands may be resent is
decided here, per call. No socket timeout either (see docs/journal.md): each call is bounded
by ``asyncio.timeout`` instead, and a call that runs out of time is not resent (Redis may be
busy running it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from controlroom.journal.base import JournalUnavailable

logger = logging.getLogger("controlroom.redis")

T = TypeVar("T")

# what a lost, refused or stuck connection raises (the last one is asyncio.timeout's)
LOST = (RedisConnectionError, RedisTimeoutError, TimeoutError)
CALL_TIMEOUT = 5.0  # seconds one command (or pipeline) may take before Redis counts as away


class StaleConnection(RedisConnectionError):
    """A connection taken from the pool, which had answered before, failed: the server closed
    it meanwhile (a restart, ``CLIENT KILL``), or died while running this very command."""


class _Staleness:
    """Mixed into the pool's connection class: tells a stale connection from a new one.

    A connection counts the replies it read since it connected (after the handshake). A
    command sent on one that has answered before, and that then fails to send or to read,
    raises ``StaleConnection`` instead of a plain ``ConnectionError``.
    """

    _answered = 0  # replies read since this connection last connected
    _reused = False  # the command under way went out on a connection that had answered

    async def on_connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        await super().on_connect_check_health(*args, **kwargs)  # type: ignore[misc]
        self._answered = 0  # the handshake's replies do not count

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        self._reused = self.is_connected and self._answered > 0  # type: ignore[attr-defined]
        try:
            await super().send_packed_command(*args, **kwargs)  # type: ignore[misc]
        except RedisConnectionError as error:
            raise self._stale(error) from error

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = await super().read_response(*args, **kwargs)  # type: ignore[misc]
        except ResponseError:  # an error reply is a reply: the connection works
            self._answered += 1
            raise
        except RedisConnectionError as error:
            raise self._stale(error) from error
        self._answered += 1
        return response

    def _stale(self, error: RedisConnectionError) -> RedisConnectionError:
        # only the plain error of a lost socket, not its subclasses (a LOADING reply, a
        # refused password): those come from a server that answers
        if self._reused and type(error) is RedisConnectionError:
            return StaleConnection(*error.args)
        return error


_STALENESS: dict[type[AbstractConnection], type[AbstractConnection]] = {}


def _telling_staleness(base: type[AbstractConnection]) -> type[AbstractConnection]:
    """``base`` (TCP, TLS or Unix socket: the URL decides) with ``_Staleness`` mixed in."""
    if base not in _STALENESS:
        _STALENESS[base] = type(f"Staleness{base.__name__}", (_Staleness, base), {})
    return _STALENESS[base]


def connect(url: str) -> Redis:
    """A redis-py client for ``url`` that never resends a command on its own."""
    redis = Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 0),  # never resend a write on our behalf
        socket_connect_timeout=CALL_TIMEOUT,
        # No socket timeout (redis-py 8 defaults to 5 s): with one, redis-py sends through
        # asyncio.wait_for, which on Python 3.11 can swallow a task's cancellation (a
        # follower that never ends). Our timeouts use asyncio.timeout.
        socket_timeout=None,
        protocol=2,  # the reply shapes parsed here
    )
    pool = redis.connection_pool
    pool.connection_class = _telling_staleness(pool.connection_class)  # before any connects
    return redis


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
        """Run an idempotent ``call``; on a stale connection once more, on a new one."""
        return await self._resending(call, seconds)

    async def write_resendable(
        self, call: Callable[[Redis], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        """Run a write that cannot land twice (it checks its precondition in Redis, or it is
        idempotent); on a stale connection once more, on a new one. It may have landed the
        first time: the caller tells its own earlier success from a refusal."""
        return await self._resending(call, seconds)

    async def write(
        self, call: Callable[[Redis], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        """Run ``call`` once: if the connection fails, it may or may not have landed."""
        try:
            return await self._call(call, seconds)
        except RedisConnectionError as error:
            raise self._lost(error) from error
        except LOST as error:
            raise self.unavailable(error) from error

    async def _resending(self, call: Callable[[Redis], Awaitable[T]], seconds: float | None) -> T:
        try:
            return await self._call(call, seconds)
        except StaleConnection as error:
            if self.closed:  # closed under a blocked call: no new connection
                raise self._lost(error) from error
            # the pool's other idle connections died with this one: the next call connects anew
            await self.redis.connection_pool.disconnect(inuse_connections=False)
        except RedisConnectionError as error:
            raise self._lost(error) from error
        except LOST as error:
            raise self.unavailable(error) from error
        try:
            result = await self._call(call, seconds)
        except RedisConnectionError as error:
            raise self._lost(error) from error
        except LOST as error:
            raise self.unavailable(error) from error
        # not an outage, but worth a line: Redis restarted (or closed our connections)
        logger.info("%s: a pooled connection had been closed: sent again on a new one", self.name)
        return result

    def _lost(self, error: RedisConnectionError) -> JournalUnavailable:
        if self.closed:
            return JournalUnavailable(f"{self.name}: closed")
        return self.unavailable(error)

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
