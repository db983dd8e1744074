"""Evaluate compiled shapes over quads, one hash partition of subjects at a time.

Why this equals whole-graph pySHACL: every constraint the compiler accepts reads only (a) the
focus node's own outgoing triples along a predicate path and (b) the rdf:type of value nodes
(sh:class) or of focus candidates (sh:targetClass), with rdfs:subClassOf from the data. A
partition holds *all* triples of its subjects, merged across every named graph, exactly as in
the union graph pySHACL sees; types and subclass links are indexed for the whole input. So each
focus node gets the same value nodes and the same answers, and the union of the partitions'
results is the whole-graph report. Cost: one pass over the quads per partition plus work
proportional to the focus nodes of the partition — linear, and the partitions run in parallel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from esfgraph.namespaces import SH
from esfgraph.validate.shapes import COMPONENT, CompiledShapes, Constraint

try:  # the same literal ordering pySHACL uses, so range checks agree on every edge case
    from pyshacl.rdfutil.compare import compare_literal
except ImportError:  # pragma: no cover - pyshacl is a dependency
    def compare_literal(l1: Literal, l2: Literal) -> int:  # type: ignore[misc]
        """Fallback literal ordering (-1, 0, 1)."""
        if l1.eq(l2):
            return 0
        return 1 if l1 > l2 else -1

Quad = tuple  # (s, p, o, g) of rdflib terms; g may be None for a plain graph

#: A raw result: (focus, path, shape, severity, component, value, messages, field name, graphs).
RawResult = tuple

_RDF_TYPE = RDF.type
_SUBCLASS = RDFS.subClassOf
_LANGSTRING = RDF.langString
_NUMERIC_CHECK = {
    XSD.string: lambda v: isinstance(v, (str, bytes)),
    RDF.langString: lambda v: isinstance(v, (str, bytes)),
    XSD.integer: lambda v: isinstance(v, int),
    XSD.float: lambda v: isinstance(v, float),
    XSD.decimal: lambda v: isinstance(v, Decimal),
    XSD.boolean: lambda v: isinstance(v, bool),
    XSD.date: lambda v: isinstance(v, date),
    XSD.time: lambda v: isinstance(v, time),
    XSD.dateTime: lambda v: isinstance(v, datetime),
}
_KIND_IRI = {SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI}
_KIND_BNODE = {SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI}
_KIND_LITERAL = {SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}


def partition_of(node, nparts: int) -> int:
    """Which partition owns a subject (stable inside one process tree: str hash, forked)."""
    return str.__hash__(node) % nparts if nparts > 1 else 0


def node_key(node):
    """Dictionary key of a node: plain str for IRIs (C-speed hashing and equality), else the term."""
    return str(node) if isinstance(node, URIRef) else node


_TYPE_S = str(RDF.type)
_SUBCLASS_S = str(RDFS.subClassOf)


class Index:
    """The triples of one partition's subjects plus global type and subclass indexes."""

    def __init__(self, base: Index | None = None) -> None:
        self.base_types: dict = base.types if base is not None else {}
        self.out: dict = {}   # subject key -> (term, {predicate str: set(objects)}, graphs it is stated in)
        self.types: dict = defaultdict(set)       # every node key -> rdf:type IRIs as str (whole input)
        self.subclass: dict = defaultdict(set)    # class str -> direct superclasses (whole input)
        self.by_type: dict = defaultdict(list)    # class str -> partition subject keys of that type
        self.subjects_of: dict = defaultdict(set)
        self.objects_of: dict = defaultdict(set)
        self._supers: dict = {}
        if base is not None:
            for cls, parents in base.subclass.items():
                self.subclass[cls] = set(parents)

    def type_of(self, key) -> set | tuple:
        """rdf:types of a node key, from this input and from the pre-indexed shared data."""
        own = self.types.get(key)
        shared = self.base_types.get(key)
        if own and shared:
            return own | shared
        return own or shared or ()

    def supers(self, cls: str) -> set:
        """The class and all its superclasses along rdfs:subClassOf (cached)."""
        cached = self._supers.get(cls)
        if cached is not None:
            return cached
        seen = {cls}
        stack = [cls]
        while stack:
            for parent in self.subclass.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        self._supers[cls] = seen
        return seen


