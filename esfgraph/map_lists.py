"""A list row → quads: one source's description of a project, in that source's own graph.

Why not the page mapping as it is: the union of the named graphs repeats a triple once per
graph that holds it, so a list row that said `<project> a esf:Project` or `<project> esf:owner
<org>` beside the page would count the project twice in every sum, count and facet. A list row
therefore describes the project through its own node, `{project}/{kind}` (`…/dnr-23-017-s01/
kohesio`), an `esf:SourceDescription` that `esf:describes` the project, with the same
properties a page uses for the same facts (title, dates, case number, total budget in SEK), so
that "which source says what" is one query. What only a list says gets its own properties:
euro amounts (`esf:totalEligibleExpenditureEUR`, `esf:euBudgetEUR`: never a SEK property),
the EU contribution in SEK (`esf:euContributionSEK`), the beneficiary (`esf:beneficiary`, the
list's own word) and the Kohesio item (`esf:kohesioItem`). The project node itself gets its
links and, when no page describes it, its facts from `esfgraph.link_sources` at the end of a
build (docs/guide/sources.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import URIRef

from esfgraph.config import Config
from esfgraph.iri import Iris, project_slug
from esfgraph.mapping import (
    DCTERMS,
    ESF,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    XSD,
    MappedRecord,
    _decimal,
    _Mapper,
    _plain,
    _typed,
    build_time,
    luhn_ok,
    mapping_context,
)
from esfgraph.nt import literal
from esfgraph.record import Record
from esfgraph.sources.lists.rows import (
    EXTRA_EU_BUDGET_EUR,
    EXTRA_EU_CONTRIBUTION_SEK,
    EXTRA_KOHESIO_BENEFICIARY,
    EXTRA_KOHESIO_ITEM,
    EXTRA_SUMMARY_EN,
    EXTRA_TITLE_EN,
    EXTRA_TOTAL_EUR,
    TYPED_EXTRAS,
)

#: Kohesio's entity and page IRIs of an item `Q…` (the formats note, section 3).
KOHESIO_ENTITY = "https://linkedopendata.eu/entity/"
KOHESIO_PAGE = "https://kohesio.ec.europa.eu/en/projects/"
_SEK, _EUR = literal("SEK"), literal("EUR")
#: The source kinds a list record may have, in the order their facts are preferred.
LIST_KINDS = ("esf-list", "kohesio")


def list_project_slug(record: Record) -> str:
    """The project a list row describes: by its case number, as a page's project.

    A row without a case number (or project number) is never merged with another source: it
    gets a project of its own, keyed by its Kohesio item when it has one, else by its kind,
    title and start date. `esfgraph link-report` lists such rows as candidates.
    """
    if record.case_number or record.project_number:
        return project_slug(record)
    kind = record.provenance.get("kind", "list")
    item = record.extra.get(EXTRA_KOHESIO_ITEM)
    if item:
        return f"kohesio-{item.lower()}"
    return f"{kind}-{project_slug(record)}"


def record_key(record: Record) -> str:
    """The store's key of a list row: `{project slug}/{kind}` (one per project and list kind)."""
    return f"{list_project_slug(record)}/{record.provenance.get('kind', 'list')}"


