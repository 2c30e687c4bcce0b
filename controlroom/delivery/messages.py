"""What a client may say on its socket, parsed and checked. Specification: docs/protocol.md.

Nothing here is about identity: who the client is comes from its session, never from a
message. Unknown keys are ignored (htmx's ``hx-ws:send`` adds ``headers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

MAX_ID = 64
MAX_SEQ = 2**53  # JSON-safe integers


class BadMessage(ValueError):
    """A message that is not valid; ``code`` goes into the error frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Resume:
    epoch: str | None
    last_seq: int


@dataclass(frozen=True, slots=True)
class Ping:
    t: Any


@dataclass(frozen=True, slots=True)
class Pong:
    pass


@dataclass(frozen=True, slots=True)
class Ack:
    inject: str


@dataclass(frozen=True, slots=True)
class Seen:
    seq: int


@dataclass(frozen=True, slots=True)
class CueReport:
    cue: str
    status: str


ClientMessage = Resume | Ping | Pong | Ack | Seen | CueReport


def parse(text: str) -> ClientMessage:
    """One client message, or ``BadMessage``."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadMessage("bad-json", "The message is not JSON.") from None
    if not isinstance(data, dict):
        raise BadMessage("bad-message", "A message is a JSON object with a 'type'.")
    kind = data.get("type")
    if kind == "resume":
        epoch = data.get("epoch")
        if epoch is not None and not _is_id(epoch):
            raise BadMessage("bad-message", "'epoch' must be a string or null.")
        return Resume(epoch, _seq(data.get("last_seq", 0), "last_seq"))
    if kind == "ping":
        t = data.get("t")
        return Ping(t if isinstance(t, (int, float, str)) and not isinstance(t, bool) else None)
    if kind == "pong":
        return Pong()
    if kind == "ack":
        return Ack(_id(data.get("inject"), "inject"))
    if kind == "seen":
        return Seen(_seq(data.get("seq"), "seq"))
    if kind == "cue":
        return CueReport(_id(data.get("cue"), "cue"), _id(data.get("status"), "status"))
    raise BadMessage("unknown-type", f"Unknown message type {str(kind)[:40]!r}.")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _id(value: object, name: str) -> str:
    if not _is_id(value):
        raise BadMessage("bad-message", f"'{name}' must be a short string.")
    assert isinstance(value, str)
    return value


def _seq(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEQ:
        raise BadMessage("bad-message", f"'{name}' must be a whole number from 0.")
    return value
