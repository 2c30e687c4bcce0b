"""What control and the actor see of a STOP or a call for control. Design: docs/delivery.md.

Control and observers get ``SafetyAlertView`` (a blocking alert on every console page until a
controller marks it seen): the role and its character, the set (where the actor's cue plays),
the teams, the time. The actor who raised it gets ``ActorSafetyView``: sent, then seen by
whom. Teams get nothing of either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from controlroom.exercise.safety import SafetyKind
from controlroom.exercise.state import ExerciseState
from controlroom.exercise.tap_time import noticeable

LocalText = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SafetyAlertView:
    template: ClassVar[str] = "fragments/control/safety_alert.html"
    alert: str
    kind: SafetyKind
    role: str
    character: LocalText
    where: LocalText | None  # the set: where the actor's current cue plays
    teams: tuple[str, ...]
    team_names: tuple[LocalText, ...]
    at: float  # wall time: when the actor tapped it (controlroom/exercise/tap_time.py)
    scenario_time: float | None
    held: int  # releases the auto-hold held
    seen_name: str | None
    seen_at: float | None
    # when the server received it, if the tap waited noticeably on the tablet (else None)
    received_at: float | None = None

    @property
    def dom_id(self) -> str:
        return f"safety-{self.alert}"


@dataclass(frozen=True, slots=True)
class ActorSafetyView:
    template: ClassVar[str] = "fragments/actor_safety.html"
    alert: str
    kind: SafetyKind
    at: float  # wall time of the tap
    scenario: float | None  # the exercise clock then, as the actor's tablet showed it
    seen_name: str | None

    @property
    def dom_id(self) -> str:
        return f"safety-{self.alert}"


def safety_alert_view(state: ExerciseState, alert_id: str) -> SafetyAlertView:
    alert = state.safety[alert_id]
    scenario = state.scenario
    role = next((r for r in scenario.roles if r.id == alert.role), None)
    where: LocalText | None = None
    if alert.cue is not None and alert.cue in state.cues:
        inject = state.injects[state.cues[alert.cue].inject]
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            if cue_id == alert.cue:
                where = cue.where
    names = {t.id: t.name for t in scenario.teams}
    received = alert.at if alert.received_at is None else alert.received_at
    return SafetyAlertView(
        alert=alert.id,
        kind=alert.kind,
        role=alert.role,
        character=role.character if role is not None else {},
        where=where,
        teams=alert.teams,
        team_names=tuple(names.get(t, {}) for t in alert.teams),
        at=alert.at,
        scenario_time=alert.scenario,  # recorded at the tap: a later hold or jump moves nothing
        held=len(alert.holds),
        seen_name=alert.seen_name,
        seen_at=alert.seen_at,
        received_at=received if noticeable(alert.at, received) else None,
    )


def actor_safety_view(state: ExerciseState, alert_id: str) -> ActorSafetyView:
    alert = state.safety[alert_id]
    return ActorSafetyView(alert.id, alert.kind, alert.at, alert.scenario, alert.seen_name)


def open_alerts(state: ExerciseState) -> list[SafetyAlertView]:
    """Every alert no controller has marked seen yet, oldest first (console pages show them)."""
    return [safety_alert_view(state, a.id) for a in state.safety.values() if not a.seen]


def role_alerts(state: ExerciseState, role: str) -> tuple[ActorSafetyView, ...]:
    """An actor role's own alerts, newest first."""
    mine = [a for a in state.safety.values() if a.role == role]
    return tuple(actor_safety_view(state, a.id) for a in reversed(mine))
