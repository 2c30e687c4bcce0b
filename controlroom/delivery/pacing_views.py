"""What control sees of each team's pace: its own time, offset, hold. Design: docs/console.md.

``TeamPacesView`` is the timeline's row of team lanes (``#team-paces``): per team its own
scenario time at the clock's anchor (the console's script runs it on from there, as the
exercise clock), its offset behind the exercise clock, and a hold's reason. The hub pushes it
to control and observers with every clock event and every team pace event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from controlroom.exercise.lifecycles import TeamPhase
from controlroom.exercise.state import ExerciseState

LocalText = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TeamPaceView:
    team: str
    name: LocalText
    phase: TeamPhase
    offset: float  # scenario seconds behind the exercise clock, at the clock's anchor
    scenario_time: float  # the team's own time at the clock's anchor (frozen while held)
    reason: str

    @property
    def ticking(self) -> bool:
        """The team's own time runs with the exercise clock's (not while the team is held)."""
        return self.phase is not TeamPhase.HELD


@dataclass(frozen=True, slots=True)
class TeamPacesView:
    template: ClassVar[str] = "fragments/control/team_paces.html"
    started: bool
    teams: tuple[TeamPaceView, ...]

    @property
    def dom_id(self) -> str:
        return "team-paces"


def team_paces_view(state: ExerciseState) -> TeamPacesView:
    anchor = state.clock.anchor_scenario
    teams = []
    for team in state.scenario.teams:
        pace = state.pace(team.id)
        offset = pace.offset_at(anchor)
        now = anchor - offset
        if pace.phase is TeamPhase.HELD and pace.held_from is not None:
            now = pace.held_from - pace.offset
        teams.append(TeamPaceView(team.id, team.name, pace.phase, offset, now, pace.reason))
    return TeamPacesView(state.started, tuple(teams))
