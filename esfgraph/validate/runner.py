"""Run the validation: compiled shapes over hash partitions of subjects, in a process pool."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import DCTERMS, PROV, RDF

from esfgraph.errors import ValidationError
from esfgraph.namespaces import ESF, SH
from esfgraph.validate.engine import (
    Quad,
    RawResult,
    build_index,
    evaluate_partition,
    split_quads,
)
from esfgraph.validate.report import Result, SourceRecord, ValidationReport
from esfgraph.validate.shapes import (
    CompiledShapes,
    UnsupportedShapesError,
    compile_shapes,
    load_shapes_graph,
)

#: Below this many quads (about 2,000 records) forking a pool costs more than it saves.
PARALLEL_THRESHOLD = 200_000

# Set in the parent just before forking, so workers read the quads without pickling them.
_JOB: tuple | None = None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_part(args: tuple[int, int]) -> list[RawResult]:
    part, nparts = args
    assert _JOB is not None
    parts, shapes = _JOB
    return evaluate_partition([parts[part]], shapes, part, nparts)


def evaluate(chunks: Sequence[Sequence[Quad]], shapes: CompiledShapes, jobs: int | None = None) -> list[RawResult]:
    """Evaluate shapes over quad chunks, split over `jobs` processes by subject hash.

    The cyclic garbage collector is paused meanwhile: the index is millions of fresh dicts and
    sets that are never cyclic, and each full collection would walk all of them (superlinear
    time) and, in forked workers, write to every object header (copying every shared page).
    """
    global _JOB
    jobs = default_jobs() if jobs is None else max(1, jobs)
    total = sum(len(c) for c in chunks)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if jobs == 1 or total < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
            return evaluate_partition(chunks, shapes, 0, 1)
        parts = split_quads(chunks, shapes, jobs)
        _JOB = (parts, shapes)
        gc.freeze()  # children must not touch the parent's objects for garbage collection
        try:
            ctx = multiprocessing.get_context("fork")
            # The parent validates partition 0 itself while jobs-1 forked children do the rest.
            with ctx.Pool(jobs - 1) as pool:
                pending = pool.map_async(_run_part, [(i, jobs) for i in range(1, jobs)])
                own = evaluate_partition([parts[0]], shapes, 0, jobs)
                others = pending.get()
        finally:
            _JOB = None
            gc.unfreeze()
        return own + [r for part in others for r in part]
    finally:
        if was_enabled:
            gc.enable()


def _shapes(shapes_dir: str | os.PathLike | None) -> CompiledShapes:
    return compile_shapes(str(shapes_dir) if shapes_dir is not None else None)


def _record_graph_iri(graph) -> str | None:
    if graph is None:
        return None
    text = str(graph)
    if "/graph/personal/" in text:
        return text.replace("/graph/personal/", "/graph/record/", 1)
    if "/graph/record/" in text:
        return text
    return None


def _info_from_quads(graph_iri: str, quads: Iterable[Quad]) -> SourceRecord:
    """File name and title of one record, from its provenance triples and its project."""
    g = URIRef(graph_iri)
    source = None
    names: dict = {}
    titles: dict = {}
    projects: set = set()
    for s, p, o, _ in quads:
        if p == PROV.wasDerivedFrom and s == g:
            source = o
        elif p == DCTERMS.identifier and isinstance(o, Literal):
            names[s] = str(o)
        elif p == DCTERMS.title:
            titles.setdefault(s, str(o))
        elif p == RDF.type and o == ESF.Project:
            projects.add(s)
    file = names.get(source) if source is not None else None
    if file is None and source is not None:
        file = str(source).rsplit("/", 1)[-1]
    title = next((titles[p] for p in sorted(projects) if p in titles), None)
    return SourceRecord(graph_iri, file, title)


def _to_results(raw: list[RawResult], info: dict[str, SourceRecord]) -> list[Result]:
    out = []
    for focus, path, shape, severity, component, value, messages, name, graphs in raw:
        records = sorted({r for g in graphs if (r := _record_graph_iri(g))})
        source = None
        if records:
            base = info.get(records[0]) or SourceRecord(records[0])
            source = SourceRecord(base.graph, base.file, base.title, tuple(records[1:]))
        message = _pick_message(messages) or "The data does not meet this rule."
        out.append(Result(focus, path, shape, severity, component, value, message, name, source, messages))
    out.sort(key=lambda r: (r.source_record.graph if r.source_record else "", str(r.focus),
                            str(r.path), str(r.source_shape), str(r.component), str(r.value)))
    return out


def _pick_message(messages: tuple) -> str | None:
    for m in messages:
        if getattr(m, "language", None) == "en":
            return str(m)
    return str(messages[0]) if messages else None


def _needed_graphs(raw: list[RawResult]) -> set[str]:
    return {r for item in raw for g in item[8] if (r := _record_graph_iri(g))}


def validate_quads(chunks: Sequence[Sequence[Quad]], shapes_dir: str | os.PathLike | None = None, *,
                   jobs: int | None = None, allow_warnings: bool = False) -> ValidationReport:
    """Validate quads (grouped in chunks, e.g. one per record) against the shapes."""
    try:
        shapes = _shapes(shapes_dir)
    except UnsupportedShapesError:
        graph = Graph()
        for chunk in chunks:
            for s, p, o, _ in chunk:
                graph.add((s, p, o))
        return validate_with_pyshacl(graph, shapes_dir, allow_warnings=allow_warnings)
    raw = evaluate(chunks, shapes, jobs)
    needed = _needed_graphs(raw)
    info: dict[str, SourceRecord] = {}
    if needed:
        per_graph: dict[str, list] = {g: [] for g in needed}
        for chunk in chunks:
            for q in chunk:
                if q[3] is not None and (lst := per_graph.get(str(q[3]))) is not None:
                    lst.append(q)
        info = {g: _info_from_quads(g, qs) for g, qs in per_graph.items()}
    return ValidationReport(_to_results(raw, info), allow_warnings=allow_warnings)


def graph_quads(data: Graph) -> list[Quad]:
    """All quads of a Graph, Dataset or ConjunctiveGraph (graph name None for a plain graph)."""
    if isinstance(data, (Dataset, ConjunctiveGraph)):
        return [(s, p, o, g.identifier if isinstance(g, Graph) else g) for s, p, o, g in data.quads((None, None, None, None))]
    return [(s, p, o, None) for s, p, o in data]


def validate_graph(data: Graph, shapes_dir: str | os.PathLike | None = None, *, jobs: int | None = None,
                   allow_warnings: bool = False) -> ValidationReport:
    """Validate an rdflib Graph or Dataset (a Dataset is validated as the union of its graphs)."""
    return validate_quads([graph_quads(data)], shapes_dir, jobs=jobs, allow_warnings=allow_warnings)


def validate_records(mapped_records: Iterable, shared_graph: Graph | None = None, *, jobs: int | None = None,
                     shapes_dir: str | os.PathLike | None = None, allow_warnings: bool = False) -> ValidationReport:
    """Validate mapped records together with shared data (reference places, vocabulary).

    Args:
        mapped_records: `esfgraph.mapping.MappedRecord`s (their `quads` are read, not copied).
        shared_graph: graphs every record may link to — pass the reference graph (places) and the
            vocabulary (concepts), or sh:class checks on those links fail.
    Returns:
        A report whose results carry the record (file name, title) they come from; use
        `report.records_with_violations()` to keep bad records out of the store.
    """
    records = list(mapped_records)
    chunks: list[Sequence[Quad]] = [r.quads for r in records]
    if shared_graph is not None:
        chunks.append(graph_quads(shared_graph))
    try:
        shapes = _shapes(shapes_dir)
    except UnsupportedShapesError:
        return validate_quads(chunks, shapes_dir, jobs=jobs, allow_warnings=allow_warnings)
    raw = evaluate(chunks, shapes, jobs)
    needed = _needed_graphs(raw)
    by_graph = {str(r.graph): r for r in records}
    info = {g: _info_from_quads(g, by_graph[g].quads) for g in needed if g in by_graph}
    return ValidationReport(_to_results(raw, info), allow_warnings=allow_warnings)


def shared_graph(base_iri: str) -> Graph:
    """The data every record links to: reference places (link step) and the vocabulary (ontology/)."""
    from esfgraph.resources import ontology_dir

    graph = Graph()
    try:
        from esfgraph.link import default_gazetteer

        graph += default_gazetteer().reference_graph(base_iri)
    except ImportError:  # pragma: no cover - the link package ships with esfgraph
        pass
    for file in sorted(Path(ontology_dir()).glob("*.ttl")):
        graph.parse(file)
    return graph


class RecordValidator:
    """Validate one record at a time, with shared data (places, concepts) indexed once.

    Meant for build workers: create one per process, then call `validate(mapped)` per record.
    Each record is checked on its own quads; cross-record problems (one organisation given two
    names by two pages) only show when the whole graph is validated (`validate_records`).
    """

    def __init__(self, shared_graph: Graph | None = None, shapes_dir: str | os.PathLike | None = None) -> None:
        self.shapes = _shapes(shapes_dir)
        quads = graph_quads(shared_graph) if shared_graph is not None else []
        self.base = build_index([quads], self.shapes, 0, 1)

    @classmethod
    def for_base(cls, base_iri: str, shapes_dir: str | os.PathLike | None = None) -> RecordValidator:
        """A validator that knows esfgraph's reference places and vocabulary for `base_iri`."""
        return cls(shared_graph(base_iri), shapes_dir)

    def validate(self, mapped, *, allow_warnings: bool = False) -> ValidationReport:
        """Validate one MappedRecord (or anything with `.graph` and `.quads`)."""
        raw = evaluate_partition([mapped.quads], self.shapes, 0, 1, self.base)
        info = {}
        if raw:
            info = {g: _info_from_quads(g, mapped.quads) for g in _needed_graphs(raw)}
        return ValidationReport(_to_results(raw, info), allow_warnings=allow_warnings)


