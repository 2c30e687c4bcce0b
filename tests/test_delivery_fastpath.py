"""The fast path (controlroom.delivery.fastpath): decided once at start-up from the setting,
the server's options and the installed versions, logged, and really on under the server as
it is run (a live test that fails if it is silently off)."""

from __future__ import annotations

import logging

import httpx
import pytest

from controlroom.delivery.fastpath import FastPath, parse_version
from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario


def versions(uvicorn: str = "0.54.0", websockets: str = "17.4") -> dict[str, str]:
    return {"uvicorn": uvicorn, "websockets": websockets}


def decide(
    wanted: bool = True, ws: str = "websockets-sansio", deflate: bool = False, **kw: str
) -> FastPath:
    known = versions(**kw)
    return FastPath.decide(wanted=wanted, implementation=ws, deflate=deflate, versions=known.get)


def test_the_path_is_decided_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="controlroom.delivery"):
        assert decide().enabled
        assert "fast path: on (uvicorn 0.54.0, websockets 17.4, websockets-sansio)" in caplog.text
        assert not decide(uvicorn="0.99.0").enabled
        assert "uvicorn 0.99.0 is not a version this adapter knows" in caplog.text
    assert not decide(websockets="13.1").enabled
    assert not decide(wanted=False).enabled
    assert not decide(ws="wsproto").enabled
    assert not decide(deflate=True).enabled
    assert decide(ws="websockets").enabled


def test_versions_are_compared_as_numbers() -> None:
    assert parse_version("0.54.0") == (0, 54, 0)
    assert parse_version("17.4rc1") == (17, 4)
    assert parse_version("14") == (14,)


@pytest.mark.parametrize("direct", [True, False])
async def test_the_live_server_writes_frames_directly_unless_turned_off(
    live_server: LiveServerFactory, clients: ClientFactory, direct: bool
) -> None:
    server = live_server(journal_url="memory://", direct_writes=str(direct).lower())
    exercise = server.create_exercise(marked_scenario())
    team = clients(server, exercise, "team:t1")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    async with httpx.AsyncClient() as http:
        sockets = (await http.get(f"{server.url}/test/exercises/{exercise}/sockets")).json()
    assert sockets == [{"audience": "team:t1", "direct": direct}]
    if not direct:
        assert "websocket fast path: off (CONTROLROOM_DIRECT_WRITES is off)" in server.log()
