"""The daily debrief pack: a day of the exercise per team or for all teams. Design: docs/review.md.

``debrief_pack`` folds the whole journal (the state at its end, plus the review log's
scenario times) and keeps what happened on one scenario day: injects with their planned,
released, delivered and acknowledged times and delays; requests and response times; the
teams' replies to injects (text, file names, control's answers, response time, the ratings
given to them); cue timings and the reveals actors marked; observations by objective with
their ratings (each as last corrected; withdrawn ones left out); control's notes.

Two kinds of time, never mixed: **times** (planned, released, sent, answered ...) are
scenario times, as the exercise clock stood, which is what everyone read on the day;
**durations** (how long a team took to acknowledge, how long control took to answer) are
real (wall) seconds, what the people in the room took, whatever the clock's speed. Each
duration also keeps the scenario time that passed meanwhile (``*_scenario``): it differs
when the clock ran faster or slower than real time, was held or jumped.

A device's action tapped while offline counts when it was tapped (``tap_time``): a
request, a reply, an observation, a reveal and an acknowledgement are placed at their tap;
a request or reply also keeps when it was received, and control's response time counts from
then (control could not answer what had not reached it).

The **team-facing** pack is what control prints for a team's hot wash: only that team's
injects that were released to it, its own requests, its own replies with control's answers
(never who in control wrote them), the observations about it; never control's notes,
expected actions, inject notes, cues or anything of another team. It is built by leaving
those out here, so no template can show them by mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from controlroom.delivery.markdown import plain_text
from controlroom.exercise.cues import cue_definition, reveal_ids
from controlroom.exercise.events import Rating
from controlroom.exercise.state import ExerciseState, Note, Reply, Request, TeamRelease
from controlroom.journal import Event
from controlroom.live.runtime import scenario_of
from controlroom.review.log import LogEntry, review_log
from controlroom.scenario.model import LocalText
from controlroom.scenario.time import DAY


@dataclass(frozen=True, slots=True)
class InjectRow:
    inject: str
    title: LocalText
    team: str
    planned: float | None  # scenario time planned (the release's due time)
    released: float | None  # scenario times, as the clock stood
    delivered: float | None
    acknowledged: float | None
    release_delay: float | None  # scenario seconds from planned to released
    acknowledge_delay: float | None  # wall seconds from released to acknowledged (the tap)
    cancelled: bool
    expected_actions: tuple[LocalText, ...]  # () in a team-facing pack
    acknowledge_scenario: float | None = None  # scenario seconds from released to acknowledged


@dataclass(frozen=True, slots=True)
class RequestRow:
    request: str
    team: str
    kind_title: LocalText | None
    text: str
    sent: float | None  # scenario time of the tap on the team's tablet
    answered: bool
    response_seconds: float | None  # wall seconds from received to answered
    received: float | None = None  # scenario time received, when it waited offline (else None)
    response_scenario: float | None = None  # scenario seconds from received to answered
    # control's answer as plain text, per language (None: not answered, or, in a team-facing
    # pack, not arrived at the team yet: its answer inject not released to it)
    answer: LocalText | None = None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """Control's answer in a reply's thread."""

    scenario_time: float | None  # as the clock stood
    by: str  # a name; "" in a team-facing pack (the team never sees who in control wrote)
    text: str  # plain text: the Markdown the team read, without its marks (a CSV/XLSX cell)


@dataclass(frozen=True, slots=True)
class ReplyRatingRow:
    objective: str
    task: str | None
    rating: Rating | None
    by: str  # a name


@dataclass(frozen=True, slots=True)
class ReplyRow:
    """A team's reply to an inject (or an action it reports on it) and what came of it."""

    reply: str
    team: str
    inject: str
    inject_title: LocalText
    kind: str  # reply | action
    text: str
    files: tuple[str, ...]  # file names, never bytes
    sent: float | None  # scenario time of the tap, as the clock stood
    answers: tuple[AnswerRow, ...]
    response_seconds: float | None  # wall seconds from received to control's first answer
    ratings: tuple[ReplyRatingRow, ...]
    received: float | None = None  # scenario time received, when it waited offline (else None)
    response_scenario: float | None = None  # scenario seconds from received to first answer


