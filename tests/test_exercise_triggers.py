"""Triggers on what players do: a request sent or answered, a cue done, an observer's rating.

The rules fold them (``controlroom.exercise.rules``, ``ExerciseState._players_did``): what
waits for a team's action is scheduled for that team only, once; ``confirm: true`` proposes
the release instead, and control approves it with one click (release now).
"""

from __future__ import annotations

import pytest

from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.scenario.model import PlayerTrigger
from tests.support.scenarios import inject, make_scenario, text

T0 = 1_800_000_000.0


def play(state: ExerciseState, decision: commands.Decision | None, at: float) -> None:
    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, at, decision.data()))
    assert state.set_aside == []


@pytest.fixture
def state() -> ExerciseState:
    cue = {"role": "driver", "where": text("Bus"), "knows": text("All"), "emotion": text("Calm")}
    scenario = make_scenario(
        inject("REMEDY", trigger={"task": "T1", "ratings": ["M", "U"]}),
        inject("PRAISE", trigger={"task": "T1", "ratings": ["P", "S"], "delay": "5m"}),
        inject("FOLLOW", trigger={"request": "embassy", "answer": "passport", "delay": "10m"}),
        inject("ASKED", trigger={"request": "db-check", "on": "sent"}, to=["bravo"]),
        inject("RETURN", trigger={"request": "embassy", "answer": "return", "confirm": True}),
        inject("SCENE", trigger="manual", cues=[{**cue, "id": "scene-1"}]),
        inject("AFTER-SCENE", trigger={"cue": "scene-1"}),
    )
    state = ExerciseState.new(scenario, "unit")
    play(state, commands.startex(state, "d"), T0)
    return state


def release_all_due(state: ExerciseState, at: float) -> list[tuple[str, tuple[str, ...]]]:
    released = []
    while (due := commands.release_due(state, at)) is not None:
        play(state, due, at)
        released.append((due.inject, due.teams))
    return released


def rate(state: ExerciseState, team: str, rating: str, at: float) -> None:
    observation = commands.add_observation(
        state, "olga", "seen", "OBJ-1", task="T1", rating=rating, team=team
    )
    play(state, observation, at)


def test_an_m_rating_releases_the_remedial_inject_to_that_team_only_once(
    state: ExerciseState,
) -> None:
    rate(state, "alpha", "M", T0 + 60)
    assert release_all_due(state, T0 + 61) == [("REMEDY", ("alpha",))]
    assert state.status("REMEDY", "bravo") == "planned"  # bravo was not rated
    assert state.status("PRAISE", "alpha") == "planned"  # P or S releases the other one
    rate(state, "alpha", "U", T0 + 120)  # rated again: nothing more
    assert release_all_due(state, T0 + 10_000) == []
    rate(state, "bravo", "S", T0 + 200)
    assert release_all_due(state, T0 + 200) == []  # PRAISE waits its 5 minutes
    assert release_all_due(state, T0 + 500) == [("PRAISE", ("bravo",))]
    assert [state.status("REMEDY", t) for t in ("alpha", "bravo")] == ["released", "planned"]


def test_a_request_sent_and_a_prepared_answer_received_trigger_injects(
    state: ExerciseState,
) -> None:
    play(state, commands.send_request(state, "bravo", "tab", "db-check", "Check"), T0 + 10)
    assert release_all_due(state, T0 + 11) == [("ASKED", ("bravo",))]
    play(state, commands.send_request(state, "alpha", "tab", "embassy", "Papers?"), T0 + 20)
    answered = commands.answer_request(state, "c", "R002", answer="passport")
    play(state, answered, T0 + 30)
    assert release_all_due(state, T0 + 1219) == []  # the answer itself waits 20 minutes
    assert release_all_due(state, T0 + 1220) == [("SIM-R002", ("alpha",))]
    assert release_all_due(state, T0 + 1220 + 599) == []  # then FOLLOW its 10 minutes
    assert release_all_due(state, T0 + 1220 + 600) == [("FOLLOW", ("alpha",))]
    assert state.status("RETURN", "alpha") == "planned"  # another answer's trigger


def test_a_confirm_trigger_proposes_a_release_that_control_approves(
    state: ExerciseState,
) -> None:
    play(state, commands.send_request(state, "bravo", "tab", "embassy", "Send her home"), T0 + 5)
    answer = commands.answer_request(state, "c", "R001", answer="return", confirmed=True)
    play(state, answer, T0 + 1300)  # past the request type's 20 minutes: it arrives at once
    release = state.releases["RETURN", "bravo"]
    assert release.proposed and release.due is None
    assert release_all_due(state, T0 + 100_000) == [] and release.released_at is None
    play(state, commands.release_now(state, "dina", "RETURN", ["bravo"]), T0 + 1400)
    assert release.released_at == T0 + 1400 and state.status("RETURN", "alpha") == "planned"


def test_a_cue_done_releases_to_the_teams_of_its_inject(state: ExerciseState) -> None:
    play(state, commands.release_now(state, "d", "SCENE", ["alpha"]), T0 + 1)
    for status in ("ready", "in-scene", "done"):
        report = commands.cue_status(state, "driver", "scene-1", status, "tab")
        play(state, report, T0 + 2)
    assert release_all_due(state, T0 + 3) == [("AFTER-SCENE", ("alpha", "bravo"))]


