"""The explorer's search index for `serve --endpoint`: built from the remote SPARQL endpoint.

Why built here, at start, rather than shipped by `push`: the remote may be filled by other
means than `esfgraph push` (a bulk load, another tool, Virtuoso's own loader), and a SPARQL
endpoint has no place for a SQLite file; reading the graph back needs nothing but the SPARQL
protocol the server already speaks, and the index then matches what the server holds, not what
some store once pushed. The index code stays the one the store mode uses: the remote's quads
are copied into a temporary pyoxigraph store (on disk: millions of quads at 100k projects), and
`esfgraph.explore.index.update_index` reads the projects back from it exactly as it does for a
store built by an older esfgraph.

How it reads: the named graphs and their sizes first (one aggregate), then the quads of several
small graphs per request (`VALUES ?g`, SPARQL JSON), each batch's count checked; a graph bigger
than a page whole in one CONSTRUCT (N-Triples, loaded by pyoxigraph). What the server cuts
short (Virtuoso's ResultSetMaxRows) is read again in pages ordered by `?g ?s ?p ?o`, so that the
pages neither overlap nor leave gaps. A count that does not add up (the
remote changed meanwhile) fails the build with a message; the next request after
`RETRY_SECONDS` starts it again.

When: `esfgraph serve --endpoint` starts the build as the server starts
(esfgraph.library.serving); an app made with `create_app` starts it on the first request that
needs the index (search, map, their downloads, a card's related projects), so that merely
creating an app sends the remote nothing. Until it is ready those answer 503 "being built".

Where: a temporary folder owned by this process, removed at exit. The index is not refreshed
while the server runs: a restart picks up what changed on the remote since.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esfgraph.explore.search import SearchIndex
from esfgraph.remote import FORMATS, RemoteEndpoint

#: Quads asked for in one request (also the size under which graphs are batched together).
PAGE = 10_000
#: Seconds after a failed build before a request starts another one.
RETRY_SECONDS = 60.0
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: esf:Project (esfgraph.namespaces.ESF: the ontology's namespace, whatever the base IRI)
_PROJECT_CLASS = "https://w3id.org/esfgraph/ontology#Project"


class RemoteIndexError(Exception):
    """The remote's graph could not be read whole (message says which graph and why)."""


@dataclass
class BuildReport:
    """What one build from the remote did."""

    graphs: int = 0
    quads: int = 0
    projects: int = 0
    requests: int = 0
    #: quads with a term the index never reads (an RDF-star triple), left out
    skipped: int = 0
    read_seconds: float = 0.0
    #: of read_seconds, waiting for the remote's answers (the rest: parsing and storing)
    remote_seconds: float = 0.0
    index_seconds: float = 0.0


@dataclass
class _Build:
    """The state of the index of one endpoint (as seen with one base IRI)."""

    folder: Path
    thread: threading.Thread | None = None
    index: SearchIndex | None = None
    error: str | None = None
    failed_at: float = 0.0
    built_at: float | None = None  # time.time() when the index became ready
    report: BuildReport = field(default_factory=BuildReport)


_BUILDS: dict[tuple[str, str | None, str], _Build] = {}
_LOCK = threading.Lock()


def _key(settings: Any) -> tuple[str, str | None, str]:
    return (settings.endpoint, getattr(settings, "auth", None), settings.base_iri)


def status(settings: Any) -> tuple[SearchIndex | None, str | None]:
    """The ready index of `settings.endpoint`, else (None, why not); starts a build if none runs.

    Returns (index, None) when ready; (None, None) while building; (None, error) after a failed
    build (a new one starts once `RETRY_SECONDS` have passed).
    """
    key = _key(settings)
    with _LOCK:
        build = _BUILDS.get(key)
        if build is None:
            folder = Path(tempfile.mkdtemp(prefix="esfgraph-remote-index-"))
            atexit.register(shutil.rmtree, folder, True)
            build = _BUILDS[key] = _Build(folder)
        if build.index is not None:
            return build.index, None
        if build.thread is not None and build.thread.is_alive():
            return None, None
        if build.error is not None and time.monotonic() - build.failed_at < RETRY_SECONDS:
            return None, build.error
        build.error = None
        build.thread = threading.Thread(target=_run, args=(settings, build), daemon=True,
                                        name="esfgraph-remote-index")
        build.thread.start()
        return None, None


