"""One websocket, as an explicit state machine with a bounded send queue. Design: docs/delivery.md.

States (an invalid move raises ``InvalidTransition``)::

    CONNECTING --accept--> OPEN --resume--> LIVE --close--> CLOSING --> CLOSED
        |                   |                 |                          ^
        +--refuse--> REFUSED +-----close------+---- client gone ---------+

The fan-out never waits for a socket. A frame is written at once when the socket can take
it; otherwise it joins the connection's queue, which a sender task drains while the client
reads. A client that stops reading lets the queue fill up; at ``queue_frames`` it is closed
with 1013 (it will resume) and nobody else waits for it. The frames of a resume's replay
are queued ahead and do not count against that bound.

Writing at once: under uvicorn's ``websockets-sansio`` implementation (the one the server
runs) or its legacy ``websockets`` one, frames are written straight into the protocol's
transport (the same pre-encoded bytes for every socket of a stream, since a server's frames
are not masked), and the sender waits for the transport to drain. Whether and how is
decided by ``controlroom.delivery.fastpath`` (the one adapter that knows uvicorn's
insides); otherwise every frame goes through the ASGI ``send``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.types import Send

from controlroom.delivery.fastpath import ALWAYS, DirectSocket, FastPath
from controlroom.delivery.frames import from_wire, ping_frame, to_wire
from controlroom.delivery.history import Frame
from controlroom.delivery.limits import RateLimit, jittered

logger = logging.getLogger("controlroom.delivery")


class SocketState(enum.Enum):
    CONNECTING = "connecting"  # handshake received, nothing sent yet
    OPEN = "open"  # accepted, waiting for the client's resume
    LIVE = "live"  # resumed: event frames flow
    CLOSING = "closing"  # the server decided to close
    CLOSED = "closed"  # the socket is gone
    REFUSED = "refused"  # closed before accept (an HTTP error, no socket)


_MOVES = {
    SocketState.CONNECTING: {SocketState.OPEN, SocketState.REFUSED, SocketState.CLOSED},
    SocketState.OPEN: {SocketState.LIVE, SocketState.CLOSING, SocketState.CLOSED},
    SocketState.LIVE: {SocketState.CLOSING, SocketState.CLOSED},
    SocketState.CLOSING: {SocketState.CLOSED},
    SocketState.CLOSED: set(),
    SocketState.REFUSED: set(),
}


class CloseCode(enum.IntEnum):
    """Close codes the server uses (docs/protocol.md); hx-ws reconnects on 1001, 1011-1013."""

    GOING_AWAY = 1001  # nothing heard for heartbeat_timeout
    POLICY = 1008  # too many messages
    TOO_BIG = 1009  # a message over max_message_bytes
    INTERNAL = 1011
    RESTART = 1012  # the server is shutting down
    TRY_AGAIN = 1013  # the client read too slowly: its send queue overflowed
    REVOKED = 4403  # the device was revoked: sign in again, do not reconnect


class InvalidTransition(RuntimeError):
    """A connection was asked to do something its state does not allow."""


Item = Frame | bytes  # an event frame, or a data-only frame's wire bytes
MAX_RECEIPTS = 64  # unconfirmed receipts kept per socket
CLOSE_TIMEOUT = 10.0  # seconds a close may wait for a client that reads nothing


class Connection:
    """One client socket of one exercise: its stream, queue, sender, heartbeat and limits."""

    __slots__ = (
        "_ahead",
        "_beat",
        "_close_after",
        "_closer",
        "_direct",
        "_doomed",
        "_fast_path",
        "_heartbeat",
        "_heartbeat_timeout",
        "_high",
        "_last_heard",
        "_now",
        "_queue",
        "_queue_frames",
        "_receipts",
        "_replayed",
        "_send",
        "_sender",
        "audience",
        "close_code",
        "device",
        "language",
        "last_seq",
        "rate",
        "state",
    )

    def __init__(
        self,
        send: Send,
        *,
        audience: str = "",
        language: str = "en",
        device: str | None = None,
        queue_frames: int = 512,
        heartbeat: float = 15.0,
        heartbeat_timeout: float = 45.0,
        messages_per_minute: int = 240,
        now: Callable[[], float] = time.monotonic,
        fast_path: FastPath = ALWAYS,
    ) -> None:
        self.audience = audience
        self.language = language
        self.device = device
        self.state = SocketState.CONNECTING
        self.close_code: int | None = None
        self.last_seq = 0  # the highest event seq sent or queued to this client
        self.rate = RateLimit(messages_per_minute, now)
        self._send = send
        self._now = now
        self._queue_frames = queue_frames
        self._heartbeat = heartbeat
        self._heartbeat_timeout = heartbeat_timeout
        self._last_heard = now()
        self._fast_path = fast_path
        self._direct: DirectSocket | None = None
        self._high = 0
        self._queue: deque[Item] | None = None  # created when first needed
        self._ahead = 0  # items queued before a resume's replay
        self._replayed = 0  # how many of the queue's items (after those) are that replay
        self._receipts: dict[int, tuple[str, ...]] | None = None
        self._close_after: tuple[int, str] | None = None
        self._doomed: tuple[int, str] | None = None  # a close asked for before accept
        self._sender: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._beat: asyncio.TimerHandle | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The stream this connection follows: (audience, language)."""
        return self.audience, self.language

    @property
    def queued(self) -> int:
        return len(self._queue) if self._queue is not None else 0

    @property
    def direct(self) -> bool:
        """Whether frames are written straight into the socket (the fast path)."""
        return self._direct is not None

    def _move(self, to: SocketState) -> None:
        if to not in _MOVES[self.state]:
            raise InvalidTransition(f"a {self.state.value} connection cannot become {to.value}")
        self.state = to

    # -- the handshake -----------------------------------------------------------------------

    def bind(self, audience: str, language: str, device: str | None) -> None:
        """Set who this socket is for, once identified (before it is accepted)."""
        if self.state is not SocketState.CONNECTING:
            raise InvalidTransition(f"a {self.state.value} connection cannot be rebound")
        self.audience, self.language, self.device = audience, language, device

    def relanguage(self, language: str) -> None:
        """Follow another language's stream from now on (the hub moves it between streams)."""
        if self.state not in (SocketState.OPEN, SocketState.LIVE):
            raise InvalidTransition(f"a {self.state.value} connection cannot change language")
        self.language = language

    async def refuse(self, status: int, message: str, *, http_response: bool = True) -> None:
        """Refuse the handshake: an HTTP error (or a close before accept, which is a 403)."""
        self._move(SocketState.REFUSED)
        if http_response:
            await self._send(
                {
                    "type": "websocket.http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await self._send({"type": "websocket.http.response.body", "body": message.encode()})
        else:
            await self._send({"type": "websocket.close", "code": CloseCode.POLICY})

    async def accept(self, receive: Callable[..., Any] | None = None) -> None:
        """Accept the handshake; ``receive`` (the ASGI one) helps find the fast path."""
        self._move(SocketState.OPEN)
        await self._send({"type": "websocket.accept"})
        self._direct = self._fast_path.socket(self._send, receive)
        if self._direct is not None:
            self._high = self._direct.transport.get_write_buffer_limits()[1]
        self._last_heard = self._now()
        self._arm_heartbeat()
        if self._doomed is not None:
            self.close(*self._doomed)

    # -- frames ------------------------------------------------------------------------------

    def go_live(self, replay: Iterable[Frame], *, before: Iterable[str] = ()) -> None:
        """Queue a resume's replay (or snapshot) and start taking live frames, with no gap.

        ``before``: data-only frames to send ahead of the replay (``reload``).
        """
        self._move(SocketState.LIVE)
        items: list[Item] = [to_wire(text) for text in before]
        for frame in replay:
            if frame.seq > self.last_seq:
                items.append(frame)
                self.last_seq = frame.seq
        if items and self._write_now(
            b"".join(i.wire if isinstance(i, Frame) else i for i in items)
        ):
            for item in items:  # the whole replay in one write: one syscall, not one each
                if isinstance(item, Frame) and item.receipt:
                    self._sent(item)
        elif items:
            queue = self._queue_of()
            self._ahead = len(queue)  # data-only frames queued before (hello...) go first
            queue.extend(items)
            self._replayed = len(items)
            self._start_sender()

    def push(self, frame: Frame) -> None:
        """Send or queue a live event frame (once: a seq at or below the last one is dropped)."""
        if self.state is not SocketState.LIVE or frame.seq <= self.last_seq:
            return
        self.last_seq = frame.seq
        if self._write_now(frame.wire):
            if frame.receipt:
                self._sent(frame)
            return
        self._enqueue(frame)

    def push_all(self, frames: Sequence[Frame], wire: bytes) -> None:
        """Send or queue live frames in seq order; ``wire`` is their bytes joined, written
        in one go when they are all new here and the socket can take them (a batch)."""
        if self.state is not SocketState.LIVE or not frames:
            return
        if frames[0].seq > self.last_seq and self._write_now(wire):
            self.last_seq = frames[-1].seq
            for frame in frames:
                if frame.receipt:
                    self._sent(frame)
            return
        for frame in frames:  # some seen already (a resume during the batch), or queued
            self.push(frame)

    def say(self, text: str) -> None:
        """Send or queue a data-only frame (hello, ping, pong, reload, error...)."""
        if self.state not in (SocketState.OPEN, SocketState.LIVE):
            return
        wire = to_wire(text)
        if not self._write_now(wire):
            self._enqueue(wire)

    def take_receipts(self, seq: int) -> list[str]:
        """The injects of frames up to ``seq`` that were sent here and not yet confirmed."""
        if not self._receipts:
            return []
        done = sorted(s for s in self._receipts if s <= seq)
        return [inject for s in done for inject in self._receipts.pop(s)]

    def _queue_of(self) -> deque[Item]:
        if self._queue is None:
            self._queue = deque()
        return self._queue

    def _write_now(self, wire: bytes) -> bool:
        direct = self._direct
        if direct is None or self._queue or self._sender is not None:
            return False
        if not direct.open or direct.transport.get_write_buffer_size() > self._high:
            return False
        direct.transport.write(wire)
        return True

    def _enqueue(self, item: Item) -> None:
        queue = self._queue_of()
        if len(queue) - self._replayed >= self._queue_frames:
            self.close(CloseCode.TRY_AGAIN, "slow: send queue full")
            return
        queue.append(item)
        self._start_sender()

    def _sent(self, frame: Frame) -> None:
        if self._receipts is None:
            self._receipts = {}
        self._receipts[frame.seq] = frame.receipt
        if len(self._receipts) > MAX_RECEIPTS:  # a client that never confirms: forget the oldest
            # frames go out in seq order, so the first key is the oldest: no min() per frame
            del self._receipts[next(iter(self._receipts))]

    def _start_sender(self) -> None:
        if self._sender is None:
            self._sender = asyncio.create_task(self._run(), name=f"send {self.audience}")

    async def _run(self) -> None:
        """Drain the queue, at the client's pace; end when it is empty."""
        direct = self._direct
        try:
            while True:
                queue = self._queue
                if not queue:
                    self._queue = None  # an idle socket keeps no empty queue around
                    if self._close_after is not None:
                        await self._send_close(*self._close_after)
                    return
                item = queue.popleft()
                if self._ahead:
                    self._ahead -= 1
                elif self._replayed:
                    self._replayed -= 1
                wire = item.wire if isinstance(item, Frame) else item
                if direct is not None:
                    if not direct.open:
                        return
                    direct.transport.write(wire)
                    await direct.drain()
                else:
                    await self._send({"type": "websocket.send", "text": from_wire(wire)})
                if isinstance(item, Frame) and item.receipt:
                    self._sent(item)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the client is gone: the receive side cleans up
            logger.debug("sender of a %s socket stopped: %r", self.audience, error)
        finally:
            if self._sender is asyncio.current_task():
                self._sender = None  # nor a finished task

    # -- liveness ----------------------------------------------------------------------------

    def heard(self) -> None:
        """The client sent something: it is alive."""
        self._last_heard = self._now()

    def _arm_heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        self._beat = loop.call_later(jittered(self._heartbeat), self._on_beat)

    def _on_beat(self) -> None:
        if self.state not in (SocketState.OPEN, SocketState.LIVE):
            return
        if self._now() - self._last_heard > self._heartbeat_timeout:
            self.close(CloseCode.GOING_AWAY, "heartbeat timeout")
            return
        self.say(ping_frame(time.time()))
        self._arm_heartbeat()

    # -- the end -----------------------------------------------------------------------------

    def close(self, code: int, reason: str = "", *, flush: bool = False) -> None:
        """Close from the server side, at once or after what is queued (idempotent)."""
        if self.state is SocketState.CONNECTING:
            self._doomed = (code, reason)  # e.g. revoked while the handshake was under way
            return
        if self.state not in (SocketState.OPEN, SocketState.LIVE):
            return
        self._move(SocketState.CLOSING)
        self.close_code = code
        self._cancel_beat()
        if flush and self._queue:
            self._close_after = (code, reason)
            self._start_sender()
        else:
            self._closer = asyncio.create_task(self._close_now(code, reason), name="close socket")

    async def _close_now(self, code: int, reason: str) -> None:
        sender = self._sender
        if sender is not None and not sender.done():
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        await self._send_close(code, reason)

    async def _send_close(self, code: int, reason: str) -> None:
        """Send the close frame; a client that reads nothing for ``CLOSE_TIMEOUT`` is cut off.

        uvicorn's ``websockets-sansio`` ``send`` waits until the transport's buffer drains
        before it writes anything, the close included: a client that has stopped reading
        would keep its socket, and its buffered frames, for ever.
        """
        message: dict[str, Any] = {"type": "websocket.close", "code": code, "reason": reason}
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self._send(message)
        except TimeoutError:
            logger.debug("a %s socket read nothing for %s s: aborted", self.audience, CLOSE_TIMEOUT)
            if self._direct is not None:
                self._direct.transport.abort()
        except Exception as error:  # already gone
            logger.debug("close of a %s socket: %r", self.audience, error)

    def gone(self) -> None:
        """The socket is over (the client left or the handler ends): stop everything."""
        if self.state in (SocketState.CLOSED, SocketState.REFUSED):
            return
        self._move(SocketState.CLOSED)
        self._cancel_beat()
        self._queue = None
        for task in (self._sender, self._closer):
            if task is not None and not task.done():
                task.cancel()

    def _cancel_beat(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None
