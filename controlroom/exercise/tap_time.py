"""When a device's action was taken: its age on arrival, made a time on the server's clock.

Design: docs/devices.md (the outbox: when a tap counts). A tablet keeps a tap made with the
wifi down and sends it after the reconnect, with its age (how long ago it was tapped,
measured on the device). Tablets' clocks are not trusted as absolute times: only the age is,
and the server turns it into a time of its own (its now minus the age), clamped:

* never in the future (a negative age counts as 0), never before ``MAX_AGE`` ago;
* never before what the device could have seen: the exercise's creation, the device's
  joining, and whatever the action answers (the release of the inject it acknowledges, the
  observation it corrects), given by the command as ``not_before``.

The event keeps the result as ``tapped_at`` (None: sent at once by an older page, or no age
given), next to the journal's own ``at`` (when the server received it). ``when`` is how the
fold and the pages read it back: never later than ``at``, whatever a journal holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from controlroom.exercise.state import ExerciseState

MAX_AGE = 24 * 3600.0  # seconds: a tap kept overnight (the laptop shut) still counts
SHOWN_AFTER = 5.0  # seconds between tap and arrival from which pages show both times


@dataclass(frozen=True, slots=True)
class Tap:
    """A device action as it arrived: the server's time then, and the age the device gave."""

    received: float  # server wall time, unix seconds
    age: float  # seconds since the tap, as the device measured it (any sign)


def tapped_at(
    state: ExerciseState, tap: Tap | None, device: str, *not_before: float | None
) -> float | None:
    """The time ``tap`` counts as taken, clamped (see the module); None without a tap."""
    if tap is None:
        return None
    floor = max(state.created_at, tap.received - MAX_AGE)
    joined = state.devices.get(device)
    if joined is not None:
        floor = max(floor, joined.joined_at)
    for bound in not_before:
        if bound is not None:
            floor = max(floor, bound)
    return min(tap.received, max(floor, tap.received - max(0.0, tap.age)))


class _Tapped(Protocol):
    @property
    def tapped_at(self) -> float | None: ...


def when(payload: _Tapped, at: float) -> float:
    """When the action of an event happened: its tap, never after ``at`` (its arrival)."""
    tapped = payload.tapped_at
    return at if tapped is None else min(tapped, at)


def noticeable(tapped: float | None, received: float) -> bool:
    """Whether a tap waited long enough on the device for pages to show both times."""
    return tapped is not None and received - tapped >= SHOWN_AFTER
