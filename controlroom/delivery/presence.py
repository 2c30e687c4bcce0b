"""Which devices are online: a live socket to some worker. Design: docs/delivery.md.

Presence is not an event: a tablet dropping off the wifi for a minute is not part of the
exercise's record, so it is never journaled. Each worker counts the devices that have a
live (resumed) socket to it (``local``); in scaled mode the other workers' devices arrive
through Redis (``elsewhere``, set by ``shared_presence.SharedPresence``), and ``online`` is
both. A change of ``online`` is reported, coalesced over ``delay`` seconds so that a room of
tablets reconnecting after a wifi drop makes one update, not one per socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

COALESCE_SECONDS = 0.2


class Presence:
    """Live sockets per device here, the devices online elsewhere, and change reports."""

    def __init__(self, changed: Callable[[], None], delay: float = COALESCE_SECONDS) -> None:
        self._changed = changed
        self._delay = delay
        self._sockets: dict[str, int] = {}
        self._elsewhere: frozenset[str] = frozenset()
        self._online: tuple[int, frozenset[str]] = (0, frozenset())
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.version = 0  # grows with every change of the set of online devices
        self.moved: Callable[[], None] | None = None  # called when ``local`` changes

    def online(self) -> frozenset[str]:
        """Devices with a live socket to this worker or, in scaled mode, to another one."""
        version, devices = self._online
        if version != self.version:
            devices = frozenset(self._sockets) | self._elsewhere
            self._online = (self.version, devices)
        return devices

    def local(self) -> frozenset[str]:
        """Devices with a live socket to this worker."""
        return frozenset(self._sockets)

    def arrived(self, device: str) -> None:
        count = self._sockets.get(device, 0)
        self._sockets[device] = count + 1
        if count == 0:
            self._moved(device)

    def left(self, device: str) -> None:
        count = self._sockets.get(device, 0)
        if count <= 1:
            if self._sockets.pop(device, None) is not None:
                self._moved(device)
        else:
            self._sockets[device] = count - 1

    def elsewhere(self, devices: frozenset[str]) -> None:
        """The devices other workers report online (scaled mode)."""
        if devices == self._elsewhere:
            return
        flipped = devices ^ self._elsewhere
        self._elsewhere = devices
        if any(device not in self._sockets for device in flipped):
            self._change()

    def _moved(self, device: str) -> None:
        if self.moved is not None:
            self.moved()
        if device not in self._elsewhere:
            self._change()

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
        self.moved = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
