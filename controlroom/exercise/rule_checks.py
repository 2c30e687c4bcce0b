"""The checks the rules share: each raises ``NotApplicable`` naming what does not hold.

Design: docs/exercise.md. Used by ``rules`` and the area rules (``simcell_rules``,
``evaluation_rules``, ``device_rules``, ``safety``) before an event's change is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from controlroom.exercise.lifecycles import CLOCK, ClockMove, DeviceMove, ReleaseMove, RequestMove
from controlroom.exercise.state import Device, ExerciseState, NotApplicable, Request
from controlroom.scenario.model import Inject
from controlroom.scenario.time import DAY


def require_clock(state: ExerciseState, move: ClockMove) -> None:
    if not CLOCK.can(state.clock.phase, move):
        raise NotApplicable(f"a {state.clock.phase.value} clock cannot {move.value}")


def require_time(state: ExerciseState, scenario_time: float) -> None:
    if not 0 <= scenario_time < state.scenario.days * DAY:
        raise NotApplicable(f"scenario time {scenario_time} is outside the exercise")


def known_inject(state: ExerciseState, inject: str) -> Inject:
    try:
        return state.injects[inject]
    except KeyError:
        raise NotApplicable(f"unknown inject {inject!r}") from None


def addressed(state: ExerciseState, inject: str, teams: Iterable[str]) -> list[str]:
    recipients = state.recipients(known_inject(state, inject).id)
    wanted = list(teams) or recipients
    strangers = sorted(set(wanted) - set(recipients))
    if strangers:
        raise NotApplicable(f"inject {inject} is not addressed to {', '.join(strangers)}")
    return wanted


def movable(
    state: ExerciseState, inject: str, teams: Iterable[str], move: ReleaseMove
) -> list[str]:
    wanted = addressed(state, inject, teams)
    for team in wanted:
        if not state.can(inject, team, move):
            status = state.status(inject, team).value
            raise NotApplicable(f"inject {inject} is {status} for {team}: cannot {move.value}")
    return wanted


def check_inject(state: ExerciseState, inject: Inject) -> None:
    unknown = set(state.scenario.recipients(inject)) - set(state.scenario.team_ids)
    if unknown:
        raise NotApplicable(f"unknown team {', '.join(sorted(unknown))}")
    roles = {role.id for role in state.scenario.roles}
    for cue in inject.cues:
        if cue.role not in roles:
            raise NotApplicable(f"unknown actor role {cue.role!r}")
    if len(set(inject.cue_ids())) != len(inject.cues):
        raise NotApplicable(f"inject {inject.id} has two cues with one id")
    taken = {c.cue for c in state.cues.values() if c.inject != inject.id}
    if taken & set(inject.cue_ids()):
        raise NotApplicable(f"a cue id of inject {inject.id} is taken by another inject")
    if inject.at_seconds is not None:
        require_time(state, inject.at_seconds)


def open_request(state: ExerciseState, request: str, move: RequestMove) -> Request:
    current = state.requests.get(request)
    if current is None:
        raise NotApplicable(f"unknown request {request!r}")
    if not current.can(move):
        raise NotApplicable(f"request {request} is {current.status.value}: cannot {move.value}")
    return current


def device_can(state: ExerciseState, device: str, move: DeviceMove) -> Device:
    current = state.devices.get(device)
    if current is None:
        raise NotApplicable(f"unknown device {device!r}")
    if not current.can(move):
        raise NotApplicable(f"device {device} is {current.status.value}: cannot {move.value}")
    return current


def known_team(state: ExerciseState, team: str | None) -> None:
    if team is not None and team not in state.scenario.team_ids:
        raise NotApplicable(f"unknown team {team!r}")
