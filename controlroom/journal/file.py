"""The ``file://`` journal: one JSON-lines file per exercise. Design: docs/journal.md.

Layout::

    <root>/exercises/<exercise_id>/journal.jsonl

Line 1 is a header ``{"journal":"controlroom","version":1,"exercise":id,"epoch":hex,
"created":unix}``; every further line is one event (``Event.to_json``) and a newline.
``append`` writes the line and fsyncs it before returning (in a worker thread, one append at
a time). The events are also kept in memory, so ``read`` and ``follow`` never touch the disk.

Opening checks every line. A torn last line (no newline, or unreadable: what a crash in the
middle of a write leaves; its ``append`` never returned) is moved byte for byte into
``journal.jsonl.torn-<unix>``, the journal is cut back to its last good line, a warning is
logged and ``FileJournal.recovered`` reports it. Any other damage raises ``JournalCorrupt``:
history is never rewritten.

One process at a time owns a journal file (an exclusive ``flock``, released on close).
"""

from __future__ import annotations

import asyncio
import builtins
import fcntl
import gc
import itertools
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson

from controlroom.journal.base import (
    Event,
    JournalCorrupt,
    JournalError,
    JournalStore,
    check_exercise_id,
)
from controlroom.journal.memory import MemoryJournal, new_epoch

logger = logging.getLogger("controlroom.journal")

JOURNAL = "journal.jsonl"
MAGIC = "controlroom"
VERSION = 1


@dataclass(frozen=True, slots=True)
class TornTail:
    """A torn last line found on open, moved aside and cut from the journal."""

    path: Path  # the journal file
    line: int  # 1-based line number of the torn line (the header is line 1)
    offset: int  # byte offset where it started: the journal's size now
    size: int  # how many bytes were moved
    saved_to: Path  # the sidecar file holding those exact bytes


class FileJournal(MemoryJournal):
    """A journal file of one exercise, with its events held in memory."""

    def __init__(
        self,
        exercise_id: str,
        epoch: str,
        events: list[Event],
        *,
        path: Path,
        fd: int,
        recovered: list[TornTail],
    ) -> None:
        super().__init__(exercise_id, epoch, events)
        self.path = path
        self.recovered = recovered
        self._fd = fd
        self._size = os.fstat(fd).st_size  # the end of the last good line
        self._broken: OSError | None = None

    async def _persist(self, line: bytes) -> None:
        if self._broken is not None:
            raise JournalError(f"{self.path}: cannot append after a failed write: {self._broken}")
        await asyncio.to_thread(self._write, line + b"\n")

    def _write(self, data: bytes) -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError:
            # Take back a partial line, so the next append never lands after torn bytes.
            try:
                os.ftruncate(self._fd, self._size)
                os.fsync(self._fd)
            except OSError as exc:
                self._broken = exc
            raise
        self._size += len(data)

    async def _end(self) -> None:
        await super()._end()
        if self._fd >= 0:
            os.close(self._fd)  # also releases the flock
            self._fd = -1


class FileJournalStore(JournalStore):
    """Journal files under ``<root>/exercises/``; ``open`` returns the one journal per id."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()
        self._journals: dict[str, FileJournal] = {}
        self._lock = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str) -> FileJournalStore:
        """``file:///abs/path``; ``file://./rel``, ``file:rel`` are relative to the cwd."""
        scheme, _, rest = url.partition(":")
        if scheme != "file" or not rest:
            raise ValueError(f"not a file URL: {url!r} (want file:///absolute/path)")
        if rest.startswith("//"):
            rest = rest[2:]
            if rest.startswith("localhost/"):
                rest = rest[len("localhost") :]
        if not rest:
            raise ValueError(f"no directory in {url!r} (want file:///absolute/path)")
        return cls(unquote(rest))

    def _path(self, exercise_id: str) -> Path:
        return self.root / "exercises" / check_exercise_id(exercise_id) / JOURNAL

    async def create(self, exercise_id: str) -> FileJournal:
        path = self._path(exercise_id)
        async with self._lock:
            journal = await asyncio.to_thread(_create, path, exercise_id)
            self._journals[exercise_id] = journal
            return journal

    async def open(self, exercise_id: str) -> FileJournal:
        path = self._path(exercise_id)
        async with self._lock:
            if exercise_id not in self._journals:
                self._journals[exercise_id] = await asyncio.to_thread(_open, path, exercise_id)
            return self._journals[exercise_id]

    async def read_only(self, exercise_id: str) -> builtins.list[Event]:
        """A journal's events without opening it for writing (a torn tail is left alone):
        for review tools run beside a live server (``controlroom replay``, ``export``)."""
        path = self._path(exercise_id)
        if not path.exists():
            raise KeyError(exercise_id)
        raw = await asyncio.to_thread(path.read_bytes)
        return _parse(path, raw, exercise_id)[1]

    async def list(self) -> builtins.list[str]:
        return await asyncio.to_thread(self._list)

    def _list(self) -> builtins.list[str]:
        try:
            names = os.listdir(self.root / "exercises")
        except FileNotFoundError:
            return []
        return sorted(n for n in names if _is_id(n) and self._path(n).is_file())

    async def close(self) -> None:
        async with self._lock:
            for journal in self._journals.values():
                await journal._end()
            self._journals.clear()


