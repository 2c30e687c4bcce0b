"""What each audience may see, as explicit view objects. Design: docs/delivery.md.

A team's templates are handed ``TeamInjectView`` and ``TeamRequestView``, never an
``Inject`` or a ``Request``: a field that is not on the view (controller notes, expected
actions, cues, objectives, other teams' injects) cannot reach a team's page by mistake.
Actors get ``CueGroupView`` and ``ActorRoleView``. Control and observers get the full
models. Every view names the template that renders it and the DOM id it renders to; control's
templates (``fragments/control/``) are the console's own, so a pushed row is a rendered row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from controlroom.access.permissions import device_target
from controlroom.delivery.pacing_views import TeamPacesView
from controlroom.delivery.reply_views import ControlReplyView, TeamReplyView
from controlroom.delivery.safety_views import ActorSafetyView, SafetyAlertView
from controlroom.exercise.events import Payload
from controlroom.exercise.lifecycles import (
    RELEASE,
    UNRELEASED,
    ClockPhase,
    CueStatus,
    ReleaseMove,
    ReleaseStatus,
    RequestStatus,
)
from controlroom.scenario.model import Attachment, Inject

LocalText = Mapping[str, str]


# -- everyone --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockView:
    """The exercise clock as teams and actors see it: no hold reason, no author."""

    template: ClassVar[str] = "fragments/clock.html"
    phase: ClockPhase  # never paused: a pause is control's business
    scenario_time: float  # scenario seconds at ``anchor_wall``
    anchor_wall: float
    speed: float

    @property
    def dom_id(self) -> str:
        return "clock"


# -- a team ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamInjectView:
    """One inject released to one team: what the fiction delivers, nothing of the script."""

    template: ClassVar[str] = "fragments/team_inject.html"
    inject: str
    version: int
    channel: str
    sender: LocalText
    title: LocalText
    body: LocalText
    attachments: tuple[Attachment, ...]
    released_at: float  # wall time (the card's machine-readable time)
    released_team: float | None  # the team's own scenario time then (None: before STARTEX)
    status: ReleaseStatus  # released | delivered | acknowledged
    behind: tuple[tuple[str, int], ...] = ()  # (language, version its text is from), if older

    @property
    def is_new(self) -> bool:
        """Released, not yet on a device of the team."""
        return self.status is ReleaseStatus.RELEASED

    @property
    def can_acknowledge(self) -> bool:
        return RELEASE.can(self.status, ReleaseMove.ACKNOWLEDGE)

    @property
    def dom_id(self) -> str:
        return f"inject-{self.inject}"


@dataclass(frozen=True, slots=True)
class TeamRequestView:
    """A team's own request to the fictional world and where it stands."""

    template: ClassVar[str] = "fragments/team_request.html"
    request: str
    kind_title: LocalText | None
    text: str
    sent_at: float  # wall time
    sent_team: float | None  # the team's own scenario time then (None: before STARTEX)
    status: Literal["sent", "in-progress", "answered"]
    answer_inject: str | None
    answer: LocalText | None = None  # control's answer (the answer inject's text)

    @property
    def dom_id(self) -> str:
        return f"request-{self.request}"


# -- an actor --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevealView:
    what: LocalText
    condition: LocalText
    id: str = ""  # the reveal's id in its cue (what a "revealed" tap names)
    marked_at: float | None = None  # wall time the actor marked it for the card's team
    marked_scenario: float | None = None  # exercise scenario time of that mark


@dataclass(frozen=True, slots=True)
class CueCardView:
    """One cue of the actor's own role for one team: where, when, who, what they know and
    reveal (each reveal marked or not for that team), and its status for that team."""

    cue: str
    character: LocalText
    where: LocalText
    when: float | None  # scenario seconds (the inject's time plus the offset), if known
    offset: str
    knows: LocalText
    reveals: tuple[RevealView, ...]
    emotion: LocalText
    props: tuple[LocalText, ...]
    status: CueStatus
    team: str = ""  # the team this scene is played for
    team_name: LocalText = field(default_factory=dict)
    single: bool = True  # the cue goes to one team only (its card keeps the id cue-<cue>)
    moving: bool = False  # the team or its release is held: the time still moves
    release: ReleaseStatus | None = None  # the inject's release to this card's team
    set_name: LocalText = field(default_factory=dict)  # the set it is played on (none: {})

    @property
    def dom_id(self) -> str:
        return f"cue-{self.cue}" if self.single else f"cue-{self.cue}-{self.team}"


