"""A client that stops reading is closed; everyone else keeps receiving on time."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario, token


async def test_a_stalled_client_is_closed_without_slowing_the_others(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://", send_queue_frames=8)
    scenario = marked_scenario(teams=2, roles=1, injects_per_team=60)
    exercise = server.create_exercise(scenario)
    readers = [clients(server, exercise, "control") for _ in range(4)]
    for reader in readers:
        await reader.connect()
        await reader.until(lambda f: f["type"] == "live")

    # The stalled tablet (team t1's): a tiny receive buffer, and it never reads after resuming.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
    stalled = await ws_connect(
        server.socket_url(exercise, token("team:t1")),
        sock=sock,
        origin=Origin(server.origin),
        compression=None,
        ping_interval=None,
        max_queue=1,
    )
    await stalled.send(orjson.dumps({"type": "resume", "epoch": None, "last_seq": 0}).decode())

    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        # Megabyte frames (a released inject's new versions) fill the stalled socket's kernel
        # buffers (up to 4 MB on loopback)...
        big = {
            "id": "BIG",
            "trigger": "manual",
            "channel": "document-pack",
            "from": {"en": "Archive"},
            "to": ["t1"],
            "title": {"en": "A scanned file"},
            "body": {"en": "x" * 1_000_000},
        }
        steps = [
            {"command": "create_inject", "args": {"by": "d", "data": big}},
            {"command": "release_now", "args": {"by": "d", "inject": "BIG"}},
        ]
        for n in range(6):
            changes = {"body": {"en": str(n) * 1_000_000}}
            steps.append(
                {"command": "edit", "args": {"by": "d", "inject": "BIG", "changes": changes}}
            )
        response = await http.post(
            f"/test/exercises/{exercise}/commands", content=orjson.dumps(steps)
        )
        assert response.status_code == 200
        # ... then the frames of ordinary releases pile up in its queue until it is closed.
        for inject in scenario["injects"]:
            body = [{"command": "release_now", "args": {"by": "d", "inject": inject["id"]}}]
            sent = time.monotonic()
            response = await http.post(
                f"/test/exercises/{exercise}/commands", content=orjson.dumps(body)
            )
            seq = orjson.loads(response.content)["seq"]
            for reader in readers:
                await reader.until_seq(seq, timeout=2)
            latencies.append(time.monotonic() - sent)
    latencies.sort()
    assert latencies[len(latencies) // 2] < 0.1, latencies  # p50 on a busy 2-core test box
    assert latencies[-1] < 1.0, latencies

    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(15):
            while True:
                await stalled.recv()
    assert closed.value.rcvd is not None, "the server closed it with a close frame"
    assert closed.value.rcvd.code == 1013
