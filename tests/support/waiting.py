"""Bounded waits for work done by other tasks or processes (never used to move a clock)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(predicate: Callable[[], bool], timeout: float = 3.0, step: float = 0.005) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(step)
