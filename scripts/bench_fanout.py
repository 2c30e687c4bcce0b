"""Fan-out benchmark of the exercise socket; figures and the command: docs/performance.md.

Run ``scripts/bench_fanout`` (it raises ``ulimit -n`` first). The driver starts the real
server (uvicorn, ``--ws websockets-sansio``, deflate off, memory journal, test tokens) and client
processes that each hold many ``websockets`` connections, then measures:

* per client count (100, 1000, 5000 by default, spread over 10 teams): server memory per
  idle connection, 10 injects/s (each to one team) for a few seconds: delivery latency
  p50/p95/p99/max and deliveries/s, one inject to every client: time until all have it,
  and a burst of injects to everyone: deliveries/s, with the server's CPU use;
* 1000 clients that each missed 50 events reconnecting at once: time until all caught up;
* the same bursts and idle connections against a baseline: a minimal server on the bare
  ``websockets`` library sending with ``broadcast()``, frames of the same size.

Latency is measured from just before the driver asks for a release to the moment a client
process has the frame (all processes share the machine's clock). Roles of this module:
``driver`` (default), ``clients`` (a load generator process), ``baseline`` (the baseline
server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import orjson
import psutil
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection, broadcast, serve

ROOT = Path(__file__).resolve().parents[1]
TEAMS = 10
SECRET = "bench-" + secrets.token_hex(16)
BODY = (
    "A woman calls the police hotline from a phone booth near the construction site. She says "
    "that about twenty workers sleep in containers on the site, that they have not been paid "
    "for three months and that the foreman keeps their passports in his car. She is afraid "
    "and will not give her name. She hangs up when asked for it a second time. "
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _use_uvloop() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()


# -- the scenario ------------------------------------------------------------------------------


def scenario(steady: int, bursts: int) -> dict[str, Any]:
    """10 teams; ``steady`` injects to one team each, ``bursts`` injects to every team."""
    teams = [f"t{n}" for n in range(TEAMS)]

    def inject(inject_id: str, to: Any) -> dict[str, Any]:
        return {
            "id": inject_id,
            "trigger": "manual",
            "channel": "phone-call",
            "from": {"en": "Anonymous caller"},
            "to": to,
            "title": {"en": f"A call about a building site ({inject_id})"},
            "body": {"en": BODY},
            "notes": {"en": "Controller only: the caller hangs up if asked twice."},
        }

    injects = [inject(f"S-{n}", [teams[n % TEAMS]]) for n in range(steady)]
    injects += [inject(f"B-{n}", "all") for n in range(bursts)]
    return {
        "id": "bench",
        "title": {"en": "Fan-out benchmark"},
        "languages": ["en"],
        "setting": {"en": "Norland."},
        "days": 2,
        "teams": [
            {"id": t, "name": {"en": t}, "country": {"en": "Norland"}, "agencies": ["police"]}
            for t in teams
        ],
        "injects": injects,
    }


# -- client processes --------------------------------------------------------------------------


class LeanSocket(asyncio.Protocol):
    """A minimal websocket client: one socket costs the load generator as little as possible.

    The ``websockets`` library (used by the tests) spends tens of microseconds per message;
    with thousands of sockets on the same two cores as the server, the load generator would
    measure itself. This one does the handshake and reads unfragmented server frames, and
    sends masked text frames (mask key 0: legal, and the payload needs no rewriting).
    """

    def __init__(self, owner: Clients, device: Device) -> None:
        self.owner = owner
        self.device = device
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.open = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        url = self.device.url.removeprefix("ws://")
        host, _, path = url.partition("/")
        key = "dGhlIHNhbXBsZSBub25jZQ=="
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {self.owner.origin}\r\n\r\n"
        )
        self.transport.write(request.encode())

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("lost before the handshake"))

    def send_text(self, text: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        n = len(text)
        if n < 126:
            header = bytes((0x81, 0x80 | n))
        else:
            header = bytes((0x81, 0x80 | 126)) + n.to_bytes(2, "big")
        self.transport.write(header + b"\0\0\0\0" + text)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:12])
            del buffer[: end + 4]
            if b" 101" not in status:
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.open = True
            self.opened.set_result(None)
        while len(buffer) >= 2:
            opcode, length, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, at = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + length:
                return
            payload = bytes(buffer[at : at + length])
            del buffer[: at + length]
            if opcode == 1:
                self.owner.on_text(self, payload, now)
            elif opcode == 9 and self.transport is not None:  # protocol ping: pong
                self.transport.write(bytes((0x8A, 0x80 | len(payload))) + b"\0\0\0\0" + payload)
            elif opcode == 8 and self.transport is not None:
                self.transport.close()


@dataclass
class Device:
    url: str
    last_seq: int = 0
    epoch: str | None = None
    socket: LeanSocket | None = None
    live: asyncio.Event = field(default_factory=asyncio.Event)


class Clients:
    """One load-generator process: many sockets, commands on stdin, answers on stdout."""

    def __init__(self, urls: list[str], origin: str) -> None:
        self.devices = [Device(url) for url in urls]
        self.origin = origin
        self.times: dict[int, list[float]] = {}
        self.recording = False
        self.frames = 0
        self.size = 0

    def on_text(self, socket: LeanSocket, payload: bytes, now: float) -> None:
        frame = orjson.loads(payload)
        kind = frame["type"]
        device = socket.device
        if kind == "event" or kind == "snapshot":
            seq = frame["seq"]
            device.last_seq, device.epoch = seq, frame["epoch"]
            self.frames += 1
            self.size = len(payload)
            if self.recording:
                self.times.setdefault(seq, []).append(now)
        elif kind == "live":
            device.live.set()
        elif kind == "ping":
            socket.send_text(orjson.dumps({"type": "pong", "t": frame["t"]}))

    async def _connect(self, device: Device, gate: asyncio.Semaphore) -> None:
        loop = asyncio.get_running_loop()
        host = device.url.removeprefix("ws://").partition("/")[0]
        address, _, port = host.partition(":")
        async with gate:
            device.live = asyncio.Event()
            _, protocol = await loop.create_connection(
                lambda: LeanSocket(self, device), address, int(port)
            )
            device.socket = protocol
            await protocol.opened
            resume = {"type": "resume", "epoch": device.epoch, "last_seq": device.last_seq}
            protocol.send_text(orjson.dumps(resume))
        await device.live.wait()

    async def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        name = command["cmd"]
        if name == "connect":
            gate = asyncio.Semaphore(command.get("parallel", 64))
            start = time.time()
            await asyncio.gather(*(self._connect(d, gate) for d in self.devices))
            return {"connected": len(self.devices), "seconds": time.time() - start}
        if name == "record":
            self.times, self.recording = {}, True
            return {}
        if name == "report":
            self.recording = False
            return {"times": self.times, "size": self.size}
        if name == "caught_up":
            deadline = time.time() + command["timeout"]
            while time.time() < deadline:
                if all(d.last_seq >= command["seq"] for d in self.devices):
                    return {"done": time.time()}
                await asyncio.sleep(0.005)
            behind = sum(d.last_seq < command["seq"] for d in self.devices)
            return {"done": None, "behind": behind}
        if name == "drop":
            for device in self.devices:
                if device.socket is not None and device.socket.transport is not None:
                    device.socket.transport.abort()
                    device.socket = None
            await asyncio.sleep(0.2)
            return {}
        raise ValueError(name)


async def clients_main(urls: list[str], origin: str, kind: type[Clients] = Clients) -> None:
    clients = kind(urls, origin)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = orjson.loads(line)
        if command["cmd"] == "quit":
            break
        answer = await clients.handle(command)
        sys.stdout.write(orjson.dumps(answer, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")
        sys.stdout.flush()


class ClientPool:
    """The driver's handle on the load-generator processes."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.sizes: list[int] = []

    def spawn(self, urls: list[str], origin: str, directory: Path) -> None:
        path = directory / f"urls-{len(self.processes)}.json"
        path.write_text(json.dumps(urls))
        command = [sys.executable, "-m", "scripts.bench_fanout", "clients"]
        command += ["--urls", str(path), "--origin", origin]
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        )
        self.sizes.append(len(urls))

    def ask(self, command: dict[str, Any], only: list[int] | None = None) -> list[Any]:
        targets = [self.processes[i] for i in only] if only else self.processes
        line = orjson.dumps(command) + b"\n"
        for process in targets:
            assert process.stdin is not None
            process.stdin.write(line)
            process.stdin.flush()
        answers = []
        for process in targets:
            assert process.stdout is not None
            answers.append(orjson.loads(process.stdout.readline()))
        return answers

    def close(self) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):
                self.ask({"cmd": "quit"}, only=[self.processes.index(process)])
            process.kill()
            process.wait()
        self.processes = []
        self.sizes = []


