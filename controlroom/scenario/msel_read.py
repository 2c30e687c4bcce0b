"""An MSEL sheet's bytes to rows of text: CSV in whatever encoding Excel wrote, or XLSX.

Design: docs/scenario.md. Nothing here trusts the file's name or claimed type: the content
decides. A ZIP with an Excel workbook inside is read as XLSX (openpyxl, read-only, values
not formulas); anything else must decode as text: UTF-8 with or without a BOM, UTF-16 with
a BOM (Excel's "Unicode text") or without one, else cp1251 (older Russian Excel). A file
over the size limit, a ZIP that is not a workbook, or bytes that are no text give a
``SheetError`` with a sentence to show, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

MAX_SHEET_BYTES = 5_000_000
MAX_ROWS = 5_000
MAX_COLUMNS = 100
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


class SheetError(ValueError):
    """The file cannot be read as a sheet at all (the message says why)."""


@dataclass(frozen=True)
class Table:
    """A sheet as text: its headers and its non-blank rows, each with its line (or row)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    kind: str = "csv"  # csv | xlsx
    encoding: str = ""  # how a CSV was decoded


def read_sheet(data: bytes, name: str = "msel", *, max_bytes: int = MAX_SHEET_BYTES) -> Table:
    """``data`` as a table, whatever the file says it is."""
    if len(data) > max_bytes:
        raise SheetError(f"{name}: the file is larger than {max_bytes // 1_000_000} MB")
    if not data.strip():
        raise SheetError(f"{name}: the file is empty")
    if data.startswith(_ZIP_MAGIC):
        return read_xlsx(data, name)
    text, encoding = decode(data, name)
    return read_csv(text, name, encoding)


def decode(data: bytes, name: str = "msel") -> tuple[str, str]:
    """The text of a CSV and the encoding it was in."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _text(data, encoding, name), encoding
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without its BOM
        even_zeros = sample[0::2].count(0)
        encoding = "utf-16-be" if even_zeros > sample[1::2].count(0) else "utf-16-le"
        return _text(data, encoding, name), encoding
    try:
        return _text(data, "utf-8", name), "utf-8"
    except SheetError:
        return _text(data, "cp1251", name), "cp1251"


def _text(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise SheetError(f"{name}: not text in {encoding}") from None
    if any(char in _CONTROL for char in text[:20000]):
        raise SheetError(f"{name}: this is neither a CSV nor an XLSX file")
    return text


def read_csv(text: str, name: str = "msel.csv", encoding: str = "utf-8") -> Table:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=first.count))
    try:
        headers = [cell.strip() for cell in next(reader, [])]
        rows: list[tuple[int, list[str]]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
                if len(rows) > MAX_ROWS:
                    raise SheetError(f"{name}: more than {MAX_ROWS} rows")
            line = reader.line_num + 1
    except csv.Error as error:
        raise SheetError(f"{name}:{reader.line_num}: {error}") from None
    if len(headers) > MAX_COLUMNS:
        raise SheetError(f"{name}: more than {MAX_COLUMNS} columns")
    return Table(name, headers, rows, "csv", encoding)


def read_xlsx(data: bytes, name: str = "msel.xlsx", sheet: str | None = None) -> Table:
    """The workbook's sheet named ``sheet`` (or "Injects", or the first) as text."""
    import openpyxl  # only when a workbook comes: it is a large import

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise SheetError(f"{name}: a ZIP file, but not an Excel workbook")
            if sum(info.file_size for info in archive.infolist()) > 20 * MAX_SHEET_BYTES:
                raise SheetError(f"{name}: the workbook unpacks to too much data")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise SheetError(f"{name}: not a readable Excel workbook ({error})") from None
    try:
        titles = book.sheetnames
        wanted = sheet or next((t for t in titles if t.casefold() == "injects"), titles[0])
        if wanted not in titles:
            raise SheetError(f"{name}: no sheet {wanted!r} (sheets: {', '.join(titles)})")
        rows_in = book[wanted].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        headers = [_cell(value).strip() for value in next(rows_in, ())]
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(rows_in, start=2):
            cells = [_cell(value) for value in values]
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise SheetError(f"{name}: more than {MAX_ROWS} rows")
    finally:
        book.close()
    while headers and not headers[-1]:
        headers.pop()
    return Table(f"{name}[{wanted}]", headers, rows, "xlsx")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n")
