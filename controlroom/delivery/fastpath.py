"""The fast path: websocket frames written straight into uvicorn's transport.

Design: docs/delivery.md ("The fan-out never awaits a socket"). This is the ONE module that
knows uvicorn's protocol objects from the inside. At start-up ``FastPath.decide`` checks the
installed uvicorn and websockets against the versions this adapter was written and tested
for (``KNOWN``), the websocket implementation and per-message deflate, and the
``direct_writes`` setting, and logs which path it takes and why. A socket then gets a
``DirectSocket`` (``FastPath.socket``) or None: frames go through the ASGI ``send``, slower
but correct. A live-server test (tests/test_delivery_fastpath.py) fails if the fast path is
silently off under the server as it is run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol, cast

logger = logging.getLogger("controlroom.delivery")

# (first version known, first version not known yet): widen after checking the new one's
# protocol objects (the attribute names below) and running tests/test_delivery_fastpath.py
KNOWN: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "uvicorn": ((0, 34), (0, 60)),
    "websockets": ((14,), (18,)),
}
FAST_IMPLEMENTATIONS = frozenset({"websockets-sansio", "websockets"})


class _Transport(Protocol):
    def write(self, data: bytes) -> None: ...
    def abort(self) -> None: ...
    def get_write_buffer_size(self) -> int: ...
    def get_write_buffer_limits(self) -> tuple[int, int]: ...


class DirectSocket(Protocol):
    """What the fast path needs of the server's websocket protocol object."""

    transport: _Transport

    @property
    def open(self) -> bool: ...
    async def drain(self) -> None: ...


class _SansIO:
    """The fast path's view of uvicorn's ``websockets-sansio`` protocol object.

    Its ``ServerProtocol`` (``conn``) keeps no state about the data frames it sends, so
    complete frames written into the transport between its own writes (pongs, the close)
    are what ``conn.send_text`` would have written. ``writable`` is cleared while the
    transport is over its high-water mark (``pause_writing``) and set again below the low.
    """

    __slots__ = ("_protocol", "transport")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self.transport: _Transport = protocol.transport

    @property
    def open(self) -> bool:
        protocol = self._protocol
        return not (protocol.close_sent or protocol.disconnected or protocol.transport.is_closing())

    async def drain(self) -> None:
        await self._protocol.writable.wait()


def direct_socket(*channels: Callable[..., Any] | None) -> DirectSocket | None:
    """The websocket protocol behind ASGI ``send``/``receive``, if frames may be written to it.

    uvicorn hands the app bound methods of its protocol object (a wrapping middleware may
    replace ``send`` but ``receive`` usually passes through, so either may lead to it). Two
    are known: ``websockets-sansio`` (``conn``, a websockets ``ServerProtocol``, and a
    ``writable`` event) and the legacy ``websockets`` one (``write_frame_sync``, ``drain``).
    With per-message deflate each frame is compressed per socket: no fast path.
    """
    sansio = ("conn", "writable", "transport", "close_sent", "disconnected")
    legacy = ("write_frame_sync", "drain", "transport", "open", "extensions")
    for channel in channels:
        protocol = getattr(channel, "__self__", None)
        if protocol is None:
            continue
        if all(hasattr(protocol, name) for name in sansio):
            if getattr(protocol.conn, "extensions", True):
                return None
            return _SansIO(protocol)
        if all(hasattr(protocol, name) for name in legacy):
            if protocol.extensions:
                return None
            return cast(DirectSocket, protocol)
    return None


@dataclass(frozen=True, slots=True)
class FastPath:
    """Whether this process writes frames straight into the transport, and why (or why not)."""

    enabled: bool
    reason: str

    @classmethod
    def decide(
        cls,
        *,
        wanted: bool,
        implementation: str,
        deflate: bool,
        versions: Callable[[str], str | None] | None = None,
    ) -> FastPath:
        """Check the setting, the server's options and the installed versions; log the path."""
        decision = cls._decide(wanted, implementation, deflate, versions or installed_version)
        if decision.enabled:
            logger.info("websocket fast path: on (%s)", decision.reason)
        else:
            logger.warning(
                "websocket fast path: off (%s); frames go through ASGI send", decision.reason
            )
        return decision

    @classmethod
    def _decide(
        cls, wanted: bool, implementation: str, deflate: bool, versions: Callable[[str], str | None]
    ) -> FastPath:
        if not wanted:
            return cls(False, "CONTROLROOM_DIRECT_WRITES is off")
        if implementation not in FAST_IMPLEMENTATIONS:
            return cls(False, f"websocket implementation {implementation!r} is not a known one")
        if deflate:
            return cls(False, "per-message deflate is on: each frame is compressed per socket")
        found = []
        for package, (lowest, beyond) in KNOWN.items():
            version = versions(package)
            if version is None:
                return cls(False, f"{package} is not installed")
            number = parse_version(version)
            if not lowest <= number < beyond:
                return cls(False, f"{package} {version} is not a version this adapter knows")
            found.append(f"{package} {version}")
        return cls(True, ", ".join([*found, implementation]))

    def socket(self, *channels: Callable[..., Any] | None) -> DirectSocket | None:
        return direct_socket(*channels) if self.enabled else None


ALWAYS = FastPath(True, "not checked (unit tests)")


def installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def parse_version(version: str) -> tuple[int, ...]:
    """The leading numbers of a version ("0.54.0" -> (0, 54, 0), "17.4rc1" -> (17, 4))."""
    numbers = []
    for part in version.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(numbers)
