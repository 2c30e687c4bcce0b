"""Presence across workers, through Redis (scaled mode). Design: docs/delivery.md, "Presence".

Each worker publishes, per exercise, the devices with a live socket to it, with an expiry;
each worker reads the others' and hands them to the exercise's ``Presence``
(``elsewhere``). Keys, per exercise::

    controlroom:{<id>}:presence     HASH    <worker id> -> "<expires ms> <JSON device list>"
    controlroom:{<id>}:presence:v   STRING  a counter bumped when some worker's set changes

* A worker publishes its set at once when it changes, and again every ``ttl / 3`` so it
  does not expire; the expiry (``ttl``, half the heartbeat timeout) is stamped with Redis's
  clock, so hosts with different clocks agree. A killed worker stops refreshing: its
  devices count as offline once its entry expires, well within the heartbeat timeout.
* Every ``poll`` seconds a worker reads the counter (and Redis's clock); it reads the whole
  hash only when the counter moved or when an entry it knows of expires.
* A worker that shuts down removes its entries. Presence is not durable and not an event:
  Redis may lose it; the next refresh puts it back.
* During an outage the last known sets stay (nothing is logged per poll: ``RedisClient``
  logs the outage once); afterwards every entry is published again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from controlroom.delivery.presence import Presence
from controlroom.journal import JournalUnavailable
from controlroom.journal.redis_client import RedisClient

logger = logging.getLogger("controlroom.delivery")

POLL_SECONDS = 0.25
COALESCE_SECONDS = 0.05

# KEYS: presence hash, version; ARGV: worker, ttl ms, JSON list ('[]': none), '1' if changed.
# A refresh (not changed) also drops other workers' expired entries. Returns 1.
PUBLISH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] ~= '1' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local expires = tonumber(string.match(all[i + 1], '^%d+'))
    if all[i] ~= ARGV[1] and (expires == nil or expires <= now) then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
if ARGV[3] == '[]' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[2])) .. ' ' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
end
if ARGV[4] == '1' then redis.call('INCR', KEYS[2]) end
return 1
"""


def presence_key(exercise_id: str) -> str:
    return f"controlroom:{{{exercise_id}}}:presence"


def version_key(exercise_id: str) -> str:
    return f"controlroom:{{{exercise_id}}}:presence:v"


class _Tracked:
    __slots__ = ("expires", "presence", "published", "version")

    def __init__(self, presence: Presence) -> None:
        self.presence = presence
        self.published: frozenset[str] | None = None  # what Redis has from us
        self.version: bytes | None = None  # the counter when we last read the hash
        self.expires = 0.0  # Redis ms when the first entry we know of expires


class SharedPresence:
    """This worker's side of presence in Redis: publish ours, read the others'."""

    def __init__(self, client: RedisClient, *, ttl: float, poll: float = POLL_SECONDS) -> None:
        self.client = client
        self.worker = secrets.token_hex(8)
        self.ttl_ms = max(int(ttl * 1000), 200)
        self.poll = poll
        self._tracked: dict[str, _Tracked] = {}
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._refreshed = 0.0
        self._publish = client.redis.register_script(PUBLISH)

    def track(self, exercise_id: str, presence: Presence) -> None:
        """Publish ``presence``'s local devices and feed it the others' (starts the loop)."""
        self._tracked[exercise_id] = _Tracked(presence)
        presence.moved = lambda: self._changed(exercise_id)
        self._changed(exercise_id)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="shared presence")

    def _changed(self, exercise_id: str) -> None:
        self._dirty.add(exercise_id)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._wake.wait()
            self._wake.clear()
            if self._dirty:
                await asyncio.sleep(COALESCE_SECONDS)  # a room reconnecting: one publish
            try:
                await self.tick()
            except JournalUnavailable:
                self._dirty.update(self._tracked)  # publish everything again once back
            except Exception:
                logger.exception("shared presence failed; trying again")
                await asyncio.sleep(self.poll)

    async def tick(self) -> None:
        """Publish what changed here (or is due a refresh), then read what changed elsewhere."""
        now = asyncio.get_running_loop().time()
        if now - self._refreshed >= self.ttl_ms / 3000:
            self._refreshed = now
            self._dirty.update(self._tracked)
        while self._dirty:
            exercise_id = self._dirty.pop()
            tracked = self._tracked.get(exercise_id)
            if tracked is None:
                continue
            try:
                await self._send(exercise_id, tracked)
            except JournalUnavailable:
                self._dirty.add(exercise_id)
                raise
        for exercise_id, tracked in list(self._tracked.items()):
            await self._read(exercise_id, tracked)

    async def _send(self, exercise_id: str, tracked: _Tracked) -> None:
        devices = tracked.presence.local()
        changed = "1" if devices != tracked.published else "0"
        args: list[str | int | bytes] = [
            self.worker,
            self.ttl_ms,
            orjson.dumps(sorted(devices)),
            changed,
        ]
        keys = [presence_key(exercise_id), version_key(exercise_id)]
        await self.client.read(lambda _: self._publish(keys, args))
        tracked.published = devices

    async def _read(self, exercise_id: str, tracked: _Tracked) -> None:
        async def counter(redis: Any) -> list[Any]:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.time()
                pipe.get(version_key(exercise_id))
                result: list[Any] = await pipe.execute()
                return result

        (seconds, micros), version = await self.client.read(counter)
        now_ms = seconds * 1000 + micros // 1000
        if version == tracked.version and now_ms < tracked.expires:
            return
        entries: dict[bytes, bytes] = await self.client.read(
            lambda r: r.hgetall(presence_key(exercise_id))  # type: ignore[arg-type, return-value]
        )
        devices: set[str] = set()
        expires = math.inf
        for worker, value in entries.items():
            if worker.decode() == self.worker:
                continue
            stamp, _, listed = value.partition(b" ")
            if int(stamp) <= now_ms:
                continue  # a worker that stopped refreshing: killed or cut off
            expires = min(expires, int(stamp))
            devices.update(orjson.loads(listed))
        tracked.version, tracked.expires = version, expires
        tracked.presence.elsewhere(frozenset(devices))

    def _withdraw(self, exercise_id: str) -> Callable[[Any], Awaitable[Any]]:
        args: list[str | int | bytes] = [self.worker, self.ttl_ms, b"[]", "1"]
        keys = [presence_key(exercise_id), version_key(exercise_id)]
        return lambda _: self._publish(keys, args)

    async def close(self) -> None:
        """Stop, and take this worker's devices out of Redis (best effort)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for exercise_id, tracked in self._tracked.items():
            if tracked.published:
                with contextlib.suppress(JournalUnavailable):
                    await self.client.write(self._withdraw(exercise_id))
        await self.client.close()
