"""What each event requires of the state, and the change it makes. Design: docs/exercise.md.

``plan(state, payload)`` checks every precondition of the event against the state as it
stands and raises ``NotApplicable`` if one fails, changing nothing; it returns the change
(a ``Commit``) that cannot fail once checked. The runtime plans a command's event before it
appends it (an event that would not fold is refused, never written); the fold plans every
journal event and sets aside the ones that fail. No copy of the state is ever made.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from controlroom.exercise import safety
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
    Payload,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    SafetyAutohold,
    SafetyCalled,
    SafetySeen,
    SafetyStopped,
    SpeedSet,
    simcell_sender,
)
from controlroom.exercise.lifecycles import (
    CLOCK,
    CUE,
    ClockMove,
    CueStatus,
    DeviceMove,
    ReleaseMove,
    RequestMove,
)
from controlroom.exercise.state import (
    Assignment,
    Commit,
    Device,
    ExerciseState,
    NotApplicable,
    Note,
    Request,
)
from controlroom.scenario.model import Inject, PlayerTrigger
from controlroom.scenario.time import DAY

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
        case CueReported():
            return _cue(state, payload)
        case InjectDelivered() | InjectAcknowledged():
            return _received(state, payload)
        case ExerciseCreated():
            return _created(state, payload)
        case ClockStarted():
            _clock(state, ClockMove.START)
            _time(state, payload.scenario_time)
            return lambda f: state.clock.start(f.at, payload.scenario_time)
        case ClockHeld():
            _clock(state, ClockMove.HOLD if payload.shift else ClockMove.PAUSE)
            return lambda f: state.clock.hold(f.at, payload.reason, payload.shift)
        case ClockResumed():
            _clock(state, ClockMove.RESUME)
            return lambda f: state.clock.resume(f.at)
        case SpeedSet():
            _clock(state, ClockMove.SPEED)
            return lambda f: state.clock.set_speed(f.at, payload.speed)
        case ClockJumped():
            _clock(state, ClockMove.JUMP)
            _time(state, payload.scenario_time)
            return lambda f: state.clock.jump(f.at, payload.scenario_time)
        case ClockEnded():
            _clock(state, ClockMove.END)
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
            teams = _movable(state, payload.inject, payload.teams, move)
            return lambda f: _set(state, payload.inject, teams, held=held)
        case InjectRescheduled():
            _time(state, payload.scenario_time)
            teams = _movable(state, payload.inject, payload.teams, ReleaseMove.RESCHEDULE)
            return lambda f: _rescheduled(state, payload.inject, teams, payload.scenario_time)
        case InjectCancelled():
            teams = _movable(state, payload.inject, payload.teams, ReleaseMove.CANCEL)
            return lambda f: _set(state, payload.inject, teams, cancelled=True)
        case RequestSent():
            return _request_sent(state, payload)
        case RequestClaimed():
            request = _request(state, payload.request, RequestMove.CLAIM)
            return lambda f: _claim(request, payload, f.at)
        case RequestAnswered():
            return _request_answered(state, payload)
        case ControllerAssigned():
            return _assigned(state, payload)
        case NoteAdded() | ObservationAdded():
            return _note(state, payload)
        case DeviceJoined():
            return _device_joined(state, payload)
        case DeviceRenamed():
            device = _device(state, payload.device, DeviceMove.RENAME)
            return lambda f: setattr(device, "name", payload.name)
        case DeviceRevoked():
            device = _device(state, payload.device, DeviceMove.REVOKE)
            return lambda f: setattr(device, "revoked", True)
        case JoinReissued():
            return _join_reissued(state, payload)
        case SafetyStopped() | SafetyCalled() | SafetySeen() | SafetyAutohold():
            return safety.plan(state, payload)
        case JournalRecovered():
            return lambda f: state.recovered.append(payload)
    raise NotApplicable(f"{payload.TYPE} is not an event the fold applies")


# -- checks ---------------------------------------------------------------------------------------


def _clock(state: ExerciseState, move: ClockMove) -> None:
    if not CLOCK.can(state.clock.phase, move):
        raise NotApplicable(f"a {state.clock.phase.value} clock cannot {move.value}")


def _time(state: ExerciseState, scenario_time: float) -> None:
    if not 0 <= scenario_time < state.scenario.days * DAY:
        raise NotApplicable(f"scenario time {scenario_time} is outside the exercise")


def _known_inject(state: ExerciseState, inject: str) -> Inject:
    try:
        return state.injects[inject]
    except KeyError:
        raise NotApplicable(f"unknown inject {inject!r}") from None


def _teams(state: ExerciseState, inject: str, teams: Iterable[str]) -> list[str]:
    recipients = state.recipients(_known_inject(state, inject).id)
    wanted = list(teams) or recipients
    strangers = sorted(set(wanted) - set(recipients))
    if strangers:
        raise NotApplicable(f"inject {inject} is not addressed to {', '.join(strangers)}")
    return wanted


def _movable(
    state: ExerciseState, inject: str, teams: Iterable[str], move: ReleaseMove
) -> list[str]:
    wanted = _teams(state, inject, teams)
    for team in wanted:
        if not state.can(inject, team, move):
            status = state.status(inject, team).value
            raise NotApplicable(f"inject {inject} is {status} for {team}: cannot {move.value}")
    return wanted


def _check_inject(state: ExerciseState, inject: Inject) -> None:
    unknown = set(state.scenario.recipients(inject)) - set(state.scenario.team_ids)
    if unknown:
        raise NotApplicable(f"unknown team {', '.join(sorted(unknown))}")
    roles = {role.id for role in state.scenario.roles}
    for cue in inject.cues:
        if cue.role not in roles:
            raise NotApplicable(f"unknown actor role {cue.role!r}")
    if len(set(inject.cue_ids())) != len(inject.cues):
        raise NotApplicable(f"inject {inject.id} has two cues with one id")
    taken = {c.cue for c in state.cues.values() if c.inject != inject.id}
    if taken & set(inject.cue_ids()):
        raise NotApplicable(f"a cue id of inject {inject.id} is taken by another inject")
    if inject.at_seconds is not None:
        _time(state, inject.at_seconds)


def _request(state: ExerciseState, request: str, move: RequestMove) -> Request:
    current = state.requests.get(request)
    if current is None:
        raise NotApplicable(f"unknown request {request!r}")
    if not current.can(move):
        raise NotApplicable(f"request {request} is {current.status.value}: cannot {move.value}")
    return current


def _device(state: ExerciseState, device: str, move: DeviceMove) -> Device:
    current = state.devices.get(device)
    if current is None:
        raise NotApplicable(f"unknown device {device!r}")
    if not current.can(move):
        raise NotApplicable(f"device {device} is {current.status.value}: cannot {move.value}")
    return current


def _known_team(state: ExerciseState, team: str | None) -> None:
    if team is not None and team not in state.scenario.team_ids:
        raise NotApplicable(f"unknown team {team!r}")


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
    _check_inject(state, inject)
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
    current = _known_inject(state, payload.inject)
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
    _check_inject(state, edited)

    def commit(fact: Fact) -> None:
        _left_behind(state, payload, state.versions[edited.id])
        state.injects[edited.id] = edited
        state.versions[edited.id] = payload.version
        if "cues" in payload.changes:
            state._set_cues(edited)

    return commit


def _released(state: ExerciseState, payload: InjectReleased) -> Commit:
    teams = _movable(state, payload.inject, payload.teams, ReleaseMove.RELEASE)
    version = payload.version or state.versions[payload.inject]

    def commit(fact: Fact) -> None:
        for team in teams:
            release = state.releases[payload.inject, team]
            release.released_at, release.released_seq = fact.at, fact.seq
            release.released_scenario = state.scenario_at(fact.at)
            release.version, release.late, release.held = version, payload.late, False
            state._reached(payload.inject, team, fact.at)
            _answer_arrived(state, payload.inject, team, fact.at)

    return commit


def _received(state: ExerciseState, payload: InjectDelivered | InjectAcknowledged) -> Commit:
    _known_inject(state, payload.inject)
    release = state.releases.get((payload.inject, payload.team))
    if release is None or release.released_at is None:
        raise NotApplicable(f"inject {payload.inject} has not been released to {payload.team}")
    acknowledged = isinstance(payload, InjectAcknowledged)

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        now = state.scenario_at(fact.at)
        changed = False
        if release.delivered_at is None:
            release.delivered_at, release.delivered_scenario, changed = fact.at, now, True
        if acknowledged and release.acknowledged_at is None:
            release.acknowledged_at, release.acknowledged_scenario = fact.at, now
            release.acknowledged_by, changed = payload.device, True
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


def _cue(state: ExerciseState, payload: CueReported) -> Commit:
    cue = state.cues.get(payload.cue)
    if cue is None or cue.role != payload.role:
        raise NotApplicable(f"no cue {payload.cue!r} for role {payload.role!r}")
    if not CUE.can(cue.status, payload.status):
        raise NotApplicable(f"a {cue.status.value} cue cannot become {payload.status.value}")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        cue.status, cue.updated_at = payload.status, fact.at
        if payload.status is CueStatus.DONE:  # to the teams both injects go to
            teams = state.recipients(cue.inject)
            state._players_did(fact.at, teams, lambda t: t.cue == payload.cue)

    return commit


def _request_sent(state: ExerciseState, payload: RequestSent) -> Commit:
    if payload.request in state.requests:
        raise NotApplicable(f"request {payload.request} already exists")
    _known_team(state, payload.team)
    if payload.kind is not None and payload.kind not in {r.id for r in state.scenario.requests}:
        raise NotApplicable(f"unknown request type {payload.kind!r}")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        state.requests[payload.request] = Request(
            payload.request, payload.team, payload.kind, payload.text, fact.at, fact.seq
        )
        state.requests[payload.request].sent_scenario = state.scenario_at(fact.at)
        kind = payload.kind
        state._players_did(fact.at, [payload.team], lambda t: t.request == kind and t.on == "sent")

    return commit


def _claim(request: Request, payload: RequestClaimed, at: float) -> None:
    if payload.took_over_from is not None:
        request.taken_over.append((payload.took_over_from, payload.by))
    request.claimed_by, request.claimed_at = payload.by, at


def answer_inject(request: Request, payload: RequestAnswered) -> Inject:
    """The answer inject a request's answer becomes (``ValidationError`` if not valid)."""
    title = payload.title or {lang: request.id for lang in payload.text}
    return Inject.model_validate(
        {
            "id": f"SIM-{request.id}",
            "trigger": "manual",
            "channel": payload.channel,
            "from": payload.sender or simcell_sender(title),  # older journals
            "to": [request.team],
            "title": title,
            "body": payload.text,
            "attachments": list(payload.attachments),
        }
    )


