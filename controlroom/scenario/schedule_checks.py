"""Schedule checks: sets that cues name exist, and the actors' run sheet has no clash.

Design: docs/scenario.md, "Sets and the run sheet". :func:`sets` is one of the loader's
checks (an unknown or duplicate set is a mistake in the files). :func:`conflict_problems`
is not: a role in two scenes too close together, or a set booked twice, is a schedule to
fix, but the exercise can still run (and be paced around it); ``controlroom validate``
reports them with file and line and fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from controlroom.scenario.draft import Draft, PlacedInject
from controlroom.scenario.problems import Problem, problem_at, unknown
from controlroom.scenario.run_sheet import Conflict, Scene, conflicts, planned_scenes
from controlroom.scenario.time import format_time


def sets(draft: Draft) -> Iterator[Problem]:
    """Set ids are unique, and each cue's ``set`` is one of them."""
    header, source = draft.header, draft.header_source
    if header is None or source is None:
        return
    first: dict[str, int] = {}
    for n, item in enumerate(header.sets):
        if item.id in first:
            line = source.line(("sets", first[item.id], "id"))
            message = f"duplicate set id {item.id!r} (first at line {line})"
            yield problem_at(source, ("sets", n, "id"), message)
        first.setdefault(item.id, n)
    known = list(first)
    for placed in draft.injects:
        for n, cue in enumerate(placed.inject.cues):
            if cue.set is not None and cue.set not in first:
                yield problem_at(*placed.at("cues", n, "set"), unknown("set", cue.set, known))


def draft_scenes(draft: Draft) -> list[Scene]:
    if draft.header is None:
        return []
    teams = [team.id for team in draft.header.teams]
    return planned_scenes(teams, [placed.inject for placed in draft.injects])


def conflict_problems(draft: Draft) -> list[Problem]:
    """Every clash of the planned run sheet, at the later scene's cue (its ``role`` or
    ``set``), saying what it clashes with and by how much."""
    if draft.header is None:
        return []
    placed_by_id: dict[str, PlacedInject] = {}
    for placed in draft.injects:
        placed_by_id.setdefault(placed.inject.id, placed)
    found = []
    for conflict in conflicts(draft_scenes(draft), draft.header.schedule):
        placed = placed_by_id[conflict.second.inject]
        index = placed.inject.cue_ids().index(conflict.second.cue)
        found.append(problem_at(*placed.at("cues", index, conflict.kind), describe(conflict)))
    return found


def describe(conflict: Conflict) -> str:
    """A conflict in a scenario writer's words (English: the validator's language)."""
    first, second = conflict.first, conflict.second
    apart = _minutes(conflict.gap)
    if conflict.kind == "role":
        return (
            f"role {second.role!r} plays {second.cue} for {second.team} at "
            f"{format_time(second.time or 0)}, {apart} after {first.cue} for {first.team} at "
            f"{format_time(first.time or 0)}: less than the least gap between scenes "
            f"({_minutes(conflict.needed)}, schedule.min_gap)"
        )
    return (
        f"set {second.set!r} is booked twice: {second.cue} for {second.team} at "
        f"{format_time(second.time or 0)}, {apart} after {first.cue} for {first.team} at "
        f"{format_time(first.time or 0)} (a scene holds its set {_minutes(conflict.needed)}, "
        "schedule.scene)"
    )


def _minutes(seconds: float) -> str:
    minutes = int(seconds) // 60
    rest = int(seconds) % 60
    return f"{minutes} min" if not rest else f"{minutes} min {rest} s"
