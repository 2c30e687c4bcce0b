"""The audience filter (controlroom.delivery.audience) and what it renders.

Random exercises are run through the pure core; every frame each audience would get is
rendered and checked against ``tests.support.server.Oracle``, a second, independent
statement of who may see what: no audience gets an event it should not, misses one it
should, or finds a marker (a controller note, a cue, another team's inject...) it must not.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from controlroom.delivery.audience import Audiences, audiences_of, current_view
from controlroom.delivery.render import FrameRenderer
from controlroom.delivery.views import (
    ClockView,
    CueGroupView,
    FullView,
    PresenceView,
    TeamInjectView,
    TeamRequestView,
    Update,
)
from controlroom.exercise import commands
from controlroom.exercise.events import ExerciseCreated
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import LANGUAGES, Catalogues
from controlroom.journal import Event
from controlroom.package_data import web_dir
from controlroom.scenario.model import Scenario
from controlroom.web.templating import Pages
from tests.support.server import Oracle, marked_scenario, marker, markers_in

WEB_DIR = web_dir()

Decide = Callable[[ExerciseState], commands.Decision | None]


class Exercise:
    """The pure core plus the audience filter, without a journal or a server."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.state = ExerciseState.new(Scenario.model_validate(scenario), "ex")
        self.audiences = Audiences(self.state)
        self.renderer = FrameRenderer(
            Pages(WEB_DIR / "templates", Catalogues(WEB_DIR / "locale")), "ex", "en"
        )
        self.events: list[dict[str, Any]] = []
        self.updates: list[tuple[int, dict[str, Update]]] = []
        self.at = 1_800_000_000.0
        self.apply(lambda s: ExerciseCreated(exercise="ex", name="x", scenario=s.scenario, by="d"))

    def apply(self, decide: Decide) -> bool:
        try:
            decision = decide(self.state)
        except commands.CommandRefused:
            return False
        if decision is None:
            return False
        self.at += 7.0
        event = Event(self.state.seq + 1, decision.TYPE, self.at, decision.data())
        fact = self.state.apply(event)
        self.events.append({"seq": event.seq, "type": event.type, "data": event.data})
        self.updates.append((event.seq, self.audiences.route(fact, self.state)))
        return True