class _ListMapper(_Mapper):
    """The page mapping's parts, pointed at the source's description node."""

    def __init__(self, record: Record, config: Config, gazetteer: Any, iris: Iris,
                 sha256: str | None, generated: dt.datetime | None) -> None:
        super().__init__(record, config, gazetteer, iris, sha256, generated)
        self.kind = record.provenance.get("kind", "list")
        self.project = f"{iris.base}id/project/{list_project_slug(record)}"
        self.slug = record_key(record)
        self.g = iris.record_graph(self.slug)
        self.pg = iris.personal_graph(self.slug)
        self.p = f"{iris.base}id/project/{self.slug}"  # the description node

    def run(self) -> MappedRecord:
        r, d, add = self.r, self.p, self.add
        add(d, RDF.type, ESF.SourceDescription)
        add(d, RDF.type, PROV.Entity)
        add(d, ESF.describes, self.project)
        add(d, ESF.sourceKind, _plain(self.kind))
        if r.title:
            add(d, DCTERMS.title, self.sv(r.title))
        title_en = r.extra.get(EXTRA_TITLE_EN)
        if title_en:
            add(d, DCTERMS.title, literal(title_en, lang="en"))
        if r.project_number:
            add(d, ESF.projectNumber, literal(r.project_number))
        if r.case_number:
            add(d, ESF.caseNumber, literal(r.case_number))
        self.classification()
        self.dates_and_numbers()
        self.money()
        self.list_money()
        self.beneficiary()
        self.country()
        self.texts_of_list()
        self.address()
        self.kohesio()
        self.provenance_of_row()
        return MappedRecord(self.slug, URIRef(self.g), URIRef(self.pg), None, r.source,
                            terms=self.terms)

    def _amount(self, prop: str, kind: str, value: int | Decimal, currency: str) -> None:
        lexical = _decimal(value)
        node = self.iris.amount(self.p, kind)
        self.add(self.p, prop, lexical)
        self.add(self.p, ESF.amount, node)
        self.add(node, RDF.type, SCHEMA.MonetaryAmount)
        self.add(node, SCHEMA.value, lexical)
        self.add(node, SCHEMA.currency, currency)

    def list_money(self) -> None:
        extra = self.r.extra
        if extra.get(EXTRA_EU_CONTRIBUTION_SEK):
            self._amount(ESF.euContributionSEK, "eu-contribution",
                         int(extra[EXTRA_EU_CONTRIBUTION_SEK]), _SEK)
        if extra.get(EXTRA_TOTAL_EUR):
            self._amount(ESF.totalEligibleExpenditureEUR, "total-eligible-expenditure-eur",
                         Decimal(extra[EXTRA_TOTAL_EUR]), _EUR)
        if extra.get(EXTRA_EU_BUDGET_EUR):
            self._amount(ESF.euBudgetEUR, "eu-budget-eur", Decimal(extra[EXTRA_EU_BUDGET_EUR]),
                         _EUR)

    def beneficiary(self) -> None:
        """The list's beneficiary as an organisation; its number becomes its identifier."""
        r = self.r
        if not r.owner:
            if r.owner_org_number:
                self.add(self.p, ESF.ownerOrganisationNumber, literal(r.owner_org_number))
            return
        refs = self._resolve_all(r.owner)
        ref = refs[0]
        org = self._org_node(ref, r.owner if len(refs) == 1 else None)
        self.add(self.p, ESF.beneficiary, org)
        if r.owner_org_number and len(refs) == 1:
            legal = ref
            while getattr(legal, "parent", None) is not None:
                legal = legal.parent
            node = self.iris.org(legal, r)
            self.add(node, ESF.organisationNumber, _plain(r.owner_org_number))
            if not luhn_ok(r.owner_org_number):
                self.add(node, ESF.organisationNumberCheckDigitValid,
                         _typed("false", XSD.boolean))
        item = r.extra.get(EXTRA_KOHESIO_BENEFICIARY)
        if item and len(refs) == 1:
            self.add(org, SCHEMA.sameAs, KOHESIO_ENTITY + item)

    def country(self) -> None:
        r = self.r
        if r.country:
            iso2 = {"sverige": "SE", "sweden": "SE"}.get(r.country.strip().casefold())
            if iso2:
                self.add(self.p, ESF.country, self.iris.place(iso2))
            else:
                self.add(self.p, ESF.countryName, self.sv(r.country))

    def texts_of_list(self) -> None:
        r, d, add = self.r, self.p, self.add
        for text in r.sections.values():
            if text:
                add(d, DCTERMS.abstract, self.sv(text))
        summary_en = r.extra.get(EXTRA_SUMMARY_EN)
        if summary_en:
            add(d, DCTERMS.abstract, literal(summary_en, lang="en"))
        for label, value in r.extra.items():
            if label in TYPED_EXTRAS:
                continue
            node = self.iris.extra(d, label)
            add(d, ESF.extraField, node)
            add(node, RDF.type, ESF.ExtraField)
            add(node, RDFS.label, _plain(label))
            add(node, RDF.value, literal(value))

    def kohesio(self) -> None:
        item = self.r.extra.get(EXTRA_KOHESIO_ITEM)
        if item:
            self.add(self.p, ESF.kohesioItem, KOHESIO_ENTITY + item)

    def provenance_of_row(self) -> None:
        """The file (and row) the description came from, and when it was read."""
        add, g, d = self.add, self.g, self.p
        name = self.r.provenance.get("file") or self.r.source
        src = self.iris.source(Path(name).name)
        row = self.r.provenance.get("row")
        add(d, PROV.wasDerivedFrom, src)
        add(d, DCTERMS.source, src)
        if row:
            add(d, ESF.sourceRow, _typed(row, XSD.integer))
        add(g, RDF.type, PROV.Entity)
        add(g, PROV.wasDerivedFrom, src)
        when = self.generated or build_time()
        add(g, PROV.generatedAtTime, _typed(when.isoformat(), XSD.dateTime))
        add(src, RDF.type, PROV.Entity)
        add(src, DCTERMS.identifier, literal(Path(name).name))
        add(src, ESF.sourceKind, _plain(self.kind))
        if self.sha256:
            add(src, ESF.sha256, literal(self.sha256))




def map_list_record(record: Record, config: Config | None = None, gazetteer: Any = None, *,
                    sha256: str | None = None, generated: dt.datetime | None = None
                    ) -> MappedRecord:
    """Map one list row to its description node's quads, in the row's own named graph."""
    config, gazetteer, iris = mapping_context(config, gazetteer)
    return _ListMapper(record, config, gazetteer, iris, sha256, generated).run()


def is_list_record(record: Record) -> bool:
    """True for a record read from one of the lists."""
    return record.provenance.get("kind") in LIST_KINDS


__all__ = ["KOHESIO_ENTITY", "KOHESIO_PAGE", "LIST_KINDS", "is_list_record", "list_project_slug",
           "map_list_record", "record_key"]