def _answer_arrived(state: ExerciseState, inject: str, team: str, wall: float) -> None:
    """A request's answer reached its team: what waits for that answer fires (triggers)."""
    request = state.requests.get(inject.removeprefix("SIM-"))
    if request is None or request.answer_inject != inject or request.team != team:
        return
    kind, answer = request.kind, request.answer_id
    state._players_did(
        wall,
        [team],
        lambda t: t.request == kind and t.on == "answered" and t.answer in (None, answer),
    )


def _request_answered(state: ExerciseState, payload: RequestAnswered) -> Commit:
    request = _request(state, payload.request, RequestMove.ANSWER)
    try:
        inject = answer_inject(request, payload)
    except ValidationError as error:
        raise NotApplicable(f"the answer is not valid: {error.errors()[0]['msg']}") from None
    if inject.id in state.injects:
        raise NotApplicable(f"inject {inject.id} already exists")
    _check_inject(state, inject)

    def commit(fact: Fact) -> None:
        request.answered_at, request.answered_by = fact.at, payload.by
        request.answer_id, request.answer_text = payload.answer, dict(payload.text)
        request.claimed_by = request.claimed_by or payload.by
        state._add_inject(inject)
        request.answer_inject = inject.id
        release = state.releases[inject.id, request.team]
        now = state.scenario_at(fact.at)
        if payload.due is not None and now is not None and now < payload.due:
            request.answer_due = release.due = payload.due  # the release clock sends it then
            return
        release.released_at, release.released_seq, release.version = fact.at, fact.seq, 1
        release.released_scenario = now
        _answer_arrived(state, inject.id, request.team, fact.at)

    return commit


