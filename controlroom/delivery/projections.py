"""Projections: each view object built from the folded state. Design: docs/delivery.md.

``audience.py`` decides who gets what on each event; this module decides what each view
carries. A team's and an actor's views are built here from only the fields they may read,
so a template that renders them cannot reach anything else.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Literal

from controlroom.access.identity import actor_audience, device_target, team_audience
from controlroom.delivery.views import (
    ClockView,
    ControlClockView,
    ControlInjectView,
    ControlRequestView,
    CueCardView,
    CueGroupView,
    CueStatusView,
    CueTeamView,
    DevicePresence,
    DeviceView,
    PresenceView,
    ReleaseView,
    RevealView,
    TargetPresence,
    TeamInjectView,
    TeamRequestView,
    TimelineView,
)
from controlroom.exercise.cues import reveal_ids
from controlroom.exercise.events import Fact
from controlroom.exercise.lifecycles import (
    UNRELEASED,
    ClockPhase,
    ReleaseStatus,
    RequestStatus,
    TeamPhase,
)
from controlroom.exercise.state import CueStatus, ExerciseState, Request, TeamRelease


def sort_due(state: ExerciseState, inject_id: str) -> float:
    dues = [r.due for r in state.releases_of(inject_id) if r.due is not None]
    return min(dues) if dues else float("inf")


_CANCELLED = ReleaseStatus.CANCELLED
_TEAM_REQUEST_STATUS: dict[RequestStatus, Literal["sent", "in-progress", "answered"]] = {
    RequestStatus.OPEN: "sent",
    RequestStatus.CLAIMED: "in-progress",
    RequestStatus.ANSWERED: "answered",
}


def clock_view(state: ExerciseState, team: str | None = None) -> ClockView:
    """Teams and actors see a pause (releases wait, time runs) as running: control's business.

    A team's devices get the team's own clock: the exercise clock less the team's offset,
    standing still while the team is held (a team's pause runs, as the exercise's does).
    """
    clock = state.clock
    phase = ClockPhase.RUNNING if clock.phase is ClockPhase.PAUSED else clock.phase
    scenario_time = shown_anchor(state)
    if team is not None and state.started:
        pace = state.pace(team)
        if pace.phase is TeamPhase.HELD and phase is ClockPhase.RUNNING:
            phase = ClockPhase.HELD
        scenario_time = pace.team_now(clock.anchor_scenario)
        if pace.phase is TeamPhase.HELD and pace.held_from is not None:
            scenario_time = pace.held_from - pace.offset
    return ClockView(phase, scenario_time, clock.anchor_wall, clock.speed)


def shown_anchor(state: ExerciseState) -> float:
    """The scenario time a clock shows at its anchor: before STARTEX the scenario's start
    ("Not started D1 08:30"). Only shown: the fold's clock keeps its own anchor (0 before
    STARTEX), so a journal folds to what it always folded to."""
    return state.clock.anchor_scenario if state.started else state.scenario.start_seconds


def control_clock_view(state: ExerciseState) -> ControlClockView:
    clock = state.clock
    return ControlClockView(
        clock.phase,
        shown_anchor(state),
        clock.anchor_wall,
        clock.speed,
        clock.hold_reason,
        ticking=clock.ticking,
        releases_paused=clock.phase is ClockPhase.PAUSED,
        on_hold=clock.on_hold,
    )


def team_inject_view(state: ExerciseState, release: TeamRelease) -> TeamInjectView:
    """A released inject as its team sees it (raises if it was not released to that team).
    Of the release it reads only the inject, release time (wall, and on the team's own
    clock) and status (``team_inject_views`` shares one view between releases alike in
    these)."""
    if release.released_at is None:
        raise ValueError(f"inject {release.inject} is not released to {release.team}")
    inject = state.injects[release.inject]
    return TeamInjectView(
        inject=inject.id,
        version=state.versions[inject.id],
        channel=inject.channel.value,
        sender=inject.sender,
        title=inject.title,
        body=inject.body,
        attachments=tuple(inject.attachments),
        released_at=release.released_at,
        released_team=release.released_team,
        status=release.status(state.started),
        behind=tuple(sorted(state.behind.get(inject.id, {}).items())),
    )


def team_inject_views(state: ExerciseState, releases: list[TeamRelease]) -> list[TeamInjectView]:
    """``team_inject_view`` of each release: releases that show alike (one inject, the same
    release time, the same time on the team's own clock and status: a release to every team
    at once, all at the same pace) share one view, so the hub builds and compares one card,
    not one per team. A view reads nothing else of a release (``team_inject_view``)."""
    views: dict[tuple[str, float | None, float | None, ReleaseStatus], TeamInjectView] = {}
    out = []
    for release in releases:
        status = release.status(state.started)
        key = (release.inject, release.released_at, release.released_team, status)
        view = views.get(key)
        if view is None:
            view = views[key] = team_inject_view(state, release)
        out.append(view)
    return out


def team_request_view(state: ExerciseState, request: Request) -> TeamRequestView:
    """The team sees an answer once it reaches it: an answer held for a delay is in progress."""
    kind = next((k for k in state.scenario.requests if k.id == request.kind), None)
    status = _TEAM_REQUEST_STATUS[request.status]
    arrived = request.answer_inject is not None and (
        state.releases[request.answer_inject, request.team].released_at is not None
    )
    if status == "answered" and not arrived:
        status = "in-progress"
    return TeamRequestView(
        request=request.id,
        kind_title=kind.title if kind is not None else None,
        text=request.text,
        sent_at=request.sent_at,
        sent_team=request.sent_team,
        status=status,
        answer_inject=request.answer_inject if arrived else None,
        answer=(request.answer_text or None) if arrived else None,
    )


def cue_group_view(state: ExerciseState, inject_id: str, role: str) -> CueGroupView:
    """``role``'s cues on one inject, a card per team it goes to (``state.cue_instances``),
    with the inject's timing (never its content)."""
    inject = state.injects[inject_id]
    releases = state.releases_of(inject_id)
    inject_state, due = _inject_timing(state, releases)
    character = next((r.character for r in state.scenario.roles if r.id == role), {})
    names = {t.id: t.name for t in state.scenario.teams}
    sets = {s.id: s.name for s in state.scenario.sets}
    cues = dict(zip(inject.cue_ids(), inject.cues, strict=True))
    cards = []
    for found in state.cue_instances(inject=inject_id, role=role):
        cue = cues[found.cue]
        marks = {mark.reveal: mark for mark in found.reveals}
        reveals = []
        for rid, reveal in zip(reveal_ids(cue), cue.reveals, strict=True):
            mark = marks.get(rid)
            reveals.append(
                RevealView(
                    reveal.what,
                    reveal.condition,
                    rid,
                    mark.marked_at if mark else None,
                    mark.marked_scenario if mark else None,
                )
            )
        cards.append(
            CueCardView(
                cue=found.cue,
                character=character,
                where=cue.where,
                when=found.at,
                offset=cue.offset,
                knows=cue.knows,
                reveals=tuple(reveals),
                emotion=cue.emotion,
                props=tuple(cue.props),
                status=found.status,
                team=found.team,
                team_name=names.get(found.team, {}),
                single=len(state.cues[found.cue].runs) == 1,
                moving=found.moving,
                release=found.release,
                set_name=sets.get(cue.set or "", {}),
            )
        )
    return CueGroupView(inject_id, inject_state, due, tuple(cards))