def split(urls: list[str], per_process: int) -> Iterator[list[str]]:
    for start in range(0, len(urls), per_process):
        yield urls[start : start + per_process]


# -- the baseline: bare websockets, broadcast() ------------------------------------------------


async def baseline_main(args: argparse.Namespace) -> None:
    listeners: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        first = orjson.loads(await ws.recv())
        if first["type"] == "burst":  # the driver
            async for message in ws:
                command = orjson.loads(message)
                for seq in range(command["first"], command["first"] + command["count"]):
                    frame = {"type": "event", "epoch": "e" * 32, "seq": seq, "content": ""}
                    empty = len(orjson.dumps(frame))
                    frame["content"] = "x" * max(0, command["size"] - empty)  # same size as ours
                    broadcast(listeners, orjson.dumps(frame).decode())
                    await asyncio.sleep(0)
                await ws.send("done")
            return
        listeners.add(ws)
        try:
            await ws.send(orjson.dumps({"type": "live", "seq": 0}).decode())
            await ws.wait_closed()
        finally:
            listeners.discard(ws)

    async with serve(
        handler, "127.0.0.1", args.port, compression=None, ping_interval=None, max_size=2**20
    ):
        await asyncio.Future()


# -- the driver --------------------------------------------------------------------------------


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
        self.ps = psutil.Process(self.process.pid)

    def wait_ready(self, check: str | None) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if check is None:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                if httpx.get(check, timeout=1).status_code == 200:
                    return
            except (OSError, httpx.HTTPError):
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def rss(self) -> int:
        value: int = self.ps.memory_info().rss
        return value

    def cpu(self) -> float:
        times = self.ps.cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def burst_figures(
    runs: list[float], deliveries: int, seconds: float, cpu_s: float, args: argparse.Namespace
) -> dict[str, Any]:
    """A series of bursts: the median deliveries/s, and the CPU over all of them."""
    return {
        "runs": runs,
        "per_s": statistics.median(runs),
        "deliveries_each": deliveries // max(1, len(runs)),
        "seconds": seconds,
        "cpu": cpu_s / seconds,
        "cpu_per_inject": cpu_s / (args.burst * len(runs)),  # one inject to every team
        "cpu_per_delivery": cpu_s / max(1, deliveries),
    }