def pyshacl_graph_report(data: Graph, shapes_dir: str | os.PathLike | None = None) -> Graph:
    """Run whole-graph pySHACL (the reference semantics) and return its report graph."""
    import pyshacl

    shapes_graph = load_shapes_graph(shapes_dir)
    if isinstance(data, (Dataset, ConjunctiveGraph)):
        union = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        data = union
    _conforms, report_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=False, allow_warnings=False,
    )
    return report_graph


def results_from_report_graph(report_graph: Graph) -> list[Result]:
    """Read the results of a standard sh:ValidationReport graph."""
    out = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        def one(pred, node=node):
            return report_graph.value(node, pred)

        messages = tuple(sorted(report_graph.objects(node, SH.resultMessage)))
        out.append(Result(one(SH.focusNode), one(SH.resultPath), one(SH.sourceShape), one(SH.resultSeverity),
                          one(SH.sourceConstraintComponent), one(SH.value),
                          _pick_message(messages) or "", None, None, messages))
    return out


def validate_with_pyshacl(data: Graph, shapes_dir: str | os.PathLike | None = None, *,
                          allow_warnings: bool = False) -> ValidationReport:
    """Whole-graph pySHACL, wrapped in a ValidationReport (fallback for shapes beyond SHACL Core)."""
    try:
        report_graph = pyshacl_graph_report(data, shapes_dir)
    except Exception as exc:  # pyshacl raises its own error types for bad shapes
        raise ValidationError(f"pySHACL could not validate: {exc}") from exc
    return ValidationReport(results_from_report_graph(report_graph), allow_warnings=allow_warnings, engine="pyshacl")


__all__ = [
    "RecordValidator",
    "default_jobs",
    "evaluate",
    "graph_quads",
    "pyshacl_graph_report",
    "results_from_report_graph",
    "shared_graph",
    "validate_graph",
    "validate_quads",
    "validate_records",
    "validate_with_pyshacl",
]
