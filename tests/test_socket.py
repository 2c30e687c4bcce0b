"""The exercise socket on a real uvicorn server (controlroom.web.socket, .identify).

Each test starts uvicorn as in production (``tests.support.server``) in a subprocess
and talks to it with the ``websockets`` client library.
"""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from controlroom.web.identify import make_test_token
from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario, token


async def status_of(url: str, origin: str | None, cookie: str | None = None) -> int:
    """The HTTP status of a handshake (101 if accepted)."""
    headers = {"Cookie": cookie} if cookie else None
    try:
        async with ws_connect(
            url,
            origin=Origin(origin) if origin is not None else None,
            additional_headers=headers,
            compression=None,
            open_timeout=5,
        ):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


async def test_hostile_origins_are_refused_before_accept(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://", allowed_origins="http://tablet.local:8000")
    exercise = server.create_exercise(marked_scenario())
    url = server.socket_url(exercise, token("team:t1"))
    port = server.port
    hostile = [
        "http://evil.example",
        "null",
        None,  # no Origin header at all
        f"http://127.0.0.1:{port}.evil.com",
        f"http://127.0.0.1.evil.com:{port}",
        f"http://127.0.0.1:{port + 1}",
        f"http://localhost:{port}",
        f"http://127.0.0.1:{port}/path",
        "http://tablet.local:8000.evil.com",
    ]
    for origin in hostile:
        assert await status_of(url, origin) == 403, origin
    assert await status_of(url, f"http://127.0.0.1:{port}") == 101
    assert await status_of(url, "http://tablet.local:8000") == 101  # allowed_origins


async def test_a_socket_for_another_host_name_is_refused_before_accept(
    live_server: LiveServerFactory,
) -> None:
    """The socket route skips Starlette's router, not the app's middleware (TrustedHost)."""
    server = live_server(journal_url="memory://", allowed_hosts="127.0.0.1")
    exercise = server.create_exercise(marked_scenario())
    query = f"exercises/{exercise}/socket?token={token('team:t1')}"
    port = server.port
    rebound = f"ws://localhost:{port}/{query}"  # DNS rebinding: the Host is not ours
    assert await status_of(rebound, f"http://localhost:{port}") == 400
    assert await status_of(f"ws://127.0.0.1:{port}/{query}", f"http://127.0.0.1:{port}") == 101


async def test_identity_comes_only_from_the_server_side(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    origin = server.origin
    assert await status_of(server.socket_url(exercise), origin) == 403  # nobody
    forged = make_test_token("not-the-secret", {"kind": "user", "role": "director"})
    assert await status_of(server.socket_url(exercise, forged), origin) == 403
    assert await status_of(server.socket_url(exercise, "garbage"), origin) == 403
    other = token("team:t1", exercise="another-exercise")
    assert await status_of(server.socket_url(exercise, other), origin) == 403
    unknown_team = token("team:t9")
    assert await status_of(server.socket_url(exercise, unknown_team), origin) == 403
    not_joined = token("team:t1", exercise=exercise, device="tab-1")
    assert await status_of(server.socket_url(exercise, not_joined), origin) == 403
    assert await status_of(server.socket_url("no-such-exercise", token("control")), origin) == 404
    session = server.session({"kind": "user", "role": "observer", "name": "eva"})
    assert await status_of(server.socket_url(exercise), origin, f"cr_session={session}") == 101
    assert await status_of(server.socket_url(exercise), origin, "cr_session=forged") == 403
    device = server.session(
        {"kind": "device", "role": "team", "team": "t1", "exercise": exercise, "device": "tab-1"}
    )
    cookie = f"cr_session={device}"
    assert await status_of(server.socket_url(exercise), origin, cookie) == 403  # not joined
    server.run(exercise, ("join_device", {"device": "tab-1", "name": "Tab", "team": "t1"}))
    assert await status_of(server.socket_url(exercise), origin, cookie) == 101


async def test_a_revoked_device_is_closed_and_refused(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    server.run(exercise, ("join_device", {"device": "tab-1", "name": "Tab", "team": "t1"}))
    tablet = clients(server, exercise, "team:t1", device="tab-1")
    await tablet.connect()
    await tablet.until(lambda f: f["type"] == "live")
    server.run(exercise, ("revoke_device", {"by": "d", "device": "tab-1"}))
    with pytest.raises(ConnectionClosed) as closed:
        await tablet.until(lambda f: False, timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    url = server.socket_url(exercise, token("team:t1", exercise=exercise, device="tab-1"))
    assert await status_of(url, server.origin) == 403


async def test_test_routes_and_tokens_are_off_by_default(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    first = live_server()  # a file journal in its data folder
    exercise = first.create_exercise(marked_scenario())
    first.stop()
    server = live_server(data_dir=first.data_dir, test_tokens="false")
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/test/exercises", content=b"{}")
    assert response.status_code == 404
    url = server.socket_url(exercise, token("control"))
    assert await status_of(url, server.origin) == 403


async def test_bad_messages_get_error_frames_not_a_crash(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://", max_message_bytes=1000)
    exercise = server.create_exercise(marked_scenario())
    client = clients(server, exercise, "team:t1")
    await client.connect(resume=False)
    assert (await client.recv())["type"] == "hello"
    assert client.ws is not None
    codes = []
    for text in ("not json", "[]", '{"type": "subscribe"}', '{"type": "resume", "last_seq": -4}'):
        await client.ws.send(text)
        frame = await client.recv()
        assert frame["type"] == "error"
        codes.append(frame["code"])
    assert codes == ["bad-json", "bad-message", "unknown-type", "bad-message"]
    await client.ws.send(b"\x00binary")
    assert (await client.recv())["code"] == "binary"
    await client.send({"type": "ack", "inject": "I-t2-0"})  # another team's inject
    refused = await client.recv()
    assert refused["code"] == "refused" and refused["reason"] == "not-released-to-team"
    assert refused["message"] == "Inject I-t2-0 has not been released to this team."
    await client.send({"type": "cue", "cue": "I-t1-0.1", "status": "ready"})
    assert (await client.recv())["code"] == "forbidden"
    await client.send({"type": "ping", "t": 42})
    assert await client.recv() == {"type": "pong", "t": 42}
    await client.send({"type": "resume", "epoch": None, "last_seq": 0})
    await client.until(lambda f: f["type"] == "live")
    await client.send({"type": "resume", "epoch": None, "last_seq": 0})
    assert (await client.recv())["code"] == "already-resumed"
    await client.ws.send(orjson.dumps({"type": "ping", "t": "x" * 2000}).decode())
    with pytest.raises(ConnectionClosed) as closed:
        await client.until(lambda f: False)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert client.frames[-1]["code"] == "too-big"  # served as documented, ours answers first


async def test_a_flooding_client_is_closed(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://", messages_per_minute=20)
    exercise = server.create_exercise(marked_scenario())
    client = clients(server, exercise, "observer")
    await client.connect()
    for n in range(30):
        await client.send({"type": "ping", "t": n})
    with pytest.raises(ConnectionClosed) as closed:
        await client.until(lambda f: False)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert any(f.get("code") == "rate" for f in client.frames)
    assert sum(f["type"] == "pong" for f in client.frames) == 19  # the resume took one


async def test_heartbeats_both_ways(live_server: LiveServerFactory, clients: ClientFactory) -> None:
    server = live_server(journal_url="memory://", heartbeat_seconds=0.3, heartbeat_timeout=1.0)
    exercise = server.create_exercise(marked_scenario())
    alive = clients(server, exercise, "control")  # answers every ping (Client.recv does)
    await alive.connect()
    silent = clients(server, exercise, "control")
    await silent.connect()
    assert silent.ws is not None
    await alive.until(lambda f: f["type"] == "ping", timeout=3)
    start = asyncio.get_running_loop().time()
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            while True:  # read without answering pings
                await silent.ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert asyncio.get_running_loop().time() - start < 3
    await alive.send({"type": "ping", "t": 1})
    await alive.until(lambda f: f["type"] == "pong", timeout=3)  # still open


async def test_receipts_and_acknowledgements_reach_the_journal(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    team = clients(server, exercise, "team:t1")
    actor = clients(server, exercise, "actor:r0")
    await team.connect()
    await actor.connect()
    server.run(exercise, ("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    await team.until_seq(3)
    release = next(f for f in team.frames if f.get("seq") == 3)
    assert release["receipt"] is True
    await team.send({"type": "seen", "seq": 3})
    await team.until(lambda f: f.get("type") == "event" and "status-delivered" in f["content"])
    await team.send({"type": "ack", "inject": "I-t1-0"})
    await team.until(lambda f: f.get("type") == "event" and "status-acknowledged" in f["content"])
    await actor.send({"type": "cue", "cue": "I-t1-0.1", "status": "ready"})
    await actor.until(lambda f: f.get("type") == "event" and 'data-status="ready"' in f["content"])
    _, events = server.journal(exercise)
    kinds = [(e["type"], e["data"].get("device")) for e in events[3:]]
    assert kinds == [
        ("inject.delivered", "t"),
        ("inject.acknowledged", "t"),
        ("cue.status", "t"),
    ]


async def test_a_refusal_is_coded_and_in_the_sockets_language(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    actor = clients(server, exercise, "actor:r0", language="ru")
    await actor.connect(resume=False)
    assert (await actor.recv())["type"] == "hello"
    await actor.send({"type": "cue", "cue": "no-such-cue", "status": "ready"})
    refused = await actor.recv()
    assert refused["code"] == "refused" and refused["reason"] == "no-cue"
    assert refused["message"] == "У этой роли нет такой реплики."
