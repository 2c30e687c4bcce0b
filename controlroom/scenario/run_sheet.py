"""The actors' run sheet: each role's scenes across teams, their clashes, and the fix.

Design: docs/scenario.md, "Sets and the run sheet". Pure data: a :class:`Scene` is one cue
played for one team (its time, team, set); :func:`planned_scenes` makes them from the
scenario's plan (for ``controlroom validate`` and the MSEL), ``controlroom.exercise.
run_sheet`` from a running exercise. :func:`conflicts` finds one character in two scenes
closer than the scenario's ``schedule.min_gap`` and a set another team's scene still holds
(``schedule.scene``); :func:`resolving_shift` the smallest shift of one team that clears a
conflict without making a new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

from controlroom.scenario.model import AfterTrigger, Inject, Schedule

STEP = 300  # a suggested shift is a whole number of 5 minutes
JOINT = 60.0  # a shared cue's instances within a minute of the first are one scene
LONGEST_SHIFT = 4 * 3600


@dataclass(frozen=True, slots=True)
class Scene:
    """One cue played for one team: ``time`` in scenario seconds (None: manual or on a
    trigger nobody can plan), and where."""

    time: float | None
    team: str
    role: str
    cue: str
    inject: str
    set: str | None
    shared: bool = False  # one scene for every team it plays for at the same time
    status: str = "planned"  # live: waiting, ready, in-scene, done
    joint: float | None = None  # a shared scene's occasion: its first instance's time (joined)

    @property
    def occasion(self) -> tuple[str, float | None] | tuple[str, float | None, str]:
        """What the actor actually plays: a shared cue's instances ``joined`` into one scene
        are one (a team's hold that ended a moment later does not split a joint scene)."""
        if self.shared:
            return (self.cue, self.joint if self.joint is not None else self.time)
        return (self.cue, self.time, self.team)


def joined(scenes: Iterable[Scene]) -> list[Scene]:
    """The scenes, each shared cue's timed instances grouped into occasions: an instance
    within ``JOINT`` of the first of a group is the same scene (``joint``: that first time).
    Grouped from the first instance, not by clock minute: 10:45:10 and 10:45:40 are one scene
    however the minutes fall."""
    first: dict[str, float] = {}
    out = []
    for scene in in_order(scenes):
        if scene.shared and scene.time is not None:
            start = first.get(scene.cue)
            if start is None or scene.time - start >= JOINT:
                first[scene.cue] = start = scene.time
            scene = replace(scene, joint=start)
        out.append(scene)
    return out


@dataclass(frozen=True, slots=True)
class Conflict:
    """``role``: one character in two scenes closer than the least gap; ``set``: another
    team's scene on a set while one is still played there. ``second`` is the later one."""

    kind: Literal["role", "set"]
    first: Scene
    second: Scene
    needed: int  # seconds the two should be apart

    @property
    def gap(self) -> float:
        return (self.second.time or 0.0) - (self.first.time or 0.0)

    @property
    def key(self) -> tuple[str, frozenset[object]]:
        """Which clash it is, whichever of the two comes first."""
        return (self.kind, frozenset((self.first.occasion, self.second.occasion)))

    @property
    def scenes(self) -> frozenset[object]:
        return frozenset((self.first.occasion, self.second.occasion))


@dataclass(frozen=True, slots=True)
class Shift:
    """Shift ``team``'s remaining schedule by ``seconds`` (positive: later)."""

    team: str
    seconds: int


@dataclass(frozen=True, slots=True)
class RoleSummary:
    role: str
    scenes: int  # scenes the actor plays (a shared cue's teams at one time: one)
    unscheduled: int  # on a manual or player trigger: no time to plan
    first: float | None
    last: float | None
    tightest: float | None  # the shortest time between two scenes in a row


def planned_times(injects: Iterable[Inject]) -> dict[str, float]:
    """Each inject's planned release: its ``at``, or the earlier inject's plus the delay
    (``after`` triggers; the earliest it can be). Manual and player triggers have none, nor
    has ``after`` with ``state: replied``: a reply is what players do, and may never come."""
    by_id = {inject.id: inject for inject in injects}
    times: dict[str, float] = {}

    def time_of(inject_id: str, seen: frozenset[str]) -> float | None:
        if inject_id in times:
            return times[inject_id]
        inject = by_id.get(inject_id)
        if inject is None or inject_id in seen:
            return None
        found: float | None = None
        if inject.at_seconds is not None:
            found = float(inject.at_seconds)
        elif isinstance(inject.trigger, AfterTrigger) and inject.trigger.state != "replied":
            earlier = time_of(inject.trigger.after, seen | {inject_id})
            found = None if earlier is None else earlier + inject.trigger.delay_seconds
        if found is not None:
            times[inject_id] = found
        return found

    for inject_id in by_id:
        time_of(inject_id, frozenset())
    return times


def planned_scenes(teams: Sequence[str], injects: Sequence[Inject]) -> list[Scene]:
    """Every cue of every inject, once per team it goes to, at its planned time."""
    times = planned_times(injects)
    scenes = []
    for inject in injects:
        due = times.get(inject.id)
        recipients = list(teams) if inject.to == "all" else list(inject.to)
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            time = None if due is None else due + cue.offset_seconds
            for team in recipients:
                scenes.append(Scene(time, team, cue.role, cue_id, inject.id, cue.set, cue.shared))
    return in_order(scenes)


def in_order(scenes: Iterable[Scene]) -> list[Scene]:
    """Timed scenes by time (then team, cue), then the unscheduled ones."""
    return sorted(scenes, key=lambda s: (s.time is None, s.time or 0.0, s.team, s.cue))


def conflicts(scenes: Iterable[Scene], schedule: Schedule) -> list[Conflict]:
    """Every clash among timed scenes, by the later scene's time: a role closer than
    ``schedule.min_gap`` to itself, a set taken by another team within ``schedule.scene``."""
    timed = joined(s for s in scenes if s.time is not None)
    found: list[Conflict] = []
    found += _clashes(timed, "role", lambda s: s.role, schedule.min_gap_seconds)
    found += _clashes(timed, "set", lambda s: s.set, schedule.scene_seconds)
    return sorted(found, key=lambda c: (c.second.time or 0.0, c.kind, c.second.team, c.first.team))


def _clashes(
    timed: list[Scene], kind: Literal["role", "set"], key: Callable[[Scene], str | None], need: int
) -> list[Conflict]:
    groups: dict[str, list[Scene]] = defaultdict(list)
    for scene in timed:
        value = key(scene)
        if value is not None:
            groups[value].append(scene)
    found = []
    for group in groups.values():
        reported: set[object] = set()
        for n, second in enumerate(group):
            if second.occasion in reported:
                continue  # a shared scene's other teams: reported once
            for first in reversed(group[:n]):  # the nearest earlier scene it clashes with
                if (second.time or 0.0) - (first.time or 0.0) >= need:
                    break
                if first.occasion == second.occasion:
                    continue  # one shared scene
                if kind == "set" and first.team == second.team:
                    continue  # a team's own play goes on on its set
                reported.add(second.occasion)
                found.append(Conflict(kind, first, second, need))
                break
    return found


def shifted(scenes: Iterable[Scene], shift: Shift, movable: Callable[[Scene], bool]) -> list[Scene]:
    """The scenes with ``shift.team``'s movable ones moved by the shift."""
    return [
        replace(s, time=(s.time or 0.0) + shift.seconds)
        if s.team == shift.team and s.time is not None and movable(s)
        else s
        for s in scenes
    ]


def resolving_shift(
    scenes: Sequence[Scene],
    conflict: Conflict,
    schedule: Schedule,
    movable: Callable[[Scene], bool] = lambda scene: True,
) -> Shift | None:
    """The smallest shift (later, in steps of 5 minutes) of the later scene's team that
    clears ``conflict`` (and any other clash of the same two scenes: a role and its set)
    and makes no conflict that was not there; None when the two scenes are the same
    team's, the later one cannot move, or no shift within 4 hours does it."""
    team = conflict.second.team
    if team == conflict.first.team or not movable(conflict.second):
        return None
    before = {c.key for c in conflicts(scenes, schedule)}
    same = {key for key in before if key[1] == conflict.scenes}
    seconds = _round_up(conflict.needed - conflict.gap)
    while seconds <= LONGEST_SHIFT:
        shift = Shift(team, seconds)
        after = {c.key for c in conflicts(shifted(scenes, shift, movable), schedule)}
        if not after & same and after <= before:
            return shift
        seconds += STEP
    return None


def _round_up(seconds: float) -> int:
    steps = max(1, -(-int(seconds) // STEP))
    return steps * STEP


def summaries(roles: Sequence[str], scenes: Iterable[Scene]) -> list[RoleSummary]:
    """Per role, in ``roles`` order: scenes, first and last, the tightest gap."""
    by_role: dict[str, list[Scene]] = defaultdict(list)
    for scene in joined(scenes):
        by_role[scene.role].append(scene)
    found = []
    for role in roles:
        mine = by_role.get(role, [])
        occasions = {s.occasion: s for s in mine}.values()
        timed = sorted(s.time for s in occasions if s.time is not None)
        gaps = [b - a for a, b in pairwise(timed)]
        found.append(
            RoleSummary(
                role,
                scenes=len(occasions),
                unscheduled=sum(1 for s in occasions if s.time is None),
                first=timed[0] if timed else None,
                last=timed[-1] if timed else None,
                tightest=min(gaps) if gaps else None,
            )
        )
    return found


def role_scenes(scenes: Iterable[Scene], role: str) -> list[Scene]:
    """One role's scenes in order: what an actor's run sheet lists."""
    return in_order(s for s in scenes if s.role == role)


def set_scenes(scenes: Iterable[Scene], set_id: str) -> list[Scene]:
    return in_order(s for s in scenes if s.set == set_id)
