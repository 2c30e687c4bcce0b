"""The journal backends: one behavioural suite run against memory://, file:// and a real
redis-server, then what only one backend does (torn tails in files; racing workers and
restarts in Redis). Design: docs/journal.md."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from controlroom.journal import (
    Event,
    Journal,
    JournalConflict,
    JournalCorrupt,
    JournalError,
    JournalStore,
    open_store,
)
from controlroom.journal import redis as redis_journal
from controlroom.journal.file import FileJournal, FileJournalStore, TornTail
from controlroom.journal.memory import MemoryJournalStore
from controlroom.journal.redis import RedisJournal, RedisJournalStore
from controlroom.journal.redis_client import StaleConnection
from tests.support.redis_server import RedisServer

WAIT = 5.0  # seconds any single wait in these tests may take before it counts as a failure


class Backend:
    """Stores of one kind over the same data; ``reopen()`` is a restart of the process."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self._stores: list[JournalStore] = []
        self._memory = MemoryJournalStore()

    @property
    def durable(self) -> bool:
        return self.name != "memory"

    def store(self) -> JournalStore:
        """Another store on the same data (memory: there is only the one)."""
        if self.name == "memory":
            return self._memory
        store = open_store(self.url)
        self._stores.append(store)
        return store

    async def reopen(self) -> JournalStore:
        """Close every store, then open a fresh one, as a restarted server would."""
        await self._close_stores()
        return self.store()

    async def _close_stores(self) -> None:
        stores, self._stores = self._stores, []
        for store in stores:
            await store.close()

    async def close(self) -> None:
        await self._close_stores()
        await self._memory.close()


