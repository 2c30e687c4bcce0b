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
    action: str | None = None  # the device's id for this action (the outbox)


@dataclass(frozen=True, slots=True)
class Seen:
    seq: int


@dataclass(frozen=True, slots=True)
class CueReport:
    cue: str
    status: str
    action: str | None = None


@dataclass(frozen=True, slots=True)
class AskControl:
    """A team's request to the fictional world (``request``): from the catalogue or free text."""

    kind: str | None
    text: str
    action: str


@dataclass(frozen=True, slots=True)
class Safety:
    """An actor's STOP (``stop``) or call for control (``call``), about the cue it is on."""

    kind: str  # "stop" | "call"
    cue: str | None
    action: str


ClientMessage = Resume | Ping | Pong | Ack | Seen | CueReport | AskControl | Safety


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
        return Ack(_id(data.get("inject"), "inject"), _action(data, required=False))
    if kind == "seen":
        return Seen(_seq(data.get("seq"), "seq"))
    if kind == "cue":
        status = _id(data.get("status"), "status")
        return CueReport(_id(data.get("cue"), "cue"), status, _action(data, required=False))
    if kind == "request":
        return _ask(data)
    if kind in ("stop", "call"):
        cue = data.get("cue")
        return Safety(kind, None if cue is None else _id(cue, "cue"), _required(data))
    raise BadMessage("unknown-type", f"Unknown message type {str(kind)[:40]!r}.")


def _ask(data: dict[str, Any]) -> AskControl:
    kind, text = data.get("kind"), data.get("text", "")
    if kind == "":
        kind = None
    if not isinstance(text, str):
        raise BadMessage("bad-message", "'text' must be a string.")
    return AskControl(None if kind is None else _id(kind, "kind"), text, _required(data))


def _action(data: dict[str, Any], *, required: bool) -> str | None:
    action = data.get("action")
    if action is None and not required:
        return None
    return _id(action, "action")


def _required(data: dict[str, Any]) -> str:
    return _id(data.get("action"), "action")


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
