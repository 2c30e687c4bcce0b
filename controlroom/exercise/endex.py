"""After ENDEX the exercise is closed: nothing changes it any more. Design: docs/exercise.md.

The runtime asks ``refuse_after_endex`` about every decided event before it appends it. What
still goes in after ENDEX is what the debrief and people's safety need: notes and
observations (corrected or withdrawn too), receipts (an inject shown on a tablet), devices
joining, renamed or leaving, a re-issued join link, and the actors' safety alerts.
Everything else is refused with one typed reason, ``Refusal.ENDED`` ("The exercise has
ended (ENDEX)").
"""

from __future__ import annotations

from controlroom.exercise.events import EventType, Payload
from controlroom.exercise.lifecycles import ClockPhase
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState

AFTER_ENDEX = frozenset(
    {
        EventType.NOTE_ADDED,
        EventType.OBSERVATION_ADDED,
        EventType.OBSERVATION_CORRECTED,
        EventType.OBSERVATION_WITHDRAWN,
        EventType.INJECT_DELIVERED,
        EventType.DEVICE_JOINED,
        EventType.DEVICE_RENAMED,
        EventType.DEVICE_REVOKED,
        EventType.JOIN_REISSUED,
        EventType.SAFETY_STOP,
        EventType.SAFETY_CALL,
        EventType.SAFETY_SEEN,
        EventType.SAFETY_AUTOHOLD,
        EventType.RECOVERED,
    }
)


def ended(state: ExerciseState) -> bool:
    return state.clock.phase is ClockPhase.ENDED


def refuse_after_endex(state: ExerciseState, payload: Payload) -> None:
    """Raise ``CommandRefused(Refusal.ENDED)`` if ``payload`` would change an ended exercise."""
    if ended(state) and payload.TYPE not in AFTER_ENDEX:
        raise CommandRefused(Refusal.ENDED)
