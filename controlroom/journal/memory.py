"""In-memory journals (``memory://``) for demos and unit tests. Design: docs/journal.md.

Same promises as the other backends except durability: everything is gone when the process
ends. ``MemoryJournal`` is also the in-process half of the file backend: it keeps the events
in a list, takes appends one at a time and wakes followers; ``FileJournal`` adds the disk
through the ``_persist`` hook.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from controlroom.journal.base import (
    Event,
    Journal,
    JournalConflict,
    JournalError,
    JournalStore,
    check_exercise_id,
)


def new_epoch() -> str:
    """A fresh random journal epoch: 16 bytes as 32 hex digits."""
    return secrets.token_hex(16)


class MemoryJournal(Journal):
    """The events of one exercise in a list; appends are serialized by a lock.

    The store owns its journals: ``close()`` on a journal does nothing, closing the store ends
    every follower and waits for appends in flight.
    """

    def __init__(self, exercise_id: str, epoch: str, events: Iterable[Event] = ()) -> None:
        self.exercise_id = exercise_id
        self.epoch = epoch
        self._events: list[Event] = list(events)
        self._lock = asyncio.Lock()
        self._appended = asyncio.Event()  # replaced after every append: a one-shot signal
        self._pending: set[asyncio.Task[Event]] = set()
        self._closed = False

    @property
    def last_seq(self) -> int:
        return len(self._events)

    async def append(
        self,
        type: str,
        data: Mapping[str, Any],
        *,
        at: float,
        expect_seq: int | None = None,
    ) -> Event:
        if self._closed:
            raise JournalError(f"journal {self.exercise_id!r} is closed")
        # Shielded: an append that has started finishes (and is published) even if the caller
        # is cancelled, so memory never disagrees with what is on disk.
        task = asyncio.ensure_future(self._append(type, data, at, expect_seq))
        self._pending.add(task)
        task.add_done_callback(self._forget)
        return await asyncio.shield(task)

    async def _append(
        self, type: str, data: Mapping[str, Any], at: float, expect_seq: int | None
    ) -> Event:
        async with self._lock:
            last = len(self._events)
            if expect_seq is not None and expect_seq != last:
                raise JournalConflict(expect_seq, last)
            line = Event(seq=last + 1, type=type, at=at, data=data).to_json()
            event = Event.from_json(line)  # a private copy, exactly as a reader will see it
            await self._persist(line)
            self._events.append(event)
            self._wake()
            return event

    async def _persist(self, line: bytes) -> None:
        """Make one event line durable before it is published (nothing to do in memory)."""

    def _forget(self, task: asyncio.Task[Event]) -> None:
        self._pending.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a caller that was cancelled no longer awaits it

    def _wake(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    async def read(self, after: int = 0, limit: int | None = None) -> list[Event]:
        start = max(after, 0)
        stop = None if limit is None else start + max(limit, 0)
        return self._events[start:stop]

    async def follow(self, after: int = 0) -> AsyncIterator[Event]:
        seq = max(after, 0)
        while True:
            # seqs are 1, 2, 3, ... so the event after ``seq`` sits at index ``seq``
            while seq < len(self._events):
                event = self._events[seq]
                seq = event.seq
                yield event
            if self._closed:
                return
            await self._appended.wait()

    async def _end(self) -> None:
        """Refuse new appends, let those in flight land, then end every follower."""
        self._closed = True
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        self._wake()


class MemoryJournalStore(JournalStore):
    """Journals kept in this process only; ``open`` returns the one journal of an exercise."""

    def __init__(self) -> None:
        self._journals: dict[str, MemoryJournal] = {}

    async def create(self, exercise_id: str) -> MemoryJournal:
        check_exercise_id(exercise_id)
        if exercise_id in self._journals:
            raise FileExistsError(f"a journal for exercise {exercise_id!r} already exists")
        journal = self._journals[exercise_id] = MemoryJournal(exercise_id, new_epoch())
        return journal

    async def open(self, exercise_id: str) -> MemoryJournal:
        check_exercise_id(exercise_id)
        try:
            return self._journals[exercise_id]
        except KeyError:
            raise KeyError(exercise_id) from None

    async def list(self) -> list[str]:
        return sorted(self._journals)

    async def close(self) -> None:
        for journal in self._journals.values():
            await journal._end()
