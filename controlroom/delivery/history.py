"""Per-stream history for resume, and how a resume is answered. Design: docs/delivery.md.

The resume protocol is in docs/protocol.md. A ``History`` holds the encoded frames
of one stream (an audience in a language) in seq order, at most ``limit`` of them. Its
``floor`` is the seq up to which frames may be missing (dropped to stay in bounds, or
older than this process): a client that last saw ``seq >= floor`` can be replayed exactly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from controlroom.delivery.frames import from_wire, to_wire


class Frame:
    """One event frame of a stream, as websocket bytes, and the injects to confirm receiving.

    A frame may be made ``later``: rendered the first time it is needed (a stream nobody
    follows right now is only rendered if someone resumes it), then kept.
    """

    __slots__ = ("_make", "_wire", "receipt", "seq")

    def __init__(
        self,
        seq: int,
        wire: bytes | None = None,
        receipt: tuple[str, ...] = (),
        make: Callable[[], str] | None = None,
    ) -> None:
        if (wire is None) == (make is None):
            raise ValueError("a frame has its bytes or a way to make them")
        self.seq = seq
        self.receipt = receipt
        self._wire = wire
        self._make = make

    @classmethod
    def of(cls, seq: int, text: str, receipt: tuple[str, ...] = ()) -> Frame:
        return cls(seq, to_wire(text), receipt)

    @classmethod
    def later(cls, seq: int, make: Callable[[], str], receipt: tuple[str, ...] = ()) -> Frame:
        return cls(seq, None, receipt, make)

    @property
    def wire(self) -> bytes:
        """A complete websocket text frame (frames.to_wire)."""
        if self._wire is None:
            assert self._make is not None
            self._wire, self._make = to_wire(self._make()), None
        return self._wire

    @property
    def rendered(self) -> bool:
        return self._wire is not None

    @property
    def text(self) -> str:
        return from_wire(self.wire)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return (self.seq, self.wire, self.receipt) == (other.seq, other.wire, other.receipt)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Frame({self.seq}, receipt={self.receipt!r})"


class History:
    def __init__(self, limit: int, floor: int = 0) -> None:
        if limit < 1:
            raise ValueError("a history keeps at least one frame")
        self.limit = limit
        self.floor = floor
        self._frames: deque[Frame] = deque()

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def last_seq(self) -> int:
        return self._frames[-1].seq if self._frames else self.floor

    def append(self, frame: Frame) -> None:
        if frame.seq <= self.last_seq:
            raise ValueError(f"frame {frame.seq} after {self.last_seq}: history is in seq order")
        self._frames.append(frame)
        while len(self._frames) > self.limit:
            self.floor = self._frames.popleft().seq

    def extend_before(self, frames: Iterable[Frame], floor: int) -> None:
        """Put older ``frames`` (all below the current ones) in front: a backfill."""
        older = [f for f in frames if not self._frames or f.seq < self._frames[0].seq]
        self._frames.extendleft(reversed(older))
        self.floor = floor
        while len(self._frames) > self.limit:
            self.floor = self._frames.popleft().seq

    def after(self, seq: int) -> list[Frame] | None:
        """Every frame with a seq above ``seq``, in order; None if some may be gone."""
        if seq < self.floor:
            return None
        newer: list[Frame] = []
        for frame in reversed(self._frames):
            if frame.seq <= seq:
                break
            newer.append(frame)
        newer.reverse()
        return newer


@dataclass(frozen=True, slots=True)
class Replay:
    frames: list[Frame]


@dataclass(frozen=True, slots=True)
class Reload:
    reason: str  # "epoch" | "future" | "too-old"


def plan_resume(
    history: History, epoch: str, current_seq: int, client_epoch: str | None, last_seq: int
) -> Replay | Reload:
    """How to answer ``resume``: replay what the client missed, or make it reload.

    A fresh client (no epoch, ``last_seq`` 0) is replayed from the start when the history
    still holds it. Any other epoch than the journal's, a ``last_seq`` beyond the journal's
    last event, or one older than the history's floor means reload: the client then gets
    its whole current view instead. Either way it only ever gets its own stream's frames.
    """
    if client_epoch is None:
        if last_seq != 0:
            return Reload("epoch")
    elif client_epoch != epoch:
        return Reload("epoch")
    if last_seq > current_seq:
        return Reload("future")
    frames = history.after(last_seq)
    if frames is None:
        return Reload("too-old")
    return Replay(frames)
