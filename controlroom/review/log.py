"""The log fit for review: every journal event with the scenario time as the clock stood then.

Design: docs/review.md. Review is a fold too: ``review_log`` folds the same journal the live
state folds, but keeps, for every event, the scenario clock *as it stood when the event
happened* (after the event itself for a clock event: a jump shows the time jumped to), who
did it by name (accounts' display names, devices' names as they were then), the teams and
the case it concerns. The live state is not touched: the clock is folded here from the clock
events, so after a jump or ENDEX every earlier event keeps its own time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from controlroom.exercise.events import (
    ClockEnded,
    ClockHeld,
    ClockJumped,
    ClockResumed,
    ClockStarted,
    CueReported,
    DeviceJoined,
    DeviceRenamed,
    ExerciseCreated,
    Fact,
    InjectCreated,
    InjectReleased,
    Payload,
    ReleaseReason,
    ReplySent,
    RequestSent,
    RevealMarked,
    SpeedSet,
    fact_of,
)
from controlroom.exercise.lifecycles import InvalidMove
from controlroom.exercise.scenario_clock import ScenarioClock
from controlroom.exercise.tap_time import noticeable
from controlroom.journal import Event

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One journal event as the review log shows it."""

    seq: int
    at: float  # wall time
    scenario_time: float | None  # as the clock stood then; None before STARTEX
    fact: Fact
    kind: str  # the event type's family: clock, inject, cue, request, note, ...
    person: str  # who did it, by name ("" for the system: the release clock, a recovery)
    person_id: str  # the account or device id behind ``person``
    teams: tuple[str, ...]
    case: str | None
    inject: str | None
    search_text: str  # lower-cased words a search matches
    # when a device action was tapped, if it waited noticeably on the device before the
    # server received it at ``at`` (offline: controlroom/exercise/tap_time.py); else None
    tapped_at: float | None = None
    # the scenario time of the action: of its tap (any age, clamped as the fold clamps it:
    # never after ``at``; a tap before the clock's last change counts at that change), else
    # ``scenario_time``. What the debrief says a request, reply or observation was sent at.
    acted_scenario: float | None = None

    @property
    def type(self) -> str:
        return str(self.fact.type)


@dataclass(frozen=True, slots=True)
class LogFilter:
    team: str = ""
    case: str = ""
    kind: str = ""
    person: str = ""
    search: str = ""

    def matches(self, entry: LogEntry) -> bool:
        if self.team and self.team not in entry.teams:
            return False
        if self.case and entry.case != self.case:
            return False
        if self.kind and entry.kind != self.kind:
            return False
        if self.person and entry.person_id != self.person:
            return False
        return not self.search or self.search.lower() in entry.search_text

    @property
    def active(self) -> bool:
        return any((self.team, self.case, self.kind, self.person, self.search))


@dataclass(frozen=True, slots=True)
class LogPage:
    entries: tuple[LogEntry, ...]  # newest first
    number: int  # 1-based
    pages: int
    total: int  # entries matching the filter


def review_log(events: Iterable[Event], names: Mapping[str, str]) -> list[LogEntry]:
    """Every event of the journal, oldest first (``names``: account id -> display name)."""
    clock = ScenarioClock()
    started = False
    devices: dict[str, tuple[str, str | None]] = {}
    cases: dict[str, str | None] = {}
    recipients: dict[str, tuple[str, ...]] = {}
    requests: dict[str, str] = {}  # request -> team
    replies: dict[str, tuple[str, str]] = {}  # a team's reply -> (team, inject)
    cue_owner: dict[str, str] = {}  # cue id -> its inject (a cue's id need not name it)
    all_teams: tuple[str, ...] = ()
    entries: list[LogEntry] = []
    for event in events:
        fact = fact_of(event)
        payload = fact.payload
        if isinstance(payload, ExerciseCreated):
            all_teams = tuple(payload.scenario.team_ids)
            for inject in payload.scenario.injects:
                cases[inject.id] = inject.case
                recipients[inject.id] = tuple(payload.scenario.recipients(inject))
                cue_owner.update(dict.fromkeys(inject.cue_ids(), inject.id))
        elif isinstance(payload, InjectCreated):
            cases[payload.inject.id] = payload.inject.case
            to = payload.inject.to
            recipients[payload.inject.id] = all_teams if to == "all" else tuple(to)
            cue_owner.update(dict.fromkeys(payload.inject.cue_ids(), payload.inject.id))
        elif isinstance(payload, DeviceJoined):
            devices[payload.device] = (payload.name or payload.device, payload.team)
        elif isinstance(payload, DeviceRenamed) and payload.device in devices:
            devices[payload.device] = (payload.name, devices[payload.device][1])
        elif isinstance(payload, RequestSent):
            requests[payload.request] = payload.team
        elif isinstance(payload, ReplySent):
            replies[payload.reply] = (payload.team, payload.inject)
        started = _move(clock, fact, started)
        entry = _entry(fact, clock, started, names, devices, cases, recipients, cue_owner)
        request = getattr(payload, "request", None)
        if not entry.teams and isinstance(request, str) and request in requests:
            entry = replace(entry, teams=(requests[request],))
        reply = getattr(payload, "reply", None)
        if isinstance(reply, str) and reply in replies:  # an answer or a rating of a reply
            team, replied_to = replies[reply]
            entry = replace(entry, teams=(team,), inject=entry.inject or replied_to)
        entries.append(entry)
    return entries


