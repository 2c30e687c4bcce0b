"""Many exercises on one server; figures and the command: docs/performance.md.

Run ``scripts/bench_many`` (it raises ``ulimit -n`` first). The driver starts the real server
(as ``scripts/bench_fanout`` does: uvicorn ``websockets-sansio``, memory journal, test
tokens), creates ``--exercises`` exercises (20) of 10 teams each and connects ``--devices``
team devices to each (250: 5000 sockets in all), then measures:

* **idle memory**: the server's RSS growth while the sockets connect and idle, per socket;
* **mixed load**: ``--rate`` commands a second (20) for ``--seconds`` (10), spread round
  robin over the exercises, in turn an inject released to one team, a team's
  acknowledgement of an earlier one and a team's request to the SimCell: the latency of
  every frame a device gets for them, from just before the command is sent to the moment
  a load-generator process has the frame (p50, p95, p99, max), and the server's CPU.

The **baseline**, in the same run: a minimal server on the bare ``websockets`` library
(uvloop, ``broadcast()``) with the same sockets in the same groups (one per exercise and
team), sent the same schedule: each command becomes one frame of our frames' size
broadcast to the sockets of its exercise and team. Our p99 is printed against its p99, and
our memory per idle socket against its.

Roles of this module: ``driver`` (default), ``clients`` (a load generator), ``baseline``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.sync.client import connect as sync_connect

from scripts.bench_fanout import (
    ROOT,
    SECRET,
    TEAMS,
    ClientPool,
    Clients,
    LeanSocket,
    Server,
    _use_uvloop,
    clients_main,
    free_port,
    ms,
    percentile,
    scenario,
    split,
)

KINDS = ("release", "acknowledge", "request")


def machine() -> str:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"load average {load}; {os.cpu_count()} CPUs"


def exercise_of(url: str) -> str:
    """The exercise segment of a device's socket URL (``/exercises/<id>/...``)."""
    return url.split("/exercises/", 1)[1].split("/", 1)[0]


class ManyClients(Clients):
    """Records each frame under ``<exercise>:<seq>`` (every exercise counts from 1)."""

    def __init__(self, urls: list[str], origin: str) -> None:
        super().__init__(urls, origin)
        self.exercises = {d.url: exercise_of(d.url) for d in self.devices}

    def on_text(self, socket: LeanSocket, payload: bytes, now: float) -> None:
        if self.recording and payload.startswith(b'{"type":"event"'):
            frame = orjson.loads(payload)
            key = f"{self.exercises[socket.device.url]}:{frame['seq']}"
            self.times.setdefault(key, []).append(now)  # type: ignore[arg-type]
            self.size = len(payload)
            socket.device.last_seq, socket.device.epoch = frame["seq"], frame["epoch"]
            return
        super().on_text(socket, payload, now)


class Pool(ClientPool):
    """Load generators running this module's ``clients`` role."""

    def spawn(self, urls: list[str], origin: str, directory: Path) -> None:
        path = directory / f"urls-{len(self.processes)}.json"
        path.write_text(json.dumps(urls))
        command = [sys.executable, "-m", "scripts.bench_many", "clients"]
        command += ["--urls", str(path), "--origin", origin]
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        )
        self.sizes.append(len(urls))

    def times(self) -> tuple[dict[str, list[float]], int]:
        """Every frame's arrival times by ``<exercise>:<seq>``, and the frames' size."""
        merged: dict[str, list[float]] = {}
        size = 0
        for answer in self.ask({"cmd": "report"}):
            size = max(size, answer["size"])
            for key, values in answer["times"].items():
                merged.setdefault(key, []).extend(values)
        return merged, size


# -- the baseline: bare websockets, one group per exercise and team ----------------------------


async def baseline_main(port: int) -> None:
    groups: dict[str, set[ServerConnection]] = {}

    async def handler(ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        if path == "/driver":
            async for message in ws:
                command = orjson.loads(message)
                frame = {"type": "event", "epoch": "e" * 32, "seq": command["seq"], "content": ""}
                frame["content"] = "x" * max(0, command["size"] - len(orjson.dumps(frame)))
                broadcast(groups.get(command["group"], set()), orjson.dumps(frame).decode())
                await ws.send("ok")
            return
        group = groups.setdefault(path.partition("?")[0], set())
        await ws.recv()  # the device's resume
        group.add(ws)
        try:
            await ws.send(orjson.dumps({"type": "live", "seq": 0}).decode())
            await ws.wait_closed()
        finally:
            group.discard(ws)

    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, max_size=2**20
    ):
        await asyncio.Future()


# -- the driver --------------------------------------------------------------------------------


