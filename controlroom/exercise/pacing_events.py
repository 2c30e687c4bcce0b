"""The payloads of a team's pace: held, resumed, shifted. Design: docs/clock.md.

Registered in ``controlroom.exercise.events``; applied by ``pacing_rules``.
"""

from __future__ import annotations

from pydantic import Field

from controlroom.exercise.payload import EventType, Payload


class TeamHeld(Payload):
    """``shift=False`` pauses the team's releases only: its time keeps running."""

    TYPE = EventType.TEAM_HELD
    team: str
    reason: str
    shift: bool = True
    by: str = ""


class TeamResumed(Payload):
    TYPE = EventType.TEAM_RESUMED
    team: str
    by: str = ""


class TeamShifted(Payload):
    """The team's schedule moves ``seconds`` later (earlier if negative).

    ``to_inject``: the point of its case the director shifted it to (the team's time then
    reads that inject's planned time); recorded for the log, ``seconds`` is what applies.
    """

    TYPE = EventType.TEAM_SHIFTED
    team: str
    seconds: float = Field(ge=-14 * 86400, le=14 * 86400)
    reason: str
    to_inject: str | None = None
    by: str = ""
