"""Where reply files are kept: a small store chosen by URL. Design: docs/security.md.

``file:///path`` (embedded, the default: ``<data_dir>/files``), ``redis://host:port/db``
(scaled: every worker serves every file; the default when the journal is on Redis),
``memory://`` (nothing kept). A file is stored once, under an id made from its exercise, its
team and its content (``file_id``): the same file sent again by the same team (an upload
retried after the wifi dropped) is the same id, and one team's id says nothing of another
team's. Its record (``StoredFile``) names the exercise and team it belongs to; serving it
checks both (``controlroom.web.devices.replies``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import orjson

from controlroom.journal.redis_client import RedisClient

FILE_ID = re.compile(r"[0-9a-f]{32}")
KEY_PREFIX = "controlroom:file:"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A stored file's record: whose it is and what it is (never its bytes)."""

    id: str
    exercise: str
    team: str
    name: str  # the display name (controlroom.files.sniff.display_name)
    type: str  # sniffed from the content
    size: int
    sha256: str


def file_id(exercise: str, team: str, sha256: str) -> str:
    return hashlib.sha256(f"{exercise}\n{team}\n{sha256}".encode()).hexdigest()[:32]


def describe(exercise: str, team: str, name: str, media: str, data: bytes) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    identifier = file_id(exercise, team, digest)
    return StoredFile(identifier, exercise, team, name, media, len(data), digest)


class BlobStore(Protocol):
    async def put(self, record: StoredFile, data: bytes) -> None:
        """Keep ``data`` under ``record.id`` (again: the record is replaced, the bytes same)."""

    async def record(self, file_id: str) -> StoredFile | None:
        """The file's record, None if there is no such file."""

    async def read(self, file_id: str) -> bytes | None:
        """The file's bytes, None if there is no such file."""

    async def remove(self, file_id: str) -> None:
        """Forget the file (nothing if there is no such file): only for a file no journal
        event names, one stored for a post that was then refused."""

    async def close(self) -> None: ...


def _record(raw: bytes | str | None) -> StoredFile | None:
    if raw is None:
        return None
    try:
        return StoredFile(**orjson.loads(raw))
    except (orjson.JSONDecodeError, TypeError):
        return None


class MemoryBlobs:
    def __init__(self) -> None:
        self._files: dict[str, tuple[StoredFile, bytes]] = {}

    async def put(self, record: StoredFile, data: bytes) -> None:
        self._files[record.id] = (record, data)

    async def record(self, file_id: str) -> StoredFile | None:
        found = self._files.get(file_id)
        return found[0] if found else None

    async def read(self, file_id: str) -> bytes | None:
        found = self._files.get(file_id)
        return found[1] if found else None

    async def remove(self, file_id: str) -> None:
        self._files.pop(file_id, None)

    async def close(self) -> None:
        return None


class FileBlobs:
    """``<root>/<id>.bin`` and its record ``<id>.json``, each written whole (temp + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, file_id: str, suffix: str) -> Path:
        if not FILE_ID.fullmatch(file_id):
            raise KeyError(file_id)
        return self.root / f"{file_id}{suffix}"

    async def put(self, record: StoredFile, data: bytes) -> None:
        await asyncio.to_thread(self._put, record, data)

    def _put(self, record: StoredFile, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for suffix, content in ((".bin", data), (".json", orjson.dumps(asdict(record)))):
            path = self._path(record.id, suffix)
            temporary = path.with_suffix(f"{suffix}.{os.getpid()}.tmp")
            with temporary.open("wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            temporary.replace(path)

    async def record(self, file_id: str) -> StoredFile | None:
        try:
            path = self._path(file_id, ".json")
            raw = await asyncio.to_thread(path.read_bytes)
        except (KeyError, OSError):
            return None
        return _record(raw)

    async def read(self, file_id: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self._path(file_id, ".bin").read_bytes)
        except (KeyError, OSError):
            return None

    async def remove(self, file_id: str) -> None:
        await asyncio.to_thread(self._remove, file_id)

    def _remove(self, file_id: str) -> None:
        if not FILE_ID.fullmatch(file_id):
            return
        for suffix in (".json", ".bin"):  # the record first: a file without it is not served
            self._path(file_id, suffix).unlink(missing_ok=True)

    async def close(self) -> None:
        return None


class RedisBlobs:
    """One hash per file: ``record`` (JSON) and ``data`` (the bytes), written in one HSET."""

    def __init__(self, url: str) -> None:
        self.client = RedisClient(url, "files")

    async def put(self, record: StoredFile, data: bytes) -> None:
        mapping: dict[Any, Any] = {
            "record": orjson.dumps(asdict(record)),
            "data": data,
        }
        key = KEY_PREFIX + record.id
        # content-addressed: a put is idempotent (see BlobStore.put), a resend changes nothing
        await self.client.write_resendable(lambda r: r.hset(key, mapping=mapping))

    async def record(self, file_id: str) -> StoredFile | None:
        if not FILE_ID.fullmatch(file_id):
            return None
        key = KEY_PREFIX + file_id
        raw = await self.client.read(lambda r: r.hget(key, "record"))
        return _record(raw)

    async def read(self, file_id: str) -> bytes | None:
        if not FILE_ID.fullmatch(file_id):
            return None
        key = KEY_PREFIX + file_id
        raw = await self.client.read(lambda r: r.hget(key, "data"))
        return raw.encode() if isinstance(raw, str) else raw

    async def remove(self, file_id: str) -> None:
        if not FILE_ID.fullmatch(file_id):
            return
        key = KEY_PREFIX + file_id
        await self.client.write(lambda r: r.delete(key))

    async def close(self) -> None:
        await self.client.close()


def open_blobs(url: str) -> BlobStore:
    scheme = url.split("://", 1)[0]
    if scheme == "memory":
        return MemoryBlobs()
    if scheme == "file":
        return FileBlobs(Path(unquote(urlparse(url).path)))
    if scheme in ("redis", "rediss", "unix"):
        return RedisBlobs(url)
    raise ValueError(
        f"unknown files URL scheme {scheme!r} in {url!r} (file:///path, redis://, memory://)"
    )