class Driver:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.directory = Path(tempfile.mkdtemp(prefix="bench-many-"))
        self.results: dict[str, Any] = {}
        # the schedule: (exercise index, kind, team), the same for ours and the baseline
        count = args.rate * args.seconds
        self.schedule = [
            (n % args.exercises, KINDS[(n // args.exercises) % 3], f"t{(n * 7) % TEAMS}")
            for n in range(count)
        ]

    def run(self) -> None:
        print(machine())
        ours = self.ours()
        base = self.baseline(ours["frame_bytes"])
        self.report(ours, base)

    def ours(self) -> dict[str, Any]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            "CONTROLROOM_JOURNAL_URL": "memory://",
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_SECRET_KEY": SECRET,
            "CONTROLROOM_DATA_DIR": str(self.directory / "data"),
            "CONTROLROOM_INJECTS_DIR": str(self.directory / "injects"),
            "CONTROLROOM_RUN_CLOCK": "false",
            "CONTROLROOM_BACKLOG": "8192",
            "CONTROLROOM_LOG_LEVEL": "warning",
            "CONTROLROOM_ACCESS_LOG": "false",
        }
        command = [
            sys.executable, "-m", "controlroom", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--app", "controlroom.web.testroutes:create_test_app",
        ]  # fmt: skip
        server = Server(command, env, port)
        server.wait_ready(f"{url}/healthz")
        http = httpx.Client(base_url=url, timeout=60)
        pool = Pool()
        try:
            per = len(self.schedule) // self.args.exercises + 25  # releases, at most
            body = orjson.dumps({"scenario": scenario(per * TEAMS, 0)})
            exercises = []
            for _ in range(self.args.exercises):
                exercise = http.post("/test/exercises", content=body).json()["exercise"]
                self.command(http, exercise, "startex", by="bench")
                exercises.append(exercise)
            urls = []
            for n in range(self.args.exercises * self.args.devices):
                exercise = exercises[n % self.args.exercises]
                team = f"t{(n // self.args.exercises) % TEAMS}"
                token = self.token(team, n)
                urls.append(f"ws://127.0.0.1:{port}/exercises/{exercise}/socket?token={token}")
            idle = self.connect(pool, server, urls, url)
            # the load: ``released`` remembers what each exercise released to whom (acks)
            next_inject = [0] * self.args.exercises
            released: list[list[tuple[str, str]]] = [[] for _ in exercises]

            def send(index: int, kind: str, team: str) -> int:
                exercise = exercises[index]
                if kind == "acknowledge" and released[index]:
                    inject, team = released[index].pop(0)
                    return self.command(
                        http, exercise, kind, inject=inject, team=team, device="bench"
                    )
                if kind == "request":
                    return self.command(
                        http, exercise, "send_request", team=team, device="bench", kind=None,
                        text="We need an interpreter for Dari at the station.",
                    )  # fmt: skip
                inject = f"S-{next_inject[index] * TEAMS + int(team[1:])}"
                next_inject[index] += 1
                seq = self.command(http, exercise, "release_now", by="bench", inject=inject)
                released[index].append((inject, team))
                return seq

            for n in range(min(20, len(self.schedule))):  # warm up
                send(n % self.args.exercises, "release", f"t{n % TEAMS}")
            time.sleep(0.5)
            result = self.load(
                pool, server, lambda e, kind, team: f"{exercises[e]}:{send(e, kind, team)}"
            )
            result["idle_kb"] = idle
            result["rss_mb"] = server.rss() / 2**20
            return result
        finally:
            pool.close()
            http.close()
            server.stop()

    def token(self, team: str, n: int) -> str:
        from controlroom.web.identify import make_test_token

        data = {"kind": "user", "role": "team", "team": team, "name": f"d{n}"}
        return make_test_token(SECRET, data)

    def command(self, http: httpx.Client, exercise: str, name: str, **args: Any) -> int:
        steps = [{"command": name, "args": args}]
        response = http.post(f"/test/exercises/{exercise}/commands", content=orjson.dumps(steps))
        response.raise_for_status()
        seq: int = response.json()["seq"]
        return seq

    def connect(self, pool: Pool, server: Server, urls: list[str], origin: str) -> float:
        before = server.rss()
        for chunk in split(urls, self.args.per_process):
            pool.spawn(chunk, origin, self.directory)
        time.sleep(0.5)
        start = time.time()
        answers = pool.ask({"cmd": "connect"})
        print(
            f"{sum(a['connected'] for a in answers)} sockets connected in "
            f"{time.time() - start:.1f} s ({len(pool.processes)} client processes)"
        )
        time.sleep(1.0)
        return (server.rss() - before) / 1024 / len(urls)

    def load(self, pool: Pool, server: Server, send: Any) -> dict[str, Any]:
        """Run the schedule at the rate; every frame's latency from its command's send."""
        idle0, t0 = server.cpu(), time.time()
        time.sleep(2.0)  # the idle sockets' own cost (heartbeats both ways), to subtract
        idle = (server.cpu() - idle0) / (time.time() - t0)
        pool.ask({"cmd": "record"})
        sent: dict[str, tuple[float, str]] = {}
        period = 1.0 / self.args.rate
        cpu0, wall0 = server.cpu(), time.time()
        for n, (index, kind, team) in enumerate(self.schedule):
            delay = wall0 + n * period - time.time()
            if delay > 0:
                time.sleep(delay)
            t = time.time()
            sent[send(index, kind, team)] = (t, kind)
        time.sleep(1.0)
        cpu = server.cpu() - cpu0
        busy = max(0.0, cpu - idle * (time.time() - wall0))
        latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        times, frame = pool.times()
        for key, (t, kind) in sent.items():
            latencies[kind].extend(v - t for v in times.get(key, []))
        every = [v for values in latencies.values() for v in values]
        return {
            "latency": every,
            "by_kind": {k: len(v) for k, v in latencies.items()},
            "cpu_s": cpu,
            "cpu_per_command": cpu / len(self.schedule),
            "idle_cpu": idle,  # CPU seconds per second with nothing but idle sockets
            "cpu_per_command_net": busy / len(self.schedule),  # the idle share taken out
            "cpu_per_delivery": cpu / max(1, len(every)),
            "frame_bytes": frame,
        }

    def baseline(self, frame_bytes: int) -> dict[str, Any]:
        port = free_port()
        command = [sys.executable, "-m", "scripts.bench_many", "baseline", "--port", str(port)]
        server = Server(command, {}, port)
        server.wait_ready(None)
        pool = Pool()
        try:
            urls = [
                f"ws://127.0.0.1:{port}/exercises/ex{n % self.args.exercises}/"
                f"t{(n // self.args.exercises) % TEAMS}"
                for n in range(self.args.exercises * self.args.devices)
            ]
            idle = self.connect(pool, server, urls, f"http://127.0.0.1:{port}")
            seqs = [0] * self.args.exercises
            with sync_connect(f"ws://127.0.0.1:{port}/driver", compression=None) as ws:

                def send(index: int, kind: str, team: str) -> str:
                    seqs[index] += 1
                    group = f"/exercises/ex{index}/{team}"
                    command = {"group": group, "seq": seqs[index], "size": frame_bytes}
                    ws.send(orjson.dumps(command).decode())
                    ws.recv()
                    return f"ex{index}:{seqs[index]}"

                result = self.load(pool, server, send)
            result["idle_kb"] = idle
            return result
        finally:
            pool.close()
            server.stop()

    def report(self, ours: dict[str, Any], base: dict[str, Any]) -> None:
        lat, blat = ours["latency"], base["latency"]
        a = self.args
        print(
            f"\n## {a.exercises} exercises x {a.devices} devices, {a.rate} commands/s for "
            f"{a.seconds} s (releases, acknowledgements, requests); {machine()}\n"
        )
        print("| server | deliveries | p50 | p95 | p99 | max | CPU per command "
              "| without the idle sockets' share | idle CPU | CPU per delivery "
              "| KB per idle socket |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, r in (("ours", ours), ("bare websockets", base)):
            v = r["latency"]
            if not v:
                print(f"| {name} | 0 | - | - | - | - | - | - | - | - | {r['idle_kb']:.1f} |")
                continue
            print(
                f"| {name} | {len(v)} | {ms(percentile(v, 50))} | {ms(percentile(v, 95))} "
                f"| {ms(percentile(v, 99))} | {ms(max(v))} | {r['cpu_per_command'] * 1e3:.2f} ms "
                f"| {r['cpu_per_command_net'] * 1e3:.2f} ms | {r['idle_cpu']:.0%} "
                f"| {r['cpu_per_delivery'] * 1e6:.0f} us | {r['idle_kb']:.1f} |"
            )
        print(f"\nour deliveries by command: {ours['by_kind']} (frames of {ours['frame_bytes']} B)")
        if lat and blat:
            p99, bp99 = percentile(lat, 99), percentile(blat, 99)
            print(
                f"p99: ours {ms(p99)}, bare server {ms(bp99)} in the same run: ratio "
                f"{p99 / bp99:.2f}; target p99 <= 50 ms: {'met' if p99 <= 0.05 else 'MISSED'}"
            )
        print(
            f"memory per idle socket: ours {ours['idle_kb']:.1f} KB, bare "
            f"{base['idle_kb']:.1f} KB; target <= 30 KB: "
            f"{'met' if ours['idle_kb'] <= 30 else 'MISSED'}"
        )
        Path(a.json).write_text(json.dumps({"ours": ours, "baseline": base}, default=str))
        print(f"raw figures: {a.json}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "role", nargs="?", default="driver", choices=["driver", "clients", "baseline"]
    )
    parser.add_argument("--exercises", type=int, default=20, help="exercises on the server")
    parser.add_argument("--devices", type=int, default=250, help="team devices per exercise")
    parser.add_argument("--rate", type=int, default=20, help="commands per second, all exercises")
    parser.add_argument("--seconds", type=int, default=10, help="length of the mixed load")
    parser.add_argument("--per-process", type=int, default=1250, help="sockets per client process")
    parser.add_argument("--json", default="/tmp/bench_many.json", help="raw figures file")
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "clients":
        _use_uvloop()
        urls = json.loads(Path(args.urls).read_text())
        asyncio.run(clients_main(urls, args.origin, ManyClients))
    elif args.role == "baseline":
        _use_uvloop()
        asyncio.run(baseline_main(args.port))
    else:
        Driver(args).run()


if __name__ == "__main__":
    main()
