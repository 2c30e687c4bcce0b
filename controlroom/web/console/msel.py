"""The MSEL in the console: upload a sheet, map its columns and values, preview, then create
a new scenario or replace a scenario's injects. Design: docs/scenario.md.

Director only; every POST is CSRF-checked. The page works as plain forms (no JavaScript):

1. ``GET /scenarios/msel``: the upload form (the sheet, its language, a new scenario or
   which scenario it replaces).
2. ``POST /scenarios/msel`` with ``step=upload``: the file is read whatever its name or
   claimed type (``controlroom.scenario.msel_read`` sniffs it), at most
   ``max_upload_bytes``; kept under ``<data_dir>/uploads/`` by a random token so the next
   steps need not send it again; then the preview.
3. ``step=preview``: the sheet's headers, each with our column; the values of the delivery
   method, recipient and objective columns, each with ours; every row and column problem;
   the injects as they will be; for a replacement, the difference against the scenario.
   Nothing is written. With htmx the preview re-renders in place as the mapping changes.
4. ``step=apply``: the same, then the new scenario or the replacement is written, only if
   it validates; then the scenario's validation report.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import DIRECTING, STAFF
from controlroom.i18n import LANGUAGES
from controlroom.scenario.loader import ScenarioInvalid
from controlroom.scenario.model import Channel, Scenario
from controlroom.scenario.msel import (
    MselImport,
    channel_of,
    column_for,
    export_xlsx,
    import_table,
)
from controlroom.scenario.msel_map import (
    COLUMNS,
    MULTI_VALUE,
    MselError,
    MselMapping,
    split_values,
    squash,
)
from controlroom.scenario.msel_read import SheetError, Table, read_sheet
from controlroom.scenario.msel_scenario import (
    SheetChanges,
    new_scenario_files,
    replace_scenario_injects,
    replaced_injects,
    sheet_changes,
    write_new_scenario,
)
from controlroom.web.auth import checked_form, language_of, requires, viewer_of
from controlroom.web.console.actions import field as form_field
from controlroom.web.console.pages import render
from controlroom.web.resources import resources
from controlroom.web.templating import NO_STORE, is_htmx

PATH = "/scenarios/msel"
UPLOADS = "uploads"
UPLOAD_PREFIX = "msel-"
KEEP_UPLOADS_SECONDS = 24 * 3600
VALUE_COLUMNS = ("delivery method", "to", "objective")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class Plan:
    """What the director chose: the upload, its language, the target, and the mapping."""

    token: str
    lang: str
    target: str  # new | replace
    scenario_id: str
    title: str
    columns: dict[int, str] = field(default_factory=dict)  # header index -> ours ("" ignore)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> sheet -> ours

    def mapping(self, table: Table) -> MselMapping:
        columns = {
            squash(header): self.columns.get(index, column_for(header) or "")
            for index, header in enumerate(table.headers)
        }
        values = {
            column: {squash(k): v for k, v in table_.items() if v}
            for column, table_ in self.values.items()
        }
        return MselMapping(columns, values)


@dataclass
class ValueRow:
    column: str
    value: str
    ours: str


def _uploads(request: Request) -> Path:
    folder = Path(resources(request).settings.data_dir) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_path(request: Request, token: str) -> Path:
    if not _TOKEN.match(token):
        raise HTTPException(400, "No such upload: send the sheet again.")
    path = _uploads(request) / f"{UPLOAD_PREFIX}{token}"
    if not path.is_file():
        raise HTTPException(400, "No such upload: send the sheet again.")
    return path


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_UPLOADS_SECONDS
    for old in folder.glob(f"{UPLOAD_PREFIX}*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


async def _save_upload(request: Request, form: FormData) -> str | None:
    """The uploaded sheet, saved; its token (None when no file was sent)."""
    sheet = form.get("sheet")
    if not isinstance(sheet, UploadFile) or not sheet.filename:
        return None
    limit = resources(request).settings.max_upload_bytes
    data = await sheet.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"The sheet is larger than {limit // 1_000_000} MB.")
    folder = _uploads(request)
    _forget_old_uploads(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{UPLOAD_PREFIX}{token}").write_bytes(data)
    return token


def _plan(form: FormData, token: str) -> Plan:
    plan = Plan(
        token=token,
        lang=form_field(form, "lang") or LANGUAGES[0],
        target="replace" if form_field(form, "target") == "replace" else "new",
        scenario_id=form_field(
            form, "replace" if form_field(form, "target") == "replace" else "scenario"
        ),
        title=form_field(form, "title"),
    )
    for key in form:
        if key.startswith("column."):
            index = key.removeprefix("column.")
            if index.isdigit():
                chosen = form_field(form, key)
                plan.columns[int(index)] = chosen if chosen in COLUMNS else ""
        elif key.startswith("value."):
            _, column, number = key.split(".", 2) if key.count(".") >= 2 else ("", "", "")
            if column in VALUE_COLUMNS:
                ours = form_field(form, f"ours.{column}.{number}")
                plan.values.setdefault(column, {})[form_field(form, key)] = ours
    return plan


def _value_rows(table: Table, plan: Plan, mapping: MselMapping) -> list[ValueRow]:
    """Each distinct value of the value columns, with the value it maps to now."""
    index = {column_for(h, mapping): i for i, h in enumerate(table.headers)}
    rows: list[ValueRow] = []
    for column in VALUE_COLUMNS:
        if column not in index:
            continue
        seen: list[str] = []
        for _, cells in table.rows:
            cell = cells[index[column]] if index[column] < len(cells) else ""
            for value in split_values(cell) if column in MULTI_VALUE else [cell.strip()]:
                if value and value not in seen:
                    seen.append(value)
        for value in seen:
            chosen = plan.values.get(column, {}).get(value, "")
            if not chosen and column == "delivery method":
                found = channel_of(value)
                chosen = found.value if found else ""
            rows.append(ValueRow(column, value, chosen))
    return rows


@dataclass
class Preview:
    plan: Plan
    table: Table | None = None
    result: MselImport | None = None
    changes: SheetChanges | None = None
    value_rows: list[ValueRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the choices, not the sheet

    @property
    def ready(self) -> bool:
        return (
            self.result is not None
            and not self.result.problems
            and not self.errors
            and bool(self.result.injects)
        )


def _preview(request: Request, plan: Plan, _: Any) -> Preview:
    preview = Preview(plan)
    res = resources(request)
    try:
        preview.table = read_sheet(
            _upload_path(request, plan.token).read_bytes(),
            "sheet",
            max_bytes=res.settings.max_upload_bytes,
        )
    except SheetError as error:
        preview.errors.append(str(error).removeprefix("sheet: "))
        return preview
    table = preview.table
    mapping = plan.mapping(table)
    scenario: Scenario | None = None
    if plan.target == "replace":
        try:
            scenario = res.scenarios.get(plan.scenario_id)
        except KeyError:
            preview.errors.append(_("Pick a valid scenario to replace."))
    else:
        if not _ID.match(plan.scenario_id):
            preview.errors.append(
                _("The new scenario needs an id: letters, digits, '.', '_' or '-'.")
            )
        elif (res.scenarios.root / plan.scenario_id).exists():
            preview.errors.append(_("A scenario with this id exists already."))
    if scenario is not None and plan.lang not in scenario.languages:
        preview.errors.append(_("The scenario has no text in this language."))
        scenario = None
    preview.value_rows = _value_rows(table, plan, mapping)
    for row in preview.value_rows:  # the suggestions count as chosen
        plan.values.setdefault(row.column, {}).setdefault(row.value, row.ours)
    mapping = plan.mapping(table)
    try:
        preview.result = import_table(table, plan.lang, mapping=mapping, scenario=scenario)
    except MselError as error:
        preview.errors.append(str(error))
        return preview
    if scenario is not None:
        preview.changes = sheet_changes(scenario, preview.result, plan.lang)
    return preview


def column_labels(_: Any) -> dict[str, str]:
    return {
        "number": _("Number"),
        "scenario time": _("Scenario time"),
        "delivery method": _("Delivery method"),
        "from": _("From"),
        "to": _("To"),
        "description": _("Description (title, blank line, text)"),
        "expected player action": _("Expected player action"),
        "objective": _("Objective"),
        "responsible controller": _("Responsible controller"),
        "controller notes": _("Controller notes"),
        "attachments": _("Attachments"),
    }


async def _page(request: Request, preview: Preview | None, status: int = 200) -> Response:
    res = resources(request)
    viewer = await viewer_of(request)
    _ = res.pages.translator(language_of(request, viewer)).gettext
    context = {
        "preview": preview,
        "columns": COLUMNS,
        "column_labels": column_labels(_),
        "column_of": lambda header: column_for(header) or "",
        "channels": [c.value for c in Channel],
        "scenarios": sorted(res.scenarios.valid().items()),
        "sheet_languages": LANGUAGES,
    }
    return await render(request, "console/msel.html", context, status=status)


@requires(DIRECTING)
async def msel_page(request: Request) -> Response:
    return await _page(request, None)


@requires(DIRECTING)
async def msel_post(request: Request) -> Response:
    viewer = await viewer_of(request)
    limit = resources(request).settings.max_upload_bytes
    if int(request.headers.get("content-length") or 0) > limit + 1_000_000:
        raise HTTPException(413, f"The sheet is larger than {limit // 1_000_000} MB.")
    parsed = await request.form()  # checked_form below reads this same (cached) form
    try:
        form = await checked_form(request, viewer)
        step = form_field(form, "step")
        token = await _save_upload(request, form) if step == "upload" else form_field(form, "token")
    finally:
        await parsed.close()  # an uploaded file's temporary copy
    _ = resources(request).pages.translator(language_of(request, viewer)).gettext
    if not token:
        raise HTTPException(400, "Choose a sheet to upload.")
    preview = _preview(request, _plan(form, token), _)
    if step != "apply":
        return await _page(request, preview)
    if not preview.ready or preview.result is None:
        return await _page(request, preview, status=422)
    res = resources(request)
    plan, result = preview.plan, preview.result
    folder = res.scenarios.root / plan.scenario_id
    try:
        if plan.target == "new":
            files = new_scenario_files(result, plan.lang, plan.title or plan.scenario_id)
            write_new_scenario(folder, files)
        else:
            scenario = res.scenarios.get(plan.scenario_id)
            replace_scenario_injects(folder, replaced_injects(scenario, result, plan.lang))
    except (ScenarioInvalid, FileExistsError) as error:
        preview.errors.append(_("Nothing was written: the result would not be valid."))
        preview.errors.extend(str(p) for p in getattr(error, "problems", [error]))
        return await _page(request, preview, status=422)
    res.scenarios.reload()
    _upload_path(request, plan.token).unlink(missing_ok=True)
    target = f"/scenarios/{plan.scenario_id}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@requires(STAFF)
async def msel_xlsx(request: Request) -> Response:
    """A scenario's MSEL as an Excel workbook (injects, cues, cases) in one language."""
    try:
        scenario = resources(request).scenarios.get(str(request.path_params["scenario"]))
    except KeyError:
        raise HTTPException(404, "No such scenario.") from None
    lang = str(request.query_params.get("lang") or scenario.original_language)
    if lang not in scenario.languages:
        raise HTTPException(404, "The scenario has no text in this language.")
    name = f"{scenario.id}-msel-{lang}.xlsx"
    return Response(
        export_xlsx(scenario, lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


routes: list[BaseRoute] = [
    Route("/scenarios/{scenario}/msel.xlsx", msel_xlsx, name="msel_xlsx"),
    Route(PATH, msel_page, name="msel"),
    Route(PATH, msel_post, methods=["POST"], name="msel_post"),
]
