"""The after-action export as a download on the console. Design: docs/review.md.

``/exercises/<id>/export.zip``: the journal, the scenario as run, the MSEL with actual times,
each team's schedule planned and actual, observations and every day's debrief packs
(``controlroom.review.export``), headers in the viewer's language. Control and observers
(``STAFF``: they read the whole journal on the log page already). Reading only.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import STAFF
from controlroom.review.debrief import DebriefPack
from controlroom.review.export import export_zip
from controlroom.review.sheets import Rows
from controlroom.web.auth import language_of, requires, viewer_of
from controlroom.web.console.debrief_sheets import pack_csv_rows, pack_sheets
from controlroom.web.console.pages import exercise_of
from controlroom.web.console.schedule_sheets import schedule_table
from controlroom.web.resources import resources


@requires(STAFF)
async def export(request: Request) -> Response:
    runtime = await exercise_of(request)
    res = resources(request)
    language = language_of(request, await viewer_of(request))
    gettext = res.pages.translator(language).gettext
    names = {a.name: a.display or a.name for a in await res.accounts.all()}
    scenario = runtime.state.scenario

    def sheets(pack: DebriefPack) -> list[tuple[str, Rows]]:
        return pack_sheets(pack, scenario, language, gettext)

    content = export_zip(
        await runtime.journal.read(),
        sheets,
        names=names,
        csv_rows=pack_csv_rows,
        schedule=lambda state: schedule_table(state, language, gettext),
    )
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{runtime.id}-after-action.zip"',
            "Cache-Control": "no-store",
        },
    )


routes: list[BaseRoute] = [Route("/exercises/{exercise}/export.zip", export, name="export")]
