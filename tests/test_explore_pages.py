"""The explorer's pages over HTTP on the seeds (and generated records of every layout):
each page kind renders in both languages with a CSP, bad input never gives a 500, and every
figure on a project card equals what a SPARQL query on the store returns."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from esfgraph.serve.workers import resolve_store_path
from esfgraph.web import format as fmt
from tests.serve_fixtures.server import RunningServer, running_server
from tests.test_push_oxigraph import build_seeds_store

BASE = "https://w3id.org/esfgraph/"
MOA = "/id/project/2018-00460"
FLEN = "/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01"
ULRICEHAMN = "/id/project/mojligheter-del-2-genomforande-2009-08-15"


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeds_store(tmp_path_factory.mktemp("explore") / "store")


@pytest.fixture(scope="module")
def server(seeds_store: Path):
    with running_server(seeds_store, "--workers", "2", "--timeout", "20") as srv:
        yield srv


def get(srv: RunningServer, path: str, lang: str | None = "sv", **kw: Any) -> httpx.Response:
    headers = {"accept": "text/html", **kw.pop("headers", {})}
    params = dict(kw.pop("params", {}))
    if lang:
        params["lang"] = lang
    return httpx.get(srv.url + path, params=params, headers=headers, timeout=60, **kw)


# --------------------------------------------------------------------------- every page kind

PAGES = ["/", "/query", "/projects", "/map", MOA, FLEN, "/id/org/ale-kommun",
         "/id/org/pitea-kommun/samhallsbyggnad-kompetensforsorjning", "/id/municipality/1440",
         "/id/county/14", "/id/region/SE23"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_page_renders_with_csp_and_language_switch(server, path, lang):
    resp = get(server, path, lang)
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/html")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    body = resp.text
    assert f'<html lang="{lang}">' in body
    other = "På svenska" if lang == "en" else "In English"
    assert other in body and "lang=" + ("sv" if lang == "en" else "en") in body
    assert 'class="skip" href="#main"' in body and 'id="main"' in body
    assert "<script>" not in body and "style=" not in body  # nothing inline for the CSP to block
    # every resource the page loads comes from this server
    assert not re.search(r'<(script|link|img|iframe|source|object)\b[^>]*\b(src|href)="(https?:)?//',
                         body)
    assert resp.cookies.get("lang") == lang


def test_language_defaults_from_accept_language(server):
    en = get(server, "/", None, headers={"accept-language": "en-GB,en;q=0.9"})
    sv = get(server, "/", None, headers={"accept-language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert '<html lang="en">' in en.text and "ESF projects in Sweden" in en.text
    assert '<html lang="sv">' in sv.text and "ESF-projekt i Sverige" in sv.text
    cookie = httpx.get(server.url + "/", cookies={"lang": "en"}, headers={"accept-language": "sv"})
    assert '<html lang="en">' in cookie.text


def test_landing_page_headline_figures_equal_sparql(server, seeds_store):
    body = get(server, "/").text
    store = open_store(seeds_store)
    n = one(store, "SELECT (COUNT(?p) AS ?n) { ?p a <https://w3id.org/esfgraph/ontology#Project> }")
    grant = one(store, "SELECT (SUM(?g) AS ?n) { ?p <https://w3id.org/esfgraph/ontology#esfGrantSEK> ?g }")
    assert field_values(body)["projects"][0] == (n, n)
    assert field_values(body)["esfGrantSEK"][0] == (grant, fmt.money(grant))
    assert "Västsverige" in body and "Övre Norrland" in body  # the chart per region
    assert body.count('class="bar"') >= 3 + 3 + 1
    assert 'href="/map"' in body and 'href="/query"' in body and 'action="/projects"' in body


def test_query_page_is_filled_from_the_url(server):
    resp = get(server, "/query", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1 # <b>x</b>"})
    assert resp.status_code == 200
    assert "SELECT * { ?s ?p ?o } LIMIT 1 # &lt;b&gt;x&lt;/b&gt;</textarea>" in resp.text
    assert 'data-autorun="true"' in resp.text
    assert 'data-prefix="esf"' in resp.text and 'data-prefix="schema"' in resp.text


def test_html_is_the_card_and_rdf_stays_rdf(server):
    turtle = httpx.get(server.url + MOA, headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "11159401" in turtle.text
    jsonld = httpx.get(server.url + MOA, headers={"accept": "application/ld+json"})
    assert jsonld.status_code == 200 and "ld+json" in jsonld.headers["content-type"]
    card = get(server, MOA)
    assert 'class="statements"' in card.text and "<details" in card.text


def test_project_card_reads_well(server):
    sv = get(server, MOA, "sv").text
    assert f"11{fmt.NBSP}159{fmt.NBSP}401{fmt.NBSP}kr" in sv
    assert "Samhällsbyggnad Kompetensförsörjning" in sv and "Piteå kommun" in sv
    assert 'href="/id/org/pitea-kommun"' in sv and 'href="/id/region/SE33"' in sv
    assert "1\u00a0mars 2019 – 4\u00a0mars 2022" in sv
    assert 'class="locator"' in sv and "Who's On First" in sv
    en = get(server, MOA, "en").text
    assert "Project owner" in en and "1\u00a0March 2019" in en and "Ungas etablering" in en
    flen = get(server, FLEN).text
    assert "Kontakter utomlands" in flen and "Brussels" in flen
    assert 'class="evidence"' in flen and "Belägg i texten" in flen
    ulricehamn = get(server, ULRICEHAMN).text
    assert "East Lothian" in ulricehamn and "Ulricehamns kommun" in ulricehamn
    assert "Genomförande" in ulricehamn and "Implementation" in get(server, ULRICEHAMN, "en").text


def test_organisation_and_place_pages(server):
    ale = get(server, "/id/org/ale-kommun").text
    assert "Arbetsmarknadsenheten" in ale and "Ung och aktiv" in ale  # prefLabel without "(AME)"
    assert 'href="/id/municipality/1440"' in ale
    unit = get(server, "/id/org/ulricehamns-kommun").text
    assert "Möjligheter del 2" in unit and "Som medfinansiär" in unit
    muni = get(server, "/id/municipality/1440").text
    assert "Ale" in muni and "Ung och aktiv" in muni and 'class="locator"' in muni
    assert 'data-field="projects" data-value="1"' in muni
    region = get(server, "/id/region/SE23").text
    assert "Västra Götalands län" in region and 'data-field="projects" data-value="2"' in region


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("path", ["/id/project/no-such-project", "/id/org/no-such-org",
                                  "/id/municipality/9999", "/id/county/99", "/id/region/SE99",
                                  "/id/org/%3Cscript%3E"])
def test_unknown_iris_are_404(server, path):
    resp = get(server, path)
    assert resp.status_code == 404
    assert "<script>" not in resp.text


@pytest.mark.parametrize("params", [
    {"page": "999999999"}, {"page": "-3"}, {"page": "abc"}, {"per_page": "100000"},
    {"q": "<script>alert(1)</script>"}, {"q": "x" * 10_000}, {"q": '"unbalanced'},
    {"q": "ung* NEAR -nyanländ"}, {"region": "SE99"}, {"owner_type": "dragon"},
    {"start_from": "year"}, {"grant_min": "-1"}, {"sort": "price"}, {"q": "\x00\u202e"},
])
@pytest.mark.parametrize("path", ["/projects", "/map"])
def test_bad_search_input_never_500(server, params, path):
    resp = get(server, path, params=params)
    assert resp.status_code in (200, 400), resp.text[:300]
    assert "<script>alert(1)" not in resp.text
    assert resp.headers["content-security-policy"]


@pytest.mark.parametrize("params", [{"level": "planet"}, {"metric": "happiness"}])
def test_bad_map_choice_is_400(server, params):
    resp = get(server, "/map", params=params)
    assert resp.status_code == 400 and "map" in resp.text.lower()


def test_html_in_the_query_is_escaped(server):
    resp = get(server, "/query", params={"query": "</textarea><script>alert(1)</script>"})
    assert resp.status_code == 200 and "<script>alert(1)" not in resp.text


# --------------------------------------------------------------------------- remote store


def test_without_a_local_index_search_and_map_say_so(seeds_store):
    """In front of a remote store (serve --endpoint) that cannot be read (nothing listens), the
    search index cannot be built: /projects and /map explain that, and the SPARQL pages (cards,
    places, landing) still work."""
    from esfgraph.serve.app import ServeSettings, create_app
    from esfgraph.serve.workers import WorkerPool

    settings = ServeSettings(store=str(seeds_store), endpoint="http://127.0.0.1:9/sparql")

    async def run() -> dict[str, httpx.Response]:
        app = create_app(settings, backend=WorkerPool(str(seeds_store), 1, 20.0, 10000))
        out = {}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for path in ("/projects?lang=en", "/map?lang=sv", MOA, "/", "/id/region/SE23"):
                    out[path] = await client.get(path, headers={"accept": "text/html"})
        return out

    pages = asyncio.run(run())
    assert pages["/projects?lang=en"].status_code == 200
    assert "No search index" in pages["/projects?lang=en"].text
    assert "Sökindex saknas" in pages["/map?lang=sv"].text
    for path in (MOA, "/", "/id/region/SE23"):
        assert pages[path].status_code == 200, path
    assert "Relaterade projekt kräver sökindexet" in pages[MOA].text


# --------------------------------------------------------------------------- figures = SPARQL


class Fields(HTMLParser):
    """Collect (data-value, text) for each data-field element and the data-values inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[tuple[str | None, str]]] = {}
        self.members: dict[str, set[str]] = {}
        self.parents: dict[str, set[str]] = {}
        self.stack: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":  # the card's title
            a["data-field"] = "title"
        for name, *_ in self.stack:
            if a.get("data-value"):
                self.members.setdefault(name, set()).add(a["data-value"] or "")
            if a.get("data-parent"):
                self.parents.setdefault(name, set()).add(a["data-parent"] or "")
        if "data-field" in a and tag not in ("br",):
            self.stack.append((a["data-field"] or "", a.get("data-value"), []))
            self._tag = tag
        elif self.stack:
            self.stack.append(("", None, []))  # placeholder keeps nesting balanced

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            name, val, text = self.stack.pop()
            if name:
                self.fields.setdefault(name, []).append((val, "".join(text).strip()))
            elif self.stack:
                self.stack[-1][2].extend(text)

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1][2].append(data)


