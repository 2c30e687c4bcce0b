"""Each team's schedule as planned and as it happened: the after-action export's schedule.

Design: docs/review.md. One line per inject each team got and per scene its actors played
for it: the planned scenario time (the scenario as run: ``at``, or the earlier inject's plus
the delay), the actual one (the release to that team, early or late, and its pace; a cue:
its instance's time once the inject was released) and the status. Reading only: a fold of
the journal (``review.debrief.reviewed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.exercise.lifecycles import ReleaseStatus
from controlroom.exercise.state import ExerciseState
from controlroom.scenario.run_sheet import planned_times


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    team: str
    inject: str
    cue: str  # "" for the inject's own line
    role: str
    set: str
    planned: float | None  # scenario seconds
    actual: float | None
    status: str  # the release's status; a cue's: waiting, ready, in-scene, done

    @property
    def difference(self) -> float | None:
        """Actual minus planned, in seconds (None when either is missing)."""
        if self.planned is None or self.actual is None:
            return None
        return self.actual - self.planned


def schedule_lines(state: ExerciseState) -> list[ScheduleLine]:
    """Per team in the scenario's order, its injects and scenes by planned (else actual) time."""
    planned = planned_times(state.injects.values())
    lines: list[ScheduleLine] = []
    for team in state.scenario.team_ids:
        mine: list[ScheduleLine] = []
        for inject in state.injects.values():
            release = state.releases.get((inject.id, team))
            if release is None:
                continue
            due = planned.get(inject.id)
            status = release.status(state.started)
            mine.append(
                ScheduleLine(
                    team, inject.id, "", "", "", due, release.released_scenario, status.value
                )
            )
            for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
                instance = state.cue_instance(cue_id, team)
                played = release.released_at is not None and status is not ReleaseStatus.CANCELLED
                mine.append(
                    ScheduleLine(
                        team,
                        inject.id,
                        cue_id,
                        cue.role,
                        cue.set or "",
                        None if due is None else due + cue.offset_seconds,
                        instance.at if played else None,
                        instance.status.value,
                    )
                )
        inf = float("inf")
        mine.sort(key=lambda line: (_first(line, inf), line.inject, line.cue))
        lines += mine
    return lines


def _first(line: ScheduleLine, inf: float) -> float:
    if line.planned is not None:
        return line.planned
    return line.actual if line.actual is not None else inf
