"""The vocabulary of an exercise's journal: every event type and its typed payload.

Design: docs/exercise.md. Each ``EventType`` has one frozen payload model, registered by type
in ``PAYLOADS``; commands return payloads, the journal stores their JSON (``Payload.data``),
and ``decode`` reads a journal event back into a ``Fact(seq, at, payload)``. The journal
layer stays generic: it never imports this package. ``at`` is wall time from the exercise's
time source; scenario times in payloads are seconds since D1 00:00.

This module holds the exercise's own payloads (its clock, injects, devices, the journal's
housekeeping) and the registry; the base model is in ``payload``, and the cues', team
pacing's, SimCell's, replies', evaluation's and safety's payloads in their own modules,
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from pydantic import Field, JsonValue, ValidationError, field_serializer

from controlroom.exercise.cue_events import CueReported, RevealMarked
from controlroom.exercise.evaluation_events import (
    NoteAdded,
    ObservationAdded,
    ObservationCorrected,
    ObservationWithdrawn,
    Rating,
)
from controlroom.exercise.pacing_events import TeamHeld, TeamResumed, TeamShifted
from controlroom.exercise.payload import (
    ActionId,
    EventType,
    Payload,
    ReleaseReason,
    TappedAt,
    Teams,
    Text,
)
from controlroom.exercise.reply_events import ReplyAnswered, ReplyFile, ReplyKind, ReplySent
from controlroom.exercise.safety_events import (
    SafetyAutohold,
    SafetyCalled,
    SafetyRaised,
    SafetySeen,
    SafetyStopped,
)
from controlroom.exercise.simcell_events import (
    SIMCELL_SENDER,
    ControllerAssigned,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    simcell_sender,
)
from controlroom.journal import Event
from controlroom.scenario.model import Inject, Scenario

__all__ = [
    "SIMCELL_SENDER",
    "ActionId",
    "ControllerAssigned",
    "CueReported",
    "EventType",
    "NoteAdded",
    "ObservationAdded",
    "ObservationCorrected",
    "ObservationWithdrawn",
    "Payload",
    "Rating",
    "ReleaseReason",
    "ReplyAnswered",
    "ReplyFile",
    "ReplyKind",
    "ReplySent",
    "RequestAnswered",
    "RequestClaimed",
    "RequestSent",
    "RevealMarked",
    "SafetyAutohold",
    "SafetyCalled",
    "SafetyRaised",
    "SafetySeen",
    "SafetyStopped",
    "TeamHeld",
    "TeamResumed",
    "TeamShifted",
    "Teams",
    "Text",
    "simcell_sender",
]


# -- the exercise and its clock -----------------------------------------------------------------


class ExerciseCreated(Payload):
    TYPE = EventType.CREATED
    exercise: str = ""
    name: str = ""
    scenario: Scenario
    by: str = ""

    @field_serializer("scenario")
    def _scenario(self, scenario: Scenario) -> Any:
        return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


class ClockStarted(Payload):
    TYPE = EventType.STARTED
    scenario_time: float
    by: str = ""


class ClockHeld(Payload):
    """``shift=False`` pauses releases only: scenario time keeps running."""

    TYPE = EventType.HELD
    reason: str = ""
    shift: bool = True
    by: str = ""


class ClockResumed(Payload):
    TYPE = EventType.RESUMED
    by: str = ""


class SpeedSet(Payload):
    TYPE = EventType.SPEED_SET
    speed: float = Field(gt=0)
    by: str = ""


class ClockJumped(Payload):
    TYPE = EventType.JUMPED
    scenario_time: float
    by: str = ""


class ClockEnded(Payload):
    TYPE = EventType.ENDED
    by: str = ""


# -- injects --------------------------------------------------------------------------------------


class InjectCreated(Payload):
    """An ad-hoc inject written during the exercise."""

    TYPE = EventType.INJECT_CREATED
    inject: Inject
    by: str = ""

    @field_serializer("inject")
    def _inject(self, inject: Inject) -> Any:
        return inject.model_dump(mode="json", by_alias=True, exclude_none=True)


class InjectEdited(Payload):
    """A new version of an inject: the changed fields (scenario JSON) and the version number.

    ``languages``: the languages whose team-visible text (title, sender, body) this version
    updated; the others keep an older text, which their readers see marked as not yet
    updated. None (journals written before it was recorded): every language is up to date.
    """

    TYPE = EventType.INJECT_EDITED
    inject: str
    version: int
    changes: dict[str, JsonValue]
    by: str = ""
    languages: tuple[str, ...] | None = None


class InjectReleased(Payload):
    TYPE = EventType.INJECT_RELEASED
    inject: str
    teams: Teams = ()  # () = every team the inject goes to (older journals)
    version: int | None = None
    due: float | None = None
    late: bool = False
    reason: ReleaseReason = ReleaseReason.MANUAL
    by: str = ""


class InjectDelivered(Payload):
    TYPE = EventType.INJECT_DELIVERED
    inject: str
    team: str
    device: str = ""
    action: ActionId | None = None  # the device's own id of this tap (its outbox)


class InjectAcknowledged(Payload):
    TYPE = EventType.INJECT_ACKNOWLEDGED
    inject: str
    team: str
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when the team tapped (tap_time); ``at``: received


class InjectHeld(Payload):
    TYPE = EventType.INJECT_HELD
    inject: str
    teams: Teams = ()
    by: str = ""


class InjectUnheld(Payload):
    TYPE = EventType.INJECT_UNHELD
    inject: str
    teams: Teams = ()
    by: str = ""


class InjectRescheduled(Payload):
    TYPE = EventType.INJECT_RESCHEDULED
    inject: str
    teams: Teams = ()
    scenario_time: float
    by: str = ""


class InjectCancelled(Payload):
    TYPE = EventType.INJECT_CANCELLED
    inject: str
    teams: Teams = ()
    by: str = ""


# -- devices ------------------------------------------------------------------------------------


class DeviceJoined(Payload):
    TYPE = EventType.DEVICE_JOINED
    device: str
    name: str = ""
    team: str | None = None
    role: str | None = None
    observer: bool = False  # an observer's tablet: records observations, sees no team view


class DeviceRenamed(Payload):
    TYPE = EventType.DEVICE_RENAMED
    device: str
    name: str


class DeviceRevoked(Payload):
    TYPE = EventType.DEVICE_REVOKED
    device: str
    by: str = ""


class JoinReissued(Payload):
    TYPE = EventType.JOIN_REISSUED
    target: str  # an audience: team:<id>, actor:<role> or observer
    by: str = ""


class JournalRecovered(Payload):
    """A torn tail found at start-up, kept in a side file."""

    TYPE = EventType.RECOVERED
    line: int
    size: int
    saved_to: str


class SetAside(Payload):
    """An event in the journal that the fold could not apply (kept in ``state.set_aside``)."""

    TYPE = EventType.SET_ASIDE
    seq: int
    type: str
    reason: str


PAYLOADS: dict[EventType, type[Payload]] = {
    model.TYPE: model
    for model in (
        ExerciseCreated,
        ClockStarted,
        ClockHeld,
        ClockResumed,
        SpeedSet,
        ClockJumped,
        ClockEnded,
        InjectCreated,
        InjectEdited,
        InjectReleased,
        InjectDelivered,
        InjectAcknowledged,
        InjectHeld,
        InjectUnheld,
        InjectRescheduled,
        InjectCancelled,
        CueReported,
        RevealMarked,
        TeamHeld,
        TeamResumed,
        TeamShifted,
        RequestSent,
        RequestClaimed,
        RequestAnswered,
        ControllerAssigned,
        ReplySent,
        ReplyAnswered,
        NoteAdded,
        ObservationAdded,
        ObservationCorrected,
        ObservationWithdrawn,
        DeviceJoined,
        DeviceRenamed,
        DeviceRevoked,
        JoinReissued,
        SafetyStopped,
        SafetyCalled,
        SafetySeen,
        SafetyAutohold,
        JournalRecovered,
    )
}
CLOCK_EVENTS = frozenset(
    {
        EventType.STARTED,
        EventType.HELD,
        EventType.RESUMED,
        EventType.SPEED_SET,
        EventType.JUMPED,
        EventType.ENDED,
    }
)


@dataclass(frozen=True, slots=True)
class Fact:
    """A journal event read into its type: built once per event, handed to every listener."""

    seq: int
    at: float
    payload: Payload

    @property
    def type(self) -> EventType:
        return self.payload.TYPE


class Unreadable(ValueError):
    """A journal event that is not a known type with a valid payload (the reason says why)."""


# PAYLOADS itself, looked up by the type's string (a StrEnum member hashes and compares as
# its value): no enum built per event, and every registered type is found.
_BY_NAME = cast("dict[str, type[Payload]]", PAYLOADS)


def decode(event: Event) -> Fact:
    """The typed fact of a journal event (``Unreadable`` if its type or payload is not ours)."""
    model = _BY_NAME.get(event.type) if isinstance(event.type, str) else None
    if model is None:
        raise Unreadable(f"unknown event type {event.type!r}")
    try:
        payload = model.model_validate(event.data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "data"
        raise Unreadable(f"{where}: {first['msg']}") from None
    return Fact(event.seq, event.at, payload)


def fact_of(event: Event) -> Fact:
    """``decode``, or a ``SetAside`` fact naming why (for pages that list the journal)."""
    try:
        return decode(event)
    except Unreadable as error:
        aside = SetAside(seq=event.seq, type=str(event.type)[:80], reason=str(error)[:300])
        return Fact(event.seq, event.at, aside)