def test_the_fold_looks_only_at_player_triggered_injects_and_edits_keep_them(
    state: ExerciseState,
) -> None:
    """``_players_did`` walks ``player_triggered``, not every inject: it names exactly the
    injects with a trigger on what players do, in the order of ``injects``, after ad-hoc
    injects and edits (a trigger cannot be edited)."""
    for n in range(3):
        play(state, commands.create_inject(state, "d", inject(f"ADHOC-{n}")), T0 + n)
    play(state, commands.edit(state, "d", "REMEDY", {"notes": text("edited")}), T0 + 5)
    assert list(state.player_triggered) == [
        i for i, known in state.injects.items() if isinstance(known.trigger, PlayerTrigger)
    ]
    assert list(state.player_triggered) == [
        "REMEDY", "PRAISE", "FOLLOW", "ASKED", "RETURN", "AFTER-SCENE"
    ]  # fmt: skip
    rate(state, "alpha", "M", T0 + 10)  # the edited inject is still scheduled
    assert state.releases["REMEDY", "alpha"].due is not None


@pytest.fixture
def replies() -> ExerciseState:
    """A scenario whose injects follow a team's reply to A (one of them proposed)."""
    scenario = make_scenario(
        inject("A", at="D1 09:00"),
        inject("ON-REPLY", trigger={"after": "A", "state": "replied", "delay": "10m"}),
        inject("PROPOSED", trigger={"after": "A", "state": "replied", "confirm": True}),
        inject("ON-ACK", trigger={"after": "A", "state": "acknowledged"}),
    )
    state = ExerciseState.new(scenario, "unit")
    play(state, commands.startex(state, "d"), T0)
    play(state, commands.release_now(state, "d", "A"), T0 + 1)
    return state


def test_a_team_s_first_reply_releases_what_follows_it_to_that_team_once(
    replies: ExerciseState,
) -> None:
    state = replies
    play(state, commands.send_reply(state, "alpha", "tab", "A", "We call the police"), T0 + 60)
    assert state.releases["ON-REPLY", "alpha"].due == state.scenario.start_seconds + 60 + 600
    assert state.releases["ON-REPLY", "bravo"].due is None  # bravo has not replied
    assert release_all_due(state, T0 + 60 + 599) == []  # its 10 minutes
    assert release_all_due(state, T0 + 60 + 600) == [("ON-REPLY", ("alpha",))]
    waiting = [(r.due, r.proposed) for i in ("ON-REPLY", "PROPOSED") for r in state.releases_of(i)]
    play(state, commands.answer_reply(state, "c", "A001", "Noted"), T0 + 700)  # control's
    assert [
        (r.due, r.proposed) for i in ("ON-REPLY", "PROPOSED") for r in state.releases_of(i)
    ] == (waiting)
    play(state, commands.send_reply(state, "alpha", "tab", "A", "And again"), T0 + 800)
    assert release_all_due(state, T0 + 10_000) == []  # a second reply: nothing more
    assert state.status("ON-REPLY", "bravo") == "planned"
    assert state.status("ON-ACK", "alpha") == "planned"  # a reply is no acknowledgement


def test_a_reported_action_counts_and_confirm_proposes_the_release(
    replies: ExerciseState,
) -> None:
    state = replies
    report = commands.send_reply(state, "bravo", "tab", "A", "Went to the site", kind="action")
    play(state, report, T0 + 30)
    assert release_all_due(state, T0 + 30 + 600) == [("ON-REPLY", ("bravo",))]
    proposed = state.releases["PROPOSED", "bravo"]
    assert proposed.proposed and proposed.due is None
    assert not state.releases["PROPOSED", "alpha"].proposed
    play(state, commands.release_now(state, "dina", "PROPOSED", ["bravo"]), T0 + 700)
    assert proposed.released_at == T0 + 700


def test_an_old_journal_folds_as_before_replies_and_all() -> None:
    """A journal written before ``state: replied`` (its scenario has none) folds to the same
    dues with its replies as without them: a reply schedules nothing else."""
    scenario = make_scenario(
        inject("A", at="D1 09:00"),
        inject("B", trigger={"after": "A", "state": "acknowledged", "delay": "5m"}),
        inject("C", trigger={"after": "A", "state": "delivered"}),
    )
    decisions: list[tuple[str, float]] = [
        ("start", T0),
        ("release", T0 + 1),
        ("reply", T0 + 20),
        ("ack", T0 + 30),
        ("reply", T0 + 40),
    ]
    dues = []
    for with_replies in (True, False):
        state = ExerciseState.new(scenario, "unit")
        for what, at in decisions:
            if what == "start":
                play(state, commands.startex(state, "d"), at)
            elif what == "release":
                play(state, commands.release_now(state, "d", "A"), at)
            elif what == "ack":
                play(state, commands.acknowledge(state, "A", "alpha", "tab"), at)
            elif with_replies:
                play(state, commands.send_reply(state, "alpha", "tab", "A", "Seen"), at)
        dues.append({key: r.due for key, r in state.releases.items()})
    assert dues[0] == dues[1]
    assert dues[0]["B", "alpha"] == scenario.start_seconds + 30 + 300  # acknowledged at +30
    assert dues[0]["B", "bravo"] is None and dues[0]["C", "bravo"] is None
