"""What a change is: field-level changes of one project, grouped by kind.

A project's state is the set of triples about the project IRI itself in its record graph (and,
with personal data, in its personal graph), minus bookkeeping that changes with every build or
file name (provenance, the label that repeats the title, links to the project's own sub-nodes
whose values are repeated as plain fields such as ``esf:esfGrantSEK``). Two states differ
statement by statement; `field_changes` groups the statements by predicate so that a report can
say "grant 450 000 → 500 000 kr" instead of listing triples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ESF = "https://w3id.org/esfgraph/ontology#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: Predicates left out of a project's state: they change with the build or the file name,
#: or repeat another field (rdfs:label = dct:title).
IGNORED = frozenset({f"{PROV}wasDerivedFrom", f"{RDFS}label", f"{PROV}generatedAtTime"})

#: Kinds in report order (the issue's grouping: money, dates and phase, organisations, places,
#: text; then what fits none of them, then contact details from the personal graph).
KINDS = ("money", "dates-phase", "organisations", "places", "text", "other", "contact")

_KIND_OF = {
    f"{ESF}esfGrantSEK": "money", f"{ESF}totalBudgetSEK": "money",
    f"{ESF}totalCostSEK": "money", f"{ESF}euCofinancingRate": "money",
    f"{ESF}publicFundingSEK": "money", f"{ESF}privateFundingSEK": "money",
    f"{SCHEMA}startDate": "dates-phase", f"{SCHEMA}endDate": "dates-phase",
    f"{ESF}phase": "dates-phase", f"{ESF}programmingPeriod": "dates-phase",
    f"{ESF}decisionDate": "dates-phase",
    f"{ESF}owner": "organisations", f"{ESF}partner": "organisations",
    f"{ESF}cofinancier": "organisations", f"{SCHEMA}funder": "organisations",
    f"{ESF}municipality": "places", f"{ESF}region": "places", f"{ESF}county": "places",
    f"{ESF}country": "places", f"{ESF}transnationalContact": "places",
    f"{SCHEMA}location": "places", f"{ESF}beneficiaryCity": "places",
    f"{ESF}contactPerson": "contact",
}

#: Predicates whose change is a grant change ("grant changes since a date").
MONEY_AMOUNTS = (f"{ESF}esfGrantSEK", f"{ESF}totalBudgetSEK", f"{ESF}totalCostSEK")


def kind_of(predicate: str, literal: bool = False) -> str:
    """The kind of change a predicate belongs to (money, dates-phase, ..., text, other).

    An unlisted predicate with literal values is text (title, summary, background, ...).
    """
    kind = _KIND_OF.get(predicate)
    if kind is not None:
        return kind
    if predicate.endswith("SEK"):
        return "money"
    if predicate.endswith("Date"):
        return "dates-phase"
    return "text" if literal else "other"


def local_name(iri: str) -> str:
    """The part of an IRI after the last # or /."""
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Term:
    """An RDF term as N-Triples text, with its plain value for reports."""

    nt: str

    @property
    def is_iri(self) -> bool:
        return self.nt.startswith("<")

    @property
    def value(self) -> str:
        """The IRI, or the literal's lexical form (escapes undone)."""
        if self.is_iri:
            return self.nt[1:-1]
        if self.nt.startswith('"'):
            end = self.nt.rfind('"')
            return _unescape(self.nt[1:end])
        return self.nt

    @property
    def number(self) -> Decimal | None:
        """The literal as a number, or None."""
        if self.is_iri:
            return None
        try:
            return Decimal(self.value)
        except (InvalidOperation, ValueError):
            return None


_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)', re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
           "\\": "\\"}


def _unescape(text: str) -> str:
    """Undo N-Triples string escapes (ECHAR and UCHAR)."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, text)


#: A statement about a project: (predicate IRI, object as N-Triples), plus whether it is
#: personal (from the personal graph).
Statement = tuple[str, str, bool]


@dataclass
class FieldChange:
    """One field of one project: the values it lost and the values it gained."""

    predicate: str
    removed: list[Term] = field(default_factory=list)
    added: list[Term] = field(default_factory=list)
    personal: bool = False

    @property
    def field(self) -> str:
        return local_name(self.predicate)

    @property
    def kind(self) -> str:
        if self.personal:
            return "contact"
        terms = self.removed + self.added
        return kind_of(self.predicate, bool(terms) and all(t.nt.startswith('"') for t in terms))

    @property
    def delta(self) -> tuple[Decimal, Decimal | None] | None:
        """(new − old, per cent of old) for a single number replaced by another, else None."""
        if len(self.removed) != 1 or len(self.added) != 1:
            return None
        old, new = self.removed[0].number, self.added[0].number
        if old is None or new is None:
            return None
        pct = (new - old) * 100 / old if old else None
        return new - old, pct


@dataclass
class ProjectChange:
    """What happened to one project: added, removed, changed (field changes) or restored."""

    slug: str
    project: str
    status: str  # "added", "removed", "changed", "restored"
    fields: list[FieldChange] = field(default_factory=list)
    title: str = ""
    regions: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    #: statements taken away and put in (predicate, object N-Triples, personal)
    removals: list[Statement] = field(default_factory=list)
    additions: list[Statement] = field(default_factory=list)
    #: the project's earlier IRI when its identifier changed (same source file)
    previous: str | None = None
    #: labels of the IRIs among the values, for reports
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        present = {f.kind for f in self.fields}
        return [k for k in KINDS if k in present]


def field_changes(removals: list[Statement], additions: list[Statement]) -> list[FieldChange]:
    """Group statement changes by (predicate, personal), in kind then field order."""
    by: dict[tuple[str, bool], FieldChange] = {}
    for pred, obj, personal in removals:
        by.setdefault((pred, personal), FieldChange(pred, personal=personal)).removed.append(
            Term(obj))
    for pred, obj, personal in additions:
        by.setdefault((pred, personal), FieldChange(pred, personal=personal)).added.append(
            Term(obj))
    for change in by.values():
        change.removed.sort(key=lambda t: t.nt)
        change.added.sort(key=lambda t: t.nt)
    return sorted(by.values(), key=lambda c: (KINDS.index(c.kind), c.field))


def compare_states(old: set[Statement], new: set[Statement]
                   ) -> tuple[list[Statement], list[Statement]]:
    """(removals, additions) turning state `old` into `new`, sorted."""
    return sorted(old - new), sorted(new - old)
