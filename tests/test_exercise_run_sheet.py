"""The run sheet of a running exercise: scenes follow each team's release and pace."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest

from controlroom.exercise import commands, run_sheet
from controlroom.exercise.events import Fact, Payload
from controlroom.exercise.run_sheet import (
    live_scenes,
    movable,
    open_conflicts,
    set_boards,
    upcoming_scenes,
)
from controlroom.exercise.state import ExerciseState
from controlroom.scenario.model import Scenario, Set
from controlroom.scenario.run_sheet import Shift, conflicts
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0  # STARTEX at D1 09:00
H = 3600.0


def play(state: ExerciseState, payload: Payload | None, at: float) -> None:
    assert payload is not None
    commit = state.plan(payload)
    state.commit(Fact(state.seq + 1, at, payload), commit)


def cue(set_id: str, offset: str = "-10m", **more: Any) -> dict[str, Any]:
    return {
        "role": "driver",
        "set": set_id,
        "offset": offset,
        "where": text("w"),
        "knows": text("k"),
        "emotion": text("e"),
        **more,
    }


def scenario(*injects: dict[str, Any]) -> Scenario:
    base = make_scenario(*injects)
    sets = [Set(id="gate", name=text("Gate")), Set(id="flat", name=text("Flat"))]
    return base.model_copy(update={"sets": sets})


def started(*injects: dict[str, Any]) -> ExerciseState:
    state = ExerciseState.new(scenario(*injects), "ex")
    play(state, commands.startex(state, "dir"), T0)
    return state


def test_scenes_one_per_team_at_each_teams_time_with_the_set() -> None:
    # the driver plays for alpha at 09:50 and for bravo at 10:20 (B goes to bravo only)
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[cue("gate")]),
        inject("M", trigger="manual", to=["alpha"], cues=[cue("flat")]),
    )
    scenes = live_scenes(state, T0)
    assert [(s.team, s.cue, s.time, s.set) for s in scenes] == [
        ("alpha", "A.1", 9 * H + 50 * 60, "gate"),
        ("bravo", "B.1", 10 * H + 20 * 60, "gate"),
        ("alpha", "M.1", None, "flat"),
    ]
    assert open_conflicts(state, T0) == []
    assert movable(state) == {("A.1", "alpha"), ("B.1", "bravo"), ("M.1", "alpha")}


def test_a_team_shift_that_makes_a_clash_shows_it_with_the_resolving_shift() -> None:
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[cue("flat")]),
    )
    # alpha 25 min later: its driver scene at 10:15, 5 min before bravo's at 10:20
    play(state, commands.shift_team(state, "dir", "alpha", "slow", T0, minutes=25), T0)
    [found] = open_conflicts(state, T0)
    assert found.conflict.kind == "role"
    assert (found.conflict.first.team, found.conflict.second.team) == ("alpha", "bravo")
    assert found.shift == Shift("bravo", 300)  # bravo 5 min later clears it
    play(state, commands.shift_team(state, "dir", "bravo", "fix", T0, minutes=5), T0)
    assert open_conflicts(state, T0) == []


def test_a_team_hold_moves_its_scenes_as_it_lasts() -> None:
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[cue("gate", role="driver")]),
    )
    play(state, commands.hold_team(state, "dir", "alpha", "lost"), T0)
    assert open_conflicts(state, T0 + 10 * 60) == []
    # held 25 min: alpha's scene now at 10:15, bravo's at 10:20 on the same set and role
    kinds = {c.conflict.kind for c in open_conflicts(state, T0 + 25 * 60)}
    assert kinds == {"role", "set"}
    fixes = {c.shift for c in open_conflicts(state, T0 + 25 * 60)}
    assert fixes == {Shift("bravo", 900)}  # a set is held 20 min: bravo from 10:35


def test_set_boards_show_who_is_on_now_and_next() -> None:
    state = started(
        inject("A", at="D1 09:20", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[cue("gate")]),
        inject("C", at="D1 11:30", to=["alpha"], cues=[cue("gate")]),
    )
    gate, flat = set_boards(state, T0 + 15 * 60)  # 09:15: A's scene began at 09:10
    assert [s.cue for s in gate.now] == ["A.1"]
    assert [s.cue for s in gate.next] == ["B.1", "C.1"]
    assert flat.now == () and flat.next == ()
    play(state, commands.cue_status(state, "driver", "A.1", "done", "tab", team="alpha"), T0)
    gate, _ = set_boards(state, T0 + 15 * 60)
    assert gate.now == ()


def test_an_actors_run_sheet_is_their_role_only_without_done_scenes() -> None:
    state = started(
        inject("A", at="D1 10:00", cues=[cue("gate")]),  # both teams
    )
    assert [(s.team, s.cue) for s in upcoming_scenes(state, T0, "driver")] == [
        ("alpha", "A.1"),
        ("bravo", "A.1"),
    ]
    assert upcoming_scenes(state, T0, "nobody") == []
    play(state, commands.cue_status(state, "driver", "A.1", "done", "tab", team="alpha"), T0)
    assert [s.team for s in upcoming_scenes(state, T0, "driver")] == ["bravo"]


def test_conflicts_are_searched_again_only_when_their_inputs_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The console refreshes its conflicts panel (and boards) after every live event and on
    every page: a refresh with no event that moved a scene finds the last answer; an event
    that moves one searches again."""
    searches: list[int] = []
    search = conflicts

    def counted(*args: Any) -> Any:
        searches.append(1)
        return search(*args)

    monkeypatch.setattr(run_sheet, "conflicts", counted)
    monkeypatch.setattr(run_sheet, "_RESOLVED", OrderedDict(), raising=False)
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[cue("flat")]),
    )
    play(state, commands.shift_team(state, "dir", "alpha", "slow", T0, minutes=25), T0)
    first = open_conflicts(state, T0)
    assert len(first) == 1 and first[0].shift == Shift("bravo", 300)
    assert len(searches) == 1
    assert open_conflicts(state, T0 + 60) == first  # a refresh a minute later, no event
    assert open_conflicts(state, T0 + 60) == first
    assert len(searches) == 1
    play(state, commands.add_note(state, "dir", "a note moves no scene"), T0 + 90)
    assert open_conflicts(state, T0 + 120) == first and len(searches) == 1
    play(state, commands.shift_team(state, "dir", "bravo", "fix", T0, minutes=5), T0 + 150)
    assert open_conflicts(state, T0 + 180) == [] and len(searches) == 2  # a new event
    assert open_conflicts(state, T0 + 180) == [] and len(searches) == 2
