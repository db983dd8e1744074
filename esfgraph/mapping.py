"""Records → quads (docs/DATA-MODEL.md): one named graph per record, personal data apart.

The mapping writes N-Triples term text directly (IRIs as plain strings, literals as their
N-Triples spelling, see esfgraph.nt), not rdflib terms: a build maps 100k+ records and the
rdflib objects cost more than the mapping itself. `MappedRecord.quads` gives rdflib terms on
demand (validation, tests, small exports).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Protocol

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from esfgraph import __version__
from esfgraph import namespaces as ns
from esfgraph.config import Config
from esfgraph.iri import Iris, code_segment, project_slug, slug
from esfgraph.link.names import preferred_label
from esfgraph.nt import literal, split_literal
from esfgraph.record import Record


class _Terms:
    """A namespace whose terms (plain IRI strings) become attributes on first use."""

    def __init__(self, namespace: Any) -> None:
        self._base = str(namespace)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        term = self._base + name
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> str:
        return self._base + name


DCTERMS, EU_COUNTRY, ESF, FOAF, GEONAMES, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD = (
    _Terms(n) for n in (ns.DCTERMS, ns.EU_COUNTRY, ns.ESF, ns.FOAF, ns.GEONAMES, ns.ORG, ns.PROV,
                        ns.RDF, ns.RDFS, ns.SCHEMA, ns.SKOS, ns.WD, ns.XSD)
)
OWL = _Terms(ns.OWL)
_CONCEPT = str(ns.CONCEPT)

Quad = tuple[Node, Node, Node, URIRef]
#: One quad as text: subject IRI, predicate IRI, object (an IRI, or a literal's N-Triples text,
#: which starts with '"'), and whether it belongs in the personal graph.
TextQuad = tuple[str, str, str, bool]

#: Government kinds of OrgRef: these also get `a schema:GovernmentOrganization`.
PUBLIC_KINDS = frozenset({"municipality", "national-agency", "region", "county-board"})

#: Phases shipped in ontology/concepts.ttl (others get their page label in the record graph).
KNOWN_PHASES = frozenset({"forprojektering", "genomforande"})

#: Programme areas shipped in ontology/concepts.ttl, as (period, code).
KNOWN_PROGRAMME_AREAS = frozenset(
    {("2007-2013", "1"), ("2007-2013", "2"), ("2014-2020", "1"), ("2014-2020", "2"),
     ("2014-2020", "3")}
)

# Text sections with a property of their own, keyed by slug of the parser's section key (the
# parser may hand over the page heading or an English key; both are accepted).
_SECTION_PROPERTIES: dict[str, str] = {}
for _keys, _prop in (
    (("summary", "sammanfattning"), DCTERMS.abstract),
    (("background", "bakgrund"), ESF.background),
    (("purpose", "syfte"), ESF.purpose),
    (("objectives", "malsattning", "mal"), ESF.objectives),
    (("accessibility", "tillganglighet-for-personer-med-funktionsnedsattning",
      "tillganglighet"), ESF.accessibility),
    (("gender-equality", "jamstalldhetsintegrering", "jamstalldhet"), ESF.genderEquality),
    (("transnational-cooperation", "transnationellt-samarbete"), ESF.transnationalCooperation),
):
    for _k in _keys:
        _SECTION_PROPERTIES[_k] = _prop

_AMOUNTS = (
    ("esf_grant_sek", "esf-grant", ESF.esfGrantSEK),
    ("total_budget_sek", "total-budget", ESF.totalBudgetSEK),
    ("total_cost_sek", "total-cost", ESF.totalCostSEK),
)
_ROLE_PROPERTY = {"owner": ESF.owner, "partner": ESF.partner, "cofinancier": ESF.cofinancier,
                  "transnational-contact": ESF.transnationalContact}
_COUNTRY_NAMES = {"sverige": "SE", "sweden": "SE"}
_DIGITS = re.compile(r"\D+")
_SV = "sv"
#: schema:funding is in schema.org (since v11) but not in rdflib's closed SDO namespace.
SCHEMA_FUNDING = URIRef(SCHEMA.funding)
_SCHEMA_FUNDING = SCHEMA.funding
_SEK = literal("SEK")
_TRUE = literal("true", datatype=XSD.boolean)
_FALSE = literal("false", datatype=XSD.boolean)


@lru_cache(maxsize=200_000)
def _sv(text: str) -> str:
    """Short @sv literals repeat across records (labels, names): spell each once."""
    return literal(text, lang=_SV)


@lru_cache(maxsize=200_000)
def _plain(text: str) -> str:
    """Short plain literals (codes, numbers, names) spelled once."""
    return literal(text)


@lru_cache(maxsize=100_000)
def _typed(lexical: str, datatype: str) -> str:
    """Typed literals that repeat (dates, counts) spelled once."""
    return literal(lexical, datatype=datatype)


def _http_date(value: str | None) -> str | None:
    """An HTTP date (`Tue, 01 Dec 2026 09:00:00 GMT`) as xsd:dateTime text, None if not one."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def concept(path: str) -> str:
    """A fixed concept IRI under `concept:`."""
    return _CONCEPT + path


