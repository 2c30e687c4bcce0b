"""Access in one module: audiences parsed and printed in one place, named permission sets,
one check that a device is still joined and not revoked."""

from __future__ import annotations

import pytest

from controlroom.access import accounts, identity
from controlroom.access.permissions import (
    CONTROL,
    CONTROL_ROLES,
    OBSERVER,
    STAFF,
    STAFF_ROLES,
    Audience,
    AudienceKind,
    active_device,
    actor_audience,
    team_audience,
)
from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from tests.support.scenarios import make_scenario


@pytest.mark.parametrize(
    ("text", "audience"),
    [
        ("control", CONTROL),
        ("observer", OBSERVER),
        ("team:alpha", Audience(AudienceKind.TEAM, "alpha")),
        ("actor:driver", Audience(AudienceKind.ACTOR, "driver")),
    ],
)
def test_an_audience_reads_back_what_it_prints(text: str, audience: Audience) -> None:
    assert Audience.parse(text) == audience
    assert str(audience) == text


@pytest.mark.parametrize("text", ["", "team", "team:", "control:x", "actor", "army:x", ":x"])
def test_a_malformed_audience_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an audience"):
        Audience.parse(text)


def test_one_definition_of_the_control_roles() -> None:
    assert {"director", "controller"} == CONTROL_ROLES
    assert set(STAFF_ROLES) == STAFF == CONTROL_ROLES | {"observer"}
    assert accounts.STAFF_ROLES is STAFF_ROLES
    assert not hasattr(identity, "CONTROL_ROLES") and not hasattr(accounts, "CONTROL_ROLES")
    observer = identity.Identity("ex", "observer", "eva")
    assert observer.audience == "observer" and not observer.can_control
    team = identity.Identity("ex", "team", "d1", team="alpha")
    assert team.audience == "team:alpha"


def test_a_device_is_active_until_revoked() -> None:
    state = ExerciseState.new(make_scenario())
    joined = commands.join_device(state, "d1", "Tab", team="alpha")
    state.apply(Event(1, joined.TYPE, 1.0, joined.data()))
    assert active_device(state, "d1") is state.devices["d1"]
    assert active_device(state, "d2") is None and active_device(state, ["d1"]) is None
    revoked = commands.revoke_device(state, "dina", "d1")
    assert revoked is not None
    state.apply(Event(2, revoked.TYPE, 2.0, revoked.data()))
    assert active_device(state, "d1") is None


def test_team_and_actor_audiences_print_as_audience_does_however_often_asked() -> None:
    """``team_audience``/``actor_audience`` are cached (the hub asks on every event): the
    same text as ``Audience`` prints, and it parses back."""
    for _ in range(2):
        for name in ("alpha", "t-1", "police_1"):
            assert team_audience(name) == str(Audience.team(name)) == f"team:{name}"
            assert actor_audience(name) == str(Audience.actor(name)) == f"actor:{name}"
            assert Audience.parse(team_audience(name)) == Audience.team(name)