def random_step(exercise: Exercise, rng: random.Random) -> None:
    state = exercise.state
    teams = state.scenario.team_ids
    injects = sorted(state.injects)
    released = sorted(k for k, r in state.releases.items() if r.released_at is not None)
    inject, team = rng.choice(injects), rng.choice(teams)
    choice = rng.randrange(16)
    d: Decide
    if choice < 4:
        d = lambda s: commands.release_now(s, "d", inject, [team] if inject == "ALL-0" else None)  # noqa: E731
    elif choice == 4 and released:
        i, t = rng.choice(released)
        d = lambda s: commands.acknowledge(s, i, t, "tab")  # noqa: E731
    elif choice == 5 and released:
        i, t = rng.choice(released)
        d = lambda s: commands.delivered(s, i, t, "tab")  # noqa: E731
    elif choice == 6:
        changes = {
            "body": {"en": marker("BODY", inject, "v2")},
            "notes": {"en": marker("NOTE", inject, "v2")},
        }
        d = lambda s: commands.edit(s, "d", inject, changes)  # noqa: E731
    elif choice == 7:
        role = rng.choice(["r0", "r1"])
        cue = {
            "role": role,
            "where": {"en": marker("CUE", inject, role, "where2")},
            "knows": {"en": marker("CUE", inject, role, "knows2")},
            "emotion": {"en": marker("CUE", inject, role, "emotion2")},
        }
        d = lambda s: commands.edit(s, "d", inject, {"cues": [cue]})  # noqa: E731
    elif choice == 8:
        change: Callable[[ExerciseState, str, str], commands.Decision] = rng.choice(
            [commands.hold_inject, commands.unhold_inject, commands.cancel]
        )
        d = lambda s: change(s, "d", inject)  # noqa: E731
    elif choice == 9:
        d = lambda s: commands.reschedule(s, "d", inject, 9 * 3600 + 60 * rng.randrange(60))  # noqa: E731
    elif choice == 10:
        cue_ids = sorted(state.cues)
        if not cue_ids:
            return
        tracked = state.cues[rng.choice(cue_ids)]
        status = rng.choice(["ready", "in-scene", "done"])
        d = lambda s: commands.cue_status(s, tracked.role, tracked.cue, status, "tab")  # noqa: E731
    elif choice == 11:
        d = lambda s: commands.send_request(s, team, "tab", "interpreter", "Please")  # noqa: E731
    elif choice == 12 and state.requests:
        request = rng.choice(sorted(state.requests))
        if rng.random() < 0.5:
            d = lambda s: commands.claim_request(s, "c", request)  # noqa: E731
        else:
            d = lambda s: commands.answer_request(s, "c", request, answer="soon")  # noqa: E731
    elif choice == 13:
        d = lambda s: commands.add_note(s, "c", marker("NOTE", "log", str(s.seq)), team=team)  # noqa: E731
    elif choice == 14:
        if state.clock.phase.value == "running":
            d = lambda s: commands.hold(s, "d", marker("NOTE", "hold", str(s.seq)))  # noqa: E731
        else:
            d = lambda s: commands.resume(s, "d")  # noqa: E731
    else:
        number = len(state.injects)
        data = {
            "id": f"X-{number}",
            "trigger": "manual",
            "channel": "news",
            "from": {"en": "Local news"},
            "to": [team],
            "title": {"en": "Breaking"},
            "body": {"en": marker("BODY", f"X-{number}")},
            "notes": {"en": marker("NOTE", f"X-{number}")},
            "cues": [
                {
                    "role": "r1",
                    "where": {"en": marker("CUE", f"X-{number}", "r1", "where")},
                    "knows": {"en": marker("CUE", f"X-{number}", "r1", "knows")},
                    "emotion": {"en": marker("CUE", f"X-{number}", "r1", "emotion")},
                }
            ],
        }
        d = lambda s: commands.create_inject(s, "d", data)  # noqa: E731
    exercise.apply(d)


@pytest.mark.parametrize("seed", range(6))
def test_every_audience_gets_exactly_its_events_and_no_secret(seed: int) -> None:
    rng = random.Random(seed)
    exercise = Exercise(marked_scenario(teams=3, roles=2, injects_per_team=3))
    exercise.apply(lambda s: commands.startex(s, "d"))
    for _ in range(120):
        random_step(exercise, rng)
    oracle = Oracle(exercise.scenario, exercise.events)
    audiences = audiences_of(exercise.state)
    got: dict[str, list[int]] = {audience: [] for audience in audiences}
    for seq, updates in exercise.updates:
        for audience, update in updates.items():
            got[audience].append(seq)
            for language in LANGUAGES:
                html = exercise.renderer.update(update, audience, language)
                assert oracle.leaks(audience, seq, html) == [], (audience, seq)
    for audience in audiences:
        assert got[audience] == oracle.seqs(audience), audience
    assert len(exercise.events) > 80


def test_team_and_actor_updates_hold_only_their_views() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    rng = random.Random(99)
    for _ in range(150):
        random_step(exercise, rng)
    for _, updates in exercise.updates:
        for audience, update in updates.items():
            kinds = {type(patch.view) for patch in update.patches}
            if audience.startswith("team:"):
                assert kinds <= {TeamInjectView, TeamRequestView, ClockView}
            if audience.startswith("actor:"):
                assert kinds <= {CueGroupView, ClockView}


