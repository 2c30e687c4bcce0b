"""The daily debrief pack on the console: a printable page, CSV and XLSX. Design: docs/review.md.

``?day=2&team=police&facing=team``: day 2 for the police team, the team-facing version
(``controlroom.review.debrief``: no control notes, expected actions, cues or other teams).
Control and observers open every pack (``STAFF``); the team-facing one is what control
prints or sends for the team. Reading only: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF
from controlroom.review.debrief import DebriefPack, debrief_pack
from controlroom.review.sheets import csv_text, xlsx_bytes
from controlroom.web.auth import language_of, requires, viewer_of
from controlroom.web.console.debrief_sheets import pack_csv_rows, pack_sheets
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.params import BAD_FIELD, is_item_id
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/debrief"
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class PackQuery:
    day: int
    team: str | None
    team_facing: bool

    @property
    def file_stem(self) -> str:
        who = self.team or "all"
        return f"debrief-D{self.day}-{who}" + ("-team" if self.team_facing else "")


def pack_query(request: Request, days: int, teams: list[str]) -> PackQuery:
    """The pack asked for (400 on a malformed or unknown day or team)."""
    query = request.query_params
    day, team = query.get("day", "1"), query.get("team", "")
    facing = query.get("facing", "") == "team"
    if not day.isdigit() or not 1 <= int(day) <= days:
        raise HTTPException(400, BAD_FIELD)
    if team and (not is_item_id(team) or team not in teams):
        raise HTTPException(400, BAD_FIELD)
    if facing and not team:
        raise HTTPException(400, BAD_FIELD)
    return PackQuery(int(day), team or None, facing)


async def _pack(request: Request) -> tuple[Any, PackQuery, DebriefPack]:
    runtime = await exercise_of(request)
    scenario = runtime.state.scenario
    wanted = pack_query(request, scenario.days, scenario.team_ids)
    names = {a.name: a.display or a.name for a in await resources(request).accounts.all()}
    pack = debrief_pack(
        await runtime.journal.read(),
        wanted.day,
        team=wanted.team,
        team_facing=wanted.team_facing,
        names=names,
    )
    return runtime, wanted, pack


@requires(STAFF)
async def debrief_page(request: Request) -> Response:
    runtime, wanted, pack = await _pack(request)
    context = {"pack": pack, "wanted": wanted, "live": None}
    return await render(request, "console/debrief.html", context, runtime=runtime)


async def _sheets(request: Request) -> tuple[PackQuery, list[Any]]:
    runtime, wanted, pack = await _pack(request)
    language = language_of(request, await viewer_of(request))
    gettext = resources(request).pages.translator(language).gettext
    return wanted, pack_sheets(pack, runtime.state.scenario, language, gettext)


@requires(STAFF)
async def debrief_csv(request: Request) -> Response:
    wanted, sheets = await _sheets(request)
    return Response(
        csv_text(pack_csv_rows(sheets)).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{wanted.file_stem}.csv"',
            **NO_STORE,
        },
    )


@requires(STAFF)
async def debrief_xlsx(request: Request) -> Response:
    wanted, sheets = await _sheets(request)
    return Response(
        xlsx_bytes(sheets),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{wanted.file_stem}.xlsx"',
            **NO_STORE,
        },
    )


routes: list[BaseRoute] = [
    Route(PATH, debrief_page, name="debrief"),
    Route(f"{PATH}.csv", debrief_csv, name="debrief_csv"),
    Route(f"{PATH}.xlsx", debrief_xlsx, name="debrief_xlsx"),
]