@dataclass(frozen=True, slots=True)
class CueRow:
    cue: str
    inject: str
    role: str
    status: str
    scenario_time: float | None
    by: str


@dataclass(frozen=True, slots=True)
class RevealRow:
    """A reveal an actor marked for a team: what the team got out of the scene."""

    cue: str
    inject: str
    role: str
    team: str
    reveal: str  # its id in the cue
    what: LocalText | None  # the scenario's words (None: a cue no longer in the scenario)
    scenario_time: float | None  # of the tap
    by: str  # the actor's device (or person)


@dataclass(frozen=True, slots=True)
class NoteRow:
    scenario_time: float | None
    by: str  # a name
    team: str | None
    inject: str | None
    text: str
    objective: str | None = None
    task: str | None = None
    rating: Rating | None = None
    corrected: bool = False  # an observation in a later version than first recorded


@dataclass(frozen=True, slots=True)
class ObjectiveBlock:
    objective: str
    title: LocalText
    ratings: tuple[tuple[str, int], ...]  # (P|S|M|U, count)
    observations: tuple[NoteRow, ...]


@dataclass(frozen=True, slots=True)
class DebriefPack:
    day: int | None  # None: the whole exercise
    team: str | None  # None: every team
    team_facing: bool
    days: int
    injects: tuple[InjectRow, ...]
    requests: tuple[RequestRow, ...]
    cues: tuple[CueRow, ...]  # () in a team-facing pack
    objectives: tuple[ObjectiveBlock, ...]
    notes: tuple[NoteRow, ...]  # () in a team-facing pack
    replies: tuple[ReplyRow, ...] = ()
    reveals: tuple[RevealRow, ...] = ()  # () in a team-facing pack (the actors' script)
    speed_varied: bool = False  # the clock ran at another speed than 1 at some point

    def reveals_of(self, inject: str, team: str) -> tuple[RevealRow, ...]:
        return tuple(r for r in self.reveals if r.inject == inject and r.team == team)


