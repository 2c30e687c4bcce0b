"""The fold: an exercise's current state, derived from its events and nothing else.

Design: docs/exercise.md. ``ExerciseState.apply`` is the only way state changes; a restart,
a second worker or an after-action replay folds the same journal into the same state. What
each event requires of the state and how it changes it is in ``controlroom.exercise.rules``:
an event is first checked (``plan``), and only a checked event changes anything, so the fold
never fails halfway. An event in the journal that does not pass is set aside, not dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from controlroom.exercise import cues
from controlroom.exercise.cues import CueInstance, CueRun
from controlroom.exercise.events import (
    Fact,
    JournalRecovered,
    Payload,
    SetAside,
    Unreadable,
    decode,
)
from controlroom.exercise.lifecycles import (
    ClockPhase,
    CueStatus,
    DeviceStatus,
    ReleaseMove,
    ReleaseStatus,
    ReplyStatus,
    RequestStatus,
    TeamPhase,
)
from controlroom.exercise.pacing import TeamPace
from controlroom.exercise.records import (
    LATE_AFTER,
    Assignment,
    CueState,
    Device,
    NotApplicable,
    Note,
    Reply,
    ReplyAnswer,
    Request,
    TeamRelease,
)
from controlroom.exercise.scenario_clock import ScenarioClock
from controlroom.journal import Event
from controlroom.scenario.model import AfterTrigger, Inject, PlayerTrigger, Scenario

if TYPE_CHECKING:
    from controlroom.exercise.safety import SafetyAlert

logger = logging.getLogger("controlroom.exercise.state")
Commit = Callable[[Fact], None]  # a checked event's change to the state: cannot fail

# The records live in ``records``; they are named here too, as part of the state.
__all__ = [
    "Assignment",
    "ClockPhase",
    "Commit",
    "CueInstance",
    "CueRun",
    "CueState",
    "CueStatus",
    "Device",
    "DeviceStatus",
    "ExerciseState",
    "NotApplicable",
    "Note",
    "ReleaseStatus",
    "Reply",
    "ReplyAnswer",
    "ReplyStatus",
    "Request",
    "RequestStatus",
    "SetAside",
    "TeamPace",
    "TeamPhase",
    "TeamRelease",
]


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
    # inject -> {language: the version its text is from}, for languages an edit left behind
    behind: dict[str, dict[str, int]] = field(default_factory=dict)
    releases: dict[tuple[str, str], TeamRelease] = field(default_factory=dict)
    dependents: dict[str, list[str]] = field(default_factory=dict)
    # the injects whose trigger is something players do, in the order of ``injects`` (a
    # trigger is not editable): what ``_players_did`` looks at, not every ad-hoc inject
    player_triggered: dict[str, None] = field(default_factory=dict)
    cues: dict[str, CueState] = field(default_factory=dict)  # cue id -> its runs per team
    paces: dict[str, TeamPace] = field(default_factory=dict)  # team -> its own pace
    requests: dict[str, Request] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)  # controller -> theirs
    replies: dict[str, Reply] = field(default_factory=dict)  # teams' replies to injects
    notes: list[Note] = field(default_factory=list)
    observations: dict[int, Note] = field(default_factory=dict)  # by seq: the same Notes
    devices: dict[str, Device] = field(default_factory=dict)
    join_generations: dict[str, int] = field(default_factory=dict)  # join target -> re-issues
    recovered: list[JournalRecovered] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)  # events the fold could not apply
    actions: set[tuple[str, str]] = field(default_factory=set)  # (device, action) applied
    safety: dict[str, SafetyAlert] = field(default_factory=dict)  # actors' alerts by id
    safety_autohold: bool = False  # a STOP holds the unreleased injects of its case

    @classmethod
    def new(cls, scenario: Scenario, exercise_id: str = "") -> ExerciseState:
        state = cls(scenario=scenario, exercise_id=exercise_id)
        state.paces = {team: TeamPace(team) for team in scenario.team_ids}
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

    # -- the fold ----------------------------------------------------------------------------

    def apply(self, event: Event) -> Fact:
        """Fold one journal event in; never fails on what the event holds.

        An event that cannot be read or applied (an older version, a damaged file, an
        unknown type, a reference to something unknown) is set aside: kept in ``set_aside``
        and returned as a ``SetAside`` fact, so control is told. Only a gap in sequence
        numbers raises: that is a bug of the caller, not of the journal.
        """
        if event.seq != self.seq + 1:
            raise ValueError(
                f"event {event.seq} applied after {self.seq}: the fold needs every event"
            )
        try:
            fact = decode(event)
            commit = self.plan(fact.payload)
        except (Unreadable, NotApplicable) as error:
            return self._set_aside(event, str(error))
        except Exception as error:  # a bug in a check: still never lose the exercise
            logger.exception("checking event %s of %s failed", event.seq, self.exercise_id)
            return self._set_aside(event, f"{type(error).__name__}: {error}")
        self.commit(fact, commit)
        return fact

    def plan(self, payload: Payload) -> Commit:
        """Check ``payload`` against the state as it stands; the change to make if it fits.

        Raises ``NotApplicable``; changes nothing. The runtime plans before it appends, so
        an event that would not fold is refused and never written.
        """
        return rules.plan(self, payload)

    def commit(self, fact: Fact, commit: Commit) -> None:
        """Make a planned change (``fact.seq`` must follow ``seq``)."""
        commit(fact)
        self.seq = fact.seq

    def _set_aside(self, event: Event, reason: str) -> Fact:
        aside = SetAside(seq=event.seq, type=str(event.type)[:80], reason=reason[:300])
        logger.warning(
            "exercise %s: event %s (%s) set aside: %s",
            self.exercise_id,
            event.seq,
            aside.type,
            reason,
        )
        self.set_aside.append(aside)
        self.seq = event.seq
        return Fact(event.seq, event.at, aside)

    # -- queries -------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self.clock.phase is not ClockPhase.PLANNED

    def status(self, inject: str, team: str) -> ReleaseStatus:
        return self.releases[inject, team].status(self.started)

    def can(self, inject: str, team: str, move: ReleaseMove) -> bool:
        """Whether ``move`` is allowed for the inject's release to ``team`` now."""
        release = self.releases.get((inject, team))
        return release is not None and release.can(move, self.started)

    def releases_of(self, inject: str) -> list[TeamRelease]:
        return [self.releases[inject, team] for team in self.recipients(inject)]

    def recipients(self, inject: str) -> list[str]:
        return self.scenario.recipients(self.injects[inject])

    def released_to(self, team: str) -> list[TeamRelease]:
        """The team's released injects in release order."""
        mine = [r for r in self.releases.values() if r.team == team and r.released_seq]
        return sorted(mine, key=lambda r: r.released_seq or 0)

    def thread(self, inject: str, team: str) -> list[Reply]:
        """``team``'s replies to ``inject``, oldest first (each with control's answers)."""
        return [r for r in self.replies.values() if r.inject == inject and r.team == team]

    def assigned_to(self, team: str) -> list[str]:
        """The controllers the director assigned ``team`` to (by name, sorted)."""
        return sorted(name for name, mine in self.assignments.items() if team in mine.teams)

    def due_releases(self, wall: float) -> dict[str, list[str]]:
        """Scheduled releases due at ``wall`` on their teams' own clocks (a held or paused
        team's wait): inject id -> teams, in due order."""
        if not self.clock.releasing:
            return {}
        now = self.clock.scenario_now(wall)
        due: dict[str, list[str]] = {}
        timed = []
        for release in filter(self._scheduled, self.releases.values()):
            pace = self.pace(release.team)
            if release.due is not None and pace.releasing:
                timed.append((pace.exercise_time(release.due, now), release))
        for at, release in sorted(timed, key=lambda x: (x[0], x[1].inject, x[1].team)):
            if at <= now:
                due.setdefault(release.inject, []).append(release.team)
        return due

    def next_due_wall(self) -> float | None:
        """The wall time of the next scheduled release (None if nothing is waiting)."""
        if not self.clock.releasing:
            return None
        now = self.clock.anchor_scenario
        dues = [
            self.pace(r.team).exercise_time(r.due, now)
            for r in self.releases.values()
            if self._scheduled(r) and r.due is not None and self.pace(r.team).releasing
        ]
        return None if not dues else self.clock.due_wall(min(dues))

    def scenario_at(self, wall: float) -> float | None:
        """Scenario time at ``wall`` on the clock as it stands (None before STARTEX)."""
        return self.clock.scenario_now(wall) if self.started else None

    # -- each team at its own pace (controlroom/exercise/pacing.py) ------------------------

    def pace(self, team: str) -> TeamPace:
        """The team's pace (a team the state has none for runs on the exercise clock)."""
        return self.paces.get(team) or TeamPace(team)

    def team_offset(self, team: str, wall: float | None = None) -> float:
        """Seconds ``team`` runs behind the exercise clock at ``wall`` (None: at the clock's
        last event, a current team hold not counted yet)."""
        now = self.clock.anchor_scenario if wall is None else self.clock.scenario_now(wall)
        return self.pace(team).offset_at(now)

    def team_now(self, team: str, wall: float) -> float | None:
        """The team's own scenario time at ``wall`` (None before STARTEX)."""
        if not self.started:
            return None
        return self.pace(team).team_now(self.clock.scenario_now(wall))

    def release_wall(self, release: TeamRelease) -> float | None:
        """The wall time its due time comes on its team's clock (None: time stands still)."""
        if release.due is None:
            return None
        pace = self.pace(release.team)
        if pace.phase is TeamPhase.HELD:
            return None
        return self.clock.due_wall(pace.exercise_time(release.due, self.clock.anchor_scenario))

    def is_late(self, release: TeamRelease, wall: float) -> bool:
        due_wall = self.release_wall(release)
        return due_wall is not None and wall - due_wall > LATE_AFTER

    # -- a cue per team (controlroom/exercise/cues.py) -------------------------------------

    def cue_instance(self, cue: str, team: str, wall: float | None = None) -> CueInstance:
        """The cue ``cue`` for ``team`` (``KeyError`` if its inject does not go to the team)."""
        return cues.instance(self, cue, team, wall)

    def cue_instances(
        self,
        *,
        role: str | None = None,
        team: str | None = None,
        inject: str | None = None,
        wall: float | None = None,
    ) -> list[CueInstance]:
        """Every cue instance, optionally of one role, team or inject, ordered by time."""
        return cues.instances(self, role=role, team=team, inject=inject, wall=wall)

    def _scheduled(self, release: TeamRelease) -> bool:
        return release.status(self.started) is ReleaseStatus.SCHEDULED

    def _add_inject(self, inject: Inject) -> None:
        self.injects[inject.id] = inject
        self.versions[inject.id] = 1
        for team in self.scenario.recipients(inject):
            self.releases[inject.id, team] = TeamRelease(inject.id, team, due=inject.at_seconds)
        if isinstance(inject.trigger, AfterTrigger):
            self.dependents.setdefault(inject.trigger.after, []).append(inject.id)
        if isinstance(inject.trigger, PlayerTrigger):
            self.player_triggered[inject.id] = None
        self._set_cues(inject)

    def _set_cues(self, inject: Inject) -> None:
        """The inject's cues as they are now, one run per team it goes to; a cue that keeps
        its id and role keeps each team's status and reveals."""
        kept = {c.cue: c for c in self.cues.values() if c.inject == inject.id}
        for cue_id in kept:
            del self.cues[cue_id]
        teams = self.scenario.recipients(inject)
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            earlier = kept.get(cue_id)
            if earlier is not None and earlier.role == cue.role:
                self.cues[cue_id] = earlier
            else:
                runs = {team: CueRun(cue_id, team) for team in teams}
                self.cues[cue_id] = CueState(cue_id, cue.role, inject.id, runs)

    def _players_did(
        self, wall: float, teams: Iterable[str], fits: Callable[[PlayerTrigger], bool]
    ) -> None:
        """Teams did something: schedule (or propose) what waits for it, to them, once."""
        for inject_id in self.player_triggered:
            inject = self.injects[inject_id]
            trigger = inject.trigger
            if not isinstance(trigger, PlayerTrigger) or not fits(trigger):
                continue
            for team in teams:
                self._fire(inject.id, team, trigger.delay_seconds, trigger.confirm, wall)

    def _reached(self, inject: str, team: str, wall: float) -> None:
        """An inject moved on for a team: schedule what was waiting for that (triggers)."""
        release = self.releases[inject, team]
        for dependent in self.dependents.get(inject, []):
            trigger = self.injects[dependent].trigger
            waiting = self.releases.get((dependent, team))
            if not isinstance(trigger, AfterTrigger) or waiting is None or waiting.due is not None:
                continue
            if trigger.state != "replied" and release.reached(trigger.state):
                waiting.due = self._team_time(team, wall) + trigger.delay_seconds

    def _replied(self, inject: str, team: str, wall: float) -> None:
        """``team`` replied to ``inject``: schedule (or propose) what waits for its reply, to
        that team, once (a later reply finds it scheduled, proposed or released)."""
        for dependent in self.dependents.get(inject, []):
            trigger = self.injects[dependent].trigger
            if isinstance(trigger, AfterTrigger) and trigger.state == "replied":
                self._fire(dependent, team, trigger.delay_seconds, trigger.confirm, wall)

    def _fire(self, inject: str, team: str, delay: float, confirm: bool, wall: float) -> None:
        """A trigger of ``inject`` fired for ``team``: schedule it ``delay`` after now on the
        team's clock, or propose it to control (``confirm``), once: a release already
        scheduled, proposed, released or cancelled stays as it is."""
        waiting = self.releases.get((inject, team))
        if waiting is None or waiting.due is not None or waiting.proposed:
            return
        if waiting.released_at is not None or waiting.cancelled:
            return
        if confirm:
            waiting.proposed = True
        else:
            waiting.due = self._team_time(team, wall) + delay

    def _team_time(self, team: str, wall: float) -> float:
        """The team's own time at ``wall`` (the exercise clock's anchor before STARTEX)."""
        return self.pace(team).team_now(self.clock.scenario_now(wall))


from controlroom.exercise import rules  # noqa: E402 - the rules use the classes above