def _assigned(state: ExerciseState, payload: ControllerAssigned) -> Commit:
    for team in payload.teams:
        _known_team(state, team)
    unknown = set(payload.cases) - {c.id for c in state.scenario.cases}
    if unknown:
        raise NotApplicable(f"unknown case {sorted(unknown)[0]!r}")

    def commit(fact: Fact) -> None:
        if payload.teams or payload.cases:
            state.assignments[payload.controller] = Assignment(payload.teams, payload.cases)
        else:
            state.assignments.pop(payload.controller, None)

    return commit


def _note(state: ExerciseState, payload: NoteAdded | ObservationAdded) -> Commit:
    _known_team(state, payload.team)
    if isinstance(payload, NoteAdded):
        if payload.inject is not None:
            _known_inject(state, payload.inject)
        note = Note(0, 0.0, payload.by, payload.text, "note", payload.team, payload.inject)
    else:
        objective = next((o for o in state.scenario.objectives if o.id == payload.objective), None)
        if objective is None:
            raise NotApplicable(f"unknown objective {payload.objective!r}")
        if payload.task is not None and payload.task not in {t.id for t in objective.tasks}:
            raise NotApplicable(f"unknown task {payload.task!r}")
        note = Note(
            0,
            0.0,
            payload.by,
            payload.text,
            "observation",
            team=payload.team,
            objective=payload.objective,
            task=payload.task,
            rating=payload.rating,
        )

    def commit(fact: Fact) -> None:
        note.seq, note.at = fact.seq, fact.at
        state.notes.append(note)
        if note.team is not None and note.task is not None and note.rating is not None:
            task, rating = note.task, note.rating.value
            state._players_did(
                fact.at,
                [note.team],
                lambda t: t.task == task and (not t.ratings or rating in t.ratings),
            )

    return commit


