"""The live timeline: every inject as planned and as it happened, in swimlanes.

Design: docs/console.md. The timeline is a CSS grid: one row per inject (the hub's
``ControlInjectView``, id ``inject-row-<id>``), one column (a swimlane) per team, or per
case. Rows carry their facts as data attributes (teams, case, channel, statuses, due time),
and the grid's columns and the filters are CSS rules generated here from the scenario, so a
row the hub pushes later lands in the right lane and obeys the filters without knowing
either. Times are scenario times; the scenario clock's "now" line and the "next 15 minutes"
mark move with the clock (web/static/js/console.js), and are right at every page load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF
from controlroom.delivery.pacing_views import team_paces_view
from controlroom.delivery.projections import control_inject_view
from controlroom.delivery.reply_views import control_reply_view, reply_queue
from controlroom.delivery.views import ControlInjectView
from controlroom.exercise.run_sheet import open_conflicts
from controlroom.exercise.state import ExerciseState, ReleaseStatus
from controlroom.scenario.model import Channel, Scenario
from controlroom.web.auth import requires, viewer_of
from controlroom.web.console.boards import alerts
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.console.simcell import queue
from controlroom.web.resources import resources

SOON_SECONDS = 15 * 60
NO_CASE = "none"
# A time with seconds ("D1 09:15:30") fits its column, however narrow the lanes leave it (its
# min-content: the time, or the longest word of "when the team acts", which wraps); a team's
# lane fits "Acknowledged" and its two times (released, acknowledged) without clipping them.
TIME_COLUMN = "minmax(min-content, max-content)"
TEAM_COLUMN = "minmax(8.5rem, 1fr)"
LaneKind = Literal["team", "case"]


@dataclass(frozen=True, slots=True)
class Lane:
    """A swimlane: a team or a case, with its CSS grid line name."""

    line: str  # "t0", "c2": a CSS identifier, whatever the scenario's ids look like
    id: str
    title: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Filters:
    """What the timeline shows; unknown values are dropped, so they are safe in CSS."""

    team: str = ""
    case: str = ""
    channel: str = ""
    status: str = ""
    lanes: LaneKind = "team"

    @classmethod
    def of(cls, params: Mapping[str, str], scenario: Scenario) -> Filters:
        def pick(name: str, allowed: set[str]) -> str:
            value = str(params.get(name, ""))
            return value if value in allowed else ""

        cases = {c.id for c in scenario.cases} | {NO_CASE}
        return cls(
            team=pick("team", set(scenario.team_ids)),
            case=pick("case", cases),
            channel=pick("channel", {c.value for c in Channel}),
            status=pick("status", {s.value for s in ReleaseStatus} | {"late"}),
            lanes="case" if params.get("lanes") == "case" else "team",
        )

    @property
    def active(self) -> bool:
        return bool(self.team or self.case or self.channel or self.status)

    def query(self, **changes: str) -> str:
        """This filter set (with ``changes``) as a query string, for links."""
        values = {
            "team": self.team,
            "case": self.case,
            "channel": self.channel,
            "status": self.status,
            "lanes": self.lanes,
            **changes,
        }
        shown = {k: v for k, v in values.items() if v and not (k == "lanes" and v == "team")}
        return urlencode(shown)

    def css(self) -> str:
        """Rules hiding the rows (and team cells) the filters leave out."""
        rules = []
        row = ".timeline .inject-row"
        if self.team:
            rules.append(f'{row}:not([data-teams~="{self.team}"])')
            rules.append(f'.timeline .cell-release:not([data-team="{self.team}"])')
        if self.case:
            rules.append(f'{row}:not([data-case="{self.case}"])')
        if self.channel:
            rules.append(f'{row}:not([data-channel="{self.channel}"])')
        if self.status:
            token = f"{self.team}:{self.status}" if self.team else self.status
            rules.append(f'{row}:not([data-statuses~="{token}"])')
        return "".join(f"{rule}{{display:none}}" for rule in rules)


@dataclass(frozen=True, slots=True)
class Timeline:
    filters: Filters
    team_lanes: tuple[Lane, ...]
    case_lanes: tuple[Lane, ...]
    rows: tuple[ControlInjectView, ...]
    now: float  # scenario seconds
    soon: frozenset[str]  # injects due in the next 15 minutes

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return self.case_lanes if self.filters.lanes == "case" else self.team_lanes

    @property
    def shown_lanes(self) -> tuple[Lane, ...]:
        if self.filters.lanes == "team" and self.filters.team:
            return tuple(lane for lane in self.team_lanes if lane.id == self.filters.team)
        return self.lanes

    def css(self) -> str:
        """The grid's columns (one per lane) and where each lane's cells go."""
        grid = "#timeline-grid"
        if self.filters.lanes == "case":
            columns = " ".join(f"[{lane.line}] minmax(9rem, 1fr)" for lane in self.case_lanes)
            template = f"[time] {TIME_COLUMN} {columns} [teams] minmax(10rem, 1.2fr) [actions] auto"
            placements = [
                f'{grid} .inject-row[data-case="{lane.id}"]>.cell-inject{{grid-column:{lane.line}}}'
                for lane in self.case_lanes
                if lane.id != NO_CASE
            ]
            placements.append(
                f"{grid} .inject-row:not([data-case])>.cell-inject"
                f"{{grid-column:{self.case_lanes[-1].line}}}"
            )
        else:
            lanes = self.shown_lanes
            columns = " ".join(f"[{lane.line}] {TEAM_COLUMN}" for lane in lanes)
            template = f"[time] {TIME_COLUMN} [inject] minmax(13rem, 4fr) {columns} [actions] auto"
            placements = [
                f'{grid} .cell-release[data-team="{lane.id}"]{{grid-column:{lane.line}}}'
                for lane in lanes
            ]
        return f"{grid}{{grid-template-columns:{template}}}" + "".join(placements)

    def count(self) -> int:
        return sum(1 for row in self.rows if shown(row, self.filters))


def shown(row: ControlInjectView, filters: Filters) -> bool:
    """Whether the filters show ``row`` (the same test as ``Filters.css``, for counts)."""
    inject = row.inject
    teams = [r.team for r in row.releases]
    if filters.team and filters.team not in teams:
        return False
    if filters.case and (inject.case or NO_CASE) != filters.case:
        return False
    if filters.channel and inject.channel.value != filters.channel:
        return False
    if filters.status:
        releases = [r for r in row.releases if not filters.team or r.team == filters.team]
        matches = [
            r
            for r in releases
            if r.status == filters.status or (r.late and filters.status == "late")
        ]
        return bool(matches)
    return True


def due_of(row: ControlInjectView) -> float | None:
    """The earliest planned time of an inject's releases (None: manual or trigger)."""
    dues = [r.due for r in row.releases if r.due is not None]
    return min(dues) if dues else None


