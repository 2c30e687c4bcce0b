"""Server-side sessions: the cookie holds only an opaque id. Design: docs/security.md.

Chosen by URL like every backend: ``sqlite:///path`` (embedded default, a file in the data
folder: sessions outlive the process, so a restart signs nobody out), ``redis://`` (scaled:
every worker sees every session, and revoking one takes effect everywhere) or ``memory://``
(nothing kept).
"""

from __future__ import annotations

import abc
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson

from controlroom.access.database import Database, sqlite_path
from controlroom.journal.redis_client import RedisClient

SESSION_COOKIE = "cr_session"
DEFAULT_TTL = 7 * 24 * 3600  # an exercise week


class SessionStore(abc.ABC):
    @abc.abstractmethod
    async def create(self, data: dict[str, Any], ttl: int = DEFAULT_TTL) -> str:
        """Store ``data`` under a new random id (256 bits) and return the id."""

    @abc.abstractmethod
    async def get(self, session_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    async def delete(self, session_id: str) -> None: ...

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""


class MemorySessionStore(SessionStore):
    def __init__(self) -> None:
        self._sessions: dict[str, tuple[float, dict[str, Any]]] = {}

    async def create(self, data: dict[str, Any], ttl: int = DEFAULT_TTL) -> str:
        session_id = secrets.token_urlsafe(32)
        self._sessions[session_id] = (time.monotonic() + ttl, dict(data))
        return session_id

    async def get(self, session_id: str) -> dict[str, Any] | None:
        found = self._sessions.get(session_id)
        if found is None:
            return None
        expires, data = found
        if expires < time.monotonic():
            del self._sessions[session_id]
            return None
        return dict(data)

    async def delete(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


class SqliteSessionStore(SessionStore):
    """Sessions in the embedded database; expiry by wall-clock time (it survives restarts)."""

    def __init__(self, path: Path) -> None:
        self._db = Database(path)

    async def create(self, data: dict[str, Any], ttl: int = DEFAULT_TTL) -> str:
        session_id = secrets.token_urlsafe(32)
        row = (session_id, orjson.dumps(data), time.time() + ttl)

        def insert(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute("INSERT INTO sessions (id, data, expires) VALUES (?, ?, ?)", row)

        await self._db.run(insert)
        return session_id

    async def get(self, session_id: str) -> dict[str, Any] | None:
        def select(db: sqlite3.Connection) -> Any:
            return db.execute(
                "SELECT data FROM sessions WHERE id = ? AND expires >= ?",
                (session_id, time.time()),
            ).fetchone()

        found = await self._db.run(select)
        return None if found is None else dict(orjson.loads(found[0]))

    async def delete(self, session_id: str) -> None:
        await self._db.run(
            lambda db: db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        )

    async def close(self) -> None:
        await self._db.close()


class RedisSessionStore(SessionStore):
    """Sessions as Redis strings with a TTL. During an outage every call raises
    ``JournalUnavailable``; each command is idempotent (a new random id, a delete), so each
    is retried once on a dropped connection (``RedisClient.read``)."""

    def __init__(self, url: str) -> None:
        self._client = RedisClient(url, "sessions")

    @staticmethod
    def _key(session_id: str) -> str:
        return f"controlroom:session:{session_id}"

    async def create(self, data: dict[str, Any], ttl: int = DEFAULT_TTL) -> str:
        session_id = secrets.token_urlsafe(32)
        raw = orjson.dumps(data)
        await self._client.read(lambda r: r.set(self._key(session_id), raw, ex=ttl))
        return session_id

    async def get(self, session_id: str) -> dict[str, Any] | None:
        raw = await self._client.read(lambda r: r.get(self._key(session_id)))
        return None if raw is None else dict(orjson.loads(raw))

    async def delete(self, session_id: str) -> None:
        await self._client.read(lambda r: r.delete(self._key(session_id)))

    async def close(self) -> None:
        await self._client.close()


def open_sessions(url: str) -> SessionStore:
    scheme = url.split("://", 1)[0]
    if scheme == "memory":
        return MemorySessionStore()
    if scheme == "sqlite":
        return SqliteSessionStore(sqlite_path(url))
    if scheme in ("redis", "rediss", "unix"):
        return RedisSessionStore(url)
    raise ValueError(
        f"unknown sessions URL scheme {scheme!r} in {url!r} (sqlite:///path, redis://, memory://)"
    )