def test_a_release_reaches_its_team_with_a_receipt_and_the_exercise_mark() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t2-1"))
    _seq, updates = exercise.updates[-1]
    assert set(updates) == {"control", "observer", "team:t2", "actor:r1"}
    team = updates["team:t2"]
    assert team.receipt == ("I-t2-1",)
    html = exercise.renderer.update(team, "team:t2", "en")
    assert 'hx-swap-oob="afterbegin:#team-injects"' in html
    assert 'id="inject-I-t2-1"' in html
    assert html.count("EXERCISE EXERCISE EXERCISE") == 2
    assert marker("BODY", "I-t2-1") in html
    assert marker("BODY", "I-t2-1", "ru") in exercise.renderer.update(team, "team:t2", "ru")


def test_current_views_are_filtered_like_updates() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))
    exercise.apply(lambda s: commands.send_request(s, "t1", "tab", "interpreter", "now"))
    exercise.apply(lambda s: commands.answer_request(s, "c", "R001", answer="soon"))
    oracle = Oracle(exercise.scenario, exercise.events)
    seq = exercise.state.seq
    for audience in audiences_of(exercise.state):
        view = current_view(exercise.state, audience)
        html = exercise.renderer.view(view, audience, "en")
        assert oracle.leaks(audience, seq, html) == [], audience
        assert 'id="cr-view"' in html
    team = current_view(exercise.state, "team:t1")
    assert [v.inject for v in team.injects] == ["SIM-R001", "I-t1-0"]  # newest first
    assert team.receipt == ("I-t1-0", "SIM-R001")
    assert current_view(exercise.state, "team:t2").injects == ()
    actor = exercise.renderer.view(current_view(exercise.state, "actor:r0"), "actor:r0", "en")
    assert marker("ROLENOTE", "r0") in actor
    kinds = {kind for kind, _ in markers_in(actor)}
    assert kinds <= {"CUE", "ROLENOTE"}
    with pytest.raises(KeyError):
        current_view(exercise.state, "team:nobody")


def test_an_answer_held_for_its_delay_reaches_the_team_only_when_released() -> None:
    scenario = marked_scenario()
    scenario["requests"][0] |= {"sender": {"en": "Court interpreters"}, "delay": "20m"}
    exercise = Exercise(scenario)
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.send_request(s, "t1", "tab", "interpreter", "now"))
    exercise.apply(lambda s: commands.answer_request(s, "c", "R001", answer="soon"))
    _seq, answered = exercise.updates[-1]
    team = exercise.renderer.update(answered["team:t1"], "team:t1", "en")
    assert answered["team:t1"].receipt == ()
    assert "inject-SIM-R001" not in team and "An interpreter is on the way." not in team
    assert 'data-status="in-progress"' in team  # the request, still on its way
    control = exercise.renderer.update(answered["control"], "control", "en")
    assert 'data-state="answered"' in control
    assert "inject-SIM-R001" not in exercise.renderer.view(
        current_view(exercise.state, "team:t1"), "team:t1", "en"
    )
    exercise.at += 20 * 60
    assert exercise.apply(lambda s: commands.release_due(s, exercise.at))
    _seq, released = exercise.updates[-1]
    team = exercise.renderer.update(released["team:t1"], "team:t1", "en")
    assert released["team:t1"].receipt == ("SIM-R001",)
    assert 'id="inject-SIM-R001"' in team and "Court interpreters" in team
    assert 'id="request-R001"' in team and 'data-status="answered"' in team
    assert "SimCell" not in team


def test_controls_snapshot_brings_each_teams_pace_back_out_of_band() -> None:
    # The team lanes sit outside #cr-view: a console back from a drop gets them in its
    # snapshot frame (oob), not only with the next clock or team event.
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.hold_team(s, "d", "t1", "lunch"))
    control = current_view(exercise.state, "control")
    snapshot = exercise.renderer.view(control, "control", "en")
    lanes = snapshot[snapshot.index('id="team-paces"') :]
    assert 'hx-swap-oob="outerHTML"' in lanes[: lanes.index(">")]
    assert "lunch" in lanes
    page = exercise.renderer.view(control, "control", "en", oob=False)
    assert 'id="team-paces"' not in page  # a page renders its own lanes where they belong
    team = exercise.renderer.view(current_view(exercise.state, "team:t1"), "team:t1", "en")
    assert 'id="team-paces"' not in team


