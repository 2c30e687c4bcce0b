"""The fold: an exercise's current state, derived from its events and nothing else.

Design: docs/exercise.md. ``ExerciseState.apply`` is the only way state changes; a restart,
a second worker or an after-action replay folds the same journal into the same state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from controlroom.exercise import safety
from controlroom.exercise.actions import applied
from controlroom.exercise.events import EventType
from controlroom.exercise.scenario_clock import ClockPhase, ScenarioClock
from controlroom.journal import Event
from controlroom.scenario.model import AfterTrigger, Channel, Inject, Scenario

LATE_AFTER = 2.0  # seconds past its due time after which a release counts as late


class ReleaseStatus(StrEnum):
    PLANNED = "planned"  # manual, waiting for its trigger, or before STARTEX
    SCHEDULED = "scheduled"
    HELD = "held"
    RELEASED = "released"
    DELIVERED = "delivered"  # a device of the team has it
    ACKNOWLEDGED = "acknowledged"
    CANCELLED = "cancelled"


class CueStatus(StrEnum):
    WAITING = "waiting"
    READY = "ready"
    IN_SCENE = "in-scene"
    DONE = "done"


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
    delivered_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    # the scenario time of each step, as the exercise clock stood when it happened
    released_scenario: float | None = None
    delivered_scenario: float | None = None
    acknowledged_scenario: float | None = None

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
    cue: str
    role: str
    inject: str
    status: CueStatus = CueStatus.WAITING
    updated_at: float | None = None


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

    @property
    def response_seconds(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


@dataclass(slots=True)
class Note:
    seq: int
    at: float
    by: str
    text: str
    kind: str  # "note" or "observation"
    team: str | None = None
    inject: str | None = None
    objective: str | None = None
    task: str | None = None
    rating: str | None = None


@dataclass(slots=True)
class Device:
    id: str
    name: str
    joined_at: float
    team: str | None = None
    role: str | None = None
    revoked: bool = False


@dataclass(slots=True)
class ExerciseState:
    scenario: Scenario
    exercise_id: str = ""
    name: str = ""
    created_at: float = 0.0
    seq: int = 0
    clock: ScenarioClock = field(default_factory=ScenarioClock)
    injects: dict[str, Inject] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    releases: dict[tuple[str, str], TeamRelease] = field(default_factory=dict)
    dependents: dict[str, list[str]] = field(default_factory=dict)
    cues: dict[str, CueState] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    devices: dict[str, Device] = field(default_factory=dict)
    join_generations: dict[str, int] = field(default_factory=dict)  # join target -> re-issues
    recovered: list[Mapping[str, Any]] = field(default_factory=list)
    actions: set[tuple[str, str]] = field(default_factory=set)  # (device, action) applied
    safety: dict[str, safety.SafetyAlert] = field(default_factory=dict)
    safety_autohold: bool = False

    @classmethod
    def new(cls, scenario: Scenario, exercise_id: str = "") -> ExerciseState:
        state = cls(scenario=scenario, exercise_id=exercise_id)
        for inject in scenario.injects:
            state._add_inject(inject)
        return state

    @classmethod
    def fold(
        cls, scenario: Scenario, events: Iterable[Event], exercise_id: str = ""
    ) -> ExerciseState:
        state = cls.new(scenario, exercise_id)
        for event in events:
            state.apply(event)
        return state

    # -- queries -------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self.clock.phase is not ClockPhase.PLANNED

    def status(self, inject: str, team: str) -> ReleaseStatus:
        return self.releases[inject, team].status(self.started)

    def releases_of(self, inject: str) -> list[TeamRelease]:
        return [self.releases[inject, team] for team in self.recipients(inject)]

    def recipients(self, inject: str) -> list[str]:
        return self.scenario.recipients(self.injects[inject])

    def released_to(self, team: str) -> list[TeamRelease]:
        """The team's released injects in release order."""
        mine = [r for r in self.releases.values() if r.team == team and r.released_seq]
        return sorted(mine, key=lambda r: r.released_seq or 0)

    def due_releases(self, wall: float) -> dict[str, list[str]]:
        """Scheduled releases due at ``wall``: inject id -> teams, in due order."""
        if not self.clock.releasing:
            return {}
        now = self.clock.scenario_now(wall)
        due: dict[str, list[str]] = {}
        scheduled = [r for r in self.releases.values() if self._scheduled(r)]
        for release in sorted(scheduled, key=lambda r: (r.due or 0.0, r.inject, r.team)):
            if release.due is not None and release.due <= now:
                due.setdefault(release.inject, []).append(release.team)
        return due

    def next_due_wall(self) -> float | None:
        """The wall time of the next scheduled release (None if nothing is waiting)."""
        if not self.clock.releasing:
            return None
        dues = [r.due for r in self.releases.values() if self._scheduled(r) and r.due is not None]
        return None if not dues else self.clock.due_wall(min(dues))

    def scenario_at(self, wall: float) -> float | None:
        """Scenario time at ``wall`` on the clock as it stands (None before STARTEX)."""
        return self.clock.scenario_now(wall) if self.started else None

    def is_late(self, release: TeamRelease, wall: float) -> bool:
        if release.due is None:
            return False
        due_wall = self.clock.due_wall(release.due)
        return due_wall is not None and wall - due_wall > LATE_AFTER

    def _scheduled(self, release: TeamRelease) -> bool:
        return release.status(self.started) is ReleaseStatus.SCHEDULED

    # -- the fold --------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        if event.seq != self.seq + 1:
            raise ValueError(
                f"event {event.seq} applied after {self.seq}: the fold needs every event"
            )
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        done = applied(event.data)
        if done is not None:
            self.actions.add(done)
        self.seq = event.seq

    def _add_inject(self, inject: Inject) -> None:
        self.injects[inject.id] = inject
        self.versions[inject.id] = 1
        for team in self.scenario.recipients(inject):
            self.releases[inject.id, team] = TeamRelease(inject.id, team, due=inject.at_seconds)
        if isinstance(inject.trigger, AfterTrigger):
            self.dependents.setdefault(inject.trigger.after, []).append(inject.id)
        self._set_cues(inject)

    def _set_cues(self, inject: Inject) -> None:
        """The inject's cues as they are now; a cue that keeps its id keeps its status."""
        kept = {c.cue: c for c in self.cues.values() if c.inject == inject.id}
        for cue_id in kept:
            del self.cues[cue_id]
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            earlier = kept.get(cue_id)
            if earlier is not None and earlier.role == cue.role:
                self.cues[cue_id] = earlier
            else:
                self.cues[cue_id] = CueState(cue_id, cue.role, inject.id)

    def _reached(self, inject: str, team: str, wall: float) -> None:
        """An inject moved on for a team: schedule what was waiting for that (triggers)."""
        release = self.releases[inject, team]
        for dependent in self.dependents.get(inject, []):
            trigger = self.injects[dependent].trigger
            waiting = self.releases.get((dependent, team))
            if not isinstance(trigger, AfterTrigger) or waiting is None or waiting.due is not None:
                continue
            if release.reached(trigger.state):
                waiting.due = self.clock.scenario_now(wall) + trigger.delay_seconds

    def _teams(self, event: Event) -> list[str]:
        teams = event.data.get("teams")
        return list(teams) if teams else self.recipients(event.data["inject"])


