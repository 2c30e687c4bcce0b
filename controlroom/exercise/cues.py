"""A cue per team: an inject to N teams gives its actors N cue instances. Design: docs/exercise.md.

The fold keeps one ``CueRun`` per (cue id, team): its status and the reveals the actor
marked for that team. ``CueInstance`` is the read-only view others build on (the actor's
tablet, the console, the run sheet): the cue's time for that team follows that team's release
(early or late) and, before it, the plan plus the team's offset (``controlroom.exercise.pacing``).

Times: ``at`` is on the exercise clock (what the actor's tablet shows: an actor plays for
several teams), ``team_at`` the same moment on the team's own clock. Both are None while the
inject has no time (manual, waiting for a trigger, released before STARTEX).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from controlroom.exercise.lifecycles import CueStatus, ReleaseStatus

if TYPE_CHECKING:
    from controlroom.exercise.state import ExerciseState
    from controlroom.scenario.model import Cue, Inject


@dataclass(frozen=True, slots=True)
class Revealed:
    """When an actor marked a reveal for one team."""

    at: float  # wall time
    scenario: float | None  # exercise scenario time (None before STARTEX)
    device: str = ""


@dataclass(slots=True)
class CueRun:
    """One cue for one team, as folded (mutable: only the rules change it)."""

    cue: str
    team: str
    status: CueStatus = CueStatus.WAITING
    updated_at: float | None = None
    reveals: dict[str, Revealed] = field(default_factory=dict)  # reveal id -> when marked


@dataclass(frozen=True, slots=True)
class RevealMark:
    reveal: str  # the reveal's id within its cue (``Reveal.id``, or "1", "2", ... by position)
    marked_at: float | None  # wall time it was marked revealed for this team (None: not yet)
    marked_scenario: float | None  # exercise scenario time of the mark


@dataclass(frozen=True, slots=True)
class CueInstance:
    """One cue for one team: read-only, built from the state at one wall time."""

    cue: str
    team: str
    role: str
    inject: str
    at: float | None  # exercise scenario seconds the actor is on (inject time + cue offset)
    team_at: float | None  # the same moment on the team's own clock
    release: ReleaseStatus  # the inject's release to this team
    moving: bool  # the team or this release is held: ``at`` moves until it is resumed
    status: CueStatus
    updated_at: float | None  # wall time of the last status report
    reveals: tuple[RevealMark, ...]  # every reveal of the cue, in order, marked or not


def reveal_ids(cue: Cue) -> list[str]:
    """The ids of a cue's reveals: each its own ``id`` or its position from 1."""
    return [reveal.id or str(n) for n, reveal in enumerate(cue.reveals, start=1)]


def cue_definition(state: ExerciseState, cue_id: str) -> tuple[Inject, Cue] | None:
    """The inject and the scenario's cue of ``cue_id`` as it stands (None if unknown)."""
    tracked = state.cues.get(cue_id)
    if tracked is None:
        return None
    inject = state.injects[tracked.inject]
    for candidate, cue in zip(inject.cue_ids(), inject.cues, strict=True):
        if candidate == cue_id:
            return inject, cue
    return None


def instance(state: ExerciseState, cue_id: str, team: str, wall: float | None) -> CueInstance:
    """The view of ``(cue_id, team)`` (``KeyError`` if the cue does not go to that team)."""
    run = state.cues[cue_id].runs[team]
    found = cue_definition(state, cue_id)
    if found is None:
        raise KeyError((cue_id, team))
    inject, cue = found
    release = state.releases[inject.id, team]
    pace = state.pace(team)
    now = state.clock.anchor_scenario if wall is None else state.clock.scenario_now(wall)
    status = release.status(state.started)
    at: float | None = None
    if release.released_at is not None:
        at = release.released_scenario
    elif release.due is not None and status is not ReleaseStatus.CANCELLED:
        at = pace.exercise_time(release.due, now)
    if at is not None:
        at += cue.offset_seconds
    offset = pace.offset_at(now)
    marks = tuple(
        RevealMark(rid, mark.at if mark else None, mark.scenario if mark else None)
        for rid in reveal_ids(cue)
        for mark in [run.reveals.get(rid)]
    )
    return CueInstance(
        cue=cue_id,
        team=team,
        role=cue.role,
        inject=inject.id,
        at=at,
        team_at=None if at is None else at - offset,
        release=status,
        moving=release.released_at is None and (pace.on_hold or release.held),
        status=run.status,
        updated_at=run.updated_at,
        reveals=marks,
    )


def instances(
    state: ExerciseState,
    *,
    role: str | None = None,
    team: str | None = None,
    inject: str | None = None,
    wall: float | None = None,
) -> list[CueInstance]:
    """Every cue instance (optionally of one role, team or inject), ordered by time.

    With ``inject``, only that inject's cues are looked at (``state.cues`` holds exactly
    each inject's ``cue_ids()``): a control card costs its own cues, not the exercise's."""
    found = []
    if inject is None:
        tracked_cues = list(state.cues.items())
    else:
        known = state.injects.get(inject)
        ids = known.cue_ids() if known is not None else []
        tracked_cues = [(c, state.cues[c]) for c in ids if c in state.cues]
    for cue_id, tracked in tracked_cues:
        if role is not None and tracked.role != role:
            continue
        if inject is not None and tracked.inject != inject:
            continue
        for run_team in tracked.runs:
            if team is None or run_team == team:
                found.append(instance(state, cue_id, run_team, wall))
    inf = float("inf")
    found.sort(key=lambda c: (c.at if c.at is not None else inf, c.cue, c.team))
    return found


def summary(runs: list[CueRun]) -> tuple[CueStatus, float | None]:
    """One status for a cue across its teams: the latest reported (control's dot, old views)."""
    reported = [r for r in runs if r.updated_at is not None]
    if not reported:
        return CueStatus.WAITING, None
    last = max(reported, key=lambda r: r.updated_at or 0.0)
    return last.status, last.updated_at
