"""A linear, streaming JSON-LD writer with a short readable context (rdflib's is too slow).

Quads are grouped by graph (consecutive runs) and by subject, then written as compacted node
objects: one `{"@id": graph, "@graph": [...]}` object per run of quads in a graph. Terms from
the context are used only where the value fits the term's coercion, so the output expands
(pyld) to exactly the input triples.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from typing import Any, BinaryIO, Iterable, TextIO

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from esfgraph.resources import package_path

try:  # the store hands over pyoxigraph terms; accept them without converting to rdflib
    import pyoxigraph as _ox
except ImportError:  # pragma: no cover
    _ox = None

CONTEXT_FILE = "context.jsonld"
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_DEFAULT_GRAPHS = {"urn:x-rdflib:default"}

# Terms are normalised to tuples: ("i", iri) | ("b", label) | ("l", lexical, datatype, lang)
# with datatype None for xsd:string and for language-tagged strings.


def _term(t: Any) -> tuple:
    """Normalise an rdflib or pyoxigraph term (or None for the default graph)."""
    if isinstance(t, URIRef):
        return ("i", str(t))
    if isinstance(t, Literal):
        dt = None if t.language or t.datatype is None else str(t.datatype)
        return ("l", str(t), None if dt == _XSD_STRING else dt, t.language)
    if isinstance(t, BNode):
        return ("b", str(t))
    if _ox is not None:
        if isinstance(t, _ox.NamedNode):
            return ("i", t.value)
        if isinstance(t, _ox.Literal):
            lang = t.language
            dt = None if lang else t.datatype.value
            return ("l", t.value, None if dt == _XSD_STRING else dt, lang)
        if isinstance(t, _ox.BlankNode):
            return ("b", t.value)
        if isinstance(t, _ox.DefaultGraph):
            return None
    if t is None:
        return None
    raise TypeError(f"not an RDF term: {t!r}")


def _spog(item: Any) -> tuple[Any, Any, Any, Any]:
    """(s, p, o, g) from an rdflib 3/4-tuple or a pyoxigraph Quad/Triple."""
    if isinstance(item, tuple):
        return item if len(item) == 4 else (*item, None)
    graph = getattr(item, "graph_name", None)
    return item.subject, item.predicate, item.object, graph


@lru_cache(maxsize=1)
def load_context() -> dict[str, Any]:
    """The packaged context document (`{"@context": {...}}`), read once."""
    path = package_path("jsonld", CONTEXT_FILE)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


class _Compactor:
    """Chooses keys and value forms from one context; caches per predicate."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context.get("@context", context)
        self.vocab: str | None = ctx.get("@vocab")
        self.prefixes: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None, str | None]] = {}  # term → (iri, type, lang)
        for key, value in ctx.items():
            if key.startswith("@"):
                continue
            if isinstance(value, str):
                if value.endswith(("/", "#")):
                    self.prefixes[key] = value
                self.terms[key] = (value, None, None)
        for key, value in ctx.items():
            if key.startswith("@") or not isinstance(value, dict):
                continue
            iri = self.expand(value.get("@id", key))
            typ = value.get("@type")
            if typ is not None and typ != "@id":
                typ = self.expand(typ)
            self.terms[key] = (iri, typ, value.get("@language"))
        # predicate → candidate terms (with coercion) that map to it
        self.by_iri: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for term, (iri, typ, lang) in self.terms.items():
            if term in self.prefixes:
                continue
            self.by_iri.setdefault(iri, []).append((term, typ, lang))
        self._fallback: dict[str, str] = {}

    def expand(self, value: str) -> str:
        """Expand a compact IRI with the context's prefixes."""
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def key_for(self, iri: str) -> str:
        """A key that expands to `iri` with no coercion (vocab name, compact IRI or absolute)."""
        key = self._fallback.get(iri)
        if key is not None:
            return key
        key = iri
        if self.vocab and iri.startswith(self.vocab):
            local = iri[len(self.vocab):]
            if local and local not in self.terms and ":" not in local and not local.startswith("@") \
                    and local.replace("_", "a").replace("-", "a").isalnum():
                key = local
        if key == iri:
            for prefix, ns in self.prefixes.items():
                if iri.startswith(ns):
                    local = iri[len(ns):]
                    cand = f"{prefix}:{local}"
                    if local and not local.startswith("//") and cand not in self.terms:
                        key = cand
                        break
        self._fallback[iri] = key
        return key

    def type_name(self, iri: str) -> str:
        """A vocab-relative @type value (same rules as keys)."""
        return self.key_for(iri)

    @staticmethod
    def value(obj: tuple) -> Any:
        """The expanded-form JSON value of a normalised term (no coercion)."""
        kind = obj[0]
        if kind == "i":
            return {"@id": obj[1]}
        if kind == "b":
            return {"@id": "_:" + obj[1]}
        if obj[3]:
            return {"@value": obj[1], "@language": obj[3]}
        if obj[2] is not None:
            return {"@value": obj[1], "@type": obj[2]}
        return obj[1]

    def entry(self, pred: str, obj: tuple) -> tuple[str, Any]:
        """(key, JSON value) for one object of one predicate."""
        for term, typ, lang in self.by_iri.get(pred, ()):
            if typ is None and lang is None:  # no coercion: any value in expanded form
                return term, self.value(obj)
            if typ == "@id":
                if obj[0] != "l":
                    return term, _node_id(obj)
            elif obj[0] == "l":
                if lang is not None:
                    if obj[3] == lang:
                        return term, obj[1]
                elif obj[3] is None and obj[2] == typ:
                    return term, obj[1]
        return self.key_for(pred), self.value(obj)


