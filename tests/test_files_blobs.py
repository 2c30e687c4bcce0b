"""The reply files' store, each backend the same: kept by id, read back, nothing else found."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from controlroom.files.blobs import BlobStore, describe, file_id, open_blobs
from tests.support.redis_server import RedisServer

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(params=["memory", "file", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "file":
        url = f"file://{tmp_path / 'files'}"
    else:
        url = request.getfixturevalue("redis_server").url
    opened = open_blobs(url)
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_file_is_read_back_by_its_id(store: BlobStore) -> None:
    record = describe("ex1", "police", "Отчёт.pdf", "application/pdf", PDF)
    assert record.id == file_id("ex1", "police", record.sha256)
    assert await store.record(record.id) is None
    await store.put(record, PDF)
    assert await store.record(record.id) == record
    assert await store.read(record.id) == PDF
    await store.put(record, PDF)  # a retried upload: the same file, once
    assert await store.read(record.id) == PDF


async def test_ids_differ_per_team_and_odd_ids_find_nothing(store: BlobStore) -> None:
    mine = describe("ex1", "police", "a.pdf", "application/pdf", PDF)
    theirs = describe("ex1", "labour", "a.pdf", "application/pdf", PDF)
    assert mine.id != theirs.id
    await store.put(mine, PDF)
    assert await store.record(theirs.id) is None
    for odd in ("", "../" + mine.id, mine.id.upper(), mine.id + ".bin", "x" * 32):
        assert await store.record(odd) is None
        assert await store.read(odd) is None


async def test_a_removed_file_is_gone_and_the_others_stay(store: BlobStore) -> None:
    kept = describe("ex1", "police", "a.pdf", "application/pdf", PDF)
    gone = describe("ex1", "police", "b.pdf", "application/pdf", PDF + b"%b\n")
    await store.put(kept, PDF)
    await store.put(gone, PDF + b"%b\n")
    await store.remove(gone.id)
    assert await store.record(gone.id) is None and await store.read(gone.id) is None
    assert await store.read(kept.id) == PDF
    await store.remove(gone.id)  # again, or an odd id: nothing happens
    await store.remove("../" + kept.id)
    assert await store.read(kept.id) == PDF


async def test_a_file_store_outlives_its_process(tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'files'}"
    record = describe("ex1", "police", "a.pdf", "application/pdf", PDF)
    first = open_blobs(url)
    await first.put(record, PDF)
    await first.close()
    again = open_blobs(url)
    assert await again.read(record.id) == PDF
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [
        f"{record.id}.bin",
        f"{record.id}.json",
    ]


async def test_workers_share_the_redis_store(redis_server: RedisServer) -> None:
    one, two = open_blobs(redis_server.url), open_blobs(redis_server.url)
    record = describe("ex1", "police", "a.pdf", "application/pdf", PDF)
    await one.put(record, PDF)
    assert await two.record(record.id) == record
    assert await two.read(record.id) == PDF
    await one.close()
    await two.close()


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown files URL scheme"):
        open_blobs("s3://bucket")
