"""The base of every event payload: the event types, the payload model, shared field types.

Design: docs/exercise.md. Each area's payloads live in their own module (``events`` for the
exercise, its clock, injects, cues and devices; ``simcell_events``, ``evaluation_events``,
``safety_events``, ``reply_events``); ``controlroom.exercise.events`` registers them all in
``PAYLOADS``.

Payloads are pydantic models (frozen): reading a journal is parsing untrusted JSON written by
any earlier version, so validation with a clear error is the point; ``extra="ignore"`` lets
an older payload with a key we no longer use still be read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from controlroom.scenario.model import Lang

ActionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# When a device action was taken (its outbox kept it while offline), on the server's clock:
# None (older journals, an action sent at once by an older page) is the event's ``at``.
# Written only by ``controlroom.exercise.tap_time``; read back through ``tap_time.when``.
TappedAt = Annotated[float | None, Field(ge=0)]
LEFT_OUT_UNSET = ("tapped_at",)  # not written when None (``Payload.data``)
Teams = tuple[str, ...]
Text = dict[Lang, str]


class EventType(StrEnum):
    # The exercise itself
    CREATED = "exercise.created"
    # The clock (owned by the exercise director)
    STARTED = "clock.started"  # STARTEX
    HELD = "clock.held"
    RESUMED = "clock.resumed"
    SPEED_SET = "clock.speed"
    JUMPED = "clock.jumped"
    ENDED = "clock.ended"  # ENDEX
    # Injects, per inject and per team
    INJECT_CREATED = "inject.created"
    INJECT_EDITED = "inject.edited"
    INJECT_RELEASED = "inject.released"
    INJECT_DELIVERED = "inject.delivered"
    INJECT_ACKNOWLEDGED = "inject.acknowledged"
    INJECT_HELD = "inject.held"
    INJECT_UNHELD = "inject.unheld"
    INJECT_RESCHEDULED = "inject.rescheduled"
    INJECT_CANCELLED = "inject.cancelled"
    # Each team at its own pace (controlroom/exercise/pacing.py)
    TEAM_HELD = "team.held"
    TEAM_RESUMED = "team.resumed"
    TEAM_SHIFTED = "team.shifted"
    # Actors: a cue per team
    CUE_STATUS = "cue.status"
    REVEAL_MARKED = "cue.revealed"
    # The SimCell: teams' requests to the fictional world
    REQUEST_SENT = "request.sent"
    REQUEST_CLAIMED = "request.claimed"
    REQUEST_ANSWERED = "request.answered"
    CONTROLLER_ASSIGNED = "controller.assigned"  # the director gives a controller teams, cases
    # Teams answer back: a reply to an inject (text, files), control's answer in its thread
    REPLY_SENT = "reply.sent"
    REPLY_ANSWERED = "reply.answered"
    # Control's log and evaluation
    NOTE_ADDED = "note.added"
    OBSERVATION_ADDED = "observation.added"
    OBSERVATION_CORRECTED = "observation.corrected"  # a new version by its author (or director)
    OBSERVATION_WITHDRAWN = "observation.withdrawn"
    # Devices bound to a team or an actor role
    DEVICE_JOINED = "device.joined"
    DEVICE_RENAMED = "device.renamed"
    DEVICE_REVOKED = "device.revoked"
    JOIN_REISSUED = "join.reissued"
    # Actor safety (controlroom/exercise/safety.py)
    SAFETY_STOP = "safety.stop"  # STOP from an actor's tablet: a blocking alert
    SAFETY_CALL = "safety.call"  # "call control" (no hold)
    SAFETY_SEEN = "safety.seen"  # a controller saw the alert
    SAFETY_AUTOHOLD = "safety.autohold"  # the director's toggle: STOP holds the case
    # The journal's own housekeeping
    RECOVERED = "journal.recovered"
    # Never written: what listeners get in place of an event the fold had to set aside
    SET_ASIDE = "journal.set-aside"


class ReleaseReason(StrEnum):
    SCHEDULE = "schedule"  # the release clock
    MANUAL = "manual"  # release now


class Payload(BaseModel):
    """The data of one event type (frozen: a fact does not change)."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)
    TYPE: ClassVar[EventType]

    def data(self) -> dict[str, JsonValue]:
        """The JSON object the journal stores (an optional field added later, unset, is
        left out: such an event is written exactly as before it existed)."""
        dumped: dict[str, JsonValue] = self.model_dump(mode="json", by_alias=True)
        for key in LEFT_OUT_UNSET:
            if key in dumped and dumped[key] is None:
                del dumped[key]
        return dumped
