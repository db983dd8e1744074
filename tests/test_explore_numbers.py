"""The explorer's numbers and downloads (issue 21) and spreadsheet-safe CSV (issue 23 item 3).

One store for the module: the seeds, the relevance pages and tests/numbers_pages (a page whose
title and owner are formulas and which states no grant, two departments of Göteborgs kommun,
a national project). Served in-process; every figure a page shows is compared with the SPARQL
aggregate that answers the same question on the same store.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from esfgraph.csvsafe import FORMULA_STARTS, csv_text, safe_cell
from esfgraph.explore.search import FACETS, SearchParams, open_index
from esfgraph.serve import ServeSettings, create_app
from esfgraph.store import Store
from tests.explore_store import (
    PAGES,
    ROOT,
    SEEDS,
    build_explore_store,
    project,
    version_of,
)
from tests.serve_fixtures.server import app_in_thread

NUMBERS = ROOT / "tests" / "numbers_pages"
BASE = "https://w3id.org/esfgraph/"
GBG = BASE + "id/org/goteborgs-kommun"
EVIL_TITLE = '=HYPERLINK("http://evil.example/?x","Klicka här")'
EVIL_OWNER = "+cmd|' /C calc'!A0"
EVIL = project("2020-00901")


@pytest.fixture(scope="module")
def numbers_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_explore_store(tmp_path_factory.mktemp("numbers") / "store", SEEDS, PAGES,
                               NUMBERS)


@pytest.fixture(scope="module")
def client(numbers_store: Path) -> Iterator[httpx.Client]:
    with app_in_thread(create_app(ServeSettings(store=str(numbers_store), workers=1))) as c:
        yield c


def sparql(client: httpx.Client, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT on the served store, as {var: lexical value}."""
    resp = client.post("/sparql", data={"query": query},
                       headers={"accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.text
    return [{k: v["value"] for k, v in b.items()} for b in resp.json()["results"]["bindings"]]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def html(client: httpx.Client, path: str, lang: str = "sv", **params: Any) -> str:
    resp = client.get(path, params={**params, "lang": lang}, headers={"accept": "text/html"})
    assert resp.status_code == 200, resp.text[:300]
    return resp.text


PREFIXES = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


# --------------------------------------------------------------------- spreadsheet-safe CSV


@pytest.mark.parametrize("cell,expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"),
    ("\uff1d1+1", "'\uff1d1+1"), ("-1200", "-1200"), ("+46", "+46"), ("-0.5", "-0.5"),
    ("Ale kommun", "Ale kommun"), ("", ""), (None, ""), (-1200, "-1200"), (0, "0"),
    ("  =1+1", "'  =1+1"), ("\u00a0@x", "'\u00a0@x"), (" -5", " -5"),
])
def test_safe_cell(cell, expected):
    assert safe_cell(cell) == expected


@given(st.text(max_size=40))
def test_no_cell_starts_a_formula(text):
    cell = safe_cell(text)
    head = text.lstrip(" \u00a0")
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", head)
    starts = FORMULA_STARTS + ("\uff1d", "\uff0b", "\uff0d", "\uff20")
    assert number or not cell.lstrip(" \u00a0").startswith(starts)
    assert cell == text or cell == "'" + text  # nothing else is changed
    parsed = next(csv.reader(io.StringIO(csv_text(["a"], [[text]]), newline="")))
    assert parsed == ["a"]


def test_projects_csv_formula_cells_cannot_run(client):
    """Regression (issue 23 item 3): /projects.csv wrote a title `=HYPERLINK(…)` and an owner
    `+cmd|…` unchanged, so they ran as formulas in a spreadsheet."""
    for params in ({"q": "vägledning unga vuxna"}, {"q": "vägledning unga vuxna", "all": "1"}):
        rows = csv_rows(client.get("/projects.csv", params=params).text)
        row = next(r for r in rows if r["iri"] == EVIL)
        assert row["title"] == "'" + EVIL_TITLE and row["ownerLabel"] == "'" + EVIL_OWNER
        for r in rows:
            assert not any(v.startswith(("=", "+", "@")) for v in r.values())
    # the JSON keeps the values as they are (programs read it, not spreadsheets)
    items = client.get("/projects.json", params={"q": "vägledning unga vuxna"}).json()["items"]
    assert any(i["title"] == EVIL_TITLE for i in items)


