"""The build's side of list files: one file, many records (one per row), each in its own graph.

`esfgraph.pipeline` hands a list file here from its worker (`process_list`) and gets back one
result per row, each with its own store key `{file}#{record key}`; everything after that (the
spool, duplicates, the manifest) is the pipeline's usual path for a record. A list file is
unchanged when its size and mtime (or SHA-256) match those stored with its rows; a changed list
file has all its old rows taken out when its first new result arrives (so a row deleted from the
list leaves the store too, and a list that cannot be read keeps its rows). A list file is read
whole, past the 8 MB cap the page reader puts on a file.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from esfgraph.store import SourceEntry, encode_record

#: What joins a list file's key and a row's record key in the manifest.
ROW_SEPARATOR = "#"


def is_list_path(path: str, data: bytes) -> bool:
    """True when the pipeline reads this file as a list (see esfgraph.sources.lists)."""
    from esfgraph.sources.lists import is_list_file

    return is_list_file(path, data[:8])


#: Bytes of a list file that weigh as much as one page when choosing between a pool and one
#: process (a row of the ESF list is about 800 bytes, a page about 4 kB).
LIST_BYTES_PER_PAGE = 2048


def split_lists(paths: list[str]) -> tuple[list[str], list[str], int]:
    """(list files, other files, weight): the weight counts a list file by its size."""
    from esfgraph.sources.lists import is_list_file

    lists = [p for p in paths if is_list_file(p)]
    pages = [p for p in paths if not is_list_file(p)] if lists else paths
    weight = len(pages)
    for p in lists:
        try:
            weight += max(1, os.stat(p).st_size // LIST_BYTES_PER_PAGE)
        except OSError:
            weight += 1
    return lists, pages, weight


def row_key(file_key: str, record_key: str) -> str:
    """The manifest key of one row's record."""
    return f"{file_key}{ROW_SEPARATOR}{record_key}"


def file_of(entry: SourceEntry) -> str | None:
    """The list file a stored entry came from, or None for a page's entry."""
    suffix = ROW_SEPARATOR + entry.slug
    if "/" in entry.slug and entry.source.endswith(suffix):
        return entry.source[: -len(suffix)]
    return None


def entries_by_file(entries: list[SourceEntry]) -> dict[str, list[SourceEntry]]:
    """Stored list rows grouped by their file's key."""
    out: dict[str, list[SourceEntry]] = {}
    for entry in entries:
        file_key = file_of(entry)
        if file_key is not None:
            out.setdefault(file_key, []).append(entry)
    return out


def process_list(path: str, data: bytes, sha: str, st: os.stat_result) -> list[Any]:
    """Read, map, (validate) and encode every row of a list file: one `_Result` per row.

    A file that is not one of the lists gives one rejected result with the reason; file-level
    warnings (a missing column) ride on the first result so they are reported once.
    """
    from esfgraph import pipeline as pl
    from esfgraph.map_lists import map_list_record, record_key
    from esfgraph.sources.lists import ListError, read_list

    def result(**kw: Any) -> Any:
        return pl._Result(path, sha, st.st_size, st.st_mtime_ns, None, None, [], **kw)

    from esfgraph.sources.lists.table import MAX_BYTES

    if len(data) < st.st_size:  # the page reader's cap cut it short: a list is read whole
        if st.st_size > MAX_BYTES:
            return [result(rejected=f"a list file larger than {MAX_BYTES // 2**20} MB is not "
                                    "read (split it)")]
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            return [result(rejected=f"cannot read the file ({exc.strerror or exc}); its stored "
                                    "rows, if any, are kept", unreadable=True)]
        sha = hashlib.sha256(data).hexdigest()
    try:
        read = read_list(data, path)
    except ListError as exc:
        return [result(rejected=str(exc).removeprefix(f"{path}: "))]
    out: list[Any] = []
    for row in read.rows:
        res = result()
        res.warnings = list(row.warnings)
        if row.record is None:
            res.rejected = row.rejected or f"row {row.row}: not read"
            res.part = f"row-{row.row}"
            out.append(res)
            continue
        record = row.record
        res.part = record_key(record)
        res.completeness = record.completeness()
        try:
            mapped = map_list_record(record, pl._W["config"], pl._W["gazetteer"], sha256=sha,
                                     generated=pl._W.get("generated"))
            if pl._W["validate"]:
                messages = pl._validation_messages(mapped)
                if messages:
                    if pl._W["strict"]:
                        res.rejected = f"row {row.row}: SHACL violations: " + \
                            "; ".join(messages[:5])
                        out.append(res)
                        continue
                    res.warnings.extend(f"row {row.row}: SHACL: {m}" for m in messages)
            encoded = encode_record(mapped, pl._W["config"].base_iri,
                                    personal_data=pl._W["personal_data"])
        except Exception as exc:  # noqa: BLE001 - one row never stops a file
            res.rejected = (f"row {row.row}: could not be mapped ({type(exc).__name__}: "
                            f"{exc})")
            out.append(res)
            continue
        if not pl._hand_over(res, encoded):
            return [res]  # fatal: the spool cannot be written
        out.append(res)
    if not out:
        out.append(result(rejected="the list has a header row but no data rows"))
    out[0].warnings[:0] = read.warnings
    return out


__all__ = ["LIST_BYTES_PER_PAGE", "ROW_SEPARATOR", "entries_by_file", "file_of", "is_list_path",
           "process_list", "row_key", "split_lists"]
