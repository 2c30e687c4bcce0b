"""After ENDEX the exercise is closed: nothing changes it any more. Design: docs/exercise.md.

The runtime asks ``refuse_after_endex`` about every decision before appending it. What still
goes in after ENDEX is what the debrief and people's safety need: notes and observations,
receipts (an inject shown on a tablet), devices joining, renamed or leaving, a re-issued
join link, and the actors' safety alerts. Everything else is refused with one reason.
"""

from __future__ import annotations

from controlroom.exercise.commands import CommandRefused
from controlroom.exercise.events import EventType
from controlroom.exercise.scenario_clock import ClockPhase
from controlroom.exercise.state import ExerciseState

ENDED = "The exercise has ended (ENDEX)."

AFTER_ENDEX = frozenset(
    {
        EventType.NOTE_ADDED,
        EventType.OBSERVATION_ADDED,
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


def refuse_after_endex(state: ExerciseState, event_type: str) -> None:
    """Raise ``CommandRefused`` if ``event_type`` would change an exercise past ENDEX."""
    if ended(state) and event_type not in AFTER_ENDEX:
        raise CommandRefused(ENDED)
