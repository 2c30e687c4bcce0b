"""An actor's run sheet: their role's next scenes across teams (time, team, set), in order.

Design: docs/devices.md, "The actor's run sheet". One actor plays the same character for one
team after another: the tablet lists every scene of the device's own role still to come,
with the countdown to the next (``web/static/js/run_sheet.js``, on the page's clock). Built
from the running exercise (``controlroom.exercise.run_sheet``: each cue instance at its
team's time, following that team's release and pace); it names teams and sets, never an
inject's content, and only this role's scenes. Its clock is the actors' (``clock_view``: a
pause shows as running, never control's own phase). The same section is on the cue cards page
(refreshed when a card changes and every 20 s) and is a page of its own, for printing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.delivery.projections import clock_view
from controlroom.exercise.lifecycles import ClockPhase, CueStatus
from controlroom.exercise.run_sheet import upcoming_scenes
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import local
from controlroom.scenario.run_sheet import Scene, joined
from controlroom.web.devices.guard import DeviceAccess, device_page
from controlroom.web.resources import resources

LONGEST = 12  # scenes listed; the rest are counted


@dataclass(frozen=True, slots=True)
class RunSheetLine:
    """One scene the actor plays: a shared scene lists every team it is for."""

    time: float | None
    teams: tuple[str, ...]  # names, in the device's language
    set: str  # the set's name, or "" when the cue names none
    where: str  # the cue's own place on the set
    cue: str
    status: str
    # a scene of it waits for the actor's mark (not Ready, In scene or Done) at a time that
    # no longer moves (its team not on hold): overdue once its time has passed, as the cue
    # cards' countdown says (devices.js, nextCue)
    unmarked: bool = False


@dataclass(frozen=True, slots=True)
class RunSheet:
    lines: tuple[RunSheetLine, ...]
    more: int  # scenes after the ones listed
    next_time: float | None  # the next scene with a time, for the countdown (None after ENDEX)
    next_in: float | None = None  # wall seconds until it, at the clock's speed (as run_sheet.js)
    ended: bool = False  # after ENDEX: no scene to count down to
    # wall seconds since the first overdue, unmarked scene's time: the line says so instead
    # of counting to the next scene (None: none overdue)
    overdue_by: float | None = None

    @property
    def overdue_minutes(self) -> int:
        """Whole wall minutes the overdue scene is late, as the cue cards' countdown floors them."""
        return 0 if self.overdue_by is None else max(0, math.floor(self.overdue_by / 60))

    @property
    def countdown(self) -> str:
        """``next_in`` as the tablet shows it (H:MM:SS, or MM:SS under an hour)."""
        if self.next_in is None:
            return ""
        seconds = max(0, round(self.next_in))
        hours, rest = divmod(seconds, 3600)
        clock = f"{rest // 60:02d}:{rest % 60:02d}"
        return f"{hours}:{clock}" if hours else clock


def run_sheet(state: ExerciseState, wall: float, role: str, language: str) -> RunSheet:
    """The role's scenes not done yet, across teams, as the device's run sheet shows them."""
    original = state.scenario.original_language
    teams = {t.id: local(t.name, language, original)[0] for t in state.scenario.teams}
    sets = {s.id: local(s.name, language, original)[0] for s in state.scenario.sets}
    wheres = _wheres(state, language)
    moving = {(i.cue, i.team) for i in state.cue_instances(role=role, wall=wall) if i.moving}
    grouped: dict[object, list[Scene]] = {}
    for scene in joined(upcoming_scenes(state, wall, role)):
        grouped.setdefault(scene.occasion, []).append(scene)
    lines = [
        RunSheetLine(
            time=group[0].time,
            teams=tuple(name for team, name in teams.items() if any(s.team == team for s in group)),
            set=sets.get(group[0].set or "", ""),
            where=wheres.get(group[0].cue, ""),
            cue=group[0].cue,
            status=group[0].status,
            unmarked=any(
                s.status == CueStatus.WAITING.value and (s.cue, s.team) not in moving for s in group
            ),
        )
        for group in grouped.values()
    ]
    listed, more = tuple(lines[:LONGEST]), max(0, len(lines) - LONGEST)
    if state.clock.phase is ClockPhase.ENDED:
        return RunSheet(listed, more, None, ended=True)
    now = state.clock.scenario_now(wall) if state.started else None
    times = [line.time for line in lines if line.time is not None]
    coming = [time for time in times if now is None or time >= now]
    next_time = min(coming, default=None)
    # wall time until it, as the tablet counts it (clock.js's wallUntil): an actor needs to
    # know how long until they must be there, not the scenario time between
    next_in = None if now is None or next_time is None else (next_time - now) / state.clock.speed
    late = [
        line.time
        for line in lines
        if now is not None and line.unmarked and line.time is not None and line.time <= now
    ]
    overdue_by = None if now is None or not late else (now - min(late)) / state.clock.speed
    return RunSheet(listed, more, next_time, next_in, overdue_by=overdue_by)


def _wheres(state: ExerciseState, language: str) -> dict[str, str]:
    original = state.scenario.original_language
    return {
        cue_id: local(cue.where, language, original)[0]
        for inject in state.injects.values()
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True)
    }


@device_page("actor")
async def run_sheet_page(request: Request, access: DeviceAccess) -> Response:
    state = access.state
    role = access.viewer.actor_role or ""
    found = next((r for r in state.scenario.roles if r.id == role), None)
    original = state.scenario.original_language
    character = local(found.character, access.language, original)[0] if found else role
    res = resources(request)
    context = {
        "exercise": access.runtime.id,
        "exercise_name": state.name,
        "device": access.device,
        "viewer": None,
        "character": character,
        "sheet": run_sheet(state, res.time.now(), role, access.language),
        "clock": clock_view(state),  # as actors see it: a pause is control's business
        "server_now": res.time.now(),
    }
    return res.pages.render(request, "actor/run_sheet.html", context, language=access.language)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/actor/run-sheet", run_sheet_page, name="actor_run_sheet"),
]
