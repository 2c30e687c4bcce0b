"""The venue's wifi for end-to-end tests: a TCP proxy between the browser and the server.

``Wifi(server_port)`` listens on a free port of 127.0.0.1 and forwards bytes both ways to the
server (HTTP and websockets alike: it reads nothing). The browser is pointed at ``wifi.url``
instead of the server. ``cut(seconds)`` is the wifi going down: every connection through it is
dropped at once (reset, as a tablet leaving the network sees it) and new ones are refused
(nothing listens on the port) for ``seconds``; then it listens again on the same port.
``back()`` waits for that and says when (``time.monotonic()``).

The proxy runs on the test's event loop: a test that blocks the loop (a synchronous call
that is not in ``asyncio.to_thread``) stops the wifi too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Protocol

import pytest

from tests.support.server import free_port

CHUNK = 64 * 1024


class Wifi:
    def __init__(self, server_port: int, host: str = "127.0.0.1") -> None:
        self.server = (host, server_port)
        self.host = host
        self.port = free_port()
        self.connections = 0  # accepted and forwarded, over the proxy's life
        self._listener: asyncio.Server | None = None
        self._open: set[asyncio.Transport] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._reopening: asyncio.Task[float] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def up(self) -> bool:
        return self._listener is not None

    async def start(self) -> None:
        if self._listener is not None:
            raise RuntimeError("the wifi is already up")
        self._listener = await asyncio.start_server(self._accept, self.host, self.port)

    async def cut(self, seconds: float) -> None:
        """Drop every connection and refuse new ones; listen again after ``seconds``."""
        if self._listener is None:
            raise RuntimeError("the wifi is already down")
        listener, self._listener = self._listener, None
        listener.close()  # refuses from now on; open connections are ours to drop
        for transport in list(self._open):
            transport.abort()
        self._open.clear()
        self._reopening = asyncio.create_task(self._reopen_after(seconds))

    async def _reopen_after(self, seconds: float) -> float:
        await asyncio.sleep(seconds)
        await self.start()
        return time.monotonic()

    async def back(self) -> float:
        """Wait until the wifi is up again after ``cut``; when it came back."""
        if self._reopening is None:
            raise RuntimeError("the wifi was not cut")
        return await self._reopening

    async def close(self) -> None:
        if self._reopening is not None:
            self._reopening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reopening
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for transport in list(self._open):
            transport.abort()
        self._open.clear()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._forward(reader, writer)
        finally:
            self._handlers.discard(task)

    async def _forward(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        client = transport_of(client_writer)
        if self._listener is None:  # accepted just as the wifi went down
            client.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.server)
        except OSError:  # the server is down: the browser sees the connection fail
            client.abort()
            return
        server = transport_of(server_writer)
        if self._listener is None:
            client.abort()
            server.abort()
            return
        self.connections += 1
        self._open |= {client, server}
        pumps = [
            asyncio.create_task(pump(client_reader, server_writer)),
            asyncio.create_task(pump(server_reader, client_writer)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # one side closed (or the wifi was cut): close the other after what it was sent
            for writer in (client_writer, server_writer):
                if not writer.is_closing():
                    writer.close()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._open -= {client, server}


def transport_of(writer: asyncio.StreamWriter) -> asyncio.Transport:
    transport = writer.transport
    assert isinstance(transport, asyncio.Transport)
    return transport


async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes from ``reader`` to ``writer`` until end of file or a dropped connection."""
    with contextlib.suppress(ConnectionError, OSError):
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()


class WifiFactory(Protocol):
    async def __call__(self, server_port: int) -> Wifi: ...


@pytest.fixture
async def wifi_to() -> AsyncIterator[WifiFactory]:
    """``await wifi_to(server_port)`` -> a started ``Wifi``; all closed at teardown."""
    made: list[Wifi] = []

    async def start(server_port: int) -> Wifi:
        wifi = Wifi(server_port)
        made.append(wifi)
        await wifi.start()
        return wifi

    try:
        yield start
    finally:
        for wifi in made:
            await wifi.close()
