"""Every record in a set of files and folders, whichever reader a file needs.

Saved pages go through `esfgraph.parse`; list files (CSV/XLSX of the ESF Council's list or of
Kohesio's operations) through `esfgraph.sources.lists`, one record per row. Callers that need
records but not a store (`esfgraph link-report`) use this, so they see what a build sees.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from esfgraph.record import Record


@dataclass
class SourceRecords:
    """The records of one file, and what was refused (file or row) with the reason."""

    source: str
    records: list[Record] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[SourceRecords]:
    """Read each file under `paths` (folders walked as `esfgraph build` walks them)."""
    from esfgraph.parse import parse_file
    from esfgraph.parse.api import iter_source_strings, unlistable_message
    from esfgraph.sources.lists import ListError, is_list_file, read_list_file

    unlisted: list[tuple[str, str]] = []
    for path in iter_source_strings(list(paths), lambda folder, exc: unlisted.append(
            (folder, unlistable_message(exc)))):
        while unlisted:
            folder, why = unlisted.pop(0)
            yield SourceRecords(folder, refused=[why])
        head = b""
        try:
            with open(path, "rb") as fh:
                head = fh.read(8)
        except OSError:
            pass
        if is_list_file(path, head):
            try:
                read = read_list_file(path)
            except ListError as exc:
                yield SourceRecords(path, refused=[str(exc)])
                continue
            out = SourceRecords(path, warnings=list(read.warnings))
            for row in read.rows:
                out.warnings += row.warnings
                if row.record is not None:
                    out.records.append(row.record)
                else:
                    out.refused.append(row.rejected or f"row {row.row}")
            yield out
            continue
        result = parse_file(path)
        if result.record is None:
            reasons = "; ".join(i.message for i in result.issues if i.severity == "error")
            yield SourceRecords(path, refused=[reasons or "rejected"])
        else:
            yield SourceRecords(path, [result.record],
                                warnings=[i.message for i in result.warnings])
    for folder, why in unlisted:
        yield SourceRecords(folder, refused=[why])


__all__ = ["SourceRecords", "read_sources"]
