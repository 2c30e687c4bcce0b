"""Actor safety's commands: STOP, "call control", seen, the auto-hold. Design: docs/exercise.md.

The fold's side (``SafetyAlert``, the handlers) is ``controlroom.exercise.safety``. Safety is
never refused for the clock: a STOP counts before STARTEX, on hold and after ENDEX too.
"""

from __future__ import annotations

from typing import Any

from controlroom.exercise.actions import repeated, with_action
from controlroom.exercise.commands import UNRELEASED, CommandRefused, Decision
from controlroom.exercise.events import EventType
from controlroom.exercise.safety import SafetyKind
from controlroom.exercise.state import ExerciseState


def stop(
    state: ExerciseState, role: str, device: str, cue: str | None, action: str | None = None
) -> Decision | None:
    """The actor stops the scene: every console gets a blocking alert."""
    return _raise(state, "stop", role, device, cue, action)


def call_control(
    state: ExerciseState, role: str, device: str, cue: str | None, action: str | None = None
) -> Decision | None:
    """The actor asks control to come (not an emergency: no hold)."""
    return _raise(state, "call", role, device, cue, action)


def seen(state: ExerciseState, by: str, name: str, alert: str) -> Decision | None:
    current = state.safety.get(alert)
    if current is None:
        raise CommandRefused("No such safety alert.")
    if current.seen_by is not None:
        return None
    return EventType.SAFETY_SEEN, {"alert": alert, "by": by, "name": name}


def set_autohold(state: ExerciseState, by: str, enabled: bool) -> Decision | None:
    if state.safety_autohold == enabled:
        return None
    return EventType.SAFETY_AUTOHOLD, {"enabled": enabled, "by": by}


def _raise(
    state: ExerciseState,
    kind: SafetyKind,
    role: str,
    device: str,
    cue: str | None,
    action: str | None,
) -> Decision | None:
    if repeated(state, device, action):
        return None
    if role not in {r.id for r in state.scenario.roles}:
        raise CommandRefused("Unknown actor role.")
    teams: list[str] = []
    case: str | None = None
    if cue is not None:
        current = state.cues.get(cue)
        if current is None or current.role != role:
            raise CommandRefused("No such cue for this role.")
        teams = state.recipients(current.inject)
        case = state.injects[current.inject].case
    data: dict[str, Any] = {
        "alert": f"S{len(state.safety) + 1:03d}",
        "role": role,
        "cue": cue,
        "teams": teams,
        "device": device,
    }
    with_action(data, action)
    if kind == "stop":
        data["holds"] = _case_holds(state, case, teams) if state.safety_autohold else []
        return EventType.SAFETY_STOP, data
    return EventType.SAFETY_CALL, data


def _case_holds(state: ExerciseState, case: str | None, teams: list[str]) -> list[list[str]]:
    """The case's injects not yet released (nor held) to ``teams``: what a STOP holds."""
    if case is None:
        return []
    holds = []
    for inject_id, inject in state.injects.items():
        if inject.case != case:
            continue
        for team in teams:
            release = state.releases.get((inject_id, team))
            if release is None or release.held:
                continue
            if state.status(inject_id, team) in UNRELEASED:
                holds.append([inject_id, team])
    return holds
