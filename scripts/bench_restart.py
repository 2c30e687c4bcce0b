"""Restart benchmark: kill -9 with a week's journal, then serving again. See docs/performance.md.

``scripts/bench_restart`` writes a five-day journal of the sample exercise
(``scripts/week_journal.py``, 200,000 events by default) into a fresh data folder, starts the
real server on it (uvicorn, the embedded ``file://`` journal), connects one device socket per
team, kills the server with SIGKILL and starts it again, then measures:

* from the new process's start to ``/healthz`` answering (every exercise folded and served);
* from the start to every team's device having resumed where it was (``hello``, then its
  missed events, and nothing else: the socket's resume with its last seq and epoch);
* the same cold start again (``--runs``), to show the spread;
* the first start, before any restart: no snapshot yet, so the whole journal is folded
  (and a snapshot written): what a restart costs without one.

Printed with the journal's size and the target (3 s from kill -9 to every device able to
resume). The baseline in the same run: the time the same process needs to import the app
and answer ``/healthz`` with an empty data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import psutil
from websockets.asyncio.client import connect as ws_connect

from controlroom.web.identify import make_test_token
from scripts.week_journal import play

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-" + secrets.token_hex(16)  # at least 32 characters
TARGET = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait for ``/healthz``; returns the start time (monotonic)."""
        env = {
            **os.environ,
            "CONTROLROOM_DATA_DIR": str(self.data_dir),
            "CONTROLROOM_SECRET_KEY": SECRET,
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_INJECTS_DIR": str(ROOT / "injects"),
            "CONTROLROOM_HEARTBEAT_TIMEOUT": "600",  # the devices here send no heartbeats
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "controlroom.app:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--ws", "websockets-sansio",
            "--ws-ping-interval", "0", "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        started = time.monotonic()
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - the process keeps it
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        return started

    def wait_healthy(self, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).text == "ok":
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            assert self.process is not None and self.process.poll() is None, "server died"
            time.sleep(0.01)
        raise RuntimeError("the server did not answer /healthz")

    def cpu(self) -> float:
        assert self.process is not None
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None


async def resume_all(port: int, exercise: str, teams: list[str], seen: dict[str, int]) -> None:
    """Each team's device resumes from what it saw and reads up to the journal's end."""

    async def one(team: str) -> None:
        token = make_test_token(SECRET, {"kind": "user", "role": "team", "team": team})
        url = f"ws://127.0.0.1:{port}/exercises/{exercise}/socket?token={token}"
        origin = f"http://127.0.0.1:{port}"
        while True:
            try:
                async with ws_connect(url, origin=origin, max_size=None) as ws:  # type: ignore[arg-type]
                    hello = orjson.loads(await ws.recv())
                    epoch = hello["epoch"]
                    await ws.send(
                        orjson.dumps(
                            {"type": "resume", "epoch": epoch, "last_seq": seen[team]}
                        ).decode()
                    )
                    while True:  # the replay, then ``live``: the device is up to date
                        frame = orjson.loads(await ws.recv())
                        if frame.get("type") == "live":
                            return
            except (OSError, ConnectionError):
                await asyncio.sleep(0.01)

    await asyncio.gather(*(one(team) for team in teams))


def measure(
    server: Server, exercise: str, teams: list[str], last: int
) -> tuple[float, float, float]:
    """Kill -9, start again: seconds to /healthz and to every device resumed, and the CPU
    seconds the new server used until then (steadier than wall time on a shared machine)."""
    server.kill()
    started = server.start()
    healthy = server.wait_healthy() - started
    seen = dict.fromkeys(teams, max(0, last - 50))  # each device missed its last 50 events
    asyncio.run(resume_all(server.port, exercise, teams, seen))
    resumed = time.monotonic() - started
    return healthy, resumed, server.cpu()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the journal")
    parser.add_argument("--runs", type=int, default=3, help="kill -9 and restart this often")
    parser.add_argument(
        "--week", type=Path, help="copy this data folder (week_journal.py) instead of playing one"
    )
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-restart-"))
    try:
        empty = directory / "empty"
        empty.mkdir()
        baseline = Server(empty, free_port())
        base_start = baseline.start()
        base = baseline.wait_healthy() - base_start
        base_cpu = baseline.cpu()
        baseline.kill()

        data = directory / "week"
        made = time.perf_counter()
        if args.week is not None:  # a week written before (scripts/week_journal.py), copied
            shutil.copytree(args.week, data)
            journal = next((data / "exercises").glob("*/journal.jsonl"))
            exercise = journal.parent.name
            count = sum(1 for _ in journal.open("rb")) - 1  # the header is line 1
        else:
            data.mkdir()
            exercise, count = asyncio.run(play(data, args.events, seed=7))
            journal = data / "exercises" / exercise / "journal.jsonl"
        size_mb = journal.stat().st_size / 1e6
        print(f"journal: {count} events, {size_mb:.1f} MB ({time.perf_counter() - made:.0f} s)")
        server = Server(data, free_port())
        first = server.start()
        first = server.wait_healthy() - first  # no snapshot yet: the whole journal folded
        teams = ["valdoria", "ostland", "meridia", "tavria", "karskia", "zelenia"]
        rows = [measure(server, exercise, teams, count) for _ in range(args.runs)]
        server.kill()
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (2-core machine)")
        print(
            f"baseline: empty data folder to /healthz: {base:.2f} s (server CPU {base_cpu:.2f} s)"
        )
        print(f"first start (no snapshot: whole journal folded, snapshot written): {first:.2f} s")
        print("run  to /healthz  to every device resumed  server CPU  target  ratio to baseline")
        for n, (healthy, resumed, cpu) in enumerate(rows, 1):
            verdict = "met" if resumed <= TARGET else "MISSED"
            print(
                f"{n:>3}  {healthy:>9.2f} s  {resumed:>21.2f} s  {cpu:>8.2f} s  {TARGET:.0f} s "
                f"{verdict}  {resumed / base:>6.1f}x"
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