class Driver:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
        self.results: dict[Any, Any] = {}
        self.steady_next = 0
        self.burst_next = 0

    def run(self) -> None:
        sizes = sorted(int(n) for n in self.args.clients.split(","))
        env = {
            "CONTROLROOM_JOURNAL_URL": "memory://",
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_SECRET_KEY": SECRET,
            "CONTROLROOM_DATA_DIR": str(self.directory / "data"),
            "CONTROLROOM_INJECTS_DIR": str(self.directory / "injects"),
            "CONTROLROOM_RUN_CLOCK": "false",
        }
        env |= {
            "CONTROLROOM_WS_IMPLEMENTATION": self.args.ws,
            "CONTROLROOM_BACKLOG": "8192",
            "CONTROLROOM_LOG_LEVEL": "warning",
            "CONTROLROOM_ACCESS_LOG": "false",
        }
        # fmt: off
        command = [  # the production command (controlroom.server), with the test routes
            sys.executable, "-m", "controlroom", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--app", "controlroom.web.testroutes:create_test_app",
        ]
        # fmt: on
        server = Server(command, env, self.port)
        server.wait_ready(f"{self.url}/healthz")
        print(f"server: pid {server.process.pid}, {' '.join(command[1:])}")
        steady_total = self.args.rate * self.args.seconds * len(sizes) + 10
        per_size = self.args.burst * self.args.bursts + self.args.repeat + self.args.warmup
        bursts_total = per_size * len(sizes) + self.args.missed + 100
        created = httpx.post(
            f"{self.url}/test/exercises",
            content=orjson.dumps({"scenario": scenario(steady_total, bursts_total)}),
            timeout=30,
        ).json()
        self.exercise = created["exercise"]
        self.http = httpx.Client(base_url=self.url, timeout=60)
        self.release(["S-0"], wait=False, first=True)  # STARTEX and a first release
        pool = ClientPool()
        try:
            connected = 0
            frame_size = 0
            for size in sizes:
                before = server.rss()
                self.add_clients(pool, connected, size)
                time.sleep(1.0)  # let the connections settle
                idle = (server.rss() - before) / 1024 / (size - connected)
                self.results[size] = {"idle_kb_per_conn": idle, "rss_mb": server.rss() / 2**20}
                connected = size
                if self.args.idle_only:
                    print(f"{size} clients: idle {idle:.1f} KB/connection")
                    continue
                frame_size = self.measure(pool, server, size)
            if self.args.idle_only:
                return
            self.resume_storm(pool)
        finally:
            pool.close()
            server.stop()
            self.http.close()
        if not self.args.skip_baseline:
            self.baseline(sizes, frame_size)
        self.report(sizes)

    # -- our server -------------------------------------------------------------------------

    def token_urls(self, first: int, count: int) -> list[str]:
        from controlroom.web.identify import make_test_token

        urls = []
        for n in range(first, first + count):
            data = {"kind": "user", "role": "team", "team": f"t{n % TEAMS}", "name": f"d{n}"}
            token = make_test_token(SECRET, data)
            urls.append(
                f"ws://127.0.0.1:{self.port}/exercises/{self.exercise}/socket?token={token}"
            )
        return urls

    def add_clients(self, pool: ClientPool, have: int, want: int) -> None:
        new = self.token_urls(have, want - have)
        first_new = len(pool.processes)
        for chunk in split(new, self.args.per_process):
            pool.spawn(chunk, self.url, self.directory)
        time.sleep(0.5)
        start = time.time()
        answers = pool.ask({"cmd": "connect"}, only=list(range(first_new, len(pool.processes))))
        print(
            f"{want} clients: {sum(a['connected'] for a in answers)} new connected "
            f"in {time.time() - start:.1f} s ({len(pool.processes)} client processes)"
        )

    def release(self, injects: list[str], *, wait: bool = True, first: bool = False) -> int:
        steps = [{"command": "startex", "args": {"by": "bench"}}] if first else []
        steps += [{"command": "release_now", "args": {"by": "bench", "inject": i}} for i in injects]
        response = self.http.post(
            f"/test/exercises/{self.exercise}/commands", content=orjson.dumps(steps)
        )
        response.raise_for_status()
        seq: int = response.json()["seq"]
        return seq

    def measure(self, pool: ClientPool, server: Server, size: int) -> int:
        result = self.results[size]
        # warm up: connections are long established when an exercise's injects flow
        seq = self.release([self.next_burst() for _ in range(self.args.warmup)])
        pool.ask({"cmd": "caught_up", "seq": seq, "timeout": 60})
        time.sleep(0.5)
        # 1) a steady rate: rate injects a second, each to one team
        pool.ask({"cmd": "record"})
        sent: dict[int, float] = {}
        cpu0, wall0 = server.cpu(), time.time()
        period = 1.0 / self.args.rate
        count = self.args.rate * self.args.seconds
        for n in range(count):
            target = wall0 + n * period
            delay = target - time.time()
            if delay > 0:
                time.sleep(delay)
            inject = f"S-{self.steady_next + 1}"
            self.steady_next += 1
            t = time.time()
            sent[self.release([inject])] = t
        time.sleep(1.0)
        cpu_s = server.cpu() - cpu0
        cpu = cpu_s / (time.time() - wall0)
        latencies, frame_size = self.latencies(pool, sent)
        expected = size / TEAMS * count
        result["steady"] = {
            "latency": latencies,
            "deliveries": len(latencies),
            "expected": expected,
            "per_s": len(latencies) / self.args.seconds,
            "cpu": cpu,
            "cpu_per_inject": cpu_s / count,  # one inject to one team (idle time included)
        }
        # 2) one inject to everyone, a few times: how long until all have it
        fanout = []
        for _ in range(self.args.repeat):
            pool.ask({"cmd": "record"})
            t = time.time()
            seq = self.release([self.next_burst()])
            answers = pool.ask({"cmd": "caught_up", "seq": seq, "timeout": 10})
            done = [a["done"] for a in answers]
            fanout.append(max(done) - t if all(done) else float("inf"))
            self.latencies(pool, {seq: t})
            time.sleep(0.3)
        result["one_to_all"] = fanout
        # 3) bursts: self.args.burst injects to everyone in one request, as fast as the
        # server goes, self.args.bursts times (the median is reported)
        runs: list[float] = []
        deliveries, seconds, cpu_s = 0, 0.0, 0.0
        for _ in range(self.args.bursts):
            pool.ask({"cmd": "record"})
            injects = [self.next_burst() for _ in range(self.args.burst)]
            cpu0, t = server.cpu(), time.time()
            seq = self.release(injects)
            answers = pool.ask({"cmd": "caught_up", "seq": seq, "timeout": 60})
            end = max(a["done"] or time.time() for a in answers)
            cpu_s += server.cpu() - cpu0
            got, _ = self.latencies(pool, dict.fromkeys(range(seq - len(injects) + 1, seq + 1), t))
            runs.append(len(got) / (end - t))
            deliveries += len(got)
            seconds += end - t
            time.sleep(0.3)
        result["burst"] = burst_figures(runs, deliveries, seconds, cpu_s, self.args)
        self.print_size(size)
        return frame_size

    def next_burst(self) -> str:
        inject = f"B-{self.burst_next}"
        self.burst_next += 1
        return inject

    def latencies(self, pool: ClientPool, sent: dict[int, float]) -> tuple[list[float], int]:
        answers = pool.ask({"cmd": "report"})
        values: list[float] = []
        for answer in answers:
            for seq, times in answer["times"].items():
                start = sent.get(int(seq))
                if start is not None:
                    values.extend(t - start for t in times)
        return values, max(a["size"] for a in answers)

    def resume_storm(self, pool: ClientPool) -> None:
        """1000 clients drop, miss ``missed`` events, and all resume at once."""
        count = self.args.storm
        processes = []
        have = 0
        for index, clients in enumerate(pool.sizes):
            if have >= count:
                break
            processes.append(index)
            have += clients
        pool.ask({"cmd": "drop"}, only=processes)
        seq = self.release([self.next_burst() for _ in range(self.args.missed)])
        t = time.time()
        pool_answers = pool.ask({"cmd": "connect", "parallel": 1000}, only=processes)
        answers = pool.ask({"cmd": "caught_up", "seq": seq, "timeout": 30}, only=processes)
        done = [a["done"] for a in answers]
        elapsed = max(done) - t if all(done) else float("inf")
        self.results["storm"] = {
            "clients": sum(a["connected"] for a in pool_answers),
            "missed": self.args.missed,
            "seconds": elapsed,
        }
        print(
            f"resume storm: {self.results['storm']['clients']} clients that missed "
            f"{self.args.missed} events each caught up in {elapsed:.2f} s"
        )

    # -- the baseline -----------------------------------------------------------------------

    def baseline(self, sizes: list[int], frame_size: int) -> None:
        port = free_port()
        command = [sys.executable, "-m", "scripts.bench_fanout", "baseline", "--port", str(port)]
        server = Server(command, {}, port)
        server.wait_ready(None)
        pool = ClientPool()
        url = f"ws://127.0.0.1:{port}/"
        try:
            have = 0
            first_seq = 1
            for size in sizes:
                before = server.rss()
                first_new = len(pool.processes)
                for chunk in split([url] * (size - have), self.args.per_process):
                    pool.spawn(chunk, f"http://127.0.0.1:{port}", self.directory)
                time.sleep(0.5)
                pool.ask({"cmd": "connect"}, only=list(range(first_new, len(pool.processes))))
                time.sleep(1.0)
                idle = (server.rss() - before) / 1024 / (size - have)
                have = size
                figures, got_size = asyncio.run(
                    self._baseline_bursts(pool, server, port, first_seq, frame_size)
                )
                first_seq += self.args.burst * self.args.bursts
                self.results[size]["baseline"] = figures | {
                    "cpu_per_message": figures["cpu_per_inject"],  # one message to everyone
                    "idle_kb_per_conn": idle,
                    "frame_bytes": got_size,
                }
                print(
                    f"baseline, {size} clients: bursts of {figures['deliveries_each']} "
                    f"deliveries: {figures['per_s']:,.0f}/s (median of {self.args.bursts}; "
                    f"{min(figures['runs']):,.0f}-{max(figures['runs']):,.0f}), "
                    f"frames of {got_size} bytes"
                )
        finally:
            pool.close()
            server.stop()

    async def _baseline_bursts(
        self, pool: ClientPool, server: Server, port: int, first: int, size: int
    ) -> tuple[dict[str, Any], int]:
        """The same bursts as ours, each by one message on a driver socket kept open (as
        ours are requests on a kept-alive HTTP connection)."""
        runs: list[float] = []
        deliveries, seconds, cpu_s, got_size = 0, 0.0, 0.0, 0
        async with ws_connect(f"ws://127.0.0.1:{port}/", compression=None) as ws:
            await ws.send(orjson.dumps({"type": "burst"}).decode())
            for _ in range(self.args.bursts):
                await asyncio.to_thread(pool.ask, {"cmd": "record"})
                cpu0, t = server.cpu(), time.time()
                command = {"count": self.args.burst, "first": first, "size": size}
                await ws.send(orjson.dumps(command).decode())
                await ws.recv()
                last = first + self.args.burst - 1
                ask = {"cmd": "caught_up", "seq": last, "timeout": 60}
                answers = await asyncio.to_thread(pool.ask, ask)
                end = max(a["done"] or time.time() for a in answers)
                cpu_s += server.cpu() - cpu0
                sent = dict.fromkeys(range(first, last + 1), t)
                values, got_size = await asyncio.to_thread(self.latencies, pool, sent)
                first = last + 1
                runs.append(len(values) / (end - t))
                deliveries += len(values)
                seconds += end - t
                await asyncio.sleep(0.3)
        return burst_figures(runs, deliveries, seconds, cpu_s, self.args), got_size

    # -- the report -------------------------------------------------------------------------

    def print_size(self, size: int) -> None:
        r = self.results[size]
        lat = r["steady"]["latency"]
        print(
            f"{size} clients: idle {r['idle_kb_per_conn']:.1f} KB/connection; "
            f"{self.args.rate}/s to one team: {len(lat)}/{r['steady']['expected']:.0f} deliveries, "
            f"p50 {ms(percentile(lat, 50))} p95 {ms(percentile(lat, 95))} "
            f"p99 {ms(percentile(lat, 99))} max {ms(max(lat))}, "
            f"CPU {r['steady']['cpu']:.0%}; one to all: "
            + ", ".join(ms(v) for v in r["one_to_all"])
            + f"; bursts: {r['burst']['per_s']:,.0f} deliveries/s (median of "
            f"{len(r['burst']['runs'])}; {min(r['burst']['runs']):,.0f}-"
            f"{max(r['burst']['runs']):,.0f}; CPU {r['burst']['cpu']:.0%})"
        )

    def report(self, sizes: list[int]) -> None:
        print("\n## Results\n")
        print("| clients | idle KB/conn | 10/s p50 | p95 | p99 | max | deliveries/s (steady) "
              "| server CPU | one inject to all (max of runs) | burst deliveries/s (median) "
              "| baseline deliveries/s (median) | ratio | baseline KB/conn |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for size in sizes:
            r = self.results[size]
            lat = r["steady"]["latency"]
            base = r.get("baseline", {})
            ratio = r["burst"]["per_s"] / base["per_s"] if base else float("nan")
            print(
                f"| {size} | {r['idle_kb_per_conn']:.1f} | {ms(percentile(lat, 50))} "
                f"| {ms(percentile(lat, 95))} | {ms(percentile(lat, 99))} | {ms(max(lat))} "
                f"| {r['steady']['per_s']:,.0f} | {r['steady']['cpu']:.0%} "
                f"| {ms(max(r['one_to_all']))} | {r['burst']['per_s']:,.0f} "
                f"| {base.get('per_s', float('nan')):,.0f} | {ratio:.2f} "
                f"| {base.get('idle_kb_per_conn', float('nan')):.1f} |"
            )
        print("\nServer CPU per released inject (ms) against the baseline's per message:\n")
        print("| clients | to one team (steady) | to all teams (burst) | baseline: one message "
              "to all | per delivery: ours | baseline |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for size in sizes:
            r = self.results[size]
            base = r.get("baseline", {})
            nan = float("nan")
            print(
                f"| {size} | {r['steady']['cpu_per_inject'] * 1e3:.2f} "
                f"| {r['burst']['cpu_per_inject'] * 1e3:.2f} "
                f"| {base.get('cpu_per_message', nan) * 1e3:.2f} "
                f"| {r['burst']['cpu_per_delivery'] * 1e6:.1f} us "
                f"| {base.get('cpu_per_delivery', nan) * 1e6:.1f} us |"
            )
        storm = self.results["storm"]
        print(
            f"\nResume storm: {storm['clients']} clients x {storm['missed']} missed events: "
            f"all caught up in {storm['seconds']:.2f} s"
        )
        Path(self.args.json).write_text(json.dumps(self.results, default=str, indent=1))
        print(f"raw figures: {self.args.json}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "role", nargs="?", default="driver", choices=["driver", "clients", "baseline"]
    )
    parser.add_argument("--clients", default="100,1000,5000", help="client counts, ascending")
    parser.add_argument("--rate", type=int, default=10, help="injects per second (steady)")
    parser.add_argument("--seconds", type=int, default=5, help="length of the steady run")
    parser.add_argument("--burst", type=int, default=20, help="injects to all in a burst")
    parser.add_argument("--bursts", type=int, default=5, help="bursts per size (median)")
    parser.add_argument("--warmup", type=int, default=10, help="injects to all before measuring")
    parser.add_argument("--repeat", type=int, default=5, help="single injects to all")
    parser.add_argument("--storm", type=int, default=1000, help="clients in the resume storm")
    parser.add_argument("--missed", type=int, default=50, help="events missed before it")
    parser.add_argument("--per-process", type=int, default=1250, help="sockets per client process")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--idle-only", action="store_true", help="only connect and measure idle memory"
    )
    parser.add_argument(
        "--ws", default="websockets-sansio", help="uvicorn's --ws implementation, to compare"
    )
    parser.add_argument("--json", default="/tmp/bench_fanout.json", help="raw figures file")
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "clients":
        _use_uvloop()
        asyncio.run(clients_main(json.loads(Path(args.urls).read_text()), args.origin))
    elif args.role == "baseline":
        _use_uvloop()
        asyncio.run(baseline_main(args))
    else:
        Driver(args).run()


if __name__ == "__main__":
    main()
