"""Teams answer back: a reply to an inject the team received, control's answers in its thread,
observers' ratings of it; each refusal typed, each event folding the same way again."""

from __future__ import annotations

import pytest

from controlroom.delivery.reply_views import control_reply_view
from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused
from controlroom.exercise.evaluation_commands import Observed
from controlroom.exercise.events import Rating, ReplyFile
from controlroom.exercise.lifecycles import ReplyStatus
from controlroom.exercise.refusals import Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import inject, make_scenario

T0 = 1_800_000_000.0
PDF = ReplyFile(id="a" * 32, name="draft.pdf", type="application/pdf", size=10, sha256="b" * 64)


def play(state: ExerciseState, decision: commands.Decision | None, at: float = T0) -> None:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))
    assert state.set_aside == []


@pytest.fixture
def state() -> ExerciseState:
    scenario = make_scenario(
        inject("A", at="D1 09:30"), inject("B", trigger="manual", to=["alpha"])
    )
    state = ExerciseState.new(scenario, "unit")
    play(state, commands.startex(state, "d"))
    play(state, commands.release_now(state, "d", "A"))
    return state


def refused(code: Refusal, decide: object) -> None:
    with pytest.raises(CommandRefused) as caught:
        assert callable(decide)
        decide()
    assert caught.value.code is code


def test_a_team_replies_only_to_an_inject_it_received(state: ExerciseState) -> None:
    refused(
        Refusal.NOT_RELEASED_TO_TEAM, lambda: commands.send_reply(state, "alpha", "t", "B", "x")
    )
    refused(Refusal.NO_INJECT, lambda: commands.send_reply(state, "alpha", "t", "NOPE", "x"))
    refused(Refusal.UNKNOWN_TEAM, lambda: commands.send_reply(state, "zulu", "t", "A", "x"))
    refused(Refusal.EMPTY_REPLY, lambda: commands.send_reply(state, "alpha", "t", "A", "  "))
    refused(
        Refusal.BAD_REPLY_KIND,
        lambda: commands.send_reply(state, "alpha", "t", "A", "x", kind="letter"),
    )
    refused(
        Refusal.TOO_MANY_FILES,
        lambda: commands.send_reply(state, "alpha", "t", "A", "", (PDF,) * 6),
    )
    refused(
        Refusal.TOO_MANY_FILES,
        lambda: commands.send_reply(state, "alpha", "t", "A", "", (PDF, PDF)),
    )
    assert state.replies == {}


def test_a_reply_with_a_file_is_applied_once_and_threads_with_controls_answers(
    state: ExerciseState,
) -> None:
    sent = commands.send_reply(state, "alpha", "tab", "A", "", (PDF,), kind="action", action="x1")
    assert sent is not None and sent.reply == "A001"
    play(state, sent, T0 + 60)
    assert commands.send_reply(state, "alpha", "tab", "A", "", (PDF,), action="x1") is None
    play(state, commands.send_reply(state, "alpha", "tab", "A", "And this"), T0 + 90)
    play(state, commands.send_reply(state, "bravo", "tab2", "A", "Bravo's"), T0 + 100)
    first = state.replies["A001"]
    assert (first.team, first.inject, first.kind, first.files) == ("alpha", "A", "action", (PDF,))
    assert first.status is ReplyStatus.OPEN
    refused(Refusal.EMPTY_REPLY_ANSWER, lambda: commands.answer_reply(state, "carl", "A001", " "))
    refused(Refusal.NO_REPLY, lambda: commands.answer_reply(state, "carl", "A999", "ok"))
    play(state, commands.answer_reply(state, "carl", "A001", "Received."), T0 + 120)
    play(state, commands.answer_reply(state, "dina", "A001", "And approved."), T0 + 180)
    assert [a.text for a in first.answers] == ["Received.", "And approved."]
    assert state.replies["A001"].status is ReplyStatus.ANSWERED
    assert first.response_seconds == 60
    assert [r.id for r in state.thread("A", "alpha")] == ["A001", "A002"]
    assert [r.id for r in state.thread("A", "bravo")] == ["A003"]


def test_an_observation_rates_a_reply_of_its_team(state: ExerciseState) -> None:
    play(state, commands.send_reply(state, "alpha", "tab", "A", "Our plan"))
    refused(
        Refusal.NO_REPLY,
        lambda: commands.add_observation(state, "olga", "ok", "OBJ-1", reply="A404"),
    )
    refused(
        Refusal.UNKNOWN_TEAM,
        lambda: commands.add_observation(state, "olga", "", "OBJ-1", team="bravo", reply="A001"),
    )
    rated = commands.add_observation(state, "olga", "Clear", "OBJ-1", rating="S", reply="A001")
    assert rated is not None
    assert (rated.team, rated.reply) == ("alpha", "A001")
    play(state, rated)
    assert [(n.reply, n.team, n.rating) for n in state.notes] == [("A001", "alpha", "S")]


def test_the_review_log_names_the_team_and_inject_of_a_reply_and_its_answer(
    state: ExerciseState,
) -> None:
    from controlroom.exercise.events import ExerciseCreated
    from controlroom.review.log import review_log

    created = ExerciseCreated(exercise="unit", name="u", scenario=state.scenario, by="d")
    events = [Event(1, created.TYPE, T0, created.data())]

    def add(decision: commands.Decision | None) -> None:
        assert decision is not None
        event = Event(len(events) + 1, decision.TYPE, T0 + len(events), decision.data())
        events.append(event)

    fresh = ExerciseState.new(state.scenario, "unit")
    fresh.apply(events[0])
    for decide in (
        lambda s: commands.startex(s, "d"),
        lambda s: commands.release_now(s, "d", "A"),
        lambda s: commands.send_reply(s, "bravo", "tab", "A", "Done", kind="action"),
        lambda s: commands.answer_reply(s, "carl", "A001", "Thanks"),
    ):
        add(decide(fresh))
        fresh.apply(events[-1])
    entries = review_log(events, {"carl": "Carl"})
    sent, answered = entries[-2], entries[-1]
    assert (sent.type, sent.teams, sent.inject) == ("reply.sent", ("bravo",), "A")
    assert (answered.type, answered.teams, answered.inject) == ("reply.answered", ("bravo",), "A")
    assert answered.person == "Carl"


def test_a_replys_ratings_stand_as_corrected_and_a_rating_needs_no_text(
    state: ExerciseState,
) -> None:
    play(state, commands.send_reply(state, "alpha", "tab", "A", "Our plan"))
    # a plain P/S/M/U from the reply's thread page: the rating is the observation
    play(state, commands.add_observation(state, "olga", "", "OBJ-1", rating="M", reply="A001"))
    play(state, commands.add_observation(state, "olga", "Good", "OBJ-1", rating="P", reply="A001"))
    refused(Refusal.EMPTY_NOTE, lambda: commands.add_observation(state, "olga", " ", "OBJ-1"))
    first, second = (seq for seq, note in state.observations.items() if note.reply == "A001")
    play(state, commands.withdraw_observation(state, "olga", first))
    observed = Observed("Very good", "OBJ-1", rating="S", team="alpha")
    play(state, commands.correct_observation(state, "olga", second, observed))
    view = control_reply_view(state, state.replies["A001"])
    assert [(r.rating, r.text) for r in view.ratings] == [(Rating.S, "Very good")]