def _inject_timing(
    state: ExerciseState, releases: list[TeamRelease]
) -> tuple[ReleaseStatus, float | None]:
    """An inject's state across its teams (from each release's status: one place)."""
    statuses = [(r, r.status(state.started)) for r in releases]
    released = [r for r, status in statuses if status not in UNRELEASED | {_CANCELLED}]
    if released:
        dues = [r.due for r in released if r.due is not None]
        return ReleaseStatus.RELEASED, min(dues) if dues else None
    live = [(r, status) for r, status in statuses if status is not _CANCELLED]
    if not live:
        return _CANCELLED, None
    dues = [r.due for r, _ in live if r.due is not None]
    due = min(dues) if dues else None
    for status in (ReleaseStatus.HELD, ReleaseStatus.SCHEDULED):
        if any(s is status for _, s in live):
            return status, due
    return ReleaseStatus.PLANNED, due


def control_inject_view(state: ExerciseState, inject_id: str) -> ControlInjectView:
    inject = state.injects[inject_id]
    releases = tuple(
        ReleaseView(
            team=r.team,
            status=r.status(state.started),
            due=r.due,
            late=r.late,
            released_at=r.released_at,
            delivered_at=r.delivered_at,
            acknowledged_at=r.acknowledged_at,
            released_scenario=r.released_scenario,
            delivered_scenario=r.delivered_scenario,
            acknowledged_scenario=r.acknowledged_scenario,
        )
        for r in state.releases_of(inject_id)
    )
    per_team: dict[str, list[CueTeamView]] = {}
    for found in state.cue_instances(inject=inject_id):
        marked = tuple(m.reveal for m in found.reveals if m.marked_at is not None)
        per_team.setdefault(found.cue, []).append(CueTeamView(found.team, found.status, marked))
    cues = tuple(
        CueStatusView(
            cue_id,
            cue.role,
            _cue_status(state, cue_id),
            tuple(sorted(per_team.get(cue_id, []), key=lambda t: t.team)),
        )
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True)
    )
    return ControlInjectView(inject, state.versions[inject_id], releases, cues)


