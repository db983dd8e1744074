"""`esfgraph.read`: saved pages (a file, a folder, or the text itself) → `Record`s.

The same work and the same messages as `esfgraph parse`: warnings become Python warnings
(`ParseWarning`, a `UserWarning`), a rejected page becomes a `ParseError`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Union

from esfgraph.errors import ParseError, ParseWarning, RejectedFileWarning

if TYPE_CHECKING:  # the parser loads on the first read, not on `import esfgraph`
    from esfgraph.parse.result import ParseResult
    from esfgraph.record import Record

#: What `read` accepts: a path (file or folder), the text of a page, or its bytes.
Source = Union[str, "os.PathLike[str]", bytes]


def read_each(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ParseResult]:
    """Parse every file named and every file under the folders named, one result per file.

    The streaming form behind `read` and `esfgraph parse`: pages (saved text, HTML, a harvest
    folder's) give one result each, a list file (the ESF Council's list or Kohesio's, CSV or
    XLSX) one result per row, with `record.provenance` naming the file and row. It never
    raises for a bad page
    (a rejected file is a result with `record=None` and an error issue naming the reason),
    so a million pages need not sit in memory and one bad page never hides the others.
    A folder that cannot be listed gives a rejected result of its own.

    Example:
        >>> for result in esfgraph.read_each(["seeds/"]):
        ...     print(result.source, result.ok, [str(i) for i in result.issues])
    """
    from esfgraph.sources.records import parse_results

    yield from parse_results(paths)  # pages, and list files (CSV/XLSX) row by row


def _looks_like_text(source: str) -> bool:
    """A page's text has line breaks and is long; a path has neither."""
    return "\n" in source or len(source) > 4096


def _warn(result: ParseResult, stacklevel: int) -> None:
    for issue in result.warnings:
        warnings.warn(ParseWarning(str(issue)), stacklevel=stacklevel)


def _raise(result: ParseResult) -> None:
    reasons = "; ".join(i.message for i in result.errors) or "rejected"
    raise ParseError(result.source, reasons)


def read(source: Source, *, errors: Literal["raise", "warn"] = "raise"
         ) -> Record | list[Record]:
    """Read Projektbanken pages into typed records (the Python side of `esfgraph parse`).

    Args:
        source: a file path (saved text, HTML as fetched or saved from a browser, `.html.gz`
            of a harvest folder with its metadata) → one `Record`; a folder (a harvest folder
            too) → a list of `Record`s (every page under it, sorted, hidden names and harvest
            bookkeeping skipped); the text or HTML of one page (a `str`) or its bytes → one
            `Record`.
        errors: for a folder, ``"raise"`` (default) raises `ParseError` when any file was
            rejected; ``"warn"`` issues a `RejectedFileWarning` per rejected file and returns
            the records of the others. A single page always raises.

    Returns:
        A `Record`, or a list of them for a folder.

    Raises:
        ParseError: the page (or, with ``errors="raise"``, any page of the folder) is not a
            Projektbanken page or cannot be read; the message names the file and the reason.

    Warnings:
        ParseWarning: something in a page deserves a look (the file and line are named), the
            same lines `esfgraph parse` prints on stderr. Silence them with
            ``warnings.simplefilter("ignore", esfgraph.ParseWarning)``.

    Example:
        >>> record = esfgraph.read("seeds/003_58e54e8db85e930c.txt")
        >>> record.project_number, record.esf_grant_sek
        ('2018/00460', 11159401)
    """
    from esfgraph.parse import parse_text
    from esfgraph.parse.decode import looks_like_html
    from esfgraph.sources.pages import read_page

    if errors not in ("raise", "warn"):
        raise ValueError(f"errors must be 'raise' or 'warn', got {errors!r}")
    if isinstance(source, bytes):
        return _one(read_page("<bytes>", source))
    if isinstance(source, str) and (_looks_like_text(source) or looks_like_html(source)):
        if looks_like_html(source):
            return _one(read_page("<html>", source.encode("utf-8")))
        return _one(parse_text(source))
    path = Path(os.fspath(source))
    if not path.exists():
        raise ParseError(str(path), "no such file or folder (give a path, a folder, or the "
                                    "text of a page)")
    if not path.is_dir():
        return _one(next(iter(read_each([path]))))
    records: list[Record] = []
    rejected: list[ParseResult] = []
    for result in read_each([path]):
        _warn(result, stacklevel=3)
        if result.record is None:
            rejected.append(result)
            if errors == "warn":
                reasons = "; ".join(i.message for i in result.errors) or "rejected"
                warnings.warn(RejectedFileWarning(f"{result.source}: {reasons}"), stacklevel=2)
        else:
            records.append(result.record)
    if rejected and errors == "raise":
        listed = "; ".join(f"{r.source}: " + ("; ".join(i.message for i in r.errors) or
                                              "rejected") for r in rejected[:5])
        more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
        raise ParseError(str(path), f"{len(rejected)} of {len(records) + len(rejected)} "
                         f"file(s) rejected: {listed}{more}; pass errors='warn' to keep the "
                         "records of the others")
    return records


def _one(result: ParseResult) -> Record:
    _warn(result, stacklevel=4)
    if result.record is None:
        _raise(result)
    assert result.record is not None
    return result.record


__all__ = ["Source", "read", "read_each"]