def soon(rows: tuple[ControlInjectView, ...], now: float) -> frozenset[str]:
    """Injects with a release still to come in the next 15 minutes of scenario time."""
    return frozenset(
        row.inject.id
        for row in rows
        if any(
            r.unreleased and r.due is not None and now <= r.due <= now + SOON_SECONDS
            for r in row.releases
        )
    )


def timeline(state: ExerciseState, filters: Filters, wall: float) -> Timeline:
    scenario = state.scenario
    order = sorted(state.injects, key=lambda i: (_sort_due(state, i), i))
    rows = tuple(control_inject_view(state, i) for i in order)
    now = state.clock.scenario_now(wall)
    team_lanes = tuple(Lane(f"t{n}", t.id, t.name) for n, t in enumerate(scenario.teams))
    case_lanes = tuple(Lane(f"c{n}", c.id, c.title) for n, c in enumerate(scenario.cases))
    other = Lane(f"c{len(case_lanes)}", NO_CASE, {})
    return Timeline(filters, team_lanes, (*case_lanes, other), rows, now, soon(rows, now))


def _sort_due(state: ExerciseState, inject: str) -> float:
    dues = [r.due for r in state.releases_of(inject) if r.due is not None]
    return min(dues) if dues else float("inf")


@requires(STAFF)
async def console(request: Request) -> Response:
    """The console: the live timeline, with the clock bar, alerts and the SimCell queue."""
    runtime = await exercise_of(request)
    state = runtime.state
    filters = Filters.of(request.query_params, state.scenario)
    mine = state.assignments.get((await viewer_of(request)).name)
    if mine is not None and not request.query_params:  # a controller's console opens on theirs
        first = {"team": mine.teams[0]} if mine.teams else {"case": mine.cases[0]}
        filters = Filters.of(first, state.scenario)
    res = resources(request)
    view = timeline(state, filters, res.time.now())
    context = {
        "timeline": view,
        "filters": filters,
        "alerts": alerts(state, res.time.now(), res.settings.ack_alert_seconds),
        "schedule_conflicts": open_conflicts(state, res.time.now()),
        "queue": queue(state),
        "replies": [control_reply_view(state, r) for r in reply_queue(state)],
        "team_paces": team_paces_view(state),
        "channels": [c.value for c in Channel],
        "statuses": [s.value for s in ReleaseStatus] + ["late"],
    }
    return await render(request, "console/timeline.html", context, runtime=runtime)


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}", console, name="console"),
]
