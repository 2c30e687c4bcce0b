"""What the fold keeps per release, cue, request, reply, note and device: plain records.

Design: docs/exercise.md. ``ExerciseState`` (``state.py``) holds these; only the rules
(``rules.py`` and the area rules) change them, and each knows its own lifecycle
(``lifecycles.py``): ``status`` and ``can(move)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controlroom.exercise.cues import CueRun, summary
from controlroom.exercise.events import Rating, ReplyFile
from controlroom.exercise.lifecycles import (
    DEVICE,
    RELEASE,
    REPLY,
    REQUEST,
    UNRELEASED,
    CueStatus,
    DeviceMove,
    DeviceStatus,
    ReleaseMove,
    ReleaseStatus,
    ReplyMove,
    ReplyStatus,
    RequestMove,
    RequestStatus,
)


class NotApplicable(ValueError):
    """An event that does not fit the state as it stands (the reason says why)."""


LATE_AFTER = 2.0  # seconds past its due time after which a release counts as late


@dataclass(slots=True)
class TeamRelease:
    """One inject for one team: the same inject can go to one team now and another later."""

    inject: str
    team: str
    due: float | None = None  # scenario seconds; None until scheduled (manual, trigger)
    held: bool = False
    cancelled: bool = False
    released_at: float | None = None  # wall time
    released_seq: int | None = None
    version: int = 0  # the inject version released
    late: bool = False
    proposed: bool = False  # a ``confirm: true`` trigger fired: control approves the release
    delivered_at: float | None = None
    # when the team acknowledged: the tap on its tablet (``tap_time``), which may be earlier
    # than when the server received it (``acknowledged_received``: the event's ``at``)
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    acknowledged_received: float | None = None
    # the scenario time of each step, as the exercise clock stood when it happened
    released_scenario: float | None = None
    delivered_scenario: float | None = None
    acknowledged_scenario: float | None = None
    # the team's own scenario time when released (``state.team_now``: its holds and shifts
    # as they stood then), what the team's card shows; None before STARTEX
    released_team: float | None = None

    def status(self, clock_started: bool) -> ReleaseStatus:
        if self.acknowledged_at is not None:
            return ReleaseStatus.ACKNOWLEDGED
        if self.delivered_at is not None:
            return ReleaseStatus.DELIVERED
        if self.released_at is not None:
            return ReleaseStatus.RELEASED
        if self.cancelled:
            return ReleaseStatus.CANCELLED
        if self.held:
            return ReleaseStatus.HELD
        if self.due is not None and clock_started:
            return ReleaseStatus.SCHEDULED
        return ReleaseStatus.PLANNED

    def can(self, move: ReleaseMove, clock_started: bool) -> bool:
        """Whether ``move`` is allowed now (the one place: see ``lifecycles.RELEASE``)."""
        return RELEASE.can(self.status(clock_started), move)

    def unreleased(self, clock_started: bool) -> bool:
        return self.status(clock_started) in UNRELEASED

    def reached(self, state: str) -> bool:
        """Whether this release has reached ``released``/``delivered``/``acknowledged``."""
        stamp = {
            "released": self.released_at,
            "delivered": self.delivered_at,
            "acknowledged": self.acknowledged_at,
        }[state]
        return stamp is not None


@dataclass(slots=True)
class CueState:
    """A cue of an inject, and its run for each team the inject goes to (``cues.CueRun``)."""

    cue: str
    role: str
    inject: str
    runs: dict[str, CueRun] = field(default_factory=dict)  # team -> the cue for that team

    @property
    def status(self) -> CueStatus:
        """Across its teams: the latest reported status (each team's is in ``runs``)."""
        return summary(list(self.runs.values()))[0]

    @property
    def updated_at(self) -> float | None:
        return summary(list(self.runs.values()))[1]


@dataclass(slots=True)
class Request:
    """A team's request to the fictional world, and control's answer (the SimCell queue)."""

    id: str
    team: str
    kind: str | None
    text: str
    sent_at: float
    seq: int
    claimed_by: str | None = None
    claimed_at: float | None = None
    answered_at: float | None = None
    answered_by: str | None = None
    answer_id: str | None = None
    answer_text: dict[str, str] = field(default_factory=dict)
    answer_inject: str | None = None
    sent_scenario: float | None = None  # scenario time when sent (None before STARTEX)
    sent_team: float | None = None  # the team's own scenario time when sent
    answer_due: float | None = None  # team scenario time the answer is held until (a delay)
    taken_over: list[tuple[str, str]] = field(default_factory=list)  # (from, by) claims

    @property
    def status(self) -> RequestStatus:
        if self.answered_at is not None:
            return RequestStatus.ANSWERED
        return RequestStatus.OPEN if self.claimed_by is None else RequestStatus.CLAIMED

    def can(self, move: RequestMove) -> bool:
        return REQUEST.can(self.status, move)

    @property
    def response_seconds(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


@dataclass(frozen=True, slots=True)
class ReplyAnswer:
    """Control's answer in a reply's thread."""

    seq: int
    at: float  # wall time
    by: str
    text: str
    team_time: float | None = None  # the reply's team's own scenario time (None: before STARTEX)


@dataclass(slots=True)
class Reply:
    """A team's reply to an inject (or an action it reports on it), and control's answers."""

    id: str
    team: str
    inject: str
    kind: str  # ReplyKind: reply | action
    text: str
    files: tuple[ReplyFile, ...]
    sent_at: float  # wall time
    seq: int
    device: str = ""
    sent_scenario: float | None = None
    sent_team: float | None = None  # the team's own scenario time when sent
    answers: list[ReplyAnswer] = field(default_factory=list)

    @property
    def status(self) -> ReplyStatus:
        return ReplyStatus.ANSWERED if self.answers else ReplyStatus.OPEN

    def can(self, move: ReplyMove) -> bool:
        return REPLY.can(self.status, move)

    @property
    def answered_at(self) -> float | None:
        return self.answers[0].at if self.answers else None

    @property
    def response_seconds(self) -> float | None:
        first = self.answered_at
        return None if first is None else first - self.sent_at


@dataclass(frozen=True, slots=True)
class Assignment:
    """The teams and cases the director gave a controller."""

    teams: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()


@dataclass(slots=True)
class Note:
    """A note, or an observation as it stands now (its latest version; ``seq`` names it)."""

    seq: int
    at: float
    by: str
    text: str
    kind: str  # "note" or "observation"
    team: str | None = None
    inject: str | None = None
    objective: str | None = None
    task: str | None = None
    rating: Rating | None = None
    scenario: float | None = None  # scenario time when recorded, as the clock stood then
    device: str = ""  # the observer's tablet it came from ("" for an account)
    version: int = 1  # 1 + corrections
    updated_at: float | None = None  # wall time of the last correction
    updated_by: str = ""
    withdrawn: bool = False
    withdrawn_by: str = ""
    reply: str | None = None  # the team's reply an observation rates

    @property
    def counts(self) -> bool:
        """Whether it counts in the matrix and the packs: an observation not withdrawn."""
        return self.kind == "observation" and not self.withdrawn


@dataclass(slots=True)
class Device:
    id: str
    name: str
    joined_at: float
    team: str | None = None
    role: str | None = None
    revoked: bool = False
    observer: bool = False  # an observer's tablet (neither a team nor a role)

    @property
    def status(self) -> DeviceStatus:
        return DeviceStatus.REVOKED if self.revoked else DeviceStatus.JOINED

    def can(self, move: DeviceMove) -> bool:
        return DEVICE.can(self.status, move)