def build_index(chunks: Iterable[Sequence[Quad]], shapes: CompiledShapes, part: int, nparts: int,
                base: Index | None = None) -> Index:
    """One pass over all quads: keep this partition's subjects, index types for everyone."""
    idx = Index(base)
    out = idx.out
    types = idx.types
    subj_preds = {str(p) for s in shapes.node_shapes for p in s.target_subjects_of}
    obj_preds = {str(p) for s in shapes.node_shapes for p in s.target_objects_of}
    h = str.__hash__
    for chunk in chunks:
        last_s = last_g = None
        entry = None
        for s, p, o, g in chunk:
            ps = str(p)
            if ps == _TYPE_S:
                types[str(s) if isinstance(s, URIRef) else s].add(str(o))
            elif ps == _SUBCLASS_S:
                idx.subclass[str(s)].add(str(o))
            if obj_preds and ps in obj_preds and partition_of(o, nparts) == part:
                idx.objects_of[ps].add(o)
            if s is not last_s or g is not last_g:
                last_s = s
                last_g = g
                if nparts > 1 and h(s) % nparts != part:
                    entry = None
                    continue
                key = str(s) if isinstance(s, URIRef) else s
                entry = out.get(key)
                if entry is None:
                    entry = out[key] = (s, {}, set())
                entry[2].add(g)
            elif entry is None:
                continue
            props = entry[1]
            values = props.get(ps)
            if values is None:
                props[ps] = {o}
            else:
                values.add(o)
            if ps in subj_preds:
                idx.subjects_of[ps].add(str(s) if isinstance(s, URIRef) else s)
    for key in out:
        for t in idx.type_of(key):
            idx.by_type[t].append(key)
    return idx


def split_quads(chunks: Iterable[Sequence[Quad]], shapes: CompiledShapes, nparts: int) -> list[list[Quad]]:
    """Deal quads to partitions by subject hash; quads every partition needs go to all of them.

    rdf:type and rdfs:subClassOf quads are global knowledge (sh:class, sh:targetClass) and the
    objects of sh:targetObjectsOf predicates may belong to any partition, so those are broadcast.
    """
    parts: list[list[Quad]] = [[] for _ in range(nparts)]
    appenders = [p.append for p in parts]
    broadcast = {_TYPE_S, _SUBCLASS_S} | {str(p) for s in shapes.node_shapes for p in s.target_objects_of}
    h = str.__hash__
    for chunk in chunks:
        last_s = None
        append = None
        for q in chunk:
            if str(q[1]) in broadcast:
                for a in appenders:
                    a(q)
                continue
            s = q[0]
            if s is not last_s:
                last_s = s
                append = appenders[h(s) % nparts]
            append(q)
    return parts


def _focus_keys(shape, idx: Index, part: int, nparts: int) -> set:
    focus: set = set()
    if shape.target_classes:
        wanted = {str(c) for c in shape.target_classes}
        for cls, members in idx.by_type.items():
            if wanted & idx.supers(cls):
                focus.update(members)
    for node in shape.target_nodes:
        if partition_of(node, nparts) == part:
            focus.add(node_key(node))
    for pred in shape.target_subjects_of:
        focus |= idx.subjects_of.get(str(pred), set())
    for pred in shape.target_objects_of:
        focus |= {node_key(o) for o in idx.objects_of.get(str(pred), set())}
    return focus


def _check(c: Constraint, values, props: dict, idx: Index) -> list:
    """Return the value nodes (non-empty `values`) that fail constraint `c`."""
    kind = c.kind
    bad: list = []
    if kind == "class":
        cls = c.param
        for v in values:
            ok = False
            for t in idx.type_of(str(v) if isinstance(v, URIRef) else v):
                if cls in idx.supers(t):
                    ok = True
                    break
            if not ok:
                bad.append(v)
        return bad
    if kind == "datatype":
        return [v for v in values if not _datatype_ok(v, c.param)]
    if kind == "nodeKind":
        for v in values:
            if isinstance(v, BNode):
                ok = "bnode" in c.param
            elif isinstance(v, Literal):
                ok = "literal" in c.param
            else:
                ok = "iri" in c.param
            if not ok:
                bad.append(v)
        return bad
    if kind == "pattern":
        for v in values:
            if isinstance(v, BNode):
                bad.append(v)
                continue
            if isinstance(v, Literal) and v.value is not None and (
                    v.datatype is None or str(v.datatype) in (_LANGSTRING_S, _XSD_STRING_S)):
                text = str(v.value)
            else:
                text = str(v)
            if not c.param.search(text):
                bad.append(v)
        return bad
    if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        return [v for v in values if not _range_ok(kind, v, c.param)]
    if kind == "languageIn":
        for v in values:
            ok = False
            if isinstance(v, Literal) and v.language:
                lang = str(v.language).lower()
                ok = "*" in c.param or lang in c.param or lang.split("-")[0] in c.param
            if not ok:
                bad.append(v)
        return bad
    if kind == "in":
        return [v for v in values if v not in c.param]
    if kind == "lessThanOrEquals":
        return _less_than_or_equals(values, props.get(c.param, ()))
    raise AssertionError(f"unhandled constraint {kind}")  # the compiler only emits known kinds


_XSD_STRING = XSD.string


_DT_CHECK = {str(k): v for k, v in _NUMERIC_CHECK.items()}
_RDFS_LITERAL_S = str(RDFS.Literal)
_RDFS_DATATYPE_S = str(RDFS.Datatype)
_XSD_STRING_S = str(XSD.string)
_LANGSTRING_S = str(RDF.langString)