def _is_id(name: str) -> bool:
    try:
        check_exercise_id(name)
    except ValueError:
        return False
    return True


def _create(path: Path, exercise_id: str) -> FileJournal:
    _makedirs(path.parent)
    header = {
        "journal": MAGIC,
        "version": VERSION,
        "exercise": exercise_id,
        "epoch": new_epoch(),
        "created": int(time.time()),
    }
    # Write the header aside, then link it into place: a journal file appears whole or not at
    # all, and the link fails if one exists.
    tmp = path.with_name(f".{JOURNAL}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "xb") as f:
        f.write(orjson.dumps(header) + b"\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(f"a journal for exercise {exercise_id!r} exists: {path}") from None
    finally:
        tmp.unlink()
    _fsync_dir(path.parent)
    return _open(path, exercise_id)


def _open(path: Path, exercise_id: str) -> FileJournal:
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
    except FileNotFoundError:
        raise KeyError(exercise_id) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JournalError(f"{path} is in use by another journal store") from None
        with open(fd, "rb", closefd=False) as f:
            raw = f.read()
        collecting = gc.isenabled()
        gc.disable()  # a week is 200,000 events and their dicts: no cycles, nothing to collect
        try:
            epoch, events, good = _parse(path, raw, exercise_id)
        finally:
            if collecting:
                gc.enable()
        recovered = []
        if good < len(raw):
            recovered.append(_cut_torn_tail(path, fd, raw, good, line=len(events) + 2))
        return FileJournal(exercise_id, epoch, events, path=path, fd=fd, recovered=recovered)
    except BaseException:
        os.close(fd)
        raise


def _parse(path: Path, raw: bytes, exercise_id: str) -> tuple[str, list[Event], int]:
    """The epoch, the events and the size of the good part of a journal file.

    Everything after the good part is a torn last line; anything else wrong raises.
    """
    *lines, tail = raw.split(b"\n")  # ``tail`` is what follows the last newline
    if not lines:
        raise JournalCorrupt(f"{path}, line 1: no complete header line ({len(raw)} bytes)")
    epoch = _parse_header(path, lines[0], exercise_id)
    events: list[Event] = []
    good = len(lines[0]) + 1
    for number, line in enumerate(lines[1:], start=2):
        try:
            event = _parse_event(line)
        except ValueError as exc:
            if number == len(lines) and not tail:
                return epoch, events, good  # an unreadable last line: torn
            raise JournalCorrupt(f"{path}, line {number}: {exc}") from None
        if event.seq != len(events) + 1:
            raise JournalCorrupt(
                f"{path}, line {number}: expected seq {len(events) + 1}, found {event.seq}"
            )
        events.append(event)
        good += len(line) + 1
    return epoch, events, good


def _parse_header(path: Path, line: bytes, exercise_id: str) -> str:
    try:
        header = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise JournalCorrupt(f"{path}, line 1: header is not JSON: {exc}") from None
    if not isinstance(header, dict) or header.get("journal") != MAGIC:
        raise JournalCorrupt(f"{path}, line 1: not a controlroom journal header")
    if header.get("version") != VERSION:
        raise JournalCorrupt(f"{path}, line 1: unknown version {header.get('version')!r}")
    if header.get("exercise") != exercise_id:
        raise JournalCorrupt(
            f"{path}, line 1: header names exercise {header.get('exercise')!r}, "
            f"expected {exercise_id!r}"
        )
    epoch = header.get("epoch")
    if not isinstance(epoch, str) or not epoch:
        raise JournalCorrupt(f"{path}, line 1: header has no epoch")
    return epoch


def _parse_event(line: bytes) -> Event:
    """One event line, parsed once (``Event.from_json`` without a second ``loads``)."""
    try:
        obj: Any = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), dict):
        raise ValueError("not an event object")
    try:
        return Event.from_object(obj)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not an event: {exc!r}") from None


def _cut_torn_tail(path: Path, fd: int, raw: bytes, good: int, line: int) -> TornTail:
    torn = raw[good:]
    stamp = int(time.time())
    for attempt in itertools.count():
        saved_to = path.with_name(f"{path.name}.torn-{stamp}" + (f"-{attempt}" if attempt else ""))
        try:
            with open(saved_to, "xb") as f:
                f.write(torn)
                f.flush()
                os.fsync(f.fileno())
            break
        except FileExistsError:
            continue
    _fsync_dir(path.parent)  # the bytes are safe in the sidecar before the journal is cut
    os.ftruncate(fd, good)
    os.fsync(fd)
    logger.warning(
        "journal %s: torn last line %d (%d bytes at offset %d) moved to %s",
        path,
        line,
        len(torn),
        good,
        saved_to,
    )
    return TornTail(path=path, line=line, offset=good, size=len(torn), saved_to=saved_to)


def _makedirs(directory: Path) -> None:
    """``mkdir -p`` that fsyncs each parent that gained an entry."""
    if directory.is_dir():
        return
    _makedirs(directory.parent)
    try:
        directory.mkdir()
    except FileExistsError:
        return
    _fsync_dir(directory.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
