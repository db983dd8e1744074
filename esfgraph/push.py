"""Copy a store's named graphs onto a remote SPARQL server, one graph at a time, resumably.

A small state file beside the store remembers, per endpoint, the sha256 of every graph already
sent; a re-run after an interruption (or after a rebuild) sends only graphs that are new or changed
and drops graphs it had sent earlier that no longer exist locally. Afterwards the number of triples
of every graph on the server is compared with the local count.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from esfgraph.errors import StoreError
from esfgraph.remote import RemoteEndpoint, RemoteError

#: Called after each graph: (graphs done, graphs in total).
Progress = Callable[[int, int], None]

STATE_VERSION = 1


@dataclass
class PushReport:
    """What a push did: graphs sent, skipped (unchanged), dropped, and any count mismatch."""

    endpoint: str
    total: int = 0
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: graphs found already on the server (--adopt) and recorded as sent.
    adopted: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    triples_sent: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    #: graph IRI → (local triples, remote triples) where they differ after the push.
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    verified: int = 0
    default_graph_triples: int = 0
    state_file: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every graph on the server has as many triples as the local one."""
        return not self.mismatches

    def summary(self) -> str:
        """One paragraph for the CLI."""
        rate = self.triples_sent / self.seconds if self.seconds > 0 else 0.0
        lines = [f"pushed to {self.endpoint}: {len(self.sent)} graph(s) sent "
                 f"({self.triples_sent} triples, {self.bytes_sent / 1e6:.1f} MB, "
                 f"{self.seconds:.1f} s, {rate:.0f} triples/s), "
                 f"{len(self.skipped)} unchanged and skipped, "
                 + (f"{len(self.adopted)} adopted as already there, " if self.adopted else "")
                 + f"{len(self.dropped)} dropped; "
                 f"{self.verified} graph(s) verified."]
        if self.default_graph_triples:
            lines.append(f"note: {self.default_graph_triples} triple(s) in the local default "
                         "graph were not pushed (esfgraph keeps all data in named graphs).")
        for graph, (local, remote) in sorted(self.mismatches.items()):
            lines.append(f"MISMATCH <{graph}>: {local} triples here, {remote} on the server")
        return "\n".join(lines)


def resolve_store_dir(store_path: str | os.PathLike[str]) -> Path:
    """The pyoxigraph directory behind `store_path`: the active version of an esfgraph store
    (its `current` pointer), or `store_path` itself when it is a plain pyoxigraph store."""
    from esfgraph.store import current_version, db_dir

    path = Path(store_path)
    if not path.exists():
        raise StoreError(f"{path}: no store here; run `esfgraph build` first or give --store")
    if current_version(path) is not None:
        return db_dir(path)
    return path


def open_store(store_path: str | os.PathLike[str]) -> pyoxigraph.Store:
    """Open the store read-only (the active version is never written again, so this is safe
    while a new build runs)."""
    directory = resolve_store_dir(store_path)
    try:
        return pyoxigraph.Store.read_only(str(directory))
    except OSError as exc:
        raise StoreError(f"{directory}: cannot open the store ({exc})") from exc


def is_personal_graph(graph_iri: str) -> bool:
    """Whether a graph holds personal data (`{base}graph/personal/...`, see DATA-MODEL.md)."""
    return "/graph/personal/" in graph_iri


def graph_ntriples(store: pyoxigraph.Store, graph_iri: str) -> bytes:
    """One named graph as N-Triples with sorted lines (stable bytes, so a stable hash)."""
    data = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                      from_graph=pyoxigraph.NamedNode(graph_iri))
    lines = sorted(line for line in data.split(b"\n") if line)
    return b"\n".join(lines) + b"\n" if lines else b""


def state_path(store_path: str | os.PathLike[str], endpoint: RemoteEndpoint) -> Path:
    """Where the resume state for this store and endpoint is kept."""
    digest = hashlib.sha256(endpoint.identity.encode("utf-8")).hexdigest()[:16]
    return Path(store_path) / f"push-state-{digest}.json"


def _load_state(path: Path, endpoint: RemoteEndpoint) -> dict[str, str]:
    """Graph IRI → sha256 of what was sent; empty when there is no usable state file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if doc.get("version") != STATE_VERSION or doc.get("endpoint") != endpoint.identity:
        return {}
    graphs = doc.get("graphs")
    return dict(graphs) if isinstance(graphs, dict) else {}


def _save_state(path: Path, endpoint: RemoteEndpoint, graphs: dict[str, str]) -> None:
    """Write the state atomically (a crash mid-write must not lose what was sent)."""
    doc = {"version": STATE_VERSION, "endpoint": endpoint.identity, "graphs": graphs}
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(doc, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the push state ({exc.strerror})") from exc


def _local_graphs(store: pyoxigraph.Store) -> list[str]:
    """Sorted IRIs of the store's named graphs (blank-node graph names are not pushable)."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode))


