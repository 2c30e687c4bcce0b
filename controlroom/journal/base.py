"""The journal interface every backend implements. Design: docs/journal.md.

A journal is the one source of truth of an exercise: an append-only sequence of events
numbered 1, 2, 3, ... with no gaps. Every backend (``file://``, ``redis://``, ``memory://``)
keeps the same promises:

* ``append`` returns only once the event is durable (fsync for files, AOF for Redis);
* sequence numbers only increase and are never reused or rewritten;
* ``append(..., expect_seq=n)`` succeeds only if the journal's last sequence is ``n``:
  this optimistic check is what makes a scheduled release happen once however many
  workers run a clock;
* ``follow(after)`` yields every later event, in order, once, forever, across reconnects;
* every journal has an ``epoch``: a random id fixed when it is created; a client that saw
  another epoch must reload in full.
"""

from __future__ import annotations

import abc
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

_EXERCISE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_exercise_id(exercise_id: str) -> str:
    """``exercise_id`` if it is a safe slug (``[a-z0-9][a-z0-9_-]{0,63}``), else ``ValueError``.

    Every backend checks ids before use, so an id can never walk out of its directory or key.
    """
    if not isinstance(exercise_id, str) or not _EXERCISE_ID.fullmatch(exercise_id):
        raise ValueError(
            f"bad exercise id {exercise_id!r}: use 1-64 of a-z, 0-9, '-', '_', "
            "starting with a letter or digit"
        )
    return exercise_id


class JournalError(Exception):
    """Base class of journal errors."""


class JournalConflict(JournalError):
    """``append(expect_seq=n)`` found another last sequence: someone appended first."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected last sequence {expected}, journal is at {actual}")
        self.expected = expected
        self.actual = actual


class JournalUnavailable(JournalError):
    """The journal's backend cannot be reached right now (Redis down, disk gone): try again.

    Pages answer 503 with a retry hint and sockets an ``unavailable`` error frame; nothing
    was written. ``logged`` is true when whoever raised it has already logged the outage
    (the Redis clients do, once per outage), so the web layer does not log it again.
    """

    def __init__(self, message: str = "", *, logged: bool = False) -> None:
        super().__init__(message)
        self.logged = logged


class JournalCorrupt(JournalError):
    """A journal could not be read back as written (names the place and what is wrong)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One fact in an exercise's history."""

    seq: int
    type: str
    at: float  # wall-clock unix seconds, from the exercise's time source
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return orjson.dumps({"seq": self.seq, "type": self.type, "at": self.at, "data": self.data})

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        return cls.from_object(orjson.loads(raw))

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> Event:
        """The event of a parsed JSON object (``KeyError``, ``TypeError``, ``ValueError``)."""
        seq, type_, at = obj["seq"], obj["type"], obj["at"]
        if type(seq) is int and type(type_) is str and type(at) is float:
            return cls(seq, type_, at, obj["data"])  # as written: nothing to convert
        return cls(
            seq=int(obj["seq"]), type=str(obj["type"]), at=float(obj["at"]), data=obj["data"]
        )


class Journal(abc.ABC):
    """The journal of one exercise."""

    exercise_id: str
    epoch: str

    @property
    @abc.abstractmethod
    def last_seq(self) -> int:
        """The last sequence this process knows of (0 when empty)."""

    @abc.abstractmethod
    async def append(
        self,
        type: str,
        data: Mapping[str, Any],
        *,
        at: float,
        expect_seq: int | None = None,
    ) -> Event:
        """Append one event durably and return it with its sequence number.

        Raises ``JournalConflict`` if ``expect_seq`` is given and is not the last sequence.
        """

    @abc.abstractmethod
    async def read(self, after: int = 0, limit: int | None = None) -> list[Event]:
        """Events with ``seq > after`` in order (at most ``limit``)."""

    @abc.abstractmethod
    def follow(self, after: int = 0) -> AsyncIterator[Event]:
        """Every event with ``seq > after``, in order, once, then each new one as it lands."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources held for this journal."""


class JournalStore(abc.ABC):
    """Where journals live; chosen by URL (``file://``, ``redis://``, ``memory://``)."""

    @abc.abstractmethod
    async def create(self, exercise_id: str) -> Journal:
        """Create a new, empty journal with a fresh epoch. Fails if it exists."""

    @abc.abstractmethod
    async def open(self, exercise_id: str) -> Journal:
        """Open an existing journal (``KeyError`` if there is none)."""

    @abc.abstractmethod
    async def list(self) -> list[str]:
        """The ids of every exercise that has a journal."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections and files."""


def open_store(url: str) -> JournalStore:
    """The journal store for ``url``: ``file:///path``, ``redis://host:port/db`` or ``memory://``."""
    scheme = url.split(":", 1)[0]  # also the short file:relative/path
    if scheme == "file":
        from controlroom.journal.file import FileJournalStore

        return FileJournalStore.from_url(url)
    if scheme in ("redis", "rediss", "unix"):
        from controlroom.journal.redis import RedisJournalStore

        return RedisJournalStore.from_url(url)
    if scheme == "memory":
        from controlroom.journal.memory import MemoryJournalStore

        return MemoryJournalStore()
    raise ValueError(
        f"unknown journal URL scheme {scheme!r} in {url!r} (file://, redis://, memory://)"
    )
