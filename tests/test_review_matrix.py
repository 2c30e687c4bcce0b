"""The evaluation matrix: teams x critical tasks, the latest rating after corrections,
withdrawn observations left out, filtered by day and objective."""

from __future__ import annotations

from controlroom.exercise import commands
from controlroom.exercise.commands import Observed
from controlroom.exercise.events import Rating
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.review.matrix import evaluation_matrix, observations_of
from tests.support.scenarios import make_scenario, text

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None, at: float) -> int:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))
    assert not state.set_aside
    return state.seq


def two_objectives() -> ExerciseState:
    scenario = make_scenario()
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["objectives"].append(
        {
            "id": "OBJ-2",
            "title": text("Protect"),
            "tasks": [{"id": "T2", "title": text("refer")}, {"id": "T3", "title": text("house")}],
        }
    )
    state = ExerciseState.new(type(scenario).model_validate(data), "unit")
    play(state, commands.startex(state, "dina"), T0)
    return state


def rate(state: ExerciseState, team: str, objective: str, task: str, rating: str, at: float) -> int:
    decision = commands.add_observation(
        state, "olga", f"{team} {task} {rating}", objective, task=task, rating=rating, team=team
    )
    return play(state, decision, at)


def test_cells_hold_the_latest_rating_and_the_count() -> None:
    state = two_objectives()
    rate(state, "alpha", "OBJ-1", "T1", "M", T0 + 60)
    latest = rate(state, "alpha", "OBJ-1", "T1", "S", T0 + 120)
    rate(state, "bravo", "OBJ-2", "T3", "U", T0 + 180)
    unrated = commands.add_observation(state, "olga", "noted", "OBJ-1", task="T1", team="alpha")
    play(state, unrated, T0 + 200)
    matrix = evaluation_matrix(state)
    assert [c.task for c in matrix.columns] == ["T1", "T2", "T3"]
    assert matrix.teams == ("alpha", "bravo")
    cell = matrix.cell("alpha", "T1")
    assert (cell.rating, cell.count, cell.latest) == (Rating.S, 3, latest)
    assert matrix.cell("bravo", "T3").rating is Rating.U
    assert (matrix.cell("bravo", "T1").rating, matrix.cell("bravo", "T1").count) == (None, 0)
    assert matrix.observations == 4


def test_a_correction_changes_the_cell_and_a_withdrawal_takes_it_out() -> None:
    state = two_objectives()
    first = rate(state, "alpha", "OBJ-1", "T1", "M", T0 + 60)
    second = rate(state, "alpha", "OBJ-1", "T1", "S", T0 + 120)
    fix = Observed("better", "OBJ-1", "T1", "P", "alpha")
    play(state, commands.correct_observation(state, "olga", second, fix), T0 + 130)
    assert evaluation_matrix(state).cell("alpha", "T1").rating is Rating.P
    play(state, commands.withdraw_observation(state, "olga", second), T0 + 140)
    cell = evaluation_matrix(state).cell("alpha", "T1")
    assert (cell.rating, cell.count, cell.latest) == (Rating.M, 1, first)
    moved = Observed("was bravo", "OBJ-1", "T1", "U", "bravo")
    play(state, commands.correct_observation(state, "olga", first, moved), T0 + 150)
    matrix = evaluation_matrix(state)
    assert matrix.cell("alpha", "T1").count == 0
    assert matrix.cell("bravo", "T1").rating is Rating.U
    assert [n.seq for n in observations_of(state, team="bravo", task="T1")] == [first]


def test_filters_by_day_and_objective() -> None:
    state = two_objectives()
    rate(state, "alpha", "OBJ-1", "T1", "M", T0 + 60)
    play(state, commands.jump(state, "dina", 86400 + 9 * 3600), T0 + 100)
    rate(state, "alpha", "OBJ-1", "T1", "P", T0 + 160)
    rate(state, "bravo", "OBJ-2", "T2", "S", T0 + 170)
    day1, day2 = evaluation_matrix(state, day=1), evaluation_matrix(state, day=2)
    assert day1.cell("alpha", "T1").rating is Rating.M
    assert day2.cell("alpha", "T1").rating is Rating.P
    assert (day1.observations, day2.observations) == (1, 2)
    only = evaluation_matrix(state, objective="OBJ-2")
    assert [c.task for c in only.columns] == ["T2", "T3"]
    assert only.observations == 1
    assert evaluation_matrix(state, day=3).observations == 0


def test_the_objectives_over_the_columns_keep_the_scenario_order() -> None:
    state = two_objectives()
    matrix = evaluation_matrix(state)
    assert [(o, n) for o, _, n in matrix.groups] == [("OBJ-1", 1), ("OBJ-2", 2)]
    assert [c.objective for c in matrix.columns] == ["OBJ-1", "OBJ-2", "OBJ-2"]