def _created(state: ExerciseState, event: Event) -> None:
    state.exercise_id = event.data.get("exercise", state.exercise_id)
    state.name = event.data.get("name", "")
    state.created_at = event.at


def _started(state: ExerciseState, event: Event) -> None:
    state.clock.start(event.at, float(event.data["scenario_time"]))


def _held(state: ExerciseState, event: Event) -> None:
    state.clock.hold(
        event.at, str(event.data.get("reason", "")), bool(event.data.get("shift", True))
    )


def _resumed(state: ExerciseState, event: Event) -> None:
    state.clock.resume(event.at)


def _speed(state: ExerciseState, event: Event) -> None:
    state.clock.set_speed(event.at, float(event.data["speed"]))


def _jumped(state: ExerciseState, event: Event) -> None:
    state.clock.jump(event.at, float(event.data["scenario_time"]))


def _ended(state: ExerciseState, event: Event) -> None:
    state.clock.end(event.at)


def _inject_created(state: ExerciseState, event: Event) -> None:
    state._add_inject(Inject.model_validate(event.data["inject"]))


def _inject_edited(state: ExerciseState, event: Event) -> None:
    inject_id = event.data["inject"]
    current = state.injects[inject_id].model_dump(by_alias=True, exclude_none=True)
    current.update(event.data["changes"])
    state.injects[inject_id] = Inject.model_validate(current)
    state.versions[inject_id] = int(event.data["version"])
    if "cues" in event.data["changes"]:
        state._set_cues(state.injects[inject_id])


def _released(state: ExerciseState, event: Event) -> None:
    inject = event.data["inject"]
    for team in state._teams(event):
        release = state.releases[inject, team]
        release.released_at, release.released_seq = event.at, event.seq
        release.released_scenario = state.scenario_at(event.at)
        release.version = int(event.data.get("version", state.versions[inject]))
        release.late = bool(event.data.get("late", False))
        release.held = False
        state._reached(inject, team, event.at)


def _delivered(state: ExerciseState, event: Event) -> None:
    release = state.releases[event.data["inject"], event.data["team"]]
    if release.delivered_at is None:
        release.delivered_at = event.at
        release.delivered_scenario = state.scenario_at(event.at)
        state._reached(release.inject, release.team, event.at)


def _acknowledged(state: ExerciseState, event: Event) -> None:
    release = state.releases[event.data["inject"], event.data["team"]]
    if release.acknowledged_at is None:
        now = state.scenario_at(event.at)
        if release.delivered_at is None:
            release.delivered_at, release.delivered_scenario = event.at, now
        release.acknowledged_at, release.acknowledged_scenario = event.at, now
        release.acknowledged_by = event.data.get("device")
        state._reached(release.inject, release.team, event.at)