def _cue_status(state: ExerciseState, cue_id: str) -> CueStatus:
    tracked = state.cues.get(cue_id)
    return tracked.status if tracked is not None else CueStatus.WAITING


def control_request_view(state: ExerciseState, request: Request) -> ControlRequestView:
    scenario = state.scenario
    team = next((t for t in scenario.teams if t.id == request.team), None)
    kind = next((k for k in scenario.requests if k.id == request.kind), None)
    return ControlRequestView(
        request=request.id,
        team=request.team,
        team_name=team.name if team is not None else {},
        kind=request.kind,
        kind_title=kind.title if kind is not None else None,
        text=request.text,
        sent_at=request.sent_at,
        claimed_by=request.claimed_by,
        claimed_at=request.claimed_at,
        answered_by=request.answered_by,
        answered_at=request.answered_at,
        answer_inject=request.answer_inject,
        status=request.status,
    )


def device_view(state: ExerciseState, device_id: str) -> DeviceView:
    device = state.devices[device_id]
    scenario = state.scenario
    if device.team is not None:
        target_name = next((t.name for t in scenario.teams if t.id == device.team), {})
    else:
        target_name = next((r.character for r in scenario.roles if r.id == device.role), {})
    return DeviceView(
        device=device.id,
        name=device.name,
        team=device.team,
        role=device.role,
        revoked=device.revoked,
        joined_at=device.joined_at,
        target_name=target_name,
        observer=device.observer,
    )


def presence_view(state: ExerciseState, online: AbstractSet[str]) -> PresenceView:
    """Every team's and role's count of devices online, and each joined device's state."""
    live = [d for d in state.devices.values() if not d.revoked]
    counts: dict[str, int] = {}
    for device in live:
        if device.id in online:
            target = device_target(device.team, device.role, device.observer)
            counts[target] = counts.get(target, 0) + 1
    targets = [team_audience(t) for t in state.scenario.team_ids]
    targets += [actor_audience(r.id) for r in state.scenario.roles]
    return PresenceView(
        targets=tuple(TargetPresence(t, counts.get(t, 0)) for t in targets),
        devices=tuple(DevicePresence(d.id, d.id in online) for d in live),
    )


def timeline_view(fact: Fact, state: ExerciseState) -> TimelineView:
    return TimelineView(
        seq=fact.seq,
        type=fact.type,
        at=fact.at,
        scenario_time=state.clock.scenario_now(fact.at),
        data=fact.payload,
    )
