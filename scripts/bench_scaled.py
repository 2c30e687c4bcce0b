"""Scaled mode's cost: two workers on one Redis against one; docs/performance.md.

Run ``scripts/bench_scaled`` (it raises ``ulimit -n`` first). The driver starts a throwaway
``redis-server`` (a free port, its AOF in a temporary folder, ``appendfsync always`` as the
journal wants it), then twice the same load:

* **one worker**: the real server (as ``scripts/bench_fanout`` starts it, with the journal,
  sessions and presence in that Redis), ``--clients`` team devices (1000, 10 teams) on it;
* **two workers**: two such processes on the same Redis, half of the devices on each.

The load: ``--injects`` injects (100), each released to every team, ``--rate`` a second
(20); in the scaled run the releases go to the two workers in turn (any worker takes
commands; the other one follows the journal's stream). Printed: each worker's CPU seconds
during the load, divided by the deliveries to its own sockets (CPU per delivery), and the
ratio of each scaled worker's to the single worker's (target <= 1.15); and whether every
device got every inject exactly once (no duplicate, none missing), counted per device.

Roles of this module: ``driver`` (default), ``clients`` (a load generator).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis

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
    scenario,
    split,
)
from scripts.bench_many import machine

TARGET = 1.15
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class CountingClients(Clients):
    """Counts, per device, every event seq it gets while recording (duplicates included)."""

    def __init__(self, urls: list[str], origin: str) -> None:
        super().__init__(urls, origin)
        self.got: dict[int, list[int]] = {}

    def on_text(self, socket: LeanSocket, payload: bytes, now: float) -> None:
        if self.recording and payload.startswith(b'{"type":"event"'):
            seq = orjson.loads(payload)["seq"]
            self.got.setdefault(id(socket.device), []).append(seq)
        super().on_text(socket, payload, now)

    async def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        if command["cmd"] == "record":
            self.got = {}
        if command["cmd"] == "check":
            wanted = set(command["seqs"])
            duplicates = missing = 0
            for device in self.devices:
                seqs = [s for s in self.got.get(id(device), []) if s in wanted]
                duplicates += len(seqs) - len(set(seqs))
                missing += len(wanted - set(seqs))
            self.recording = False
            return {"devices": len(self.devices), "duplicates": duplicates, "missing": missing}
        return await super().handle(command)


class Pool(ClientPool):
    def spawn(self, urls: list[str], origin: str, directory: Path) -> None:
        path = directory / f"urls-{len(self.processes)}.json"
        path.write_text(json.dumps(urls))
        command = [sys.executable, "-m", "scripts.bench_scaled", "clients"]
        command += ["--urls", str(path), "--origin", origin]
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        )
        self.sizes.append(len(urls))


class Redis:
    """A throwaway redis-server on a free port (never the machine's 6379)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        directory.mkdir(parents=True)
        command = [
            REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", str(directory),
            "--logfile", str(directory / "redis.log"), "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)
        client.close()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Driver:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.directory = Path(tempfile.mkdtemp(prefix="bench-scaled-"))

    def run(self) -> None:
        print(machine())
        store = Redis(self.directory / "redis")
        try:
            single = self.phase(store, workers=1)
            scaled = self.phase(store, workers=2)
        finally:
            store.stop()
            shutil.rmtree(self.directory, ignore_errors=True)
        self.report(single, scaled)

    def start_worker(self, store: Redis, n: int) -> tuple[Server, str]:
        port = free_port()
        env = {
            "CONTROLROOM_JOURNAL_URL": store.url,
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_SECRET_KEY": SECRET,
            "CONTROLROOM_DATA_DIR": str(self.directory / f"data-{n}"),
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
        url = f"http://127.0.0.1:{port}"
        server.wait_ready(f"{url}/healthz")
        return server, url

    def phase(self, store: Redis, workers: int) -> dict[str, Any]:
        from controlroom.web.identify import make_test_token

        a = self.args
        servers = [self.start_worker(store, n) for n in range(workers)]
        https = [httpx.Client(base_url=url, timeout=60) for _, url in servers]
        pool = Pool()
        try:
            body = orjson.dumps({"scenario": scenario(0, a.injects + a.warmup)})
            exercise = https[0].post("/test/exercises", content=body).json()["exercise"]
            self.release(https[0], exercise, [], startex=True)
            for http in https[1:]:  # the other workers open it from the shared journal
                http.get(f"/test/exercises/{exercise}/journal?after=999999999").raise_for_status()
            per_worker: list[list[int]] = [[] for _ in servers]  # client processes per worker
            for w, (server, url) in enumerate(servers):
                urls = []
                for n in range(w, a.clients, workers):
                    data = {
                        "kind": "user",
                        "role": "team",
                        "team": f"t{n % TEAMS}",
                        "name": f"d{n}",
                    }
                    token = make_test_token(SECRET, data)
                    port = server.port
                    urls.append(f"ws://127.0.0.1:{port}/exercises/{exercise}/socket?token={token}")
                for chunk in split(urls, a.per_process):
                    per_worker[w].append(len(pool.processes))
                    pool.spawn(chunk, url, self.directory)
            time.sleep(0.5)
            pool.ask({"cmd": "connect"})
            burst = 0
            for _ in range(a.warmup):  # warm up, through each worker
                seq = self.release(https[burst % workers], exercise, [f"B-{burst}"])
                burst += 1
            pool.ask({"cmd": "caught_up", "seq": seq, "timeout": 60})
            time.sleep(0.5)
            pool.ask({"cmd": "record"})
            cpu0 = [server.cpu() for server, _ in servers]
            seqs = []
            wall0 = time.time()
            for n in range(a.injects):
                delay = wall0 + n / a.rate - time.time()
                if delay > 0:
                    time.sleep(delay)
                seqs.append(self.release(https[n % workers], exercise, [f"B-{burst}"]))
                burst += 1
            caught = pool.ask({"cmd": "caught_up", "seq": seqs[-1], "timeout": 60})
            seconds = max(c["done"] or time.time() for c in caught) - wall0
            time.sleep(0.5)  # receipts and their ``inject.delivered`` events settle
            cpu = [server.cpu() - c0 for (server, _), c0 in zip(servers, cpu0, strict=True)]
            checks = pool.ask({"cmd": "check", "seqs": seqs})
            result: dict[str, Any] = {"workers": [], "seconds": seconds}
            for w in range(workers):
                mine = [checks[i] for i in per_worker[w]]
                devices = sum(c["devices"] for c in mine)
                deliveries = devices * len(seqs)
                result["workers"].append(
                    {
                        "devices": devices,
                        "deliveries": deliveries,
                        "cpu_s": cpu[w],
                        "cpu_per_delivery": cpu[w] / max(1, deliveries),
                        "duplicates": sum(c["duplicates"] for c in mine),
                        "missing": sum(c["missing"] for c in mine),
                    }
                )
            return result
        finally:
            pool.close()
            for http in https:
                http.close()
            for server, _ in servers:
                server.stop()

    def release(
        self, http: httpx.Client, exercise: str, injects: list[str], *, startex: bool = False
    ) -> int:
        steps = [{"command": "startex", "args": {"by": "bench"}}] if startex else []
        steps += [{"command": "release_now", "args": {"by": "bench", "inject": i}} for i in injects]
        response = http.post(f"/test/exercises/{exercise}/commands", content=orjson.dumps(steps))
        response.raise_for_status()
        seq: int = response.json()["seq"]
        return seq

    def report(self, single: dict[str, Any], scaled: dict[str, Any]) -> None:
        a = self.args
        print(
            f"\n## {a.clients} team devices, {a.injects} injects to every team at {a.rate}/s, "
            f"one Redis; {machine()}\n"
        )
        base = single["workers"][0]["cpu_per_delivery"]
        print("| run | worker | devices | deliveries | CPU s | CPU per delivery "
              "| ratio to one worker | duplicates | missing |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        verdicts = []
        for name, run in (("one worker", single), ("two workers", scaled)):
            for w, r in enumerate(run["workers"], 1):
                ratio = r["cpu_per_delivery"] / base
                if run is scaled:
                    verdicts.append(ratio <= TARGET)
                print(
                    f"| {name} | {w} | {r['devices']} | {r['deliveries']} | {r['cpu_s']:.2f} "
                    f"| {r['cpu_per_delivery'] * 1e6:.1f} us | {ratio:.2f} "
                    f"| {r['duplicates']} | {r['missing']} |"
                )
        once = all(
            r["duplicates"] == 0 and r["missing"] == 0
            for run in (single, scaled)
            for r in run["workers"]
        )
        print(
            f"\nevery delivery exactly once: {'yes' if once else 'NO'}; CPU per delivery on "
            f"each scaled worker <= {TARGET}x one worker's: "
            f"{'met' if all(verdicts) else 'MISSED'}"
        )
        print(
            f"all delivered in {single['seconds']:.2f} s (one worker), "
            f"{scaled['seconds']:.2f} s (two workers)"
        )
        Path(a.json).write_text(json.dumps({"single": single, "scaled": scaled}))
        print(f"raw figures: {a.json}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", nargs="?", default="driver", choices=["driver", "clients"])
    parser.add_argument("--clients", type=int, default=1000, help="team devices in all")
    parser.add_argument("--injects", type=int, default=100, help="injects to every team")
    parser.add_argument("--rate", type=float, default=20, help="injects per second")
    parser.add_argument("--warmup", type=int, default=10, help="injects before measuring")
    parser.add_argument("--per-process", type=int, default=1250, help="sockets per client process")
    parser.add_argument("--json", default="/tmp/bench_scaled.json", help="raw figures file")
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "clients":
        _use_uvloop()
        urls = json.loads(Path(args.urls).read_text())
        asyncio.run(clients_main(urls, args.origin, CountingClients))
    else:
        Driver(args).run()


if __name__ == "__main__":
    main()