def test_changes_csv_is_spreadsheet_safe():
    from esfgraph.changes import report
    from esfgraph.changes.model import ProjectChange

    change = ProjectChange(slug="2020-00901", project=EVIL, status="added", title=EVIL_TITLE)
    text = report.render_csv([change])
    row = csv_rows(text)[0]
    assert row["title"] == "'" + EVIL_TITLE


# --------------------------------------------------------------------- whole downloads


def test_csv_of_all_rows_ignores_paging_and_streams(client):
    page = client.get("/projects.json", params={"per_page": "3"}).json()
    with client.stream("GET", "/projects.csv", params={"per_page": "3", "all": "1"}) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
        assert "content-length" not in resp.headers  # streamed, not built whole
        assert resp.headers["x-total-count"] == str(page["total"])
        text = "".join(resp.iter_text())
    rows = csv_rows(text)
    assert len(rows) == page["total"] > 3
    assert list(rows[0]) == ["iri", "title", "projectNumber", "caseNumber", "period", "phase",
                             "phaseLabel", "owner", "ownerLabel", "ownerOrgNumber",
                             "esfGrantSEK", "totalBudgetSEK", "startDate", "endDate", "region",
                             "regionLabel", "countries", "countryLabels"]
    assert len({r["iri"] for r in rows}) == len(rows)
    # the same order as the pages
    first = client.get("/projects.json", params={"per_page": "500"}).json()["items"]
    assert [r["iri"] for r in rows] == [i["iri"] for i in first]
    evil = next(r for r in rows if r["iri"] == EVIL)
    assert evil["esfGrantSEK"] == "" and evil["countries"] == "DE; FI"  # missing: empty cell
    assert evil["countryLabels"] == "Tyskland; Finland"


def test_json_of_all_rows(client):
    data = client.get("/projects.json", params={"region": "SE23", "all": "1",
                                                "lang": "en"}).json()
    assert data["total"] == len(data["items"]) == 6
    assert data["projectsWithGrant"] == 4
    assert sum(i["esfGrantSEK"] or 0 for i in data["items"]) == data["esfGrantSEK"]
    evil = next(i for i in data["items"] if i["iri"] == EVIL)
    assert evil["countryLabels"] == ["Germany", "Finland"] and evil["esfGrantSEK"] is None


def test_pages_link_to_whole_downloads(client):
    search = html(client, "/projects", q="praktik", per_page="2")
    assert 'href="/projects.csv?q=praktik&amp;all=1"' in search
    assert 'href="/projects.json?q=praktik&amp;all=1"' in search
    region = html(client, "/id/region/SE23")
    assert 'href="/projects.csv?region=SE23&amp;all=1"' in region
    org = html(client, "/id/org/goteborgs-kommun")
    assert "/projects.csv?owner=https%3A%2F%2Fw3id.org%2Fesfgraph%2Fid%2Forg%2Fgoteborgs-kommun&amp;all=1" in org
    changes = html(client, "/changes")
    assert 'href="/changes.csv?all=1"' in changes


def test_changes_download_all_streams(client):
    for path in ("/changes.csv?all=1", "/changes.json?all=1"):
        resp = client.get(path)
        assert resp.status_code == 200, resp.text
    assert json.loads(client.get("/changes.json?all=1").text)["changes"] == []


# --------------------------------------------------------------------- missing is not zero


def test_search_totals_say_what_they_cover(client):
    page = html(client, "/projects", region="SE23")
    assert "6 projekt, varav 4 med beviljat stöd" in page
    only_missing = html(client, "/projects", q="hyperlink")
    assert "ESF-stöd uppgift saknas" in only_missing and "0\u00a0kr" not in only_missing
    assert "1 projekt, varav 0 med beviljat stöd" in only_missing
    en = html(client, "/projects", "en", q="hyperlink")
    assert "ESF grant not stated" in en and "1 project, 0 of them with a stated grant" in en
    assert "0\u00a0SEK" not in en