def _move(clock: ScenarioClock, fact: Fact, started: bool) -> bool:
    """Fold a clock event into ``clock`` (a move the clock refuses was set aside live too)."""
    payload, at = fact.payload, fact.at
    try:
        if isinstance(payload, ClockStarted):
            clock.start(at, payload.scenario_time)
            return True
        if isinstance(payload, ClockHeld):
            clock.hold(at, payload.reason, payload.shift)
        elif isinstance(payload, ClockResumed):
            clock.resume(at)
        elif isinstance(payload, SpeedSet):
            clock.set_speed(at, payload.speed)
        elif isinstance(payload, ClockJumped):
            clock.jump(at, payload.scenario_time)
        elif isinstance(payload, ClockEnded):
            clock.end(at)
    except InvalidMove:
        pass
    return started


def _entry(
    fact: Fact,
    clock: ScenarioClock,
    started: bool,
    names: Mapping[str, str],
    devices: Mapping[str, tuple[str, str | None]],
    cases: Mapping[str, str | None],
    recipients: Mapping[str, tuple[str, ...]],
    cue_owner: Mapping[str, str],
) -> LogEntry:
    payload = fact.payload
    data = payload.model_dump(mode="json")
    by, device = str(data.get("by") or ""), str(data.get("device") or "")
    if isinstance(payload, InjectReleased) and payload.reason is ReleaseReason.SCHEDULE:
        by = ""  # the release clock, not a person
    device_name, device_team = devices.get(device, (device, None))
    if by:
        person_id, person = by, names.get(by, by)
    elif device:
        person_id, person = device, device_name
    else:
        person_id, person = "", ""
    inject = _inject_of(payload, data, cue_owner)
    teams = _teams_of(data, inject, recipients, device_team)
    words = [str(fact.type), person, person_id, inject or "", *teams, *_texts(data)]
    tapped = data.get("tapped_at")
    acted = min(float(tapped), fact.at) if isinstance(tapped, float | int) else fact.at
    return LogEntry(
        seq=fact.seq,
        at=fact.at,
        scenario_time=clock.scenario_now(fact.at) if started else None,
        fact=fact,
        kind=str(fact.type).split(".", 1)[0],
        person=person,
        person_id=person_id,
        teams=teams,
        case=cases.get(inject) if inject else None,
        inject=inject,
        search_text=" ".join(words).lower(),
        tapped_at=_tapped(data, fact.at),
        acted_scenario=clock.scenario_now(acted) if started else None,
    )


def _tapped(data: Mapping[str, object], at: float) -> float | None:
    """The tap time of a device action that waited on the device (None: it did not)."""
    tapped = data.get("tapped_at")
    if not isinstance(tapped, float | int):
        return None
    tapped = min(float(tapped), at)
    return tapped if noticeable(tapped, at) else None


def _inject_of(
    payload: Payload, data: Mapping[str, object], cue_owner: Mapping[str, str]
) -> str | None:
    if isinstance(payload, InjectCreated):
        return payload.inject.id
    if isinstance(payload, CueReported | RevealMarked):
        # a cue added by an edit is not in ``cue_owner``: its default id names its inject
        fallback = payload.cue.rsplit(".", 1)[0] if "." in payload.cue else None
        return cue_owner.get(payload.cue, fallback)
    inject = data.get("inject")
    return inject if isinstance(inject, str) else None


def _teams_of(
    data: Mapping[str, object],
    inject: str | None,
    recipients: Mapping[str, tuple[str, ...]],
    device_team: str | None,
) -> tuple[str, ...]:
    teams = data.get("teams")
    if isinstance(teams, list) and teams:
        return tuple(str(t) for t in teams)
    team = data.get("team")
    if isinstance(team, str) and team:
        return (team,)
    if isinstance(teams, list) and inject is not None:  # () = every team of the inject
        return recipients.get(inject, ())
    return (device_team,) if device_team else ()


def _texts(data: Mapping[str, object]) -> list[str]:
    """The free text of an event (notes, requests, answers, reasons) for the search."""
    found: list[str] = []
    for key in ("text", "reason", "title", "name", "request", "cue", "objective", "task"):
        value = data.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(str(v) for v in value.values())
    return found


def page_of(entries: list[LogEntry], wanted: LogFilter, number: int) -> LogPage:
    """One page (newest first) of the entries ``wanted`` matches; ``number`` is clamped."""
    matching = [entry for entry in reversed(entries) if wanted.matches(entry)]
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    number = min(max(1, number), pages)
    start = (number - 1) * PAGE_SIZE
    return LogPage(tuple(matching[start : start + PAGE_SIZE]), number, pages, len(matching))


def people_of(entries: Iterable[LogEntry]) -> dict[str, str]:
    """Everyone who did something in the journal: id -> name (for the person filter)."""
    return {e.person_id: e.person for e in entries if e.person_id}
