"""The connection state machine, its queue and its limits (controlroom.delivery.connection)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from controlroom.delivery import connection as connection_module
from controlroom.delivery.connection import (
    CloseCode,
    Connection,
    InvalidTransition,
    SocketState,
)
from controlroom.delivery.frames import from_wire, to_wire
from controlroom.delivery.history import Frame
from controlroom.delivery.limits import RateLimit, jittered
from tests.support.sockets import FakeSansIOProtocol, FakeTransport, texts_of


class Wire:
    """A fake ASGI ``send``: records messages; ``block()`` makes sends hang (a stalled client)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._open = asyncio.Event()
        self._open.set()

    async def __call__(self, message: Any) -> None:
        await self._open.wait()
        self.messages.append(dict(message))

    def block(self) -> None:
        self._open.clear()

    def unblock(self) -> None:
        self._open.set()

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m["type"] == "websocket.send"]

    def closes(self) -> list[int]:
        return [m["code"] for m in self.messages if m["type"] == "websocket.close"]


def state_of(connection: Connection) -> SocketState:
    return connection.state


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_state_machine_refuses_invalid_moves() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1", language="en")
    with pytest.raises(InvalidTransition):
        connection.go_live([])  # not accepted yet
    await connection.accept()
    with pytest.raises(InvalidTransition):
        await connection.accept()
    with pytest.raises(InvalidTransition):
        connection.bind("control", "en", None)  # identity is fixed before accept
    connection.go_live([])
    with pytest.raises(InvalidTransition):
        connection.go_live([])  # one resume per socket
    connection.gone()
    assert connection.state is SocketState.CLOSED


async def test_refuse_is_an_http_error_before_accept() -> None:
    wire = Wire()
    connection = Connection(wire)
    await connection.refuse(403, "Origin not allowed.")
    assert wire.messages[0] == {
        "type": "websocket.http.response.start",
        "status": 403,
        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
    }
    with pytest.raises(InvalidTransition):
        await connection.accept()


async def test_replay_then_live_in_order_once() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1")
    await connection.accept()
    connection.go_live([Frame.of(2, "two"), Frame.of(4, "four")])
    connection.push(Frame.of(4, "four again"))  # already queued by the replay
    connection.push(Frame.of(3, "three late"))  # below the last seq: dropped
    connection.push(Frame.of(7, "seven"))
    await settle()
    assert wire.texts() == ["two", "four", "seven"]


async def test_a_stalled_client_is_closed_when_its_queue_is_full() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1", queue_frames=3)
    await connection.accept()
    connection.go_live([])
    wire.block()
    connection.push(Frame.of(1, "one"))  # taken by the sender, which then hangs
    await settle()
    for seq in range(2, 5):
        connection.push(Frame.of(seq, str(seq)))
    assert state_of(connection) is SocketState.LIVE
    connection.push(Frame.of(5, "five"))  # the fourth waiting frame: over the bound
    assert state_of(connection) is SocketState.CLOSING
    assert connection.close_code == CloseCode.TRY_AGAIN
    wire.unblock()
    await settle()
    assert wire.closes() == [CloseCode.TRY_AGAIN]
    connection.gone()


async def test_a_big_replay_does_not_count_against_the_queue() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1", queue_frames=2)
    await connection.accept()
    connection.go_live([Frame.of(seq, str(seq)) for seq in range(1, 50)])
    connection.push(Frame.of(50, "50"))
    await settle()
    assert connection.state is SocketState.LIVE
    assert wire.texts()[-1] == "50"


async def test_receipts_are_taken_once_up_to_a_seq() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1")
    await connection.accept()
    connection.go_live([Frame.of(2, "a", ("X",)), Frame.of(3, "b"), Frame.of(5, "c", ("Y", "Z"))])
    await settle()
    assert connection.take_receipts(4) == ["X"]
    assert connection.take_receipts(9) == ["Y", "Z"]
    assert connection.take_receipts(9) == []


