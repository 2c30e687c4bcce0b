"""The payloads of an actor's cues for each team: a status report, a reveal marked.

Design: docs/exercise.md. Registered in ``controlroom.exercise.events``; applied by
``cue_rules``. A cue goes to every team its inject goes to (``controlroom.exercise.cues``).
"""

from __future__ import annotations

from controlroom.exercise.lifecycles import CueStatus
from controlroom.exercise.payload import ActionId, EventType, Payload, TappedAt


class CueReported(Payload):
    """An actor's status of a cue for ``team``; ``team=None`` (journals written before
    cues were per team): for every team the cue goes to."""

    TYPE = EventType.CUE_STATUS
    cue: str
    role: str
    status: CueStatus
    team: str | None = None
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received


class RevealMarked(Payload):
    """An actor revealed ``reveal`` (its id in the cue) to ``team``, at the event's time."""

    TYPE = EventType.REVEAL_MARKED
    cue: str
    role: str
    team: str
    reveal: str
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received
