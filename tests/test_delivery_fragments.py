"""What the hub's views carry and its fragments show (controlroom.delivery, fragments/).

Control's fragments are the console's own templates (fragments/control/); team and actor
fragments mark untranslated scenario text; clock events re-send what depends on the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from controlroom.delivery.audience import current_view
from controlroom.delivery.projections import (
    control_inject_view,
    control_request_view,
    team_inject_view,
    team_request_view,
)
from controlroom.delivery.render import iso_time, wall_seconds
from controlroom.delivery.reply_views import team_reply_view
from controlroom.delivery.safety_views import actor_safety_view, safety_alert_view
from controlroom.delivery.views import (
    ControlInjectView,
    ControlRequestView,
    CueGroupView,
    Update,
)
from controlroom.exercise import commands, safety_commands
from controlroom.exercise.events import EventType
from controlroom.exercise.tap_time import Tap
from tests.support.scenarios import inject
from tests.support.server import marked_scenario
from tests.test_delivery_audience import Exercise


def views(update: Update, kind: type[Any]) -> list[Any]:
    return [p.view for p in update.patches if isinstance(p.view, kind)]


def test_control_views_are_rendered_by_the_consoles_templates() -> None:
    exercise = Exercise(marked_scenario())
    html = exercise.renderer.fragment(
        control_inject_view(exercise.state, "I-t1-0"), "control", "en", oob=True
    )
    assert '<li id="inject-row-I-t1-0" class="inject-row"' in html
    assert 'class="cell-time"' in html and 'class="cell-teams"' in html
    assert 'hx-swap-oob="outerHTML"' in html
    assert "/exercises/ex/injects/I-t1-0/release" in html  # control may release...
    observer = exercise.renderer.fragment(
        control_inject_view(exercise.state, "I-t1-0"), "observer", "en"
    )
    assert "/release" not in observer  # ... an observer may not


def test_startex_re_sends_every_row_and_every_cue_group() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    _, updates = exercise.updates[-1]
    rows = views(updates["control"], ControlInjectView)
    assert {row.inject.id for row in rows} == set(exercise.state.injects)
    assert all(r.status == "planned" for row in rows for r in row.releases)  # manual injects
    groups = views(updates["actor:r0"], CueGroupView)
    assert groups and all(group.state == "planned" for group in groups)
    exercise.apply(lambda s: commands.reschedule(s, "d", "I-t1-0", 10 * 3600))
    exercise.apply(lambda s: commands.hold(s, "d", "a fire drill"))
    _, updates = exercise.updates[-1]
    by_inject = {g.inject: g for g in views(updates["actor:r0"], CueGroupView)}
    assert by_inject["I-t1-0"].state == "scheduled"
    html = exercise.renderer.update(updates["actor:r0"], "actor:r0", "en")
    assert 'id="cues-I-t1-0" class="cue-group" data-inject="I-t1-0" data-state="scheduled"' in html
    assert views(updates["control"], ControlInjectView) == []  # only STARTEX changes every row


def test_an_actor_sees_scheduled_after_startex_not_planned() -> None:
    exercise = Exercise(marked_scenario(scheduled=1))
    before = current_view(exercise.state, "actor:r1")
    group = next(g for g in before.cues if g.inject == "S-0")
    assert group.state == "planned"
    exercise.apply(lambda s: commands.startex(s, "d"))
    _, updates = exercise.updates[-1]
    pushed = {g.inject: g for g in views(updates["actor:r1"], CueGroupView)}
    assert pushed["S-0"].state == "scheduled"
    html = exercise.renderer.update(updates["actor:r1"], "actor:r1", "en")
    assert re.search(r'id="cues-S-0"[^>]*data-state="scheduled"', html)
    assert "Scheduled" in html


def test_a_pushed_queue_item_shows_the_kind_team_and_times() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.send_request(s, "t1", "tab", "interpreter", "Now please"))
    _, updates = exercise.updates[-1]
    (item,) = views(updates["control"], ControlRequestView)
    assert item.kind_title == {"en": "Interpreter"} and item.team_name == {"en": "Team t1"}
    html = exercise.renderer.update(updates["control"], "control", "en")
    assert 'hx-swap-oob="beforeend:#simcell-requests"' in html
    assert '<strong class="request-team">Team t1</strong>' in html
    assert '<span class="request-kind">Interpreter</span>' in html
    exercise.apply(lambda s: commands.claim_request(s, "carl", "R001"))
    exercise.apply(lambda s: commands.answer_request(s, "carl", "R001", answer="soon"))
    request = exercise.state.requests["R001"]
    view = control_request_view(exercise.state, request)
    assert view.claimed_at is not None and view.answered_at == request.answered_at
    assert view.state == "answered"
    html = exercise.renderer.fragment(view, "control", "en")
    assert "Answered by carl after 14 s" in html  # 7 s per event in this rig


def test_the_teams_thread_shows_controls_answer_in_place() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.send_request(s, "t1", "tab", "interpreter", "Now please"))
    exercise.apply(lambda s: commands.answer_request(s, "c", "R001", answer="soon"))
    _, updates = exercise.updates[-1]
    html = exercise.renderer.update(updates["team:t1"], "team:t1", "en")
    thread = html[html.index('id="request-R001"') :]
    assert "An interpreter is on the way." in thread.split("</li>")[0]
    assert 'href="#inject-SIM-R001"' in thread.split("</li>")[0]
    view = team_request_view(exercise.state, exercise.state.requests["R001"])
    assert view.answer == {"en": "An interpreter is on the way."}


def test_the_scenario_time_of_what_happened() -> None:
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))  # before STARTEX
    exercise.apply(lambda s: commands.startex(s, "d"))  # D1 09:00
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-1"))  # 7 s later
    exercise.apply(lambda s: commands.acknowledge(s, "I-t1-1", "t1", "tab"))
    (early,) = control_inject_view(exercise.state, "I-t1-0").releases
    assert early.released_scenario is None
    (release,) = control_inject_view(exercise.state, "I-t1-1").releases
    assert release.released_scenario == 9 * 3600 + 7
    assert release.acknowledged_scenario == release.delivered_scenario == 9 * 3600 + 14
    html = exercise.renderer.fragment(
        control_inject_view(exercise.state, "I-t1-1"), "control", "en"
    )
    assert "&uarr;09:00</time>" in html and "&check;09:00</time>" in html
    assert "Released at D1 09:00:07 (" in html


def test_untranslated_scenario_text_is_marked_on_devices() -> None:
    scenario = marked_scenario()
    scenario["injects"][0]["title"] = {"en": "Only in English"}
    scenario["injects"][0]["cues"][0]["where"] = {"en": "Phone booth", "ru": "Телефонная будка"}
    exercise = Exercise(scenario)
    exercise.apply(lambda s: commands.startex(s, "d"))
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))
    _, updates = exercise.updates[-1]
    russian = exercise.renderer.update(updates["team:t1"], "team:t1", "ru")
    assert '<span class="untranslated" lang="en">Only in English</span>' in russian
    assert 'class="inject-body"' in russian  # the body has Russian
    assert '<span class="inject-sender"><span class="untranslated" lang="en">' in russian
    english = exercise.renderer.update(updates["team:t1"], "team:t1", "en")
    assert "untranslated" not in english
    actor = current_view(exercise.state, "actor:r0")
    cards = exercise.renderer.view(actor, "actor:r0", "ru")
    assert "<dd>Телефонная будка</dd>" in cards
    # a cue's knowledge is prose (Markdown): marked as a block
    assert '<div class="prose untranslated" lang="en"><p>MK[CUE:I-t1-0:r0:knows]</p>' in cards


def test_an_untranslated_body_is_marked_as_a_whole() -> None:
    scenario = marked_scenario()
    scenario["injects"][0]["body"] = {"en": "First paragraph.\n\nSecond paragraph."}
    exercise = Exercise(scenario)
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))
    _, updates = exercise.updates[-1]
    russian = exercise.renderer.update(updates["team:t1"], "team:t1", "ru")
    assert '<div class="inject-body untranslated" lang="en">' in russian
    assert russian.count("<p>First paragraph.</p>") == 1


def test_a_team_card_carries_its_channel() -> None:
    exercise = Exercise(
        {**marked_scenario(), "injects": [inject("A", to=["t1"], trigger="manual")]}
    )
    exercise.apply(lambda s: commands.release_now(s, "d", "A"))
    _, updates = exercise.updates[-1]
    html = exercise.renderer.update(updates["team:t1"], "team:t1", "en")
    assert re.search(
        r'<article id="inject-A" class="card inject-card"[^>]*data-channel="phone-call"', html
    )
    assert exercise.events[-1]["type"] == EventType.INJECT_RELEASED


def test_a_stop_pressed_offline_shows_its_tap_and_when_control_got_it() -> None:
    """A STOP's time is the actor's tap (controlroom.exercise.tap_time); when it reached the
    server noticeably later, the alert says both, in the reader's language."""
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.join_device(s, "act-1", "Act", role="r0"))
    joined = exercise.at  # each event lands 7 s after the last (Exercise.apply)
    exercise.apply(
        lambda s: safety_commands.stop(s, "r0", "act-1", None, "s-1", tap=Tap(joined + 7, 6))
    )
    exercise.apply(
        lambda s: safety_commands.stop(s, "r0", "act-1", None, "s-2", tap=Tap(joined + 14, 1))
    )
    late = safety_alert_view(exercise.state, "S001")
    assert (late.at, late.received_at) == (joined + 1, joined + 7)
    html = exercise.renderer.fragment(late, "control", "ru")
    assert f"нажато в {wall_seconds(joined + 1)}, получено в {wall_seconds(joined + 7)}" in html
    assert f'datetime="{iso_time(joined + 1)}"' in html
    prompt = safety_alert_view(exercise.state, "S002")
    assert prompt.received_at is None  # a second on the way: one time is enough
    assert "safety-received" not in exercise.renderer.fragment(prompt, "control", "en")


