"""Session stores: every backend keeps, expires and deletes; the embedded one survives a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from controlroom.access.database import sqlite_path
from controlroom.access.sessions import SqliteSessionStore, open_sessions
from tests.support.redis_server import RedisServer


@pytest.fixture(params=["sqlite", "redis", "memory"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'access.sqlite3'}"
    elif request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        yield server.url
    else:
        yield "memory://"


async def test_a_session_is_kept_under_a_new_random_id_and_deleted_at_once(store_url: str) -> None:
    store = open_sessions(store_url)
    try:
        first = await store.create({"kind": "user", "role": "director", "name": "dina"})
        second = await store.create({"kind": "user", "role": "director", "name": "dina"})
        assert first != second and len(first) >= 43  # 256 bits, url-safe
        assert await store.get(first) == {"kind": "user", "role": "director", "name": "dina"}
        await store.delete(first)
        assert await store.get(first) is None
        assert await store.get(second) is not None
        assert await store.get("no-such-session") is None
    finally:
        await store.close()


async def test_a_session_ends_at_its_expiry(store_url: str) -> None:
    store = open_sessions(store_url)
    try:
        short = await store.create({"kind": "device"}, ttl=1)
        long = await store.create({"kind": "device"}, ttl=60)
        assert await store.get(short) is not None
        await asyncio.sleep(1.2)
        assert await store.get(short) is None
        assert await store.get(long) is not None
    finally:
        await store.close()


async def test_sqlite_sessions_outlive_the_store_and_its_process(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'data' / 'access.sqlite3'}"
    before = open_sessions(url)
    kept = await before.create({"kind": "device", "device": "d1", "team": "police"})
    gone = await before.create({"kind": "user", "role": "observer"})
    await before.delete(gone)
    # no close(): the process is killed, nothing is flushed on the way out
    after = open_sessions(url)
    try:
        assert await after.get(kept) == {"kind": "device", "device": "d1", "team": "police"}
        assert await after.get(gone) is None
    finally:
        await after.close()
        await before.close()
    mode = open_sessions(url)
    assert isinstance(mode, SqliteSessionStore)
    journal_mode = await mode._db.run(lambda c: c.execute("PRAGMA journal_mode").fetchone())
    await mode.close()
    assert journal_mode == ("wal",)


async def test_expired_rows_are_cleared_when_sessions_are_made(tmp_path: Path) -> None:
    store = SqliteSessionStore(tmp_path / "access.sqlite3")
    try:
        await store.create({"kind": "device"}, ttl=-1)
        await store.create({"kind": "device"})
        rows = await store._db.run(lambda c: c.execute("SELECT count(*) FROM sessions").fetchone())
        assert rows == (1,)
    finally:
        await store.close()


def test_an_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="sqlite:///path, redis://, memory://"):
        open_sessions("postgres://db/sessions")
    with pytest.raises(ValueError, match="not a sqlite URL"):
        sqlite_path("sqlite://")
