"""Snapshots of an exercise's folded state: a restart folds only the journal's tail.

Design: docs/performance.md. A snapshot is the ``ExerciseState`` after event ``seq`` of one
journal, pickled, in ``<data>/snapshots/<exercise>.state``: 32 bytes of HMAC-SHA256 (keyed
with the server's secret) over the rest, a JSON header line, then the pickle. It is used
only when all of these hold, else ignored (the journal is folded in full, as without one):

* the HMAC matches: this server wrote it (a pickle runs code: nothing else is unpickled);
* ``code`` is the digest of the fold's source (``controlroom/exercise``, ``scenario``) and
  of the Python and pydantic versions: another version of the fold folds again;
* ``epoch`` is the journal's, the journal holds ``seq`` events, and the event at ``seq``
  is the one the snapshot was folded up to (the digest of its JSON).

The journal stays the one source of truth: a snapshot never stands in for an event, and a
missing, stale or damaged one only costs a slower start. tests/test_live_snapshots.py
proves that a snapshot plus the tail folds to the same state as the whole journal.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson
import pydantic

from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.journal.base import check_exercise_id

logger = logging.getLogger("controlroom.live.snapshots")

FORMAT = 1
MAC_BYTES = 32


@functools.cache
def code_digest() -> str:
    """What the fold is made of: its source files and the versions that pickle it."""
    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}|{FORMAT}".encode())
    package = Path(__file__).resolve().parents[1]
    for folder in ("exercise", "scenario"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _event_digest(event: Event) -> str:
    return hashlib.sha256(event.to_json()).hexdigest()


class Snapshots:
    """The snapshots of this server's exercises, in one folder."""

    def __init__(self, directory: Path, secret: str, every: int) -> None:
        self.directory = directory
        self.every = every  # write one after folding at least this many events (0: never)
        self._key = hashlib.sha256(b"controlroom snapshot|" + secret.encode()).digest()

    def path(self, exercise_id: str) -> Path:
        return self.directory / f"{check_exercise_id(exercise_id)}.state"

    def load(self, exercise_id: str, epoch: str, events: Sequence[Event]) -> ExerciseState | None:
        """The state of the latest good snapshot of this journal (None: fold it all)."""
        path = self.path(exercise_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("snapshot %s unreadable, folding the journal: %s", path, error)
            return None
        why = self._unusable(raw, epoch, events)
        if why is not None:
            logger.info("snapshot %s not used (%s): folding the journal", path, why)
            return None
        body = raw[MAC_BYTES:]
        try:
            state = pickle.loads(body[body.index(b"\n") + 1 :])
        except Exception as error:  # written by this code (the digest): should not happen
            logger.warning("snapshot %s could not be read, folding the journal: %r", path, error)
            return None
        if not isinstance(state, ExerciseState):
            return None
        return state

    def _unusable(self, raw: bytes, epoch: str, events: Sequence[Event]) -> str | None:
        mac, body = raw[:MAC_BYTES], raw[MAC_BYTES:]
        if not hmac.compare_digest(mac, hmac.digest(self._key, body, "sha256")):
            return "not written by this server"
        try:
            header = orjson.loads(body[: body.index(b"\n")])
            seq = int(header["seq"])
        except (ValueError, KeyError, TypeError):
            return "no header"
        if header.get("code") != code_digest():
            return "another version of the fold"
        if header.get("epoch") != epoch:
            return "another journal"
        if not 0 < seq <= len(events) or header.get("event") != _event_digest(events[seq - 1]):
            return f"the journal does not hold its event {seq}"
        return None

    def dump(self, state: ExerciseState, epoch: str, last: Event) -> bytes:
        """The snapshot of ``state`` (``last`` is its event ``seq``) as bytes: on the loop."""
        if last.seq != state.seq:
            raise ValueError(f"event {last.seq} is not the state's last, {state.seq}")
        header = {
            "format": FORMAT,
            "code": code_digest(),
            "exercise": state.exercise_id,
            "epoch": epoch,
            "seq": state.seq,
            "event": _event_digest(last),
        }
        body = orjson.dumps(header) + b"\n" + pickle.dumps(state, pickle.HIGHEST_PROTOCOL)
        return hmac.digest(self._key, body, "sha256") + body

    def write(self, exercise_id: str, data: bytes) -> None:
        """Write a dumped snapshot whole or not at all (blocking: run it in a thread)."""
        path = self.path(exercise_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