def test_a_cue_cards_team_badge_needs_no_inflected_team_name() -> None:
    """Russian cannot put a team's name after «Для» without inflecting it: a label instead."""
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.startex(s, "d"))
    actor = current_view(exercise.state, "actor:r0")
    russian = exercise.renderer.view(actor, "actor:r0", "ru")
    badges = re.findall(r'<span class="badge cue-team"[^>]*>([^<]*)</span>', russian)
    assert badges and all(b.startswith("Для: ") for b in badges), badges
    english = exercise.renderer.view(actor, "actor:r0", "en")
    assert re.search(r'<span class="badge cue-team"[^>]*>For: ', english)


def test_a_team_sees_its_own_scenario_time_on_cards_requests_and_replies() -> None:
    """Teams live in scenario time: a card, a request, a reply and control's answer show the
    team's own clock when each happened (its holds as they stood then), in the reader's
    language; ``datetime`` keeps the wall time for machines."""
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-0"))  # before STARTEX
    exercise.apply(lambda s: commands.startex(s, "d"))  # D1 09:00, at + 14
    start = exercise.at
    early = team_inject_view(exercise.state, exercise.state.releases["I-t1-0", "t1"])
    html = exercise.renderer.fragment(early, "team:t1", "ru")
    assert f'<time datetime="{iso_time(early.released_at)}">До начала учения</time>' in html
    exercise.at += 60  # 09:01:07 when released
    exercise.apply(lambda s: commands.release_now(s, "d", "I-t1-1"))
    exercise.apply(lambda s: commands.hold_team(s, "d", "t1", "Slow"))  # at 09:01:14
    exercise.at += 600  # held ten minutes
    exercise.apply(lambda s: commands.resume_team(s, "d", "t1"))  # t1 607 s behind
    exercise.apply(lambda s: commands.send_request(s, "t1", "tab", "interpreter", "Now"))
    exercise.apply(lambda s: commands.answer_request(s, "c", "R001", answer="soon"))
    exercise.apply(lambda s: commands.send_reply(s, "t1", "tab", "I-t1-1", "On our way"))
    exercise.at += 120
    exercise.apply(lambda s: commands.answer_reply(s, "c", "A001", "Noted"))
    assert exercise.at - start == 60 + 7 * 7 + 600 + 120  # the wall clock went on...
    state = exercise.state
    assert state.team_now("t1", exercise.at) == 9 * 3600 + 222  # ... t1's 607 s less

    card = team_inject_view(state, state.releases["I-t1-1", "t1"])
    html = exercise.renderer.fragment(card, "team:t1", "en")
    assert f'<time datetime="{iso_time(card.released_at)}">D1 09:01</time>' in html
    answer = team_inject_view(state, state.releases["SIM-R001", "t1"])
    assert answer.released_team == 9 * 3600 + 88  # 09:01:28 on t1's clock
    assert ">D1 09:01</time>" in exercise.renderer.fragment(answer, "team:t1", "en")
    request = team_request_view(state, state.requests["R001"])
    assert request.sent_team == 9 * 3600 + 81
    assert ">Д1 09:01</time>" in exercise.renderer.fragment(request, "team:t1", "ru")
    reply = team_reply_view(state, state.replies["A001"])
    assert reply.sent_team == 9 * 3600 + 95
    assert reply.answers[0].team_time == 9 * 3600 + 222  # 09:03:42
    html = exercise.renderer.fragment(reply, "team:t1", "en")
    assert f'<time datetime="{iso_time(reply.sent_at)}">D1 09:01</time>' in html
    assert f'<time datetime="{iso_time(reply.answers[0].at)}">D1 09:03</time>' in html
    assert "09:1" not in html  # nothing on the exercise clock (t1 is ten minutes behind)


