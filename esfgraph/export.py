"""Export the store (or one named graph) in an RDF format, with linear-time writers.

pyoxigraph's serialisers stream quads straight from the store (rdflib's Turtle writer grows
quadratically on this kind of graph). Each triple is stored in exactly one named graph (see
esfgraph.store), so writing the triples of every graph gives the union without duplicates.
"""

from __future__ import annotations

import os
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
    try:
        store.dump(ox_format, out, graph=graph, personal_data=personal_data, prefixes=PREFIXES)
    except (OSError, ValueError) as exc:
        raise ExportError(f"the export failed: {exc}") from exc


def _export_jsonld(store: Store, out: Any, *, graph: str | None, personal_data: bool) -> None:
    """JSON-LD with the package context when esfgraph.jsonld provides a writer, else expanded."""
    quads = store.iter_quads(graph, personal_data=personal_data)
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


__all__ = ["FORMATS", "export"]
