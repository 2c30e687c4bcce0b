"""Server-wide attempt limits: one bucket per process (embedded) or in Redis (scaled)."""

from __future__ import annotations

from controlroom.access.attempts import LocalAttempts, open_attempts
from tests.support.redis_server import RedisServer


async def test_the_local_bucket_refills_over_a_minute() -> None:
    clock = [0.0]
    attempts = LocalAttempts(3, lambda: clock[0])
    assert [await attempts.spend() for _ in range(4)] == [True, True, True, False]
    assert not await attempts.available()
    clock[0] += 20.0  # a third of a minute: one attempt back
    assert await attempts.available() and await attempts.spend()
    assert not await attempts.available()


async def test_workers_spend_from_one_bucket_in_redis(redis_server: RedisServer) -> None:
    workers = [open_attempts(redis_server.url, "join", 4, lambda: 0.0) for _ in range(3)]
    try:
        spent = [await workers[n % 3].spend() for n in range(6)]
        assert spent == [True, True, True, True, False, False]
        assert [await w.available() for w in workers] == [False, False, False]
        other = open_attempts(redis_server.url, "other", 4, lambda: 0.0)
        assert await other.available()  # another limit, another bucket
        await other.close()
    finally:
        for worker in workers:
            await worker.close()


async def test_embedded_mode_keeps_the_bucket_in_the_process() -> None:
    assert isinstance(open_attempts("memory://", "join", 4, lambda: 0.0), LocalAttempts)
