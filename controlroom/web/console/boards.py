"""Live status boards: teams (devices online, acknowledgements), actors (cues), alerts.

Design: docs/console.md. Everything here is derived from the exercise state, plus which
devices have a live socket (``Delivery.online``: the hub's presence in this worker; its
``presence`` frames keep the counts live between refreshes). An alert is a
released inject a team has not acknowledged within ``settings.ack_alert_seconds``; the
page marks it as soon as it is due (web/static/js/console.js), and every render does too.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF, actor_audience, team_audience
from controlroom.delivery.views import DevicePresence, TargetPresence
from controlroom.exercise.endex import ended
from controlroom.exercise.lifecycles import ReleaseMove
from controlroom.exercise.run_sheet import open_conflicts
from controlroom.exercise.state import CueStatus, Device, ExerciseState, TeamRelease
from controlroom.scenario.model import LocalText, Role, Team
from controlroom.web.auth import requires
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/boards"


@dataclass(frozen=True, slots=True)
class Alert:
    """A released inject not acknowledged in time by one team."""

    inject: str
    team: str
    released_at: float  # wall time
    waiting: float  # seconds since release


@dataclass(frozen=True, slots=True)
class DeviceLine:
    device: Device
    online: bool

    @property
    def presence(self) -> DevicePresence:
        return DevicePresence(self.device.id, self.online)


@dataclass(frozen=True, slots=True)
class TeamBoard:
    team: Team
    devices: tuple[DeviceLine, ...]
    released: int
    acknowledged: int
    waiting: tuple[Alert, ...]  # released, not yet acknowledged (overdue or not)

    @property
    def online(self) -> int:
        return sum(1 for line in self.devices if line.online)

    @property
    def presence(self) -> TargetPresence:
        return TargetPresence(team_audience(self.team.id), self.online)


@dataclass(frozen=True, slots=True)
class CueLine:
    cue: str
    inject: str
    status: str
    when: float | None  # scenario seconds the actor is due on set
    late: float | None  # scenario seconds past ``when`` without the actor being ready
    team: str = ""  # the team the scene is played for
    team_name: LocalText | None = None  # its name, shown as on the teams board


@dataclass(frozen=True, slots=True)
class ActorBoard:
    role: Role
    devices: tuple[DeviceLine, ...]
    cues: tuple[CueLine, ...]

    @property
    def late(self) -> int:
        return sum(1 for cue in self.cues if cue.late)

    @property
    def presence(self) -> TargetPresence:
        return TargetPresence(
            actor_audience(self.role.id), sum(1 for d in self.devices if d.online)
        )


def alerts(state: ExerciseState, wall: float, after: float) -> list[Alert]:
    """Releases still unacknowledged ``after`` seconds after they went out, oldest first.

    None after ENDEX: the exercise is closed, nobody is waiting for an acknowledgement.
    """
    if ended(state):
        return []
    waiting = [a for a in _waiting(state.releases.values(), wall) if a.waiting >= after]
    return sorted(waiting, key=lambda a: a.released_at)


def _waiting(releases: Iterable[TeamRelease], wall: float) -> list[Alert]:
    found = []
    for release in releases:
        if release.released_at is None or not release.can(ReleaseMove.ACKNOWLEDGE, True):
            continue
        found.append(
            Alert(release.inject, release.team, release.released_at, wall - release.released_at)
        )
    return found


def _device_lines(devices: list[Device], online: AbstractSet[str]) -> tuple[DeviceLine, ...]:
    return tuple(
        DeviceLine(d, d.id in online)
        for d in sorted(devices, key=lambda d: d.joined_at)
        if not d.revoked
    )


def team_boards(state: ExerciseState, wall: float, online: AbstractSet[str]) -> list[TeamBoard]:
    boards = []
    for team in state.scenario.teams:
        mine = [r for r in state.releases.values() if r.team == team.id]
        released = [r for r in mine if r.released_at is not None]
        boards.append(
            TeamBoard(
                team=team,
                devices=_device_lines(
                    [d for d in state.devices.values() if d.team == team.id], online
                ),
                released=len(released),
                acknowledged=sum(1 for r in released if r.acknowledged_at is not None),
                waiting=tuple(sorted(_waiting(released, wall), key=lambda a: a.released_at)),
            )
        )
    return boards


def actor_boards(state: ExerciseState, wall: float, online: AbstractSet[str]) -> list[ActorBoard]:
    """Each role's cues, one line per cue and team it is played for: on set at that team's
    time (its release, early or late, or its plan moved by the team's pace)."""
    now = state.clock.scenario_now(wall)
    names = {team.id: team.name for team in state.scenario.teams}
    boards = []
    for role in state.scenario.roles:
        lines = []
        for cue in state.cue_instances(role=role.id, wall=wall):
            late = None
            if state.started and cue.at is not None and cue.status is CueStatus.WAITING:
                late = now - cue.at if now > cue.at else None
            lines.append(
                CueLine(
                    cue.cue,
                    cue.inject,
                    cue.status.value,
                    cue.at,
                    late,
                    cue.team,
                    names.get(cue.team),
                )
            )
        lines.sort(key=lambda c: (c.when is None, c.when or 0.0, c.cue, c.team))
        devices = [d for d in state.devices.values() if d.role == role.id]
        boards.append(ActorBoard(role, _device_lines(devices, online), tuple(lines)))
    return boards


@requires(STAFF)
async def boards(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    res = resources(request)
    wall = res.time.now()
    online = res.delivery.online(runtime.id)
    context = {
        "teams": team_boards(state, wall, online),
        "actors": actor_boards(state, wall, online),
        "alerts": alerts(state, wall, res.settings.ack_alert_seconds),
        "alert_after": res.settings.ack_alert_seconds,
        "schedule_conflicts": open_conflicts(state, wall),
    }
    return await render(request, "console/boards.html", context, runtime=runtime)


@requires(STAFF)
async def alert_panel(request: Request) -> Response:
    """The alerts panel alone: the console refreshes it after each live event."""
    runtime = await exercise_of(request)
    res = resources(request)
    context = {"alerts": alerts(runtime.state, res.time.now(), res.settings.ack_alert_seconds)}
    return await render(request, "console/_alerts.html", context, runtime=runtime)


routes: list[BaseRoute] = [
    Route(PATH, boards, name="boards"),
    Route(f"{PATH}/alerts", alert_panel, name="boards_alerts"),
]