class GazetteerLike(Protocol):
    """The part of `esfgraph.link.Gazetteer` the mapping uses (docs/INTERFACES.md)."""

    def municipality(self, name: str) -> Any: ...
    def region(self, canonical_name: str) -> Any: ...
    def resolve_org(self, name: str, record: Record) -> Any: ...
    # optional: resolve_orgs(name, record) -> list, every body of a list of bodies
    def find_foreign(self, text: str) -> list[Any]: ...


class MappedRecord:
    """The quads of one record, ready to load: record graph plus (optional) personal graph.

    The mapping fills `terms` (text, see `TextQuad`); `quads` (rdflib terms) is made from it on
    first use. Once `quads` has been read it is the record's truth: callers may edit that list
    (tests add broken triples), and `esfgraph.store.encode_record` then reads it instead.
    """

    def __init__(self, slug: str, graph: URIRef, personal_graph: URIRef,
                 quads: list[Quad] | None = None, source: str = "", *,
                 terms: list[TextQuad] | None = None) -> None:
        self.slug = slug
        self.graph = graph
        self.personal_graph = personal_graph
        self.source = source
        self.terms = terms
        self._quads = quads

    @property
    def quads(self) -> list[Quad]:
        """The quads as rdflib terms (built from `terms` once)."""
        if self._quads is None:
            g, pg = self.graph, self.personal_graph
            self._quads = [(URIRef(s), URIRef(p), _rdflib_object(o), pg if personal else g)
                           for s, p, o, personal in self.terms or ()]
        return self._quads

    @property
    def text_only(self) -> bool:
        """True while `terms` is the truth (nobody has asked for rdflib `quads` yet)."""
        return self._quads is None and self.terms is not None


def luhn_ok(digits: str) -> bool:
    """True when a Swedish organisation number's last digit is the Luhn check digit.

    The check covers the last ten digits (a 12-digit form starts with the century).
    """
    ten = digits[-10:]
    if len(ten) != 10 or not ten.isdigit():
        return False
    total = 0
    for i, ch in enumerate(ten):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@lru_cache(maxsize=4096)
def unnormalised_field(label: str) -> str | None:
    """The record field of a known page label kept in `extra`, else None.

    The parser keeps unknown labels in `extra`, and also values of known labels that do not
    normalise (`NUTS-2 kod: SE0`, a rate of `150%`), under their printed label: a label the
    label table knows therefore marks an unnormalised value.
    """
    from esfgraph.parse.labels import (
        lookup_label,  # the parser's label table, no rdflib
    )

    found = lookup_label(label)
    if found is None:
        return None
    field = found[1]
    return {"period": "start_date/end_date"}.get(field, field)


def _rdflib_object(o: str) -> Node:
    """An object's text (IRI or N-Triples literal) as an rdflib term."""
    if not o.startswith('"'):
        return URIRef(o)
    lexical, lang, datatype = split_literal(o)
    if lang:
        return Literal(lexical, lang=lang)
    if datatype:
        return Literal(lexical, datatype=URIRef(datatype))
    return Literal(lexical)


_FUND_ESF = re.compile(r"^(esf|europeiska\s+socialfonden)$")
_FUND_ESF_PLUS = re.compile(r"^(esf|europeiska\s+socialfonden)\s*(\+|plus)$")


def fund_key(text: str) -> str | None:
    """The `concept:fund/…` key of a fund name as pages write it ("ESF+", "Europeiska socialfonden
    plus"), or None for a fund esfgraph has no concept for."""
    norm = " ".join(text.casefold().split())
    if _FUND_ESF_PLUS.match(norm):
        return "esf-plus"
    if _FUND_ESF.match(norm):
        return "esf"
    return None


