"""Tables to CSV and XLSX, every cell neutralised. Design: docs/review.md.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (a title like ``=HYPERLINK(...)``) is
written so a spreadsheet shows it and never evaluates it: the one neutraliser of the MSEL
export (``controlroom.scenario.msel_write.neutralise``), and XLSX cells typed as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from controlroom.scenario.msel_write import neutralise

Rows = Sequence[Sequence[str]]


def csv_text(rows: Rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def xlsx_bytes(sheets: Sequence[tuple[str, Rows]]) -> bytes:
    """A workbook of one sheet per ``(title, rows)``; the first row of each is its header."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    for number, (title, rows) in enumerate(sheets):
        sheet = book.active if number == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title[:31]
        for row in rows:
            sheet.append([neutralise(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
