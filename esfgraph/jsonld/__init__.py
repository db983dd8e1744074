"""A linear, streaming JSON-LD writer with a short readable context (rdflib's is too slow).

Quads are grouped by graph (consecutive runs) and by subject, then written as compacted node
objects: one `{"@id": graph, "@graph": [...]}` object per run of quads in a graph. Terms from
the context are used only where the value fits the term's coercion, so the output expands
(pyld) to exactly the input triples.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Iterable, TextIO

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from esfgraph.resources import package_path

CONTEXT_FILE = "context.jsonld"
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


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
    def value(obj: Any) -> Any:
        """The expanded-form JSON value of an RDF term (no coercion)."""
        if isinstance(obj, URIRef):
            return {"@id": str(obj)}
        if isinstance(obj, BNode):
            return {"@id": f"_:{obj}"}
        if obj.language:
            return {"@value": str(obj), "@language": obj.language}
        if obj.datatype is not None and str(obj.datatype) != _XSD_STRING:
            return {"@value": str(obj), "@type": str(obj.datatype)}
        return str(obj)

    def entry(self, pred: str, obj: Any) -> tuple[str, Any]:
        """(key, JSON value) for one object of one predicate."""
        for term, typ, lang in self.by_iri.get(pred, ()):
            if typ is None and lang is None:  # no coercion: any value in expanded form
                return term, self.value(obj)
            if typ == "@id":
                if isinstance(obj, (URIRef, BNode)):
                    return term, _node_id(obj)
            elif isinstance(obj, Literal):
                if lang is not None:
                    if obj.language == lang:
                        return term, str(obj)
                elif obj.language is None and obj.datatype is not None \
                        and str(obj.datatype) == typ:
                    return term, str(obj)
        return self.key_for(pred), self.value(obj)


def _node_id(term: Any) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _node(comp: _Compactor, subject: Any, props: dict[str, list[Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _node_id(subject)}
    types = props.pop(_RDF_TYPE, None)
    if types:
        literal_types = [t for t in types if isinstance(t, Literal)]
        names = [comp.type_name(str(t)) for t in types if not isinstance(t, Literal)]
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


def write_jsonld(quads: Iterable[tuple[Any, Any, Any, Any]], out: TextIO,
                 context: dict[str, Any] | None = None, *, embed_context: bool = True) -> int:
    """Write quads as one JSON-LD document in time linear in the number of quads.

    Args:
        quads: (s, p, o, g) rdflib terms; g None (or the default graph) for the default graph.
            Quads of one graph should come together (they do from MappedRecord and the store);
            a graph that reappears later is written again and merges on expansion.
        out: text stream.
        context: a context document; the packaged one when None.
        embed_context: write the context object inline (else refer to it by file name).

    Returns:
        The number of quads written.
    """
    context = context or load_context()
    comp = _Compactor(context)
    ctx_value: Any = context.get("@context", context) if embed_context else CONTEXT_FILE
    out.write('{"@context": ')
    out.write(json.dumps(ctx_value, ensure_ascii=False))
    out.write(',\n"@graph": [')
    first_item = True
    count = 0
    current: Any = object()
    subjects: dict[Any, dict[str, list[Any]]] = {}

    def flush(graph: Any) -> None:
        nonlocal first_item
        if not subjects:
            return
        nodes = [_node(comp, s, props) for s, props in subjects.items()]
        subjects.clear()
        if graph is None or (isinstance(graph, URIRef) and str(graph) == "urn:x-rdflib:default"):
            items = nodes
        else:
            items = [{"@id": _node_id(graph), "@graph": nodes}]
        for item in items:
            out.write("\n" if first_item else ",\n")
            first_item = False
            out.write(json.dumps(item, ensure_ascii=False))

    for s, p, o, g in quads:
        if g is not current:
            if g != current:
                flush(current)
            current = g
        props = subjects.get(s)
        if props is None:
            props = subjects[s] = {}
        objs = props.get(str(p))
        if objs is None:
            props[str(p)] = [o]
        else:
            objs.append(o)
        count += 1
    flush(current)
    out.write("\n]}\n")
    return count


__all__ = ["CONTEXT_FILE", "load_context", "write_jsonld"]
