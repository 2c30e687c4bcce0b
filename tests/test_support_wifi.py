"""The venue's wifi of the end-to-end tests (tests/support/wifi.py): a TCP proxy that forwards
bytes both ways and, when cut, drops every connection and refuses new ones for a while."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest

from tests.support.server import free_port
from tests.support.wifi import Wifi, WifiFactory

CUT_SECONDS = 0.5


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    """A server that sends back every byte it gets."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(1024):
                writer.write(data)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


async def talk(wifi: Wifi) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(wifi.host, wifi.port)
    writer.write(b"hello")
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(5), 5) == b"hello"
    return reader, writer


async def test_bytes_go_through_both_ways(wifi_to: WifiFactory, echo_port: int) -> None:
    wifi = await wifi_to(echo_port)
    _, writer = await talk(wifi)
    writer.close()
    assert wifi.connections == 1
    assert wifi.url == f"http://127.0.0.1:{wifi.port}"


async def test_a_cut_drops_every_connection_and_refuses_new_ones_until_it_is_back(
    wifi_to: WifiFactory, echo_port: int
) -> None:
    wifi = await wifi_to(echo_port)
    reader, writer = await talk(wifi)
    cut_at = time.monotonic()
    await wifi.cut(CUT_SECONDS)
    assert not wifi.up

    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await asyncio.wait_for(reader.readexactly(1), 5)  # dropped, not left hanging
    writer.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(wifi.host, wifi.port)

    back = await wifi.back()
    assert back - cut_at >= CUT_SECONDS
    assert wifi.up
    _, again = await talk(wifi)  # the same port accepts again
    again.close()
    assert wifi.connections == 2


async def test_with_the_server_down_a_connection_through_it_fails(wifi_to: WifiFactory) -> None:
    wifi = await wifi_to(free_port())  # nothing listens there
    reader, writer = await asyncio.open_connection(wifi.host, wifi.port)
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await asyncio.wait_for(reader.readexactly(1), 5)
    writer.close()
    assert wifi.connections == 0
