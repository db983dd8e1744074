"""Every record in a set of files and folders, whichever reader a file needs.

Pages (saved text, HTML, a harvest folder's) go through `esfgraph.sources.pages`; list files (CSV/XLSX of the ESF Council's list or of
Kohesio's operations) through `esfgraph.sources.lists`, one record per row. Callers that need
records but not a store (`esfgraph link-report`) use this, so they see what a build sees.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from esfgraph.record import Record

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.parse.result import ParseResult


@dataclass
class SourceRecords:
    """The records of one file, and what was refused (file or row) with the reason."""

    source: str
    records: list[Record] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _head(path: str) -> bytes:
    """The first bytes of a regular file (b"" for a FIFO, socket or device: never opened)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            return fh.read(8)
    except OSError:
        return b""


def read_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[SourceRecords]:
    """Read each file under `paths` (folders walked as `esfgraph build` walks them)."""
    from esfgraph.parse.api import iter_source_strings, unlistable_message
    from esfgraph.sources.lists import ListError, is_list_file, read_list_file
    from esfgraph.sources.pages import (
        read_file as parse_file,  # text, HTML, harvest pages
    )

    unlisted: list[tuple[str, str]] = []
    for path in iter_source_strings(list(paths), lambda folder, exc: unlisted.append(
            (folder, unlistable_message(exc)))):
        while unlisted:
            folder, why = unlisted.pop(0)
            yield SourceRecords(folder, refused=[why])
        head = _head(path)
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




def parse_results(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ParseResult]:
    """`esfgraph.sources.pages.read_paths`, with one ParseResult per row of a list file.

    A page gives its usual result; a list file gives a result per data row (a refused row
    carries its reason as an error), its file-level warnings on the first, and a file that is
    neither list one rejected result.
    """
    from esfgraph.parse.api import iter_source_strings, unlistable_message
    from esfgraph.parse.result import Issue, ParseResult
    from esfgraph.sources.lists import ListError, is_list_file, read_list_file
    from esfgraph.sources.pages import (
        read_file as parse_file,  # text, HTML, harvest pages
    )

    unlisted: list[tuple[str, OSError]] = []
    for path in iter_source_strings(list(paths), lambda folder, exc: unlisted.append(
            (folder, exc))):
        while unlisted:
            folder, exc = unlisted.pop(0)
            yield ParseResult(folder, None, [Issue(folder, "error", unlistable_message(exc)
                                                  + "; the pages in it were not read")])
        head = _head(path)
        if not is_list_file(path, head):
            yield parse_file(path)
            continue
        try:
            read = read_list_file(path)
        except ListError as exc:
            yield ParseResult(path, None, [Issue(path, "error", str(exc).removeprefix(
                f"{path}: "))])
            continue
        file_warnings = [Issue(path, "warning", w) for w in read.warnings]
        for row in read.rows:
            issues = file_warnings + [Issue(path, "warning", w) for w in row.warnings]
            file_warnings = []
            if row.record is None:
                issues.append(Issue(path, "error", row.rejected or f"row {row.row}"))
            yield ParseResult(path, row.record, issues)
    while unlisted:
        folder, exc = unlisted.pop(0)
        yield ParseResult(folder, None, [Issue(folder, "error", unlistable_message(exc)
                                              + "; the pages in it were not read")])


__all__ = ["SourceRecords", "parse_results", "read_sources"]
