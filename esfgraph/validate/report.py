"""The validation report: results with their source record, as text, Turtle or JSON-LD."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from esfgraph.namespaces import PREFIXES, SH

_SEVERITY_WORD = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

#: What each constraint component means, in a few plain words (shown before the message).
PROBLEM = {
    SH.MinCountConstraintComponent: "missing",
    SH.MaxCountConstraintComponent: "more than one value",
    SH.DatatypeConstraintComponent: "wrong kind of value",
    SH.LanguageInConstraintComponent: "wrong language tag",
    SH.PatternConstraintComponent: "wrong format",
    SH.ClassConstraintComponent: "links to the wrong kind of thing",
    SH.NodeKindConstraintComponent: "link and text mixed up",
    SH.MinInclusiveConstraintComponent: "too small",
    SH.MaxInclusiveConstraintComponent: "too large",
    SH.MinExclusiveConstraintComponent: "too small",
    SH.MaxExclusiveConstraintComponent: "too large",
    SH.InConstraintComponent: "not an allowed value",
    SH.LessThanOrEqualsConstraintComponent: "in the wrong order",
    SH.ClosedConstraintComponent: "unexpected field",
}


@dataclass(frozen=True)
class SourceRecord:
    """The page a result comes from: its named graph, file name and title."""

    graph: str
    file: str | None = None
    title: str | None = None
    also: tuple[str, ...] = ()   # further record graphs stating facts about the same (shared) node

    @property
    def others(self) -> int:
        """How many further records state facts about the same node."""
        return len(self.also)

    def label(self) -> str:
        """A one-line description for people: file name and title."""
        name = self.file or self.graph
        text = f"{name} — {self.title}" if self.title else name
        if self.others:
            text += f" (and {self.others} other record{'s' if self.others > 1 else ''})"
        return text


@dataclass(frozen=True)
class Result:
    """One validation result, in SHACL terms plus a plain-words message and a source record."""

    focus: Node
    path: URIRef | None
    source_shape: Node
    severity: URIRef
    component: URIRef
    value: Node | None
    message: str
    field: str | None = None
    source_record: SourceRecord | None = None
    messages: tuple = ()

    @property
    def severity_word(self) -> str:
        """'violation', 'warning' or 'info'."""
        return _SEVERITY_WORD.get(self.severity, str(self.severity))

    def key(self) -> tuple:
        """What identifies a result in SHACL (used to compare with other engines)."""
        return (self.focus, self.path, self.source_shape, self.severity, self.component, self.value)


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        text = str(node)
        if len(text) > 80:
            text = text[:77] + "..."
        suffix = f"@{node.language}" if node.language else ""
        return f'"{text}"{suffix}'
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


@dataclass
class ValidationReport:
    """All results of one validation run; `conforms` follows SHACL (any result → False)."""

    results: list[Result] = field(default_factory=list)
    allow_warnings: bool = False
    engine: str = "esfgraph"

    @property
    def conforms(self) -> bool:
        """True when no result (or, with allow_warnings, no violation) was found."""
        if self.allow_warnings:
            return not any(r.severity == SH.Violation for r in self.results)
        return not self.results

    def counts(self) -> dict[str, int]:
        """Number of results per severity word."""
        return dict(Counter(r.severity_word for r in self.results))

    def records_with_violations(self) -> set[str]:
        """Named graphs (record IRIs) that have at least one sh:Violation (for `build --strict`)."""
        out: set[str] = set()
        for r in self.results:
            if r.severity == SH.Violation and r.source_record is not None:
                out.add(r.source_record.graph)
        return out

    def to_text(self) -> str:
        """Plain-words report grouped by source record and field, then counts by severity."""
        if not self.results:
            return "The data conforms to the shapes: no problems found.\n"
        groups: dict[str, list[Result]] = defaultdict(list)
        for r in self.results:
            label = r.source_record.label() if r.source_record else "(not from a record)"
            groups[label].append(r)
        lines: list[str] = []
        for label in sorted(groups):
            lines.append(f"{label}")
            by_field: dict[str, list[Result]] = defaultdict(list)
            for r in groups[label]:
                by_field[r.field or (_short(r.path) if r.path else "the node itself")].append(r)
            for fld in sorted(by_field):
                lines.append(f"  {fld}:")
                for r in sorted(by_field[fld], key=lambda x: (str(x.focus), str(x.value))):
                    value = f" Value: {_short(r.value)}." if r.value is not None else ""
                    problem = PROBLEM.get(r.component, "rule not met")
                    lines.append(f"    [{r.severity_word}] {problem}: {r.message}{value}")
                    lines.append(f"      (node {_short(r.focus)}, rule {_short(r.source_shape)})")
            lines.append("")
        counts = self.counts()
        summary = ", ".join(f"{counts[w]} {w}{'s' if counts[w] != 1 else ''}"
                            for w in ("violation", "warning", "info") if w in counts)
        lines.append(f"{len(groups)} record{'s' if len(groups) != 1 else ''} with problems: {summary}.")
        lines.append("The data conforms." if self.conforms else "The data does not conform.")
        return "\n".join(lines) + "\n"

    def to_graph(self) -> Graph:
        """The standard sh:ValidationReport as an RDF graph."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms, datatype=XSD.boolean)))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, r.focus))
            if r.path is not None:
                g.add((node, SH.resultPath, r.path))
            if r.value is not None:
                g.add((node, SH.value, r.value))
            g.add((node, SH.sourceShape, r.source_shape))
            g.add((node, SH.sourceConstraintComponent, r.component))
            g.add((node, SH.resultSeverity, r.severity))
            for message in r.messages or (Literal(r.message),):
                g.add((node, SH.resultMessage, message))
        return g

    def to_turtle(self) -> str:
        """The standard sh:ValidationReport in Turtle."""
        return self.to_graph().serialize(format="turtle")

    def to_json(self) -> str:
        """The standard sh:ValidationReport in JSON-LD, with a readable summary alongside."""
        doc = json.loads(self.to_graph().serialize(format="json-ld"))
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def summary(self) -> dict:
        """Counts and per-record results as plain JSON (for build reports and the server)."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [
                {
                    "record": r.source_record.graph if r.source_record else None,
                    "file": r.source_record.file if r.source_record else None,
                    "title": r.source_record.title if r.source_record else None,
                    "field": r.field, "severity": r.severity_word, "message": r.message,
                    "focus": str(r.focus), "path": str(r.path) if r.path else None,
                    "value": str(r.value) if r.value is not None else None,
                    "shape": str(r.source_shape),
                }
                for r in self.results
            ],
        }


__all__ = ["Result", "SourceRecord", "ValidationReport"]
