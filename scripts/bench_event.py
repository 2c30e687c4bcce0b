"""Cost of one released inject in one process: figures in docs/performance.md (not a test).

    .venv/bin/python -m scripts.bench_event 200 100    # 200 injects to all, 100 to one team

The real application (``create_test_app``, memory journal) with 10 sockets on each of the
10 teams' streams (English) on the fast path, each writing into a transport that keeps
nothing; every inject is released by its own ``POST /test/exercises/<id>/commands``
through httpx's in-process ASGI transport (the client's cost is included), or with
``--no-http`` by ``runtime.execute`` directly (the runtime and the hub alone). Prints the CPU
per inject to every team and to one team. For instruction counts, which do not depend on
the machine's load, run it under ``valgrind --tool=callgrind`` with two sizes and take
the difference (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from typing import Any

import httpx
import orjson

from controlroom.delivery.connection import Connection
from controlroom.exercise import commands
from scripts.bench_fanout import scenario

WARMUP = 10
SIZE = 300  # injects of each kind in the scenario, whatever is released


class _Transport:
    def write(self, data: bytes) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return (16384, 65536)


class _Conn:
    extensions: tuple[Any, ...] = ()  # no per-message deflate: the fast path is taken


class _Protocol:
    """What the fast path sees of uvicorn's ``websockets-sansio`` protocol."""

    def __init__(self) -> None:
        self.conn, self.transport, self.writable = _Conn(), _Transport(), asyncio.Event()
        self.writable.set()
        self.close_sent = self.disconnected = False

    async def send(self, message: Any) -> None:
        pass


async def run(to_all: int, to_one: int, per_team: int, http_route: bool) -> tuple[float, float]:
    from controlroom.web.testroutes import create_test_app

    app = create_test_app()
    async with app.router.lifespan_context(app) as state:
        lifespan: dict[str, Any] = dict(state or {})

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = dict(lifespan)
            await app(scope, receive, send)

        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            body = orjson.dumps({"scenario": scenario(SIZE + WARMUP, SIZE + WARMUP)})
            exercise = (await http.post("/test/exercises", content=body)).json()["exercise"]
            feed = lifespan["resources"].delivery.feed(exercise)
            for team in range(10):
                for _ in range(per_team):
                    connection = Connection(_Protocol().send, audience=f"team:t{team}")
                    feed.join(connection)
                    await connection.accept()
                    if connection._direct is None:
                        raise SystemExit("the sockets are not on the fast path")
                    await feed.resume(connection, None, 0)

            runtime = await lifespan["resources"].exercises.get(exercise)

            async def release(inject: str, command: str = "release_now") -> None:
                if not http_route and command == "release_now":  # the hub alone
                    await runtime.execute(lambda s: commands.release_now(s, "bench", inject))
                    return
                steps = [{"command": command, "args": {"by": "bench", "inject": inject}}]
                if command == "startex":
                    steps = [{"command": "startex", "args": {"by": "bench"}}]
                url = f"/test/exercises/{exercise}/commands"
                response = await http.post(url, content=orjson.dumps(steps))
                response.raise_for_status()

            await release("", "startex")
            for n in range(WARMUP):
                await release(f"B-{SIZE + n}")
                await release(f"S-{SIZE + n}")
            c0 = time.process_time()
            for n in range(to_all):
                await release(f"B-{n}")
            c1 = time.process_time()
            for n in range(to_one):
                await release(f"S-{n}")
            c2 = time.process_time()
            return (c1 - c0) / max(1, to_all), (c2 - c1) / max(1, to_one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("to_all", type=int, help=f"injects released to every team (<= {SIZE})")
    parser.add_argument("to_one", type=int, help=f"injects released to one team (<= {SIZE})")
    parser.add_argument("--per-team", type=int, default=10, help="sockets on each team stream")
    parser.add_argument(
        "--no-http", action="store_true", help="release by runtime.execute, not the test route"
    )
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="bench-event-")
    os.environ.update(
        {
            "CONTROLROOM_JOURNAL_URL": "memory://",
            "CONTROLROOM_TEST_TOKENS": "true",
            "CONTROLROOM_SECRET_KEY": "bench-event-" + "x" * 32,
            "CONTROLROOM_DATA_DIR": directory + "/data",
            "CONTROLROOM_INJECTS_DIR": directory + "/injects",
            "CONTROLROOM_RUN_CLOCK": "false",
            "CONTROLROOM_LOG_LEVEL": "warning",
        }
    )
    to_all, to_one = asyncio.run(run(args.to_all, args.to_one, args.per_team, not args.no_http))
    print(
        f"CPU per inject to every team: {to_all * 1e3:.3f} ms; to one team: {to_one * 1e3:.3f} ms"
    )


if __name__ == "__main__":
    main()