def test_region_with_no_stated_grant_is_not_zero(client):
    # SE11 (Stockholm) has one project and it states no grant
    assert "0\u00a0kr" not in html(client, "/id/region/SE11")
    assert "uppgift saknas" in html(client, "/id/region/SE11")
    table = html(client, "/map", level="region")
    row = re.search(r'<tr data-code="SE11">.*?</tr>', table).group(0)
    assert "uppgift saknas" in row and "0\u00a0kr" not in row
    area = re.search(r'<a href="/id/region/SE11"[^>]*>.*?</a>', table).group(0)
    assert 'class="qna"' in area and "Stockholm: uppgift saknas" in area  # not "no projects"
    assert "</svg> uppgift saknas</li>" in table  # in the legend


def test_map_table_lists_national_and_the_csv_has_it(client):
    page = html(client, "/map", level="region")
    row = re.search(r'<tr data-code="national">.*?</tr>', page).group(0)
    assert "Nationellt" in row and "5\u00a0000\u00a0000\u00a0kr" in row
    rows = csv_rows(client.get("/map.csv", params={"level": "region"}).text)
    national = next(r for r in rows if r["code"] == "national")
    assert national["label"] == "Nationellt"
    en = csv_rows(client.get("/map.csv", params={"level": "region", "lang": "en"}).text)
    assert next(r for r in en if r["code"] == "national")["label"] == "National"
    assert (national["projects"], national["esfGrantSEK"]) == ("1", "5000000")
    assert next(r for r in rows if r["code"] == "SE11")["esfGrantSEK"] == ""
    total = client.get("/projects.json").json()["total"]
    assert sum(int(r["projects"]) for r in rows) == total  # a project has one region here
    by_municipality = csv_rows(client.get("/map.csv").text)
    assert by_municipality[-1]["code"] == "" and int(by_municipality[-1]["projects"]) > 0
    assert "finns inte på kartan" in html(client, "/map")
    assert 'data-not-drawn="1"' in page  # the national project, at region level


# --------------------------------------------------------------------- totals roll up


def test_largest_owners_roll_units_up_to_their_body(client):
    page = html(client, "/id/region/SE23")
    top = re.search(rf'<tr data-owner="{GBG}" data-projects="(\d+)" data-granted="(\d+)" '
                    r'data-value="(\d+)">', page)
    assert top and top.groups() == ("3", "2", "44000000")
    units = re.findall(r'<tr class="unit" data-unit="([^"]+)" data-projects="(\d+)" '
                       r'data-value="(\d+)">', page)
    assert (GBG + "/socialtjanst", "1", "20000000") in units
    assert (GBG + "/kultur-och-fritidsforvaltning", "1", "24000000") in units
    # no department appears as an owner of its own
    assert f'data-owner="{GBG}/socialtjanst"' not in page


def _sparql_owner_totals(client: httpx.Client, pattern: str) -> dict[str, tuple[int, int, int]]:
    rows = sparql(client, PREFIXES + """SELECT ?owner (COUNT(?p) AS ?n) (COUNT(?g) AS ?k)
        (SUM(COALESCE(?g, 0)) AS ?sum) WHERE { { SELECT DISTINCT ?owner ?p ?g WHERE {
        """ + pattern + """ ?p esf:owner ?o . ?o org:unitOf* ?owner .
        FILTER NOT EXISTS { ?owner org:unitOf ?up } OPTIONAL { ?p esf:esfGrantSEK ?g } } } }
        GROUP BY ?owner""")
    return {r["owner"]: (int(r["n"]), int(r["k"]), int(Decimal(r["sum"]))) for r in rows}


