"""Commands of a team's pace: hold, resume, shift one team. Design: docs/clock.md.

The director or a controller moves one team; every other team's releases stay on time.
Each command returns the event's payload or raises ``CommandRefused`` with a code.
"""

from __future__ import annotations

from controlroom.exercise.command_support import clean_text, inject_of
from controlroom.exercise.lifecycles import ClockPhase, TeamMove
from controlroom.exercise.pacing import TeamPace
from controlroom.exercise.pacing_events import TeamHeld, TeamResumed, TeamShifted
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.scenario.time import DAY, format_time

MAX_SHIFT_MINUTES = 24 * 60


def hold_team(
    state: ExerciseState, by: str, team: str, reason: str, shift: bool = True
) -> TeamHeld:
    """Hold ``team``: its time stands still (``shift``) or runs while its releases wait."""
    pace = _pace(state, team)
    if not pace.can(TeamMove.HOLD if shift else TeamMove.PAUSE):
        raise CommandRefused(Refusal.TEAM_ALREADY_HELD, team=team)
    if not reason.strip():
        raise CommandRefused(Refusal.HOLD_NEEDS_REASON)
    return TeamHeld(team=team, reason=clean_text(reason), shift=shift, by=by)


def resume_team(state: ExerciseState, by: str, team: str) -> TeamResumed:
    if not _pace(state, team).can(TeamMove.RESUME):
        raise CommandRefused(Refusal.TEAM_NOT_HELD, team=team)
    return TeamResumed(team=team, by=by)


def shift_team(
    state: ExerciseState,
    by: str,
    team: str,
    reason: str,
    wall: float,
    *,
    minutes: float | None = None,
    to_inject: str | None = None,
) -> TeamShifted:
    """Move ``team``'s schedule ``minutes`` later (earlier if negative), or so that its own
    time reads the planned time of ``to_inject`` (a point of its case) at ``wall``."""
    pace = _pace(state, team)
    if not reason.strip():
        raise CommandRefused(Refusal.SHIFT_NEEDS_REASON)
    now = state.team_now(team, wall) or 0.0
    if to_inject is not None:
        inject_of(state, to_inject)
        release = state.releases.get((to_inject, team))
        if release is None or release.due is None:
            raise CommandRefused(Refusal.NO_SHIFT_POINT, inject=to_inject, team=team)
        seconds = now - release.due
    elif minutes is not None and minutes == minutes:  # not NaN
        seconds = minutes * 60
    else:
        raise CommandRefused(Refusal.BAD_SHIFT, most=MAX_SHIFT_MINUTES)
    if seconds == 0 or abs(seconds) > MAX_SHIFT_MINUTES * 60:
        raise CommandRefused(Refusal.BAD_SHIFT, most=MAX_SHIFT_MINUTES)
    after = now - seconds
    if not 0 <= after < state.scenario.days * DAY:
        raise CommandRefused(
            Refusal.OUTSIDE_EXERCISE, time=format_time(after), last=f"D{state.scenario.days}"
        )
    assert pace.can(TeamMove.SHIFT)  # every phase can shift (lifecycles.TEAM_PACE)
    return TeamShifted(
        team=team, seconds=seconds, reason=clean_text(reason), to_inject=to_inject, by=by
    )


def _pace(state: ExerciseState, team: str) -> TeamPace:
    if team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if state.clock.phase in (ClockPhase.PLANNED, ClockPhase.ENDED):
        raise CommandRefused(Refusal.TEAM_PACE_NEEDS_CLOCK)
    return state.pace(team)
