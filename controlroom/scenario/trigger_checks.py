"""Trigger checks: no cycle, the earlier inject reaches every recipient, and what players
do names a known request type (and answer), cue (and reveal) and task. Design: docs/scenario.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from controlroom.scenario import model
from controlroom.scenario.draft import Draft, PlacedInject
from controlroom.scenario.model import Inject, ScenarioFile
from controlroom.scenario.problems import Problem, problem_at, unknown


def triggers(draft: Draft) -> Iterator[Problem]:
    """``after`` and cue triggers form no cycle, the earlier inject reaches every recipient,
    and what players do names a known request type (and answer), cue and task."""
    by_id: dict[str, PlacedInject] = {}
    for placed in draft.injects:
        by_id.setdefault(placed.inject.id, placed)
    cue_owner = {
        cue_id: placed.inject.id for placed in draft.injects for cue_id in placed.inject.cue_ids()
    }
    yield from _cycles(draft.injects, by_id, cue_owner)
    if draft.header is None:
        return
    reveals = {
        cue_id: [reveal.id or str(n) for n, reveal in enumerate(cue.reveals, start=1)]
        for placed in draft.injects
        for cue_id, cue in zip(placed.inject.cue_ids(), placed.inject.cues, strict=True)
    }
    yield from _player_triggers(draft, draft.header, reveals)
    teams = [team.id for team in draft.header.teams]
    for placed in draft.injects:
        trigger = placed.inject.trigger
        if not isinstance(trigger, model.AfterTrigger) or trigger.after not in by_id:
            continue
        earlier = by_id[trigger.after].inject
        theirs = _recipients(earlier, teams)
        missing = [team for team in _recipients(placed.inject, teams) if team not in theirs]
        if missing:
            message = (
                f"{earlier.id!r} does not go to {', '.join(missing)}: "
                f"this inject can never fire for {'it' if len(missing) == 1 else 'them'}"
            )
            yield problem_at(*placed.at("trigger", "after"), message)


def _recipients(inject: Inject, teams: list[str]) -> list[str]:
    return list(teams) if inject.to == "all" else list(inject.to)


def _player_triggers(
    draft: Draft, header: ScenarioFile, reveals: dict[str, list[str]]
) -> Iterator[Problem]:
    cues = sorted(reveals)
    kinds = {kind.id: kind for kind in header.requests}
    tasks = [task.id for objective in header.objectives for task in objective.tasks]
    for placed in draft.injects:
        trigger = placed.inject.trigger
        if not isinstance(trigger, model.PlayerTrigger):
            continue
        if trigger.request is not None and trigger.request not in kinds:
            message = unknown("request type", trigger.request, list(kinds))
            yield problem_at(*placed.at("trigger", "request"), message)
        elif trigger.request is not None and trigger.answer is not None:
            answers = [a.id for a in kinds[trigger.request].answers]
            if trigger.answer not in answers:
                message = unknown(f"answer of {trigger.request!r}", trigger.answer, answers)
                yield problem_at(*placed.at("trigger", "answer"), message)
        if trigger.cue is not None and trigger.cue not in cues:
            yield problem_at(*placed.at("trigger", "cue"), unknown("cue", trigger.cue, cues))
        elif trigger.cue is not None and trigger.reveal is not None:
            known = reveals[trigger.cue]
            if trigger.reveal not in known:
                message = unknown(f"reveal of cue {trigger.cue!r}", trigger.reveal, known)
                yield problem_at(*placed.at("trigger", "reveal"), message)
        if trigger.task is not None and trigger.task not in tasks:
            yield problem_at(*placed.at("trigger", "task"), unknown("task", trigger.task, tasks))


def _after(placed: PlacedInject, cue_owner: dict[str, str]) -> tuple[str, str] | None:
    """The inject this one waits for, and the trigger's key that names it."""
    trigger = placed.inject.trigger
    if isinstance(trigger, model.AfterTrigger):
        return trigger.after, "after"
    if isinstance(trigger, model.PlayerTrigger) and trigger.cue in cue_owner:
        return cue_owner[trigger.cue], "cue"
    return None


def _cycles(
    injects: list[PlacedInject], by_id: dict[str, PlacedInject], cue_owner: dict[str, str]
) -> Iterator[Problem]:
    # Each inject waits for at most one other: following ``after`` from any inject either
    # ends or runs into a loop. Each loop is reported once, at its first inject in the files.
    position = {placed.inject.id: n for n, placed in reversed(list(enumerate(injects)))}
    done: set[str] = set()
    for placed in injects:
        path: list[str] = []
        current: str | None = placed.inject.id
        while current is not None and current in by_id and current not in done:
            if current in path:
                cycle = path[path.index(current) :]
                first = min(range(len(cycle)), key=lambda n: position[cycle[n]])
                cycle = cycle[first:] + cycle[:first]
                text = " -> ".join([*cycle, cycle[0]])
                waits = _after(by_id[cycle[0]], cue_owner)
                key = waits[1] if waits else "after"
                yield problem_at(*by_id[cycle[0]].at("trigger", key), f"trigger cycle: {text}")
                break
            path.append(current)
            waits = _after(by_id[current], cue_owner)
            current = waits[0] if waits else None
        done.update(path)
