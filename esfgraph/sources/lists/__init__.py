"""The official project lists as sources: the ESF Council's list and Kohesio's operations.

A list file (CSV or XLSX) gives one record per row, each saying where it came from
(`Record.provenance`: kind `esf-list` or `kohesio`, the file, the row). Which list a file is
comes from its header row, never from its name; a table whose headers are neither is refused
with the headers it has. A missing column is reported once per file, a bad cell as a warning
naming the file, row and column (the rest of the row is kept), and a case number repeated in
one list keeps one row by a fixed rule (`_settle_repeats`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from esfgraph.sources.lists.columns import (
    ESF_LIST,
    KOHESIO,
    columns_of,
    detect,
    match_columns,
)
from esfgraph.sources.lists.rows import RowResult, read_row
from esfgraph.sources.lists.table import ZIP_MAGIC, TableError, read_table

#: File name endings read as tables (a file with other endings is read as a list only when
#: it is a ZIP container, i.e. an XLSX saved without its ending).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt.csv", ".xlsx", ".xlsm")
#: Rows looked at for the header when the first row is not one (a caption above it).
HEADER_SEARCH_ROWS = 5
KINDS = {ESF_LIST: "the ESF Council's project list", KOHESIO: "Kohesio's list of operations"}


class ListError(ValueError):
    """A file that is not one of the two lists (the reason names the file and its headers)."""


@dataclass
class ListRead:
    """What one list file gave: its kind, each row's outcome, and file-level warnings."""

    source: str
    kind: str
    fmt: str
    rows: list[RowResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> list:
        """The rows' records (rejected rows left out)."""
        return [r.record for r in self.rows if r.record is not None]


def is_list_file(path: str | os.PathLike[str], head: bytes = b"") -> bool:
    """True for a file read as a table: a CSV/TSV/XLSX ending, or an XLSX without one."""
    name = os.fspath(path).lower()
    return name.endswith(TABLE_SUFFIXES) or head.startswith(ZIP_MAGIC)


def read_list_file(path: str | os.PathLike[str]) -> ListRead:
    """Read a list file from disk (see `read_list`)."""
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ListError(f"{source}: cannot be read ({exc.strerror or exc})") from exc
    return read_list(data, source)


def read_list(data: bytes, source: str) -> ListRead:
    """Read the bytes of a list file; raises ListError when it is neither list.

    Returns every data row's outcome in file order (a repeated case number's other rows are
    rejected, naming the row kept).
    """
    label = Path(source).name
    try:
        table = read_table(data)
    except TableError as exc:
        raise ListError(f"{source}: {exc}") from exc
    kind = detect(table.header)
    # a title row or two above the header (a spreadsheet export's caption) is skipped
    for i in range(min(HEADER_SEARCH_ROWS, len(table.rows))):
        if kind is not None:
            break
        candidate = [c.strip() for c in table.rows[i][1]]
        kind = detect(candidate)
        if kind is not None:
            table.header, table.rows = candidate, table.rows[i + 1:]
    if kind is None:
        shown = ", ".join(repr(h) for h in table.header[:8] if h) or "none"
        more = f" and {len(table.header) - 8} more" if len(table.header) > 8 else ""
        raise ListError(
            f"{source}: a {table.fmt} table that is neither the ESF Council's project list nor "
            f"Kohesio's list of operations (headers: {shown}{more}); expected e.g. "
            "'Diarienummer / Operation ID' and 'Namn på insatsen / Operation Name', or "
            "'Operation_Local_Identifier' and 'Operation_Name_Programme_Language'")
    columns = match_columns(table.header, kind)
    out = ListRead(source, kind, table.fmt)
    found = set(columns.values())
    for col in columns_of(kind):
        if col.expected and col.key not in found:
            out.warnings.append(f"{label}: column {col.shown!r} is missing (reported once; "
                                "no row has this value)")
    for number, cells_ in table.rows:
        out.rows.append(read_row(kind, cells_, table.header, columns, source, number, label))
    _settle_repeats(out, label)
    return out


def _settle_repeats(read: ListRead, label: str) -> None:
    """Keep one row per case number: the more complete, then the first in the file.

    A list that names a project twice is reported; the row with more fields filled (see
    `Record.completeness`) is kept, and of equally complete rows the first, so the outcome
    depends only on the file. The other rows are rejected, naming the row kept.
    """
    best: dict[str, RowResult] = {}
    for result in read.rows:
        record = result.record
        if record is None or not record.case_number:
            continue
        kept = best.get(record.case_number)
        if kept is None:
            best[record.case_number] = result
            continue
        assert kept.record is not None
        if record.completeness() > kept.record.completeness():
            best[record.case_number] = result
    for result in read.rows:
        record = result.record
        if record is None or not record.case_number:
            continue
        kept = best[record.case_number]
        if kept is result:
            continue
        why = ("more complete" if kept.record.completeness() > record.completeness()
               else "equally complete, first in the file")
        result.rejected = (f"{label} row {result.row}: case number {record.case_number} is "
                           f"repeated in this list; kept row {kept.row} ({why})")
        result.record = None


__all__ = [
    "KINDS",
    "TABLE_SUFFIXES",
    "ListError",
    "ListRead",
    "RowResult",
    "is_list_file",
    "read_list",
    "read_list_file",
]
