"""The persistent store: pyoxigraph on disk, versioned so that every write is atomic.

Layout of a store directory (``config.store``, default ``.esfgraph/store``)::

    store/
      current -> v-<id>/db symlink to the active version's database (replaced atomically)
      .lock                held by the one writer at a time (fcntl)
      v-<build id>/        one complete version
        COMPLETE           written just before the version is swapped in
        db/                the pyoxigraph (RocksDB) store
        manifest.sqlite    source file -> sha256, record slug, shared triples
        cache/             query result cache of this version (see esfgraph.query)

A writer never touches the active version: it creates a new one (empty for a full build, a
hard-link checkpoint of the current one for an incremental update), fills it, marks it complete
and then replaces the ``current`` symlink with one ``os.replace``. A writer killed half-way leaves the old
version untouched and a stray incomplete directory that the next writer deletes. Readers open
the version ``current`` points to, read-only; since that directory is never written again they
always see a whole store.

Union default graph: pyoxigraph does NOT de-duplicate a triple asserted in two named graphs
(tested in tests/test_store.py). So the store keeps each triple in exactly one named graph:
triples about the record's own resources (the project and the IRIs under it, its graph and
its source file) stay in the record graph; triples about shared entities (organisations,
units, places, the funder, persons) go once into ``{base}graph/entities`` (personal ones into
``{base}graph/personal/_shared``). A full build streams them in with the records (the store
keeps a quad once however often it is loaded); an update rebuilds them from the manifest.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from esfgraph.config import DEFAULT_BASE_IRI
from esfgraph.errors import StoreError
from esfgraph.nt import XSD_STRING, checked_iri, checked_lang, escape, iri_text

CURRENT_FILE = "current"
LOCK_FILE = ".lock"
COMPLETE_FILE = "COMPLETE"
DB_DIR = "db"
MANIFEST_FILE = "manifest.sqlite"
CACHE_DIR = "cache"
#: Bytes of N-Quads text gathered before one `bulk_load` call.
BATCH_BYTES = 16 * 1024 * 1024
#: Below this size `Store.load` (one transaction) beats `bulk_load` (fixed cost of new files).
BULK_MIN_BYTES = 2 * 1024 * 1024
#: Background loads queued before the writer waits (each may hold a batch of text).
MAX_PENDING_LOADS = 4


# --------------------------------------------------------------------------------------------
# Graph names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphNames:
    """The named graphs of one base IRI (see docs/DATA-MODEL.md)."""

    base: str = DEFAULT_BASE_IRI

    @property
    def record_prefix(self) -> str:
        return f"{self.base}graph/record/"

    @property
    def personal_prefix(self) -> str:
        return f"{self.base}graph/personal/"

    @property
    def entities(self) -> str:
        return f"{self.base}graph/entities"

    @property
    def personal_shared(self) -> str:
        return f"{self.base}graph/personal/_shared"

    @property
    def reference(self) -> str:
        return f"{self.base}graph/reference"

    @property
    def vocabulary(self) -> str:
        return f"{self.base}graph/vocabulary"

    @property
    def dataset(self) -> str:
        return f"{self.base}graph/dataset"

    def record(self, slug: str) -> str:
        return f"{self.record_prefix}{slug}"

    def personal(self, slug: str) -> str:
        return f"{self.personal_prefix}{slug}"

    def project(self, slug: str) -> str:
        return f"{self.base}id/project/{slug}"

    def is_personal(self, graph: str) -> bool:
        """True for every graph that holds personal data (dropped by --no-personal-data)."""
        return graph.startswith(self.personal_prefix)


# --------------------------------------------------------------------------------------------
# N-Quads encoding of rdflib terms (fast, no rdflib serializer involved)
# --------------------------------------------------------------------------------------------

_BNODE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def term_nt(term: Any, bnode_prefix: str = "b") -> str:
    """One rdflib (or plain) term in N-Triples syntax; blank nodes get `bnode_prefix`.

    Every IRI and language tag is checked (once per distinct value) so that the text always
    parses as N-Quads: a bad IRI rejects its record here instead of failing a whole batch.

    Raises:
        StoreError: an invalid IRI or language tag, or a term of an unknown type.
    """
    kind = type(term).__name__
    if kind == "URIRef":
        return iri_text(str(term))  # a URIRef never equals a str key (rdflib's __eq__): use str
    if kind == "Literal":
        text = f'"{escape(str(term))}"'
        language = term.language
        if language:
            return f"{text}@{checked_lang(language)}"
        datatype = term.datatype
        if datatype is not None and datatype != XSD_STRING:
            return f"{text}^^{iri_text(str(datatype))}"
        return text
    if kind == "BNode":
        return f"_:{bnode_prefix}{_BNODE_SAFE.sub('_', str(term))}"
    raise StoreError(f"cannot store a term of type {kind}: {term!r}")


@dataclass
class EncodedRecord:
    """One mapped record ready for the store: own quads as N-Quads, shared triples as lines."""

    slug: str
    graph: str
    personal_graph: str
    own_nquads: str
    shared: list[tuple[str, str]]  # (target graph, N-Triples line without the final " .")
    quad_count: int
    #: `shared` as N-Quads text (made in the worker, so the parent only stores it).
    shared_nquads: str = ""


def encode_record(mapped: Any, base_iri: str, *, personal_data: bool = True) -> EncodedRecord:
    """Split a `MappedRecord` into own quads (N-Quads) and shared-entity triples.

    Triples about the record's own resources (the project and IRIs under it, its graphs, its
    source file) stay in the record graph; the rest are shared and go to the entities graphs.

    Raises:
        StoreError: an IRI or language tag that the N-Quads parser would refuse.
    """
    names = GraphNames(base_iri)
    slug = mapped.slug
    graph = str(mapped.graph)
    personal = str(mapped.personal_graph)
    project = names.project(slug)
    for name in (graph, personal, names.entities, names.personal_shared):
        checked_iri(name)
    own_prefixes = (project + "/", f"{base_iri}source/")
    own_exact = {project, graph, personal}
    if getattr(mapped, "text_only", False):
        lines, shared = _encode_text(mapped.terms, names, own_exact, own_prefixes,
                                     f" <{graph}> .\n", f" <{personal}> .\n", personal_data)
    else:
        lines, shared = _encode_terms(mapped.quads, names, own_exact, own_prefixes, slug,
                                      graph, personal, personal_data)
    shared_text = "".join(f"{line} <{g}> .\n" for g, line in shared)
    return EncodedRecord(slug, graph, personal, "".join(lines), shared, len(lines) + len(shared),
                         shared_text)


def _encode_text(terms: Iterable[tuple[str, str, str, bool]], names: GraphNames,
                 own_exact: set[str], own_prefixes: tuple[str, ...], own_graph: str,
                 own_personal: str, personal_data: bool
                 ) -> tuple[list[str], list[tuple[str, str]]]:
    """The fast path: the mapping's text quads (IRIs plain, literals already spelled)."""
    lines: list[str] = []
    shared: list[tuple[str, str]] = []
    iris = _iri_cache()
    entities, personal_shared = names.entities, names.personal_shared
    for s, p, o, is_personal in terms:
        if is_personal and not personal_data:
            continue
        s_nt = iris.get(s) or checked_iri(s)
        p_nt = iris.get(p) or checked_iri(p)
        o_nt = o if o[0] == '"' else (iris.get(o) or checked_iri(o))
        if s in own_exact or s.startswith(own_prefixes):
            lines.append(f"{s_nt} {p_nt} {o_nt}{own_personal if is_personal else own_graph}")
        else:
            shared.append((personal_shared if is_personal else entities, f"{s_nt} {p_nt} {o_nt}"))
    return lines, shared