def _parts(view: FullView) -> dict[str, object]:
    """A whole view's parts by DOM id: what a page shows."""
    parts: list[Any] = [
        view.clock,
        *view.injects,
        *view.requests,
        *view.cues,
        *view.devices,
        *view.safety,
        *view.replies,
    ]
    if view.paces is not None:
        parts.append(view.paces)
    return {part.dom_id: part for part in parts}


def _patched(parts: dict[str, object], update: Update) -> dict[str, object]:
    """``parts`` after the frame's patches (the console's timeline log is not a part)."""
    out = dict(parts)
    for patch in update.patches:
        assert not isinstance(patch.view, PresenceView)  # never in an event's frame
        if patch.container == "timeline":
            continue
        if patch.mode == "remove":
            out.pop(patch.view.dom_id, None)
        else:
            out[patch.view.dom_id] = patch.view
    return out


def test_a_team_pace_event_sends_only_what_its_pace_changes() -> None:
    """A team held, paused, resumed or shifted: its frames carry its clock, control's team
    lanes and the actors' cards of injects still to come to it; never an inject card or row
    already released (nothing of them changed). Every page, patched by its frame, is its
    whole view of the same state (what a snapshot would show)."""
    exercise = Exercise(marked_scenario(scheduled=3))
    exercise.apply(lambda s: commands.startex(s, "d"))
    for inject in ("I-t1-0", "ALL-0", "S-0"):
        assert exercise.apply(lambda s, i=inject: commands.release_now(s, "d", i))  # type: ignore[misc]
    released = {
        i for (i, team), r in exercise.state.releases.items() if r.released_at and team == "t1"
    }
    assert {"I-t1-0", "ALL-0", "S-0"} <= released
    moves: list[Decide] = [
        lambda s: commands.hold_team(s, "d", "t1", "lunch"),
        lambda s: commands.resume_team(s, "d", "t1"),
        lambda s: commands.shift_team(s, "d", "t1", "slow", exercise.at, minutes=15),
        lambda s: commands.hold_team(s, "d", "t1", "pause", shift=False),
        lambda s: commands.resume_team(s, "d", "t1"),
    ]
    for move in moves:
        audiences = audiences_of(exercise.state)
        before = {a: _parts(current_view(exercise.state, a)) for a in audiences}
        assert exercise.apply(move)
        _seq, updates = exercise.updates[-1]
        assert set(updates) >= {"control", "observer", "team:t1"}
        team = updates["team:t1"]
        assert [type(p.view) for p in team.patches] == [ClockView]
        frame = exercise.renderer.update(team, "team:t1", "en")
        assert 'id="clock"' in frame and 'id="inject-' not in frame
        for audience, update in updates.items():
            for patch in update.patches:
                shown = getattr(patch.view, "inject", None)
                shown = getattr(shown, "id", shown)  # a control row holds the inject itself
                assert shown not in released, (audience, patch.view)
        for audience in audiences:
            after = _parts(current_view(exercise.state, audience))
            patched = _patched(before[audience], updates.get(audience, Update(())))
            assert patched == after, audience


def test_a_team_s_reply_shows_control_what_it_scheduled() -> None:
    scenario = marked_scenario()
    follow = dict(scenario["injects"][1], id="FOLLOW", cues=[])  # I-t1-1, to t1
    follow["trigger"] = {"after": "I-t1-0", "state": "replied", "delay": "5m"}
    scenario["injects"].append(follow)
    exercise = Exercise(scenario)
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))
    assert exercise.apply(lambda s: commands.send_reply(s, "t1", "tab", "I-t1-0", "Done"))
    _seq, updates = exercise.updates[-1]
    control = exercise.renderer.update(updates["control"], "control", "en")
    assert 'id="inject-row-FOLLOW"' in control  # its row now shows the planned time
    team = exercise.renderer.update(updates["team:t1"], "team:t1", "en")
    assert "FOLLOW" not in team  # scheduled, not released: the team sees nothing of it yet
