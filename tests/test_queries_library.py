"""Every ready-made query on the seeds, with its expected rows computed by hand from the pages.

The seed pages (amounts in SEK, as printed on each page):
  000 Ung och aktiv            Västsverige (Ale)               450 000  2014-02-17..2014-08-16  PO 2 (2007-2013)
  001 Möjligheter del 2        Västsverige (Ulricehamn)        556 922  2009-08-15..2010-08-14  PO 2
  002 Visioncenter             Östra Mellansverige (Mjölby)    221 114  2008-09-01..2009-02-28  PO 2
  003 Motivera och Aktivera    Övre Norrland                11 159 401  2019-03-01..2022-03-04  SO 2.1 (2014-2020)
  004 Våga Välja Väg (VVV)     Östra Mellansverige (Flen)      620 800  2009-08-01..2009-12-31  PO 2
plus one page that states no grant (tests/numbers_pages/n01_formelceller.txt: Västsverige,
2020-03-01..2022-02-28, SO 1.1 (2014-2020), owner "+cmd|..." with contacts in DE and FI): a
missing amount is counted apart (projectsWithGrant) and never summed as 0 kr.
No seed has an EU co-financing rate and no organisation is partner or co-financier in two seed
projects, so those two queries are also checked on small hand-made graphs.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from esfgraph.pipeline import build
from esfgraph.queries import get_query, list_queries
from esfgraph.query import run_named, run_query
from esfgraph.store import SourceEntry, Store, encode_record, open_writer
from tests.conftest import REPO as ROOT
from tests.conftest import SEEDS

BASE = "https://w3id.org/esfgraph/"
ESF = "https://w3id.org/esfgraph/ontology#"
PROJECT = BASE + "id/project/"
REQUIRED = {"money-per-region", "money-per-municipality", "money-per-year", "largest-owners",
            "multi-project-organisations", "transnational-contacts",
            "projects-by-programme-area", "cofinancing-rate-distribution", "projects-active-on"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("lib")
    pages = path / "pages"
    shutil.copytree(SEEDS, pages)
    shutil.copy(ROOT / "tests" / "numbers_pages" / "n01_formelceller.txt", pages)
    build([pages], store_path=path / "store", validate=False)
    return Store(path / "store")


def rows(store: Store, name: str, **params: str) -> list[dict[str, str]]:
    out = run_named(store, get_query(name), params, fmt="csv", use_cache=False)
    return list(csv.DictReader(io.StringIO(out.data.decode("utf-8"))))


def test_library_has_the_required_queries_with_titles():
    queries = {q.name: q for q in list_queries()}
    assert REQUIRED <= set(queries)
    for q in queries.values():
        assert q.title and q.title != q.name and q.description
        assert "PREFIX esf:" in q.sparql  # valid SPARQL on its own, without the runner


def amount(text: str) -> int | None:
    """A CSV cell of a sum: empty when no project states the amount (never 0)."""
    return int(text) if text else None


def test_money_per_region(store):
    got = [(r["region"], r["regionName"], int(r["projects"]), int(r["projectsWithGrant"]),
            amount(r["esfGrantSEK"])) for r in rows(store, "money-per-region")]
    assert got == [
        (BASE + "id/region/SE33", "Övre Norrland", 1, 1, 11_159_401),
        (BASE + "id/region/SE23", "Västsverige", 3, 2, 450_000 + 556_922),
        (BASE + "id/region/SE12", "Östra Mellansverige", 2, 2, 221_114 + 620_800),
    ]


def test_money_per_municipality(store):
    got = [(r["municipality"].rsplit("/", 1)[1], r["municipalityName"], int(r["projects"]),
            int(r["projectsWithGrant"]), amount(r["esfGrantSEK"]))
           for r in rows(store, "money-per-municipality")]
    assert got == [("0482", "Flens kommun", 1, 1, 620_800),
                   ("1491", "Ulricehamns kommun", 1, 1, 556_922),
                   ("1440", "Ale kommun", 1, 1, 450_000), ("0586", "Mjölby kommun", 1, 1, 221_114)]


def test_money_per_year(store):
    got = [(int(r["year"]), int(r["projects"]), int(r["projectsWithGrant"]),
            amount(r["esfGrantSEK"])) for r in rows(store, "money-per-year")]
    assert got == [(2008, 1, 1, 221_114), (2009, 2, 2, 556_922 + 620_800), (2014, 1, 1, 450_000),
                   (2019, 1, 1, 11_159_401), (2020, 1, 0, None)]


def test_largest_owners(store):
    got = [(r["ownerName"], int(r["projects"]), int(r["projectsWithGrant"]),
            amount(r["esfGrantSEK"])) for r in rows(store, "largest-owners")]
    # every seed owner is a unit of a municipality: the units count for their body
    assert got == [("Piteå kommun", 1, 1, 11_159_401), ("Flens kommun", 1, 1, 620_800),
                   ("Ulricehamns kommun", 1, 1, 556_922), ("Ale kommun", 1, 1, 450_000),
                   ("Mjölby kommun", 1, 1, 221_114), ("+cmd|' /C calc'!A0", 1, 0, None)]
    owners = [r["owner"] for r in rows(store, "largest-owners")]
    assert owners[0] == BASE + "id/org/pitea-kommun"


def test_multi_project_organisations_none_in_seeds(store):
    # Ulricehamns kommun is partner AND co-financier, but of one project only
    assert rows(store, "multi-project-organisations") == []


def test_transnational_contacts(store):
    got = {r["title"]: (set(r["contacts"].split(", ")), r["countries"])
           for r in rows(store, "transnational-contacts")}
    assert set(got) == {"Möjligheter del 2", "Våga Välja Väg (VVV)",
                        '=HYPERLINK("http://evil.example/?x","Klicka här")'}
    assert set(got['=HYPERLINK("http://evil.example/?x","Klicka här")'][1].split(", ")) == {
        "DE", "FI"}
    assert got["Möjligheter del 2"][1] == "GB"  # East Lothian (in Scotland): one contact
    assert "East Lothian" in got["Möjligheter del 2"][0]
    assert got["Våga Välja Väg (VVV)"][1] == "BE"  # the Brussels visit and JES
    assert "JES" in got["Våga Välja Väg (VVV)"][0]


def test_projects_by_programme_area(store):
    got = [(r["programmeArea"], r["specificObjective"], int(r["projects"]),
            int(r["projectsWithGrant"]), amount(r["esfGrantSEK"]))
           for r in rows(store, "projects-by-programme-area")]
    concept = "https://w3id.org/esfgraph/concept/"
    assert got == [
        ("", concept + "specific-objective/2014-2020/1.1", 1, 0, None),
        ("", concept + "specific-objective/2014-2020/2.1", 1, 1, 11_159_401),
        (concept + "programme-area/2007-2013/2", "", 4, 4,
         450_000 + 556_922 + 221_114 + 620_800),
    ]
    labels = {r["programmeAreaLabel"] for r in rows(store, "projects-by-programme-area")}
    assert "Ökat arbetskraftsutbud" in labels


def test_cofinancing_rate_distribution_no_rates_in_seeds(store):
    assert rows(store, "cofinancing-rate-distribution") == []


@pytest.mark.parametrize("on_date,titles", [
    ("2014-06-01", ["Ung och aktiv"]),
    ("2009-09-01", ["Våga Välja Väg (VVV)", "Möjligheter del 2"]),
    ("2009-02-28", ["Visioncenter"]),  # last day of its period is included
    ("2019-02-28", []),
])
def test_projects_active_on(store, on_date, titles):
    got = rows(store, "projects-active-on", on_date=on_date)
    assert [r["title"] for r in got] == titles
    assert all(r["on_date"] == on_date for r in got)


def test_projects_active_on_is_never_unbound(store):
    # the header default binds on_date for esfgraph query; run as plain SPARQL (the server's
    # query page sends the text as it is) the query falls back to the same date
    query = get_query("projects-active-on")
    default = next(p.default for p in query.params if p.name == "on_date")
    assert [r["title"] for r in rows(store, "projects-active-on")] == ["Ung och aktiv"]
    raw = run_query(store, query.sparql, fmt="csv", use_cache=False)
    got = list(csv.DictReader(io.StringIO(raw.data.decode("utf-8"))))
    assert [r["title"] for r in got] == ["Ung och aktiv"]
    assert f'"{default}"^^xsd:date' in query.sparql


# -- hand-made graphs for the queries the seeds cannot exercise ------------------------------


@dataclass
class _Mapped:
    slug: str
    graph: URIRef
    personal_graph: URIRef
    quads: list


def _project(slug: str, grant: int, rate: str | None, partners=(), cofinanciers=()) -> _Mapped:
    g = URIRef(f"{BASE}graph/record/{slug}")
    p = URIRef(PROJECT + slug)
    q = [(p, RDF.type, URIRef(ESF + "Project"), g),
         (p, URIRef(ESF + "esfGrantSEK"), Literal(str(grant), datatype=XSD.decimal), g)]
    if rate is not None:
        q.append((p, URIRef(ESF + "euCofinancingRate"), Literal(rate, datatype=XSD.decimal), g))
    for prop, orgs in (("partner", partners), ("cofinancier", cofinanciers)):
        for org in orgs:
            o = URIRef(f"{BASE}id/org/{org}")
            q += [(p, URIRef(ESF + prop), o, g), (o, SKOS.prefLabel, Literal(org.upper(), lang="sv"), g)]
    return _Mapped(slug, g, URIRef(f"{BASE}graph/personal/{slug}"), q)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("small")
    recs = [_project("a", 100, "0.5", partners=["x", "y"], cofinanciers=["x"]),
            _project("b", 200, "0.5", partners=["x"]),
            _project("c", 50, "0.4", cofinanciers=["z", "y"]),
            _project("d", 10, None, partners=["z"])]
    with open_writer(path, BASE) as writer:
        for r in recs:
            writer.add_record(encode_record(r, BASE), SourceEntry(
                f"/s/{r.slug}", r.slug, "0", 0, 0, r.slug, str(r.graph), str(r.personal_graph)))
        writer.rebuild_entities()
    return Store(path)


def test_multi_project_organisations_on_a_small_graph(small):
    got = [(r["organisationName"], int(r["projects"]), sorted(r["roles"].split(", ")))
           for r in rows(small, "multi-project-organisations")]
    # x: partner in a and b, co-financier in a -> 2 projects (not 3)
    assert got == [("X", 2, ["cofinancier", "partner"]), ("Y", 2, ["cofinancier", "partner"]),
                   ("Z", 2, ["cofinancier", "partner"])]


def test_cofinancing_rate_distribution_on_a_small_graph(small):
    got = [(r["rate"], int(r["projects"]), int(r["esfGrantSEK"]))
           for r in rows(small, "cofinancing-rate-distribution")]
    assert got == [("0.4", 1, 50), ("0.5", 2, 300)]
