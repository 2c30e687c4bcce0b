"""Actor safety's commands: STOP, "call control", seen, the auto-hold. Design: docs/exercise.md.

The fold's side (``SafetyAlert``, the rules) is ``controlroom.exercise.safety``. Safety is
never refused for the clock: a STOP counts before STARTEX, on hold and after ENDEX too.
Like every command, these return a payload or None (nothing to do) or raise a typed refusal.
"""

from __future__ import annotations

from controlroom.exercise.actions import repeated
from controlroom.exercise.events import SafetyAutohold, SafetyCalled, SafetySeen, SafetyStopped
from controlroom.exercise.lifecycles import UNRELEASED
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.exercise.tap_time import Tap, tapped_at


def stop(
    state: ExerciseState,
    role: str,
    device: str,
    cue: str | None,
    action: str | None = None,
    team: str | None = None,
    tap: Tap | None = None,
) -> SafetyStopped | None:
    """The actor stops the scene (of ``cue`` for ``team``): every console gets a blocking
    alert; with the auto-hold, the case's unreleased injects of that team (of every team the
    cue goes to, without one) are held."""
    if repeated(state, device, action):
        return None
    teams, case = _where(state, role, cue, team)
    holds = _case_holds(state, case, teams) if state.safety_autohold else ()
    alert = _next_alert(state)
    return SafetyStopped(
        alert=alert,
        role=role,
        cue=cue,
        teams=teams,
        holds=holds,
        device=device,
        action=action,
        tapped_at=tapped_at(state, tap, device),
    )


def call_control(
    state: ExerciseState,
    role: str,
    device: str,
    cue: str | None,
    action: str | None = None,
    team: str | None = None,
    tap: Tap | None = None,
) -> SafetyCalled | None:
    """The actor asks control to come (not an emergency: no hold)."""
    if repeated(state, device, action):
        return None
    teams, _case = _where(state, role, cue, team)
    alert = _next_alert(state)
    tapped = tapped_at(state, tap, device)
    return SafetyCalled(
        alert=alert, role=role, cue=cue, teams=teams, device=device, action=action, tapped_at=tapped
    )


def seen(state: ExerciseState, by: str, name: str, alert: str) -> SafetySeen | None:
    current = state.safety.get(alert)
    if current is None:
        raise CommandRefused(Refusal.NO_SAFETY_ALERT)
    if current.seen:
        return None
    return SafetySeen(alert=alert, by=by, name=name)


def set_autohold(state: ExerciseState, by: str, enabled: bool) -> SafetyAutohold | None:
    if state.safety_autohold == enabled:
        return None
    return SafetyAutohold(enabled=enabled, by=by)


def _where(
    state: ExerciseState, role: str, cue: str | None, team: str | None = None
) -> tuple[tuple[str, ...], str | None]:
    """The teams and the case of the cue the actor was playing (none without a cue): the
    team the scene was played for, or (a team the cue does not go to, none) all of them."""
    if role not in {r.id for r in state.scenario.roles}:
        raise CommandRefused(Refusal.UNKNOWN_ROLE)
    if cue is None:
        return (), None
    current = state.cues.get(cue)
    if current is None or current.role != role:
        raise CommandRefused(Refusal.NO_CUE)
    case = state.injects[current.inject].case
    if team is not None and team in current.runs:
        return (team,), case
    return tuple(state.recipients(current.inject)), case


def _next_alert(state: ExerciseState) -> str:
    number = len(state.safety) + 1
    while f"S{number:03d}" in state.safety:
        number += 1
    return f"S{number:03d}"


def _case_holds(
    state: ExerciseState, case: str | None, teams: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """The case's injects not yet released (nor held) to ``teams``: what a STOP holds."""
    if case is None:
        return ()
    holds: list[tuple[str, str]] = []
    for inject_id, inject in state.injects.items():
        if inject.case != case:
            continue
        for team in teams:
            release = state.releases.get((inject_id, team))
            if release is None or release.held:
                continue
            if state.status(inject_id, team) in UNRELEASED:
                holds.append((inject_id, team))
    return tuple(holds)