def decimal_lexical(value: int | float | Decimal) -> str:
    """The exact xsd:decimal lexical form of an amount: 11159401, 0.5 (never '11159401.0')."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        lexical = str(value)
    else:
        dec = Decimal(repr(value)) if isinstance(value, float) else value
        lexical = format(dec.normalize(), "f")
        if "." in lexical:
            lexical = lexical.rstrip("0").rstrip(".") or "0"
    return lexical


def decimal_literal(value: int | float | Decimal) -> Literal:
    """xsd:decimal with an exact lexical form, as an rdflib Literal (for callers outside)."""
    return Literal(decimal_lexical(value), datatype=URIRef(XSD.decimal))


def _decimal(value: int | float | Decimal) -> str:
    return _typed(decimal_lexical(value), XSD.decimal)


def build_time() -> dt.datetime:
    """The build time: SOURCE_DATE_EPOCH when set (reproducible builds), else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


#: Record fields that only a field block gives (not the heading, the text or where it came from).
_BLOCK_FIELDS = tuple(f.name for f in dataclasses.fields(Record) if f.name not in {
    "source", "layout", "title", "case_number", "description", "sections", "extra",
    "provenance"})


def is_minimal(record: Record) -> bool:
    """True for a minimal record: a case number and title from the heading, and no field from
    a field block (esfgraph.parse keeps such pages with a warning; issue 22)."""
    return bool(record.case_number and record.title) and not any(
        getattr(record, name) for name in _BLOCK_FIELDS)


def _preferred(ref: Any) -> str:
    """The one prefLabel of an organisation: the table's name for a known body, the office's
    own (`Arbetsförmedlingen Flen`), else the rule of `esfgraph.link.names.preferred_label`."""
    given = getattr(ref, "pref_label", None)
    if given:
        return given
    if ref.kind not in ("organisation", "unit") or not ref.label:
        return ref.label
    return preferred_label(ref.label)


