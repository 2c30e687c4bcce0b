"""The rules of a team's pace: hold, pause, resume, shift. Design: docs/clock.md.

``plan`` is the rules' part for these events (controlroom/exercise/rules.py): it checks every
precondition against the team's pace table (``lifecycles.TEAM_PACE``), then returns the change.
"""

from __future__ import annotations

from controlroom.exercise.lifecycles import ClockPhase, TeamMove
from controlroom.exercise.pacing import TeamPace
from controlroom.exercise.pacing_events import TeamHeld, TeamResumed, TeamShifted
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable

PacingEvent = TeamHeld | TeamResumed | TeamShifted


def plan(state: ExerciseState, payload: PacingEvent) -> Commit:
    pace = _pace(state, payload.team)
    match payload:
        case TeamHeld():
            _require(pace, TeamMove.HOLD if payload.shift else TeamMove.PAUSE)
            return lambda f: pace.hold(
                f.at, state.clock.scenario_now(f.at), payload.reason, payload.shift
            )
        case TeamResumed():
            _require(pace, TeamMove.RESUME)
            return lambda f: pace.resume(state.clock.scenario_now(f.at))
        case TeamShifted():
            _require(pace, TeamMove.SHIFT)
            return lambda f: pace.shift(payload.seconds)


def jumped(state: ExerciseState, by: float) -> None:
    """The exercise clock jumped: a team's hold does not count the jump as held time."""
    for pace in state.paces.values():
        pace.jumped(by)


def _pace(state: ExerciseState, team: str) -> TeamPace:
    if team not in state.scenario.team_ids:
        raise NotApplicable(f"unknown team {team!r}")
    if state.clock.phase in (ClockPhase.PLANNED, ClockPhase.ENDED):
        raise NotApplicable(f"a {state.clock.phase.value} exercise has no team pace to move")
    pace = state.paces.get(team)
    if pace is None:  # a state folded before paces existed: the team runs on the clock
        pace = state.paces[team] = TeamPace(team)
    return pace


def _require(pace: TeamPace, move: TeamMove) -> None:
    if not pace.can(move):
        raise NotApplicable(f"a {pace.phase.value} team cannot {move.value}")