@dataclass(frozen=True, slots=True)
class CueGroupView:
    """An actor role's cues around one inject, with the inject's timing but not its content."""

    template: ClassVar[str] = "fragments/cue_group.html"
    inject: str
    state: ReleaseStatus  # the inject across its teams: planned ... released, cancelled
    due: float | None  # scenario seconds of the inject (release time once released)
    cards: tuple[CueCardView, ...]

    @property
    def dom_id(self) -> str:
        return f"cues-{self.inject}"


@dataclass(frozen=True, slots=True)
class ActorRoleView:
    """The character an actor plays, with that role's own private notes."""

    template: ClassVar[str] = "fragments/actor_role.html"
    role: str
    character: LocalText
    description: LocalText
    private_notes: LocalText | None

    @property
    def dom_id(self) -> str:
        return "actor-role"


# -- control and observers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ControlClockView:
    template: ClassVar[str] = "fragments/control/clock.html"
    phase: ClockPhase
    scenario_time: float
    anchor_wall: float
    speed: float
    hold_reason: str
    ticking: bool  # scenario time runs (running or paused)
    releases_paused: bool  # paused: time runs, releases wait
    on_hold: bool  # held or paused: resume is the next move

    @property
    def dom_id(self) -> str:
        return "clock"


@dataclass(frozen=True, slots=True)
class ReleaseView:
    team: str
    status: ReleaseStatus
    due: float | None
    late: bool
    released_at: float | None  # wall time
    delivered_at: float | None
    acknowledged_at: float | None
    released_scenario: float | None = None  # scenario time, as the clock stood then
    delivered_scenario: float | None = None
    acknowledged_scenario: float | None = None

    @property
    def unreleased(self) -> bool:
        return self.status in UNRELEASED

    @property
    def can_hold(self) -> bool:
        return RELEASE.can(self.status, ReleaseMove.HOLD)

    @property
    def can_unhold(self) -> bool:
        return RELEASE.can(self.status, ReleaseMove.UNHOLD)


@dataclass(frozen=True, slots=True)
class CueTeamView:
    """A cue for one team, as control sees it in the inject's row."""

    team: str
    status: CueStatus
    revealed: tuple[str, ...]  # the ids of the reveals the actor marked for this team


@dataclass(frozen=True, slots=True)
class CueStatusView:
    cue: str
    role: str
    status: CueStatus  # across its teams: the latest reported
    teams: tuple[CueTeamView, ...] = ()

    @property
    def revealed(self) -> int:
        return sum(len(team.revealed) for team in self.teams)


@dataclass(frozen=True, slots=True)
class ControlInjectView:
    """A row of the control room's MSEL: the whole inject and its status for every team."""

    template: ClassVar[str] = "fragments/control/inject.html"
    inject: Inject
    version: int
    releases: tuple[ReleaseView, ...]
    cues: tuple[CueStatusView, ...]

    @property
    def dom_id(self) -> str:
        return f"inject-row-{self.inject.id}"


