"""Read data to validate: RDF files (format from the extension) or an esfgraph store."""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD

from esfgraph.errors import ValidationError
from esfgraph.validate.engine import Quad

#: rdflib parser names by file extension.
FORMATS = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nq": "nquads", ".nquads": "nquads",
    ".nt": "nt", ".ntriples": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml",
    ".xml": "xml", ".owl": "xml", ".n3": "n3",
}


def quads_from_files(paths: list[str | os.PathLike]) -> list[Quad]:
    """Parse RDF files into quads; triple formats land in the default graph (name None)."""
    ds = Dataset()
    for path in paths:
        path = Path(path)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(FORMATS))
            raise ValidationError(f"{path}: unknown RDF file extension; use one of {known}")
        if not path.is_file():
            raise ValidationError(f"{path}: no such file")
        try:
            ds.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser error types
            raise ValidationError(f"{path}: not valid {fmt} ({exc})") from exc
    default = ds.default_graph.identifier if hasattr(ds, "default_graph") else None
    out: list[Quad] = []
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        out.append((s, p, o, None if name == default else name))
    return out


def _term(t):
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == str(XSD.string):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(dt))
    return None  # the default graph


def quads_from_store(path: str | os.PathLike) -> list[Quad]:
    """Every quad of an esfgraph store (or a bare pyoxigraph directory), as rdflib terms."""
    try:
        from esfgraph.store import Store

        store = Store(path)
        quads = store.iter_quads()
    except ImportError:  # pragma: no cover - the store module ships with esfgraph
        quads = None
    except Exception as exc:
        if not (Path(path) / "CURRENT").exists():  # not a bare pyoxigraph directory either
            raise ValidationError(str(exc)) from exc
        quads = None
    if quads is None:
        import pyoxigraph as ox

        try:
            quads = ox.Store.read_only(str(path)).quads_for_pattern(None, None, None, None)
        except OSError as exc:
            raise ValidationError(f"{path}: cannot open the store ({exc})") from exc
    cache: dict = {}

    def conv(t):
        key = (type(t), str(t))
        value = cache.get(key)
        if value is None:
            value = cache[key] = _term(t)
        return value

    return [(conv(q.subject), conv(q.predicate), conv(q.object), conv(q.graph_name)) for q in quads]


__all__ = ["FORMATS", "quads_from_files", "quads_from_store"]
