"""The public entry points: text, one file, or many files and folders → ParseResults."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from esfgraph.parse.decode import (
    Decoded,
    DecodeError,
    NotARegularFile,
    clean_text,
    decode_bytes,
    read_file,
)
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
    except Exception as exc:  # noqa: BLE001 - one page must never stop a run over many
        return ParseResult(source, None, issues + [Issue(source, "error", _crash(exc))])
    return ParseResult(source, record, issues + found)


def _crash(exc: Exception) -> str:
    """The message for a page that made the parser fail (a bug: the page is named to report)."""
    return (f"the parser failed on this page ({type(exc).__name__}: {exc}); the page was "
            "skipped, please report it with the file")


def parse_decoded(decoded: Decoded, source: str) -> ParseResult:
    """Parse text a reader already decoded and cleaned (its notes become warnings)."""
    return _parse_clean(decoded.text, decoded.notes, source)


def parse_text(text: str, source: str = "<text>") -> ParseResult:
    """Parse the text of one page; problems come back as issues, never as exceptions."""
    try:
        decoded = clean_text(text)
    except DecodeError as exc:
        return _rejected(source, str(exc))
    except Exception as exc:  # noqa: BLE001 - see _parse_clean
        return _rejected(source, _crash(exc))
    return _parse_clean(decoded.text, decoded.notes, source)


def read_or_rejected(source: str, walker: str = "parse_paths") -> bytes | ParseResult:
    """The bytes of one page file, or the rejected result that says why it cannot be read.

    Only regular files are opened, and no more than the parser accepts; `walker` names the
    function to give a folder to.
    """
    try:
        return read_file(source)
    except NotARegularFile as exc:
        return _rejected(source, f"{exc.strerror}; skipped")
    except IsADirectoryError:
        return _rejected(source, f"is a directory, not a file (pass it to {walker})")
    except FileNotFoundError:
        return _rejected(source, "file not found")
    except OSError as exc:
        return _rejected(source, f"cannot be read: {exc.strerror or exc}")


def parse_file(path: str | os.PathLike[str]) -> ParseResult:
    """Read, decode and parse one file (any encoding the decoder knows; rejects non-pages)."""
    source = os.fspath(path)
    data = read_or_rejected(source)
    return data if isinstance(data, ParseResult) else parse_bytes(data, source)


def parse_bytes(data: bytes, source: str = "<bytes>") -> ParseResult:
    """Decode and parse a page's bytes (for callers that already read the file, e.g. to hash it)."""
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return _rejected(source, str(exc))
    except Exception as exc:  # noqa: BLE001 - see _parse_clean
        return _rejected(source, _crash(exc))
    return _parse_clean(decoded.text, decoded.notes, source)


#: Called with a folder that cannot be listed and the error (see `iter_source_strings`).
ListingError = Callable[[str, OSError], None]


def _raise(folder: str, exc: OSError) -> None:
    raise exc


#: Files a harvest folder holds beside its pages (see esfgraph.sources.pages): not sources.
HARVEST_FILES = frozenset({"harvest.json", "journal.jsonl"})
SIDECAR_SUFFIX = ".meta.json"


def is_harvest_bookkeeping(name: str) -> bool:
    """True for a harvest folder's own files (a page's sidecar, the journal, harvest.json)."""
    return name.endswith(SIDECAR_SUFFIX) or name in HARVEST_FILES


def iter_sources(paths: Iterable[str | os.PathLike[str]],
                 on_error: ListingError | None = None) -> Iterator[Path]:
    """Files named and every file under the folders named (sorted, hidden names skipped).

    Under a folder, a harvest's bookkeeping (`*.meta.json` sidecars, `journal.jsonl`,
    `harvest.json`) is skipped quietly: the sidecars are read with their pages.
    """
    for source in iter_source_strings(paths, on_error):
        yield Path(source)


def iter_source_strings(paths: Iterable[str | os.PathLike[str]],
                        on_error: ListingError | None = None) -> Iterator[str]:
    """`iter_sources` as plain strings, in the same order (cheap for a million files).

    A folder (named, or found under one) that cannot be listed is never skipped in silence:
    `on_error(folder, error)` is called, or the OSError raised when no `on_error` is given.
    Callers that keep a store decide what its records become (the build keeps them).
    FIFOs, sockets and devices are listed like files; `read_file` refuses to open them.
    """
    report = on_error or _raise

    def failed(exc: OSError) -> None:
        report(os.fspath(exc.filename) if exc.filename is not None else "?", exc)

    for p in paths:
        path = os.fspath(p)
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path, onerror=failed):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in files
                             if not f.startswith(".") and not is_harvest_bookkeeping(f))
            # the order of sorted Paths (part by part), without making a Path per file
            yield from sorted(found, key=lambda s: os.path.normpath(s).split(os.sep))
        else:
            yield path


def resolve_source(path: str | os.PathLike[str]) -> str:
    """The absolute, symlink-free path of a source, or OSError saying why it has none.

    `Path.resolve` raises RuntimeError on a symlink loop (`a -> b -> a`, a link to itself)
    before Python 3.13; here every such failure is an OSError naming the file, so a caller can
    report the source and go on with the others instead of stopping a whole build.
    """
    try:
        return str(Path(path).resolve())
    except RuntimeError as exc:  # Python < 3.13: "Symlink loop from ..."
        raise OSError(errno.ELOOP, "symbolic link loop (it never reaches a file)",
                      os.fspath(path)) from exc


def unresolvable_message(exc: OSError) -> str:
    """Why a source was skipped because its path cannot be resolved, for reports."""
    return f"cannot be read: {exc.strerror or exc}; skipped"


def unlistable_message(exc: OSError) -> str:
    """Why a folder's pages were not read, for messages."""
    return f"cannot list the folder ({exc.strerror or exc})"


def parse_paths(paths: Iterable[str | os.PathLike[str]],
                reader: Callable[[str], ParseResult] | None = None) -> Iterator[ParseResult]:
    """Parse every source of `iter_sources(paths)`, one result per file, in order.

    A folder that cannot be listed gives a rejected result of its own (an error naming it).
    `reader` reads one file (default `parse_file`; esfgraph.sources passes its own).
    """
    read = reader or parse_file
    unlisted: list[tuple[str, OSError]] = []
    for path in iter_source_strings(paths, lambda folder, exc: unlisted.append((folder, exc))):
        while unlisted:
            folder, exc = unlisted.pop(0)
            yield _rejected(folder, f"{unlistable_message(exc)}; the pages in it were not read")
        yield read(path)
    for folder, exc in unlisted:
        yield _rejected(folder, f"{unlistable_message(exc)}; the pages in it were not read")
