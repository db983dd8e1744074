"""The query page in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os

import pytest

from tests.serve_fixtures.server import make_store, running_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing (install it with scripts/install-browser.sh; CI does)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = make_store(tmp_path_factory.mktemp("browser") / "store")
    with running_server(store, "--timeout", "10", "--workers", "2") as srv:
        yield srv


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright  # a test dependency; never `playwright install`

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context()
        # the page must work offline: any request to another host fails the test
        outside: list[str] = []
        context.route("**/*", lambda route: (
            route.continue_() if route.request.url.startswith(server.url)
            else (outside.append(route.request.url), route.abort())))
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(server.url + "/query")  # the query page moved from / to /query
        yield tab
        assert outside == [], f"the page tried to reach other hosts: {outside}"
        assert errors == [], f"JavaScript errors: {errors}"
        browser.close()


def test_example_runs_and_shows_rows_and_a_chart(page):
    page.click("button.example[data-name='money-per-region']")
    assert "esf:esfGrantSEK" in page.input_value("#query")
    assert page.locator("#highlight .tok-kw").first.inner_text() == "PREFIX"
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 2
    headers = page.locator("table.results thead th").all_inner_texts()
    assert headers == ["region", "regionName", "projects", "projectsWithGrant", "esfGrantSEK"]
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[1:] == ["Västsverige", "2", "2", "1006922"]
    assert "2 rows" in page.inner_text("#status")
    bars = page.locator("#chart svg rect.bar")
    assert bars.count() == 2
    assert "esfGrantSEK by regionName" in page.text_content("#chart svg")


def test_sorting_the_table(page):
    page.fill("#query", """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?grant WHERE { ?p a esf:Project ; rdfs:label ?label ; esf:esfGrantSEK ?grant }""")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    page.click("table.results th:has-text('grant')")
    column = lambda: page.locator("table.results tbody tr td:nth-child(2)").all_inner_texts()
    assert column() == ["450000", "556922", "620800"]
    page.click("table.results th:has-text('grant')")
    assert column() == ["620800", "556922", "450000"]
    page.click("table.results th:has-text('label')")
    labels = page.locator("table.results tbody tr td:nth-child(1)").all_inner_texts()
    assert labels[0].startswith("Möjligheter") and labels[-1].startswith("Våga")


def test_errors_are_shown(page):
    page.fill("#query", "SELECT * WHERE { ?s ")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "400" in page.inner_text("#status") and "syntax error" in page.inner_text("#status")


def test_result_links_open_entity_pages(page, server):
    page.fill("#query", "SELECT ?r WHERE { ?r a <https://w3id.org/esfgraph/ontology#Region> } "
                        "ORDER BY ?r")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.results tbody tr a")
    page.click("table.results tbody tr a >> nth=0")
    page.wait_for_selector("h1")
    assert page.url == server.url + "/id/region/SE12"
    assert page.inner_text("h1") == "Östra Mellansverige"
    page.go_back()


def test_query_url_fills_and_runs_with_predeclared_prefixes(page, server):
    """`/query?query=...` fills the editor and runs it; `esf:` needs no PREFIX line; the result
    can be downloaded as CSV and JSON from the same query."""
    from urllib.parse import quote

    query = "SELECT ?label WHERE { ?p a esf:Project ; rdfs:label ?label } ORDER BY ?label"
    page.goto(server.url + "/query?query=" + quote(query))
    page.wait_for_selector("table.results tbody tr")
    assert page.input_value("#query") == query
    assert page.locator("table.results tbody tr").count() == 3
    csv = page.get_attribute("#dl-csv", "href")
    assert csv.startswith("/sparql?query=") and csv.endswith("&format=csv")
    body = page.request.get(server.url + csv).text()
    assert body.splitlines()[0] == "label" and len(body.splitlines()) == 4
    assert page.request.get(server.url + page.get_attribute("#dl-json", "href")).json()[
        "results"]["bindings"]


def test_long_results_are_paged(page):
    page.fill("#query", "SELECT ?s ?x WHERE { ?s ?p ?o . ?x ?y ?z } LIMIT 250")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 100
    assert page.inner_text(".page-info") == "1–100 / 250"
    page.click(".page-next")
    page.click(".page-next")
    assert page.locator("table.results tbody tr").count() == 50
    assert page.inner_text(".page-info") == "201–250 / 250"
