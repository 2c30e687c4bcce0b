"""Actor safety's events: STOP, call control, seen, the auto-hold toggle.

Design: docs/exercise.md (actor safety); the rules are in ``controlroom.exercise.safety``.
"""

from __future__ import annotations

from controlroom.exercise.payload import ActionId, EventType, Payload, TappedAt, Teams


class SafetyRaised(Payload):
    """An actor's alert; ``teams`` are those the cue's inject goes to (none without a cue)."""

    alert: str
    role: str
    cue: str | None = None
    teams: Teams = ()
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received


class SafetyCalled(SafetyRaised):
    TYPE = EventType.SAFETY_CALL


class SafetyStopped(SafetyRaised):
    """``holds``: the (inject, team) releases the auto-hold holds, decided by the command."""

    TYPE = EventType.SAFETY_STOP
    holds: tuple[tuple[str, str], ...] = ()


class SafetySeen(Payload):
    TYPE = EventType.SAFETY_SEEN
    alert: str
    by: str
    name: str = ""


class SafetyAutohold(Payload):
    TYPE = EventType.SAFETY_AUTOHOLD
    enabled: bool
    by: str = ""
