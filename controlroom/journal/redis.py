"""The ``redis://`` journal: one Redis Stream per exercise. Design: docs/journal.md.

Keys (the braces are a cluster hash tag, though Redis Cluster is not supported yet)::

    controlroom:exercises              SET     every exercise id
    controlroom:{<id>}:meta            HASH    epoch, created (unix seconds)
    controlroom:{<id>}:journal         STREAM  entry id ``<seq>-1`` -> {"e": <event JSON>}

Entry ids are given explicitly, so an event's seq is its stream id and Redis itself refuses a
duplicate or lower one. A Lua script appends: it reads the last id, checks ``expect_seq`` and
adds ``<last+1>-1`` in one atomic step, whichever worker runs it.

Durability is Redis's: run it with ``appendonly yes`` and ``appendfsync always`` (Redis then
fsyncs the AOF before it replies, so an acknowledged append survives a crash). With
``appendfsync everysec`` up to about a second of acknowledged appends can be lost in a power
cut or kernel crash (a Redis crash alone loses nothing). On Redis >= 7.2 each write is
followed by ``WAITAOF 1 0 <ms>``, so ``append`` returns only once the local AOF has fsynced,
whatever ``appendfsync`` says; older servers (7.0 here) rely on ``appendfsync always``.

An append with ``expect_seq`` (and ``create``) is sent once more, on a new connection, when
its pooled connection turns out stale (Redis restarted): the script refuses a resend of an
append that had landed (its seq is taken), and ``append`` then finds its own event there,
byte for byte, and returns it. An append without ``expect_seq`` is sent once. Otherwise,
after a lost connection an append may or may not have landed, and ``append`` says so by
raising ``JournalUnavailable``; retry with ``expect_seq`` to find out safely. Reads are
retried once on a stale connection, and during an outage every call raises
``JournalUnavailable`` (``redis_client.py``). ``follow``
reconnects by itself (0.1 s doubling to 2 s) and resumes after the last event it yielded.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ResponseError

from controlroom.journal.base import (
    Event,
    Journal,
    JournalConflict,
    JournalCorrupt,
    JournalError,
    JournalStore,
    JournalUnavailable,
    check_exercise_id,
)
from controlroom.journal.memory import new_epoch
from controlroom.journal.redis_client import RedisClient

logger = logging.getLogger("controlroom.journal")

EXERCISES_KEY = "controlroom:exercises"
PAGE = 1000  # entries per XRANGE / XREAD call
BLOCK_MS = 5000  # how long one XREAD waits for news
GRACE = 5.0  # seconds a reply may take beyond that before the connection counts as dead
APPEND_TIMEOUT = 10.0  # seconds before an append gives up (outcome unknown)
WAITAOF_MS = 5000  # how long an append waits for the AOF fsync (Redis >= 7.2)
WAITAOF = ("WAITAOF", 1, 0, WAITAOF_MS)  # 1 local fsync, 0 replicas
BACKOFF_FIRST, BACKOFF_MAX = 0.1, 2.0  # follow's reconnect delays, in seconds


def meta_key(exercise_id: str) -> str:
    return f"controlroom:{{{exercise_id}}}:meta"


def journal_key(exercise_id: str) -> str:
    return f"controlroom:{{{exercise_id}}}:journal"


# KEYS: meta, journal, exercises; ARGV: id, epoch, created. Returns 1, or 0 if it exists.
CREATE = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'created', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""

# KEYS: journal; ARGV: expect_seq or '', the event JSON after its '{' without seq.
# Returns {1, new seq} or {0, actual last seq} on an expect_seq conflict.
APPEND = """
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local seq = 0
if #last > 0 then seq = tonumber(string.match(last[1][1], '^%d+')) end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= seq then return {0, seq} end
seq = seq + 1
redis.call('XADD', KEYS[1], seq .. '-1', 'e', '{"seq":' .. seq .. ',' .. ARGV[2])
return {1, seq}
"""


class RedisJournal(Journal):
    """The stream of one exercise; shares its store's connection pool."""

    def __init__(self, store: RedisJournalStore, exercise_id: str, epoch: str) -> None:
        self.exercise_id = exercise_id
        self.epoch = epoch
        self._store = store
        self._client = store.client
        self._redis = store.redis
        self._key = journal_key(exercise_id)
        self._last = 0

    @property
    def last_seq(self) -> int:
        """The last seq this object appended or saw; see ``refresh_last_seq``."""
        return self._last

    def _saw(self, seq: int) -> None:
        self._last = max(self._last, seq)

    async def refresh_last_seq(self) -> int:
        """Ask Redis for the journal's last seq (other workers may have appended)."""
        entries = await self._client.read(lambda r: r.xrevrange(self._key, count=1))
        if entries:
            self._saw(_seq_of(entries[0][0]))
        return self._last

    async def append(
        self,
        type: str,
        data: Mapping[str, Any],
        *,
        at: float,
        expect_seq: int | None = None,
    ) -> Event:
        self._store._check_open()
        body = orjson.dumps({"type": type, "at": at, "data": data})
        expect = "" if expect_seq is None else str(int(expect_seq))
        sent = 0

        async def send(_: Redis) -> Any:
            nonlocal sent
            sent += 1
            return await self._store._run(
                self._store._append_script, [self._key], [expect, body[1:]]
            )

        # With expect_seq a resend cannot land twice: the script refuses it (a conflict).
        # Without, it could: such an append is sent once.
        write = self._client.write if expect_seq is None else self._client.write_resendable
        try:
            ok, seq = await write(send, seconds=APPEND_TIMEOUT)
        except JournalUnavailable as exc:
            raise JournalUnavailable(
                f"redis failed during an append to {self.exercise_id!r}: it may or may not have "
                f"landed (retry with expect_seq to be sure): {exc}",
                logged=exc.logged,
            ) from exc.__cause__
        self._saw(seq)
        if not ok:
            assert expect_seq is not None  # the script reports conflicts only then
            # resent: the first send may have landed before its connection died, at
            # expect_seq + 1, whatever other workers appended after it
            if not (sent > 1 and await self._holds(expect_seq + 1, body)):
                raise JournalConflict(expect_seq, seq)
            seq = expect_seq + 1  # it is this append
        return Event.from_json(b'{"seq":%d,' % seq + body[1:])

    async def _holds(self, seq: int, body: bytes) -> bool:
        """Whether the journal's event ``seq`` is exactly ``body`` (an append of ours)."""
        entry = f"{seq}-1"
        entries: Any = await self._client.read(lambda r: r.xrange(self._key, min=entry, max=entry))
        return bool(entries) and entries[0][1].get(b"e") == b'{"seq":%d,' % seq + body[1:]

    async def read(self, after: int = 0, limit: int | None = None) -> builtins.list[Event]:
        self._store._check_open()
        events: list[Event] = []
        seq = max(after, 0)
        while limit is None or len(events) < limit:
            count = PAGE if limit is None else min(PAGE, limit - len(events))
            entries = await self._client.read(self._page(seq, count))
            for entry_id, fields in entries or ():
                events.append(self._decode(entry_id, fields, seq + 1))
                seq += 1
            if not entries or len(entries) < count:
                break
        return events

    def _page(self, after: int, count: int) -> Callable[[Redis], Awaitable[Any]]:
        return lambda r: r.xrange(self._key, min=f"{after + 1}-0", count=count)

    def _next(self, after: int) -> Callable[[Redis], Awaitable[Any]]:
        return lambda r: r.xread({self._key: f"{after}-1"}, count=PAGE, block=BLOCK_MS)

    async def follow(self, after: int = 0) -> AsyncIterator[Event]:
        seq = max(after, 0)
        delay = BACKOFF_FIRST
        lost = False
        while not self._store.closed:
            try:
                if lost:
                    await self._check_epoch()
                reply = await self._client.read(self._next(seq), seconds=BLOCK_MS / 1000 + GRACE)
            except JournalUnavailable:  # the client logged the outage (once)
                if self._store.closed:
                    return
                if not lost:
                    logger.info("journal %s: lost redis while following", self.exercise_id)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            if lost:
                logger.info("journal %s: following again after seq %d", self.exercise_id, seq)
                lost, delay = False, BACKOFF_FIRST
            for entry_id, fields in _entries(reply):
                event = self._decode(entry_id, fields, seq + 1)
                seq = event.seq
                self._saw(seq)
                yield event

    async def _check_epoch(self) -> None:
        epoch = await self._client.read(lambda r: r.hget(meta_key(self.exercise_id), "epoch"))
        if epoch is None or _text(epoch) != self.epoch:
            raise JournalError(
                f"journal {self.exercise_id!r} was replaced while following (epoch "
                f"{self.epoch} is now {epoch!r}): reload it in full"
            )

    def _decode(self, entry_id: Any, fields: Any, expected: int) -> Event:
        where = f"redis stream {self._key} entry {_text(entry_id)}"
        try:
            event = Event.from_json(fields[b"e"])
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalCorrupt(f"{where}: not an event: {exc!r}") from None
        if not _seq_of(entry_id) == event.seq == expected:
            raise JournalCorrupt(f"{where}: expected seq {expected}, found {event.seq}")
        self._saw(event.seq)
        return event


