"""Server-wide attempt limits (wrong join codes). Design: docs/security.md, docs/delivery.md.

A limit that must hold for the whole server: a token bucket of ``per_minute`` attempts,
refilled over a minute. Embedded, it lives in the process (``LocalAttempts``); scaled, in
Redis (``RedisAttempts``: one hash, updated by a Lua script with Redis's clock), so every
worker spends from the same bucket and guessing codes on N workers gains nothing.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

from controlroom.journal.redis_client import RedisClient


class Attempts(abc.ABC):
    """A bucket of attempts shared by everyone who asks it."""

    @abc.abstractmethod
    async def available(self) -> bool:
        """Whether an attempt is left, without spending it."""

    @abc.abstractmethod
    async def spend(self) -> bool:
        """Spend one attempt if there is one (False if there was none)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""


class LocalAttempts(Attempts):
    """The bucket in this process (embedded mode: one process is the whole server)."""

    def __init__(self, per_minute: int, now: Callable[[], float]) -> None:
        self._capacity = float(max(per_minute, 1))
        self._now = now
        self._tokens = self._capacity
        self._stamp = now()

    async def available(self) -> bool:
        now = self._now()
        refill = max(now - self._stamp, 0.0) * self._capacity / 60
        self._tokens = min(self._capacity, self._tokens + refill)
        self._stamp = now
        return self._tokens >= 1.0

    async def spend(self) -> bool:
        if not await self.available():
            return False
        self._tokens -= 1.0
        return True


# KEYS: the bucket; ARGV: capacity, '1' to spend one, '0' to look. Returns 1 if one was left.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local capacity = tonumber(ARGV[1])
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(saved[1]) or capacity
local stamp = tonumber(saved[2]) or now
tokens = math.min(capacity, tokens + math.max(now - stamp, 0) * capacity / 60)
local ok = tokens >= 1
if ARGV[2] == '1' then
  if ok then tokens = tokens - 1 end
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
  redis.call('EXPIRE', KEYS[1], 120)
end
if ok then return 1 end
return 0
"""


class RedisAttempts(Attempts):
    """The bucket in Redis: every worker spends from it (``JournalUnavailable`` when away)."""

    def __init__(self, url: str, key: str, per_minute: int) -> None:
        self._client = RedisClient(url, key.rsplit(":", 1)[-1])
        self._key = key
        self._capacity = max(per_minute, 1)
        self._take = self._client.redis.register_script(TAKE)

    async def _run(self, spend: bool) -> bool:
        args = [self._capacity, "1" if spend else "0"]
        # not resent on a dropped connection when spending: it may have counted
        call = self._client.read if not spend else self._client.write
        return bool(await call(lambda _: self._take([self._key], args)))

    async def available(self) -> bool:
        return await self._run(False)

    async def spend(self) -> bool:
        return await self._run(True)

    async def close(self) -> None:
        await self._client.close()


def open_attempts(url: str, name: str, per_minute: int, now: Callable[[], float]) -> Attempts:
    """The ``name`` bucket: in Redis when ``url`` is a Redis URL, else in this process."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisAttempts(url, f"controlroom:attempts:{name}", per_minute)
    return LocalAttempts(per_minute, now)
