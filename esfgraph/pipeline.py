"""The build: parse → map (+ link) → validate → store, streaming and on several cores.

Workers parse and map chunks of files and hand back N-Quads text (cheap to pickle); the parent
bulk-loads it in batches, so memory stays flat in the number of records. The store is written
as a new version and swapped in at the end (see esfgraph.store), so a failed or killed build
leaves the previous store whole.

A build is incremental when a compatible store exists (same base IRI, personal-data setting
and esfgraph version): the store then ends up holding exactly the given sources, but only files
whose size, mtime or SHA-256 changed are parsed and mapped again; records whose files are gone
are dropped. `full=True` (`--full`) rebuilds from nothing.

This module is the data's way; its parts have rooms of their own: the spool that carries the
quads from workers to the store (esfgraph.pipeline_spool), the choice between two files of one
project (esfgraph.pipeline_duplicates), list files (esfgraph.pipeline_lists), the worker pool
(esfgraph.workpool) and the dataset description (esfgraph.dataset_description).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esfgraph import __version__, pipeline_spool
from esfgraph.config import Config
from esfgraph.dataset_description import write_dataset_graph
from esfgraph.errors import EsfGraphError, StoreError
from esfgraph.lifeline import Owner, die_with, owner
from esfgraph.mapping import build_time
from esfgraph.pipeline_duplicates import Kept, keep_duplicate
from esfgraph.pipeline_spool import Spool, Spooled, SpoolLoads
from esfgraph.store import (
    EncodedRecord,
    GraphNames,
    SourceEntry,
    Store,
    StoreWriter,
    current_version,
    encode_record,
    find_entry,
    open_writer,
    term_nt,
)
from esfgraph.workpool import WorkerDied, ordered_map

#: Below this many files the build runs in-process (a pool costs more than it saves).
POOL_THRESHOLD = 64
#: Files handed to a worker at a time.
CHUNK_SIZE = 16


@dataclass
class Progress:
    """What a progress callback receives after each record."""

    done: int
    total: int
    records_per_s: float
    eta_s: float | None


@dataclass
class BuildReport:
    """What a build did: records stored, files rejected with reasons, warnings, counts."""

    store_path: str
    build_id: str = ""
    incremental: bool = False
    records: int = 0
    mapped: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    #: files that could not be read and folders that could not be listed, with the reason;
    #: their stored records are kept (a permission problem is not a removed page)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: files left out because another file holds a more complete copy of the same project;
    #: also in `rejected` (with the reason, naming both files), but nothing is wrong or lost
    duplicates: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    triples: int = 0
    entities_by_class: dict[str, int] = field(default_factory=dict)
    validated: bool = False
    seconds: float = 0.0
    #: shared-entity lines of records taken out again (duplicates); removed at the end of the
    #: build unless a stored record has them too
    left_out_shared: set[str] = field(default_factory=set, repr=False)
    #: what the change log recorded for this build (esfgraph.changes.LogSummary)
    changes: Any = None

    @property
    def failed(self) -> list[tuple[str, str]]:
        """The rejected files that are a problem: all but the duplicates left out."""
        left_out = set(self.duplicates)
        return [(s, why) for s, why in self.rejected if s not in left_out]

    def summary(self) -> str:
        """Plain-text summary for the CLI."""
        mode = "incremental" if self.incremental else "full"
        lines = [
            (f"Store {self.store_path} (build {self.build_id}, {mode}): {self.records} records, "
             f"{self.triples} triples in {self.seconds:.1f} s."),
            f"  mapped {self.mapped}, unchanged {self.unchanged}, removed {len(self.removed)}, "
            f"rejected {len(self.failed)}, warnings {len(self.warnings)}"
            + (f", duplicates left out {len(self.duplicates)}" if self.duplicates else "")
            + ("" if self.validated else " (not validated)"),
        ]
        log = self.changes
        if log is not None and log.written:
            lines.append(f"  change log: build {log.number}: {log.changed} changed, {log.added} "
                         f"new, {log.removed} removed, {log.restored} back again "
                         "(see `esfgraph diff`, `esfgraph history`)")
        if self.entities_by_class:
            lines.append("  entities by class:")
            for cls, n in sorted(self.entities_by_class.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"    {n:>8}  {cls}")
        left_out = set(self.duplicates)
        for source, reason in self.rejected:
            lines.append(f"{'DUPLICATE' if source in left_out else 'REJECTED'} {source}: {reason}")
        for source, reason in self.unreadable:
            lines.append(f"UNREADABLE {source}: {reason}")
        for source, message in self.warnings[:50]:
            lines.append(f"warning {source}: {message}")
        if len(self.warnings) > 50:
            lines.append(f"... and {len(self.warnings) - 50} more warnings")
        return "\n".join(lines)


@dataclass
class _Result:
    """What a worker sends back for one file."""

    source: str
    sha256: str
    size: int
    mtime_ns: int
    encoded: EncodedRecord | None
    rejected: str | None
    warnings: list[str]
    #: set when the record's quads went to the worker's spool file instead of `encoded`
    spooled: Spooled | None = None
    #: a failure that must stop the build (the spool could not be written)
    fatal: str | None = None
    #: the record's explorer index row (esfgraph.explore.index.ProjectDoc), made here from
    #: the mapped triples: reading them back out of the store costs more than the build
    index_doc: Any = None
    #: `Record.completeness()`: of two files with the same project the more complete is kept
    completeness: tuple[int, int] = (0, 0)
    #: the file could not be read (`rejected` says why): its stored record is kept
    unreadable: bool = False
    #: a list file's row: the record's key within the file (esfgraph.pipeline_lists)
    part: str | None = None


# --------------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------------

_W: dict[str, Any] = {}


def _init_worker(config: Config, personal_data: bool, validate: bool, strict: bool,
                 generated: dt.datetime | None = None, spool_dir: str | None = None,
                 spool_bytes: int = pipeline_spool.SPOOL_BYTES,
                 build_process: Owner | None = None) -> None:
    """Per-process setup: config, gazetteer, the validation switch, build time and spool.

    The build time is read once in the parent and handed down: forkserver workers keep the
    environment of the moment the fork server started, so they may not see SOURCE_DATE_EPOCH,
    and one build should carry one time anyway. With `spool_dir` the worker writes each
    record's N-Quads to its own files there (see esfgraph.pipeline_spool). With
    `build_process` (a pool worker) the process ends when the build does, however it ends
    (see esfgraph.lifeline).
    """
    if build_process is not None:
        die_with(build_process)
    _W.update(config=config, personal_data=personal_data, validate=validate, strict=strict,
              gazetteer=None, generated=generated,
              spool=Spool(spool_dir, spool_bytes) if spool_dir else None)
    try:
        from esfgraph.link import default_gazetteer

        _W["gazetteer"] = default_gazetteer()
    except ImportError:
        _W["gazetteer"] = None


def _validation_messages(mapped: Any) -> list[str] | None:
    """SHACL call point: violations of one record, or None when esfgraph.validate is absent.

    One `RecordValidator` per process indexes the shared data (places, concepts) once; each
    record is then checked on its own quads.
    """
    validator = _W.get("validator")
    if validator is None:
        try:
            from esfgraph.validate import RecordValidator
        except ImportError:
            return None
        validator = _W["validator"] = RecordValidator.for_base(_W["config"].base_iri)
    report = validator.validate(mapped)
    out = []
    for result in report.results:
        if getattr(result, "severity_word", "violation") == "violation":
            where = f"{result.field}: " if getattr(result, "field", None) else ""
            out.append(f"{where}{result.message}")
    return out


def _process(path: str) -> _Result | list[_Result]:
    """Parse, map, (validate) and encode one file; whatever goes wrong stays with that file.

    A list file (esfgraph.sources.lists) gives one result per row.
    """
    from esfgraph.parse.decode import NotARegularFile, read_file

    try:
        # only regular files are opened (a FIFO would block the worker forever), and no more
        # than the parser accepts: a huge file is rejected by parse_bytes below
        data = read_file(path)
        st = os.stat(path)
    except NotARegularFile as exc:
        return _Result(path, "", 0, 0, None, f"{exc.strerror}; skipped", [])
    except OSError as exc:
        return _Result(path, "", 0, 0, None, f"cannot read the file ({exc.strerror or exc}); "
                       "its stored record, if any, is kept", [], unreadable=True)
    sha = hashlib.sha256(data).hexdigest()
    from esfgraph.pipeline_lists import is_list_path, process_list

    if is_list_path(path, data):
        return process_list(path, data, sha, st)
    result = _Result(path, sha, st.st_size, _source_mtime(path, st), None, None, [])
    try:
        encoded = _encode(data, path, sha, result)
    except Exception as exc:  # noqa: BLE001 - one page must never stop the build
        result.rejected = (f"could not be processed ({type(exc).__name__}: {exc}); the page "
                           "was skipped, please report it with the file")
        result.warnings, result.index_doc = [], None
        return result
    if encoded is not None:
        _hand_over(result, encoded)
    return result


def _hand_over(result: Any, encoded: EncodedRecord) -> bool:
    """Give a worker result its record's quads: in memory, or (a pool build) written to the
    spool with only what the parent keeps sent back. False (`result.fatal` set) when the
    spool cannot be written. Pages and list rows (esfgraph.pipeline_lists) share it."""
    spool: Spool | None = _W.get("spool")
    if spool is None:
        result.encoded = encoded
        return True
    try:
        result.spooled = spool.write(encoded.own_nquads.encode("utf-8"),
                                     spool.new_shared(encoded.shared_nquads).encode("utf-8"))
    except OSError as exc:
        result.fatal = f"cannot write the build's spool file in {spool.folder} ({exc.strerror})"
        return False
    # the text is on disk: send only what the parent keeps (slug, graphs, shared lines)
    result.encoded = EncodedRecord(encoded.slug, encoded.graph, encoded.personal_graph, "", [],
                                   encoded.quad_count, encoded.shared_nquads)
    return True


def _encode(data: bytes, path: str, sha: str, result: _Result) -> EncodedRecord | None:
    """Parse, map, (validate) and encode a file's bytes; None (with `result.rejected`) if not."""
    from esfgraph.mapping import map_record
    from esfgraph.sources.pages import read_page

    config: Config = _W["config"]
    try:
        parsed = read_page(path, data)  # the bytes just hashed: each file is read once
    except EsfGraphError as exc:
        result.rejected = str(exc)
        return None
    errors = [i.message for i in parsed.issues if i.severity == "error"]
    result.warnings = [i.message for i in parsed.issues if i.severity != "error"]
    if parsed.record is None or errors:
        result.rejected = "; ".join(errors) or "not a project page"
        return None
    result.completeness = parsed.record.completeness()
    try:
        mapped = map_record(parsed.record, config, _W["gazetteer"], sha256=sha,
                            generated=_W.get("generated"))
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the build
        result.rejected = f"could not be mapped to RDF ({type(exc).__name__}: {exc})"
        return None
    if _W["validate"]:
        messages = _validation_messages(mapped)
        if messages:
            if _W["strict"]:
                result.rejected = "SHACL violations: " + "; ".join(messages[:5])
                return None
            result.warnings.extend(f"SHACL: {m}" for m in messages)
    try:
        # encode_record checks every IRI and language tag it writes (once per distinct
        # value), so the text always parses: no second parse of each record here
        encoded = encode_record(mapped, config.base_iri, personal_data=_W["personal_data"])
    except EsfGraphError as exc:
        result.rejected = str(exc)
        return None
    result.index_doc = _index_doc(mapped, config.base_iri)
    return encoded


