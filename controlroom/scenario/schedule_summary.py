"""The run sheet's summary that ``controlroom validate`` prints: per role, its scenes.

Design: docs/scenario.md, "Sets and the run sheet".
"""

from __future__ import annotations

from controlroom.scenario.model import Scenario
from controlroom.scenario.run_sheet import planned_scenes, summaries
from controlroom.scenario.time import format_time


def duration(seconds: float) -> str:
    """``3900`` -> ``1 h 5 min``, ``600`` -> ``10 min``, ``0`` -> ``0 min``."""
    hours, minutes = divmod(int(seconds) // 60, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def run_sheet_summary(scenario: Scenario) -> str:
    """``run sheet (...)`` and a line per role: scenes, first and last, the tightest gap."""
    schedule = scenario.schedule
    lines = [
        f"run sheet: {len(scenario.sets)} set{'' if len(scenario.sets) == 1 else 's'}, "
        f"least gap between a role's scenes {schedule.min_gap}, a scene holds its set "
        f"{schedule.scene}"
    ]
    scenes = planned_scenes(scenario.team_ids, scenario.injects)
    for line in summaries([role.id for role in scenario.roles], scenes):
        text = f"  {line.role}: {line.scenes} scene{'' if line.scenes == 1 else 's'}"
        if line.unscheduled:
            text += f" ({line.unscheduled} on a manual or player trigger)"
        if line.first is not None and line.last is not None and line.first != line.last:
            text += f", {format_time(line.first)} to {format_time(line.last)}"
        elif line.first is not None:
            text += f", at {format_time(line.first)}"
        if line.tightest is not None:
            text += f", tightest gap {duration(line.tightest)}"
        lines.append(text)
    return "\n".join(lines)
