"""The MSEL out: CSV (one language) and XLSX (sheets for injects, cues, cases, schedule).

Design: docs/scenario.md. Export writes one row per inject: timed injects in time order,
then the manual and triggered ones. The XLSX's Schedule sheet is each team's own schedule:
its injects and its actors' scenes (time, role, set) in time order, from the plan
(``controlroom.scenario.run_sheet``). A cell that a spreadsheet would take for a formula
(it starts with ``=``, ``+``, ``-`` or ``@``, or a tab or carriage return before one) is
written with a leading apostrophe, so opening an exported sheet never runs anything; the
import takes that apostrophe off again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence

from controlroom.scenario.model import AfterTrigger, Inject, PlayerTrigger, Scenario
from controlroom.scenario.msel_map import CHANNEL_LABELS, COLUMNS
from controlroom.scenario.run_sheet import planned_times
from controlroom.scenario.time import format_time

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it but never evaluates it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unneutralise(cell: str) -> str:
    """The import's side of ``neutralise``."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def msel_order(scenario: Scenario) -> list[Inject]:
    """Timed injects by scenario time, then manual and triggered ones in scenario order."""
    timed = [inject for inject in scenario.injects if inject.at_seconds is not None]
    untimed = [inject for inject in scenario.injects if inject.at_seconds is None]
    return sorted(timed, key=lambda inject: inject.at_seconds or 0) + untimed


def trigger_text(inject: Inject) -> str:
    """The scenario time column: ``D2 10:15``, ``manual`` or ``after B-03 acknowledged +10m``."""
    trigger = inject.trigger
    if isinstance(trigger, AfterTrigger) and not trigger.confirm:
        text = f"after {trigger.after} {trigger.state}"
        if trigger.delay_seconds:
            text += " " + (trigger.delay if trigger.delay[0] in "+-" else f"+{trigger.delay}")
        return text
    if isinstance(trigger, PlayerTrigger | AfterTrigger):  # what players do (a confirmed
        # reply too): its fields, as JSON
        fields = trigger.model_dump(mode="json", exclude_defaults=True)
        return "when " + json.dumps(fields, ensure_ascii=False)
    return inject.at or trigger or ""


def _language(scenario: Scenario, lang: str | None) -> str:
    lang = lang or scenario.original_language
    if lang not in scenario.languages:
        raise ValueError(
            f"{scenario.id} has no language {lang!r} ({', '.join(scenario.languages)})"
        )
    return lang


def inject_rows(scenario: Scenario, lang: str) -> list[list[str]]:
    header = [column.capitalize() for column in COLUMNS]
    return [header] + [_row(i, lang, scenario.original_language) for i in msel_order(scenario)]


def cue_rows(scenario: Scenario, lang: str) -> list[list[str]]:
    header = [
        "Inject", "Cue", "Role", "Set", "Offset", "Where", "Knows", "Emotion", "Reveals", "Props",
    ]  # fmt: skip
    rows = [header]
    sets = {item.id: item for item in scenario.sets}
    for inject in msel_order(scenario):
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            text = _texts(lang, scenario.original_language)
            place = sets.get(cue.set or "")
            rows.append(
                [
                    inject.id,
                    cue_id,
                    cue.role,
                    text(place.name) if place is not None else (cue.set or ""),
                    cue.offset,
                    text(cue.where),
                    text(cue.knows),
                    text(cue.emotion),
                    "\n".join(f"{text(r.what)} ({text(r.condition)})" for r in cue.reveals),
                    "\n".join(text(prop) for prop in cue.props),
                ]
            )
    return rows


def case_rows(scenario: Scenario, lang: str) -> list[list[str]]:
    text = _texts(lang, scenario.original_language)
    rows = [["Case", "Title", "Kind", "Summary", "Injects"]]
    for case in scenario.cases:
        injects = [inject.id for inject in msel_order(scenario) if inject.case == case.id]
        rows.append(
            [case.id, text(case.title), case.kind.value, text(case.summary), "; ".join(injects)]
        )
    return rows


def schedule_rows(scenario: Scenario, lang: str) -> list[list[str]]:
    """Each team's schedule as planned: per team (in the scenario's order), its injects and
    its actors' scenes in time order (manual and triggered ones last, with no time)."""
    text = _texts(lang, scenario.original_language)
    times = planned_times(scenario.injects)
    sets = {item.id: text(item.name) for item in scenario.sets}
    rows = [["Team", "Time", "Inject", "Title", "Cue", "Role", "Set"]]
    for team in scenario.teams:
        lines: list[tuple[float | None, list[str]]] = []
        for inject in msel_order(scenario):
            if team.id not in scenario.recipients(inject):
                continue
            due = times.get(inject.id)
            title = text(inject.title)
            when = trigger_text(inject) if due is None else format_time(due)
            if due is not None and inject.at is None:  # triggered: the earliest it comes
                when += f" ({trigger_text(inject)})"
            lines.append((due, [text(team.name), when, inject.id, title, "", "", ""]))
            for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
                at = None if due is None else due + cue.offset_seconds
                cue_when = trigger_text(inject) if at is None else format_time(at)
                place = sets.get(cue.set or "", cue.set or "")
                row = [text(team.name), cue_when, inject.id, title, cue_id, cue.role, place]
                lines.append((at, row))
        lines.sort(key=lambda line: (line[0] is None, line[0] or 0.0))
        rows.extend(row for _, row in lines)
    return rows


def export_msel(scenario: Scenario, lang: str | None = None) -> str:
    """The scenario's MSEL as CSV text in ``lang`` (default: the original language)."""
    lang = _language(scenario, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in inject_rows(scenario, lang):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def export_xlsx(scenario: Scenario, lang: str | None = None) -> bytes:
    """The scenario's MSEL as an Excel workbook: sheets Injects, Cues, Cases and Schedule."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    lang = _language(scenario, lang)
    book = openpyxl.Workbook()
    sheets: list[tuple[str, Sequence[Sequence[str]]]] = [
        ("Injects", inject_rows(scenario, lang)),
        ("Cues", cue_rows(scenario, lang)),
        ("Cases", case_rows(scenario, lang)),
        ("Schedule", schedule_rows(scenario, lang)),
    ]
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        for row in rows:
            sheet.append([neutralise(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


Text = Callable[[Mapping[str, str] | None], str]


def _texts(lang: str, original: str) -> Text:
    def text(value: Mapping[str, str] | None) -> str:
        return "" if value is None else value.get(lang, value.get(original, ""))

    return text


def _row(inject: Inject, lang: str, original: str) -> list[str]:
    text = _texts(lang, original)
    return [
        inject.id,
        trigger_text(inject),
        CHANNEL_LABELS[inject.channel],
        text(inject.sender),
        "all" if inject.to == "all" else "; ".join(inject.to),
        f"{text(inject.title)}\n\n{text(inject.body)}",
        "\n".join(text(action) for action in inject.expected_actions),
        "; ".join(inject.objectives),
        inject.controller or "",
        text(inject.notes),
        "; ".join(a.file_for(lang, original)[0] for a in inject.attachments),
    ]
