"""Actor safety in the fold: STOP, "call control", a controller's "seen", the auto-hold.

Design: docs/exercise.md (actor safety). An actor's tablet has an always-visible STOP button
(the scene stops at once: the role notes' safety word) and a "call control" button. Each is
a ``safety.stop`` / ``safety.call`` event; every console shows it as a blocking alert until
a controller marks it seen (``safety.seen``), and the actor then sees who saw it. With the
auto-hold on (``safety.autohold``, the director's toggle), a STOP also holds the unreleased
injects of the case the actor was playing, for the teams it goes to: the command lists
those holds in the event (``holds``), so the fold only applies what was decided.

The commands are in ``controlroom.exercise.safety_commands``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from controlroom.exercise.events import EventType
from controlroom.journal import Event

if TYPE_CHECKING:
    from controlroom.exercise.state import ExerciseState

SafetyKind = Literal["stop", "call"]


@dataclass(slots=True)
class SafetyAlert:
    """One STOP or call from an actor's tablet, and who at control saw it."""

    id: str
    kind: SafetyKind
    role: str
    device: str
    at: float
    seq: int
    cue: str | None = None
    teams: tuple[str, ...] = ()
    holds: tuple[tuple[str, str], ...] = ()  # (inject, team) held by the auto-hold
    seen_by: str | None = None
    seen_name: str | None = None
    seen_at: float | None = None


def _alert(kind: SafetyKind) -> Callable[[ExerciseState, Event], None]:
    def apply(state: ExerciseState, event: Event) -> None:
        data = event.data
        holds = tuple((str(i), str(t)) for i, t in data.get("holds") or ())
        state.safety[data["alert"]] = SafetyAlert(
            id=data["alert"],
            kind=kind,
            role=data["role"],
            device=data.get("device", ""),
            at=event.at,
            seq=event.seq,
            cue=data.get("cue"),
            teams=tuple(data.get("teams") or ()),
            holds=holds,
        )
        for inject, team in holds:
            release = state.releases.get((inject, team))
            if release is not None and release.released_at is None:
                release.held = True

    return apply


def _seen(state: ExerciseState, event: Event) -> None:
    alert = state.safety[event.data["alert"]]
    alert.seen_by, alert.seen_at = event.data["by"], event.at
    alert.seen_name = event.data.get("name") or event.data["by"]


def _autohold(state: ExerciseState, event: Event) -> None:
    state.safety_autohold = bool(event.data["enabled"])


HANDLERS: dict[str, Callable[[ExerciseState, Event], None]] = {
    EventType.SAFETY_STOP: _alert("stop"),
    EventType.SAFETY_CALL: _alert("call"),
    EventType.SAFETY_SEEN: _seen,
    EventType.SAFETY_AUTOHOLD: _autohold,
}
