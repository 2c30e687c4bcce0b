"""A cue per team (controlroom.exercise.cues, cue_rules, cue_commands)."""

from __future__ import annotations

from typing import Any

import pytest

from controlroom.exercise import commands
from controlroom.exercise.events import EventType, Fact, Payload
from controlroom.exercise.lifecycles import CueStatus, ReleaseStatus
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0
H = 3600.0


def cue(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": "driver",
        "where": text("Bus stop"),
        "offset": "-10m",
        "knows": text("Knows"),
        "emotion": text("Calm"),
        "reveals": [
            {"what": text("the name"), "condition": text("asked kindly")},
            {"id": "route", "what": text("the route"), "condition": text("shown the map")},
        ],
    }
    data.update(extra)
    return data


def play(state: ExerciseState, payload: Payload | None, at: float) -> None:
    assert payload is not None
    commit = state.plan(payload)
    state.commit(Fact(state.seq + 1, at, payload), commit)


def scenario_with_cues() -> ExerciseState:
    return ExerciseState.new(
        make_scenario(
            inject("A", at="D1 10:00", cues=[cue()]),
            inject("N", trigger={"cue": "A.1", "reveal": "route", "delay": "5m"}),
            inject("D", trigger={"cue": "A.1"}),
        )
    )


def test_an_inject_to_two_teams_gives_two_cue_instances_with_their_own_times() -> None:
    state = scenario_with_cues()
    before = state.cue_instances(role="driver")
    assert [(c.cue, c.team, c.at) for c in before] == [
        ("A.1", "alpha", 10 * H - 600),
        ("A.1", "bravo", 10 * H - 600),
    ]
    play(state, commands.startex(state, "dir"), T0)
    play(state, commands.shift_team(state, "dir", "alpha", "slow", T0, minutes=20), T0)
    play(state, commands.release_now(state, "dir", "A", ["bravo"]), T0 + 1800)  # early
    alpha = state.cue_instance("A.1", "alpha")
    bravo = state.cue_instance("A.1", "bravo")
    assert alpha.at == 10 * H + 1200 - 600 and alpha.team_at == 10 * H - 600
    assert alpha.release is ReleaseStatus.SCHEDULED and not alpha.moving
    assert bravo.at == 9 * H + 1800 - 600  # follows the early release
    assert bravo.release is ReleaseStatus.RELEASED
    assert [r.reveal for r in alpha.reveals] == ["1", "route"]
    play(state, commands.hold_team(state, "dir", "alpha", "wait"), T0 + 1800)
    assert state.cue_instance("A.1", "alpha", T0 + 2400).moving
    assert state.cue_instance("A.1", "alpha", T0 + 2400).at == 10 * H + 1800 - 600


def test_each_team_has_its_own_status_reveals_and_triggers() -> None:
    state = scenario_with_cues()
    play(state, commands.startex(state, "dir"), T0)
    play(state, commands.cue_status(state, "driver", "A.1", "done", "dev", "a1", "bravo"), T0 + 60)
    assert state.cue_instance("A.1", "bravo").status is CueStatus.DONE
    assert state.cue_instance("A.1", "alpha").status is CueStatus.WAITING
    assert state.releases["D", "bravo"].due == 9 * H + 60
    assert state.releases["D", "alpha"].due is None
    play(
        state, commands.mark_reveal(state, "driver", "A.1", "alpha", "route", "dev", "a2"), T0 + 120
    )
    marked = state.cue_instance("A.1", "alpha").reveals
    assert marked[1].marked_at == T0 + 120 and marked[1].marked_scenario == 9 * H + 120
    assert marked[0].marked_at is None
    assert state.releases["N", "alpha"].due == 9 * H + 120 + 300
    assert state.releases["N", "bravo"].due is None
    # applied once: the same action, or the same reveal again, writes nothing
    assert commands.mark_reveal(state, "driver", "A.1", "alpha", "route", "dev", "a2") is None
    assert commands.mark_reveal(state, "driver", "A.1", "alpha", "route", "dev", "a3") is None
    with pytest.raises(CommandRefused) as refused:
        commands.mark_reveal(state, "driver", "A.1", "alpha", "nope", "dev", "a4")
    assert refused.value.code is Refusal.NO_REVEAL
    with pytest.raises(CommandRefused) as refused:
        commands.cue_status(state, "driver", "A.1", "ready", "dev", "a5", "ghost")
    assert refused.value.code is Refusal.CUE_NOT_FOR_TEAM


def test_an_old_journal_cue_report_without_team_applies_to_every_team() -> None:
    state = scenario_with_cues()
    history = [
        Event(1, EventType.STARTED, T0, {"scenario_time": 9 * H}),
        Event(2, EventType.CUE_STATUS, T0 + 60, {"cue": "A.1", "role": "driver", "status": "done"}),
    ]
    for event in history:
        state.apply(event)
    assert not state.set_aside
    assert {c.team: c.status for c in state.cue_instances()} == {
        "alpha": CueStatus.DONE,
        "bravo": CueStatus.DONE,
    }
    assert state.cues["A.1"].status is CueStatus.DONE  # the summary old views read
    assert state.releases["D", "alpha"].due == state.releases["D", "bravo"].due == 9 * H + 60


def test_the_cues_of_one_inject_are_those_of_every_cue_filtered_by_it() -> None:
    """``cue_instances(inject=...)`` looks only at the inject's own cues: the same list as
    taking every cue instance and keeping the inject's, before and after its cues change."""
    state = ExerciseState.new(
        make_scenario(
            inject("A", at="D1 10:00", cues=[cue(), cue(id="a-gate", offset="-20m")]),
            inject("B", at="D1 10:30", to=["bravo"], cues=[cue(role="driver")]),
            inject("C", at="D1 11:00"),
        )
    )

    def same() -> None:
        every = state.cue_instances()
        for inject_id in ("A", "B", "C", "missing"):
            mine = state.cue_instances(inject=inject_id)
            assert mine == [c for c in every if c.inject == inject_id]
            assert state.cue_instances(inject=inject_id, team="alpha") == [
                c for c in mine if c.team == "alpha"
            ]

    same()
    assert len(state.cue_instances(inject="A")) == 4  # two cues, two teams
    play(state, commands.startex(state, "dir"), T0)
    play(state, commands.edit(state, "dir", "A", {"cues": [cue(id="a-gate")]}), T0 + 60)
    same()
    assert {c.cue for c in state.cue_instances(inject="A")} == {"a-gate"}