def _datatype_ok(v, dtype: str) -> bool:
    """pySHACL's sh:datatype semantics (ill-typed literals fail), with the datatype as a str."""
    if not isinstance(v, Literal):
        return False
    vdt = v.datatype
    if vdt is not None and str(vdt) == dtype:
        if getattr(v, "ill_typed", None) is True:
            return False
        check = _DT_CHECK.get(dtype)
        return True if check is None else check(v.value)
    if dtype == _RDFS_LITERAL_S:
        return True
    if dtype == _RDFS_DATATYPE_S and vdt:
        return True
    if vdt is None and v.language is None and dtype == _XSD_STRING_S:
        return isinstance(v.value, (str, bytes))
    if dtype == _LANGSTRING_S and v.language:
        return isinstance(v.value, (str, bytes))
    return False


def _range_ok(kind: str, v, bound: Literal) -> bool:
    if not isinstance(v, Literal):
        return False
    bound_is_string = isinstance(bound.value, str)
    v_is_string = isinstance(v.value, str)
    if bound_is_string != v_is_string:
        return False
    try:
        cmp = compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return False
    return {"minInclusive": cmp >= 0, "maxInclusive": cmp <= 0,
            "minExclusive": cmp > 0, "maxExclusive": cmp < 0}[kind]


def _less_than_or_equals(values, others) -> list:
    """Mirror pySHACL: one failure per (value, other value) pair that is not in order."""
    bad = []
    for value in values:
        left, left_str = _comparable(value)
        for other in others:
            right, right_str = _comparable(other)
            if left_str != right_str:
                bad.append(value)
                continue
            try:
                in_order = left <= right
            except TypeError:
                in_order = False
            if not in_order:
                bad.append(value)
    return bad


def _comparable(node):
    if isinstance(node, BNode):
        return node, False
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False


def _prepare(constraints: list[Constraint]) -> tuple[list, list, list]:
    """Split constraints into minCount, maxCount and value checks (str params where faster)."""
    mins, maxes, checks = [], [], []
    for c in constraints:
        if c.kind == "minCount":
            mins.append(c.param)
        elif c.kind == "maxCount":
            maxes.append(c.param)
        elif c.kind in ("class", "lessThanOrEquals", "datatype"):
            checks.append(Constraint(c.kind, str(c.param)))
        elif c.kind == "nodeKind":
            kinds = {k for k, allowed in (("bnode", _KIND_BNODE), ("literal", _KIND_LITERAL), ("iri", _KIND_IRI))
                     if c.param in allowed}
            checks.append(Constraint("nodeKind", frozenset(kinds)))
        else:
            checks.append(c)
    return mins, maxes, checks


def evaluate_partition(chunks: Iterable[Sequence[Quad]], shapes: CompiledShapes, part: int = 0,
                       nparts: int = 1, base: Index | None = None) -> list[RawResult]:
    """Validate the subjects of one partition and return raw results.

    `base` is a pre-built index of shared data (places, concepts): its types count for sh:class
    and sh:targetClass, but its own subjects are not validated again.
    """
    idx = build_index(chunks, shapes, part, nparts, base)
    results: list[RawResult] = []
    for shape in shapes.node_shapes:
        _mins, _maxes, own_checks = _prepare(shape.constraints)
        props_plan = []
        for prop in shape.properties:
            mins, maxes, checks = _prepare(prop.constraints)
            props_plan.append((prop, str(prop.path), [m for m in mins if m > 0], maxes, checks))
        min_count = COMPONENT["minCount"]
        max_count = COMPONENT["maxCount"]
        allowed = None if shape.closed_allowed is None else {str(p) for p in shape.closed_allowed}
        for key in _focus_keys(shape, idx, part, nparts):
            entry = idx.out.get(key)
            if entry is None:
                focus, props, graph_set = (key if not isinstance(key, str) else URIRef(key)), {}, frozenset()
            else:
                focus, props, graph_set = entry
            graphs = graph_set  # read-only from here on; shared by this focus node's results
            for c in own_checks:
                for v in _check(c, (focus,), props, idx):
                    results.append((focus, None, shape.iri, shape.severity, COMPONENT[c.kind], v,
                                    shape.messages, shape.name, graphs))
            for prop, path, mins, maxes, checks in props_plan:
                values = props.get(path)
                if not values:
                    for _ in mins:
                        results.append((focus, prop.path, prop.iri, prop.severity,
                                        min_count, None, prop.messages, prop.name, graphs))
                    continue
                n = len(values)
                for m in mins:
                    if n < m:
                        results.append((focus, prop.path, prop.iri, prop.severity,
                                        min_count, None, prop.messages, prop.name, graphs))
                for m in maxes:
                    if n > m:
                        results.append((focus, prop.path, prop.iri, prop.severity,
                                        max_count, None, prop.messages, prop.name, graphs))
                for c in checks:
                    for v in _check(c, values, props, idx):
                        results.append((focus, prop.path, prop.iri, prop.severity, COMPONENT[c.kind], v,
                                        prop.messages, prop.name, graphs))
            if allowed is not None:
                for pred, values in props.items():
                    if pred not in allowed:
                        for v in values:
                            results.append((focus, URIRef(pred), shape.iri, shape.severity,
                                            COMPONENT["closed"], v, shape.messages, shape.name, graphs))
    return results


__all__ = ["Index", "RawResult", "build_index", "evaluate_partition", "partition_of"]