def _encode_terms(quads: Iterable[Any], names: GraphNames, own_exact: set[str],
                  own_prefixes: tuple[str, ...], slug: str, graph: str, personal: str,
                  personal_data: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """The general path: rdflib terms, blank nodes and any graph name allowed."""
    bprefix = "b" + hashlib.sha1(slug.encode("utf-8")).hexdigest()[:12] + "x"
    lines: list[str] = []
    shared: list[tuple[str, str]] = []
    personal_graphs: dict[str, bool] = {}  # graph IRI -> holds personal data
    own_graph, own_personal = f" <{graph}> .\n", f" <{personal}> .\n"
    for s, p, o, g in quads:
        g_str = str(g)
        is_personal = personal_graphs.get(g_str)
        if is_personal is None:
            is_personal = personal_graphs[g_str] = (g_str == personal
                                                     or names.is_personal(g_str))
        if is_personal and not personal_data:
            continue
        s_str = str(s)
        s_nt = term_nt(s, bprefix)
        triple = f"{s_nt} {term_nt(p, bprefix)} {term_nt(o, bprefix)}"
        if type(s).__name__ == "BNode" or s_str in own_exact or s_str.startswith(own_prefixes):
            lines.append(triple + (own_personal if is_personal else own_graph))
        else:
            shared.append((names.personal_shared if is_personal else names.entities, triple))
    return lines, shared


def _iri_cache() -> dict[str, str]:
    from esfgraph import nt

    return nt._IRI_CACHE  # noqa: SLF001 - read-only fast path over the shared cache


def check_nquads(text: str) -> None:
    """Parse N-Quads text with pyoxigraph (`encode_record` already checks what it writes).

    Raises:
        StoreError: the text is not valid N-Quads (message has line and column).
    """
    try:
        for _ in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_QUADS):
            pass
    except SyntaxError as exc:
        raise StoreError(f"the mapped triples are not valid RDF: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Manifest (sqlite, one per version)
# --------------------------------------------------------------------------------------------


@dataclass
class SourceEntry:
    """One stored source file."""

    source: str
    name: str
    sha256: str
    size: int
    mtime_ns: int
    slug: str
    graph: str
    personal_graph: str


class Manifest:
    """Source file → sha256 and record slug, and each record's shared triples."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
        try:
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store manifest ({exc})") from exc
        if not read_only:
            self.db.executescript(
                """
                PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE IF NOT EXISTS sources (
                    source TEXT PRIMARY KEY, name TEXT, sha256 TEXT, size INTEGER,
                    mtime_ns INTEGER, slug TEXT UNIQUE, graph TEXT, personal_graph TEXT);
                CREATE TABLE IF NOT EXISTS shared (slug TEXT PRIMARY KEY, nquads TEXT);
                """
            )
        # rows of `add_source` not yet written: one executemany per batch beats two
        # execute calls per record; every read and delete writes them first
        self._pending_sources: list[tuple[Any, ...]] = []
        self._pending_shared: list[tuple[str, str]] = []

    #: Pending rows written at once.
    PENDING_MAX = 2000

    def write_pending(self) -> None:
        """Write the rows `add_source` batched (sqlite errors surface here)."""
        if self._pending_sources:
            self.db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                self._pending_sources)
            self.db.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)",
                                self._pending_shared)
            self._pending_sources, self._pending_shared = [], []

    def get_meta(self, key: str) -> str | None:
        self.write_pending()
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.write_pending()
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def sources(self) -> list[SourceEntry]:
        self.write_pending()
        rows = self.db.execute(
            "SELECT source, name, sha256, size, mtime_ns, slug, graph, personal_graph "
            "FROM sources ORDER BY source"
        )
        return [SourceEntry(*row) for row in rows]

    def source_by_key(self, source: str) -> SourceEntry | None:
        self.write_pending()
        row = self.db.execute(
            "SELECT source, name, sha256, size, mtime_ns, slug, graph, personal_graph "
            "FROM sources WHERE source=?", (source,)).fetchone()
        return SourceEntry(*row) if row else None

    def source_by_slug(self, slug: str) -> SourceEntry | None:
        self.write_pending()
        row = self.db.execute(
            "SELECT source, name, sha256, size, mtime_ns, slug, graph, personal_graph "
            "FROM sources WHERE slug=?", (slug,)).fetchone()
        return SourceEntry(*row) if row else None

    def add_source(self, entry: SourceEntry, shared: list[tuple[str, str]],
                   shared_nquads: str | None = None) -> None:
        """Record a stored source and its shared triples (`shared_nquads`: them as text)."""
        if shared_nquads is None:
            shared_nquads = "".join(f"{line} <{g}> .\n" for g, line in shared)
        self._pending_sources.append(
            (entry.source, entry.name, entry.sha256, entry.size, entry.mtime_ns, entry.slug,
             entry.graph, entry.personal_graph))
        # one row per record (a row per triple made inserts the slowest part of a build)
        self._pending_shared.append((entry.slug, shared_nquads))
        if len(self._pending_sources) >= self.PENDING_MAX:
            self.write_pending()

    def shared_of(self, slug: str) -> str:
        """The shared N-Quads lines recorded for one record ('' when none)."""
        self.write_pending()
        row = self.db.execute("SELECT nquads FROM shared WHERE slug=?", (slug,)).fetchone()
        return row[0] if row and row[0] else ""

    def remove_source(self, entry: SourceEntry) -> None:
        self.write_pending()
        self.db.execute("DELETE FROM sources WHERE source=?", (entry.source,))
        self.db.execute("DELETE FROM shared WHERE slug=?", (entry.slug,))

    def shared_nquads(self) -> Iterator[str]:
        """Every stored record's shared triples as N-Quads lines, without duplicates.

        Memory grows with the number of distinct shared triples (organisations and places),
        not with the number of records.
        """
        self.write_pending()
        seen: set[str] = set()
        for (blob,) in self.db.execute("SELECT nquads FROM shared ORDER BY slug"):
            for line in blob.splitlines(keepends=True):
                if line not in seen:
                    seen.add(line)
                    yield line

    def shared_blobs(self) -> Iterator[str]:
        """Each stored record's shared triples (N-Quads text), repeats and all."""
        self.write_pending()
        for (blob,) in self.db.execute("SELECT nquads FROM shared"):
            yield blob

    def commit(self) -> None:
        self.write_pending()
        self.db.commit()

    def close(self) -> None:
        self.db.close()


# --------------------------------------------------------------------------------------------
# Directory layout and the atomic swap
# --------------------------------------------------------------------------------------------


def _versions(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("v-*") if p.is_dir())


def current_version(root: str | os.PathLike[str]) -> Path | None:
    """The active version directory of the store at `root`, or None when there is none."""
    root = Path(root)
    try:
        target = os.readlink(root / CURRENT_FILE)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{root / CURRENT_FILE}: not a store pointer ({exc})") from exc
    name = Path(target).parts[0] if target else ""
    version = root / name
    if not name.startswith("v-") or not (version / COMPLETE_FILE).exists():
        raise StoreError(f"{root}: {CURRENT_FILE} points to {target!r}, which is not a complete "
                         "store; rebuild it with `esfgraph build --full`")
    return version


def db_dir(root: str | os.PathLike[str]) -> Path:
    """The pyoxigraph directory of the active version (for tools that open it themselves).

    Raises:
        StoreError: there is no store at `root`.
    """
    version = current_version(root)
    if version is None:
        raise StoreError(f"no store at {root}; build one with `esfgraph build SOURCES`")
    return version / DB_DIR


def build_id_of(version: Path) -> str:
    """The build id of a version directory (its name without the `v-` prefix)."""
    return version.name[2:]


def new_build_id() -> str:
    """A fresh, sortable build id: UTC time plus random hex (never reused)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


@contextmanager
def _writer_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(f"{root}: another build is writing this store; wait for it to "
                             "finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _collect_garbage(root: Path, keep: set[str]) -> None:
    """Delete versions not in `keep` (called only while holding the writer lock)."""
    for version in _versions(root):
        if version.name not in keep:
            shutil.rmtree(version, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Writer
# --------------------------------------------------------------------------------------------


class StoreWriter:
    """Fills one new version of the store; `commit` swaps it in, `abort` throws it away."""

    def __init__(self, root: Path, base_iri: str, *, incremental: bool) -> None:
        self.root = root
        self.names = GraphNames(base_iri)
        self.base_iri = base_iri
        self.build_id = new_build_id()
        self.version = root / f"v-{self.build_id}"
        self.previous = current_version(root)
        stale = {p.name for p in _versions(root) if not (p / COMPLETE_FILE).exists()}
        for name in stale:  # leftovers of killed builds (we hold the lock)
            shutil.rmtree(root / name, ignore_errors=True)
        self.version.mkdir(parents=True)
        try:
            if incremental and self.previous is not None:
                source = ox.Store.read_only(str(self.previous / DB_DIR))
                source.backup(str(self.version / DB_DIR))  # hard links: cheap
                del source
                shutil.copyfile(self.previous / MANIFEST_FILE, self.version / MANIFEST_FILE)
                self.incremental = True
            else:
                self.incremental = False
            self.ox = ox.Store(str(self.version / DB_DIR))
            self.manifest = Manifest(self.version / MANIFEST_FILE)
        except BaseException:  # e.g. a full disk: leave no half-made version behind
            shutil.rmtree(self.version, ignore_errors=True)
            raise
        old_base = self.manifest.get_meta("base_iri")
        if old_base is not None and old_base != base_iri:
            raise StoreError(f"the store was built with base IRI {old_base}, not {base_iri}; "
                             "rebuild with `esfgraph build --full`")
        self.manifest.set_meta("base_iri", base_iri)
        self.manifest.set_meta("build_id", self.build_id)
        self._buffer: list[str] = []
        self._buffer_bytes = 0
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="esfgraph-load")
        self._pending: list[Future[None]] = []
        #: True while the entities graphs hold exactly the shared triples of the stored
        #: records (a full build streams them in); else `rebuild_entities` re-reads them
        self.entities_streamed = not self.incremental
        #: rows of derived indexes made while records arrive (slug -> row; the explorer
        #: index, written by esfgraph.pipeline before the commit)
        self.index_docs: dict[str, Any] = {}
        #: project slugs whose records (page or list row) were stored or removed in this
        #: version: their links to other sources are redone (esfgraph.link_sources)
        self.touched: set[str] = set()
        #: list file key -> its stored rows, while a changed list file is being read again
        #: (esfgraph.pipeline replaces them when the file's first result arrives)
        self.stale_list_rows: dict[str, list[Any]] = {}

    # -- loading ---------------------------------------------------------------------------

    def add_nquads(self, text: str) -> None:
        """Queue N-Quads text for the next bulk load."""
        if not text:
            return
        self._buffer.append(text)
        self._buffer_bytes += len(text)
        if self._buffer_bytes >= BATCH_BYTES:
            self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> None:
        """Load the queued N-Quads (already checked by `encode_record`).

        With `wait=False` the load runs in a background thread (pyoxigraph releases the GIL
        while loading) so the build keeps receiving records; loads run one at a time, in order.
        """
        if wait:
            self._drain()
        else:
            self._reap()
            while len(self._pending) >= MAX_PENDING_LOADS:  # bounded memory: wait for the oldest
                self._pending.pop(0).result()
        if self._buffer:
            data = "".join(self._buffer).encode("utf-8")
            self._buffer, self._buffer_bytes = [], 0
            if wait:
                self._load(data, ox.RdfFormat.N_QUADS)
            else:
                self._pending.append(self._loader.submit(self._load, data, ox.RdfFormat.N_QUADS))

    def load_nquads_file(self, path: Path, skip: Iterable[tuple[int, int]] = ()) -> None:
        """Bulk-load an N-Quads file in the background, leaving out `skip` (offset, length)
        byte ranges, then delete it. Errors surface at the next `flush`."""
        self._reap()
        self._pending.append(self._loader.submit(self._load_file, path, sorted(skip)))

    def _load_file(self, path: Path, skip: list[tuple[int, int]]) -> None:
        try:
            if skip:  # rare (the same project in two files): rewrite without those records
                data = path.read_bytes()
                kept, at = [], 0
                for offset, length in skip:
                    kept.append(data[at:offset])
                    at = offset + length
                kept.append(data[at:])
                path.write_bytes(b"".join(kept))
            self.ox.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"loading {path.name} into the store failed: {exc}") from exc
        finally:
            path.unlink(missing_ok=True)

    def drop_unused_shared(self, lines: set[str]) -> None:
        """Remove shared-entity N-Quads lines that no stored record has in the manifest.

        For records loaded and then left out (the same project in two files): their shared
        lines were loaded because other records may rely on them.
        """
        self.flush()
        used: set[str] = set()
        for blob in self.manifest.shared_blobs():
            used.update(line for line in blob.splitlines(keepends=True) if line in lines)
        for line in lines - used:
            for quad in ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS):
                self.ox.remove(quad)

    def _reap(self) -> None:
        """Drop finished background loads, re-raising the first error."""
        while self._pending and self._pending[0].done():
            self._pending.pop(0).result()

    def _drain(self) -> None:
        """Wait for every background load, re-raising the first error."""
        while self._pending:
            self._pending.pop(0).result()

    def _load(self, data: bytes, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Load RDF bytes: bulk for big batches, one transaction for small ones."""
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            if len(data) >= BULK_MIN_BYTES:
                self.ox.bulk_load(data, fmt, to_graph=to_graph, lenient=True)
            else:
                self.ox.load(data, fmt, to_graph=to_graph)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"loading into the store failed: {exc}") from exc

    def add_record(self, encoded: EncodedRecord, entry: SourceEntry, *,
                   spooled: bool = False) -> None:
        """Store one record (replacing an earlier version of the same source or slug).

        `spooled`: the record's quads are in a file the caller loads (`load_nquads_file`);
        only its manifest rows are written here.
        """
        if self.incremental:  # a fresh version has nothing to replace
            for old in (self.manifest.source_by_key(entry.source),
                        self.manifest.source_by_slug(entry.slug)):
                if old is not None:
                    self.remove_entry(old)
        self.touched.add(entry.slug.split("/", 1)[0])
        self.manifest.add_source(entry, encoded.shared, encoded.shared_nquads or None)
        if spooled:
            return
        self.add_nquads(encoded.own_nquads)
        if self.entities_streamed:  # a fresh version's entities graphs fill as records arrive
            self.add_nquads(encoded.shared_nquads
                            or "".join(f"{line} <{g}> .\n" for g, line in encoded.shared))

    def find_source(self, source: str) -> SourceEntry | None:
        """The stored entry for a path, file name, slug or project IRI (None if absent)."""
        return find_entry(self.manifest.sources(), source)

    def remove_entry(self, entry: SourceEntry) -> None:
        """Drop a record's graphs (record and personal) and its manifest rows."""
        self.flush()
        self.touched.add(entry.slug.split("/", 1)[0])
        for graph in (entry.graph, entry.personal_graph):
            node = ox.NamedNode(graph)
            if self.ox.contains_named_graph(node):
                self.ox.remove_graph(node)
        self.manifest.remove_source(entry)

    def load_file(self, path: Path, graph: str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> None:
        """Load an RDF file into one named graph (vocabulary files)."""
        self.flush()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ({exc.strerror})") from exc
        self._load(data, fmt, graph)

    def replace_graph_text(self, graph: str, ntriples: str) -> None:
        """Replace one named graph with N-Triples text."""
        self.flush()
        node = ox.NamedNode(graph)
        if self.ox.contains_named_graph(node):
            self.ox.remove_graph(node)
        if ntriples:
            self._load(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES, graph)

    def rebuild_entities(self) -> None:
        """Write every shared triple once into the entities graphs (minus reference/vocabulary).

        A full build streams the shared triples in with the records (the store keeps a quad
        once however often it is loaded); an update, or a build that left a record out after
        its triples were written, re-reads them from the manifest.
        """
        self.flush()
        if not self.entities_streamed:
            for graph in (self.names.entities, self.names.personal_shared):
                node = ox.NamedNode(graph)
                if self.ox.contains_named_graph(node):
                    self.ox.remove_graph(node)
            chunk: list[str] = []
            size = 0
            for line in self.manifest.shared_nquads():
                chunk.append(line)
                size += len(line)
                if size >= BATCH_BYTES:
                    self._load("".join(chunk).encode("utf-8"), ox.RdfFormat.N_QUADS)
                    chunk, size = [], 0
            if chunk:
                self._load("".join(chunk).encode("utf-8"), ox.RdfFormat.N_QUADS)
        # a place described by the mapping is also in the reference graph: keep one copy
        # (the small reference and vocabulary graphs drive the join)
        self.ox.update(
            f"""DELETE {{ GRAPH <{self.names.entities}> {{ ?s ?p ?o }} }}
            WHERE {{ VALUES ?g {{ <{self.names.reference}> <{self.names.vocabulary}> }}
                     GRAPH ?g {{ ?s ?p ?o }}
                     GRAPH <{self.names.entities}> {{ ?s ?p ?o }} }}"""
        )

    # -- finishing ---------------------------------------------------------------------------

    def commit(self) -> str:
        """Make this version the current one (atomic rename); returns its build id."""
        self.flush()
        self._loader.shutdown()
        self.manifest.commit()
        self.manifest.close()
        self.ox.flush()
        # no `optimize()` (a full compaction): it cost 13-21 s per 100k records and the nine
        # ready-made queries ran no faster afterwards (docs/guide/performance.md)
        del self.ox
        (self.version / COMPLETE_FILE).write_text(self.build_id + "\n", encoding="utf-8")
        tmp = self.root / f".{CURRENT_FILE}.{self.build_id}"
        os.symlink(f"{self.version.name}/{DB_DIR}", tmp)
        os.replace(tmp, self.root / CURRENT_FILE)  # atomic: readers see old or new, whole
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        keep = {self.version.name}
        if self.previous is not None:
            keep.add(self.previous.name)  # a reader may still have it open
        _collect_garbage(self.root, keep)
        return self.build_id

    def abort(self) -> None:
        """Throw this version away; the current one stays as it was."""
        try:
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - the version is thrown away anyway
                pass
            self._loader.shutdown()
            self.manifest.close()
        finally:
            if hasattr(self, "ox"):
                del self.ox
            shutil.rmtree(self.version, ignore_errors=True)


@contextmanager
def open_writer(path: str | os.PathLike[str], base_iri: str = DEFAULT_BASE_IRI, *,
                incremental: bool = False) -> Iterator[StoreWriter]:
    """Write a new version of the store at `path`; swapped in only when the block succeeds."""
    root = Path(path)
    with _writer_lock(root):
        try:
            writer = StoreWriter(root, base_iri, incremental=incremental)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{root}: cannot create a new store version ({exc})") from exc
        try:
            yield writer
            writer.manifest.write_pending()  # batched rows: their errors are write errors
        except (OSError, sqlite3.Error) as exc:  # e.g. "No space left", "disk is full"
            writer.abort()
            raise StoreError(f"{root}: writing the store failed ({exc}); the previous "
                             "version is unchanged") from exc
        except BaseException:
            writer.abort()
            raise
        try:
            writer.commit()
        except (OSError, sqlite3.Error) as exc:
            if current_version(root) != writer.version:  # not swapped in: throw it away
                writer.abort()
            raise StoreError(f"{root}: finishing the new store version failed ({exc})") from exc


def find_entry(entries: Iterable[SourceEntry], wanted: str) -> SourceEntry | None:
    """Match a stored source by exact path, resolved path, file name, slug or IRI."""
    entries = list(entries)
    resolved = str(Path(wanted).resolve()) if wanted else wanted
    for entry in entries:
        if wanted in (entry.source, entry.slug, entry.graph) or entry.source == resolved:
            return entry
    matches = [e for e in entries if e.name == Path(wanted).name]
    if len(matches) == 1:
        return matches[0]
    for entry in entries:
        if wanted.endswith("/id/project/" + entry.slug):
            return entry
    return None


# --------------------------------------------------------------------------------------------
# Reader
# --------------------------------------------------------------------------------------------


@dataclass
class StoreInfo:
    """What `esfgraph` prints about a store."""

    path: str
    build_id: str
    base_iri: str
    sources: int
    quads: int
    named_graphs: int


class Store:
    """A store opened for reading (the version current when it was opened).

    Args:
        path: the store directory (see module docstring).
        read_only: kept for the documented interface; reads never write the active version,
            writes go through `open_writer` (or the `load`/`remove_source` helpers here).
    """

    def __init__(self, path: str | os.PathLike[str], read_only: bool = True) -> None:
        self.root = Path(path)
        self.read_only = read_only
        version = current_version(self.root)
        if version is None:
            raise StoreError(f"no store at {self.root}; build one with `esfgraph build SOURCES`")
        self.version = version
        self.build_id = build_id_of(version)
        if not (version / DB_DIR).is_dir():
            raise StoreError(f"{version}: cannot open the store (no {DB_DIR}/ folder)")
        self._ox: Any = None  # opened on first use: `esfgraph query` evaluates in a child
        manifest = Manifest(version / MANIFEST_FILE, read_only=True)
        try:
            self.base_iri = manifest.get_meta("base_iri") or DEFAULT_BASE_IRI
        finally:
            manifest.close()
        self._sources: list[SourceEntry] | None = None  # read on first use: opening stays fast
        self.names = GraphNames(self.base_iri)

    @property
    def ox(self) -> Any:
        """The pyoxigraph store of this version, opened read-only on first use.

        Lazy, so a process that only forks a query child (esfgraph.query.run_isolated) never
        starts the database's threads before the fork.

        Raises:
            StoreError: the database cannot be opened.
        """
        if self._ox is None:
            try:
                self._ox = ox.Store.read_only(str(self.version / DB_DIR))
            except OSError as exc:
                raise StoreError(f"{self.version}: cannot open the store ({exc})") from exc
        return self._ox

    @property
    def db_path(self) -> Path:
        """The database directory of this version."""
        return self.version / DB_DIR

    @property
    def cache_dir(self) -> Path:
        """Directory for cached query results of this version (removed with the version)."""
        return self.version / CACHE_DIR

    def is_stale(self) -> bool:
        """True when a newer build has been swapped in since this store was opened."""
        try:
            latest = current_version(self.root)
        except StoreError:
            return False
        return latest is not None and latest != self.version

    def sources(self) -> list[SourceEntry]:
        """Every stored source file with its sha256 and record slug."""
        if self._sources is None:
            manifest = Manifest(self.version / MANIFEST_FILE, read_only=True)
            try:
                self._sources = manifest.sources()
            finally:
                manifest.close()
        return list(self._sources)

    def query(self, sparql: str, *, substitutions: dict[str, Any] | None = None,
              union: bool = True) -> Any:
        """Run SPARQL over the union of the named graphs; returns pyoxigraph results."""
        subs = None
        if substitutions:
            subs = {ox.Variable(k) if isinstance(k, str) else k: v
                    for k, v in substitutions.items()}
        return self.ox.query(sparql, use_default_graph_as_union=union, substitutions=subs)

    def named_graphs(self) -> list[str]:
        """IRIs of all named graphs, sorted."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def quads_count(self) -> int:
        """Number of quads in the store."""
        return len(self.ox)

    def iter_quads(self, graph: str | None = None, *, personal_data: bool = True
                   ) -> Iterator[ox.Quad]:
        """Stream quads, optionally of one graph and without personal-data graphs."""
        g = ox.NamedNode(graph) if graph else None
        for quad in self.ox.quads_for_pattern(None, None, None, g):
            name = quad.graph_name
            if not personal_data and isinstance(name, ox.NamedNode) and \
                    self.names.is_personal(name.value):
                continue
            yield quad

    def info(self) -> StoreInfo:
        """A summary of the store."""
        return StoreInfo(str(self.root), self.build_id, self.base_iri, len(self.sources()),
                         self.quads_count(), len(self.named_graphs()))

    def dump(self, fmt: ox.RdfFormat, out: IO[bytes] | str | os.PathLike[str] | None = None, *,
             graph: str | None = None, personal_data: bool = True,
             prefixes: dict[str, str] | None = None) -> bytes | None:
        """Serialise the store (or one graph) linearly with pyoxigraph's writers."""
        quads = self.iter_quads(graph, personal_data=personal_data)
        if not fmt.supports_datasets:
            quads = (q.triple for q in quads)  # each triple is in one graph only: no duplicates
        kwargs: dict[str, Any] = {}
        if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
            kwargs["prefixes"] = prefixes
        return ox.serialize(quads, out, fmt, **kwargs)


__all__ = [
    "EncodedRecord",
    "GraphNames",
    "Manifest",
    "SourceEntry",
    "Store",
    "StoreInfo",
    "StoreWriter",
    "check_nquads",
    "current_version",
    "db_dir",
    "encode_record",
    "find_entry",
    "open_writer",
    "term_nt",
]