class _Mapper:
    """Holds the IRI builder and the current record's quad list while mapping one record."""

    def __init__(self, record: Record, config: Config, gazetteer: GazetteerLike,
                 iris: Iris, sha256: str | None, generated: dt.datetime | None) -> None:
        self.r = record
        self.config = config
        self.gaz = gazetteer
        self.iris = iris
        self.slug = project_slug(record)
        self.g = iris.record_graph(self.slug)
        self.pg = iris.personal_graph(self.slug)
        self.p = iris.project(record)
        self.terms: list[TextQuad] = []
        self.sha256 = sha256
        self.generated = generated
        self._role_nodes: set[str] = set()
        self._orgs_done: set[str] = set()
        self._org_labels: dict[str, set[str]] = {}
        self._places_done: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.terms.append((s, p, o, False))

    @staticmethod
    def sv(text: str) -> str:
        return _sv(text) if len(text) < 200 else literal(text, lang=_SV)

    # ------------------------------------------------------------------------------------
    def run(self) -> MappedRecord:
        r, p, add = self.r, self.p, self.add
        add(p, RDF.type, ESF.Project)
        add(p, RDF.type, SCHEMA.Project)
        if is_minimal(r):  # heading and text only: the shapes say what such a record needs
            add(p, RDF.type, ESF.MinimalProjectRecord)
        old = self.iris.legacy_project(r)
        if old is not None:  # the IRI before issue 22 names the same project (changelog)
            add(old, OWL.sameAs, p)
        if r.title:
            add(p, DCTERMS.title, self.sv(r.title))
            add(p, RDFS.label, self.sv(r.title))
        if r.project_number:
            add(p, ESF.projectNumber, literal(r.project_number))
        if r.case_number:
            add(p, ESF.caseNumber, literal(r.case_number))
        self.classification()
        self.dates_and_numbers()
        self.places()
        self.money()
        self.organisations()
        self.texts()
        self.address()
        self.transnational()
        self.provenance()
        if self.config.personal_data:
            self.personal()
        return MappedRecord(self.slug, URIRef(self.g), URIRef(self.pg), None, self.r.source,
                            terms=self.terms)

    def _concept(self, path: str, scheme: str, notation: str | None, label: str | None,
                 en: str | None = None, alt: str | None = None) -> str:
        """A data-derived concept, declared in the record graph with its scheme.

        Every concept gets a Swedish prefLabel (at worst "Interventionstyp 136", which every
        page agrees on); a label printed beside a code goes to skos:altLabel, since two pages
        may print it differently and a concept has one prefLabel per language.
        """
        c = concept(path)
        self.add(c, RDF.type, SKOS.Concept)
        self.add(c, SKOS.inScheme, concept(scheme))
        if notation:
            self.add(c, SKOS.notation, _plain(notation))
        if label:
            self.add(c, SKOS.prefLabel, self.sv(label))
        if en:
            self.add(c, SKOS.prefLabel, literal(en, lang="en"))
        if alt and alt != label:
            self.add(c, SKOS.altLabel, self.sv(alt))
        return c

    def classification(self) -> None:
        r, p, add = self.r, self.p, self.add
        period = r.layout
        add(p, ESF.programmingPeriod, concept(f"period/{period}"))
        if r.programme_area:
            code = code_segment(r.programme_area)
            if (period, code) in KNOWN_PROGRAMME_AREAS:  # labels shipped in concepts.ttl
                c = self._concept(f"programme-area/{period}/{code}", f"programme-area/{period}",
                                  None, None)
            else:
                shown = r.programme_area.strip()
                c = self._concept(f"programme-area/{period}/{code}", f"programme-area/{period}",
                                  shown, f"Programområde {shown}", f"Programme area {shown}",
                                  r.programme_area_label)
            add(p, ESF.programmeArea, c)
        if r.programme_area_label:
            add(p, ESF.programmeAreaLabel, self.sv(r.programme_area_label))
        if r.specific_objective:
            code = code_segment(r.specific_objective)
            shown = r.specific_objective.strip()
            c = self._concept(f"specific-objective/{period}/{code}",
                              f"specific-objective/{period}", shown, f"Specifikt mål {shown}",
                              f"Specific objective {shown}")
            add(p, ESF.specificObjective, c)
        if r.phase:
            key = slug(r.phase) or "okand-fas"
            if key in KNOWN_PHASES:
                c = concept(f"phase/{key}")
            else:
                c = self._concept(f"phase/{key}", "phase", None, r.phase)
            add(p, ESF.phase, c)
        if r.intervention_type:
            text = r.intervention_type.strip()
            is_code = len(text) <= 12 and bool(re.fullmatch(r"[A-Za-z0-9.]+", text))
            if is_code:
                c = self._concept(f"intervention-type/{slug(text) or 'okand'}",
                                  "intervention-type", text, f"Interventionstyp {text}",
                                  f"Intervention type {text}")
            else:
                c = self._concept(f"intervention-type/{slug(text) or 'okand'}",
                                  "intervention-type", None, text)
            add(p, ESF.interventionType, c)
        if r.fund:
            key = fund_key(r.fund)
            if key:
                add(p, ESF.fund, concept(f"fund/{key}"))
            else:  # an unknown fund is kept as written, never forced onto a concept
                add(p, ESF.fundName, literal(r.fund, lang="sv"))
        if r.programme_cci:
            add(p, ESF.programmeCCI, _plain(r.programme_cci))

    def dates_and_numbers(self) -> None:
        r, p, add = self.r, self.p, self.add
        if r.start_date:
            add(p, SCHEMA.startDate, _typed(r.start_date.isoformat(), XSD.date))
        if r.end_date:
            add(p, SCHEMA.endDate, _typed(r.end_date.isoformat(), XSD.date))
        if r.planned_participants is not None:
            add(p, ESF.plannedParticipants,
                _typed(str(int(r.planned_participants)), XSD.integer))
        if r.eu_cofinancing_rate is not None:
            add(p, ESF.euCofinancingRate, _decimal(r.eu_cofinancing_rate))
        if r.child_poverty_theme is not None:
            add(p, ESF.childPovertyTheme, _TRUE if r.child_poverty_theme else _FALSE)
        if r.strategic_importance is not None:
            add(p, ESF.strategicImportance, _TRUE if r.strategic_importance else _FALSE)

    def places(self) -> None:
        r, p, add, iris = self.r, self.p, self.add, self.iris
        if r.region or r.nuts2:
            nuts2 = r.nuts2
            national = bool(r.region) and r.region.strip().casefold() == "nationellt"
            if not nuts2 and not national and r.region:
                reg = self.gaz.region(r.region)
                nuts2 = getattr(reg, "nuts2", None) if reg is not None else None
            if nuts2 or national:
                add(p, ESF.region, iris.region(nuts2 or None))
            else:  # a region name nobody knows: kept as written, never a guessed code
                add(p, ESF.regionName, self.sv(r.region))
        if r.country:
            iso2 = _COUNTRY_NAMES.get(r.country.strip().casefold())
            if iso2:
                add(p, ESF.country, iris.place(iso2))
            else:
                place = iris.place(r.country)
                add(p, ESF.country, place)
                add(place, RDF.type, SCHEMA.Country)
                add(place, RDFS.label, self.sv(r.country))
        for name in r.municipalities:
            m = self.gaz.municipality(name)
            if m is not None and getattr(m, "code", None):
                add(p, ESF.municipality, iris.municipality(m.code))
            else:
                add(p, ESF.municipalityName, self.sv(name))

    def money(self) -> None:
        r, p, add, iris = self.r, self.p, self.add, self.iris
        for field, kind, prop in _AMOUNTS:
            value = getattr(r, field)
            if value is None:
                continue
            lit = _decimal(value)
            add(p, prop, lit)
            node = iris.amount(p, kind)
            add(node, RDF.type, SCHEMA.MonetaryAmount)
            add(node, SCHEMA.value, lit)
            add(node, SCHEMA.currency, _SEK)
            if kind == "esf-grant":
                grant = iris.grant(p)
                add(p, _SCHEMA_FUNDING, grant)
                add(grant, RDF.type, SCHEMA.MonetaryGrant)
                add(grant, SCHEMA.fundedItem, p)
                add(grant, SCHEMA.funder, iris.esf_council)
                add(grant, ESF.amountSEK, lit)
                add(grant, SCHEMA.amount, node)
                self._esf_council()
            elif kind == "total-budget":
                add(p, ESF.totalBudget, node)
            else:
                add(p, ESF.totalCost, node)

    def _esf_council(self) -> None:
        org = self.iris.esf_council
        if org in self._orgs_done:
            return
        self._orgs_done.add(org)
        self.add(org, RDF.type, ORG.Organization)
        self.add(org, RDF.type, SCHEMA.GovernmentOrganization)
        self.add(org, SKOS.prefLabel, self.sv("Svenska ESF-rådet"))
        self.add(org, RDFS.label, self.sv("Svenska ESF-rådet"))

    # organisations ----------------------------------------------------------------------
    def _org_node(self, ref: Any, written: str | None) -> str:
        """Emit an organisation (and its parent, for units) once per record; return its IRI."""
        iri = self.iris.org(ref, self.r)
        add = self.add
        if iri not in self._orgs_done:
            self._orgs_done.add(iri)
            parent = getattr(ref, "parent", None)
            add(iri, RDF.type, ORG.Organization)
            if parent is not None or ref.kind == "unit":
                add(iri, RDF.type, ORG.OrganizationalUnit)
            if ref.kind in PUBLIC_KINDS:
                add(iri, RDF.type, SCHEMA.GovernmentOrganization)
            # one prefLabel whichever page names the body (the rule: link.names.preferred_label);
            # bodies from the tables keep their table name; the page's spellings are altLabels
            shown = _preferred(ref)
            label = self.sv(shown)
            add(iri, SKOS.prefLabel, label)
            add(iri, RDFS.label, label)
            for alt in (ref.label, *(getattr(ref, "alt_labels", ()) or ())):
                if alt and alt != shown:
                    add(iri, SKOS.altLabel, self.sv(alt))
            if ref.kind == "municipality" and ref.municipality_code:
                add(iri, SCHEMA.areaServed, self.iris.municipality(ref.municipality_code))
            if ref.wikidata:
                add(iri, SKOS.exactMatch, WD[ref.wikidata])
            if parent is not None:
                parent_iri = self._org_node(parent, None)
                add(iri, ORG.unitOf, parent_iri)
                add(parent_iri, ORG.hasUnit, iri)
        labels = self._org_labels.setdefault(iri, set())
        if not labels:
            labels.add(ref.label)
            labels.update(getattr(ref, "alt_labels", ()) or ())
            labels.add(_preferred(ref))
        for name in (ref.label, written):  # every spelling seen stays findable
            if name and name not in labels:
                labels.add(name)
                add(iri, SKOS.altLabel, self.sv(name))
        return iri

    def _org_number(self, ref: Any, number: str | None) -> None:
        """An organisation number on the legal body (the top of the parent chain, never a
        unit), and `owl:sameAs` from it to the node the number alone names (`id/org/orgnr-…`),
        where a page that prints only the number puts the body (esfgraph.link.orgs)."""
        digits = _DIGITS.sub("", number or "")
        if not digits:
            return
        legal = ref
        while getattr(legal, "parent", None) is not None:
            legal = legal.parent
        node = self.iris.org(legal, self.r)
        self.add(node, ESF.organisationNumber, _plain(digits))
        if not luhn_ok(digits):
            self.add(node, ESF.organisationNumberCheckDigitValid, _FALSE)
        by_number = self.iris.org_by_key(f"orgnr-{digits}")
        if node != by_number and len(digits) == 10 and luhn_ok(digits):
            self.add(node, OWL.sameAs, by_number)

    def _participation(self, role: str, agent: str, label: str) -> str:
        node = self.iris.role(self.p, role, label)
        n = 2
        base = node
        while node in self._role_nodes:  # two agents with one label: keep both, stably
            node = f"{base}-{n}"
            n += 1
        self._role_nodes.add(node)
        add = self.add
        add(self.p, _ROLE_PROPERTY[role], agent)
        add(self.p, ESF.participation, node)
        add(node, RDF.type, ESF.Participation)
        add(node, ESF.agent, agent)
        add(node, ESF.role, concept(f"role/{role}"))
        add(node, ESF.project, self.p)
        return node

    def _resolve_all(self, name: str) -> list[Any]:
        """Every body a name stands for (a list of distinct bodies is never one organisation)."""
        many = getattr(self.gaz, "resolve_orgs", None)
        return list(many(name, self.r)) if many is not None else [self.gaz.resolve_org(name, self.r)]

    def organisations(self) -> None:
        r = self.r
        if r.owner:
            refs = self._resolve_all(r.owner)
            digits = _DIGITS.sub("", r.owner_org_number or "")
            if len(refs) == 1 and refs[0].kind == "unit" and refs[0].parent is None \
                    and len(digits) == 10:
                # the owner's organisation number is its legal body's: a bare unit hangs under
                # the body that number names (esfgraph.link.orgs), not made the body itself
                refs = self._resolve_all(f"{digits}, {r.owner}")
            for extra in refs[1:]:  # "A och B" as owner: each body owns the project
                self._participation("owner", self._org_node(extra, None), extra.label)
            ref = refs[0]
            written = r.owner if len(refs) == 1 and not getattr(
                ref, "organisation_number", None) else None  # a number is no spelling
            iri = self._org_node(ref, written)
            self._participation("owner", iri, ref.label)
            number = r.owner_org_number if len(refs) == 1 else None
            self._org_number(ref, number or getattr(ref, "organisation_number", None))
        elif r.owner_org_number:
            digits = _DIGITS.sub("", r.owner_org_number)
            if digits:
                self.add(self.p, ESF.ownerOrganisationNumber, literal(digits))
        for role, names in (("partner", r.partners), ("cofinancier", r.cofinanciers)):
            seen: set[str] = set()
            for name in names:
                refs = self._resolve_all(name)
                for ref in refs:
                    iri = self._org_node(ref, name if len(refs) == 1 and not getattr(
                        ref, "organisation_number", None) else None)
                    self._org_number(ref, getattr(ref, "organisation_number", None))
                    if iri in seen:  # "Individ och Familjeomsorg" + "...omsorgen": one role
                        continue
                    seen.add(iri)
                    self._participation(role, iri, ref.label)

    # texts --------------------------------------------------------------------------------
    def texts(self) -> None:
        r, p, add = self.r, self.p, self.add
        for heading, text in r.sections.items():
            if not text:
                continue
            prop = _SECTION_PROPERTIES.get(slug(heading))
            if prop is not None:
                add(p, prop, self.sv(text))
                continue
            node = self.iris.section(p, heading)
            add(p, ESF.section, node)
            add(node, RDF.type, ESF.TextSection)
            add(node, DCTERMS.title, self.sv(heading))
            add(node, RDF.value, self.sv(text))
        if r.description:
            add(p, DCTERMS.description, self.sv(r.description))
        for label, value in r.extra.items():
            node = self.iris.extra(p, label)
            add(p, ESF.extraField, node)
            add(node, RDF.type, ESF.ExtraField)
            add(node, RDFS.label, _plain(label))
            add(node, RDF.value, literal(value))
            field = unnormalised_field(label)
            if field:  # a known label in extra: its value did not normalise (kept as printed)
                add(node, RDF.type, ESF.UnnormalisedValue)
                add(node, ESF.recordField, _plain(field))

    def address(self) -> None:
        r = self.r
        if not (r.beneficiary_postcode or r.beneficiary_city or r.beneficiary_address):
            return
        node = self.iris.address(self.p)
        add = self.add
        add(self.p, ESF.beneficiaryAddress, node)
        add(node, RDF.type, SCHEMA.PostalAddress)
        if r.beneficiary_postcode:
            add(node, SCHEMA.postalCode, _plain(r.beneficiary_postcode))
        if r.beneficiary_city:
            add(node, SCHEMA.addressLocality, _plain(r.beneficiary_city))
        if r.beneficiary_address:
            add(node, SCHEMA.streetAddress, literal(r.beneficiary_address))

    def transnational(self) -> None:
        finder = getattr(self.gaz, "find_foreign_in_record", None)
        if finder is not None:
            mentions = finder(self.r)
        else:
            texts = [t for h, t in self.r.sections.items()
                     if t and _SECTION_PROPERTIES.get(slug(h)) == ESF.transnationalCooperation]
            mentions = [m for t in texts for m in self.gaz.find_foreign(t)]
        add = self.add
        done: set[str] = set()
        for m in mentions:
            if m.kind == "organisation":
                agent = self.iris.org_by_key(slug(m.label) or "okand-organisation")
                if agent not in done:
                    add(agent, RDF.type, ORG.Organization)
                    add(agent, SKOS.prefLabel, self.sv(m.label))
                    add(agent, RDFS.label, self.sv(m.label))
                    if m.iso2:
                        add(agent, SCHEMA.location, self._country(m.iso2))
            else:
                agent = self._foreign_place(m)
            if agent in done:
                continue
            done.add(agent)
            if m.wikidata:
                add(agent, SKOS.exactMatch, WD[m.wikidata])
            node = self._participation("transnational-contact", agent, m.name or m.label)
            if m.evidence:
                add(node, ESF.evidence, self.sv(m.evidence))

    def _country(self, iso2: str) -> str:
        iso2 = iso2.upper()
        place = self.iris.place_key(iso2)
        if place in self._places_done:
            return place
        self._places_done.add(place)
        self.add(place, RDF.type, SCHEMA.Country)
        self.add(place, ESF.countryCode, _plain(iso2))
        try:
            import pycountry

            c = pycountry.countries.get(alpha_2=iso2)
        except (ImportError, KeyError, LookupError):  # pragma: no cover - optional link
            c = None
        if c is not None:
            self.add(place, RDFS.label, literal(c.name, lang="en"))
            self.add(place, SKOS.exactMatch, EU_COUNTRY[c.alpha_3])
        return place

    def _foreign_place(self, m: Any) -> str:
        if m.kind == "country" and m.iso2:
            place = self._country(m.iso2)
            if m.geonames_id:
                self.add(place, SKOS.exactMatch, GEONAMES[f"{int(m.geonames_id)}/"])
            return place
        key = getattr(m, "place_key", None) or slug(m.label) or "okand"
        place = self.iris.place_key(key)
        if place in self._places_done:
            return place
        self._places_done.add(place)
        self.add(place, RDF.type, SCHEMA.Place)
        name = getattr(m, "name", None)
        if name:  # GeoNames / ISO 3166-2 names are local names ("Gent"), not English: no tag
            self.add(place, RDFS.label, _plain(name))
        if m.label and m.label != name:
            self.add(place, SKOS.altLabel, self.sv(m.label))
        if getattr(m, "iso3166_2", None):
            self.add(place, DCTERMS.identifier, literal(m.iso3166_2))
        if m.iso2:
            self.add(place, SCHEMA.containedInPlace, self._country(m.iso2))
        if m.geonames_id:
            self.add(place, SKOS.exactMatch, GEONAMES[f"{int(m.geonames_id)}/"])
        return place

    # provenance and personal data ---------------------------------------------------------
    def provenance(self) -> None:
        add, iris, g = self.add, self.iris, self.g
        name = Path(self.r.source).name if self.r.source else "okand-kalla"
        src = iris.source(name)
        add(self.p, PROV.wasDerivedFrom, src)
        add(g, RDF.type, PROV.Entity)
        add(g, PROV.wasDerivedFrom, src)
        when = self.generated or build_time()
        add(g, PROV.generatedAtTime, _typed(when.isoformat(), XSD.dateTime))
        sw = iris.software(__version__)
        add(g, PROV.wasAttributedTo, sw)
        add(sw, RDF.type, PROV.SoftwareAgent)
        add(sw, RDFS.label, _plain(f"esfgraph {__version__}"))
        add(sw, SCHEMA.softwareVersion, _plain(__version__))
        add(src, RDF.type, PROV.Entity)
        add(src, DCTERMS.identifier, literal(name))
        sha = self.sha256 or (file_sha256(self.r.source) if self.r.source else None)
        if sha:
            add(src, ESF.sha256, literal(sha))
        self.fetched_from(src)

    def fetched_from(self, src: str) -> None:
        """A fetched page's origin on its file: the page URL, fetch time, HTTP validators."""
        prov, add = self.r.provenance, self.add
        if prov.get("kind") == "page-html":
            add(src, DCTERMS.format, _plain("text/html"))
        page = prov.get("final_url") or prov.get("url")
        if page:
            add(src, PROV.wasDerivedFrom, page)
        fetched = prov.get("fetched_at")
        if fetched:
            add(src, PROV.generatedAtTime, _typed(fetched, XSD.dateTime))
        if prov.get("etag"):
            add(src, ESF.etag, literal(prov["etag"]))
        modified = _http_date(prov.get("last_modified"))
        if modified:
            add(src, ESF.lastModified, _typed(modified, XSD.dateTime))

    def personal(self) -> None:
        r = self.r
        if not (r.contact_name or r.contact_email or r.contact_phone):
            return
        person = self.iris.person(r.contact_name, r.contact_email)
        q = self.terms
        q.append((self.p, ESF.contactPerson, person, True))
        q.append((person, RDF.type, FOAF.Person, True))
        q.append((person, RDF.type, SCHEMA.Person, True))
        if r.contact_name:
            q.append((person, FOAF.name, literal(r.contact_name), True))
        if r.contact_email:
            q.append((person, SCHEMA.email, literal(r.contact_email), True))
            q.append((person, FOAF.mbox, "mailto:" + r.contact_email.strip(), True))
        if r.contact_phone:
            q.append((person, SCHEMA.telephone, literal(r.contact_phone), True))


