"""Commands: a wish checked against state, turned into one event or refused with a reason."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused
from controlroom.exercise.events import EventType
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None, at: float = T0) -> None:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))


@pytest.fixture
def state() -> ExerciseState:
    scenario = make_scenario(
        inject("A", at="D1 09:30"), inject("B", trigger="manual", to=["alpha"])
    )
    return ExerciseState.new(scenario, "unit")


def test_the_clock_is_a_state_machine_that_refuses_invalid_transitions(
    state: ExerciseState,
) -> None:
    with pytest.raises(CommandRefused):
        commands.hold(state, "d", "why")  # not started
    with pytest.raises(CommandRefused):
        commands.endex(state, "d")
    play(state, commands.startex(state, "d"))
    with pytest.raises(CommandRefused, match="already started"):
        commands.startex(state, "d")
    with pytest.raises(CommandRefused, match="reason"):
        commands.hold(state, "d", "   ")
    play(state, commands.hold(state, "d", "fire alarm"))
    with pytest.raises(CommandRefused):
        commands.hold(state, "d", "again")
    play(state, commands.resume(state, "d"))
    with pytest.raises(CommandRefused, match="not on hold"):
        commands.resume(state, "d")
    with pytest.raises(CommandRefused, match="Speed"):
        commands.set_speed(state, "d", 0)
    with pytest.raises(CommandRefused, match="outside the exercise"):
        commands.jump(state, "d", 5 * 24 * 3600)
    play(state, commands.endex(state, "d"))
    with pytest.raises(CommandRefused):
        commands.release_now(state, "d", "B")


def test_release_now_to_one_team_then_the_rest(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    first = commands.release_now(state, "d", "A", ["bravo"])
    assert (first.TYPE, first.teams) == (EventType.INJECT_RELEASED, ("bravo",))
    play(state, first)
    rest = commands.release_now(state, "d", "A")
    assert rest.teams == ("alpha",)
    play(state, rest)
    with pytest.raises(CommandRefused, match="cannot be released"):
        commands.release_now(state, "d", "A")
    with pytest.raises(CommandRefused, match="not addressed"):
        commands.release_now(state, "d", "B", ["bravo"])


def test_acknowledge_is_idempotent_and_needs_a_release(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused):
        commands.acknowledge(state, "A", "alpha", "dev1")
    play(state, commands.release_now(state, "d", "A", ["alpha"]))
    play(state, commands.acknowledge(state, "A", "alpha", "dev1"))
    assert commands.acknowledge(state, "A", "alpha", "dev2") is None
    with pytest.raises(CommandRefused):
        commands.acknowledge(state, "A", "bravo", "dev3")


def test_hold_reschedule_cancel_only_before_release(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    play(state, commands.hold_inject(state, "d", "A", ["alpha"]))
    assert state.status("A", "alpha") == "held"
    with pytest.raises(CommandRefused, match="already held"):
        commands.hold_inject(state, "d", "A", ["alpha"])
    play(state, commands.reschedule(state, "d", "A", 11 * 3600, ["alpha"]))
    assert state.releases["A", "alpha"].due == 11 * 3600
    assert state.status("A", "alpha") == "scheduled"
    play(state, commands.cancel(state, "d", "A", ["bravo"]))
    assert state.status("A", "bravo") == "cancelled"
    with pytest.raises(CommandRefused):
        commands.release_now(state, "d", "A", ["bravo"])


def test_an_edit_is_validated_and_versioned(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="cannot be edited"):
        commands.edit(state, "d", "A", {"to": ["bravo"]})
    with pytest.raises(CommandRefused, match="channel"):
        commands.edit(state, "d", "A", {"channel": "carrier-pigeon"})
    edited = commands.edit(state, "d", "A", {"title": text("Edited")})
    assert edited.version == 2
    play(state, edited)
    assert state.injects["A"].title["en"] == "Edited"


def test_ad_hoc_injects_are_checked(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="already exists"):
        commands.create_inject(state, "d", inject("A", trigger="manual"))
    with pytest.raises(CommandRefused, match="Unknown team"):
        commands.create_inject(state, "d", inject("N", trigger="manual", to=["zulu"]))
    play(state, commands.create_inject(state, "d", inject("N", trigger="manual", to=["bravo"])))
    assert state.status("N", "bravo") == "planned"


def test_the_simcell_round_trip(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="Write what you ask"):
        commands.send_request(state, "alpha", "dev", None, "  ")
    play(state, commands.send_request(state, "alpha", "dev", "db-check", "Check the driver"))
    play(state, commands.claim_request(state, "pavel", "R001"), T0 + 10)
    assert commands.claim_request(state, "pavel", "R001") is None
    with pytest.raises(CommandRefused, match="prepared answer"):
        commands.answer_request(state, "pavel", "R001", answer="nope")
    play(state, commands.answer_request(state, "pavel", "R001", answer="no-record"), T0 + 70)
    assert state.requests["R001"].response_seconds == 70
    assert state.injects["SIM-R001"].body["ru"] == "No record found (ru)"
    with pytest.raises(CommandRefused, match="already been answered"):
        commands.answer_request(state, "pavel", "R001", text="again")


def test_cue_status_only_for_the_cues_role(state: ExerciseState) -> None:
    scenario = make_scenario(
        inject(
            "A",
            at="D1 09:30",
            cues=[
                {
                    "role": "driver",
                    "where": text("Bus"),
                    "knows": text("k"),
                    "emotion": text("calm"),
                }
            ],
        )
    )
    state = ExerciseState.new(scenario)
    with pytest.raises(CommandRefused):
        commands.cue_status(state, "girl", "A.1", "ready", "dev")
    with pytest.raises(CommandRefused, match="ready, in scene or done"):
        commands.cue_status(state, "driver", "A.1", "waiting", "dev")
    with pytest.raises(CommandRefused, match="ready, in scene or done"):
        commands.cue_status(state, "driver", "A.1", "asleep", "dev")
    play(state, commands.cue_status(state, "driver", "A.1", "ready", "dev"))
    assert state.cues["A.1"].status == "ready"
    assert commands.cue_status(state, "driver", "A.1", "ready", "dev") is None


def test_observations_use_hseep_ratings(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="P, S, M, U"):
        commands.add_observation(state, "obs", "ok", "OBJ-1", rating="X")
    play(
        state, commands.add_observation(state, "obs", "Good triage", "OBJ-1", task="T1", rating="S")
    )
    assert state.notes[-1].rating == "S"