def built_at(settings: Any) -> float | None:
    """When the index of `settings.endpoint` became ready (epoch seconds), or None."""
    build = _BUILDS.get(_key(settings))
    return build.built_at if build is not None else None


def _run(settings: Any, build: _Build) -> None:
    """Build in this thread; record the index or the error (never raises)."""
    endpoint = RemoteEndpoint(settings.endpoint, auth=getattr(settings, "auth", None),
                              timeout=max(float(getattr(settings, "timeout", 60)), 60.0))
    print(f"esfgraph: building the explorer index from {settings.endpoint}", file=sys.stderr)
    try:
        report = build_index(endpoint, settings.base_iri, build.folder)
        index = SearchIndex(build.folder / "version" / _index_file())
    except Exception as exc:  # noqa: BLE001 - reported on the pages and on stderr
        with _LOCK:
            build.error = (f"Building the search index from the remote SPARQL endpoint failed "
                           f"({exc}); it is tried again in a minute.")
            build.failed_at = time.monotonic()
        print(f"esfgraph: {build.error}", file=sys.stderr)
        return
    with _LOCK:
        build.report, build.index, build.built_at = report, index, time.time()
    print(f"esfgraph: explorer index built from the remote ({report.projects} projects, "
          f"{report.quads} quads in {report.requests} requests: read {report.read_seconds:.1f} s, "
          f"indexed {report.index_seconds:.1f} s)", file=sys.stderr)


def _index_file() -> str:
    from esfgraph.explore.index import INDEX_FILE

    return INDEX_FILE


def build_index(endpoint: RemoteEndpoint, base_iri: str, folder: Path,
                page: int = PAGE) -> BuildReport:
    """Read every named graph of `endpoint` and write the explore index into `folder/version`.

    Raises:
        RemoteIndexError: a graph's quads did not add up to its count.
        RemoteError: the remote failed or refused a request.
    """
    import pyoxigraph as ox

    from esfgraph.explore.index import update_index

    report = BuildReport()
    started = time.monotonic()
    # on disk, not in memory: the whole graph of 100k projects is millions of quads
    quads_dir = folder / "quads"
    shutil.rmtree(quads_dir, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(quads_dir))
    try:
        load_remote(endpoint, store, page, report)
        report.read_seconds = time.monotonic() - started
        prefix = f"{base_iri}id/project/"
        slugs = sorted({q.subject.value[len(prefix):]
                        for q in store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE),
                                                         ox.NamedNode(_PROJECT_CLASS), None)
                        if isinstance(q.subject, ox.NamedNode)
                        and q.subject.value.startswith(prefix)
                        and "/" not in q.subject.value[len(prefix):]})
        report.projects = len(slugs)
        started = time.monotonic()
        version = folder / "version"
        version.mkdir(parents=True, exist_ok=True)
        update_index(version, store, base_iri, slugs)
        report.index_seconds = time.monotonic() - started
    finally:
        del store
        shutil.rmtree(quads_dir, ignore_errors=True)
    return report


def load_remote(endpoint: RemoteEndpoint, store: Any, page: int, report: BuildReport) -> None:
    """Copy the remote's named graphs into `store` (a pyoxigraph Store), each count checked."""
    counts = endpoint.graph_counts()
    report.requests += 1
    report.graphs = len(counts)
    batch: list[str] = []
    size = 0
    for graph in sorted(counts):
        n = counts[graph]
        if n > page:
            _read_big(endpoint, store, graph, n, page, report)
            continue
        if batch and size + n > page:
            _read_batch(endpoint, store, batch, size, page, report)
            batch, size = [], 0
        batch.append(graph)
        size += n
    if batch:
        _read_batch(endpoint, store, batch, size, page, report)


def _read_big(endpoint: RemoteEndpoint, store: Any, graph: str, expected: int, page: int,
              report: BuildReport) -> None:
    """A graph bigger than a page: whole, as N-Triples, when the server sends it all (no
    ordering to page by: paging with ORDER BY sorts the graph once per page); else in pages."""
    import pyoxigraph as ox

    from esfgraph.errors import RemoteError

    name = ox.NamedNode(graph)
    started = time.monotonic()
    got = -1
    try:
        data = endpoint.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                              FORMATS["nt"])
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        got = int(next(iter(store.query(count)))["n"].value)
    except (RemoteError, SyntaxError, ValueError):
        pass  # refused, cut or not N-Triples: the pages below say what is wrong, if anything
    finally:
        report.remote_seconds += time.monotonic() - started
        report.requests += 1
    if got == expected:
        report.quads += got
        return
    store.clear_graph(name)
    _read_batch(endpoint, store, [graph], expected, page, report)