_IRIS: dict[str, Iris] = {}


def mapping_context(config: Config | None, gazetteer: Any) -> tuple[Config, Any, Iris]:
    """The config, gazetteer and IRI minter a mapping needs (defaults when None; the minter
    is made once per base IRI): shared by pages and list rows, so both name things alike."""
    config = config or Config()
    if gazetteer is None:
        from esfgraph.link import default_gazetteer  # late: link loads tables

        gazetteer = default_gazetteer()
    iris = _IRIS.get(config.base_iri)
    if iris is None:
        iris = _IRIS[config.base_iri] = Iris(config.base_iri, term=str)
    return config, gazetteer, iris


def map_record(record: Record, config: Config | None = None, gazetteer: Any = None, *,
               sha256: str | None = None, generated: dt.datetime | None = None) -> MappedRecord:
    """Map one record to quads in its named graph (and its personal graph when allowed).

    Args:
        record: the parsed page.
        config: base IRI and `personal_data` switch (defaults when None).
        gazetteer: an `esfgraph.link.Gazetteer` (the default one when None).
        sha256: hex digest of the source file; computed from `record.source` when omitted.
        generated: build time; `SOURCE_DATE_EPOCH` or now when omitted.
    """
    config, gazetteer, iris = mapping_context(config, gazetteer)
    return _Mapper(record, config, gazetteer, iris, sha256, generated).run()


def to_dataset(quads: Iterable[tuple[Node, Node, Node, Any]]) -> Dataset:
    """Collect quads in an rdflib Dataset (for tests, validation and small exports)."""
    ds = Dataset()
    for s, p, o, g in quads:
        ds.add((s, p, o, g))
    return ds


__all__ = ["KNOWN_PHASES", "KNOWN_PROGRAMME_AREAS", "MappedRecord", "PUBLIC_KINDS",
           "build_time", "decimal_literal", "file_sha256", "map_record", "to_dataset"]
