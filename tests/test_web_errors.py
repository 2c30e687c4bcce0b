"""Redis or the journal unavailable (controlroom.web.errors): a 503 page with Retry-After and
a retry hint, the socket's ``unavailable`` frame, ONE log line per outage, no traceback; and
everything works again once it is back. Real uvicorn, real redis-server, stopped and
started again."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Origin

from controlroom.journal import JournalUnavailable
from controlroom.web.errors import Outage, Unavailability
from tests.support.redis_server import RedisServer
from tests.support.server import LiveServerFactory, marked_scenario, token


def test_one_log_line_per_outage(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    outage = Outage(quiet=60.0, now=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="controlroom.web"):
        for _ in range(500):
            outage.report(ConnectionError("refused"), "GET /")
            now[0] += 0.1
        now[0] += 120
        outage.report(ConnectionError("refused"), "GET /")
    lines = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(lines) == 2 and all(r.exc_info is None for r in lines)


async def test_redis_down_gives_503_pages_and_unavailable_frames(
    live_server: LiveServerFactory, redis_server: RedisServer
) -> None:
    server = live_server(journal_url=redis_server.url)
    exercise = server.create_exercise(marked_scenario())
    session = server.session({"kind": "user", "role": "director", "name": "dina"})
    await asyncio.to_thread(redis_server.stop)
    cookies = {"cr_session": session}
    async with httpx.AsyncClient(base_url=server.url, timeout=20, cookies=cookies) as http:
        for _ in range(20):
            for path in ("/", f"/exercises/{exercise}", f"/exercises/{exercise}/simcell"):
                response = await http.get(path, headers={"Accept-Language": "ru"})
                assert response.status_code == 503, (path, response.text)
                assert response.headers["Retry-After"].isdigit()
                assert "Повторить" in response.text and "<main" in response.text
        # an open exercise's socket still serves what it holds; a command gets 'unavailable'
        url = server.socket_url(exercise, token("team:t1"))
        async with ws_connect(url, origin=Origin(server.origin), open_timeout=10) as ws:
            await ws.send('{"type": "ack", "inject": "I-t1-0"}')
            async with asyncio.timeout(20):
                while '"unavailable"' not in (frame := str(await ws.recv())):
                    pass
            assert '"error"' in frame
        log = server.log()
        outage_lines = [
            line for line in log.splitlines() if "unavailable" in line or "unreachable" in line
        ]
        assert len(outage_lines) == 1, log  # the store's client or the web layer, not both
        assert "Traceback" not in log
        await asyncio.to_thread(redis_server.start)
        response = await http.get("/signin")
        assert response.status_code == 200


async def _drive(scope_type: str) -> list[Message]:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise JournalUnavailable("redis://127.0.0.1:1 refused")

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": scope_type, "path": "/x", "method": "GET", "headers": [], "query_string": b""}
    await Unavailability(broken, Outage())(scope, receive, send)
    return sent


async def test_a_socket_that_cannot_open_gets_unavailable_and_1013() -> None:
    sent = await _drive("websocket")
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert '"unavailable"' in str(sent[1]["text"]) and sent[2]["code"] == 1013


async def test_a_request_before_the_lifespan_gets_a_plain_503() -> None:
    sent = await _drive("http")
    assert sent[0]["status"] == 503
    assert (b"retry-after", b"5") in list(sent[0]["headers"])
