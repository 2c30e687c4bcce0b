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


def test_the_answer_comes_from_the_request_types_sender_and_channel(state: ExerciseState) -> None:
    play(state, commands.startex(state, "d"))
    play(state, commands.send_request(state, "alpha", "dev", "embassy", "Who is she?"))
    answered = commands.answer_request(state, "pavel", "R001", answer="passport")
    assert answered.sender == text("Embassy of Sarvan") and answered.channel == "email"
    play(state, answered, T0 + 20 * 60)  # 20 scenario minutes later: no wait left
    answer = state.injects["SIM-R001"]
    assert answer.sender == text("Embassy of Sarvan") and answer.channel == "email"
    assert [a.key for a in answer.attachments] == ["doc"]
    assert state.status("SIM-R001", "alpha") == "released"
    # a type without a sender answers under its own title; a free request needs a sender
    play(state, commands.send_request(state, "alpha", "dev", "db-check", "Check"))
    db = commands.answer_request(state, "pavel", "R002", answer="no-record")
    assert db.sender == text("Database check") and db.channel == "simcell-answer"
    play(state, commands.send_request(state, "alpha", "dev", None, "Anyone?"))
    with pytest.raises(CommandRefused, match="who answers in the fiction"):
        commands.answer_request(state, "pavel", "R003", text="Yes")
    free = commands.answer_request(state, "pavel", "R003", text="Yes", sender="Town hall")
    assert free.sender == {"en": "Town hall"}  # in the language it was written in


def test_an_answer_sent_before_the_least_delay_waits_and_a_hold_delays_it(
    state: ExerciseState,
) -> None:
    play(state, commands.startex(state, "d"))  # D1 09:00 at T0
    play(state, commands.send_request(state, "alpha", "dev", "embassy", "Who?"), T0 + 60)
    sent = state.requests["R001"].sent_scenario
    assert sent is not None
    answered = commands.answer_request(state, "pavel", "R001", answer="passport")
    assert answered.due == sent + 20 * 60
    play(state, answered, T0 + 120)
    release = state.releases["SIM-R001", "alpha"]
    assert release.released_at is None and state.status("SIM-R001", "alpha") == "scheduled"
    assert state.requests["R001"].answer_due == sent + 20 * 60
    assert state.next_due_wall() == T0 + 60 + 20 * 60
    play(state, commands.hold(state, "d", "fire alarm"), T0 + 300)
    play(state, commands.resume(state, "d"), T0 + 900)  # held for ten minutes
    assert commands.release_due(state, T0 + 60 + 20 * 60) is None  # not yet: the hold
    assert state.next_due_wall() == T0 + 60 + 20 * 60 + 600
    due = commands.release_due(state, T0 + 60 + 20 * 60 + 600)
    assert due is not None and due.inject == "SIM-R001" and due.teams == ("alpha",)
    play(state, due, T0 + 60 + 20 * 60 + 600)
    assert release.released_scenario == sent + 20 * 60


def test_a_claim_holds_until_another_controller_takes_the_request_over(
    state: ExerciseState,
) -> None:
    play(state, commands.send_request(state, "alpha", "dev", "db-check", "Check the driver"))
    play(state, commands.claim_request(state, "pavel", "R001"))
    with pytest.raises(CommandRefused, match="claimed by pavel"):
        commands.claim_request(state, "olga", "R001")
    with pytest.raises(CommandRefused, match="take it over"):
        commands.answer_request(state, "olga", "R001", answer="no-record")
    taken = commands.claim_request(state, "olga", "R001", take_over=True)
    assert taken is not None and taken.took_over_from == "pavel"
    play(state, taken, T0 + 5)
    assert state.requests["R001"].taken_over == [("pavel", "olga")]
    with pytest.raises(CommandRefused, match="claimed by olga"):
        commands.answer_request(state, "pavel", "R001", answer="no-record")
    play(state, commands.answer_request(state, "olga", "R001", answer="no-record"), T0 + 9)
    assert state.requests["R001"].answered_by == "olga"


def test_a_consequential_answer_needs_confirming(state: ExerciseState) -> None:
    play(state, commands.send_request(state, "alpha", "dev", "embassy", "Send her home"))
    with pytest.raises(CommandRefused, match="confirm"):
        commands.answer_request(state, "pavel", "R001", answer="return")
    confirmed = commands.answer_request(state, "pavel", "R001", answer="return", confirmed=True)
    assert confirmed.answer == "return"


def test_assigning_a_controller_is_journaled_and_checked(state: ExerciseState) -> None:
    with pytest.raises(CommandRefused, match="Unknown team"):
        commands.assign_controller(state, "d", "carl", ["zulu"])
    with pytest.raises(CommandRefused, match="Unknown case"):
        commands.assign_controller(state, "d", "carl", ["alpha"], ["no-case"])
    play(state, commands.assign_controller(state, "d", "carl", ["alpha", "alpha"]))
    assert state.assignments["carl"].teams == ("alpha",)
    assert state.assigned_to("alpha") == ["carl"] and state.assigned_to("bravo") == []
    assert commands.assign_controller(state, "d", "carl", ["alpha"]) is None  # no change
    play(state, commands.assign_controller(state, "d", "carl"))
    assert state.assignments == {}