async def test_heartbeat_pings_then_closes_a_silent_client() -> None:
    wire = Wire()
    clock = [0.0]
    connection = Connection(
        wire, audience="control", heartbeat=0.01, heartbeat_timeout=1.0, now=lambda: clock[0]
    )
    await connection.accept()
    await asyncio.sleep(0.05)
    assert any(orjson.loads(t)["type"] == "ping" for t in wire.texts())
    connection.heard()
    clock[0] = 2.0  # nothing heard since 0.0... then since the heard() at 0.0
    await asyncio.sleep(0.05)
    await settle()
    assert connection.close_code == CloseCode.GOING_AWAY
    assert wire.closes() == [CloseCode.GOING_AWAY]


async def test_close_with_flush_sends_what_is_queued_first() -> None:
    wire = Wire()
    connection = Connection(wire, audience="control")
    await connection.accept()
    connection.say("error frame")
    connection.close(CloseCode.POLICY, "too many", flush=True)
    connection.say("not sent")  # closing: nothing more is queued
    await settle()
    assert wire.texts() == ["error frame"]
    assert wire.closes() == [CloseCode.POLICY]


async def test_a_close_during_the_handshake_happens_on_accept() -> None:
    wire = Wire()
    connection = Connection(wire, audience="team:t1", device="tab-1")
    connection.close(CloseCode.REVOKED, "revoked")  # e.g. revoked while identifying
    await connection.accept()
    await settle()
    assert wire.closes() == [CloseCode.REVOKED]


def test_rate_limit_is_a_token_bucket() -> None:
    clock = [0.0]
    limit = RateLimit(60, lambda: clock[0])
    assert all(limit.allow() for _ in range(60))
    assert not limit.allow()
    clock[0] = 1.0  # one more a second
    assert limit.allow()
    assert not limit.allow()


def test_jitter_stays_within_twenty_percent() -> None:
    values = [jittered(10.0) for _ in range(200)]
    assert all(8.0 <= v <= 12.0 for v in values)
    assert max(values) - min(values) > 1.0


class FakeProtocol:
    """Stands in for uvicorn's websockets protocol: ``asgi_send`` is its bound method."""

    def __init__(self) -> None:
        self.transport = FakeTransport()
        self.extensions: list[object] = []
        self.open = True
        self.messages: list[dict[str, Any]] = []
        self.drained = asyncio.Event()
        self.drained.set()

    def write_frame_sync(self, fin: bool, opcode: int, data: bytes) -> None:
        raise AssertionError("not used")

    async def drain(self) -> None:
        await self.drained.wait()

    async def asgi_send(self, message: Any) -> None:
        self.messages.append(dict(message))


async def test_frames_are_written_straight_into_a_websockets_protocol() -> None:
    protocol = FakeProtocol()
    connection = Connection(protocol.asgi_send, audience="team:t1")
    await connection.accept()
    assert connection.direct
    connection.go_live([])
    await settle()
    frame = Frame.of(3, '{"type":"event"}', ("X",))
    connection.push(frame)
    assert protocol.transport.data[-1] is frame.wire  # the stream's bytes, as they are
    assert connection.take_receipts(3) == ["X"]
    # over the high-water mark: queued, then written as the client drains
    protocol.transport.buffered = 100_000
    protocol.drained.clear()
    connection.push(Frame.of(4, "four"))
    connection.push(Frame.of(5, "five"))
    assert connection.queued == 2
    protocol.transport.buffered = 0
    await settle()
    assert [from_wire(d) for d in protocol.transport.data[-1:]] == ["four"]
    protocol.drained.set()
    await settle()
    assert [from_wire(d) for d in protocol.transport.data[-2:]] == ["four", "five"]
    assert connection.queued == 0