def _set_held(held: bool) -> Callable[[ExerciseState, Event], None]:
    def apply(state: ExerciseState, event: Event) -> None:
        for team in state._teams(event):
            state.releases[event.data["inject"], team].held = held

    return apply


def _rescheduled(state: ExerciseState, event: Event) -> None:
    for team in state._teams(event):
        release = state.releases[event.data["inject"], team]
        release.due, release.held = float(event.data["scenario_time"]), False


def _cancelled(state: ExerciseState, event: Event) -> None:
    for team in state._teams(event):
        state.releases[event.data["inject"], team].cancelled = True


def _cue_status(state: ExerciseState, event: Event) -> None:
    cue = state.cues[event.data["cue"]]
    cue.status, cue.updated_at = CueStatus(event.data["status"]), event.at


def _request_sent(state: ExerciseState, event: Event) -> None:
    data = event.data
    state.requests[data["request"]] = Request(
        data["request"], data["team"], data.get("kind"), data.get("text", ""), event.at, event.seq
    )


def _request_claimed(state: ExerciseState, event: Event) -> None:
    request = state.requests[event.data["request"]]
    request.claimed_by, request.claimed_at = event.data["by"], event.at


def _request_answered(state: ExerciseState, event: Event) -> None:
    """Control's answer reaches the team as a SimCell-answer inject, released at once."""
    request = state.requests[event.data["request"]]
    request.answered_at, request.answered_by = event.at, event.data["by"]
    request.answer_id, request.answer_text = event.data.get("answer"), dict(event.data["text"])
    request.claimed_by = request.claimed_by or event.data["by"]
    inject_id = f"SIM-{request.id}"
    title = event.data.get("title") or {lang: request.id for lang in request.answer_text}
    state._add_inject(
        Inject.model_validate(
            {
                "id": inject_id,
                "trigger": "manual",
                "channel": Channel.SIMCELL_ANSWER,
                "from": event.data.get("sender") or {lang: "SimCell" for lang in title},
                "to": [request.team],
                "title": title,
                "body": request.answer_text,
            }
        )
    )
    request.answer_inject = inject_id
    release = state.releases[inject_id, request.team]
    release.released_at, release.released_seq, release.version = event.at, event.seq, 1
    release.released_scenario = state.scenario_at(event.at)


def _note(kind: str) -> Callable[[ExerciseState, Event], None]:
    def apply(state: ExerciseState, event: Event) -> None:
        data = event.data
        state.notes.append(
            Note(
                seq=event.seq,
                at=event.at,
                by=data.get("by", ""),
                text=data.get("text", ""),
                kind=kind,
                team=data.get("team"),
                inject=data.get("inject"),
                objective=data.get("objective"),
                task=data.get("task"),
                rating=data.get("rating"),
            )
        )

    return apply


def _device_joined(state: ExerciseState, event: Event) -> None:
    data = event.data
    state.devices[data["device"]] = Device(
        data["device"], data.get("name", ""), event.at, data.get("team"), data.get("role")
    )


def _device_renamed(state: ExerciseState, event: Event) -> None:
    state.devices[event.data["device"]].name = event.data["name"]


def _device_revoked(state: ExerciseState, event: Event) -> None:
    state.devices[event.data["device"]].revoked = True


def _join_reissued(state: ExerciseState, event: Event) -> None:
    target = event.data["target"]
    state.join_generations[target] = state.join_generations.get(target, 0) + 1


def _recovered(state: ExerciseState, event: Event) -> None:
    state.recovered.append(event.data)


_HANDLERS: dict[str, Callable[[ExerciseState, Event], None]] = {
    EventType.CREATED: _created,
    EventType.STARTED: _started,
    EventType.HELD: _held,
    EventType.RESUMED: _resumed,
    EventType.SPEED_SET: _speed,
    EventType.JUMPED: _jumped,
    EventType.ENDED: _ended,
    EventType.INJECT_CREATED: _inject_created,
    EventType.INJECT_EDITED: _inject_edited,
    EventType.INJECT_RELEASED: _released,
    EventType.INJECT_DELIVERED: _delivered,
    EventType.INJECT_ACKNOWLEDGED: _acknowledged,
    EventType.INJECT_HELD: _set_held(True),
    EventType.INJECT_UNHELD: _set_held(False),
    EventType.INJECT_RESCHEDULED: _rescheduled,
    EventType.INJECT_CANCELLED: _cancelled,
    EventType.CUE_STATUS: _cue_status,
    EventType.REQUEST_SENT: _request_sent,
    EventType.REQUEST_CLAIMED: _request_claimed,
    EventType.REQUEST_ANSWERED: _request_answered,
    EventType.NOTE_ADDED: _note("note"),
    EventType.OBSERVATION_ADDED: _note("observation"),
    EventType.DEVICE_JOINED: _device_joined,
    EventType.DEVICE_RENAMED: _device_renamed,
    EventType.DEVICE_REVOKED: _device_revoked,
    EventType.JOIN_REISSUED: _join_reissued,
    EventType.RECOVERED: _recovered,
    **safety.HANDLERS,
}
