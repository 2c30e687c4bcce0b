"""Accounts of exercise control: directors, controllers, observers. Design: docs/security.md.

Passwords are hashed with Argon2 (argon2-cffi). Accounts live beside the sessions: a JSON
file in the data folder in embedded mode, a Redis hash in scaled mode.
"""

from __future__ import annotations

import abc
import asyncio
import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from controlroom.journal.redis_client import RedisClient

ControlRole = Literal["director", "controller", "observer"]
CONTROL_ROLES: tuple[ControlRole, ...] = ("director", "controller", "observer")
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: ControlRole
    password_hash: str
    display: str = ""

    def verify(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_account(name: str, role: ControlRole, password: str, display: str = "") -> Account:
    if role not in CONTROL_ROLES:
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


class FileAccountStore(AccountStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    def _read(self) -> dict[str, Account]:
        if not self.path.exists():
            return {}
        raw = orjson.loads(self.path.read_bytes())
        return {name: Account(**data) for name, data in raw.items()}

    def _write(self, accounts: dict[str, Account]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps({n: asdict(a) for n, a in accounts.items()}))
        with tmp.open("rb") as file:
            os.fsync(file.fileno())
        tmp.replace(self.path)

    async def get(self, name: str) -> Account | None:
        return (await asyncio.to_thread(self._read)).get(name.lower())

    async def put(self, account: Account) -> None:
        async with self._lock:
            accounts = await asyncio.to_thread(self._read)
            accounts[account.name] = account
            await asyncio.to_thread(self._write, accounts)

    async def all(self) -> list[Account]:
        return sorted((await asyncio.to_thread(self._read)).values(), key=lambda a: a.name)


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
    if sessions_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisAccountStore(sessions_url)
    return FileAccountStore(data_dir / "accounts.json")
