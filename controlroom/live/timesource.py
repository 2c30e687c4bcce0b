"""Where wall time comes from: the system clock, or one driven by hand. Design: docs/clock.md.

Nothing in Control Room calls ``time.time()`` or sleeps on its own: it asks a time source,
so the clock's behaviour (holds, speed, catch-up after a restart) is tested by moving time
by hand instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol


class TimeSource(Protocol):
    def now(self) -> float:
        """Wall time, unix seconds."""

    async def wait_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        """Return once ``now() >= deadline`` or ``wake`` is set (``deadline=None``: only wake)."""


class SystemTime:
    def now(self) -> float:
        return time.time()

    async def wait_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        timeout = None if deadline is None else max(0.0, deadline - self.now())
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that
        # arrives as ``wake`` is set, and a clock stopped at that moment would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await wake.wait()


class ManualTime:
    """A time source that only moves when told to (``advance``, ``set``)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._tick = asyncio.Event()

    def now(self) -> float:
        return self._now

    async def advance(self, seconds: float) -> None:
        await self.set(self._now + seconds)

    async def set(self, wall: float) -> None:
        self._now = wall
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        for _ in range(5):  # let woken waiters run before the caller carries on
            await asyncio.sleep(0)

    async def wait_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        while not wake.is_set() and (deadline is None or self._now < deadline):
            waiters = {asyncio.ensure_future(self._tick.wait()), asyncio.ensure_future(wake.wait())}
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