def push(store_path: str | os.PathLike[str], endpoint: RemoteEndpoint, *, resume: bool = True,
         graphs: Iterable[str] | None = None, progress: Progress | None = None,
         personal_data: bool = True, verify: bool = True, adopt: bool = False,
         save_every: int = 50) -> PushReport:
    """Copy every named graph of the store at `store_path` to `endpoint`, one graph at a time.

    Args:
        store_path: the store directory (as given to `esfgraph build`).
        endpoint: where to write.
        resume: skip graphs whose content was already sent to this endpoint (state file);
            False sends everything again.
        graphs: push only these graph IRIs (no dropping of others).
        progress: called after each graph with (done, total).
        personal_data: False leaves out the personal-data graphs (and drops them from the
            server if an earlier push sent them).
        adopt: send nothing; record every graph whose triple count on the server equals the
            local one as sent (after a bulk load with the server's own loader), so later
            pushes send only what changes.
        verify: compare the triple count of every pushed graph on the server with the local one.
        save_every: write the state file after this many graphs (and at the end).

    Raises:
        StoreError: the store cannot be opened or the state cannot be written.
        RemoteError: the server refused a request; graphs sent before it are kept in the
            state file, so the next run continues from there.
    """
    started = time.perf_counter()
    store = open_store(store_path)
    local = _local_graphs(store)
    if not personal_data:
        local = [g for g in local if not is_personal_graph(g)]
    report = PushReport(endpoint=endpoint.graph_store_url or endpoint.update_url
                        or endpoint.query_url)
    report.default_graph_triples = sum(
        1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    wanted = local
    if graphs is not None:
        chosen = set(graphs)
        unknown = sorted(chosen - set(local))
        if unknown:
            raise StoreError(f"{store_path}: no named graph {unknown[0]!r} in the store "
                             f"({len(unknown)} unknown)")
        wanted = [g for g in local if g in chosen]
    report.total = len(wanted)
    spath = state_path(store_path, endpoint)
    report.state_file = spath
    state = _load_state(spath, endpoint) if resume else {}
    if not resume:
        _save_state(spath, endpoint, state)  # forget earlier pushes before sending anything
    local_counts: dict[str, int] = {}
    pending: dict[str, str] = {}  # adopt: graph -> digest, recorded once the counts match
    unsaved = 0
    try:
        if graphs is None and not adopt:
            for gone in sorted(set(state) - set(local)):
                endpoint.drop_graph(gone)
                del state[gone]
                report.dropped.append(gone)
                unsaved += 1
        for done, graph in enumerate(wanted, 1):
            data = graph_ntriples(store, graph)
            local_counts[graph] = data.count(b"\n")
            digest = hashlib.sha256(data).hexdigest()
            if state.get(graph) == digest:
                report.skipped.append(graph)
            elif adopt:
                pending[graph] = digest
            else:
                endpoint.put_graph(graph, data)
                state[graph] = digest
                report.sent.append(graph)
                report.triples_sent += local_counts[graph]
                report.bytes_sent += len(data)
                unsaved += 1
                if unsaved >= save_every:
                    _save_state(spath, endpoint, state)
                    unsaved = 0
            if progress:
                progress(done, report.total)
    finally:
        if unsaved:
            _save_state(spath, endpoint, state)
    if (verify or adopt) and wanted:
        _verify(endpoint, local_counts, report, state, spath)
    if adopt:
        report.adopted = sorted(g for g in pending if g not in report.mismatches)
        state.update({g: pending[g] for g in report.adopted})
        _save_state(spath, endpoint, state)
    report.seconds = time.perf_counter() - started
    return report


def _verify(endpoint: RemoteEndpoint, local_counts: dict[str, int], report: PushReport,
            state: dict[str, str], spath: Path, batch: int = 500) -> None:
    """Compare per-graph triple counts; a mismatching graph is forgotten so a re-run resends it."""
    names = sorted(local_counts)
    remote: dict[str, int] = {}
    for i in range(0, len(names), batch):
        remote.update(endpoint.graph_counts(names[i:i + batch]))
    for graph in names:
        here, there = local_counts[graph], remote.get(graph, 0)
        if here != there:
            report.mismatches[graph] = (here, there)
            state.pop(graph, None)
    report.verified = len(names)
    if report.mismatches:
        _save_state(spath, endpoint, state)


__all__ = ["PushReport", "RemoteError", "is_personal_graph", "open_store", "push",
           "resolve_store_dir", "state_path"]
