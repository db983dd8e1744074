"""Load the SHACL shapes once and compile them into plain Python checks.

The compiler accepts the SHACL Core subset esfgraph's shapes use (focus-node local constraints on
predicate paths) and raises `UnsupportedShapesError` for anything else, so callers can fall back
to whole-graph pySHACL instead of giving a different answer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from esfgraph.errors import ValidationError
from esfgraph.namespaces import SH
from esfgraph.resources import shapes_dir as _default_shapes_dir


class UnsupportedShapesError(ValidationError):
    """The shapes use a SHACL feature the fast validator does not evaluate (use pySHACL)."""


#: Parameters of the constraint components the compiler understands.
_PARAMS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.pattern, SH.flags,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn, SH["in"],
    SH.lessThanOrEquals, SH.closed, SH.ignoredProperties,
}
#: Predicates on a shape that carry no constraint.
_NON_VALIDATING = {
    RDF.type, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH.defaultValue, RDFS.label, RDFS.comment,
}

COMPONENT = {
    "class": SH.ClassConstraintComponent,
    "datatype": SH.DatatypeConstraintComponent,
    "nodeKind": SH.NodeKindConstraintComponent,
    "minCount": SH.MinCountConstraintComponent,
    "maxCount": SH.MaxCountConstraintComponent,
    "pattern": SH.PatternConstraintComponent,
    "minInclusive": SH.MinInclusiveConstraintComponent,
    "maxInclusive": SH.MaxInclusiveConstraintComponent,
    "minExclusive": SH.MinExclusiveConstraintComponent,
    "maxExclusive": SH.MaxExclusiveConstraintComponent,
    "languageIn": SH.LanguageInConstraintComponent,
    "in": SH.InConstraintComponent,
    "lessThanOrEquals": SH.LessThanOrEqualsConstraintComponent,
    "closed": SH.ClosedConstraintComponent,
}


@dataclass(frozen=True)
class Constraint:
    """One constraint component with its parameter, ready to evaluate."""

    kind: str                    # key of COMPONENT
    param: object                # URIRef, int, Literal, compiled regex, frozenset, tuple ...


@dataclass
class PropertyShape:
    """A property shape on a predicate path."""

    iri: URIRef
    path: URIRef
    constraints: list[Constraint]
    severity: URIRef
    messages: tuple[Literal, ...]
    name: str | None


@dataclass
class NodeShape:
    """A node shape: its targets, its own constraints and its property shapes."""

    iri: URIRef
    target_classes: tuple[URIRef, ...]
    target_nodes: tuple
    target_subjects_of: tuple[URIRef, ...]
    target_objects_of: tuple[URIRef, ...]
    constraints: list[Constraint]
    properties: list[PropertyShape]
    severity: URIRef
    messages: tuple[Literal, ...]
    closed_allowed: frozenset | None = None
    name: str | None = None


@dataclass
class CompiledShapes:
    """Every active node shape, plus the shapes graph for reports and fallbacks."""

    node_shapes: list[NodeShape]
    graph: Graph = field(repr=False)
    source: str = ""


def shape_files(directory: str | Path | None = None) -> list[Path]:
    """List the Turtle files of a shapes directory (default: the shapes shipped with esfgraph)."""
    path = Path(directory) if directory is not None else _default_shapes_dir()
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ValidationError(f"{path}: no such shapes directory — pass --shapes DIR with .ttl files")
    files = sorted(p for p in path.iterdir() if p.suffix in (".ttl", ".nt", ".trig", ".jsonld"))
    if not files:
        raise ValidationError(f"{path}: the shapes directory holds no .ttl files")
    return files


def load_shapes_graph(directory: str | Path | None = None) -> Graph:
    """Parse every shapes file of a directory into one graph."""
    graph = Graph()
    for file in shape_files(directory):
        try:
            graph.parse(file)
        except Exception as exc:  # rdflib raises many parser error types
            raise ValidationError(f"{file}: the shapes file is not valid RDF ({exc})") from exc
    return graph


@functools.lru_cache(maxsize=8)
def compile_shapes(directory: str | None = None) -> CompiledShapes:
    """Load and compile the shapes of a directory (cached: parsed once per process)."""
    graph = load_shapes_graph(directory)
    return compile_graph(graph, source=str(directory or _default_shapes_dir()))


def _one(graph: Graph, node, pred):
    values = list(graph.objects(node, pred))
    if len(values) > 1:
        raise ValidationError(f"shape {node} has more than one {pred}")
    return values[0] if values else None


def _list(graph: Graph, node) -> list:
    return list(Collection(graph, node))


def _constraints(graph: Graph, shape) -> list[Constraint]:
    out: list[Constraint] = []
    preds = set(graph.predicates(shape))
    unknown = preds - _PARAMS - _NON_VALIDATING
    if unknown:
        names = ", ".join(sorted(str(p) for p in unknown))
        raise UnsupportedShapesError(f"shape {shape} uses {names}, which the fast validator does not evaluate")
    for value in graph.objects(shape, SH["class"]):
        out.append(Constraint("class", value))
    for value in graph.objects(shape, SH.datatype):
        out.append(Constraint("datatype", value))
    for value in graph.objects(shape, SH.nodeKind):
        out.append(Constraint("nodeKind", value))
    for kind in ("minCount", "maxCount"):
        for value in graph.objects(shape, SH[kind]):
            out.append(Constraint(kind, int(value)))
    flags = _one(graph, shape, SH.flags)
    for value in graph.objects(shape, SH.pattern):
        re_flags = 0
        for letter in str(flags or ""):
            re_flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(letter, 0)
        out.append(Constraint("pattern", re.compile(str(value), re_flags)))
    for kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        for value in graph.objects(shape, SH[kind]):
            out.append(Constraint(kind, value))
    for value in graph.objects(shape, SH.languageIn):
        out.append(Constraint("languageIn", frozenset(str(x).lower() for x in _list(graph, value))))
    for value in graph.objects(shape, SH["in"]):
        out.append(Constraint("in", frozenset(_list(graph, value))))
    for value in graph.objects(shape, SH.lessThanOrEquals):
        out.append(Constraint("lessThanOrEquals", value))
    return out


def _common(graph: Graph, shape) -> tuple[URIRef, tuple[Literal, ...], str | None]:
    severity = _one(graph, shape, SH.severity) or SH.Violation
    messages = tuple(sorted(graph.objects(shape, SH.message)))
    name = _one(graph, shape, SH.name)
    return severity, messages, (str(name) if name is not None else None)


def _deactivated(graph: Graph, shape) -> bool:
    value = _one(graph, shape, SH.deactivated)
    return value is not None and bool(value.toPython()) is True


def _property_shape(graph: Graph, shape) -> PropertyShape:
    path = _one(graph, shape, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapesError(f"property shape {shape} has a complex sh:path; only predicate paths are supported")
    for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        if (shape, pred, None) in graph:
            raise UnsupportedShapesError(f"property shape {shape} has its own targets; not supported")
    if (shape, SH.closed, None) in graph:
        raise UnsupportedShapesError(f"property shape {shape} is closed; not supported")
    severity, messages, name = _common(graph, shape)
    return PropertyShape(shape, path, _constraints(graph, shape), severity, messages, name)


def compile_graph(graph: Graph, source: str = "") -> CompiledShapes:
    """Compile a shapes graph; raise UnsupportedShapesError when it needs a full SHACL engine."""
    if (None, SH.sparql, None) in graph or (None, SH.rule, None) in graph:
        raise UnsupportedShapesError("the shapes use SPARQL constraints or rules")
    node_shape_iris = set(graph.subjects(RDF.type, SH.NodeShape))
    for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        node_shape_iris.update(s for s in graph.subjects(pred, None) if (s, SH.path, None) not in graph)
    for shape in node_shape_iris:
        if (shape, RDF.type, RDFS.Class) in graph:
            raise UnsupportedShapesError(f"shape {shape} is also a class (implicit class target)")
        for pred in (SH["and"], SH["or"], SH["not"], SH.xone, SH.node, SH.qualifiedValueShape):
            if (shape, pred, None) in graph:
                raise UnsupportedShapesError(f"shape {shape} uses {pred}")
    nodes: list[NodeShape] = []
    for shape in sorted(node_shape_iris, key=str):
        if _deactivated(graph, shape):
            continue
        props = [
            _property_shape(graph, p)
            for p in sorted(graph.objects(shape, SH.property), key=str)
            if not _deactivated(graph, p)
        ]
        own = [c for c in _constraints_node(graph, shape)]
        closed = _one(graph, shape, SH.closed)
        allowed = None
        if closed is not None and bool(closed.toPython()):
            ignored = _one(graph, shape, SH.ignoredProperties)
            allowed_set = {
                path for p in graph.objects(shape, SH.property)
                if isinstance(path := _one(graph, p, SH.path), URIRef)
            }
            if ignored is not None:
                allowed_set.update(_list(graph, ignored))
            allowed = frozenset(allowed_set)
        severity, messages, name = _common(graph, shape)
        nodes.append(NodeShape(
            iri=shape,
            target_classes=tuple(graph.objects(shape, SH.targetClass)),
            target_nodes=tuple(graph.objects(shape, SH.targetNode)),
            target_subjects_of=tuple(graph.objects(shape, SH.targetSubjectsOf)),
            target_objects_of=tuple(graph.objects(shape, SH.targetObjectsOf)),
            constraints=own, properties=props, severity=severity, messages=messages,
            closed_allowed=allowed, name=name,
        ))
    return CompiledShapes(nodes, graph, source)


def _constraints_node(graph: Graph, shape) -> list[Constraint]:
    """Constraints written directly on a node shape (value node = the focus node)."""
    constraints = _constraints(graph, shape)
    for c in constraints:
        if c.kind in ("minCount", "maxCount", "lessThanOrEquals"):
            raise UnsupportedShapesError(f"node shape {shape} uses sh:{c.kind} without a path")
    return constraints


__all__ = [
    "COMPONENT", "CompiledShapes", "Constraint", "NodeShape", "PropertyShape",
    "UnsupportedShapesError", "compile_graph", "compile_shapes", "load_shapes_graph", "shape_files",
]
