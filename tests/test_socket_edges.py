"""The socket's edges follow docs/protocol.md (controlroom.delivery.messages, web.socket,
web.identify, web.origin): on a real uvicorn server run by ``controlroom serve``."""

from __future__ import annotations

import orjson
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from controlroom.delivery.messages import CueReport, Resume, parse
from controlroom.web.identify import make_test_token
from controlroom.web.origin import origin_allowed, parse_origin
from tests.support.server import SECRET, ClientFactory, LiveServerFactory, marked_scenario


async def _status(url: str, origin: str) -> int:
    try:
        async with ws_connect(url, origin=Origin(origin), compression=None, open_timeout=5):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_resume_defaults_and_what_becomes_a_reload() -> None:
    assert parse('{"type": "resume"}') == Resume(None, 0)
    assert parse('{"type": "resume", "epoch": ""}') == Resume("", 0)
    long = orjson.dumps({"type": "resume", "epoch": "e" * 500}).decode()
    assert parse(long) == Resume("", 0)
    huge = parse(orjson.dumps({"type": "resume", "epoch": "x", "last_seq": 2**60}).decode())
    assert isinstance(huge, Resume) and huge.last_seq > 2**53
    assert parse('{"type": "cue", "cue": "c", "status": "done"}') == CueReport("c", "done")


def test_origins_are_compared_as_parsed() -> None:
    host = "127.0.0.1:8000"
    assert origin_allowed("http://127.0.0.1:8000", host, ())
    assert origin_allowed("HTTP://127.0.0.1:8000/", host, ())
    for odd in (
        "http://127.0.0.1\t:8000",
        "http://127.0.0.1 :8000",
        " http://127.0.0.1:8000",
        "http://user@127.0.0.1:8000",
        "http://127.0.0.1:8000@evil.example",
        "http://127.0.0.1:8000.evil.example",
        "http://127.0.0.1:8000/path",
        "http://127.0.0.1:8000?x",
        "http://127.0.0.1:0x1f40",
        "http://127.0.0.1:99999",
        "javascript://127.0.0.1:8000",
        "http://127.0.0.1:8000\\@evil",
    ):
        assert parse_origin(odd) is None or not origin_allowed(odd, host, ()), odd
    assert parse_origin("http://tablet.local") == ("http", "tablet.local", 80)
    assert origin_allowed("http://tablet.local:80", host, ("http://tablet.local",))


async def test_socket_mismatches_follow_the_protocol(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    origin = server.origin
    listed = make_test_token(SECRET, {"kind": "user", "role": ["director"], "name": "x"})
    assert await _status(server.socket_url(exercise, listed), origin) == 403
    numbered = make_test_token(SECRET, {"kind": "user", "role": "director", "team": 7})
    assert await _status(server.socket_url(exercise, numbered), origin) == 403
    tab = origin.replace(":", "\t:", 2).replace("\t:", ":", 1)  # http://127.0.0.1\t:PORT
    assert await _status(server.socket_url(exercise, listed), tab) == 403
    assert await _status(server.socket_url("BAD!", listed), origin) == 404

    actor = clients(server, exercise, "actor:r0")
    await actor.connect()
    await actor.until(lambda f: f["type"] == "live")
    await actor.send({"type": "cue", "cue": "I-t1-0.1", "status": "waiting"})
    await actor.until(lambda f: f.get("code") == "bad-message")
    await actor.send({"type": "seen", "seq": 1})
    await actor.until(lambda f: f.get("code") == "forbidden")

    for resume, reason in (
        ({"epoch": "", "last_seq": 1}, "epoch"),
        ({"epoch": "e" * 200, "last_seq": 1}, "epoch"),
        ({"epoch": None, "last_seq": 2**53 + 10}, "epoch"),
    ):
        team = clients(server, exercise, "team:t1")
        await team.connect(resume=False)
        await team.send({"type": "resume", **resume})
        await team.until(lambda f: f["type"] == "reload")
        assert team.frames[-1]["reason"] == reason
        await team.close()
    team = clients(server, exercise, "team:t1")
    await team.connect(resume=False)
    hello = await team.recv()
    await team.send({"type": "resume", "epoch": hello["epoch"], "last_seq": 2**60})
    await team.until(lambda f: f["type"] == "reload")
    assert team.frames[-1]["reason"] == "future"
    assert "Traceback" not in server.log()