async def test_frames_are_written_straight_into_a_sansio_protocol() -> None:
    protocol = FakeSansIOProtocol()
    connection = Connection(protocol.send, audience="team:t1")
    await connection.accept()
    assert connection.direct
    connection.go_live([])
    frame = Frame.of(3, '{"type":"event"}', ("X",))
    connection.push(frame)
    assert protocol.transport.data[-1] is frame.wire
    assert connection.take_receipts(3) == ["X"]
    # over the high-water mark: queued; written while the transport drains (``writable``)
    protocol.transport.buffered = 100_000
    protocol.writable.clear()
    connection.push(Frame.of(4, "four"))
    connection.push(Frame.of(5, "five"))
    assert connection.queued == 2
    protocol.transport.buffered = 0
    await settle()
    assert [from_wire(d) for d in protocol.transport.data[-1:]] == ["four"]
    protocol.writable.set()
    await settle()
    assert [from_wire(d) for d in protocol.transport.data[-2:]] == ["four", "five"]
    # once the close is sent, nothing more is written into the transport
    protocol.close_sent = True
    written = len(protocol.transport.data)
    connection.push(Frame.of(6, "six"))
    await settle()
    assert len(protocol.transport.data) == written
    assert protocol.messages == [{"type": "websocket.accept"}]


async def test_a_client_that_reads_nothing_is_cut_off_when_the_close_cannot_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connection_module, "CLOSE_TIMEOUT", 0.05)
    protocol = FakeSansIOProtocol()
    connection = Connection(protocol.send, audience="team:t1", queue_frames=2)
    await connection.accept()
    connection.go_live([])
    protocol.transport.buffered = 100_000  # the client stopped reading
    protocol.writable.clear()
    for seq in range(1, 5):
        connection.push(Frame.of(seq, str(seq)))
    assert connection.state is SocketState.CLOSING
    assert connection.close_code == CloseCode.TRY_AGAIN
    await asyncio.sleep(0.1)
    assert protocol.transport.aborted
    assert protocol.messages == [{"type": "websocket.accept"}]


async def test_sansio_with_per_message_deflate_means_the_asgi_path() -> None:
    protocol = FakeSansIOProtocol()
    protocol.conn.extensions = [object()]
    connection = Connection(protocol.send, audience="team:t1")
    await connection.accept()
    assert not connection.direct
    connection.go_live([Frame.of(1, "one")])
    await settle()
    assert protocol.messages[-1] == {"type": "websocket.send", "text": "one"}


async def test_per_message_deflate_means_the_asgi_path() -> None:
    protocol = FakeProtocol()
    protocol.extensions = [object()]
    connection = Connection(protocol.asgi_send, audience="team:t1")
    await connection.accept()
    assert not connection.direct
    connection.go_live([Frame.of(1, "one")])
    await settle()
    assert protocol.messages[-1] == {"type": "websocket.send", "text": "one"}


def test_wire_frames_round_trip() -> None:
    for size in (0, 125, 126, 65_535, 65_536):
        text = "é" * (size // 2) + "x" * (size % 2)
        assert from_wire(to_wire(text)) == text
    assert to_wire("hi") == b"\x81\x02hi"


async def test_frames_pushed_together_go_in_one_write_unless_some_were_seen() -> None:
    protocol = FakeSansIOProtocol()
    written = protocol.transport.data
    connection = Connection(protocol.send, audience="team:t1")
    await connection.accept()
    connection.go_live([Frame.of(3, "three")])
    frames = [Frame.of(4, "four", ("X",)), Frame.of(5, "five"), Frame.of(6, "six", ("Y",))]
    joined = b"".join(f.wire for f in frames)
    connection.push_all(frames, joined)
    assert written[-1] is joined  # one write: the bytes as the hub joined them
    assert connection.last_seq == 6 and connection.take_receipts(6) == ["X", "Y"]
    # some it has already (it resumed during the batch): the new ones only, each once
    more = [Frame.of(6, "six"), Frame.of(7, "seven")]
    connection.push_all(more, b"".join(f.wire for f in more))
    assert texts_of(written) == ["three", "four", "five", "six", "seven"]
    # a socket that cannot take them now queues each frame, in order
    protocol.transport.buffered = 100_000
    later = [Frame.of(8, "eight"), Frame.of(9, "nine")]
    connection.push_all(later, b"".join(f.wire for f in later))
    assert connection.queued == 2
    protocol.transport.buffered = 0
    await settle()
    assert texts_of(written)[-2:] == ["eight", "nine"] and connection.queued == 0
