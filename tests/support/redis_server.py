"""A throwaway ``redis-server`` per test: the ``redis_server`` fixture.

It listens on a free port on 127.0.0.1 (never the machine's shared 6379) with the settings the
journal needs for durability (``appendonly yes``, ``appendfsync always``, no RDB snapshots),
keeps its AOF in the test's ``tmp_path`` and is killed at teardown. ``stop()``, ``start()``
and ``restart()`` keep the port and the directory, so the data comes back from the AOF: chaos
tests restart it under a live follower. They block for up to a few seconds; from async code
call them through ``asyncio.to_thread`` if the event loop must keep running meanwhile.

If ``/usr/bin/redis-server`` is missing the tests that need it are skipped, or fail when the
``CI`` environment variable is set.

``kill()`` is the crash (SIGKILL) instead of the orderly ``stop()``; ``kill_clients()`` closes
every client's connection and leaves the server running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_SERVER = Path("/usr/bin/redis-server")
START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process with a fixed port and data directory."""

    def __init__(self, directory: Path, port: int, binary: Path = REDIS_SERVER) -> None:
        self.directory = directory
        self.port = port
        self.binary = binary
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        return self.directory / "redis.log"

    def start(self) -> None:
        """Start the server and return once it answers PING (after loading its AOF)."""
        if self.process is not None:
            raise RuntimeError("redis-server is already running")
        # fmt: off
        command = [
            str(self.binary),
            "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "yes", "--appendfsync", "always",
            "--dir", str(self.directory), "--logfile", str(self.log),
            "--daemonize", "no",
        ]
        # fmt: on
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._pong():
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError(f"redis-server exited on start:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer in {START_TIMEOUT}s")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop the server (SIGTERM, so it flushes its AOF), killing it if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL: Redis dies at once (with ``appendfsync always`` the AOF has every write)."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()

    def kill_clients(self) -> int:
        """Close every client connection server-side (``CLIENT KILL TYPE normal``); returns
        how many. Call it from async code *without* ``to_thread``: the event loop then has
        not read the ends of its pooled connections when it sends the next command (as a
        busy worker after a restart)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=START_TIMEOUT) as s:
            s.sendall(b"CLIENT KILL TYPE normal SKIPME yes\r\n")
            reply = s.recv(64)
        if not reply.startswith(b":"):
            raise RuntimeError(f"CLIENT KILL answered {reply!r}")
        return int(reply[1:].split(b"\r\n", 1)[0])

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh, empty redis-server for this test only."""
    if not (REDIS_SERVER.is_file() and os.access(REDIS_SERVER, os.X_OK)):
        message = f"{REDIS_SERVER} is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("redis")
    server = RedisServer(directory, _free_port())
    for attempt in range(3):
        try:
            server.start()
            break
        except RuntimeError:
            if attempt == 2:
                raise
            server.port = _free_port()  # someone took the port between probe and bind
    try:
        yield server
    finally:
        server.stop()
