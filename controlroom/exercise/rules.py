"""What each event requires of the state, and the change it makes. Design: docs/exercise.md.

``plan(state, payload)`` checks every precondition of the event against the state as it
stands and raises ``NotApplicable`` if one fails, changing nothing; it returns the change
(a ``Commit``) that cannot fail once checked. The runtime plans a command's event before it
appends it (an event that would not fold is refused, never written); the fold plans every
journal event and sets aside the ones that fail. No copy of the state is ever made.
"""

from __future__ import annotations

from pydantic import ValidationError

from controlroom.exercise import (
    cue_rules,
    device_rules,
    evaluation_rules,
    pacing_rules,
    reply_rules,
    safety,
    simcell_rules,
)
from controlroom.exercise.actions import remember
from controlroom.exercise.events import (
    ClockEnded,
    ClockHeld,
    ClockJumped,
    ClockResumed,
    ClockStarted,
    ControllerAssigned,
    CueReported,
    DeviceJoined,
    DeviceRenamed,
    DeviceRevoked,
    ExerciseCreated,
    Fact,
    InjectAcknowledged,
    InjectCancelled,
    InjectCreated,
    InjectDelivered,
    InjectEdited,
    InjectHeld,
    InjectReleased,
    InjectRescheduled,
    InjectUnheld,
    JoinReissued,
    JournalRecovered,
    NoteAdded,
    ObservationAdded,
    ObservationCorrected,
    ObservationWithdrawn,
    Payload,
    ReplyAnswered,
    ReplySent,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    RevealMarked,
    SafetyAutohold,
    SafetyCalled,
    SafetySeen,
    SafetyStopped,
    SpeedSet,
    TeamHeld,
    TeamResumed,
    TeamShifted,
)
from controlroom.exercise.lifecycles import ClockMove, ReleaseMove
from controlroom.exercise.rule_checks import (
    check_inject,
    known_inject,
    movable,
    require_clock,
    require_time,
)
from controlroom.exercise.state import (
    Commit,
    ExerciseState,
    NotApplicable,
)
from controlroom.exercise.tap_time import when
from controlroom.scenario.model import Inject

EDITABLE = frozenset(
    {
        "title",
        "body",
        "from",
        "channel",
        "attachments",
        "expected_actions",
        "notes",
        "objectives",
        "controller",
        "cues",
    }
)


def plan(state: ExerciseState, payload: Payload) -> Commit:
    # The commonest events of a week's journal first: a class pattern is an isinstance check.
    match payload:
        case CueReported() | RevealMarked():
            return cue_rules.plan(state, payload)
        case InjectDelivered() | InjectAcknowledged():
            return _received(state, payload)
        case ExerciseCreated():
            return _created(state, payload)
        case ClockStarted():
            require_clock(state, ClockMove.START)
            require_time(state, payload.scenario_time)
            return lambda f: state.clock.start(f.at, payload.scenario_time)
        case ClockHeld():
            require_clock(state, ClockMove.HOLD if payload.shift else ClockMove.PAUSE)
            return lambda f: state.clock.hold(f.at, payload.reason, payload.shift)
        case ClockResumed():
            require_clock(state, ClockMove.RESUME)
            return lambda f: state.clock.resume(f.at)
        case SpeedSet():
            require_clock(state, ClockMove.SPEED)
            return lambda f: state.clock.set_speed(f.at, payload.speed)
        case ClockJumped():
            require_clock(state, ClockMove.JUMP)
            require_time(state, payload.scenario_time)
            return lambda f: _jumped(state, f.at, payload.scenario_time)
        case ClockEnded():
            require_clock(state, ClockMove.END)
            return lambda f: state.clock.end(f.at)
        case InjectCreated():
            return _inject_created(state, payload.inject)
        case InjectEdited():
            return _inject_edited(state, payload)
        case InjectReleased():
            return _released(state, payload)
        case InjectHeld() | InjectUnheld():
            held = isinstance(payload, InjectHeld)
            move = ReleaseMove.HOLD if held else ReleaseMove.UNHOLD
            teams = movable(state, payload.inject, payload.teams, move)
            return lambda f: _set(state, payload.inject, teams, held=held)
        case InjectRescheduled():
            require_time(state, payload.scenario_time)
            teams = movable(state, payload.inject, payload.teams, ReleaseMove.RESCHEDULE)
            return lambda f: _rescheduled(state, payload.inject, teams, payload.scenario_time)
        case InjectCancelled():
            teams = movable(state, payload.inject, payload.teams, ReleaseMove.CANCEL)
            return lambda f: _set(state, payload.inject, teams, cancelled=True)
        case TeamHeld() | TeamResumed() | TeamShifted():
            return pacing_rules.plan(state, payload)
        case RequestSent() | RequestClaimed() | RequestAnswered() | ControllerAssigned():
            return simcell_rules.plan(state, payload)
        case ReplySent() | ReplyAnswered():
            return reply_rules.plan(state, payload)
        case NoteAdded() | ObservationAdded() | ObservationCorrected() | ObservationWithdrawn():
            return evaluation_rules.plan(state, payload)
        case DeviceJoined() | DeviceRenamed() | DeviceRevoked() | JoinReissued():
            return device_rules.plan(state, payload)
        case SafetyStopped() | SafetyCalled() | SafetySeen() | SafetyAutohold():
            return safety.plan(state, payload)
        case JournalRecovered():
            return lambda f: state.recovered.append(payload)
    raise NotApplicable(f"{payload.TYPE} is not an event the fold applies")