@pytest.mark.parametrize("kind,code,pattern", [
    ("region", "SE23", "?p a esf:Project ; esf:region <https://w3id.org/esfgraph/id/region/SE23> ."),
    ("region", "SE33", "?p a esf:Project ; esf:region <https://w3id.org/esfgraph/id/region/SE33> ."),
    ("municipality", "1440",
     "?p a esf:Project ; esf:municipality <https://w3id.org/esfgraph/id/municipality/1440> ."),
])
def test_same_number_for_the_same_question_on_every_page(client, kind, code, pattern):
    """A place's largest owners (place page), the search for the place and the owner (index)
    and the SPARQL aggregate that answers it give the same projects, stated grants and sums."""
    expected = _sparql_owner_totals(client, pattern)
    page = html(client, f"/id/{kind}/{code}")
    shown = {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in re.findall(
        r'<tr data-owner="([^"]+)" data-projects="(\d+)" data-granted="(\d+)" '
        r'data-value="(\d+)">', page)}
    assert shown and all(expected[o] == v for o, v in shown.items())
    assert len(shown) == min(10, len(expected))
    for owner, (n, k, total) in expected.items():
        found = client.get("/projects.json", params={kind: code, "owner": owner}).json()
        assert (found["total"], found["projectsWithGrant"], found["esfGrantSEK"]) == (n, k, total)
    # the place's own totals: page, search and SPARQL
    whole = sparql(client, PREFIXES + """SELECT (COUNT(?p) AS ?n) (COUNT(?g) AS ?k)
        (SUM(COALESCE(?g, 0)) AS ?sum) WHERE { { SELECT DISTINCT ?p ?g WHERE { """ + pattern
                   + " OPTIONAL { ?p esf:esfGrantSEK ?g } } } }")[0]
    found = client.get("/projects.json", params={kind: code}).json()
    assert (found["total"], found["projectsWithGrant"], found["esfGrantSEK"]) == (
        int(whole["n"]), int(whole["k"]), int(Decimal(whole["sum"])))
    assert f'data-field="projects" data-value="{whole["n"]}"' in page
    assert f'data-granted="{whole["k"]}"' in page


def test_owner_facet_and_org_page_include_units(client):
    found = client.get("/projects.json", params={"owner": GBG}).json()
    org = html(client, "/id/org/goteborgs-kommun")
    assert found["total"] == 3 and found["esfGrantSEK"] == 44_000_000
    assert 'data-field="esfGrantOwner" data-value="44000000" data-granted="2"' in org
    assert "3 projekt, varav 2 med beviljat stöd" in org
    facet = {f["value"]: f["count"] for f in found["facets"]["owner"]}
    assert facet[GBG] == 3 and facet[GBG + "/socialtjanst"] == 1


# --------------------------------------------------------------------- countries


def test_country_facet_and_filter(client):
    data = client.get("/projects.json", params={"country": "de"}).json()
    assert [i["iri"] for i in data["items"]] == [EVIL]
    countries = {f["value"]: f for f in data["facets"]["country"]}
    assert countries["DE"]["selected"] and countries["DE"]["label"] == "Tyskland"
    assert {"DE", "FI", "DK", "GB", "BE"} <= set(countries)
    page = html(client, "/projects", country="DK")
    assert "Kontakter i: <span data-field=\"countries\">Danmark</span>" in page
    assert "Land (kontakter utomlands)" in page


