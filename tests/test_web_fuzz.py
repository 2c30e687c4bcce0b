"""Fuzz at every edge: every POST route of the app and every socket message type, with
malformed values of every kind, against a real uvicorn (``controlroom serve``, a file
journal) and real websocket clients.

Proven: no response of 500 or more, no traceback in the server's log, and the exercise still
works afterwards (an ad-hoc inject released from the console reaches a team's socket), also
after a restart that folds the journal again from disk. The cases issue 8 found are among
the values (``language=EN`` on a SimCell answer, ``BAD!`` as an exercise id, a token whose
``role`` is a list, a cue status ``waiting``, ``seen`` from a non-team socket, an empty or
long epoch, a ``last_seq`` above 2**53, an Origin with a tab inside).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
from starlette.routing import BaseRoute, Mount, Route
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from controlroom.web.identify import make_test_token
from controlroom.web.routes import build_routes
from tests.support.server import (
    SECRET,
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    marked_scenario,
    token,
)

SEED = 8
ROUNDS = 12  # malformed forms per POST route (30 routes: 360 posts, plus about 150 GETs)
CONCURRENCY = 6

# values of every kind: empty, blank, wrong case, too long, control characters, markup,
# paths, numbers out of range, unicode, look-alike ids
STRINGS = [
    "", " ", "EN", "xx", "en-GB", "ru", "en", "0", "-1", "1e309", "NaN", "9" * 40, "true",
    "null", "[]", "{}", "D99 99:99", "D1 09:00", "D0 00:00", "25:61", "-3m", "99999h",
    "<script>alert(1)</script>", "../../etc/passwd", "..%2F..", "%00", "a\x00b", "\t\n\r",
    "🙂" * 30, "Ж" * 300, "x" * 70_000, "t1", "t9", "all", "I-t1-0", "I-t9-9", "ALL-0", "R001",
    "tab-1", "r0", "r9", "email", "now", "at", "manual", "yes", "no", "soon", "interpreter",
    "identify", "director", "observer", "controller", "team", "actor", "fast", "2", "0.0001",
]  # fmt: skip
FIELDS = [
    "text", "language", "at", "speed", "team", "to", "answer", "reason", "name", "password",
    "display", "role", "kind", "target", "when", "from", "title", "body", "confirmed", "next",
    "channel", "case", "notes", "attachment", "cue.role", "cue.where", "cue.knows",
    "cue.emotion", "cue.offset", "objective", "mode", "scenario", "teams", "title.en",
    "body.ru", "csrf",
]  # fmt: skip
PATH_VALUES = [
    "BAD!", "..", "%2E%2E", "a%00b", "x" * 300, "%F0%9F%99%82", "I-t1-0", "ALL-0", "R001",
    "tab-1", "dina", "no-such", "%20", "-", "A.B",
]  # fmt: skip
NOT_IN_FUZZ = {
    # the fuzz must not end what it checks afterwards: ENDEX is fuzzed without confirmation
    "/exercises/{exercise}/clock/endex": "confirmed",
}
SESSION_ENDING = ("/signout", "/device/leave")


def post_routes(routes: list[BaseRoute]) -> list[str]:
    found: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            found.extend(post_routes(list(route.routes)))
        elif isinstance(route, Route) and route.methods and "POST" in route.methods:
            found.append(route.path)
    return found


def fill(path: str, exercise: str, rng: random.Random) -> str:
    def value(match: re.Match[str]) -> str:
        if match[1] == "exercise":
            return exercise if rng.random() < 0.8 else rng.choice(PATH_VALUES)
        return rng.choice(PATH_VALUES)

    return re.sub(r"\{(\w+)\}", value, path)


def forms(path: str, rng: random.Random) -> Iterator[tuple[list[tuple[str, str]], bool]]:
    """(form fields, with a file part?) for one route: malformed values of every kind."""
    for _ in range(ROUNDS):
        fields = [(name, rng.choice(STRINGS)) for name in rng.sample(FIELDS, rng.randint(1, 8))]
        if rng.random() < 0.2:  # a field given twice
            fields.append((fields[0][0], rng.choice(STRINGS)))
        if NOT_IN_FUZZ.get(path) is None and rng.random() < 0.5:
            fields.append(("confirmed", "yes"))
        yield fields, rng.random() < 0.1


class Fuzzer:
    def __init__(self, server: LiveServer, exercise: str) -> None:
        self.server = server
        self.exercise = exercise
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []
        self.sessions: dict[str, str] = {}

    def session(self, who: str) -> str:
        if who not in self.sessions:
            data: dict[str, Any] = {
                "director": {"kind": "user", "role": "director", "name": "dina"},
                "observer": {"kind": "user", "role": "observer", "name": "olga"},
                "team": {
                    "kind": "device",
                    "role": "team",
                    "team": "t1",
                    "exercise": self.exercise,
                    "device": "tab-1",
                },
            }[who]
            self.sessions[who] = self.server.session(data)
        return self.sessions[who]

    async def post(
        self, http: httpx.AsyncClient, path: str, fields: list[tuple[str, str]], upload: bool
    ) -> None:
        rng = random.Random(hash((path, tuple(fields))))
        who = rng.choice(["director", "director", "observer", "team"])
        csrf = "test" if rng.random() < 0.9 else rng.choice(STRINGS)
        body = [*fields, ("csrf", csrf)]
        headers = {"Cookie": f"cr_session={await asyncio.to_thread(self.session, who)}"}
        if rng.random() < 0.4:
            headers["HX-Request"] = "true"
        if rng.random() < 0.05:
            tab = self.server.url.replace("//127.0.0.1:", "//127.0.0.1\t:")
            headers["Origin"] = rng.choice(["null", tab, "http://evil"])
        files = {"attachment": ("../../x.txt", b"\x00\xff" * 10, "text/html")} if upload else None
        try:
            response = await http.post(path, data=dict(body), files=files, headers=headers)
        except httpx.HTTPError as error:
            self.failures.append(f"POST {path}: {error!r}")
            return
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.failures.append(f"POST {path} {fields!r}: {response.status_code}")
        if path.endswith(SESSION_ENDING):
            self.sessions.pop(who, None)

    async def get(self, http: httpx.AsyncClient, path: str) -> None:
        headers = {"Cookie": f"cr_session={await asyncio.to_thread(self.session, 'director')}"}
        response = await http.get(path, headers=headers)
        if response.status_code >= 500:
            self.failures.append(f"GET {path}: {response.status_code}")


async def fuzz_forms(fuzzer: Fuzzer) -> None:
    rng = random.Random(SEED)
    jobs: list[tuple[str, list[tuple[str, str]], bool]] = []
    for path in post_routes(build_routes()):
        for fields, upload in forms(path, rng):
            jobs.append((fill(path, fuzzer.exercise, rng), fields, upload))
    for path in ("/exercises/BAD!/devices", "/exercises/BAD!/devices/sheet"):
        jobs.append((path, [], False))
    rng.shuffle(jobs)
    queue: asyncio.Queue[tuple[str, list[tuple[str, str]], bool]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=fuzzer.server.url, timeout=30) as http:
            while not queue.empty():
                path, fields, upload = queue.get_nowait()
                await fuzzer.post(http, path, fields, upload)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    async with httpx.AsyncClient(base_url=fuzzer.server.url, timeout=30) as http:
        for odd in ("Ж" * 27, "🙂" * 27, "x" * 27, "Ж" * 43):  # join codes are 27 long
            await fuzzer.get(http, f"/join/{odd}")
            await fuzzer.get(http, f"/setup?token={odd}")
        for value in PATH_VALUES:
            for page in ("", "/devices", "/simcell/" + value, "/injects/" + value, "/log"):
                await fuzzer.get(http, f"/exercises/{value}{page}")
                await fuzzer.get(http, f"/exercises/{fuzzer.exercise}{page}")


SOCKET_VALUES: list[Any] = [
    None, True, 0, -1, 1.5, 2**53 + 1, 2**64, "", "x" * 70, "e" * 5000, [], {}, ["ready"],
    {"a": 1}, "I-t1-0", "I-t1-0.1", "ready", "in-scene", "done", "waiting", "🙂", "\x00",
]  # fmt: skip
MESSAGE_KEYS = {
    "resume": ("epoch", "last_seq"),
    "ping": ("t",),
    "pong": ("t",),
    "ack": ("inject",),
    "seen": ("seq",),
    "cue": ("cue", "status"),
}


def socket_messages(rng: random.Random) -> list[str | bytes]:
    messages: list[str | bytes] = ["not json", "[]", "null", '"resume"', "{", b"\x00\x01"]
    for kind, keys in MESSAGE_KEYS.items():
        for _ in range(12):
            message: dict[str, Any] = {"type": kind}
            for key in keys:
                if rng.random() < 0.8:
                    message[key] = rng.choice(SOCKET_VALUES)
            messages.append(json.dumps(message))  # json: integers beyond 64 bits too
    odd_types: list[Any] = ["subscribe", "", None, 7, "RESUME"]
    for odd in odd_types:
        messages.append(orjson.dumps({"type": odd}).decode())
    rng.shuffle(messages)
    return messages


async def fuzz_sockets(server: LiveServer, exercise: str, clients: ClientFactory) -> list[str]:
    rng = random.Random(SEED)
    problems: list[str] = []
    audiences = ["team:t1", "actor:r0", "control", "observer"]
    for audience in audiences:
        client = clients(server, exercise, audience)
        await client.connect(resume=False)
        assert client.ws is not None
        for message in socket_messages(rng):
            try:
                await client.ws.send(message)
            except ConnectionClosed:
                break
        try:  # every message gets its answer or the socket is closed by the protocol
            await client.send({"type": "ping", "t": "end"})
            await client.until(lambda f: f.get("t") == "end", timeout=10)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            if code not in (1008, 1009):
                problems.append(f"{audience}: closed with {code}")
        errors = [f for f in client.frames if f["type"] == "error"]
        if not errors or any(f["code"] in ("unavailable", "internal") for f in errors):
            problems.append(f"{audience}: error frames {errors[:3]}")
        await client.close()
    odd_tokens: list[dict[str, Any]] = [
        {"kind": "user", "role": ["director"], "name": "x"},
        {"kind": ["user"], "role": "director"},
        {"kind": "user", "role": "team", "team": {"t1": 1}},
        {"kind": "device", "role": "team", "team": "t1", "exercise": exercise, "device": 7},
        {"kind": "user", "role": "director", "language": ["ru"]},
    ]
    for data in odd_tokens:
        status = await _handshake(server.socket_url(exercise, make_test_token(SECRET, data)))
        if status != 403:
            problems.append(f"token {data}: {status}")
    tab_origin = server.origin.replace("//127.0.0.1:", "//127.0.0.1\t:")
    status = await _handshake(server.socket_url(exercise, token("control")), tab_origin)
    if status != 403:
        problems.append(f"origin with a tab: {status}")
    for bad in ("BAD!", "x" * 100, "%00"):
        status = await _handshake(server.socket_url(bad, token("control")))
        if status != 404:
            problems.append(f"exercise {bad!r}: {status}")
    return problems


async def _handshake(url: str, origin: str | None = None) -> int:
    origin = origin or url.replace("ws://", "http://").split("/exercises")[0]
    try:
        async with ws_connect(url, origin=Origin(origin), compression=None, open_timeout=5):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


async def release_reaches_a_team(server: LiveServer, exercise: str, team: Client) -> None:
    """The console releases an ad-hoc inject now; the team's socket shows it."""
    await team.connect()
    await team.until(lambda f: f["type"] == "live", timeout=10)
    director = await asyncio.to_thread(
        server.session, {"kind": "user", "role": "director", "name": "dina"}
    )
    marker = f"after-the-fuzz-{random.Random().randrange(10**9)}"
    form = {
        "csrf": "test", "from": "Desk", "title": marker, "body": "Still working.",
        "to": "t1", "when": "now", "language": "en", "channel": "email",
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        await http.post(
            f"/exercises/{exercise}/clock/resume",
            data={"csrf": "test", "confirmed": "yes"},
            headers={"Cookie": f"cr_session={director}"},
        )
        response = await http.post(
            f"/exercises/{exercise}/adhoc", data=form, headers={"Cookie": f"cr_session={director}"}
        )
    assert response.status_code == 303, response.text
    await team.until(lambda f: f["type"] == "event" and marker in f["content"], timeout=10)


async def test_fuzz_every_post_route_and_socket_message(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server()  # the embedded default: a file journal in the data folder
    exercise = server.create_exercise(marked_scenario())
    server.run(
        exercise,
        ("startex", {"by": "dina"}),
        ("join_device", {"device": "tab-1", "name": "Tab", "team": "t1"}),
        ("send_request", {"team": "t1", "device": "tab-1", "kind": "interpreter", "text": "?"}),
        ("release_now", {"by": "dina", "inject": "I-t1-0"}),
    )
    fuzzer = Fuzzer(server, exercise)
    await fuzz_forms(fuzzer)
    socket_problems = await fuzz_sockets(server, exercise, clients)
    assert sum(fuzzer.statuses.values()) > 300, fuzzer.statuses
    assert not fuzzer.failures, fuzzer.failures[:10]
    assert not socket_problems, socket_problems
    log = server.log()
    assert "Traceback" not in log, log[-5000:]
    await release_reaches_a_team(server, exercise, clients(server, exercise, "team:t1"))
    server.restart()  # the journal, with everything the fuzz wrote, folds again from disk
    await release_reaches_a_team(server, exercise, clients(server, exercise, "team:t1"))
    assert "Traceback" not in server.log()
