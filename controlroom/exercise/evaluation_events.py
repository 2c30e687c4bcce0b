"""Control's log and evaluation: notes and observers' rated observations.

Design: docs/review.md.
"""

from __future__ import annotations

from enum import StrEnum

from controlroom.exercise.payload import EventType, Payload


class Rating(StrEnum):
    """HSEEP: performed without challenges / with some / with major challenges / unable."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"


class NoteAdded(Payload):
    TYPE = EventType.NOTE_ADDED
    text: str = ""
    by: str = ""
    team: str | None = None
    inject: str | None = None


class ObservationAdded(Payload):
    TYPE = EventType.OBSERVATION_ADDED
    text: str = ""
    by: str = ""
    objective: str
    task: str | None = None
    rating: Rating | None = None
    team: str | None = None
    reply: str | None = None  # a team's reply it rates (reply_events): its team is ``team``