# --------------------------------------------------------------------- "Visa som SPARQL" is exact


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 generated pages of all three layouts (bench/generate.py, seed 21)."""
    from bench.generate import write_pages

    pages = tmp_path_factory.mktemp("generated") / "pages"
    write_pages(str(pages), 30, seed=21, bad_rate=0)
    return build_explore_store(pages.parent / "store", pages)


WORDS = ("unga", "ungdomar", "praktik", "nyanlända", "kvinnor", "arbete", "kompetens",
         "digital", "vägledning", "Göteborg", "kommun", "utbildning", "hyperlink", "xyzzy",
         "introduktionsprogram", "arbetslöshet", "the", "och", "Luleå", "samverkan")


def random_params(rng: random.Random, index: Any) -> SearchParams:
    """A random search over the values the index holds (facets, years, amounts, words)."""
    everything = index.search(SearchParams(per_page=1))
    chosen: dict[str, Any] = {}
    for name in rng.sample(FACETS, rng.choice((0, 1, 1, 2, 3))):
        values = [f["value"] for f in everything["facets"].get(name, [])]
        if values:
            chosen[name] = tuple(rng.sample(values, min(len(values), rng.choice((1, 1, 2)))))
    if rng.random() < 0.5:
        chosen["q"] = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
    if rng.random() < 0.2:
        chosen["start_from"] = rng.randint(2008, 2022)
    if rng.random() < 0.2:
        chosen["start_to"] = rng.randint(2010, 2025)
    if rng.random() < 0.2:
        chosen["grant_min"] = rng.choice((0, 100_000, 500_000, 2_000_000))
    if rng.random() < 0.1:
        chosen["grant_max"] = rng.choice((500_000, 5_000_000, 20_000_000))
    return SearchParams(**chosen)


@pytest.mark.parametrize("which", ["numbers", "generated"])
def test_show_as_sparql_gives_the_pages_count_and_sums(which, client, numbers_store,
                                                       generated_store):
    """For 150 seeded random searches per store, the query behind "Visa som SPARQL" returns
    as many projects as the page shows, with the same stated grants and the same sum."""
    store = numbers_store if which == "numbers" else generated_store
    index = open_index(version_of(store))
    db = Store(store)
    rng = random.Random(f"sparql-{which}")
    nonempty = 0
    for _ in range(150):
        params = random_params(rng, index)
        result = index.search(params)
        rows = list(db.query(result["sparql"]))
        grants = [Decimal(r["esfGrantSEK"].value) for r in rows if r["esfGrantSEK"] is not None]
        got = (len(rows), len(grants), int(sum(grants)))
        assert got == (result["total"], result["projectsWithGrant"], result["esfGrantSEK"]), (
            params, result["sparql"])
        assert {r["project"].value for r in rows} == {
            i["iri"] for i in index.iter_items(params)}
        nonempty += result["total"] > 0
    assert nonempty >= 60  # the searches are not all empty


def test_country_pages_are_readable_and_agree_with_the_search(client):
    for code in ("DE", "GB", "BE", "DK"):
        page = html(client, f"/id/place/{code}")
        found = client.get("/projects.json", params={"country": code, "all": "1"}).json()
        shown = re.search(r'data-field="projects" data-value="(\d+)"', page).group(1)
        assert int(shown) == found["total"] > 0
        assert f'data-value="{found["esfGrantSEK"]}" data-granted="{found["projectsWithGrant"]}"' \
            in page
        for item in found["items"]:
            assert item["title"].replace('"', "&#34;") in page
        assert f'href="/projects.csv?country={code}&amp;all=1"' in page
    germany = html(client, "/id/place/DE")
    assert "<h1>Tyskland</h1>" in germany and "uppgift saknas" in germany
    assert "utbyter erfarenheter med kommuner i Tyskland" in germany  # the evidence
    assert "<h1>Germany</h1>" in html(client, "/id/place/DE", "en")
    city = html(client, "/id/place/GB-ELN")
    assert "<h1>East Lothian</h1>" in city and "Möjligheter del 2" in city
    assert 'href="/id/place/GB">Förenade kungariket</a>' in city


def test_organisation_filter_counts_every_role_and_units(client):
    ulricehamn = BASE + "id/org/ulricehamns-kommun"
    expected = sparql(client, PREFIXES + """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?p a esf:Project ; esf:owner|esf:partner|esf:cofinancier ?o .
        ?o org:unitOf* <""" + ulricehamn + "> }")[0]["n"]
    found = client.get("/projects.json", params={"organisation": ulricehamn}).json()
    assert found["total"] == int(expected) >= 1
    owner_only = client.get("/projects.json", params={"owner": ulricehamn}).json()
    assert owner_only["total"] <= found["total"]
    org = html(client, "/id/org/ulricehamns-kommun")
    assert "/projects.csv?organisation=https%3A%2F%2Fw3id.org%2Fesfgraph%2Fid%2Forg%2F" \
           "ulricehamns-kommun&amp;all=1" in org


def test_a_download_that_fails_midway_says_so():
    from esfgraph.explore.api import _guarded, json_all

    def failing():
        yield {"iri": "a"}
        raise sqlite3.OperationalError("disk I/O error")

    head = {"total": 2, "projectsWithGrant": 0, "esfGrantSEK": 0, "projectsWithBudget": 0,
            "totalBudgetSEK": 0}
    text = "".join(_guarded(json_all(head, failing()), "json"))
    data = json.loads(text)
    assert data["items"] == [{"iri": "a"}] and "incomplete" in data["error"]
    from esfgraph.csvsafe import csv_lines
    from esfgraph.explore.api import CSV_COLUMNS, csv_row

    rows = "".join(_guarded(csv_lines(CSV_COLUMNS, map(csv_row, failing())), "csv"))
    assert rows.splitlines()[-1].startswith("# incomplete: the search index could not be read")


def test_landing_total_says_what_it_covers_and_agrees_with_the_search(client):
    everything = client.get("/projects.json").json()
    page = html(client, "/")
    assert (f'data-value="{everything["esfGrantSEK"]}" '
            f'data-granted="{everything["projectsWithGrant"]}"') in page
    assert (f'{everything["total"]} projekt, varav {everything["projectsWithGrant"]} med '
            "beviljat stöd") in page


@pytest.mark.parametrize("slug", ["goteborgs-kommun", "ulricehamns-kommun", "ale-kommun"])
def test_organisation_page_figures_equal_the_sparql_aggregate(client, slug):
    org = BASE + "id/org/" + slug
    rows = sparql(client, PREFIXES + """SELECT ?role (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?part esf:agent ?a ; esf:role ?r ; esf:project ?p . ?a org:unitOf* <""" + org + """> .
        BIND(STRAFTER(STR(?r), "/role/") AS ?role) } GROUP BY ?role""")
    expected = {r["role"]: r["n"] for r in rows}
    page = html(client, f"/id/org/{slug}")
    shown = dict(re.findall(r'<span data-role="([^"]+)" data-value="(\d+)">', page))
    assert shown == expected and expected
    owner = sparql(client, PREFIXES + """SELECT (COUNT(?p) AS ?n) (COUNT(?g) AS ?k)
        (SUM(COALESCE(?g, 0)) AS ?sum) WHERE { { SELECT DISTINCT ?p ?g WHERE {
        ?p esf:owner ?a . ?a org:unitOf* <""" + org + """> .
        OPTIONAL { ?p esf:esfGrantSEK ?g } } } }""")[0]
    assert (f'data-field="esfGrantOwner" data-value="{int(Decimal(owner["sum"]))}" '
            f'data-granted="{owner["k"]}"') in page
    found = client.get("/projects.json", params={"owner": org}).json()
    assert (found["total"], found["projectsWithGrant"], found["esfGrantSEK"]) == (
        int(owner["n"]), int(owner["k"]), int(Decimal(owner["sum"])))


def test_owners_csv_is_the_whole_answer_behind_largest_owners(client):
    page = html(client, "/id/region/SE23")
    assert 'href="/owners.csv?region=SE23"' in page
    rows = csv_rows(client.get("/owners.csv", params={"region": "SE23"}).text)
    bodies = {r["owner"]: r for r in rows if not r["unitOf"]}
    expected = _sparql_owner_totals(
        client, "?p a esf:Project ; esf:region <https://w3id.org/esfgraph/id/region/SE23> .")
    assert {o: (int(r["projects"]), int(r["projectsWithGrant"]),
                int(r["esfGrantSEK"] or 0)) for o, r in bodies.items()} == expected
    units = [r for r in rows if r["unitOf"] == GBG]
    assert sorted((r["ownerLabel"], r["esfGrantSEK"]) for r in units) == [
        ("Kultur- och fritidsförvaltningen", "24000000"), ("Socialtjänsten", "20000000")]
    evil = next(r for r in rows if r["owner"].endswith("cmd-c-calc-a0"))
    assert evil["ownerLabel"] == "'" + EVIL_OWNER and evil["esfGrantSEK"] == ""
    assert client.get("/owners.csv", params={"region": "SE2<3"}).status_code == 400
    assert client.get("/owners.csv").status_code == 400
