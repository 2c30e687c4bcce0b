"""A real Control Room server for tests: uvicorn in a subprocess on a free port.

``live_server`` (a factory fixture) starts ``controlroom serve``, the production command
(uvicorn with the options ``controlroom.server`` builds from the settings) with a data folder
of the test's own, waits for ``/healthz``, and kills every server it started at teardown.
``kill()`` sends SIGKILL (the crash tests), ``restart()`` starts it again on the same port
and data folder. Settings go in as keywords (``live_server(journal_url="memory://",
heartbeat_seconds=1)``) or as ``env``; the test-only routes and tokens are on
(``/test/...``, ``?token=``).

Also here: ``marked_scenario()``, a scenario whose every secret is a unique marker string
(controller notes, expected actions, cues, role notes, each inject's body) so leak tests
can look for them in raw frames, ``token()`` and helpers that drive the test routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
import pytest
from itsdangerous import URLSafeSerializer
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Origin

from controlroom.web.identify import make_test_token, token_serializer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-for-live-servers"
START_TIMEOUT = 60.0  # generous: a loaded CI machine starting several workers at once
TEST_APP = "controlroom.web.testroutes:create_test_app"  # create_app with the /test/ routes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """One uvicorn process serving Control Room."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = {
            "CONTROLROOM_DATA_DIR": str(data_dir),
            "CONTROLROOM_INJECTS_DIR": str(ROOT / "injects"),
            "CONTROLROOM_SECRET_KEY": SECRET,
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_LOG_LEVEL": "warning",
            "CONTROLROOM_ACCESS_LOG": "false",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    def socket_url(self, exercise: str, token: str | None = None) -> str:
        query = f"?token={token}" if token is not None else ""
        return f"ws://127.0.0.1:{self.port}/exercises/{exercise}/socket{query}"

    def command(self) -> list[str]:
        """``controlroom serve``: the production command (controlroom.server builds uvicorn's
        options from the settings in ``env``)."""
        # fmt: off
        return [
            sys.executable, "-m", "controlroom", "serve",
            "--host", "127.0.0.1", "--port", str(self.port), "--app", TEST_APP,
        ]
        # fmt: on

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("the server is already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._healthy():
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError(f"uvicorn exited on start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(
                    f"uvicorn did not answer in {START_TIMEOUT}s:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1.0).text == "ok"
        except httpx.HTTPError:
            return False

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (uvicorn's graceful shutdown), then SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL: the crash that fsync has to survive."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    # -- the test-only routes --------------------------------------------------------------

    def post(self, path: str, body: Any) -> Any:
        response = httpx.post(f"{self.url}{path}", content=orjson.dumps(body), timeout=10.0)
        if response.status_code >= 400:
            raise AssertionError(f"POST {path}: {response.status_code} {response.text}")
        return orjson.loads(response.content)

    def create_exercise(self, scenario: Mapping[str, Any], name: str = "test") -> str:
        exercise: str = self.post("/test/exercises", {"scenario": scenario, "name": name})[
            "exercise"
        ]
        return exercise

    def run(self, exercise: str, *steps: tuple[str, Mapping[str, Any]]) -> list[Any]:
        """Run exercise commands in order: ``("release_now", {"by": "d", "inject": "X"})``."""
        body = [{"command": name, "args": dict(args)} for name, args in steps]
        done: list[Any] = self.post(f"/test/exercises/{exercise}/commands", body)["done"]
        return done

    def journal(self, exercise: str) -> tuple[str, list[dict[str, Any]]]:
        response = httpx.get(f"{self.url}/test/exercises/{exercise}/journal", timeout=10.0)
        data = orjson.loads(response.content)
        return data["epoch"], data["events"]

    def session(self, data: Mapping[str, Any]) -> str:
        session: str = self.post("/test/sessions", data)["session"]
        return session


def token(
    audience: str, *, exercise: str | None = None, device: str | None = None, name: str = "t"
) -> str:
    """A signed test token for ``audience`` (``control``, ``observer``, ``team:x``, ``actor:y``)."""
    kind, _, rest = audience.partition(":")
    data: dict[str, Any] = {"kind": "device" if device else "user", "name": name}
    data["role"] = {"control": "director"}.get(kind, kind)
    if kind == "team":
        data["team"] = rest
    elif kind == "actor":
        data["actor_role"] = rest
    if exercise is not None:
        data["exercise"] = exercise
    if device is not None:
        data["device"] = device
    return make_test_token(SECRET, data)


class LiveServerFactory(Protocol):
    def __call__(
        self,
        env: Mapping[str, str] | None = None,
        data_dir: Path | None = None,
        port: int | None = None,
        **settings: Any,
    ) -> LiveServer: ...


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServerFactory]:
    """``live_server(env={...}, data_dir=..., port=..., **settings)`` -> a started LiveServer."""
    started: list[LiveServer] = []

    def start(
        env: Mapping[str, str] | None = None,
        data_dir: Path | None = None,
        port: int | None = None,
        **settings: Any,
    ) -> LiveServer:
        merged = {f"CONTROLROOM_{k.upper()}": str(v) for k, v in settings.items()}
        directory = data_dir or tmp_path / f"data{len(started)}"
        server = LiveServer(directory, {**merged, **(env or {})}, port)
        started.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.kill()


# -- a scenario full of secrets ----------------------------------------------------------------


MARKER = re.compile(r"MK\[([A-Z]+):([^\]]*)\]")


def marker(kind: str, *parts: str) -> str:
    """A unique string such as ``MK[NOTE:I-t1-0]``: leak tests look for them in frames."""
    return f"MK[{kind}:{':'.join(parts)}]"


def markers_in(text: str) -> list[tuple[str, list[str]]]:
    """Every marker in ``text`` as ``(kind, parts)`` (HTML and JSON leave them intact)."""
    return [(m[1], m[2].split(":")) for m in MARKER.finditer(text)]


def marked_scenario(
    teams: int = 3, roles: int = 2, injects_per_team: int = 4, scheduled: int = 0
) -> dict[str, Any]:
    """A scenario whose secrets are all markers.

    Each team ``t<n>`` has ``injects_per_team`` manual injects ``I-t<n>-<k>`` (body
    ``MK[BODY:<inject>]``, notes ``MK[NOTE:<inject>]``, an expected action
    ``MK[EXPECT:<inject>]``, controller ``MK[CONTROLLER:<inject>]`` and a cue for one role,
    round robin, whose every field is ``MK[CUE:<inject>:<role>:<field>]``). Roles' private
    notes are ``MK[ROLENOTE:<role>]``. ``ALL-0`` goes to every team; ``scheduled`` injects
    ``S-<k>`` go to ``t1`` at D1 09:01, 09:02, ...
    """
    team_ids = [f"t{n}" for n in range(1, teams + 1)]
    role_ids = [f"r{n}" for n in range(roles)]
    injects: list[dict[str, Any]] = []

    def inject(inject_id: str, to: Any, **extra: Any) -> dict[str, Any]:
        role = role_ids[len(injects) % roles] if roles else None
        cues = []
        if role is not None:
            cues.append(
                {
                    "role": role,
                    "where": {"en": marker("CUE", inject_id, role, "where")},
                    "knows": {"en": marker("CUE", inject_id, role, "knows")},
                    "emotion": {"en": marker("CUE", inject_id, role, "emotion")},
                    "reveals": [
                        {
                            "what": {"en": marker("CUE", inject_id, role, "what")},
                            "condition": {"en": marker("CUE", inject_id, role, "condition")},
                        }
                    ],
                    "props": [{"en": marker("CUE", inject_id, role, "prop")}],
                }
            )
        return {
            "id": inject_id,
            "channel": "email",
            "from": {"en": f"Sender of {inject_id}"},
            "to": to,
            "title": {"en": f"Title {inject_id}", "ru": f"Заголовок {inject_id}"},
            "body": {"en": marker("BODY", inject_id), "ru": marker("BODY", inject_id, "ru")},
            "cues": cues,
            "expected_actions": [{"en": marker("EXPECT", inject_id)}],
            "objectives": ["identify"],
            "controller": marker("CONTROLLER", inject_id),
            "notes": {"en": marker("NOTE", inject_id)},
            **extra,
        }

    for team in team_ids:
        for k in range(injects_per_team):
            injects.append(inject(f"I-{team}-{k}", [team], trigger="manual"))
    injects.append(inject("ALL-0", "all", trigger="manual"))
    for k in range(scheduled):
        injects.append(inject(f"S-{k}", [team_ids[0]], at=f"D1 09:{k + 1:02d}"))
    return {
        "id": "marked",
        "title": {"en": "Marked exercise"},
        "languages": ["en", "ru"],
        "setting": {"en": "Norland."},
        "days": 2,
        "start": "D1 09:00",
        "teams": [
            {
                "id": team,
                "name": {"en": f"Team {team}"},
                "country": {"en": "Norland"},
                "agencies": ["police"],
            }
            for team in team_ids
        ],
        "roles": [
            {
                "id": role,
                "character": {"en": f"Character {role}"},
                "description": {"en": f"Plays {role}"},
                "private_notes": {"en": marker("ROLENOTE", role)},
            }
            for role in role_ids
        ],
        "objectives": [{"id": "identify", "title": {"en": "Identify victims"}}],
        "requests": [
            {
                "id": "interpreter",
                "title": {"en": "Interpreter"},
                "answers": [{"id": "soon", "text": {"en": "An interpreter is on the way."}}],
            }
        ],
        "injects": injects,
    }


# -- what each audience may see, decided from the journal alone -------------------------------

CLOCK_TYPES = frozenset(
    {"clock.started", "clock.held", "clock.resumed", "clock.speed", "clock.jumped", "clock.ended"}
)
SCHEDULE_TYPES = frozenset(
    {"inject.held", "inject.unheld", "inject.rescheduled", "inject.cancelled"}
)
RELEASE_TYPES = frozenset({"inject.released", "inject.delivered", "inject.acknowledged"})


class Oracle:
    """Which journal events and which markers each audience may see.

    Written from the domain rules (docs/delivery.md), independently of
    ``controlroom.delivery``, so the tests check the audience filter against a second
    opinion rather than against itself.
    """

    def __init__(self, scenario: Mapping[str, Any], events: list[dict[str, Any]]) -> None:
        self.events = events
        self.teams = [t["id"] for t in scenario["teams"]]
        self.roles = [r["id"] for r in scenario.get("roles", [])]
        self.cue_roles: dict[str, set[str]] = {}
        self.recipients: dict[str, list[str]] = {}
        self.dependents: dict[str, list[str]] = {}
        for inject in scenario["injects"]:
            self._learn(inject)
        self.released: dict[tuple[str, str], int] = {}  # (inject, team) -> seq
        self._seqs: dict[str, list[int]] = {}
        self._route()

    def _learn(self, inject: Mapping[str, Any]) -> None:
        self.cue_roles[inject["id"]] = {cue["role"] for cue in inject.get("cues", [])}
        to = inject["to"]
        self.recipients[inject["id"]] = list(self.teams) if to == "all" else list(to)
        trigger = inject.get("trigger")
        if isinstance(trigger, dict):
            self.dependents.setdefault(trigger["after"], []).append(inject["id"])

    def _route(self) -> None:
        requests: dict[str, str] = {}
        for event in self.events:
            seq, kind, data = event["seq"], event["type"], event["data"]
            seen = {"control", "observer"}
            if kind in CLOCK_TYPES:
                seen |= {f"team:{t}" for t in self.teams}
                seen |= {f"actor:{r}" for r in self.roles}
            elif kind == "inject.created":
                self._learn(data["inject"])
                seen |= {f"actor:{r}" for r in self.cue_roles[data["inject"]["id"]]}
            elif kind == "inject.edited":
                inject = data["inject"]
                seen |= {f"team:{t}" for (i, t) in self.released if i == inject}
                if "cues" in data["changes"]:
                    before = self.cue_roles[inject]
                    after = {cue["role"] for cue in data["changes"]["cues"]}
                    self.cue_roles[inject] = after
                    seen |= {f"actor:{r}" for r in before | after}
            elif kind in RELEASE_TYPES or kind in SCHEDULE_TYPES:
                inject = data["inject"]
                teams = data.get("teams") or (
                    [data["team"]] if "team" in data else self.recipients[inject]
                )
                if kind == "inject.released":
                    for team in teams:
                        self.released[inject, team] = seq
                if kind in RELEASE_TYPES:
                    seen |= {f"team:{t}" for t in teams}
                touched = (
                    [inject, *self.dependents.get(inject, [])]
                    if kind in RELEASE_TYPES
                    else [inject]
                )
                seen |= {f"actor:{r}" for i in touched for r in self.cue_roles.get(i, ())}
            elif kind == "cue.status":
                inject = data["cue"].rsplit(".", 1)[0]  # default cue ids: <inject>.<n>
                if data["role"] in self.cue_roles.get(inject, ()):
                    seen.add(f"actor:{data['role']}")
            elif kind == "request.sent":
                requests[data["request"]] = data["team"]
                seen.add(f"team:{data['team']}")
            elif kind in ("request.claimed", "request.answered"):
                team = requests[data["request"]]
                seen.add(f"team:{team}")
                if kind == "request.answered":
                    self.released[f"SIM-{data['request']}", team] = seq
            for audience in seen:
                self._seqs.setdefault(audience, []).append(seq)

    def seqs(self, audience: str) -> list[int]:
        """The journal seqs whose frames ``audience`` must get, in order."""
        return list(self._seqs.get(audience, []))

    def allowed(self, audience: str, kind: str, parts: list[str], seq: int) -> bool:
        """Whether a marker may appear in a frame of ``audience`` for journal event ``seq``."""
        if audience in ("control", "observer"):
            return True
        who, _, name = audience.partition(":")
        if who == "team":
            return kind == "BODY" and self.released.get((parts[0], name), seq + 1) <= seq
        if who == "actor":
            if kind == "ROLENOTE":
                return parts[0] == name
            return kind == "CUE" and parts[1] == name
        return False

    def leaks(self, audience: str, seq: int, text: str) -> list[str]:
        """The markers in ``text`` (a frame for ``seq``) that ``audience`` must not see."""
        return [
            f"MK[{kind}:{':'.join(parts)}]"
            for kind, parts in markers_in(text)
            if not self.allowed(audience, kind, parts, seq)
        ]


# -- a websocket client that records everything ------------------------------------------------


class Client:
    """One device's socket, with the client side of resume (docs/protocol.md)."""

    def __init__(
        self,
        server: LiveServer,
        exercise: str,
        audience: str,
        *,
        language: str = "en",
        device: str | None = None,
        origin: str | None = None,
        name: str = "t",
    ) -> None:
        data_token = token(
            audience, device=device, exercise=exercise if device else None, name=name
        )
        if language != "en":
            data = token_serializer_for_tests().loads(data_token)
            data_token = make_test_token(SECRET, {**data, "language": language})
        self.url = server.socket_url(exercise, data_token)
        self.origin = origin or server.origin
        self.audience = audience
        self.epoch: str | None = None
        self.last_seq = 0
        self.received: list[tuple[int, str, str]] = []  # (seq, type, raw text) of content frames
        self.frames: list[dict[str, Any]] = []  # every frame, parsed
        self.ws: ClientConnection | None = None
        self._dropped: list[ClientConnection] = []
        self.live = False

    async def connect(self, *, resume: bool = True) -> None:
        self.live = False
        self.ws = await ws_connect(
            self.url,
            origin=Origin(self.origin),
            compression=None,
            ping_interval=None,
            max_size=2**24,
            open_timeout=10,
        )
        if resume:
            await self.send({"type": "resume", "epoch": self.epoch, "last_seq": self.last_seq})

    async def send(self, message: Mapping[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(orjson.dumps(message).decode())

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        assert self.ws is not None
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(text, str), "frames are text"
        frame: dict[str, Any] = orjson.loads(text)
        self.frames.append(frame)
        kind = frame["type"]
        if kind in ("event", "snapshot"):
            self.received.append((frame["seq"], kind, text))
            self.epoch, self.last_seq = frame["epoch"], frame["seq"]
        elif kind == "live":
            self.live = True
        elif kind == "ping":
            await self.send({"type": "pong", "t": frame["t"]})
        return frame

    async def until(self, done: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> None:
        """Read frames until ``done(frame)`` (raises TimeoutError)."""
        async with asyncio.timeout(timeout):
            while not done(await self.recv(timeout)):
                pass

    async def until_seq(self, seq: int, timeout: float = 5.0) -> None:
        if self.last_seq >= seq:
            return
        await self.until(lambda f: f.get("seq", 0) >= seq and "content" in f, timeout)

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 2.0)
            except (TimeoutError, OSError):
                ws.transport.abort()

    def drop(self) -> None:
        """Lose the connection abruptly, as a tablet leaving the wifi does."""
        ws, self.ws = self.ws, None
        if ws is not None:
            ws.transport.abort()
            self._dropped.append(ws)

    async def wait_dropped(self) -> None:
        """Let dropped connections finish (their transports are closed already)."""
        dropped, self._dropped = self._dropped, []
        for ws in dropped:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.wait_closed(), 2.0)

    def event_seqs(self) -> list[int]:
        return [seq for seq, kind, _ in self.received if kind == "event"]


class ClientFactory(Protocol):
    def __call__(
        self,
        server: LiveServer,
        exercise: str,
        audience: str,
        *,
        language: str = "en",
        device: str | None = None,
        origin: str | None = None,
        name: str = "t",
    ) -> Client: ...


@pytest.fixture
async def clients() -> AsyncIterator[ClientFactory]:
    """Make ``Client``s that are all closed at teardown."""
    made: list[Client] = []

    def make(
        server: LiveServer,
        exercise: str,
        audience: str,
        *,
        language: str = "en",
        device: str | None = None,
        origin: str | None = None,
        name: str = "t",
    ) -> Client:
        client = Client(
            server, exercise, audience, language=language, device=device, origin=origin, name=name
        )
        made.append(client)
        return client

    try:
        yield make
    finally:
        for client in made:
            await client.close()
            await client.wait_dropped()


def token_serializer_for_tests() -> URLSafeSerializer:
    return token_serializer(SECRET)
