"""Actor safety in the fold: STOP, "call control", a controller's "seen", the auto-hold.

Design: docs/exercise.md (actor safety). An actor's tablet has an always-visible STOP button
(the scene stops at once: the role notes' safety word) and a "call control" button. Each is
a ``safety.stop`` / ``safety.call`` event; every console shows it as a blocking alert until
a controller marks it seen (``safety.seen``), and the actor then sees who saw it. With the
auto-hold on (``safety.autohold``, the director's toggle), a STOP also holds the unreleased
injects of the case the actor was playing, for the teams it goes to: the command lists
those holds in the event (``holds``), so the fold only applies what was decided.

``plan`` is the rules' part for these events (controlroom/exercise/rules.py): it checks the
event against the state and returns the change, or raises ``NotApplicable``. The commands are
in ``controlroom.exercise.safety_commands``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controlroom.exercise.actions import remember
from controlroom.exercise.events import (
    Fact,
    SafetyAutohold,
    SafetyCalled,
    SafetySeen,
    SafetyStopped,
)
from controlroom.exercise.lifecycles import ReleaseMove
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable
from controlroom.exercise.tap_time import when

SafetyPayload = SafetyStopped | SafetyCalled | SafetySeen | SafetyAutohold


class SafetyKind(StrEnum):
    STOP = "stop"
    CALL = "call"


@dataclass(slots=True)
class SafetyAlert:
    """One STOP or call from an actor's tablet, and who at control saw it."""

    id: str
    kind: SafetyKind
    role: str
    device: str
    at: float  # when the actor tapped it (``tap_time``)
    seq: int
    cue: str | None = None
    teams: tuple[str, ...] = ()
    holds: tuple[tuple[str, str], ...] = ()  # (inject, team) held by the auto-hold
    seen_by: str | None = None
    seen_name: str | None = None
    seen_at: float | None = None
    received_at: float | None = None  # when the server got it (the event's ``at``)
    # the exercise clock's scenario time at the tap (None before STARTEX), read on the clock
    # as the fold has it when the alert arrives: a tap made before the clock's last change
    # (a hold, a jump, STARTEX itself) counts at that change, as offline acknowledgements do
    scenario: float | None = None

    @property
    def seen(self) -> bool:
        return self.seen_by is not None


def plan(state: ExerciseState, payload: SafetyPayload) -> Commit:
    match payload:
        case SafetyStopped() | SafetyCalled():
            return _raised(state, payload)
        case SafetySeen():
            return _seen(state, payload)
        case SafetyAutohold():
            return lambda f: setattr(state, "safety_autohold", payload.enabled)


def _raised(state: ExerciseState, payload: SafetyStopped | SafetyCalled) -> Commit:
    if payload.alert in state.safety:
        raise NotApplicable(f"safety alert {payload.alert} already exists")
    if payload.role not in {role.id for role in state.scenario.roles}:
        raise NotApplicable(f"unknown actor role {payload.role!r}")
    if payload.cue is not None:
        cue = state.cues.get(payload.cue)
        if cue is None or cue.role != payload.role:
            raise NotApplicable(f"no cue {payload.cue!r} for role {payload.role!r}")
    unknown = set(payload.teams) - set(state.scenario.team_ids)
    if unknown:
        raise NotApplicable(f"unknown team {', '.join(sorted(unknown))}")
    holds = payload.holds if isinstance(payload, SafetyStopped) else ()
    for inject, team in holds:
        if (inject, team) not in state.releases:
            raise NotApplicable(f"inject {inject!r} does not go to {team!r}")
    kind = SafetyKind.STOP if isinstance(payload, SafetyStopped) else SafetyKind.CALL

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        tapped = when(payload, fact.at)
        state.safety[payload.alert] = SafetyAlert(
            id=payload.alert,
            kind=kind,
            role=payload.role,
            device=payload.device,
            at=tapped,
            seq=fact.seq,
            cue=payload.cue,
            teams=payload.teams,
            holds=holds,
            received_at=fact.at,
            scenario=state.scenario_at(tapped),
        )
        for inject, team in holds:
            if state.can(inject, team, ReleaseMove.HOLD):  # released meanwhile: not held
                state.releases[inject, team].held = True

    return commit


def _seen(state: ExerciseState, payload: SafetySeen) -> Commit:
    alert = state.safety.get(payload.alert)
    if alert is None:
        raise NotApplicable(f"unknown safety alert {payload.alert!r}")
    if alert.seen:
        raise NotApplicable(f"safety alert {payload.alert} was seen already")

    def commit(fact: Fact) -> None:
        alert.seen_by, alert.seen_at = payload.by, fact.at
        alert.seen_name = payload.name or payload.by

    return commit
