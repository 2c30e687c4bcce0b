"""Per-connection limits: message rate and heartbeat jitter. Design: docs/delivery.md."""

from __future__ import annotations

import random
from collections.abc import Callable

JITTER = 0.2  # heartbeats are spread +-20% so thousands of sockets never ping in step


class RateLimit:
    """A token bucket: ``per_minute`` messages a minute, in bursts of at most ``per_minute``."""

    __slots__ = ("_now", "_stamp", "_tokens", "capacity", "rate")

    def __init__(self, per_minute: int, now: Callable[[], float]) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self._now = now
        self._tokens = self.capacity
        self._stamp = now()

    def allow(self) -> bool:
        """Take one token if there is one."""
        if not self.available():
            return False
        self._tokens -= 1.0
        return True

    def available(self) -> bool:
        """Whether a token is left, without taking it."""
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        return self._tokens >= 1.0


def jittered(seconds: float, rng: random.Random | None = None) -> float:
    """``seconds`` give or take 20%."""
    spread = (rng or random).uniform(-JITTER, JITTER)
    return seconds * (1.0 + spread)
