"""The public entry points: text, one file, or many files and folders → ParseResults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from esfgraph.parse.decode import DecodeError, clean_text, decode_bytes, read_file
from esfgraph.parse.layouts import NotAPage, parse_page
from esfgraph.parse.result import Issue, ParseResult


def _rejected(source: str, reason: str) -> ParseResult:
    """A result for a file that could not be parsed at all."""
    return ParseResult(source, None, [Issue(source, "error", reason)])


def _parse_clean(decoded_text: str, notes: list[tuple[str, int | None]], source: str) -> ParseResult:
    """Parse text that already went through decoding and cleaning."""
    issues = [Issue(source, "warning", msg, line) for msg, line in notes]
    try:
        record, found = parse_page(decoded_text, source)
    except NotAPage as exc:
        return ParseResult(source, None, issues + [Issue(source, "error", str(exc))])
    return ParseResult(source, record, issues + found)


def parse_text(text: str, source: str = "<text>") -> ParseResult:
    """Parse the text of one page; problems come back as issues, never as exceptions."""
    try:
        decoded = clean_text(text)
    except DecodeError as exc:
        return _rejected(source, str(exc))
    return _parse_clean(decoded.text, decoded.notes, source)


def parse_file(path: str | os.PathLike[str]) -> ParseResult:
    """Read, decode and parse one file (any encoding the decoder knows; rejects non-pages)."""
    source = os.fspath(path)
    try:
        data = read_file(source)
    except IsADirectoryError:
        return _rejected(source, "is a directory, not a file (pass it to parse_paths)")
    except FileNotFoundError:
        return _rejected(source, "file not found")
    except OSError as exc:
        return _rejected(source, f"cannot be read: {exc.strerror or exc}")
    return parse_bytes(data, source)


def parse_bytes(data: bytes, source: str = "<bytes>") -> ParseResult:
    """Decode and parse a page's bytes (for callers that already read the file, e.g. to hash it)."""
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return _rejected(source, str(exc))
    return _parse_clean(decoded.text, decoded.notes, source)


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named and every file under the folders named (sorted, hidden names skipped)."""
    for source in iter_source_strings(paths):
        yield Path(source)


def iter_source_strings(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """`iter_sources` as plain strings, in the same order (cheap for a million files)."""
    for p in paths:
        path = os.fspath(p)
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
            # the order of sorted Paths (part by part), without making a Path per file
            yield from sorted(found, key=lambda s: os.path.normpath(s).split(os.sep))
        else:
            yield path


def parse_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ParseResult]:
    """Parse every source of `iter_sources(paths)`, one result per file, in order."""
    for path in iter_sources(paths):
        yield parse_file(path)