def parse_fields(body: str) -> Fields:
    parser = Fields()
    parser.feed(re.sub(r"<(br|input|link|meta|img)\b[^>]*>", "", body))
    return parser


def field_values(body: str) -> dict[str, list[tuple[str | None, str]]]:
    return parse_fields(body).fields


def open_store(store_path: Path) -> ox.Store:
    return ox.Store.read_only(str(resolve_store_path(store_path)))


def one(store: ox.Store, query: str) -> str:
    rows = list(store.query(query, use_default_graph_as_union=True))
    return rows[0][0].value if rows and rows[0][0] is not None else ""


def values(store: ox.Store, project: str, path: str) -> set[str]:
    q = f"""PREFIX esf: <https://w3id.org/esfgraph/ontology#>
    PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX concept: <https://w3id.org/esfgraph/concept/>
    SELECT DISTINCT ?v {{ <{project}> {path} ?v }}"""
    return {row[0].value for row in store.query(q, use_default_graph_as_union=True)}


ESF = "<https://w3id.org/esfgraph/ontology#{}>"
SCALARS = {  # data-field: (property path, how the card writes it)
    "esfGrantSEK": (ESF.format("esfGrantSEK"), fmt.money),
    "totalBudgetSEK": (ESF.format("totalBudgetSEK"), fmt.money),
    "totalCostSEK": (ESF.format("totalCostSEK"), fmt.money),
    "euCofinancingRate": (ESF.format("euCofinancingRate"), fmt.percent),
    "plannedParticipants": (ESF.format("plannedParticipants"), fmt.number),
    "projectNumber": (ESF.format("projectNumber"), None),
    "caseNumber": (ESF.format("caseNumber"), None),
    "title": ("<http://purl.org/dc/terms/title>", None),
    "programmeCCI": (ESF.format("programmeCCI"), None),
    "childPovertyTheme": (ESF.format("childPovertyTheme"),
                          lambda v, lang: {"true": "Ja", "false": "Nej"}[v]),
    "strategicImportance": (ESF.format("strategicImportance"),
                            lambda v, lang: {"true": "Ja", "false": "Nej"}[v]),
}
LINKS = {  # data-field: the property path whose IRIs the card must list, all and only
    "period": ESF.format("programmingPeriod"), "phase": ESF.format("phase"),
    "programmeArea": ESF.format("programmeArea"),
    "specificObjective": ESF.format("specificObjective"), "fund": ESF.format("fund"),
    "interventionType": ESF.format("interventionType"),
    "region": ESF.format("region"), "municipality": ESF.format("municipality"),
    "county": ESF.format("municipality") + "/" + ESF.format("county"),
    "owner": ESF.format("owner"), "partner": ESF.format("partner"),
    "cofinancier": ESF.format("cofinancier"),
    "transnationalContact": "^esf:project/esf:agent",
}


