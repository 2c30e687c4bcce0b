"""Control's log and evaluation: notes and observers' rated observations.

Design: docs/review.md. An observation is named by the journal position (``seq``) of its
``observation.added``; a correction is a whole new version of it (every field), a withdrawal
takes it out of the matrix and the packs. Nothing is ever overwritten: the history stays in
the journal. ``device`` and ``action`` are set when an observer's tablet sent it (its outbox:
applied once).
"""

from __future__ import annotations

from enum import StrEnum

from controlroom.exercise.payload import ActionId, EventType, Payload, TappedAt


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
    inject: str | None = None  # the inject it is about
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received
    reply: str | None = None  # a team's reply it rates (reply_events): its team is ``team``


class ObservationCorrected(Payload):
    """A new version of observation ``observation`` (the seq of its ``observation.added``)."""

    TYPE = EventType.OBSERVATION_CORRECTED
    observation: int
    text: str = ""
    by: str = ""
    objective: str
    task: str | None = None
    rating: Rating | None = None
    team: str | None = None
    inject: str | None = None
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received


class ObservationWithdrawn(Payload):
    TYPE = EventType.OBSERVATION_WITHDRAWN
    observation: int
    by: str = ""
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received
