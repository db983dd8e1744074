"""Export the store (or one named graph) in an RDF format, with linear-time writers.

pyoxigraph's serialisers stream quads straight from the store (rdflib's Turtle writer grows
quadratically on this kind of graph). Each triple is stored in exactly one named graph (see
esfgraph.store), so writing the triples of every graph gives the union without duplicates.

Counts describe the export: an export that leaves the personal data out carries a dataset
description (VoID triples, entities, class partitions) counted over what it writes, not the
store's (esfgraph.dataset_description).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox

from esfgraph.errors import ExportError
from esfgraph.namespaces import PREFIXES
from esfgraph.store import Store

#: Format name → (pyoxigraph format or None for JSON-LD, file extension).
FORMATS: dict[str, tuple[Any, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "nq": (ox.RdfFormat.N_QUADS, "nq"),
    "trig": (ox.RdfFormat.TRIG, "trig"),
    "xml": (ox.RdfFormat.RDF_XML, "rdf"),
    "json-ld": (None, "jsonld"),
}


def export(store: Store, fmt: str, out: IO[bytes] | str | os.PathLike[str], *,
           graph: str | None = None, personal_data: bool = True) -> None:
    """Write the store in `fmt` to `out` (a binary stream or a path).

    Args:
        store: the open store.
        fmt: turtle, json-ld, nt, nq, trig or xml.
        out: where to write.
        graph: one named graph IRI instead of everything.
        personal_data: False leaves out every personal-data graph.

    Raises:
        ExportError: unknown format, or a graph that is not in the store.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if graph is not None and graph not in store.named_graphs():
        raise ExportError(f"no named graph <{graph}> in the store; `esfgraph query "
                          "'SELECT DISTINCT ?g {{ GRAPH ?g {{}} }}'` lists them")
    if graph is not None and not personal_data and store.names.is_personal(graph):
        raise ExportError(f"<{graph}> holds personal data and --no-personal-data was given")
    ox_format, _ = FORMATS[fmt]
    if ox_format is None:
        _export_jsonld(store, out, graph=graph, personal_data=personal_data)
        return
    if graph is None and not personal_data:
        quads: Iterator[ox.Quad] = export_quads(store, personal_data=False)
        if not ox_format.supports_datasets:
            quads = (q.triple for q in quads)  # type: ignore[misc]
        kwargs: dict[str, Any] = {}
        if ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
            kwargs["prefixes"] = PREFIXES
        try:
            ox.serialize(quads, out, ox_format, **kwargs)
        except (OSError, ValueError) as exc:
            raise ExportError(f"the export failed: {exc}") from exc
        return
    try:
        store.dump(ox_format, out, graph=graph, personal_data=personal_data, prefixes=PREFIXES)
    except (OSError, ValueError) as exc:
        raise ExportError(f"the export failed: {exc}") from exc


def export_quads(store: Store, graph: str | None = None, *, personal_data: bool = True
                 ) -> Iterator[ox.Quad]:
    """The quads an export writes: the store's (or one graph's), and without personal data a
    dataset description whose counts are those of the export (written in place of the
    store's, which counts the personal graphs too)."""
    if graph is not None or personal_data:
        yield from store.iter_quads(graph, personal_data=personal_data)
        return
    from esfgraph.dataset_description import built_at, describe
    from esfgraph.mapping import build_time

    names = store.names
    dataset = names.dataset
    raw = store.ox
    described = any(True for _ in raw.quads_for_pattern(None, None, None,
                                                        ox.NamedNode(dataset)))
    for quad in store.iter_quads(personal_data=False):
        name = quad.graph_name
        if not (described and isinstance(name, ox.NamedNode) and name.value == dataset):
            yield quad
    if not described:
        return  # a store without a description (an old build): nothing to correct
    when = built_at(raw, names.base, dataset) or build_time()
    text, _triples, _classes = describe(raw, names.base, dataset, len(store.sources()), when,
                                        personal_prefix=names.personal_prefix)
    graph_node = ox.NamedNode(dataset)
    for triple in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, graph_node)


def _export_jsonld(store: Store, out: Any, *, graph: str | None, personal_data: bool) -> None:
    """JSON-LD with the package context when esfgraph.jsonld provides a writer, else expanded."""
    quads = export_quads(store, graph, personal_data=personal_data)
    try:
        from esfgraph.jsonld import write_jsonld  # the mapping helper's linear writer
    except ImportError:
        write_jsonld = None
    if write_jsonld is not None:
        # quads arrive graph by graph, so the writer holds one graph at a time; everything is
        # written into the default graph (the union), which every JSON-LD reader loads: named
        # graphs stay available in nq and trig
        if isinstance(out, (str, os.PathLike)):
            with open(out, "wb") as handle:
                write_jsonld(quads, handle, union=True)
        else:
            write_jsonld(quads, out, union=True)
        return
    try:
        ox.serialize((q.triple for q in quads), out, ox.RdfFormat.JSON_LD)
    except (OSError, ValueError) as exc:
        raise ExportError(f"the export failed: {exc}") from exc


__all__ = ["FORMATS", "export", "export_quads"]
