"""The embedded database of sessions and accounts: one SQLite file in the data folder.

Design: docs/security.md ("Sessions and accounts that outlive the process"). Python's own
``sqlite3``, in WAL mode with ``synchronous=FULL`` (a committed sign-in survives kill -9 and a
power cut), ``busy_timeout`` so a second process (``controlroom demo`` preparing accounts, a
second worker on the same laptop) waits instead of failing. sqlite3 calls block, so every
call runs on one worker thread of its own (``run``): the event loop never waits on the disk,
and the connection is only ever used from the thread that made it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
"""


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///absolute/path`` (or ``sqlite://relative/path``) URL."""
    scheme, _, rest = url.partition("://")
    if scheme != "sqlite" or not rest:
        raise ValueError(f"not a sqlite URL: {url!r} (sqlite:///path/to/file.sqlite3)")
    return Path(rest)


class Database:
    """One SQLite file, used from one thread; ``await db.run(fn)`` calls ``fn(connection)``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="controlroom-db")
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(SCHEMA)
            self._connection = connection
        return self._connection

    async def run(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``call`` with the connection on the database's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(self._connect()))

    async def close(self) -> None:
        def close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, close)
        finally:
            self._executor.shutdown(wait=False)
