"""The vocabulary of an exercise's journal: every event type and its typed payload.

Design: docs/exercise.md. Each ``EventType`` has one frozen payload model, registered by type
in ``PAYLOADS``; commands return payloads, the journal stores their JSON (``Payload.data``),
and ``decode`` reads a journal event back into a ``Fact(seq, at, payload)``. The journal
layer stays generic: it never imports this package. ``at`` is wall time from the exercise's
time source; scenario times in payloads are seconds since D1 00:00.

Payloads are pydantic models (frozen): reading a journal is parsing untrusted JSON written by
any earlier version, so validation with a clear error is the point; ``extra="ignore"`` lets
an older payload with a key we no longer use still be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_serializer

from controlroom.exercise.lifecycles import CueStatus
from controlroom.journal import Event
from controlroom.scenario.model import Attachment, Channel, Inject, Lang, Scenario

ActionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
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
    # Actors
    CUE_STATUS = "cue.status"
    # The SimCell: teams' requests to the fictional world
    REQUEST_SENT = "request.sent"
    REQUEST_CLAIMED = "request.claimed"
    REQUEST_ANSWERED = "request.answered"
    CONTROLLER_ASSIGNED = "controller.assigned"  # the director gives a controller teams, cases
    # Control's log and evaluation
    NOTE_ADDED = "note.added"
    OBSERVATION_ADDED = "observation.added"
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


class Rating(StrEnum):
    """HSEEP: performed without challenges / with some / with major challenges / unable."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"


class Payload(BaseModel):
    """The data of one event type (frozen: a fact does not change)."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)
    TYPE: ClassVar[EventType]

    def data(self) -> dict[str, JsonValue]:
        """The JSON object the journal stores."""
        dumped: dict[str, JsonValue] = self.model_dump(mode="json", by_alias=True)
        return dumped


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


# -- actors, the SimCell, the log ------------------------------------------------------------------


class CueReported(Payload):
    TYPE = EventType.CUE_STATUS
    cue: str
    role: str
    status: CueStatus
    device: str = ""
    action: ActionId | None = None


class RequestSent(Payload):
    TYPE = EventType.REQUEST_SENT
    request: str
    team: str
    kind: str | None = None
    text: str = ""
    device: str = ""
    action: ActionId | None = None


class RequestClaimed(Payload):
    """A controller claims a request; ``took_over_from`` names the controller who had it."""

    TYPE = EventType.REQUEST_CLAIMED
    request: str
    by: str = ""
    took_over_from: str | None = None


# The sender of an answer with no sender of its own, in each interface language (scenario
# text, so it is named here, not in the interface's catalogues).
SIMCELL_SENDER = {"en": "SimCell", "ru": "Группа имитации"}


def simcell_sender(languages: Iterable[str]) -> dict[str, str]:
    return {lang: SIMCELL_SENDER.get(lang, SIMCELL_SENDER["en"]) for lang in languages}


class RequestAnswered(Payload):
    """Control's answer; it becomes an answer inject for the team in the same event.

    The inject is released at once, or, when the request type asks for a least delay and
    ``due`` (scenario seconds) is still to come, scheduled for ``due``: the release clock
    releases it then (scenario time stops in a hold, so a hold delays it too).
    """

    TYPE = EventType.REQUEST_ANSWERED
    request: str
    answer: str | None = None  # a prepared answer's id
    text: Text
    title: Text = {}  # older journals: the request's id
    sender: Text = {}  # who answers in the fiction; older journals: "SimCell"
    channel: Channel = Channel.SIMCELL_ANSWER  # how the answer reaches the team
    attachments: tuple[Attachment, ...] = ()  # the prepared answer's files
    due: float | None = None  # scenario seconds: not before (the request type's delay)
    by: str = ""

    @field_serializer("attachments")
    def _attachments(self, attachments: tuple[Attachment, ...]) -> Any:
        return [a.model_dump(mode="json", exclude_none=True) for a in attachments]


class ControllerAssigned(Payload):
    """A controller's teams and cases (replacing the earlier ones; none: unassigned)."""

    TYPE = EventType.CONTROLLER_ASSIGNED
    controller: str = Field(min_length=1, max_length=64)
    teams: Teams = ()
    cases: tuple[str, ...] = ()
    by: str = ""


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


# -- devices ------------------------------------------------------------------------------------


class DeviceJoined(Payload):
    TYPE = EventType.DEVICE_JOINED
    device: str
    name: str = ""
    team: str | None = None
    role: str | None = None


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
    target: str  # an audience: team:<id> or actor:<role>
    by: str = ""


# -- actor safety -----------------------------------------------------------------------------


class SafetyRaised(Payload):
    """An actor's alert; ``teams`` are those the cue's inject goes to (none without a cue)."""

    alert: str
    role: str
    cue: str | None = None
    teams: Teams = ()
    device: str = ""
    action: ActionId | None = None


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
        RequestSent,
        RequestClaimed,
        RequestAnswered,
        ControllerAssigned,
        NoteAdded,
        ObservationAdded,
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
