"""Which devices are online: a live socket to this worker. Design: docs/delivery.md.

Presence is not an event: a tablet dropping off the wifi for a minute is not part of the
exercise's record, so it is never journaled. Each worker counts the devices that have a
live (resumed) socket to it; a change is reported, coalesced over ``delay`` seconds so that
a room of tablets reconnecting after a wifi drop makes one update, not one per socket.
With several workers each knows only its own sockets (docs/delivery.md, "Presence").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

COALESCE_SECONDS = 0.2


class Presence:
    """Live sockets per device, and a callback when the set of online devices changes."""

    def __init__(self, changed: Callable[[], None], delay: float = COALESCE_SECONDS) -> None:
        self._changed = changed
        self._delay = delay
        self._sockets: dict[str, int] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.version = 0  # grows with every change of the set of online devices

    def online(self) -> frozenset[str]:
        return frozenset(self._sockets)

    def arrived(self, device: str) -> None:
        count = self._sockets.get(device, 0)
        self._sockets[device] = count + 1
        if count == 0:
            self._change()

    def left(self, device: str) -> None:
        count = self._sockets.get(device, 0)
        if count <= 1:
            if self._sockets.pop(device, None) is not None:
                self._change()
        else:
            self._sockets[device] = count - 1

    def _change(self) -> None:
        self.version += 1
        if self._timer is None and not self._closed:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._report)

    def _report(self) -> None:
        self._timer = None
        self._changed()

    def close(self) -> None:
        """No more reports (the feed is closing; its sockets leave without telling anyone)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
