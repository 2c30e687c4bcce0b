"""Commands of an actor's cues, per team: report a status, mark a reveal. Design: docs/exercise.md.

Device actions: each carries the device's own action id (its outbox), so a repeat is
applied once (``None``). Each returns the event's payload or raises ``CommandRefused``.
"""

from __future__ import annotations

from controlroom.exercise.actions import repeated
from controlroom.exercise.cue_events import CueReported, RevealMarked
from controlroom.exercise.cues import cue_definition, reveal_ids
from controlroom.exercise.lifecycles import CUE, REPORTABLE, CueStatus
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import CueRun, CueState, ExerciseState
from controlroom.exercise.tap_time import Tap, tapped_at


def cue_status(
    state: ExerciseState,
    role: str,
    cue: str,
    status: str,
    device: str,
    action: str | None = None,
    team: str | None = None,
    tap: Tap | None = None,
) -> CueReported | None:
    """``role``'s cue is ready, in scene or done for ``team`` (None: every team it goes to)."""
    if repeated(state, device, action):
        return None
    current = _cue(state, role, cue)
    try:
        new = CueStatus(status)
    except ValueError:
        raise CommandRefused(Refusal.BAD_CUE_STATUS) from None
    if new not in REPORTABLE:
        raise CommandRefused(Refusal.BAD_CUE_STATUS)
    was = current.status if team is None else _run(current, team).status
    if team is None and all(run.status is new for run in current.runs.values()):
        return None
    if new is was and team is not None:
        return None
    if not CUE.can(was, new):
        raise CommandRefused(Refusal.BAD_CUE_STATUS)
    tapped = tapped_at(state, tap, device)
    return CueReported(
        cue=cue, role=role, status=new, team=team, device=device, action=action, tapped_at=tapped
    )


def mark_reveal(
    state: ExerciseState,
    role: str,
    cue: str,
    team: str,
    reveal: str,
    device: str,
    action: str | None = None,
    tap: Tap | None = None,
) -> RevealMarked | None:
    """The actor revealed ``reveal`` of ``cue`` to ``team`` (None if already marked)."""
    if repeated(state, device, action):
        return None
    run = _run(_cue(state, role, cue), team)
    found = cue_definition(state, cue)
    if found is None or reveal not in reveal_ids(found[1]):
        raise CommandRefused(Refusal.NO_REVEAL)
    if reveal in run.reveals:
        return None
    tapped = tapped_at(state, tap, device)
    return RevealMarked(
        cue=cue, role=role, team=team, reveal=reveal, device=device, action=action, tapped_at=tapped
    )


def _cue(state: ExerciseState, role: str, cue: str) -> CueState:
    current = state.cues.get(cue)
    if current is None or current.role != role:
        raise CommandRefused(Refusal.NO_CUE)
    return current


def _run(cue: CueState, team: str) -> CueRun:
    run = cue.runs.get(team)
    if run is None:
        raise CommandRefused(Refusal.CUE_NOT_FOR_TEAM, team=team)
    return run