def _index_doc(mapped: Any, base_iri: str) -> Any:
    """The record's row of the explorer index (see esfgraph.explore.index)."""
    from esfgraph.explore.index import doc_from_terms, enabled, terms_of_mapped

    if not enabled():
        return None
    return doc_from_terms(terms_of_mapped(mapped), mapped.slug, base_iri, _W["gazetteer"])


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------


def _iter_paths(sources: Iterable[str | os.PathLike[str]]
                ) -> tuple[list[str], list[tuple[str, str]]]:
    """The source files, and the folders that could not be listed with the reason."""
    from esfgraph.parse.api import iter_source_strings, unlistable_message

    unlisted: list[tuple[str, str]] = []
    paths = list(iter_source_strings(list(sources), lambda folder, exc: unlisted.append(
        (folder, unlistable_message(exc)))))
    return paths, unlisted


def _under(key: str, folders: list[str]) -> bool:
    """True when the manifest key `key` lies under one of the (resolved) `folders`."""
    return any(key.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _resolved_or_absolute(path: str | os.PathLike[str]) -> str:
    """The resolved path, or the absolute one when it cannot be resolved (a symlink loop)."""
    from esfgraph.parse.api import resolve_source

    try:
        return resolve_source(path)
    except OSError:
        return os.path.abspath(path)


def _source_key(path: str, folders: dict[str, str] | None = None) -> str:
    """The absolute, symlink-free path of a source file (the manifest key).

    With `folders` (a cache of resolved folders) a plain file costs one `lstat` instead of a
    `Path.resolve` walking every component; a symlinked file is still resolved in full.
    """
    from esfgraph.parse.api import resolve_source

    if folders is None or os.path.islink(path):
        return resolve_source(path)  # OSError for a symlink loop: the caller skips the file
    folder, name = os.path.split(path)
    resolved = folders.get(folder)
    if resolved is None:
        resolved = folders[folder] = resolve_source(folder or ".")
    return os.path.join(resolved, name)


def _compatible(store_path: Path, config: Config, personal_data: bool) -> bool:
    """True when the existing store can be updated in place of a full rebuild."""
    try:
        if current_version(store_path) is None:
            return False
        meta = Store(store_path)
    except StoreError:
        return False
    from esfgraph.store import MANIFEST_FILE, Manifest

    manifest = Manifest(meta.version / MANIFEST_FILE, read_only=True)
    try:
        return (manifest.get_meta("base_iri") == config.base_iri
                and manifest.get_meta("personal_data") == str(personal_data)
                and manifest.get_meta("esfgraph_version") == __version__)
    finally:
        manifest.close()


def build(sources: Sequence[str | os.PathLike[str]], config: Config | None = None, *,
          store_path: str | os.PathLike[str] | None = None, personal_data: bool | None = None,
          validate: bool | None = None, strict: bool = False, full: bool = False,
          jobs: int | None = None, progress: Callable[[Progress], None] | None = None
          ) -> BuildReport:
    """Build (or update) the store from source files and folders.

    Args:
        sources: files and folders of saved project pages.
        config: settings (base IRI, store path, personal data, validation).
        store_path: the store directory (default `config.store`).
        personal_data: keep contact persons (default `config.personal_data`).
        validate: run SHACL on each record when `esfgraph.validate` exists.
        strict: keep records with SHACL violations out of the store.
        full: rebuild from nothing instead of updating a compatible store.
        jobs: worker processes (default: all cores; small inputs run in-process).
        progress: called after each file with a `Progress`.

    Raises:
        StoreError: the store cannot be written (the previous one is left as it was).
    """
    config = config or Config()
    personal = config.personal_data if personal_data is None else personal_data
    do_validate = config.validate if validate is None else validate
    root = Path(store_path if store_path is not None else config.store_path())
    started = time.monotonic()
    began = build_time()
    report = BuildReport(store_path=str(root))
    paths, unlisted = _iter_paths(sources)
    if not paths:
        # refusing beats silently emptying an existing store because of a mistyped folder
        if unlisted:
            raise StoreError("; ".join(f"{folder}: {why}" for folder, why in unlisted)
                             + "; no pages found, nothing was built")
        names = ", ".join(str(s) for s in sources) or "(none)"
        raise StoreError(f"no pages found in {names}; nothing was built (give files or folders "
                         "of saved project pages)")
    report.unreadable.extend((folder, f"{why}; its stored records are kept")
                             for folder, why in unlisted)
    kept_folders = [_resolved_or_absolute(folder) for folder, _ in unlisted]
    incremental = not full and _compatible(root, config, personal)
    report.incremental = incremental

    with open_writer(root, config.base_iri, incremental=incremental) as writer:
        writer.manifest.set_meta("personal_data", str(personal))
        writer.manifest.set_meta("esfgraph_version", __version__)
        stored = {e.source: e for e in writer.manifest.sources()} if incremental else {}
        from esfgraph.pipeline_lists import entries_by_file

        stored_lists = entries_by_file(list(stored.values()))
        todo: list[str] = []
        wanted: set[str] = set()
        keys: dict[str, str] = {}  # path -> manifest key, resolved once per file
        folders: dict[str, str] = {}
        for path in paths:
            try:
                key = keys[path] = _source_key(path, folders)
            except OSError as exc:  # a symlink loop: report it, build the others
                from esfgraph.parse.api import unresolvable_message

                report.unreadable.append((path, unresolvable_message(exc)))
                # what cannot be read is not deleted: a record stored for this name stays
                folder, name = os.path.split(path)
                wanted.add(os.path.join(_resolved_or_absolute(folder or "."), name))
                continue
            if key in wanted:
                continue
            wanted.add(key)
            entry = stored.get(key)
            rows = stored_lists.get(key)
            if rows and entry is None:  # a list file: unchanged, or all its rows go
                if _unchanged(path, rows[0]):
                    report.unchanged += 1
                    continue
                writer.stale_list_rows[key] = rows  # replaced when the file has been read
            elif entry is not None and _unchanged(path, entry):
                report.unchanged += 1
                continue
            todo.append(path)
        for key, entry in stored.items():
            file_key = next((f for f in (key.rsplit("#", 1)[0],) if f in stored_lists), key)
            if file_key not in wanted and not _under(key, kept_folders):
                writer.remove_entry(entry)
                report.removed.append(entry.source)
        _run(todo, writer, report, config, personal, do_validate, strict, jobs, progress, keys)
        from esfgraph.changes import (
            record_changes,  # before the counts: they include the log
        )

        report.changes = record_changes(writer, personal_data=personal, started=began,
                                        sources=[_resolved_or_absolute(s) for s in sources])
        from esfgraph.link_sources import link_sources

        # projects told by several sources (only those touched, when updating)
        link_sources(writer, writer.touched if incremental else None)
        finish_graphs(writer, config, report)
        write_explore_index(writer)
        report.build_id = writer.build_id
    report.records = len(Store(root).sources())
    report.validated = do_validate and _has_validator()
    report.seconds = time.monotonic() - started
    return report


def _has_validator() -> bool:
    try:
        import esfgraph.validate  # noqa: F401
    except ImportError:
        return False
    return True


def _source_mtime(path: str, st: os.stat_result) -> int:
    """A source's mtime, or its harvest sidecar's when newer (a refetch changes provenance)."""
    from esfgraph.sources.pages import sidecar_mtime_ns

    side = sidecar_mtime_ns(path)
    return st.st_mtime_ns if side is None else max(st.st_mtime_ns, side)


def _unchanged(path: str, entry: SourceEntry) -> bool:
    """Same size and mtime (the sidecar's counts too), or else the same SHA-256."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):  # a FIFO is never read here: _process reports it
        return False
    mtime = _source_mtime(path, st)
    if st.st_size == entry.size and mtime == entry.mtime_ns:
        return True
    if st.st_size != entry.size or mtime != st.st_mtime_ns:
        return False  # a newer sidecar: the page's provenance is to be read again
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() == entry.sha256
    except OSError:
        return False


def _run(todo: list[str], writer: StoreWriter, report: BuildReport, config: Config,
         personal: bool, validate: bool, strict: bool, jobs: int | None,
         progress: Callable[[Progress], None] | None, keys: dict[str, str] | None = None
         ) -> None:
    """Parse+map `todo` (in a pool when large) and store each result as it arrives.

    In a pool, workers write the quads to spool files in the new version's folder and the
    parent bulk-loads finished files in the background while records keep arriving.
    """
    keys = keys if keys is not None else {}
    slugs: dict[str, Kept] = {}  # slug -> the record stored for it by this run
    jobs = jobs or os.cpu_count() or 1
    when = build_time()
    total = len(todo)
    t0 = time.monotonic()

    def consume(results: Iterable[_Result | list[_Result]], spool: SpoolLoads | None) -> None:
        for done, file_results in enumerate(results, 1):
            for result in (file_results if isinstance(file_results, list) else [file_results]):
                if result.fatal is not None:
                    raise StoreError(result.fatal)
                _store_result(result, writer, report, keys, slugs, spool)
            if progress is not None:
                elapsed = max(time.monotonic() - t0, 1e-9)
                rate = done / elapsed
                progress(Progress(done, total, rate, (total - done) / rate if rate else None))

    from esfgraph.pipeline_lists import split_lists

    lists, pages, weight = split_lists(todo)  # a list file weighs as many pages as it holds
    if jobs <= 1 or weight < POOL_THRESHOLD:
        _init_worker(config, personal, validate, strict, when)
        consume(map(_process, todo), None)
        if report.left_out_shared:
            writer.drop_unused_shared(report.left_out_shared)
        return
    folder = writer.version / "spool"
    folder.mkdir()
    spool = SpoolLoads(writer, folder)
    ctx = multiprocessing.get_context("forkserver")
    args = (config, personal, validate, strict, when, str(folder),
            pipeline_spool.SPOOL_BYTES, owner())
    # esfgraph.workpool, not a ProcessPoolExecutor: a worker killed while it sends its result
    # (OOM killer, operator) can hang an executor forever; here it fails the build at once
    try:
        # each list file a task of its own (queued first), so two lists read on two cores
        with closing(ordered_map(_process, pages, jobs=jobs, ctx=ctx, initializer=_init_worker,
                                 initargs=args, chunksize=CHUNK_SIZE,
                                 singles=lists)) as results:
            consume(results, spool)
    except WorkerDied as exc:
        raise StoreError(f"a build worker process died (killed, or out of memory?): {exc}; "
                         "nothing was changed, the previous store is kept") from exc
    spool.finish()
    writer.flush()
    shutil.rmtree(folder, ignore_errors=True)


def _store_result(result: _Result, writer: StoreWriter, report: BuildReport,
                  keys: dict[str, str] | None = None, slugs: dict[str, Kept] | None = None,
                  spool: SpoolLoads | None = None) -> None:
    """Store one worker result (or note why it was rejected).

    `keys` maps paths to manifest keys already resolved; `slugs` (slug -> key of the records
    stored so far in a full build) spares a manifest look-up per record; `spool` loads the
    worker files that results point into.
    """
    stored = False
    try:
        stored = _store(result, writer, report, keys, slugs, spool)
    finally:
        if spool is not None and result.spooled is not None:
            shared = result.encoded.shared_nquads if result.encoded is not None else ""
            spool.arrived(result.spooled, stored, shared)


def _store(result: _Result, writer: StoreWriter, report: BuildReport,
           keys: dict[str, str] | None, slugs: dict[str, Kept] | None,
           spool: SpoolLoads | None = None) -> bool:
    """`_store_result` without the spool: True when the record was stored."""
    key = (keys or {}).get(result.source) or _source_key(result.source)
    if not result.unreadable and key in writer.stale_list_rows:  # a changed list file
        for old_row in writer.stale_list_rows.pop(key):  # its rows go; the new ones come
            writer.remove_entry(old_row)
    if result.part is not None:  # one row of a list file
        from esfgraph.pipeline_lists import row_key

        key = row_key(key, result.part)
    report.warnings.extend((result.source, w) for w in result.warnings)
    if result.unreadable:  # not a changed page: whatever is stored for it stays
        report.unreadable.append((result.source, result.rejected or "cannot read the file"))
        return False
    if result.rejected is not None or result.encoded is None:
        report.rejected.append((result.source, result.rejected or "unknown error"))
        if writer.incremental:  # the page changed and is now rejected: its old facts go too
            old = writer.manifest.source_by_key(key)
            if old is not None:
                writer.remove_entry(old)
                report.removed.append(old.source)
        return False
    encoded = result.encoded
    if not keep_duplicate(result, key, writer, report, slugs, spool):
        return False
    if slugs is not None:
        slugs[encoded.slug] = Kept(key, result.source, result.completeness, result.mtime_ns,
                                   result.spooled)
    entry = SourceEntry(key, os.path.basename(result.source), result.sha256, result.size,
                        result.mtime_ns, encoded.slug, encoded.graph, encoded.personal_graph)
    writer.add_record(encoded, entry, spooled=result.spooled is not None)
    if result.index_doc is not None:
        writer.index_docs[encoded.slug] = result.index_doc
    report.mapped += 1
    return True


# --------------------------------------------------------------------------------------------
# Graphs that depend on all records: vocabulary, reference, entities, dataset description
# --------------------------------------------------------------------------------------------


def finish_graphs(writer: StoreWriter, config: Config, report: BuildReport | None = None
                  ) -> None:
    """Rewrite the vocabulary, reference, entities and dataset graphs of a new version."""
    _write_vocabulary(writer, report)
    _write_reference(writer, config, report)
    writer.rebuild_entities()
    triples, classes = write_dataset_graph(writer)
    if report is not None:
        report.triples = triples
        report.entities_by_class = classes


def _write_vocabulary(writer: StoreWriter, report: BuildReport | None) -> None:
    from esfgraph.resources import ontology_dir

    files = sorted(ontology_dir().glob("*.ttl"))
    writer.replace_graph_text(writer.names.vocabulary, "")
    for path in files:
        writer.load_file(path, writer.names.vocabulary)
    if not files and report is not None:
        report.warnings.append(("vocabulary", "no ontology files found; graph left empty"))


def _write_reference(writer: StoreWriter, config: Config, report: BuildReport | None) -> None:
    try:
        from esfgraph.link import default_gazetteer

        graph = default_gazetteer().reference_graph(config.base_iri)
    except (ImportError, NotImplementedError) as exc:
        if report is not None:
            report.warnings.append(("reference", f"reference graph not written ({exc})"))
        return
    text = "".join(f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n" for s, p, o in graph)
    writer.replace_graph_text(writer.names.reference, text)


def write_explore_index(writer: StoreWriter) -> None:
    """Write the explorer index into the new version before it is swapped in (atomic with it).

    Incremental: it starts from the previous version's index (esfgraph.explore.index).
    """
    from esfgraph.explore.index import enabled, update_index

    if not enabled():
        return
    writer.flush()
    from esfgraph.link_sources import index_slugs

    slugs, docs = index_slugs(writer)
    update_index(writer.version, writer.ox, writer.base_iri, slugs, docs,
                 previous_dir=writer.previous)


# --------------------------------------------------------------------------------------------
# Removing records
# --------------------------------------------------------------------------------------------


def remove_sources(wanted: Sequence[str], config: Config | None = None, *,
                   store_path: str | os.PathLike[str] | None = None) -> list[SourceEntry]:
    """Drop the records of sources (path, file name, slug or project IRI) in a new version.

    Raises:
        StoreError: no store, or a name that is not in it (then nothing is changed).
    """
    config = config or Config()
    root = Path(store_path if store_path is not None else config.store_path())
    reader = Store(root)
    entries = reader.sources()
    base = reader.base_iri
    del reader
    found: list[SourceEntry] = []
    from esfgraph.pipeline_lists import entries_by_file

    list_rows = entries_by_file(entries)
    for name in wanted:
        entry = find_entry(entries, name)
        rows = [rows for file_key, rows in list_rows.items()
                if name in (file_key, os.path.basename(file_key))
                or file_key == str(Path(name).resolve())]
        if entry is None and rows:  # a list file: every row it gave
            found.extend(rows[0])
            continue
        if entry is None:
            known = ", ".join(e.name for e in entries[:10]) or "(none)"
            raise StoreError(f"{name!r} is not in the store at {root} (stored: {known})")
        found.append(entry)
    with open_writer(root, base, incremental=True) as writer:
        for entry in found:
            writer.remove_entry(entry)
        from esfgraph.changes import record_changes

        record_changes(writer, started=build_time(), command="remove",
                       personal_data=writer.manifest.get_meta("personal_data") != "False")
        from esfgraph.link_sources import link_sources

        link_sources(writer, writer.touched)
        writer.rebuild_entities()
        write_dataset_graph(writer)
        write_explore_index(writer)
    return found


__all__ = ["BuildReport", "GraphNames", "Progress", "build", "finish_graphs", "remove_sources",
           "write_dataset_graph"]