def _node_id(term: tuple) -> str:
    return "_:" + term[1] if term[0] == "b" else term[1]


def _node(comp: _Compactor, subject: Any, props: dict[str, list[Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _node_id(subject)}
    types = props.pop(_RDF_TYPE, None)
    if types:
        literal_types = [t for t in types if t[0] == "l"]
        names = [comp.type_name(t[1]) if t[0] == "i" else _node_id(t)
                 for t in types if t[0] != "l"]
        if names:
            node["@type"] = names[0] if len(names) == 1 else names
        if literal_types:  # rdf:type with a literal object: keep it, as a plain property
            node["rdf:type" if "rdf" in comp.prefixes else _RDF_TYPE] = [
                comp.value(t) for t in literal_types]
    for pred, objs in props.items():
        for obj in objs:
            key, val = comp.entry(pred, obj)
            cur = node.get(key)
            if cur is None:
                node[key] = val
            elif isinstance(cur, list):
                cur.append(val)
            else:
                node[key] = [cur, val]
    return node


def _writer(out: Any) -> Any:
    """A `write(str)` for text streams and for binary ones (files opened 'wb', stdout.buffer)."""
    if isinstance(out, (io.RawIOBase, io.BufferedIOBase)) or (
            not isinstance(out, io.TextIOBase) and "b" in getattr(out, "mode", "")):
        return lambda text: out.write(text.encode("utf-8"))
    return out.write


def write_jsonld(quads: Iterable[Any], out: TextIO | BinaryIO,
                 context: dict[str, Any] | None = None, *, embed_context: bool = True,
                 union: bool = False, context_ref: str | None = None) -> int:
    """Write quads as one JSON-LD document in time linear in the number of quads.

    Args:
        quads: rdflib (s, p, o, g) or (s, p, o) tuples, or pyoxigraph Quads/Triples; a graph of
            None (or the default graph) means the default graph. Quads of one graph should come
            together (they do from MappedRecord and the store); a graph that reappears later is
            written again and merges on expansion.
        out: text or binary stream (binary gets UTF-8).
        context: a context document; the packaged one when None.
        embed_context: write the context object inline (else refer to it by file name).
        union: write every triple into the default graph (node objects at the top level, no
            named graphs), so that readers that load only the default graph (a plain
            `rdflib.Graph`, pyld's `to_rdf` default graph) see the whole data. Memory stays
            bounded: a subject is still flushed at each graph boundary and its node objects
            merge on expansion.

        context_ref: refer to the context by this URL (the server serves the packaged
            context and names it here) instead of embedding it or naming the file.

    Returns:
        The number of quads written.
    """
    context = context or load_context()
    comp = _Compactor(context)
    write = _writer(out)
    ctx_value: Any = context.get("@context", context) if embed_context else CONTEXT_FILE
    if context_ref is not None:
        ctx_value = context_ref
    write('{"@context": ')
    write(json.dumps(ctx_value, ensure_ascii=False))
    write(',\n"@graph": [')
    first_item = True
    count = 0
    current: Any = ("start",)
    subjects: dict[tuple, dict[str, list[tuple]]] = {}
    term = _term

    def flush(graph: Any) -> None:
        nonlocal first_item
        if not subjects:
            return
        nodes = [_node(comp, subj, props) for subj, props in subjects.items()]
        subjects.clear()
        if union or graph is None or (graph[0] == "i" and graph[1] in _DEFAULT_GRAPHS):
            items = nodes
        else:
            items = [{"@id": _node_id(graph), "@graph": nodes}]
        for item in items:
            write("\n" if first_item else ",\n")
            first_item = False
            write(json.dumps(item, ensure_ascii=False))

    for item in quads:
        s, p, o, g = _spog(item)
        gt = term(g)
        if gt != current:
            flush(current)
            current = gt
        st = term(s)
        props = subjects.get(st)
        if props is None:
            props = subjects[st] = {}
        pred = term(p)[1]
        objs = props.get(pred)
        if objs is None:
            props[pred] = [term(o)]
        else:
            objs.append(term(o))
        count += 1
    flush(current)
    write("\n]}\n")
    return count


__all__ = ["CONTEXT_FILE", "load_context", "write_jsonld"]