def check_card(srv: RunningServer, store: ox.Store, iri: str) -> int:
    """Compare every figure and link of one card with SPARQL; returns how many were checked."""
    body = get(srv, "/" + iri[len(BASE):]).text
    parsed = parse_fields(body)
    checked = 0
    for name, (path, show) in SCALARS.items():
        expected = values(store, iri, path)
        shown = parsed.fields.get(name, [])
        if not expected:
            assert not shown, f"{iri}: {name} shown but not in the graph"
            continue
        assert len(expected) == 1, (iri, name, expected)
        (value,) = expected
        (val, text), = shown
        if show is None:
            assert text == value, (iri, name)
        else:
            assert val == value and text == show(value, "sv"), (iri, name, val, text)
        checked += 1
    for name, path in LINKS.items():
        if name == "transnationalContact":
            expected = {row[0].value for row in store.query(
                f"""SELECT DISTINCT ?a {{ ?part <https://w3id.org/esfgraph/ontology#project> <{iri}> ;
                    <https://w3id.org/esfgraph/ontology#role> <https://w3id.org/esfgraph/concept/role/transnational-contact> ;
                    <https://w3id.org/esfgraph/ontology#agent> ?a }}""",
                use_default_graph_as_union=True)}
        else:
            expected = values(store, iri, path)
        shown = {v for v, _ in parsed.fields.get(name, []) if v} | parsed.members.get(name, set())
        assert shown == expected, (iri, name, shown, expected)
        checked += bool(expected)
    owner_parents = values(store, iri, ESF.format("owner") + "/<http://www.w3.org/ns/org#unitOf>")
    assert parsed.parents.get("owner", set()) == owner_parents, iri
    start = values(store, iri, "<https://schema.org/startDate>")
    end = values(store, iri, "<https://schema.org/endDate>")
    if start or end:
        (val, text), = parsed.fields["dates"]
        assert val == f"{next(iter(start), '')}/{next(iter(end), '')}", iri
        assert text == fmt.date_range(next(iter(start), None), next(iter(end), None)), iri
    return checked