def alerted_then_held(press: Callable[..., Any]) -> Exercise:
    """The actor r0 presses ``press`` (STOP or call control) at D1 09:02:07, then the
    exercise is held for 15 minutes and resumed."""
    exercise = Exercise(marked_scenario())
    exercise.apply(lambda s: commands.join_device(s, "act-1", "Act", role="r0"))
    exercise.apply(lambda s: commands.startex(s, "d"))  # D1 09:00
    exercise.at += 120
    exercise.apply(lambda s: press(s, "r0", "act-1", None, "a-1"))
    exercise.apply(lambda s: commands.hold(s, "d", "a fire drill"))
    exercise.at += 900
    exercise.apply(lambda s: commands.resume(s, "d"))
    return exercise


def test_an_actor_s_stop_shows_the_scenario_time_it_was_pressed_at() -> None:
    """The actor's tablet shows the exercise clock: its STOP says that time, as it stood
    when tapped (a later hold of the exercise changes nothing)."""
    exercise = alerted_then_held(safety_commands.call_control)
    view = actor_safety_view(exercise.state, "S001")
    assert view.scenario == 9 * 3600 + 127
    html = exercise.renderer.fragment(view, "actor:r0", "ru")
    assert f'<time datetime="{iso_time(view.at)}">Д1 09:02</time>' in html


def test_control_s_stop_alert_keeps_the_scenario_time_it_was_pressed_at() -> None:
    """Control's alert says the scenario time recorded at the tap, not the time the clock
    gives that moment now: a hold of the exercise after the STOP moves nothing."""
    exercise = alerted_then_held(safety_commands.stop)
    exercise.at += 60
    exercise.apply(lambda s: commands.jump(s, "d", 14 * 3600))
    alert = next(iter(exercise.state.safety.values()))
    assert safety_alert_view(exercise.state, alert.id).scenario_time == alert.scenario
    assert alert.scenario == 9 * 3600 + 127
