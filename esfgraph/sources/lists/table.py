"""A list file's bytes → header row and data rows of text cells (CSV or XLSX).

Why its own module: the two official lists come as CSV (delimiter and encoding not known, so
both are detected) or as XLSX (read with python-calamine: a Rust reader, several times faster
than openpyxl on a 10,000-row sheet, and it reads only values, never formulas or macros).
Cells come back as text; typed XLSX cells (numbers, dates) are turned into the text a person
would type, so one set of cell parsers serves both formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

#: The first bytes of a ZIP container (every XLSX file).
ZIP_MAGIC = b"PK\x03\x04"
#: A list of 10,000 projects is a few megabytes; anything this big is refused.
MAX_BYTES = 200 * 1024 * 1024
_DELIMITERS = (",", ";", "\t")


class TableError(ValueError):
    """The file is not a readable CSV or XLSX table (reason in the message)."""


@dataclass
class Table:
    """Header cells, then each data row with its row number as a spreadsheet shows it."""

    fmt: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes) -> Table:
    """Read a CSV or XLSX file's bytes; raises TableError with the reason when neither."""
    if len(data) > MAX_BYTES:
        raise TableError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    return _read_csv(data)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _delimiter(first_line: str) -> str:
    """The delimiter of a header line: the candidate that splits it most (outside quotes)."""
    best, count = ",", 0
    for cand in _DELIMITERS:
        n = len(next(csv.reader([first_line], delimiter=cand), []))
        if n > count:
            best, count = cand, n
    return best


def _read_csv(data: bytes) -> Table:
    notes: list[str] = []
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if data[:4096].count(0) * 100 > len(data[:4096]):
            raise TableError("binary file: neither CSV nor XLSX")
        data = data.replace(b"\x00", b"")  # a stray NUL in a text file: dropped, said so
        notes.append("NUL characters were dropped")
    text, encoding = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    delim = _delimiter(first)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise TableError(f"not a readable CSV file ({exc})") from exc
    if not rows:
        raise TableError("file is empty")
    header = [h.strip() for h in rows[0]]
    body = [(n, row) for n, row in enumerate(rows[1:], 2) if any(c.strip() for c in row)]
    name = {"\t": "tab", ",": "comma", ";": "semicolon"}[delim]
    return Table("CSV", header, body, [f"CSV, {encoding}, {name}-separated", *notes])


def _cell_text(value: object) -> str:
    """A typed XLSX cell as the text a person would type in a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> Table:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise TableError("reading XLSX needs python-calamine (pip install python-calamine)"
                         ) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if not names:
            raise TableError("the workbook has no sheets")
        sheet = book.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    except TableError:
        raise
    except Exception as exc:
        raise TableError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    # the header is the first row with any text (a title row above it is skipped)
    start = next((i for i, row in enumerate(sheet) if any(_cell_text(c).strip() for c in row)),
                 None)
    if start is None:
        raise TableError("the first sheet is empty")
    header = [_cell_text(c).strip() for c in sheet[start]]
    body = []
    for i, row in enumerate(sheet[start + 1:], start + 2):
        cells = [_cell_text(c) for c in row]
        if any(c.strip() for c in cells):
            body.append((i, cells))
    notes = [f"XLSX, sheet {names[0]!r}"]
    if len(names) > 1:
        notes.append(f"only the first sheet ({names[0]!r}) is read; also in the file: "
                     + ", ".join(repr(n) for n in names[1:]))
    return Table("XLSX", header, body, notes)


__all__ = ["ZIP_MAGIC", "Table", "TableError", "read_table"]
