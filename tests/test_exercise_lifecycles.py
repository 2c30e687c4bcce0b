"""Lifecycles are tables: one place answers what may happen next to a release, a request, a
cue, a device and the clock; an invalid move is refused."""

from __future__ import annotations

import pytest

from controlroom.exercise.lifecycles import (
    CLOCK,
    CUE,
    DEVICE,
    RELEASE,
    REQUEST,
    UNRELEASED,
    ClockMove,
    ClockPhase,
    CueStatus,
    DeviceMove,
    DeviceStatus,
    InvalidMove,
    ReleaseMove,
    ReleaseStatus,
    RequestMove,
    RequestStatus,
)
from controlroom.exercise.scenario_clock import ScenarioClock


def test_every_state_of_every_lifecycle_has_a_row() -> None:
    for lifecycle, states in (
        (RELEASE, ReleaseStatus),
        (REQUEST, RequestStatus),
        (CUE, CueStatus),
        (DEVICE, DeviceStatus),
        (CLOCK, ClockPhase),
    ):
        assert set(lifecycle.table) == set(states), lifecycle.name


def test_a_release_is_unreleased_until_released_and_only_then_acknowledged() -> None:
    assert {ReleaseStatus.PLANNED, ReleaseStatus.SCHEDULED, ReleaseStatus.HELD} == UNRELEASED
    assert RELEASE.can(ReleaseStatus.SCHEDULED, ReleaseMove.HOLD)
    assert not RELEASE.can(ReleaseStatus.HELD, ReleaseMove.HOLD)
    assert RELEASE.move(ReleaseStatus.HELD, ReleaseMove.UNHOLD) is ReleaseStatus.SCHEDULED
    assert not RELEASE.can(ReleaseStatus.CANCELLED, ReleaseMove.RELEASE)
    with pytest.raises(InvalidMove, match="released release cannot hold"):
        RELEASE.move(ReleaseStatus.RELEASED, ReleaseMove.HOLD)
    assert RELEASE.can(ReleaseStatus.DELIVERED, ReleaseMove.ACKNOWLEDGE)


def test_requests_cues_and_devices() -> None:
    assert not REQUEST.can(RequestStatus.ANSWERED, RequestMove.ANSWER)
    assert REQUEST.can(RequestStatus.CLAIMED, RequestMove.CLAIM)
    assert not CUE.can(CueStatus.READY, CueStatus.WAITING)  # nobody reports "waiting"
    assert CUE.can(CueStatus.DONE, CueStatus.IN_SCENE)  # an actor may correct a report
    assert not DEVICE.can(DeviceStatus.REVOKED, DeviceMove.ACT)


def test_the_clock_has_one_phase_for_a_hold_and_one_for_a_pause() -> None:
    clock = ScenarioClock()
    clock.start(1000.0, 100.0)
    clock.hold(1010.0, "lunch", shift=False)
    assert clock.phase is ClockPhase.PAUSED and clock.ticking and not clock.releasing
    assert clock.scenario_now(1020.0) == 120.0
    with pytest.raises(InvalidMove):
        clock.hold(1020.0, "again", shift=True)
    clock.resume(1030.0)
    clock.hold(1040.0, "fire", shift=True)
    assert phase_of(clock) is ClockPhase.HELD and not clock.ticking and clock.on_hold
    assert clock.scenario_now(1100.0) == 140.0
    assert not clock.can(ClockMove.PAUSE) and clock.can(ClockMove.RESUME)
    clock.end(1100.0)
    assert not any(clock.can(move) for move in ClockMove)


def phase_of(clock: ScenarioClock) -> ClockPhase:
    return clock.phase  # read afresh (the checker would keep the phase narrowed from above)