def _read_batch(endpoint: RemoteEndpoint, store: Any, graphs: list[str], expected: int,
                page: int, report: BuildReport) -> None:
    """The quads of `graphs` (`expected` of them): one request when the server sends them all,
    else ordered pages of the size the server does send."""
    values = " ".join(f"<{g}>" for g in graphs)
    where = "WHERE { VALUES ?g { " + values + " } GRAPH ?g { ?s ?p ?o } }"
    got = 0
    if expected <= page:
        rows, quads = select_quads(endpoint, "SELECT ?g ?s ?p ?o " + where, report)
        if rows == expected:
            store.bulk_extend(quads)
            return
        if rows > expected or not rows:
            raise _mismatch(graphs, expected, rows)
        page = rows  # the server cuts answers at this size: read in pages of it
        report.quads -= rows
    while got < expected:
        rows, quads = select_quads(endpoint, f"SELECT ?g ?s ?p ?o {where} "
                                             f"ORDER BY ?g ?s ?p ?o LIMIT {page} OFFSET {got}",
                                   report)
        if not rows:
            raise _mismatch(graphs, expected, got)
        got += rows
        store.bulk_extend(quads)
    if got != expected:
        raise _mismatch(graphs, expected, got)


def select_quads(endpoint: RemoteEndpoint, sparql: str, report: BuildReport) -> tuple[int, list[Any]]:
    """(rows, quads) of one SELECT ?g ?s ?p ?o; the SPARQL JSON is parsed by pyoxigraph. A row whose terms make no quad (an
    RDF-star triple, an unbound variable) is counted apart: the index never reads those."""
    import pyoxigraph as ox

    started = time.monotonic()
    data = endpoint.query(sparql, FORMATS["json"])
    report.remote_seconds += time.monotonic() - started
    report.requests += 1
    rows = 0
    quads = []
    try:
        for solution in ox.parse_query_results(data, ox.QueryResultsFormat.JSON):
            rows += 1
            try:
                quads.append(ox.Quad(solution["s"], solution["p"], solution["o"],
                                     solution["g"]))
            except (TypeError, ValueError, KeyError):
                report.skipped += 1
    except SyntaxError:
        # pyoxigraph refuses some servers' blank node labels (Virtuoso's `nodeID://b1`)
        rows, quads = _quads_slowly(endpoint, data, report)
    report.quads += rows
    return rows, quads


def _quads_slowly(endpoint: RemoteEndpoint, data: bytes,
                  report: BuildReport) -> tuple[int, list[Any]]:
    """(rows, quads) of a SPARQL JSON answer read term by term in Python."""
    import json

    import pyoxigraph as ox

    try:
        rows = json.loads(data)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteIndexError(f"{endpoint.query_url}: the answer is not SPARQL results JSON "
                               f"({exc})") from None
    bnodes: dict[str, Any] = {}
    quads = []
    for row in rows:
        try:
            terms = [_term(row[v], bnodes) for v in ("s", "p", "o", "g")]
            quads.append(ox.Quad(*terms))
        except (KeyError, TypeError, ValueError, AttributeError):
            report.skipped += 1
    return len(rows), quads


def _term(cell: dict[str, str], bnodes: dict[str, Any]) -> Any:
    """A SPARQL 1.1 Results JSON term as a pyoxigraph term (None for another kind, such as an
    RDF-star triple: the quad is then refused). Blank node labels hold within one answer."""
    import pyoxigraph as ox

    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return bnodes.setdefault(value, ox.BlankNode())
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in cell:
            return ox.Literal(value, language=cell["xml:lang"])
        if "datatype" in cell:
            return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]))
        return ox.Literal(value)
    return None


def _mismatch(graphs: list[str], expected: int, got: int) -> RemoteIndexError:
    where = f"<{graphs[0]}>" if len(graphs) == 1 else f"{len(graphs)} graphs from <{graphs[0]}>"
    return RemoteIndexError(f"{where}: the remote counted {expected} quads but sent {got} "
                            f"(did it change meanwhile?)")


__all__ = ["PAGE", "BuildReport", "RemoteIndexError", "build_index", "built_at", "load_remote",
           "select_quads", "status"]
