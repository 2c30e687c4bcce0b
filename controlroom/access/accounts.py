"""Accounts of exercise control: directors, controllers, observers. Design: docs/security.md.

Passwords are hashed with Argon2 (argon2-cffi). Accounts live beside the sessions, chosen by
the same URL: the embedded database in the data folder (``sqlite://``, the default), a Redis
hash in scaled mode (``redis://``), or nowhere lasting (``memory://``). An ``accounts.json``
left by an earlier version in the data folder is imported into the database once.
"""

from __future__ import annotations

import abc
import asyncio
import hashlib
import hmac
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from controlroom.access.database import Database, sqlite_path
from controlroom.access.permissions import STAFF_ROLES
from controlroom.access.permissions import StaffRole as ControlRole
from controlroom.journal.redis_client import RedisClient

__all__ = ["STAFF_ROLES", "Account", "ControlRole", "new_account"]
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: ControlRole
    password_hash: str
    display: str = ""
    language: str = ""  # the interface language last chosen ("" for none yet)

    def verify(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_account(name: str, role: ControlRole, password: str, display: str = "") -> Account:
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    if not 3 <= len(name) <= 40 or not name.replace("-", "").replace(".", "").isalnum():
        raise ValueError("A user name has 3 to 40 letters, digits, dots or dashes.")
    if len(password) < 8:
        raise ValueError("A password has at least 8 characters.")
    return Account(name.lower(), role, _hasher.hash(password), display.strip()[:80] or name)


def setup_token(secret: str, configured: str = "") -> str:
    """The one-time token that creates the first director (valid while there is no account)."""
    if configured:
        return configured
    return hmac.new(secret.encode(), b"controlroom-setup", hashlib.sha256).hexdigest()[:32]


class AccountStore(abc.ABC):
    @abc.abstractmethod
    async def get(self, name: str) -> Account | None: ...

    @abc.abstractmethod
    async def put(self, account: Account) -> None: ...

    @abc.abstractmethod
    async def all(self) -> list[Account]: ...

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""


class MemoryAccountStore(AccountStore):
    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}

    async def get(self, name: str) -> Account | None:
        return self._accounts.get(name.lower())

    async def put(self, account: Account) -> None:
        self._accounts[account.name] = account

    async def all(self) -> list[Account]:
        return sorted(self._accounts.values(), key=lambda a: a.name)


class SqliteAccountStore(AccountStore):
    """Accounts in the embedded database (the sessions' file), one row per account."""

    def __init__(self, path: Path, legacy: Path | None = None) -> None:
        self._db = Database(path)
        self._legacy = legacy  # an accounts.json to import once
        self._imported = legacy is None
        self._importing = asyncio.Lock()

    async def _ready(self) -> Database:
        async with self._importing:
            if self._imported:
                return self._db
            self._imported = True
            if self._legacy is not None and await asyncio.to_thread(self._legacy.exists):
                legacy = await asyncio.to_thread(_legacy_accounts, self._legacy)
                rows = [(a.name, orjson.dumps(asdict(a))) for a in legacy]

                def insert(c: sqlite3.Connection) -> None:
                    c.executemany("INSERT OR IGNORE INTO accounts (name, data) VALUES (?, ?)", rows)

                await self._db.run(insert)
                await asyncio.to_thread(
                    self._legacy.replace, self._legacy.with_suffix(".json.imported")
                )
        return self._db

    async def get(self, name: str) -> Account | None:
        db = await self._ready()
        found = await db.run(
            lambda c: c.execute(
                "SELECT data FROM accounts WHERE name = ?", (name.lower(),)
            ).fetchone()
        )
        return None if found is None else Account(**orjson.loads(found[0]))

    async def put(self, account: Account) -> None:
        row = (account.name, orjson.dumps(asdict(account)))

        def upsert(c: sqlite3.Connection) -> None:
            c.execute("INSERT OR REPLACE INTO accounts (name, data) VALUES (?, ?)", row)

        await (await self._ready()).run(upsert)

    async def all(self) -> list[Account]:
        db = await self._ready()
        rows = await db.run(lambda c: c.execute("SELECT data FROM accounts").fetchall())
        return sorted((Account(**orjson.loads(r[0])) for r in rows), key=lambda a: a.name)

    async def close(self) -> None:
        await self._db.close()


def _legacy_accounts(path: Path) -> list[Account]:
    """The accounts of an earlier version's ``accounts.json`` (imported once, then renamed)."""
    raw = orjson.loads(path.read_bytes())
    return [Account(**data) for data in raw.values()]


class RedisAccountStore(AccountStore):
    """Accounts in one Redis hash; ``JournalUnavailable`` during an outage (every command is
    idempotent, so each is retried once on a dropped connection)."""

    KEY = "controlroom:accounts"

    def __init__(self, url: str) -> None:
        self._client = RedisClient(url, "accounts")

    async def get(self, name: str) -> Account | None:
        raw = await self._client.read(lambda r: r.hget(self.KEY, name.lower()))
        return None if raw is None else Account(**orjson.loads(raw))

    async def put(self, account: Account) -> None:
        raw = orjson.dumps(asdict(account))
        await self._client.read(lambda r: r.hset(self.KEY, account.name, raw))

    async def all(self) -> list[Account]:
        raw = await self._client.read(lambda r: r.hgetall(self.KEY))
        return sorted((Account(**orjson.loads(v)) for v in raw.values()), key=lambda a: a.name)

    async def close(self) -> None:
        await self._client.close()


def open_accounts(sessions_url: str, data_dir: Path) -> AccountStore:
    """The account store beside the sessions of ``sessions_url``."""
    scheme = sessions_url.split("://", 1)[0]
    if scheme in ("redis", "rediss", "unix"):
        return RedisAccountStore(sessions_url)
    if scheme == "sqlite":
        return SqliteAccountStore(sqlite_path(sessions_url), legacy=data_dir / "accounts.json")
    if scheme == "memory":
        return MemoryAccountStore()
    raise ValueError(f"unknown sessions URL scheme {scheme!r} in {sessions_url!r}")
