"""Scaled mode exactly as the README and the Procfile run it: ``uvicorn --workers N`` on one
port, on a real redis-server. Both workers take connections; nothing is duplicated or lost.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.redis_server import RedisServer
from tests.support.server import (
    ROOT,
    TEST_APP,
    Client,
    ClientFactory,
    LiveServer,
    Oracle,
    marked_scenario,
)

WORKERS = 2


def readme_command(port: int) -> list[str]:
    """The README's scaled-mode command, with 2 workers, this test's port and the test
    factory (``--app``: the same server with the ``/test/`` routes the test drives)."""
    section = (ROOT / "README.md").read_text().split("## Scaled mode", 1)[1]
    line = next(line for line in section.splitlines() if line.startswith("controlroom serve "))
    argv = shlex.split(line.split("#", 1)[0])
    assert "--workers" in argv, "the README runs several workers"
    argv[argv.index("--workers") + 1] = str(WORKERS)
    for option, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        argv[argv.index(option) + 1] = value
    return [sys.executable, "-m", "controlroom", *argv[1:], "--app", TEST_APP]


def procfile_command(port: int) -> list[str]:
    """The Procfile's web process as honcho runs it: a shell, ``PORT`` set (and
    ``WEB_CONCURRENCY``, the default of ``--workers``), with the test factory."""
    procfile = (ROOT / "Procfile").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    return ["sh", "-c", f"exec {web.removeprefix('web:').strip()} --app {TEST_APP}"]


class Workers(LiveServer):
    """One uvicorn supervisor and its worker processes, all on one port."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], how: str) -> None:
        super().__init__(data_dir, env)
        self.how = how
        bin_dir = str(Path(sys.executable).parent)
        self.env.update(
            PORT=str(self.port),
            WEB_CONCURRENCY=str(WORKERS),
            PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        )

    def command(self) -> list[str]:
        if self.how == "readme":
            return readme_command(self.port)
        return procfile_command(self.port)

    def workers(self) -> list[psutil.Process]:
        assert self.process is not None
        children: list[psutil.Process] = psutil.Process(self.process.pid).children()
        return [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]

    def connections(self) -> dict[int, int]:
        """Established connections on our port, per worker process."""
        return {
            worker.pid: sum(
                1
                for c in worker.net_connections(kind="tcp")
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port
            )
            for worker in self.workers()
        }

    def kill(self) -> None:
        if self.process is not None:
            for child in psutil.Process(self.process.pid).children():
                child.kill()
        super().kill()


@pytest.fixture(params=["readme", "procfile"])
def served(
    request: pytest.FixtureRequest, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Workers]:
    server = Workers(
        tmp_path / "data", {"CONTROLROOM_JOURNAL_URL": redis_server.url}, request.param
    )
    try:
        server.start()
        yield server
    finally:
        server.kill()


async def test_workers_on_one_port_share_the_load_and_duplicate_nothing(
    served: Workers, clients: ClientFactory
) -> None:
    assert len(served.workers()) == WORKERS
    scenario = marked_scenario(teams=2, roles=1, injects_per_team=4, scheduled=2)
    exercise = served.create_exercise(scenario)
    audiences = ["control", "observer", "team:t1", "team:t2", "actor:r0"]
    opened: list[Client] = []
    for n in range(40):  # until both workers hold sockets (the kernel picks who accepts)
        client = clients(served, exercise, audiences[n % len(audiences)])
        await client.connect()
        await client.until(lambda f: f["type"] == "live", timeout=10)
        opened.append(client)
        if n >= 9 and all(await asyncio.to_thread(lambda: served.connections().values())):
            break
    assert all(served.connections().values()), served.connections()

    director = served.session({"kind": "user", "role": "director", "name": "dana"})
    async with httpx.AsyncClient(cookies={"cr_session": director}, timeout=10) as http:
        for _ in range(4):  # new connections each time: pages from any worker
            page = await http.get(f"{served.url}/exercises/{exercise}/boards")
            assert page.status_code == 200

    served.run(exercise, ("startex", {"by": "d"}))
    for inject in [i["id"] for i in scenario["injects"] if i.get("trigger") == "manual"]:
        served.run(exercise, ("release_now", {"by": "d", "inject": inject}))
    served.run(exercise, ("set_speed", {"by": "d", "speed": 60}))  # two clocks race
    async with asyncio.timeout(15):
        while True:
            _, events = served.journal(exercise)
            released = Counter(
                e["data"]["inject"] for e in events if e["type"] == "inject.released"
            )
            if released["S-1"]:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # a second release, if there were one, would land now
    _, events = served.journal(exercise)
    released = Counter(e["data"]["inject"] for e in events if e["type"] == "inject.released")
    assert sorted(released) == sorted(i["id"] for i in scenario["injects"])
    assert set(released.values()) == {1}
    oracle = Oracle(scenario, events)
    for client in opened:
        await client.until_seq(oracle.seqs(client.audience)[-1], timeout=10)
        assert client.event_seqs() == oracle.seqs(client.audience)