class RedisJournalStore(JournalStore):
    """Journals as Redis Streams, shared by every worker that points at the same server."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self.redis = redis = client.redis
        self.closed = False
        self._append_script: AsyncScript = redis.register_script(APPEND)
        self._create_script: AsyncScript = redis.register_script(CREATE)
        self._waitaof: bool | None = None  # decided once, from the server's version

    @classmethod
    def from_url(cls, url: str) -> RedisJournalStore:
        """``redis://host:port/db`` (also ``rediss://``, ``unix://``); query options win."""
        return cls(RedisClient(url, "journal"))

    def _check_open(self) -> None:
        if self.closed:
            raise JournalError("the redis journal store is closed")

    async def _run(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run a writing script; on Redis >= 7.2 also wait until the AOF has fsynced it."""
        if not await self._uses_waitaof():
            return await script(keys, args)
        async with self.redis.pipeline(transaction=False) as pipe:
            await script(keys, args, client=pipe)
            pipe.execute_command(*WAITAOF)
            result, (local, _replicas) = await pipe.execute()
        if local < 1:
            raise JournalError(
                f"redis did not fsync its AOF within {WAITAOF_MS} ms: the write may be lost"
            )
        return result

    async def _uses_waitaof(self) -> bool:
        if self._waitaof is None:
            server = await self.redis.info("server")
            version = tuple(int(p) for p in str(server["redis_version"]).split(".")[:2])
            aof = int((await self.redis.info("persistence")).get("aof_enabled", 0)) == 1
            self._waitaof = aof and version >= (7, 2)
            if not aof:
                logger.warning(
                    "redis %s runs without appendonly: journal appends are NOT durable "
                    "(run it with appendonly yes, appendfsync always)",
                    server["redis_version"],
                )
            elif not self._waitaof and (fsync := await self._appendfsync()) != "always":
                logger.warning(
                    "redis %s runs with appendfsync %s and has no WAITAOF: a power cut can "
                    "lose up to a second of acknowledged journal appends",
                    server["redis_version"],
                    fsync,
                )
        return self._waitaof

    async def _appendfsync(self) -> str:
        try:
            config = await self.redis.config_get("appendfsync")
        except ResponseError:  # CONFIG may be renamed away on managed servers
            return "unknown"
        values: dict[Any, Any] = dict(config)
        value = values.get(b"appendfsync") or values.get("appendfsync")
        return _text(value) if value else "unknown"

    async def create(self, exercise_id: str) -> RedisJournal:
        check_exercise_id(exercise_id)
        epoch = new_epoch()
        keys = [meta_key(exercise_id), journal_key(exercise_id), EXERCISES_KEY]
        args = [exercise_id, epoch, int(time.time())]
        # a resend cannot create twice: the script creates only what does not exist yet
        created = await self.client.write_resendable(
            lambda _: self._run(self._create_script, keys, args), seconds=APPEND_TIMEOUT
        )
        if not created and not await self._has_epoch(exercise_id, epoch):  # not a resend's
            raise FileExistsError(f"a journal for exercise {exercise_id!r} already exists")
        return RedisJournal(self, exercise_id, epoch)

    async def _has_epoch(self, exercise_id: str, epoch: str) -> bool:
        """Whether the journal of ``exercise_id`` is the one created with ``epoch``."""
        found = await self.client.read(lambda r: r.hget(meta_key(exercise_id), "epoch"))
        return found is not None and _text(found) == epoch

    async def open(self, exercise_id: str) -> RedisJournal:
        check_exercise_id(exercise_id)
        epoch = await self.client.read(lambda r: r.hget(meta_key(exercise_id), "epoch"))
        if epoch is None:
            raise KeyError(exercise_id)
        journal = RedisJournal(self, exercise_id, _text(epoch))
        await journal.refresh_last_seq()
        return journal

    async def list(self) -> builtins.list[str]:
        members = await self.client.read(lambda r: r.smembers(EXERCISES_KEY))
        return sorted(_text(m) for m in members)

    async def close(self) -> None:
        self.closed = True
        await self.client.close()


# The client runs with bytes replies; redis-py's types also allow str, hence these helpers.
def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _seq_of(entry_id: Any) -> int:
    return int(_text(entry_id).split("-", 1)[0])


def _entries(reply: Any) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """The entries in XREAD's answer (RESP2 shape) for our one stream."""
    return [entry for _key, entries in reply or () for entry in entries]
