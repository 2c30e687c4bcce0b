"""Stand-ins for uvicorn's websocket protocols, for the delivery fast path's tests."""

from __future__ import annotations

import asyncio
from typing import Any


class FakeTransport:
    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.buffered = 0
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return (16_384, 65_536)

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


class FakeSansIOProtocol:
    """Stands in for uvicorn's ``websockets-sansio`` protocol (the one the server runs)."""

    def __init__(self) -> None:
        self.transport = FakeTransport()
        self.conn = type("ServerProtocol", (), {"extensions": []})()
        self.writable = asyncio.Event()
        self.writable.set()
        self.close_sent = False
        self.disconnected = False
        self.messages: list[dict[str, Any]] = []

    async def send(self, message: Any) -> None:
        await self.writable.wait()  # as uvicorn's does, the close included
        self.messages.append(dict(message))


def texts_of(written: list[bytes]) -> list[str]:
    """The text frames in what a transport was given, however they were split into writes
    (server frames are unmasked: a header of 2, 4 or 10 bytes, then the payload)."""
    data = b"".join(written)
    texts = []
    while data:
        size = data[1] & 0x7F
        start = 2
        if size == 126:
            size, start = int.from_bytes(data[2:4], "big"), 4
        elif size == 127:
            size, start = int.from_bytes(data[2:10], "big"), 10
        texts.append(data[start : start + size].decode())
        data = data[start + size :]
    return texts
