"""Each team at its own pace: a team's own scenario time, as folded. Design: docs/clock.md.

The exercise clock (``scenario_clock``) runs for everybody; each team runs ``offset``
scenario seconds behind it. A team's shift adds to its offset; a team hold (phase ``held``)
freezes the team's time, so on resume its offset has grown by the hold's length and its
remaining schedule shifts by that much; a team pause (phase ``paused``) keeps its time
running and only its releases wait (what falls due meanwhile goes out late on resume).

A release's ``due`` is always on its team's own clock (the plan: offset 0 is the exercise
clock), so nothing in the schedule is rewritten when a team moves: ``team_now`` and
``exercise_time`` convert. The hold's length is counted in exercise scenario time (a hold of
the whole exercise does not lengthen a team's hold; a jump moves the hold's start with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.exercise.lifecycles import TEAM_PACE, TeamMove, TeamPhase


@dataclass(slots=True)
class TeamPace:
    team: str
    phase: TeamPhase = TeamPhase.RUNNING
    offset: float = 0.0  # scenario seconds behind the exercise clock (shifts, ended holds)
    held_from: float | None = None  # exercise scenario time the current hold began
    reason: str = ""  # the current hold's or pause's reason
    since: float | None = None  # wall time of the current hold or pause

    @property
    def releasing(self) -> bool:
        """Whether the team's own releases fall due (the exercise clock must release too)."""
        return self.phase is TeamPhase.RUNNING

    @property
    def on_hold(self) -> bool:
        return self.phase is not TeamPhase.RUNNING

    def can(self, move: TeamMove) -> bool:
        return TEAM_PACE.can(self.phase, move)

    def offset_at(self, exercise_now: float) -> float:
        """The offset at exercise scenario time ``exercise_now`` (a hold makes it grow)."""
        if self.phase is TeamPhase.HELD and self.held_from is not None:
            return self.offset + max(0.0, exercise_now - self.held_from)
        return self.offset

    def team_now(self, exercise_now: float) -> float:
        """The team's own scenario time when the exercise clock shows ``exercise_now``."""
        return exercise_now - self.offset_at(exercise_now)

    def exercise_time(self, team_time: float, exercise_now: float) -> float:
        """When the team's ``team_time`` comes, on the exercise clock (as the pace stands)."""
        return team_time + self.offset_at(exercise_now)

    # -- the fold's changes (checked first in pacing_rules) -----------------------------------

    def hold(self, wall: float, exercise_now: float, reason: str, shift: bool) -> None:
        self.phase = TEAM_PACE.move(self.phase, TeamMove.HOLD if shift else TeamMove.PAUSE)
        self.held_from = exercise_now if shift else None
        self.reason, self.since = reason, wall

    def resume(self, exercise_now: float) -> None:
        self.offset = self.offset_at(exercise_now)
        self.phase = TEAM_PACE.move(self.phase, TeamMove.RESUME)
        self.held_from, self.reason, self.since = None, "", None

    def shift(self, seconds: float) -> None:
        self.phase = TEAM_PACE.move(self.phase, TeamMove.SHIFT)
        self.offset += seconds

    def jumped(self, by: float) -> None:
        """The exercise clock jumped by ``by`` seconds: a hold does not count the jump."""
        if self.held_from is not None:
            self.held_from += by
