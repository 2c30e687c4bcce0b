"""A real Control Room server for tests: uvicorn in a subprocess on a free port.

``live_server`` (a factory fixture) starts ``uvicorn --factory controlroom.app:create_app``
with the production websocket settings (``--ws websockets``, per-message deflate off) and a
data folder of the test's own, waits for ``/healthz``, and kills every server it started at
teardown. ``kill()`` sends SIGKILL (the crash tests), ``restart()`` starts it again on the
same port and data folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, data_dir: Path, env: Mapping[str, str], port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = {
            **os.environ,
            "CONTROLROOM_DATA_DIR": str(data_dir),
            "CONTROLROOM_INJECTS_DIR": str(ROOT / "injects"),
            "CONTROLROOM_SECRET_KEY": "test-secret-key-not-for-production",
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

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("server already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # fmt: off
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "controlroom.app:create_app",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--ws", "websockets", "--ws-per-message-deflate", "false", "--ws-max-size", "65536",
            "--log-level", "warning", "--no-access-log",
        ]
        # fmt: on
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start in {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the crash that fsync has to survive."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


LiveServerFactory = Callable[..., LiveServer]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServerFactory]:
    """``live_server(env={...}, data_dir=..., port=...)`` -> a started LiveServer."""
    started: list[LiveServer] = []

    def start(
        env: Mapping[str, str] | None = None, data_dir: Path | None = None, port: int | None = None
    ) -> LiveServer:
        server = LiveServer(data_dir or tmp_path / f"data{len(started)}", env or {}, port)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.kill()
