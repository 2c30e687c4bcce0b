"""When a device's action counts (controlroom.exercise.tap_time): the age a tablet sends made
a time on the server's clock, clamped; the payloads keep it as an optional ``tapped_at`` that
older journals do not have; the fold, the debrief and the log read the tap, the journal's
``at`` stays the time the server received it."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands, safety_commands
from controlroom.exercise.events import (
    InjectAcknowledged,
    RequestSent,
    SafetyStopped,
    SetAside,
    decode,
    fact_of,
)
from controlroom.exercise.tap_time import MAX_AGE, Tap, tapped_at, when
from controlroom.journal import Event
from controlroom.review.debrief import debrief_pack
from controlroom.review.log import review_log
from controlroom.scenario.time import parse_time
from tests.test_review_log import T0, Recorder


def released_and_joined() -> Recorder:
    """A (D1 09:10, alpha) released at T0+600; the tablet d1 joined at T0+60."""
    r = Recorder()  # created at T0
    r.play(0, commands.startex(r.state, "dina"))
    r.play(60, commands.join_device(r.state, "d1", "Alpha desk", team="alpha"))
    r.play(600, commands.release_due(r.state, T0 + 600))
    return r


def test_an_old_acknowledgement_without_a_tap_reads_and_folds_as_before() -> None:
    old = {"inject": "A", "team": "alpha", "device": "d1", "action": "a-1"}
    fact = decode(Event(9, "inject.acknowledged", T0 + 900, old))
    assert isinstance(fact.payload, InjectAcknowledged) and fact.payload.tapped_at is None
    assert when(fact.payload, fact.at) == T0 + 900
    r = released_and_joined()
    r.events.append(Event(r.state.seq + 1, "inject.acknowledged", T0 + 900, old))
    r.state.apply(r.events[-1])
    release = r.state.releases["A", "alpha"]
    assert release.acknowledged_at == release.acknowledged_received == T0 + 900
    # and a payload without a tap is written exactly as before the field existed
    written = commands.acknowledge(released_and_joined().state, "A", "alpha", "d1", "a-1")
    assert written is not None and written.data() == old


def test_a_tap_is_received_minus_its_age_clamped_to_what_the_device_could_have_seen() -> None:
    state = released_and_joined().state
    now = T0 + 900
    assert tapped_at(state, None, "d1") is None
    assert tapped_at(state, Tap(now, 30.0), "d1") == now - 30
    assert tapped_at(state, Tap(now, -5.0), "d1") == now  # never in the future
    assert tapped_at(state, Tap(now, 10_000.0), "d1") == T0 + 60  # not before it joined
    assert tapped_at(state, Tap(now, 10_000.0), "someone") == T0  # nor the exercise began
    assert tapped_at(state, Tap(now, 10_000.0), "d1", T0 + 600, None) == T0 + 600
    later = T0 + 3 * MAX_AGE
    assert tapped_at(state, Tap(later, 2 * MAX_AGE), "d1") == later - MAX_AGE  # bounded
    ack = commands.acknowledge(state, "A", "alpha", "d1", "a-1", tap=Tap(now, 10_000.0))
    assert ack is not None and ack.tapped_at == T0 + 600  # not before the release it answers


def test_an_acknowledgement_tapped_offline_counts_when_tapped_in_the_fold_and_the_debrief() -> None:
    r = released_and_joined()
    # tapped at T0+660 (a minute after the release), received at T0+960 (the wifi came back)
    r.play(960, commands.acknowledge(r.state, "A", "alpha", "d1", "a-1", tap=Tap(T0 + 960, 300)))
    ack = r.events[-1]
    assert ack.at == T0 + 960 and ack.data["tapped_at"] == T0 + 660
    release = r.state.releases["A", "alpha"]
    assert release.acknowledged_at == release.delivered_at == T0 + 660
    assert release.acknowledged_received == T0 + 960
    assert release.acknowledged_scenario == parse_time("D1 09:11")
    [row] = [row for row in debrief_pack(r.events, 1).injects if row.inject == "A"]
    assert row.acknowledge_delay == 60 and row.acknowledged == parse_time("D1 09:11")
    entry = review_log(r.events, {})[-1]
    assert entry.at == T0 + 960 and entry.tapped_at == T0 + 660


def test_a_tap_that_did_not_wait_shows_one_time_in_the_log() -> None:
    r = released_and_joined()
    r.play(700, commands.send_request(r.state, "alpha", "d1", None, "x", tap=Tap(T0 + 700, 0.3)))
    entry = review_log(r.events, {})[-1]
    assert isinstance(entry.fact.payload, RequestSent) and entry.fact.payload.tapped_at
    assert entry.tapped_at is None  # under tap_time.SHOWN_AFTER: not worth a second time


def test_a_stop_pressed_offline_is_raised_at_its_tap_and_received_later() -> None:
    r = released_and_joined()
    stop = safety_commands.stop(r.state, "driver", "d9", None, "s-1", tap=Tap(T0 + 1000, 120))
    r.play(1000, stop)
    alert = r.state.safety["S001"]
    assert isinstance(r.events[-1].data, dict) and r.events[-1].data["tapped_at"] == T0 + 880
    assert alert.at == T0 + 880 and alert.received_at == T0 + 1000


@pytest.mark.parametrize("tapped", [-1, "soon", [1]])
def test_a_journal_with_a_broken_tap_sets_that_event_aside_and_folds_on(tapped: object) -> None:
    data = {"alert": "S001", "role": "driver", "device": "d9", "tapped_at": tapped}
    fact = fact_of(Event(5, "safety.stop", T0, data))
    assert isinstance(fact.payload, SetAside) and "tapped_at" in fact.payload.reason


def test_a_tap_after_its_arrival_in_a_journal_counts_at_its_arrival() -> None:
    data = {"alert": "S001", "role": "driver", "device": "d9", "tapped_at": T0 + 50}
    fact = decode(Event(5, "safety.stop", T0, data))
    assert isinstance(fact.payload, SafetyStopped)
    assert when(fact.payload, fact.at) == T0
    r = released_and_joined()
    r.play(700, SafetyStopped(alert="S001", role="driver", tapped_at=T0 + 9999))
    assert r.state.safety["S001"].at == T0 + 700
