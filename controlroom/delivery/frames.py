"""The frames of the wire protocol, encoded once with orjson. Specification: docs/protocol.md.

Frames are JSON text messages. Those with a ``content`` field (``event``, ``snapshot``,
``presence``) carry HTML that htmx's hx-ws extension swaps out of band; the others are
data only. ``to_wire`` turns one into the bytes of a complete websocket text frame: a
server's frames are not masked, so the same bytes go to every socket of a stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

PROTOCOL = 1


def _encode(frame: Mapping[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def event_frame(epoch: str, seq: int, content: str, *, receipt: bool) -> str:
    """What one audience sees of journal event ``seq``."""
    frame: dict[str, Any] = {"type": "event", "epoch": epoch, "seq": seq, "content": content}
    if receipt:
        frame["receipt"] = True
    return _encode(frame)


def snapshot_frame(epoch: str, seq: int, content: str, *, receipt: bool) -> str:
    """The audience's whole current view as of ``seq`` (sent after ``reload``)."""
    frame: dict[str, Any] = {"type": "snapshot", "epoch": epoch, "seq": seq, "content": content}
    if receipt:
        frame["receipt"] = True
    return _encode(frame)


def hello_frame(
    epoch: str, seq: int, audience: str, heartbeat: float, limits: Mapping[str, int]
) -> str:
    return _encode(
        {
            "type": "hello",
            "protocol": PROTOCOL,
            "epoch": epoch,
            "seq": seq,
            "audience": audience,
            "heartbeat": heartbeat,
            "limits": limits,
        }
    )


def live_frame(seq: int, replayed: int) -> str:
    """Sent once the replay of a resume is queued: frames after this one are live."""
    return _encode({"type": "live", "seq": seq, "replayed": replayed})


def reload_frame(reason: str, epoch: str, seq: int) -> str:
    return _encode({"type": "reload", "reason": reason, "epoch": epoch, "seq": seq})


def ping_frame(t: float) -> str:
    return _encode({"type": "ping", "t": t})


def pong_frame(t: Any) -> str:
    return _encode({"type": "pong", "t": t})


def error_frame(
    code: str, message: str, reason: str | None = None, *, action: str | None = None
) -> str:
    """An ``error`` frame (docs/protocol.md): a refusal's own code goes in ``reason``;
    ``action`` names the device's action it answers."""
    frame = {"type": "error", "code": code, "message": message}
    if reason is not None:
        frame["reason"] = reason
    if action is not None:
        frame["action"] = action
    return _encode(frame)


def done_frame(action: str) -> str:
    """The device's action ``action`` is applied (now, or already before: a repeat)."""
    return _encode({"type": "done", "action": action})


def to_wire(text: str) -> bytes:
    """``text`` as one unmasked, unfragmented websocket text frame (RFC 6455 section 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = b"\x81\x7e" + size.to_bytes(2, "big")
    else:
        header = b"\x81\x7f" + size.to_bytes(8, "big")
    return header + payload


def from_wire(wire: bytes) -> str:
    """The text of a frame made by ``to_wire``."""
    size = wire[1] & 0x7F
    start = 2 if size < 126 else 4 if size == 126 else 10
    return wire[start:].decode()


def presence_frame(content: str) -> str:
    """Which devices are online (not a journal event: no seq, never replayed)."""
    return _encode({"type": "presence", "content": content})