def _rated(trigger: PlayerTrigger, task: str, rating: str) -> bool:
    return trigger.task == task and (not trigger.ratings or rating in trigger.ratings)


def _device_joined(state: ExerciseState, payload: DeviceJoined) -> Commit:
    if payload.device in state.devices:
        raise NotApplicable(f"device {payload.device} has already joined")
    if (payload.team is None) == (payload.role is None):
        raise NotApplicable("a device joins one team or one actor role")
    _known_team(state, payload.team)
    if payload.role is not None and payload.role not in {r.id for r in state.scenario.roles}:
        raise NotApplicable(f"unknown actor role {payload.role!r}")

    def commit(fact: Fact) -> None:
        state.devices[payload.device] = Device(
            payload.device, payload.name, fact.at, payload.team, payload.role
        )

    return commit


def _join_reissued(state: ExerciseState, payload: JoinReissued) -> Commit:
    kind, _, name = payload.target.partition(":")
    known = state.scenario.team_ids if kind == "team" else [r.id for r in state.scenario.roles]
    if kind not in ("team", "actor") or name not in known:
        raise NotApplicable(f"no join target {payload.target!r}")

    def commit(fact: Fact) -> None:
        state.join_generations[payload.target] = state.join_generations.get(payload.target, 0) + 1

    return commit