# -- plans ----------------------------------------------------------------------------------------


def _created(state: ExerciseState, payload: ExerciseCreated) -> Commit:
    if state.seq != 0:
        raise NotApplicable("exercise.created after the first event")

    def commit(fact: Fact) -> None:
        state.exercise_id = payload.exercise or state.exercise_id
        state.name = payload.name
        state.created_at = fact.at

    return commit


def _inject_created(state: ExerciseState, inject: Inject) -> Commit:
    if inject.id in state.injects:
        raise NotApplicable(f"inject {inject.id} already exists")
    check_inject(state, inject)
    return lambda f: state._add_inject(inject)


def _left_behind(state: ExerciseState, payload: InjectEdited, previous: int) -> None:
    """Which languages' texts this edit left at an older version (``state.behind``)."""
    if payload.languages is None:  # not recorded: every language is taken as updated
        state.behind.pop(payload.inject, None)
        return
    if not payload.languages:  # no team-visible text changed: nobody falls further behind
        return
    behind = state.behind.setdefault(payload.inject, {})
    # A new change (it touches a language that was up to date) leaves the languages it does
    # not touch behind; an edit of lagging languages only is a catch-up: they are current.
    catching_up = all(language in behind for language in payload.languages)
    for language in state.scenario.languages:
        if language in payload.languages:
            behind.pop(language, None)
        elif not catching_up:
            behind.setdefault(language, previous)
    if not behind:
        del state.behind[payload.inject]


def _inject_edited(state: ExerciseState, payload: InjectEdited) -> Commit:
    current = known_inject(state, payload.inject)
    unknown = set(payload.changes) - EDITABLE
    if unknown:
        raise NotApplicable(f"fields that cannot be edited: {', '.join(sorted(unknown))}")
    if payload.version <= state.versions[payload.inject]:
        raise NotApplicable(f"version {payload.version} is not newer")
    merged = current.model_dump(by_alias=True, exclude_none=True) | payload.changes
    try:
        edited = Inject.model_validate(merged)
    except ValidationError as error:
        raise NotApplicable(f"the edited inject is not valid: {error.errors()[0]['msg']}") from None
    check_inject(state, edited)

    def commit(fact: Fact) -> None:
        _left_behind(state, payload, state.versions[edited.id])
        state.injects[edited.id] = edited
        state.versions[edited.id] = payload.version
        if "cues" in payload.changes:
            state._set_cues(edited)

    return commit


def _released(state: ExerciseState, payload: InjectReleased) -> Commit:
    teams = movable(state, payload.inject, payload.teams, ReleaseMove.RELEASE)
    version = payload.version or state.versions[payload.inject]

    def commit(fact: Fact) -> None:
        for team in teams:
            release = state.releases[payload.inject, team]
            release.released_at, release.released_seq = fact.at, fact.seq
            release.released_scenario = state.scenario_at(fact.at)
            release.released_team = state.team_now(team, fact.at)
            release.version, release.late, release.held = version, payload.late, False
            state._reached(payload.inject, team, fact.at)
            simcell_rules.answer_arrived(state, payload.inject, team, fact.at)

    return commit


def _received(state: ExerciseState, payload: InjectDelivered | InjectAcknowledged) -> Commit:
    known_inject(state, payload.inject)
    release = state.releases.get((payload.inject, payload.team))
    if release is None or release.released_at is None:
        raise NotApplicable(f"inject {payload.inject} has not been released to {payload.team}")
    acknowledged = isinstance(payload, InjectAcknowledged)

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        # an acknowledgement counts when it was tapped (a delivery: when it arrived); a tap
        # before the clock's last change counts at that change (``scenario_now``)
        at = when(payload, fact.at) if isinstance(payload, InjectAcknowledged) else fact.at
        now = state.scenario_at(at)
        changed = False
        if release.delivered_at is None:
            release.delivered_at, release.delivered_scenario, changed = at, now, True
        if acknowledged and release.acknowledged_at is None:
            release.acknowledged_at, release.acknowledged_scenario = at, now
            release.acknowledged_by, changed = payload.device, True
            release.acknowledged_received = fact.at
        if changed:
            state._reached(release.inject, release.team, fact.at)

    return commit


def _set(
    state: ExerciseState,
    inject: str,
    teams: list[str],
    *,
    held: bool | None = None,
    cancelled: bool = False,
) -> None:
    for team in teams:
        release = state.releases[inject, team]
        if held is not None:
            release.held = held
        release.cancelled = release.cancelled or cancelled


def _rescheduled(state: ExerciseState, inject: str, teams: list[str], at: float) -> None:
    for team in teams:
        release = state.releases[inject, team]
        release.due, release.held = at, False


def _jumped(state: ExerciseState, wall: float, scenario_time: float) -> None:
    by = scenario_time - state.clock.scenario_now(wall)
    state.clock.jump(wall, scenario_time)
    pacing_rules.jumped(state, by)