def day_of(scenario_time: float | None) -> int | None:
    return None if scenario_time is None else int(scenario_time // DAY) + 1


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The journal folded once for review: the state at its end and the review log."""

    state: ExerciseState
    log: tuple[LogEntry, ...]

    @property
    def last_day(self) -> int:
        """The last scenario day anything happened on (1 before STARTEX)."""
        times = [e.scenario_time for e in self.log if e.scenario_time is not None]
        return (day_of(max(times)) or 1) if times else 1


def reviewed(events: Sequence[Event], names: Mapping[str, str] | None = None) -> Reviewed:
    state = ExerciseState.fold(scenario_of(list(events), ""), events)
    return Reviewed(state, tuple(review_log(events, names or {})))


def debrief_pack(
    events: Sequence[Event] | Reviewed,
    day: int | None,
    *,
    team: str | None = None,
    team_facing: bool = False,
    names: Mapping[str, str] | None = None,
) -> DebriefPack:
    """The pack of scenario day ``day`` (``None``: the whole exercise; ``team_facing`` needs a
    ``team``). ``events`` may be folded already (``reviewed``) to build many packs."""
    if team_facing and team is None:
        raise ValueError("a team-facing pack is for one team")
    folded = events if isinstance(events, Reviewed) else reviewed(events, names)
    state, log = folded.state, folded.log
    if team is not None and team not in state.scenario.team_ids:
        raise KeyError(team)
    stime = {entry.seq: entry.scenario_time for entry in log}
    acted = {entry.seq: entry.acted_scenario for entry in log}  # a tap's time, else stime
    offline = {entry.seq for entry in log if entry.tapped_at is not None}
    person = {entry.seq: entry.person for entry in log}
    answered = {
        str(getattr(e.fact.payload, "request", "")): e.scenario_time
        for e in log
        if e.type == "request.answered"
    }

    def on_day(scenario_time: float | None) -> bool:
        return day is None or day_of(scenario_time) == day

    def wanted(row_team: str | None) -> bool:
        return team is None or row_team == team

    injects = tuple(
        _inject_row(state, release, team_facing)
        for release in _releases(state)
        if wanted(release.team)
        and (release.released_at is not None or not team_facing)
        and on_day(_when(release))
    )
    requests = tuple(
        RequestRow(
            request=r.id,
            team=r.team,
            kind_title=next((k.title for k in state.scenario.requests if k.id == r.kind), None),
            text=r.text,
            sent=acted.get(r.seq),
            answered=r.answered_at is not None,
            response_seconds=r.response_seconds,
            received=stime.get(r.seq) if r.seq in offline else None,
            response_scenario=_between(stime.get(r.seq), answered.get(r.id)),
            answer=_answer(state, r, team_facing),
        )
        for r in state.requests.values()
        if wanted(r.team) and on_day(acted.get(r.seq))
    )
    replies = tuple(
        _reply_row(state, r, stime, acted, offline, person, team_facing)
        for r in state.replies.values()
        if wanted(r.team) and on_day(acted.get(r.seq))
    )
    cues: tuple[CueRow, ...] = ()
    if not team_facing:
        cues = tuple(
            CueRow(
                cue=str(getattr(e.fact.payload, "cue", "")),
                inject=e.inject or "",
                role=str(getattr(e.fact.payload, "role", "")),
                status=str(getattr(e.fact.payload, "status", "")),
                scenario_time=e.scenario_time,
                by=e.person,
            )
            for e in log
            if e.type == "cue.status"
            and on_day(e.scenario_time)
            and (team is None or team in e.teams or not e.teams)
        )
    reveals: tuple[RevealRow, ...] = ()
    if not team_facing:
        reveals = tuple(
            _reveal_row(state, e)
            for e in log
            if e.type == "cue.revealed"
            and on_day(e.acted_scenario)
            and bool(e.teams)
            and wanted(e.teams[0])
        )
    notes_of_day = [n for n in state.notes if on_day(acted.get(n.seq))]
    # observations as they stand at the end (corrected), withdrawn ones left out
    observations = [n for n in notes_of_day if n.counts and wanted(n.team)]
    notes: tuple[NoteRow, ...] = ()
    if not team_facing:
        notes = tuple(
            _note_row(n, acted, person)
            for n in notes_of_day
            if n.kind == "note" and (team is None or n.team in (None, team))
        )
    return DebriefPack(
        day=day,
        team=team,
        team_facing=team_facing,
        days=state.scenario.days,
        injects=injects,
        requests=requests,
        cues=cues,
        objectives=_objectives(state, observations, acted, person),
        notes=notes,
        replies=replies,
        reveals=reveals,
        speed_varied=any(
            e.type == "clock.speed" and getattr(e.fact.payload, "speed", 1) != 1 for e in log
        ),
    )


def _between(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


def _reveal_row(state: ExerciseState, entry: LogEntry) -> RevealRow:
    payload = entry.fact.payload
    cue, reveal = str(getattr(payload, "cue", "")), str(getattr(payload, "reveal", ""))
    what = None
    found = cue_definition(state, cue)
    if found is not None:
        marks = dict(zip(reveal_ids(found[1]), found[1].reveals, strict=True))
        what = marks[reveal].what if reveal in marks else None
    return RevealRow(
        cue=cue,
        inject=entry.inject or "",
        role=str(getattr(payload, "role", "")),
        team=entry.teams[0] if entry.teams else "",
        reveal=reveal,
        what=what,
        scenario_time=entry.acted_scenario,
        by=entry.person,
    )


def _answer(state: ExerciseState, request: Request, team_facing: bool) -> LocalText | None:
    """Control's answer to a request as plain text (as the replies' answers): in a
    team-facing pack only once it reached the team (its answer inject released to it)."""
    if request.answered_at is None or not request.answer_text:
        return None
    if team_facing:
        release = state.releases.get((request.answer_inject or "", request.team))
        if release is None or release.released_at is None:
            return None
    return {language: plain_text(text) for language, text in request.answer_text.items()}


def _reply_row(
    state: ExerciseState,
    reply: Reply,
    stime: Mapping[int, float | None],
    acted: Mapping[int, float | None],
    offline: set[int],
    person: Mapping[int, str],
    team_facing: bool,
) -> ReplyRow:
    answers = tuple(
        AnswerRow(
            stime.get(a.seq), "" if team_facing else person.get(a.seq) or a.by, plain_text(a.text)
        )
        for a in reply.answers
    )
    ratings = tuple(
        ReplyRatingRow(n.objective or "", n.task, n.rating, person.get(n.seq) or n.by)
        for n in state.notes
        if n.reply == reply.id and n.counts and n.team == reply.team
    )
    return ReplyRow(
        reply=reply.id,
        team=reply.team,
        inject=reply.inject,
        inject_title=state.injects[reply.inject].title,
        kind=reply.kind,
        text=reply.text,
        files=tuple(f.name for f in reply.files),
        sent=acted.get(reply.seq),
        answers=answers,
        response_seconds=reply.response_seconds,
        ratings=ratings,
        received=stime.get(reply.seq) if reply.seq in offline else None,
        response_scenario=_between(
            stime.get(reply.seq), answers[0].scenario_time if answers else None
        ),
    )


def _releases(state: ExerciseState) -> list[TeamRelease]:
    order = {inject: n for n, inject in enumerate(state.injects)}
    return sorted(
        state.releases.values(),
        key=lambda r: (_when(r) if _when(r) is not None else float("inf"), order[r.inject]),
    )


def _when(release: TeamRelease) -> float | None:
    """The scenario time that places a release on a day: when it went out, else its plan."""
    return release.released_scenario if release.released_at is not None else release.due


def _inject_row(state: ExerciseState, release: TeamRelease, team_facing: bool) -> InjectRow:
    inject = state.injects[release.inject]
    planned = release.due if release.due is not None else inject.at_seconds
    delay = None
    if planned is not None and release.released_scenario is not None:
        delay = release.released_scenario - planned
    ack = None
    if release.acknowledged_at is not None and release.released_at is not None:
        ack = release.acknowledged_at - release.released_at
    return InjectRow(
        inject=inject.id,
        title=inject.title,
        team=release.team,
        planned=planned,
        released=release.released_scenario if release.released_at is not None else None,
        delivered=release.delivered_scenario if release.delivered_at is not None else None,
        acknowledged=release.acknowledged_scenario if release.acknowledged_at is not None else None,
        release_delay=delay,
        acknowledge_delay=ack,
        cancelled=release.cancelled and release.released_at is None,
        expected_actions=() if team_facing else tuple(inject.expected_actions),
        acknowledge_scenario=None
        if ack is None
        else _between(release.released_scenario, release.acknowledged_scenario),
    )


def _note_row(note: Note, stime: Mapping[int, float | None], person: Mapping[int, str]) -> NoteRow:
    return NoteRow(
        scenario_time=stime.get(note.seq),
        by=person.get(note.seq) or note.by,
        team=note.team,
        inject=note.inject,
        text=note.text,
        objective=note.objective,
        task=note.task,
        rating=note.rating,
        corrected=note.version > 1,
    )


def _objectives(
    state: ExerciseState,
    observations: Iterable[Note],
    stime: Mapping[int, float | None],
    person: Mapping[int, str],
) -> tuple[ObjectiveBlock, ...]:
    by_objective: dict[str, list[NoteRow]] = {}
    for note in observations:
        by_objective.setdefault(note.objective or "", []).append(_note_row(note, stime, person))
    blocks = []
    for objective in state.scenario.objectives:
        rows = by_objective.get(objective.id, [])
        if not rows:
            continue
        counts = tuple((r.value, sum(1 for n in rows if n.rating is r)) for r in Rating)
        blocks.append(ObjectiveBlock(objective.id, objective.title, counts, tuple(rows)))
    return tuple(blocks)
