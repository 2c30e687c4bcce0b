"""The run sheet of a running exercise: each role's scenes across teams, as paced now.

Design: docs/scenario.md, "Sets and the run sheet", and docs/console.md, "Sets". The
scenes are the cue instances (``controlroom.exercise.cues``: one per cue and team, its time
following that team's release and pace) with the cue's set; the conflicts and the shift
that resolves one are the planned run sheet's (``controlroom.scenario.run_sheet``). Pure:
the console's set boards and conflicts panel and the actor's run sheet read it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from controlroom.exercise.cues import CueInstance, cue_definition
from controlroom.exercise.lifecycles import CueStatus, ReleaseStatus
from controlroom.exercise.state import ExerciseState
from controlroom.scenario.model import Schedule
from controlroom.scenario.run_sheet import (
    Conflict,
    Scene,
    Shift,
    conflicts,
    in_order,
    resolving_shift,
)

UNRELEASED = {ReleaseStatus.PLANNED, ReleaseStatus.SCHEDULED, ReleaseStatus.HELD}


@dataclass(frozen=True, slots=True)
class LiveConflict:
    conflict: Conflict
    shift: Shift | None  # the team shift that would resolve it (None: none found)


@dataclass(frozen=True, slots=True)
class SetBoard:
    """One set: who is on it now, who is next."""

    set: str
    now: tuple[Scene, ...]  # in scene, or due within the scene length before now
    next: tuple[Scene, ...]  # the next scenes still to come, soonest first
    conflicts: tuple[LiveConflict, ...]


def scene_of(state: ExerciseState, instance: CueInstance) -> Scene | None:
    """The scene of a cue instance (None when its release to the team was cancelled)."""
    if instance.release is ReleaseStatus.CANCELLED:
        return None
    found = cue_definition(state, instance.cue)
    cue = found[1] if found is not None else None
    return Scene(
        instance.at,
        instance.team,
        instance.role,
        instance.cue,
        instance.inject,
        cue.set if cue is not None else None,
        cue.shared if cue is not None else False,
        instance.status.value,
    )


def live_scenes(state: ExerciseState, wall: float, role: str | None = None) -> list[Scene]:
    """Every scene (optionally one role's) as the teams' releases and paces stand at
    ``wall``: timed ones by time, then the ones with no time yet."""
    return _scenes(state, state.cue_instances(role=role, wall=wall))


def _scenes(state: ExerciseState, instances: list[CueInstance]) -> list[Scene]:
    scenes = (scene_of(state, i) for i in instances)
    return in_order(scene for scene in scenes if scene is not None)


def movable(state: ExerciseState) -> set[tuple[str, str]]:
    """The (cue, team) scenes a team shift would move: their inject is not released yet."""
    return {
        (instance.cue, instance.team)
        for instance in state.cue_instances()
        if instance.release in UNRELEASED
    }


def open_conflicts(state: ExerciseState, wall: float) -> list[LiveConflict]:
    """The conflicts still ahead: among scenes not done whose time has not passed by more
    than a scene's length; each with the team shift that would resolve it.

    Finding them (and above all the shifts: each tries up to 48 shifts, every try a whole
    conflict search) is the costly part, so it is remembered by its inputs (``_RESOLVED``):
    the scenes ahead, which of them a shift moves, the schedule. A console refresh with no
    event that moved a scene (nor a scene left behind by the clock) finds it again without
    searching; while a team is held its scenes move with the clock, so it searches again."""
    schedule = state.scenario.schedule
    now = state.clock.scenario_now(wall) if state.started else None
    instances = state.cue_instances(wall=wall)
    can_move = frozenset((i.cue, i.team) for i in instances if i.release in UNRELEASED)
    ahead = (s for s in _scenes(state, instances) if _ahead(s, now, schedule.scene_seconds))
    scenes = tuple(ahead)
    key = (scenes, can_move, schedule)
    found = _RESOLVED.get(key)
    if found is None:
        found = _RESOLVED[key] = _resolved(scenes, can_move, schedule)
        while len(_RESOLVED) > REMEMBERED:
            del _RESOLVED[next(iter(_RESOLVED))]  # the oldest
    else:
        _RESOLVED.move_to_end(key)
    return list(found)


REMEMBERED = 16  # the last inputs of open_conflicts and their answers (several exercises)
_RESOLVED: OrderedDict[
    tuple[tuple[Scene, ...], frozenset[tuple[str, str]], Schedule], tuple[LiveConflict, ...]
] = OrderedDict()


def _resolved(
    scenes: tuple[Scene, ...], can_move: frozenset[tuple[str, str]], schedule: Schedule
) -> tuple[LiveConflict, ...]:
    def moves(scene: Scene) -> bool:
        return (scene.cue, scene.team) in can_move

    return tuple(
        LiveConflict(conflict, resolving_shift(scenes, conflict, schedule, moves))
        for conflict in conflicts(scenes, schedule)
    )


def _ahead(scene: Scene, now: float | None, holds: int) -> bool:
    if scene.status == CueStatus.DONE.value:
        return False
    return now is None or scene.time is None or scene.time + holds > now


def set_boards(state: ExerciseState, wall: float, upcoming: int = 3) -> list[SetBoard]:
    """Per set of the scenario, in its order: the scenes on it now and the next ones."""
    holds = state.scenario.schedule.scene_seconds
    now = state.clock.scenario_now(wall) if state.started else None
    scenes = live_scenes(state, wall)
    found = open_conflicts(state, wall)
    boards = []
    for item in state.scenario.sets:
        mine = [s for s in scenes if s.set == item.id and s.status != CueStatus.DONE.value]
        on = [s for s in mine if _on_now(s, now, holds)]
        later = [s for s in mine if s not in on and s.time is not None]
        if now is not None:
            later = [s for s in later if s.time is not None and s.time > now]
        unscheduled = [s for s in mine if s.time is None and s not in on]
        boards.append(
            SetBoard(
                item.id,
                tuple(on),
                tuple((later + unscheduled)[:upcoming]),
                tuple(c for c in found if item.id in (c.conflict.first.set, c.conflict.second.set)),
            )
        )
    return boards


def _on_now(scene: Scene, now: float | None, holds: int) -> bool:
    if scene.status == CueStatus.IN_SCENE.value:
        return True
    if now is None or scene.time is None:
        return False
    return scene.time <= now < scene.time + holds


def upcoming_scenes(state: ExerciseState, wall: float, role: str) -> list[Scene]:
    """An actor's run sheet: their role's scenes not done yet, across teams, in order."""
    return [s for s in live_scenes(state, wall, role) if s.status != CueStatus.DONE.value]