@pytest.fixture(params=["memory", "file", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        url = server.url
    else:
        url = f"file://{tmp_path}" if request.param == "file" else "memory://"
    backend = Backend(request.param, url)
    yield backend
    await backend.close()


@pytest.fixture
def store(backend: Backend) -> JournalStore:
    return backend.store()


@pytest.fixture
async def journal(store: JournalStore) -> Journal:
    return await store.create("ex1")


class Follower:
    """``journal.follow(after)`` running in a task; ``take(n)`` waits for the next n events
    and raises what ended the follower, if something did."""

    def __init__(self, journal: Journal, after: int = 0) -> None:
        self._queue: asyncio.Queue[Event | BaseException] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(journal, after))
        self._raised: BaseException | None = None

    async def _run(self, journal: Journal, after: int) -> None:
        try:
            async for event in journal.follow(after):
                self._queue.put_nowait(event)
        except BaseException as exc:
            self._queue.put_nowait(exc)
            raise
        self._queue.put_nowait(EOFError("follow() ended"))

    async def take(self, n: int) -> list[Event]:
        events: list[Event] = []
        async with asyncio.timeout(WAIT):
            while len(events) < n:
                item = await self._queue.get()
                if isinstance(item, BaseException):
                    self._raised = item
                    raise item
                events.append(item)
        return events

    async def __aenter__(self) -> Follower:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        except BaseException as exc:
            if exc is not self._raised:  # not seen yet: let the test fail with it
                raise


async def append_many(journal: Journal, n: int, type: str = "tick") -> list[Event]:
    return [await journal.append(type, {"i": i}, at=1000.0 + i) for i in range(n)]


def seqs(events: list[Event]) -> list[int]:
    return [e.seq for e in events]


# --- the behavioural suite: every backend -----------------------------------------------------


async def test_append_numbers_events_from_one(journal: Journal) -> None:
    assert journal.last_seq == 0
    events = await append_many(journal, 5)
    assert seqs(events) == [1, 2, 3, 4, 5]
    assert [e.data["i"] for e in events] == [0, 1, 2, 3, 4]
    assert events[2] == Event(seq=3, type="tick", at=1002.0, data={"i": 2})
    assert journal.last_seq == 5
    assert await journal.read() == events


async def test_read_after_and_limit(journal: Journal) -> None:
    events = await append_many(journal, 6)
    assert await journal.read(after=2) == events[2:]
    assert await journal.read(after=2, limit=3) == events[2:5]
    assert await journal.read(limit=1) == events[:1]
    assert await journal.read(limit=0) == []
    assert await journal.read(after=6) == []
    assert await journal.read(after=60) == []


async def test_expect_seq_conflict_appends_nothing(journal: Journal) -> None:
    first = await journal.append("a", {}, at=1.0, expect_seq=0)
    assert first.seq == 1
    with pytest.raises(JournalConflict) as caught:
        await journal.append("b", {}, at=2.0, expect_seq=0)
    assert (caught.value.expected, caught.value.actual) == (0, 1)
    with pytest.raises(JournalConflict):
        await journal.append("b", {}, at=2.0, expect_seq=7)
    assert seqs(await journal.read()) == [1]
    assert (await journal.append("c", {}, at=3.0, expect_seq=1)).seq == 2


async def test_concurrent_appends_get_unique_consecutive_seqs(journal: Journal) -> None:
    async def writer(w: int) -> list[Event]:
        return [await journal.append("w", {"w": w, "i": i}, at=1.0) for i in range(5)]

    results = await asyncio.gather(*(writer(w) for w in range(40)))
    returned = sorted(e.seq for batch in results for e in batch)
    assert returned == list(range(1, 201))
    stored = await journal.read()
    assert seqs(stored) == list(range(1, 201))
    assert sorted((e.data["w"], e.data["i"]) for e in stored) == [
        (w, i) for w in range(40) for i in range(5)
    ]
    for batch in results:  # each writer's own events keep its order
        assert [e.data["i"] for e in batch] == [0, 1, 2, 3, 4]


async def test_one_of_many_racing_expect_seq_wins(journal: Journal) -> None:
    await append_many(journal, 3)

    async def release(n: int) -> Event | None:
        try:
            return await journal.append("release", {"by": n}, at=1.0, expect_seq=3)
        except JournalConflict:
            return None

    results = await asyncio.gather(*(release(n) for n in range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].seq == 4
    assert seqs(await journal.read()) == [1, 2, 3, 4]


async def test_follow_yields_existing_then_live_events_once(journal: Journal) -> None:
    await append_many(journal, 3)
    async with Follower(journal) as follower:
        assert seqs(await follower.take(3)) == [1, 2, 3]
        live = await append_many(journal, 3, type="live")
        assert await follower.take(3) == live
        # nothing repeated: the next thing the follower yields is the next append
        marker = await journal.append("marker", {}, at=1.0)
        assert await follower.take(1) == [marker]


async def test_follow_from_the_middle(journal: Journal) -> None:
    events = await append_many(journal, 5)
    async with Follower(journal, after=3) as follower:
        assert await follower.take(2) == events[3:]
        new = await journal.append("new", {}, at=1.0)
        assert await follower.take(1) == [new]
    async with Follower(journal, after=7) as ahead:  # past the end: waits for seq 8
        more = await append_many(journal, 3)
        assert seqs(more) == [7, 8, 9]
        assert await ahead.take(2) == more[1:]


async def test_follow_keeps_up_with_a_burst(journal: Journal) -> None:
    async with Follower(journal) as follower, Follower(journal) as other:
        writers = [asyncio.create_task(append_many(journal, 30)) for _ in range(5)]
        await asyncio.gather(*writers)
        assert seqs(await follower.take(150)) == list(range(1, 151))
        assert seqs(await other.take(150)) == list(range(1, 151))
        marker = await journal.append("marker", {}, at=1.0)
        assert await follower.take(1) == await other.take(1) == [marker]


async def test_closing_the_store_ends_its_followers(store: JournalStore) -> None:
    journal = await store.create("ex1")
    await append_many(journal, 2)
    async with Follower(journal) as follower:
        assert seqs(await follower.take(2)) == [1, 2]
        await store.close()
        with pytest.raises(EOFError):
            await follower.take(1)
    with pytest.raises(JournalError):
        await journal.append("late", {}, at=1.0)


async def test_epoch_is_stable_and_per_journal(backend: Backend, store: JournalStore) -> None:
    one, two = await store.create("one"), await store.create("two")
    assert re.fullmatch(r"[0-9a-f]{32}", one.epoch)
    assert one.epoch != two.epoch
    epoch = one.epoch
    await one.append("a", {}, at=1.0)
    store = await backend.reopen()
    assert (await store.open("one")).epoch == epoch
    assert (await store.open("two")).epoch == two.epoch


async def test_reopen_sees_every_event(backend: Backend, journal: Journal) -> None:
    if not backend.durable:
        pytest.skip("memory:// does not outlive its store")
    events = await append_many(journal, 7)
    store = await backend.reopen()
    reopened = await store.open("ex1")
    assert reopened.last_seq == 7
    assert await reopened.read() == events
    assert (await reopened.append("next", {}, at=1.0)).seq == 8
    with pytest.raises(JournalConflict):
        await reopened.append("stale", {}, at=1.0, expect_seq=7)


async def test_list(backend: Backend, store: JournalStore) -> None:
    assert await store.list() == []
    await store.create("b-2")
    await store.create("a_1")
    assert await store.list() == ["a_1", "b-2"]
    assert await (await backend.reopen()).list() == ["a_1", "b-2"]


async def test_create_twice_fails(backend: Backend, store: JournalStore) -> None:
    journal = await store.create("ex1")
    await journal.append("a", {}, at=1.0)
    with pytest.raises(FileExistsError):
        await store.create("ex1")
    store = await backend.reopen()
    with pytest.raises(FileExistsError):
        await store.create("ex1")
    assert seqs(await (await store.open("ex1")).read()) == [1]


async def test_open_missing_raises_key_error(store: JournalStore) -> None:
    with pytest.raises(KeyError):
        await store.open("nope")
    await store.create("yes")
    with pytest.raises(KeyError):
        await store.open("nope")


DATA: dict[str, Any] = {
    "ru": "Автобус с 23 мигрантами остановлен на КПП",
    "kk": "Жәбірленуші қауіпсіз жерде",
    "ar": "شاهد",
    "emoji": "🚌 ✅",
    "escapes": 'quote " backslash \\ newline \n tab \t nul \x00',
    "nested": {"teams": ["border", "migration"], "cue": {"actor": 3, "ready": True}},
    "list": [1, 2.5, None, False, "x", [], {}],
    "big": 2**53,
    "neg": -0.125,
}


async def test_event_data_round_trips(backend: Backend, journal: Journal) -> None:
    appended = await journal.append("inject.released", DATA, at=1715000000.123456)
    assert appended.data == DATA and appended.at == 1715000000.123456
    assert (await journal.read())[0] == appended
    if backend.durable:
        journal = await (await backend.reopen()).open("ex1")
        assert await journal.read() == [appended]


async def test_appended_data_is_a_copy(journal: Journal) -> None:
    data: dict[str, Any] = {"teams": ["a"]}
    event = await journal.append("x", data, at=1.0)
    data["teams"].append("b")
    assert event.data == {"teams": ["a"]}
    assert (await journal.read())[0].data == {"teams": ["a"]}


async def test_data_json_cannot_hold_appends_nothing(journal: Journal) -> None:
    with pytest.raises(TypeError):
        await journal.append("x", {"when": object()}, at=1.0)
    assert (await journal.append("y", {}, at=1.0)).seq == 1


async def test_cancelled_appends_leave_no_gap(journal: Journal) -> None:
    tasks = [asyncio.create_task(journal.append("c", {"i": i}, at=1.0)) for i in range(20)]
    await asyncio.sleep(0)  # let them start
    for task in tasks[::2]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    last = await journal.append("after", {}, at=1.0)
    stored = await journal.read()
    assert seqs(stored) == list(range(1, last.seq + 1))
    assert stored[-1] == last


BAD_IDS = ["", "../etc", "a/b", "A", "ex 1", "-x", "_x", ".x", "x.y", "a" * 65, "é", "x\n"]


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_bad_exercise_id_is_refused(store: JournalStore, bad: str) -> None:
    with pytest.raises(ValueError, match="bad exercise id"):
        await store.create(bad)
    with pytest.raises(ValueError, match="bad exercise id"):
        await store.open(bad)
    assert await store.list() == []


async def test_longest_id_is_fine(store: JournalStore) -> None:
    journal = await store.create("a" * 64)
    assert (await journal.append("x", {}, at=1.0)).seq == 1


# --- file:// only ------------------------------------------------------------------------------


@pytest.fixture
async def files(tmp_path: Path) -> AsyncIterator[FileJournalStore]:
    store = FileJournalStore(tmp_path)
    yield store
    await store.close()


async def file_with_events(root: Path, n: int) -> Path:
    store = FileJournalStore(root)
    journal = await store.create("ex1")
    await append_many(journal, n)
    await store.close()
    return root / "exercises" / "ex1" / "journal.jsonl"


async def test_file_layout_and_header(tmp_path: Path, files: FileJournalStore) -> None:
    journal = await files.create("ex1")
    event = await journal.append("a", {"k": "v"}, at=2.0)
    path = tmp_path / "exercises" / "ex1" / "journal.jsonl"
    assert isinstance(journal, FileJournal) and journal.path == path
    header, line, end = path.read_bytes().split(b"\n")
    fields = orjson.loads(header)
    created = fields.pop("created")
    assert fields == {
        "journal": "controlroom",
        "version": 1,
        "exercise": "ex1",
        "epoch": journal.epoch,
    }
    assert isinstance(created, int) and abs(created - time.time()) < 60
    assert line == event.to_json() and end == b""  # on disk as soon as append returned
    assert os.listdir(path.parent) == ["journal.jsonl"]  # no temporary file left behind


@pytest.mark.parametrize("url", ["file://", "file:", "files:///x"])
def test_bad_file_urls(url: str) -> None:
    with pytest.raises(ValueError):
        FileJournalStore.from_url(url)


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("file:///srv/controlroom", "/srv/controlroom"),
        ("file://localhost/srv/x", "/srv/x"),
        ("file://./data", "{cwd}/data"),
        ("file:data", "{cwd}/data"),
        ("file:///tmp/with%20space", "/tmp/with space"),
    ],
)
def test_file_urls(url: str, root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store(url)
    assert isinstance(store, FileJournalStore)
    assert store.root == Path(root.format(cwd=tmp_path))


TORN_TAILS = {
    "partial": b'{"seq":4,"type":"tick","at":10',
    "nuls": b"\x00" * 37,
    "no newline": Event(seq=4, type="tick", at=1.0, data={}).to_json(),
    "garbage line": b'{"seq":4,"ty\xff\n',
}


@pytest.mark.parametrize("tail", TORN_TAILS.values(), ids=TORN_TAILS.keys())
async def test_torn_last_line_is_moved_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, tail: bytes
) -> None:
    path = await file_with_events(tmp_path, 3)
    good = path.read_bytes()
    append_bytes(path, tail)

    store = FileJournalStore(tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="controlroom.journal"):
            journal = await store.open("ex1")
        assert isinstance(journal, FileJournal)
        assert seqs(await journal.read()) == [1, 2, 3]
        [torn] = journal.recovered
        assert torn.saved_to.name.startswith("journal.jsonl.torn-")
        assert torn == TornTail(
            path=path, line=5, offset=len(good), size=len(tail), saved_to=torn.saved_to
        )
        assert torn.saved_to.read_bytes() == tail  # byte for byte
        assert path.read_bytes() == good  # cut back, nothing before it touched
        [record] = [r for r in caplog.records if r.name == "controlroom.journal"]
        assert record.levelno == logging.WARNING
        for part in (str(path), "line 5", f"{len(tail)} bytes", str(torn.saved_to)):
            assert part in record.getMessage()
        assert (await journal.append("next", {}, at=1.0)).seq == 4
    finally:
        await store.close()

    again = FileJournalStore(tmp_path)
    try:
        journal = await again.open("ex1")
        assert isinstance(journal, FileJournal) and journal.recovered == []
        assert seqs(await journal.read()) == [1, 2, 3, 4]
    finally:
        await again.close()