@dataclass(frozen=True, slots=True)
class ControlRequestView:
    """A team's request in the SimCell queue, with the names the queue shows."""

    template: ClassVar[str] = "fragments/control/request.html"
    request: str
    team: str
    team_name: LocalText
    kind: str | None
    kind_title: LocalText | None
    text: str
    sent_at: float  # wall time
    claimed_by: str | None
    claimed_at: float | None
    answered_by: str | None
    answered_at: float | None
    answer_inject: str | None
    status: RequestStatus  # the request's lifecycle (docs/exercise.md)

    @property
    def state(self) -> RequestStatus:
        return self.status

    @property
    def answered(self) -> bool:
        return self.status is RequestStatus.ANSWERED

    @property
    def claimed(self) -> bool:
        return self.status is RequestStatus.CLAIMED

    @property
    def waiting(self) -> bool:
        return self.status is RequestStatus.OPEN

    @property
    def dom_id(self) -> str:
        return f"simcell-{self.request}"


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A joined tablet or phone: a row of the director's device list."""

    template: ClassVar[str] = "fragments/control/device.html"
    device: str
    name: str
    team: str | None
    role: str | None
    revoked: bool
    joined_at: float  # wall time
    target_name: LocalText  # the team's name or the role's character ({} for an observer)
    observer: bool = False

    @property
    def target(self) -> str:
        """The join target: ``team:<id>``, ``actor:<role>`` or ``observer``."""
        return device_target(self.team, self.role, self.observer)

    @property
    def dom_id(self) -> str:
        return f"device-{self.device}"


@dataclass(frozen=True, slots=True)
class TimelineView:
    """One journal event as a line of the control room's log."""

    template: ClassVar[str] = "fragments/timeline.html"
    seq: int
    type: str
    at: float  # wall time
    scenario_time: float
    data: Payload  # the event's typed payload (templates read its fields)

    @property
    def dom_id(self) -> str:
        return f"event-{self.seq}"


@dataclass(frozen=True, slots=True)
class TargetPresence:
    """How many of a team's (or an actor role's) devices have a live socket."""

    target: str  # team:<id> | actor:<role>
    online: int

    @property
    def dom_id(self) -> str:
        return "online-" + self.target.replace(":", "-")


@dataclass(frozen=True, slots=True)
class DevicePresence:
    device: str
    online: bool

    @property
    def dom_id(self) -> str:
        return f"presence-{self.device}"


@dataclass(frozen=True, slots=True)
class PresenceView:
    """Which devices are online (a live socket to this worker): not an event, not journaled.

    Sent to control and observers in a ``presence`` frame when it changes and after every
    resume; pages render the same elements (``fragments/control/_presence.html``).
    """

    template: ClassVar[str] = "fragments/control/presence.html"
    targets: tuple[TargetPresence, ...]
    devices: tuple[DevicePresence, ...]


View = (
    ClockView
    | TeamInjectView
    | TeamRequestView
    | CueGroupView
    | ActorRoleView
    | ControlClockView
    | ControlInjectView
    | ControlRequestView
    | DeviceView
    | TimelineView
    | PresenceView
    | SafetyAlertView
    | ActorSafetyView
    | TeamPacesView
    | TeamReplyView
    | ControlReplyView
)


# -- what a frame carries --------------------------------------------------------------------

Mode = Literal["insert", "replace", "remove"]


@dataclass(frozen=True, slots=True)
class Patch:
    """One change to a page: insert a view into a list, replace it, or remove it."""

    mode: Mode
    view: View
    container: str = ""  # the list's DOM id, for inserts
    position: Literal["afterbegin", "beforeend"] = "beforeend"


@dataclass(frozen=True, slots=True)
class Update:
    """What one audience gets for one event: patches, and injects it should confirm receiving."""

    patches: tuple[Patch, ...]
    receipt: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FullView:
    """An audience's whole current view (the page's content; the ``snapshot`` frame)."""

    kind: Literal["control", "observer", "team", "actor"]
    clock: ClockView | ControlClockView
    injects: tuple[TeamInjectView, ...] | tuple[ControlInjectView, ...] = ()
    requests: tuple[TeamRequestView, ...] | tuple[ControlRequestView, ...] = ()
    role: ActorRoleView | None = None
    cues: tuple[CueGroupView, ...] = ()
    devices: tuple[DeviceView, ...] = ()
    receipt: tuple[str, ...] = ()
    safety: tuple[SafetyAlertView, ...] | tuple[ActorSafetyView, ...] = ()
    replies: tuple[TeamReplyView, ...] = ()  # a team's replies to injects, with answers
    # control's row of team lanes: outside ``#cr-view`` on the timeline, so the snapshot
    # frame swaps it out of band (a console back from a drop shows each team's pace again)
    paces: TeamPacesView | None = None
