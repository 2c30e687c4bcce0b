"""The evaluation matrix (HSEEP's Exercise Evaluation Guide): teams x critical tasks.

Design: docs/review.md. A pure function of the folded state: each cell is a team and one
task of an objective, with the latest rating observed for it (the newest observation that
carries a rating, as last corrected; withdrawn observations do not count) and how many
observations there are. Filters: a scenario day (the day the observation was recorded on,
as the clock stood) and an objective.
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.exercise.events import Rating
from controlroom.exercise.state import ExerciseState, Note
from controlroom.review.debrief import day_of
from controlroom.scenario.model import LocalText


@dataclass(frozen=True, slots=True)
class TaskColumn:
    objective: str
    objective_title: LocalText
    task: str
    title: LocalText


@dataclass(frozen=True, slots=True)
class Cell:
    team: str
    objective: str
    task: str
    rating: Rating | None  # the latest rating (None: observed but never rated, or nothing)
    count: int  # observations that count (not withdrawn)
    latest: int | None  # the seq of the observation the rating comes from

    @property
    def key(self) -> str:
        return f"{self.team}--{self.objective}--{self.task}"


@dataclass(frozen=True, slots=True)
class Matrix:
    teams: tuple[str, ...]
    columns: tuple[TaskColumn, ...]
    rows: tuple[tuple[Cell, ...], ...]  # one per team, a cell per column
    day: int | None
    objective: str | None
    observations: int  # that count, within the filters

    @property
    def groups(self) -> list[tuple[str, LocalText, int]]:
        """The objectives over the columns, in scenario order: (id, title, how many tasks)."""
        found: list[tuple[str, LocalText, int]] = []
        for column in self.columns:
            if found and found[-1][0] == column.objective:
                objective, title, count = found[-1]
                found[-1] = (objective, title, count + 1)
            else:
                found.append((column.objective, column.objective_title, 1))
        return found

    def cell(self, team: str, task: str) -> Cell:
        row = self.rows[self.teams.index(team)]
        return next(c for c in row if c.task == task)


def observations_of(
    state: ExerciseState,
    *,
    day: int | None = None,
    objective: str | None = None,
    team: str | None = None,
    task: str | None = None,
) -> list[Note]:
    """The observations that count (latest versions, none withdrawn), newest first."""
    found = [
        note
        for note in state.observations.values()
        if note.counts
        and (day is None or day_of(note.scenario) == day)
        and (objective is None or note.objective == objective)
        and (team is None or note.team == team)
        and (task is None or note.task == task)
    ]
    return sorted(found, key=lambda n: n.seq, reverse=True)


def evaluation_matrix(
    state: ExerciseState, *, day: int | None = None, objective: str | None = None
) -> Matrix:
    """Teams x the critical tasks of every objective (or of ``objective``) on ``day``."""
    columns = tuple(
        TaskColumn(o.id, o.title, t.id, t.title)
        for o in state.scenario.objectives
        if objective is None or o.id == objective
        for t in o.tasks
    )
    teams = tuple(state.scenario.team_ids)
    counted = observations_of(state, day=day, objective=objective)
    by_cell: dict[tuple[str, str, str], list[Note]] = {}
    for note in counted:  # newest first
        if note.team is not None and note.task is not None and note.objective is not None:
            by_cell.setdefault((note.team, note.objective, note.task), []).append(note)
    rows = []
    for team in teams:
        cells = []
        for column in columns:
            notes = by_cell.get((team, column.objective, column.task), [])
            rated = next((n for n in notes if n.rating is not None), None)
            cells.append(
                Cell(
                    team,
                    column.objective,
                    column.task,
                    rated.rating if rated else None,
                    len(notes),
                    rated.seq if rated else None,
                )
            )
        rows.append(tuple(cells))
    return Matrix(teams, columns, tuple(rows), day, objective, len(counted))