async def test_two_torn_tails_get_two_sidecars(tmp_path: Path) -> None:
    path = await file_with_events(tmp_path, 1)
    saved = []
    for tail in (b'{"seq":2', b'{"seq":2,"type"'):
        append_bytes(path, tail)
        store = FileJournalStore(tmp_path)
        journal = await store.open("ex1")
        assert isinstance(journal, FileJournal)
        saved.append(journal.recovered[0].saved_to)
        await store.close()
    assert saved[0] != saved[1]
    assert [p.read_bytes() for p in saved] == [b'{"seq":2', b'{"seq":2,"type"']


def append_bytes(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def corrupt(path: Path, line: int, new: bytes) -> bytes:
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = new
    path.write_bytes(b"\n".join(lines))
    return path.read_bytes()


@pytest.mark.parametrize(
    ("line", "new", "problem"),
    [
        (3, b"{not json", "not JSON"),
        (3, b"", "not JSON"),
        (3, b'{"seq":2,"type":"t","at":1.0,"data":[]}', "not an event"),
        (3, b'{"seq":3,"type":"t","at":1.0,"data":{}}', "expected seq 2, found 3"),
        (5, b'{"seq":5,"type":"t","at":1.0,"data":{}}', "expected seq 4, found 5"),
        (1, b'{"journal":"other"}', "not a controlroom journal header"),
        (1, b"", "header is not JSON"),
    ],
)
async def test_damaged_journal_refuses_to_open(
    tmp_path: Path, line: int, new: bytes, problem: str
) -> None:
    path = await file_with_events(tmp_path, 4)
    before = corrupt(path, line, new)
    store = FileJournalStore(tmp_path)
    try:
        with pytest.raises(JournalCorrupt) as caught:
            await store.open("ex1")
    finally:
        await store.close()
    message = str(caught.value)
    assert str(path) in message and f"line {line}:" in message and problem in message
    assert path.read_bytes() == before  # never rewritten
    assert [p.name for p in path.parent.iterdir()] == ["journal.jsonl"]


async def test_header_of_another_exercise_refuses_to_open(tmp_path: Path) -> None:
    path = await file_with_events(tmp_path, 1)
    (tmp_path / "exercises" / "ex1").rename(tmp_path / "exercises" / "ex2")
    store = FileJournalStore(tmp_path)
    try:
        with pytest.raises(JournalCorrupt, match="header names exercise 'ex1'"):
            await store.open("ex2")
    finally:
        await store.close()
    assert not path.exists()


async def test_failed_write_is_taken_back(
    tmp_path: Path, files: FileJournalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = await files.create("ex1")
    await append_many(journal, 2)
    path = tmp_path / "exercises" / "ex1" / "journal.jsonl"
    before = path.read_bytes()
    real_fsync = os.fsync
    failures = [OSError(5, "Input/output error")]

    def flaky_fsync(fd: int) -> None:
        if failures:
            raise failures.pop()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", flaky_fsync)
    with pytest.raises(OSError, match="Input/output"):
        await journal.append("lost", {}, at=1.0)
    assert path.read_bytes() == before
    assert seqs(await journal.read()) == [1, 2]
    assert (await journal.append("kept", {}, at=1.0)).seq == 3
    assert path.read_bytes().count(b"\n") == 4


async def test_a_second_store_on_the_same_files_is_refused(
    tmp_path: Path, files: FileJournalStore
) -> None:
    await files.create("ex1")
    other = FileJournalStore(tmp_path)
    try:
        with pytest.raises(JournalError, match="in use"):
            await other.open("ex1")
    finally:
        await other.close()
    assert await files.open("ex1") is await files.open("ex1")


async def test_list_ignores_strays(tmp_path: Path, files: FileJournalStore) -> None:
    await files.create("ex1")
    (tmp_path / "exercises" / "empty").mkdir()
    (tmp_path / "exercises" / "Not-An-Id").mkdir()
    (tmp_path / "exercises" / "Not-An-Id" / "journal.jsonl").write_bytes(b"")
    assert await files.list() == ["ex1"]


# --- redis:// only -----------------------------------------------------------------------------


@pytest.fixture
async def workers(redis_server: RedisServer) -> AsyncIterator[list[RedisJournalStore]]:
    stores = [RedisJournalStore.from_url(redis_server.url) for _ in range(2)]
    yield stores
    for store in stores:
        await store.close()


async def test_two_workers_race_for_each_release(workers: list[RedisJournalStore]) -> None:
    a = await workers[0].create("ex1")
    b = await workers[1].open("ex1")
    for n in range(20):

        async def release(journal: Journal, n: int = n) -> Event | None:
            try:
                return await journal.append("release", {"n": n}, at=1.0, expect_seq=n)
            except JournalConflict as conflict:
                assert conflict.actual == n + 1
                return None

        results = await asyncio.gather(release(a), release(b))
        assert [r.seq for r in results if r is not None] == [n + 1]
    assert seqs(await a.read()) == list(range(1, 21))
    assert a.last_seq == b.last_seq == 20


async def test_last_seq_sees_other_workers(workers: list[RedisJournalStore]) -> None:
    a = await workers[0].create("ex1")
    b = await workers[1].open("ex1")
    await append_many(a, 3)
    assert isinstance(b, RedisJournal) and b.last_seq == 0
    assert await b.refresh_last_seq() == 3
    await append_many(a, 2)
    await b.read(after=3)
    assert b.last_seq == 5


@pytest.mark.parametrize("waitaof", [False, True], ids=["script", "pipeline"])
async def test_the_first_append_after_a_restart_lands_once(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, waitaof: bool
) -> None:
    # Redis 7.0 has no WAITAOF: a script answering as it would drives the pipeline path.
    monkeypatch.setattr(redis_journal, "WAITAOF", ("EVAL", "return {1, 0}", 0))
    store = RedisJournalStore.from_url(redis_server.url)
    try:
        store._waitaof = waitaof
        journal = await store.create("ex1")
        await asyncio.gather(*(journal.read() for _ in range(3)))  # three pooled connections
        # Not through to_thread: the loop has not read the ends of the pooled connections
        # when the append goes out (a busy worker), so it goes out on a dead one first.
        redis_server.restart()
        first = await journal.append("a", {"n": 1}, at=1.0, expect_seq=0)
        assert first.seq == 1
        redis_server.kill_clients()
        with pytest.raises(JournalError, match="may or may not have landed"):
            await journal.append("b", {}, at=1.0)  # without expect_seq: sent once
        assert await journal.read() == [first]
        assert store.client.outages == 1  # that one, not the append that went out again
    finally:
        await store.close()


async def test_a_resent_append_that_had_landed_is_returned_not_repeated(
    workers: list[RedisJournalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = await workers[0].create("ex1")
    await append_many(journal, 2)
    run = workers[0]._run
    lost = 0

    async def reply_lost(*args: Any) -> Any:
        nonlocal lost
        result = await run(*args)
        if lost == 0:  # the append lands, then its connection dies before the reply
            lost += 1
            raise StaleConnection("Connection closed by server.")
        return result

    monkeypatch.setattr(workers[0], "_run", reply_lost)
    event = await journal.append("release", {"inject": "I-1"}, at=7.5, expect_seq=2)
    assert (event.seq, event.type, event.data, event.at) == (3, "release", {"inject": "I-1"}, 7.5)
    assert lost == 1 and seqs(await journal.read()) == [1, 2, 3]  # once, not twice
    assert (await journal.read(after=2)) == [event]


async def test_a_resent_append_that_had_landed_before_another_worker_s_is_returned(
    workers: list[RedisJournalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ours landed, its reply was lost, and another worker appended after it before the
    resend: the resend's conflict is at a later seq, yet the event at expect_seq + 1 is ours
    (a conflict here would make the runtime decide and write the command again)."""
    journal = await workers[0].create("ex1")
    other = await workers[1].open("ex1")
    run = workers[0]._run
    sent = 0

    async def landed_then_lost(*args: Any) -> Any:
        nonlocal sent
        sent += 1
        result = await run(*args)
        if sent == 1:  # ours is seq 1; the reply is lost; another worker appends seq 2
            await other.append("note", {"n": 2}, at=9.0, expect_seq=1)
            raise StaleConnection("Connection closed by server.")
        return result

    monkeypatch.setattr(workers[0], "_run", landed_then_lost)
    event = await journal.append("note", {"n": 1}, at=8.0, expect_seq=0)
    assert (event.seq, event.data, sent) == (1, {"n": 1}, 2)
    assert [e.data for e in await journal.read()] == [{"n": 1}, {"n": 2}]


async def test_a_resent_append_beaten_by_another_worker_is_a_conflict(
    workers: list[RedisJournalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = await workers[0].create("ex1")
    other = await workers[1].open("ex1")
    run = workers[0]._run
    sent = 0

    async def lost_to_another(*args: Any) -> Any:
        nonlocal sent
        sent += 1
        if sent == 1:  # ours never reached Redis; another worker's append did
            await other.append("release", {"inject": "I-1"}, at=7.5, expect_seq=0)
            raise StaleConnection("Connection closed by server.")
        return await run(*args)

    monkeypatch.setattr(workers[0], "_run", lost_to_another)
    with pytest.raises(JournalConflict) as conflict:  # same type and data, another `at`
        await journal.append("release", {"inject": "I-1"}, at=8.0, expect_seq=0)
    assert (conflict.value.expected, conflict.value.actual, sent) == (0, 1, 2)
    assert seqs(await journal.read()) == [1]


async def test_a_resent_create_that_had_landed_is_not_refused(
    workers: list[RedisJournalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = workers[0]._run
    sent = 0

    async def reply_lost(*args: Any) -> Any:
        nonlocal sent
        sent += 1
        result = await run(*args)
        if sent == 1:
            raise StaleConnection("Connection closed by server.")
        return result

    monkeypatch.setattr(workers[0], "_run", reply_lost)
    journal = await workers[0].create("ex1")
    assert sent == 2 and await workers[0].list() == ["ex1"]
    assert (await workers[1].open("ex1")).epoch == journal.epoch
    with pytest.raises(FileExistsError):  # someone else's journal still is refused
        await workers[0].create("ex1")


async def test_follow_survives_a_redis_restart(
    redis_server: RedisServer, workers: list[RedisJournalStore], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="controlroom")
    writer = await workers[0].create("ex1")
    reader = await workers[1].open("ex1")
    before = await append_many(writer, 5)
    async with Follower(reader, after=2) as follower:
        assert await follower.take(3) == before[2:]
        await asyncio.to_thread(redis_server.restart)  # the follower is blocked in XREAD
        after = await append_many(writer, 5)
        assert await follower.take(5) == after
        marker = await writer.append("marker", {}, at=1.0)
        assert await follower.take(1) == [marker]
    assert seqs(await writer.read()) == list(range(1, 12))
    messages = [r.getMessage() for r in caplog.records if r.name == "controlroom.journal"]
    assert any("lost redis while following" in m for m in messages)  # it did reconnect
    assert any("following again after seq 5" in m for m in messages)
    # one WARNING for the outage (the reader's client), not one per retry or per call
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["controlroom.redis"], warnings
    assert re.match(r"journal: redis \S+ unreachable", warnings[0].getMessage())


async def test_follow_waits_out_an_outage(
    redis_server: RedisServer, workers: list[RedisJournalStore]
) -> None:
    writer = await workers[0].create("ex1")
    async with Follower(await workers[1].open("ex1")) as follower:
        first = await writer.append("a", {}, at=1.0)
        assert await follower.take(1) == [first]
        await asyncio.to_thread(redis_server.stop)
        with pytest.raises(JournalError, match="may or may not have landed"):
            await writer.append("b", {}, at=1.0)
        await asyncio.to_thread(redis_server.start)
        second = await writer.append("b", {}, at=1.0)
        assert second.seq == 2
        assert await follower.take(1) == [second]


async def test_follow_refuses_a_journal_that_lost_its_history(
    redis_server: RedisServer, workers: list[RedisJournalStore]
) -> None:
    writer = await workers[0].create("ex1")
    async with Follower(await workers[1].open("ex1")) as follower:
        await follower.take(0)
        await append_many(writer, 2)
        assert seqs(await follower.take(2)) == [1, 2]
        # Redis comes back empty (say, without its AOF): the journal is not the same one.
        await asyncio.to_thread(wipe_and_restart, redis_server)
        with pytest.raises(JournalError, match=r"replaced while following.*reload it in full"):
            await follower.take(1)


def wipe_and_restart(server: RedisServer) -> None:
    server.stop()
    for aof in (server.directory / "appendonlydir").iterdir():
        aof.unlink()
    server.start()


async def test_a_durable_server_raises_no_warning(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisJournalStore.from_url(redis_server.url)
    try:
        await store.create("ex1")
        assert store._waitaof is False  # the test server is 7.0: appendfsync always does it
    finally:
        await store.close()
    assert [r for r in caplog.records if r.name == "controlroom.journal"] == []


@pytest.mark.parametrize(
    ("setting", "value", "warning"),
    [
        ("appendonly", "no", "appends are NOT durable"),
        ("appendfsync", "everysec", "appendfsync everysec"),
    ],
)
async def test_a_weak_persistence_setting_is_logged(
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
    setting: str,
    value: str,
    warning: str,
) -> None:
    store = RedisJournalStore.from_url(redis_server.url)
    try:
        await store.redis.config_set(setting, value)
        await store.create("ex1")
        await store.create("ex2")
    finally:
        await store.close()
    [record] = [r for r in caplog.records if r.name == "controlroom.journal"]  # warned once
    assert record.levelno == logging.WARNING and warning in record.getMessage()


@pytest.mark.parametrize(("fsynced", "ok"), [(1, True), (0, False)])
async def test_waitaof_gates_the_append(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, fsynced: int, ok: bool
) -> None:
    # The local server predates WAITAOF (7.2); a script answering as it would drives the path.
    monkeypatch.setattr(redis_journal, "WAITAOF", ("EVAL", f"return {{{fsynced}, 0}}", 0))
    store = RedisJournalStore.from_url(redis_server.url)
    try:
        store._waitaof = True
        journal = await store.create("ex1") if ok else None
        if journal is not None:
            assert (await journal.append("a", {}, at=1.0)).seq == 1
            with pytest.raises(JournalConflict):
                await journal.append("b", {}, at=1.0, expect_seq=0)
        else:
            with pytest.raises(JournalError, match="did not fsync"):
                await store.create("ex1")
    finally:
        await store.close()


async def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown journal URL scheme"):
        open_store("ftp://example")


@given(
    seq=st.one_of(
        st.integers(-5, 10**12), st.booleans(), st.floats(0, 1e6), st.text("0123", min_size=1)
    ),
    type_=st.one_of(st.text(max_size=8), st.integers(0, 9)),
    at=st.one_of(
        st.floats(allow_nan=False), st.integers(-(10**12), 10**12), st.text("12.", min_size=1)
    ),
)
def test_an_event_object_as_written_is_read_as_the_converting_read_reads_it(
    seq: Any, type_: Any, at: Any
) -> None:
    """``Event.from_object`` takes exact JSON types as they are (the journal's own lines) and
    converts anything else: the event, or the error, is the same either way."""
    obj = {"seq": seq, "type": type_, "at": at, "data": {"k": 1}}
    try:
        expected: Any = Event(seq=int(seq), type=str(type_), at=float(at), data=obj["data"])
    except (TypeError, ValueError) as error:
        expected = type(error)
    try:
        got: Any = Event.from_object(obj)
    except (TypeError, ValueError) as error:
        got = type(error)
    assert got == expected
    if isinstance(got, Event):
        assert (type(got.seq), type(got.type), type(got.at)) == (int, str, float)
