"""The MSEL out: CSV (one language) and XLSX (sheets for injects, cues and cases).

Design: docs/scenario.md. Export writes one row per inject: timed injects in time order,
then the manual and triggered ones. A cell that a spreadsheet would take for a formula
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
    if isinstance(trigger, AfterTrigger):
        text = f"after {trigger.after} {trigger.state}"
        if trigger.delay_seconds:
            text += " " + (trigger.delay if trigger.delay[0] in "+-" else f"+{trigger.delay}")
        return text
    if isinstance(trigger, PlayerTrigger):  # what players do: its fields, as JSON
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
    header = ["Inject", "Cue", "Role", "Offset", "Where", "Knows", "Emotion", "Reveals", "Props"]
    rows = [header]
    for inject in msel_order(scenario):
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
            text = _texts(lang, scenario.original_language)
            rows.append(
                [
                    inject.id,
                    cue_id,
                    cue.role,
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


def export_msel(scenario: Scenario, lang: str | None = None) -> str:
    """The scenario's MSEL as CSV text in ``lang`` (default: the original language)."""
    lang = _language(scenario, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in inject_rows(scenario, lang):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def export_xlsx(scenario: Scenario, lang: str | None = None) -> bytes:
    """The scenario's MSEL as an Excel workbook: sheets Injects, Cues and Cases."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    lang = _language(scenario, lang)
    book = openpyxl.Workbook()
    sheets: list[tuple[str, Sequence[Sequence[str]]]] = [
        ("Injects", inject_rows(scenario, lang)),
        ("Cues", cue_rows(scenario, lang)),
        ("Cases", case_rows(scenario, lang)),
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
