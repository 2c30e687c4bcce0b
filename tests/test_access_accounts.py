"""Account stores: chosen by the sessions' URL; the embedded one is a file that outlives us."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import orjson
import pytest
from argon2 import PasswordHasher

from controlroom.access import accounts
from controlroom.access.accounts import (
    MemoryAccountStore,
    RedisAccountStore,
    SqliteAccountStore,
    new_account,
    open_accounts,
)
from tests.support.redis_server import RedisServer


@pytest.fixture(autouse=True)
def light_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    yield


async def test_the_embedded_accounts_outlive_the_store(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'access.sqlite3'}"
    before = open_accounts(url, tmp_path)
    assert isinstance(before, SqliteAccountStore)
    await before.put(new_account("Dina", "director", "correct horse battery", "Dina D."))
    await before.put(new_account("carl", "controller", "correct horse battery"))
    after = open_accounts(url, tmp_path)  # a restart: a new store on the same file
    try:
        dina = await after.get("DINA")
        assert dina is not None and dina.role == "director" and dina.display == "Dina D."
        assert dina.verify("correct horse battery") and not dina.verify("wrong password")
        assert [a.name for a in await after.all()] == ["carl", "dina"]
        await after.put(new_account("carl", "observer", "another password"))
        carl = await after.get("carl")
        assert carl is not None and carl.role == "observer"
    finally:
        await before.close()
        await after.close()


async def test_an_earlier_accounts_json_is_imported_once(tmp_path: Path) -> None:
    old = new_account("olga", "observer", "correct horse battery")
    (tmp_path / "accounts.json").write_bytes(orjson.dumps({"olga": asdict(old)}))
    store = open_accounts(f"sqlite://{tmp_path / 'access.sqlite3'}", tmp_path)
    try:
        assert [a.name for a in await store.all()] == ["olga"]
        assert not (tmp_path / "accounts.json").exists()
        assert (tmp_path / "accounts.json.imported").exists()
    finally:
        await store.close()


async def test_redis_accounts_are_shared_and_kept(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    first = open_accounts(redis_server.url, tmp_path)
    second = open_accounts(redis_server.url, tmp_path)
    assert isinstance(first, RedisAccountStore)
    try:
        await first.put(new_account("dina", "director", "correct horse battery"))
        found = await second.get("dina")
        assert found is not None and found.role == "director"
    finally:
        await first.close()
        await second.close()


async def test_memory_accounts_are_kept_nowhere(tmp_path: Path) -> None:
    store = open_accounts("memory://", tmp_path)
    assert isinstance(store, MemoryAccountStore)
    await store.put(new_account("dina", "director", "correct horse battery"))
    assert [a.name for a in await store.all()] == ["dina"]
    assert await asyncio.to_thread(os.listdir, tmp_path) == []
    assert await open_accounts("memory://", tmp_path).all() == []
    with pytest.raises(ValueError, match="unknown sessions URL"):
        open_accounts("ftp://x", tmp_path)


async def test_an_accounts_language_is_kept_in_every_store(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """The interface language chosen last (``Account.language``); rows written before it
    existed read as "none chosen yet"."""
    from dataclasses import replace

    for url in (f"sqlite://{tmp_path / 'access.sqlite3'}", redis_server.url, "memory://"):
        store = open_accounts(url, tmp_path)
        try:
            dina = new_account("dina", "director", "correct horse battery")
            assert dina.language == ""
            await store.put(replace(dina, language="ru"))
            found = await store.get("dina")
            assert found is not None and found.language == "ru", url
        finally:
            await store.close()
    older = asdict(new_account("olga", "observer", "a password!"))
    del older["language"]
    (tmp_path / "accounts.json").write_bytes(orjson.dumps({"olga": older}))
    store = open_accounts(f"sqlite://{tmp_path / 'other.sqlite3'}", tmp_path)
    try:
        olga = await store.get("olga")
        assert olga is not None and olga.language == ""
    finally:
        await store.close()
