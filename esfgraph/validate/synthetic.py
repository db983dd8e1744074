"""Synthetic records that follow docs/DATA-MODEL.md, with optional planted errors.

Used by the tests (equivalence with whole-graph pySHACL) and by bench/validate.py; the records
look like `esfgraph.mapping.MappedRecord` (slug, graph, personal_graph, quads).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from esfgraph.config import DEFAULT_BASE_IRI
from esfgraph.namespaces import CONCEPT, ESF, SCHEMA

_FUNDING = URIRef("https://schema.org/funding")  # not in rdflib's SDO term list


@dataclass
class SyntheticRecord:
    """Duck-typed stand-in for MappedRecord."""

    slug: str
    graph: URIRef
    personal_graph: URIRef
    quads: list = field(default_factory=list)
    planted: str | None = None


#: Every kind of planted error (one per record, cycling), named after what is wrong.
ERROR_KINDS = (
    "missing-title", "two-titles", "title-no-language", "title-english", "bad-project-number",
    "bad-case-number", "start-after-end", "ill-typed-date", "grant-above-budget", "negative-budget",
    "rate-above-one", "negative-participants", "participants-decimal", "untyped-municipality",
    "owner-literal", "currency-eur", "amount-extra-property", "participation-no-agent",
    "bad-org-number", "org-two-names", "unit-without-parent", "bad-email", "bad-phone",
    "bad-municipality-code", "bad-region-code", "area-not-concept", "section-no-text",
    "extra-iri-value", "boolean-as-text", "text-wrong-language", "bad-postcode", "bad-sha256",
    "grant-no-project", "duplicate-project", "blank-project", "person-no-name", "mbox-literal",
    "role-unknown", "two-owners", "cci-bad", "amount-missing-value", "no-start-date",
    "unit-parent-not-org", "person-name-link", "org-two-numbers",
)

#: Planted variations that are NOT errors (edge cases that must produce no result).
EDGE_CASES = frozenset({"no-start-date", "unit-without-parent", "person-no-name"})

REGIONS = [("SE33", "Övre Norrland"), ("SE32", "Mellersta Norrland"), ("SE31", "Norra Mellansverige"),
           ("SE12", "Östra Mellansverige"), ("SE11", "Stockholm"), ("SE23", "Västsverige"),
           ("SE21", "Småland och öarna"), ("SE22", "Sydsverige")]


def _lit(text: str, lang: str | None = "sv") -> Literal:
    return Literal(text, lang=lang)


def reference_graph(base: str = DEFAULT_BASE_IRI, municipalities: int = 60) -> Graph:
    """Places and the concepts the synthetic records link to (reference + vocabulary)."""
    g = Graph()
    for i, (nuts2, name) in enumerate(REGIONS):
        region = URIRef(f"{base}id/region/{nuts2}")
        g.add((region, RDF.type, ESF.Region))
        g.add((region, RDFS.label, _lit(name)))
        g.add((region, ESF.nuts2, Literal(nuts2)))
        g.add((region, SKOS.exactMatch, URIRef(f"http://data.europa.eu/nuts/code/{nuts2}")))
        county = URIRef(f"{base}id/county/{10 + i:02d}")
        g.add((county, RDF.type, ESF.County))
        g.add((county, RDFS.label, _lit(f"Län {10 + i}")))
        g.add((county, ESF.countyCode, Literal(f"{10 + i:02d}")))
        g.add((county, ESF.nuts3, Literal(f"{nuts2}{i % 10}")))
        g.add((region, ESF.containsCounty, county))
    national = URIRef(f"{base}id/region/national")
    g.add((national, RDF.type, ESF.Region))
    g.add((national, RDFS.label, _lit("Nationellt")))
    for m in range(municipalities):
        mun = URIRef(f"{base}id/municipality/{1400 + m}")
        i = m % len(REGIONS)
        g.add((mun, RDF.type, ESF.Municipality))
        g.add((mun, RDFS.label, _lit(f"Kommun {m} kommun")))
        g.add((mun, SKOS.prefLabel, _lit(f"Kommun {m}")))
        g.add((mun, ESF.scbCode, Literal(f"{1400 + m}")))
        g.add((mun, ESF.county, URIRef(f"{base}id/county/{10 + i:02d}")))
        g.add((mun, ESF.region, URIRef(f"{base}id/region/{REGIONS[i][0]}")))
    for concept in _concepts():
        g.add((concept, RDF.type, SKOS.Concept))
    g.add((ESF.Municipality, RDFS.subClassOf, SCHEMA.AdministrativeArea))
    return g


def _concepts() -> list[URIRef]:
    return ([CONCEPT[f"programme-area/2014-2020/{i}"] for i in (1, 2, 3)]
            + [CONCEPT[f"specific-objective/2014-2020/{i}"] for i in ("1.1", "2.1", "3.1")]
            + [CONCEPT[f"phase/{p}"] for p in ("genomforande", "forprojektering")]
            + [CONCEPT["period/2014-2020"], CONCEPT["period/2007-2013"], CONCEPT["fund/esf"]]
            + [CONCEPT[f"role/{r}"] for r in ("owner", "partner", "cofinancier", "transnational-contact")])


def synthetic_records(n: int, *, errors: bool = False, seed: int = 0, base: str = DEFAULT_BASE_IRI,
                      municipalities: int = 60, error_every: int = 3) -> list[SyntheticRecord]:
    """Make `n` records; with errors=True every `error_every`-th record gets one planted error."""
    rng = random.Random(seed)
    orgs = [URIRef(f"{base}id/org/organisation-{i}") for i in range(max(10, n // 5))]
    council = URIRef(f"{base}id/org/svenska-esf-radet")
    out = []
    kinds = iter(ERROR_KINDS * (n // max(1, error_every) // len(ERROR_KINDS) + 1))
    for i in range(n):
        planted = next(kinds) if errors and i % error_every == 1 else None
        out.append(_record(i, rng, base, orgs, council, municipalities, planted))
    return out


def _record(i: int, rng: random.Random, base: str, orgs: list, council: URIRef, municipalities: int,
            planted: str | None) -> SyntheticRecord:
    slug = f"2018-{i:05d}"
    number = f"2018/{i:05d}"
    if planted == "duplicate-project" and i > 0:
        slug, number = f"2018-{i - 1:05d}", f"2018/{i - 1:05d}"
    graph = URIRef(f"{base}graph/record/{slug}-{i}")
    personal = URIRef(f"{base}graph/personal/{slug}-{i}")
    project: URIRef | BNode = URIRef(f"{base}id/project/{slug}")
    if planted == "blank-project":
        project = BNode(f"p{i}")
    pj = str(project) if isinstance(project, URIRef) else f"{base}id/bnode/{i}"
    q: list = []
    pq: list = []

    def add(s, p, o) -> None:
        q.append((s, p, o, graph))

    def padd(s, p, o) -> None:
        pq.append((s, p, o, personal))

    source = URIRef(f"{base}source/{i:03d}_synthetic.txt")
    add(graph, RDF.type, PROV.Entity)
    add(graph, PROV.wasDerivedFrom, source)
    add(source, RDF.type, PROV.Entity)
    add(source, DCTERMS.identifier, Literal(f"{i:03d}_synthetic.txt"))
    add(source, ESF.sha256, Literal("ab12" * 16 if planted != "bad-sha256" else "xyz"))

    title = f"Projekt nummer {i}"
    add(project, RDF.type, ESF.Project)
    add(project, RDF.type, SCHEMA.Project)
    if planted != "missing-title":
        lang = {"title-no-language": None, "title-english": "en"}.get(planted or "", "sv")
        add(project, DCTERMS.title, Literal(title, lang=lang))
    if planted == "two-titles":
        add(project, DCTERMS.title, _lit(title + " (kopia)"))
    if planted == "duplicate-project":
        add(project, DCTERMS.title, _lit(f"Dubblett {i}"))
    add(project, RDFS.label, _lit(title))
    add(project, ESF.projectNumber, Literal("2018-460" if planted == "bad-project-number" else number))
    add(project, ESF.caseNumber, Literal("abc def" if planted == "bad-case-number" else f"2018-{3000000 + i}"))
    add(project, ESF.programmingPeriod, CONCEPT["period/2014-2020"])
    area = 1 + i % 3
    add(project, ESF.programmeArea, CONCEPT[f"programme-area/2014-2020/{area}"]
        if planted != "area-not-concept" else CONCEPT["programme-area/2014-2020/99"])
    add(project, ESF.specificObjective, CONCEPT[f"specific-objective/2014-2020/{area}.1"])
    add(project, ESF.phase, CONCEPT["phase/genomforande"])
    add(project, ESF.fund, CONCEPT["fund/esf"])
    add(project, ESF.programmeCCI, Literal("2014SE05M9OP001" if planted != "cci-bad" else "2014-SE-05"))
    start_year = 2015 + i % 5
    start = Literal(f"{start_year}-03-01", datatype=XSD.date)
    end = Literal(f"{start_year + 2}-02-28", datatype=XSD.date)
    if planted == "start-after-end":
        start, end = end, start
    if planted == "ill-typed-date":
        start = Literal(f"{start_year}-13-45", datatype=XSD.date)
    if planted != "no-start-date":
        add(project, SCHEMA.startDate, start)
    add(project, SCHEMA.endDate, end)
    participants = {"negative-participants": Literal(-3), "participants-decimal": Literal("12.5", datatype=XSD.decimal)}
    add(project, ESF.plannedParticipants, participants.get(planted or "", Literal(rng.randint(5, 400))))
    add(project, ESF.euCofinancingRate, Literal("1.5" if planted == "rate-above-one" else "0.5", datatype=XSD.decimal))
    add(project, ESF.childPovertyTheme, Literal("ja") if planted == "boolean-as-text" else Literal(False))
    add(project, ESF.strategicImportance, Literal(i % 2 == 0))
    nuts2 = REGIONS[i % len(REGIONS)][0]
    add(project, ESF.region, URIRef(f"{base}id/region/{nuts2}"))
    add(project, ESF.country, URIRef(f"{base}id/place/SE"))
    add(project, ESF.municipality, URIRef(f"{base}id/municipality/{1400 + i % municipalities}"))
    if planted == "untyped-municipality":
        add(project, ESF.municipality, URIRef(f"{base}id/municipality/0000"))
    if planted == "bad-municipality-code":
        bad = URIRef(f"{base}id/municipality/x{i}")
        add(project, ESF.municipality, bad)
        add(bad, RDF.type, ESF.Municipality)
        add(bad, RDFS.label, _lit("Felkommun"))
        add(bad, ESF.scbCode, Literal("144"))
    if planted == "bad-region-code":
        bad = URIRef(f"{base}id/region/x{i}")
        add(project, ESF.region, bad)
        add(bad, RDF.type, ESF.Region)
        add(bad, RDFS.label, _lit("Felregion"))
        add(bad, ESF.nuts2, Literal("SE2"))

    budget = rng.randint(100_000, 30_000_000)
    grant_sek = budget // 2 if planted != "grant-above-budget" else budget + 1000
    if planted == "negative-budget":
        budget = -budget
    for prop, value in ((ESF.esfGrantSEK, grant_sek), (ESF.totalBudgetSEK, budget)):
        add(project, prop, Literal(str(value), datatype=XSD.decimal))
    grant = URIRef(f"{pj}/grant")
    add(project, _FUNDING, grant)
    add(grant, RDF.type, SCHEMA.MonetaryGrant)
    if planted != "grant-no-project":
        add(grant, SCHEMA.fundedItem, project)
    add(grant, SCHEMA.funder, council)
    add(grant, ESF.amountSEK, Literal(str(grant_sek), datatype=XSD.decimal))
    for kind, value, prop in (("esf-grant", grant_sek, None), ("total-budget", budget, ESF.totalBudget)):
        amount = URIRef(f"{pj}/amount/{kind}")
        if prop is None:
            add(grant, SCHEMA.amount, amount)
        else:
            add(project, prop, amount)
        add(amount, RDF.type, SCHEMA.MonetaryAmount)
        if not (planted == "amount-missing-value" and prop is None):
            add(amount, SCHEMA.value, Literal(str(value), datatype=XSD.decimal))
        add(amount, SCHEMA.currency, Literal("EUR" if planted == "currency-eur" and prop else "SEK"))
        if planted == "amount-extra-property" and prop:
            add(amount, RDFS.comment, Literal("extra"))

    owner = orgs[i % len(orgs)]
    partner = orgs[(i * 7 + 3) % len(orgs)]
    for org in (owner, partner):
        key = org.rsplit("-", 1)[-1]
        add(org, RDF.type, ORG.Organization)
        add(org, SKOS.prefLabel, _lit(f"Organisation {key}"))
        add(org, RDFS.label, _lit(f"Organisation {key}"))
        add(org, ESF.organisationNumber, Literal(f"{2120000000 + int(key):010d}"))
    if planted == "org-two-names":
        add(owner, SKOS.prefLabel, _lit(f"Annat namn {i}"))
    if planted == "org-two-numbers":
        add(partner, ESF.organisationNumber, Literal(f"{5560000000 + i:010d}"))
    if planted == "bad-org-number":
        bad = URIRef(f"{base}id/org/bad-{i}")
        add(project, ESF.cofinancier, bad)
        add(bad, RDF.type, ORG.Organization)
        add(bad, SKOS.prefLabel, _lit("Felaktig AB"))
        add(bad, ESF.organisationNumber, Literal("212000-1512"))
    unit = URIRef(f"{owner}/enhet-{i % 4}" if planted not in ("unit-without-parent", "unit-parent-not-org")
                  else f"{owner}/enhet-x{i}")
    add(unit, RDF.type, ORG.OrganizationalUnit)
    add(unit, RDF.type, ORG.Organization)
    add(unit, SKOS.prefLabel, _lit(f"Enhet {i % 4}"))
    if planted == "unit-parent-not-org":
        add(unit, ORG.unitOf, URIRef(f"{base}id/place/SE"))
    elif planted != "unit-without-parent":
        add(unit, ORG.unitOf, owner)
    add(owner, ORG.hasUnit, unit)
    add(project, ESF.owner, Literal("Kommunen") if planted == "owner-literal" else unit)
    if planted == "two-owners":
        add(project, ESF.owner, partner)
    add(project, ESF.partner, partner)
    for role, agent in (("owner", unit), ("partner", partner)):
        part = URIRef(f"{pj}/role/{role}/{agent.rsplit('/', 1)[-1]}")
        add(project, ESF.participation, part)
        add(part, RDF.type, ESF.Participation)
        if not (planted == "participation-no-agent" and role == "partner"):
            add(part, ESF.agent, agent)
        add(part, ESF.role, CONCEPT[f"role/{role}"] if planted != "role-unknown" else CONCEPT["role/sponsor"])
        add(part, ESF.project, project)

    address = URIRef(f"{pj}/address")
    add(project, ESF.beneficiaryAddress, address)
    add(address, RDF.type, SCHEMA.PostalAddress)
    add(address, SCHEMA.postalCode, Literal("ABC" if planted == "bad-postcode" else f"94{i % 10}85"))
    add(address, SCHEMA.addressLocality, Literal("Piteå"))
    add(project, DCTERMS.abstract, Literal("Sammanfattning av projektet.", lang="en" if planted == "text-wrong-language" else "sv"))
    add(project, ESF.background, _lit("Bakgrund."))
    section = URIRef(f"{pj}/section/resultat")
    add(project, ESF.section, section)
    add(section, RDF.type, ESF.TextSection)
    add(section, DCTERMS.title, _lit("Resultat"))
    if planted != "section-no-text":
        add(section, RDF.value, _lit("Bra resultat."))
    extra = URIRef(f"{pj}/extra/ovrigt")
    add(project, ESF.extraField, extra)
    add(extra, RDF.type, ESF.ExtraField)
    add(extra, RDFS.label, Literal("Övrigt"))
    add(extra, RDF.value, URIRef("http://example.org/x") if planted == "extra-iri-value" else Literal("värde"))
    add(project, PROV.wasDerivedFrom, source)

    person = URIRef(f"{base}id/person/person-{i}")
    padd(project, ESF.contactPerson, person)
    padd(person, RDF.type, FOAF.Person)
    padd(person, RDF.type, SCHEMA.Person)
    if planted == "person-name-link":
        padd(person, FOAF.name, URIRef(f"http://example.org/person/{i}"))
    elif planted != "person-no-name":
        padd(person, FOAF.name, Literal(f"Person {i}"))
    email = "foo at bar" if planted == "bad-email" else f"person.{i}@example.se"
    padd(person, SCHEMA.email, Literal(email))
    padd(person, FOAF.mbox, Literal(f"mailto:{email}") if planted == "mbox-literal" else URIRef(f"mailto:{email}"))
    padd(person, SCHEMA.telephone, Literal("ring mig" if planted == "bad-phone" else "0911-69 60 00"))
    return SyntheticRecord(slug, graph, personal, q + pq, planted)


def to_graph(records: list[SyntheticRecord], shared: Graph | None = None) -> Graph:
    """The union of records (and shared data) as one plain rdflib Graph (what pySHACL sees)."""
    g = Graph()
    for r in records:
        for s, p, o, _ in r.quads:
            g.add((s, p, o))
    if shared is not None:
        for t in shared:
            g.add(t)
    return g


__all__ = ["EDGE_CASES", "ERROR_KINDS", "SyntheticRecord", "reference_graph", "synthetic_records", "to_graph"]