def project_iris(store: ox.Store) -> list[str]:
    return sorted(row[0].value for row in store.query(
        "SELECT ?p { ?p a <https://w3id.org/esfgraph/ontology#Project> }",
        use_default_graph_as_union=True))


def test_every_card_figure_equals_sparql_on_the_seeds(server, seeds_store):
    store = open_store(seeds_store)
    iris = project_iris(store)
    assert len(iris) == 5
    checked = sum(check_card(server, store, iri) for iri in iris)
    assert checked >= 5 * 8


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from bench.generate import write_pages
    from esfgraph.cli import main

    pages = tmp_path_factory.mktemp("generated") / "pages"
    write_pages(str(pages), 24, seed=13, bad_rate=0)
    store = pages.parent / "store"
    result = CliRunner().invoke(main, ["build", str(pages), "--store", str(store),
                                       "--no-validate", "-j", "1", "-q"])
    assert result.exit_code in (0, 1), result.output
    return store


def test_every_card_figure_equals_sparql_on_generated_records_of_every_layout(generated_store):
    store = open_store(generated_store)
    iris = project_iris(store)
    periods = {one(store, f"SELECT ?x {{ <{iri}> <https://w3id.org/esfgraph/ontology#programmingPeriod> ?x }}")
               for iri in iris}
    assert {p.rsplit("/", 1)[-1] for p in periods} == {"2007-2013", "2014-2020", "2021-2027"}
    with running_server(generated_store, "--workers", "2") as srv:
        checked = sum(check_card(srv, store, iri) for iri in iris)
    assert checked >= len(iris) * 6


def test_a_search_that_finds_nothing_offers_a_close_word(server):
    """"Did you mean": a misspelled word finds nothing, and the page links the close word."""
    page = get(server, "/projects", params={"q": "utanförksap"})
    assert page.status_code == 200
    assert "Menade du" in page.text and "q=utanf%C3%B6rskap" in page.text
    found = get(server, "/projects", params={"q": "utanförskap"})
    assert "Menade du" not in found.text and 'class="hit"' in found.text
