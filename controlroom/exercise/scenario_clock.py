"""The scenario clock as folded from clock events: pure arithmetic. Design: docs/clock.md.

Scenario time runs at ``speed`` times wall time from an anchor ``(wall, scenario)`` that is
moved by every clock event. The phases and their moves are one table
(``controlroom.exercise.lifecycles.CLOCK``): a hold (phase ``held``) freezes scenario time, so
every later release shifts by the hold's length; a pause (phase ``paused``, a hold with
``shift=False``) keeps scenario time running and only releases wait. Every method moves the
phase through the table and raises ``InvalidMove`` on a move it does not allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.exercise.lifecycles import CLOCK, ClockMove, ClockPhase


@dataclass(slots=True)
class ScenarioClock:
    phase: ClockPhase = ClockPhase.PLANNED
    anchor_wall: float = 0.0
    anchor_scenario: float = 0.0
    speed: float = 1.0
    hold_reason: str = ""
    held_since: float | None = None  # wall time of the current hold

    @property
    def ticking(self) -> bool:
        """Whether scenario time advances with wall time."""
        return self.phase in (ClockPhase.RUNNING, ClockPhase.PAUSED)

    @property
    def releasing(self) -> bool:
        """Whether scheduled injects fall due now."""
        return self.phase is ClockPhase.RUNNING

    @property
    def on_hold(self) -> bool:
        """Held or paused: releases wait until the director resumes."""
        return self.phase in (ClockPhase.HELD, ClockPhase.PAUSED)

    def can(self, move: ClockMove) -> bool:
        return CLOCK.can(self.phase, move)

    def scenario_now(self, wall: float) -> float:
        if not self.ticking:
            return self.anchor_scenario
        return self.anchor_scenario + max(0.0, wall - self.anchor_wall) * self.speed

    def due_wall(self, scenario_time: float) -> float | None:
        """The wall time at which ``scenario_time`` falls due (None while time stands still).

        Times already passed map to the start of the current running stretch, so an inject a
        jump skipped over is due at the jump, not hours before it.
        """
        if not self.ticking:
            return None
        return self.anchor_wall + max(0.0, scenario_time - self.anchor_scenario) / self.speed

    def _reanchor(self, wall: float) -> None:
        self.anchor_scenario = self.scenario_now(wall)
        self.anchor_wall = wall

    def start(self, wall: float, scenario_time: float) -> None:
        self.phase = CLOCK.move(self.phase, ClockMove.START)
        self.anchor_wall, self.anchor_scenario = wall, scenario_time

    def hold(self, wall: float, reason: str, shift: bool) -> None:
        if shift:
            self._reanchor(wall)
        self.phase = CLOCK.move(self.phase, ClockMove.HOLD if shift else ClockMove.PAUSE)
        self.hold_reason, self.held_since = reason, wall

    def resume(self, wall: float) -> None:
        if self.phase is ClockPhase.HELD:
            self.anchor_wall = wall
        self.phase = CLOCK.move(self.phase, ClockMove.RESUME)
        self.hold_reason, self.held_since = "", None

    def set_speed(self, wall: float, speed: float) -> None:
        self.phase = CLOCK.move(self.phase, ClockMove.SPEED)
        self._reanchor(wall)
        self.speed = speed

    def jump(self, wall: float, scenario_time: float) -> None:
        self.phase = CLOCK.move(self.phase, ClockMove.JUMP)
        self.anchor_wall, self.anchor_scenario = wall, scenario_time

    def end(self, wall: float) -> None:
        self._reanchor(wall)
        self.phase = CLOCK.move(self.phase, ClockMove.END)
