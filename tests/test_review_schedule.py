"""Each team's schedule, planned and actual, for the after-action export."""

from __future__ import annotations

from typing import Any

from controlroom.exercise import commands
from controlroom.exercise.events import Fact, Payload
from controlroom.exercise.state import ExerciseState
from controlroom.review.schedule import ScheduleLine, schedule_lines
from controlroom.web.console.schedule_sheets import schedule_table
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0  # STARTEX at D1 09:00
H = 3600.0


def play(state: ExerciseState, payload: Payload | None, at: float) -> None:
    assert payload is not None
    commit = state.plan(payload)
    state.commit(Fact(state.seq + 1, at, payload), commit)


def cue() -> dict[str, Any]:
    return {"role": "driver", "offset": "-10m", "where": text("w"), "knows": text("k"),
            "emotion": text("e")}  # fmt: skip


def test_planned_and_actual_per_team_early_late_and_shifted() -> None:
    state = ExerciseState.new(
        make_scenario(
            inject("A", at="D1 10:00", cues=[cue()]),
            inject("B", trigger={"after": "A", "state": "released", "delay": "10m"}),
        ),
        "ex",
    )
    play(state, commands.startex(state, "d"), T0)
    play(state, commands.release_now(state, "d", "A", ["alpha"]), T0 + 1800)  # early: 09:30
    play(state, commands.shift_team(state, "d", "bravo", "slow", T0 + 1800, minutes=15), T0 + 1800)
    lines = schedule_lines(state)
    alpha = [line for line in lines if line.team == "alpha"]
    assert alpha[0] == ScheduleLine(
        "alpha", "A", "A.1", "driver", "", 9 * H + 50 * 60, 9 * H + 20 * 60, "waiting"
    )
    assert alpha[1] == ScheduleLine("alpha", "A", "", "", "", 10 * H, 9.5 * H, "released")
    assert alpha[1].difference == -1800
    assert alpha[2].inject == "B" and alpha[2].planned == 10 * H + 600
    bravo = [line for line in lines if line.team == "bravo"]
    assert [line.actual for line in bravo] == [None, None, None]  # nothing released yet
    assert lines.index(bravo[0]) > lines.index(alpha[-1])  # per team, in the scenario's order


def test_the_table_in_russian() -> None:
    state = ExerciseState.new(make_scenario(inject("A", at="D1 10:00", cues=[cue()])), "ex")
    words = {"Team": "Команда"}

    def gettext(message: str) -> str:
        return words.get(message, message)

    title, rows = schedule_table(state, "ru", gettext)
    assert title == "Schedule per team"
    assert rows[0][0] == "Команда"
    assert rows[1][:2] == ["Alpha (ru)", "A"] and rows[1][5] == "D1 09:50"
