"""Real SPARQL clients against a real `esfgraph serve` (SPARQLWrapper, curl, Chromium) and the
standards pieces of issue 15: predeclared prefixes, readable parse errors, the service
description, the browser redirect, compacted entity JSON-LD and the read-only Graph Store."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.serve_fixtures.server import BASE, make_store, running_server

GRANTS = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?grant WHERE { ?p a esf:Project ; rdfs:label ?label ; esf:esfGrantSEK ?grant }
ORDER BY DESC(?grant)"""
EXPECTED = [("Våga Välja Väg (VVV)", "620800"), ("Möjligheter del 2", "556922"),
            ("Ung och aktiv", "450000")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = make_store(tmp_path_factory.mktemp("clients") / "store")
    with running_server(store, "--timeout", "10", "--workers", "2") as srv:
        yield srv


def wrapper(server, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(server, method):
    result = wrapper(server, GRANTS, JSON, method).queryAndConvert()
    rows = [(b["label"]["value"], b["grant"]["value"]) for b in result["results"]["bindings"]]
    assert rows == EXPECTED


def test_sparqlwrapper_select_xml_and_csv(server):
    xml = wrapper(server, GRANTS, XML).queryAndConvert()  # an xml.dom document
    literals = [n.firstChild.nodeValue for n in xml.getElementsByTagName("literal")]
    assert literals[:2] == ["Våga Välja Väg (VVV)", "620800"]
    raw = wrapper(server, GRANTS, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[1:] == [list(r) for r in EXPECTED]


def test_sparqlwrapper_ask_and_construct(server):
    ask = wrapper(server, f"ASK {{ <{BASE}id/region/SE23> ?p ?o }}", JSON).queryAndConvert()
    assert ask["boolean"] is True
    construct = wrapper(server, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}id/region/SE23> "
                                "AS ?s) ?s ?p ?o }", TURTLE).queryAndConvert()
    graph = Graph().parse(data=construct, format="turtle")
    label = graph.value(URIRef(f"{BASE}id/region/SE23"),
                        URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    assert label == Literal("Västsverige", lang="sv")


def test_sparqlwrapper_sees_a_bad_query_as_bad(server):
    with pytest.raises(QueryBadFormed) as info:
        wrapper(server, "SELECT ?x WHERE { ?x ", JSON).queryAndConvert()
    assert "syntax error" in str(info.value)


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "-sS", "--max-time", "30", *args], capture_output=True,
                          text=True, check=True)


@needs_curl
def test_curl_get_csv(server):
    out = curl("-H", "Accept: text/csv", "--get", "--data-urlencode", f"query={GRANTS}",
               server.url + "/sparql").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["label", "grant"]] + [list(r) for r in EXPECTED]


@needs_curl
def test_curl_post_form_and_direct(server):
    form = curl("--data-urlencode", f"query={GRANTS}", server.url + "/sparql").stdout
    direct = curl("-H", "Content-Type: application/sparql-query", "--data-binary", GRANTS,
                  server.url + "/sparql").stdout
    assert json.loads(form) == json.loads(direct)
    assert len(json.loads(form)["results"]["bindings"]) == 3


@needs_curl
def test_curl_status_codes_and_entity_turtle(server):
    status = curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
                  server.url + "/sparql").stdout
    assert status == "405"
    status = curl("-o", "/dev/null", "-w", "%{http_code}", "--path-as-is",
                  server.url + "/static/../../../etc/passwd").stdout
    assert status == "404"
    ttl = curl("-H", "Accept: text/turtle", server.url + "/id/org/flens-kommun").stdout
    graph = Graph().parse(data=ttl, format="turtle")
    assert (URIRef(f"{BASE}id/org/flens-kommun"),
            URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
            Literal("Flens kommun", lang="sv")) in graph


# ------------------------------------------------------------------ issue 15: the standards


ENDPOINT_PREFIXES = """SELECT ?label WHERE { ?p a esf:Project ; rdfs:label ?label }
ORDER BY ?label"""


def test_prefixes_are_predeclared_on_sparql_and_a_query_prefix_wins(server):
    import httpx

    resp = httpx.get(server.url + "/sparql", params={"query": ENDPOINT_PREFIXES},
                     headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.text
    labels = [b["label"]["value"] for b in resp.json()["results"]["bindings"]]
    assert labels == sorted(r[0] for r in EXPECTED)
    own = "PREFIX esf: <http://example.org/not-esf#>\n" + ENDPOINT_PREFIXES
    resp = httpx.get(server.url + "/sparql", params={"query": own},
                     headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory):
    """A store built by `esfgraph build` from one seed page (what the CLI expects)."""
    from pathlib import Path

    from esfgraph.pipeline import build

    root = tmp_path_factory.mktemp("cli")
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    (root / "pages").mkdir()
    shutil.copy(min(seeds.glob("*.txt")), root / "pages")
    build([root / "pages"], store_path=root / "store", validate=False)
    return root / "store"


@pytest.mark.parametrize(("query", "wanted"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", ("unknown prefix `foo:`; declare it with PREFIX "
                                          "(predeclared are concept:, dcat:")),
    ("SELECT * WHERE {\n  ?s ?p ?o ", ("line 2, column 12: the query ends too early: "
                                       "expected `}` to close the `{` at line 1, column 16")),
])
def test_parse_errors_are_short_and_human_on_sparql_and_the_cli(server, built_store, query,
                                                                wanted):
    import httpx
    from click.testing import CliRunner

    from esfgraph.cli import main

    resp = httpx.post(server.url + "/sparql", data={"query": query},
                      headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
    assert resp.status_code == 400
    assert wanted in resp.text
    assert "\\u{" not in resp.text and "..=" not in resp.text
    cli = CliRunner().invoke(main, ["query", "--store", str(built_store), query])
    assert cli.exit_code == 2
    assert wanted in cli.output and "\\u{" not in cli.output


def test_service_description_is_truthful(server):
    import httpx
    from rdflib import Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    resp = httpx.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=resp.text, format="turtle")
    service = URIRef(server.url + "/sparql")
    features = set(graph.objects(service, sd.feature))
    assert features == {sd.UnionDefaultGraph}  # SERVICE is refused: no BasicFederatedQuery
    assert set(graph.objects(service, sd.supportedLanguage)) == {sd.SPARQL11Query}
    assert len(set(graph.objects(service, sd.resultFormat))) == 8
    declared = {str(graph.value(d, sh.prefix)): str(graph.value(d, sh.namespace))
                for d in graph.objects(service, sh.declare)}
    from esfgraph.namespaces import PREFIXES
    assert declared == PREFIXES
    text = str(graph.value(service, URIRef("http://purl.org/dc/terms/description")))
    assert "10 s" in text and "10000 rows" in text and "SERVICE and LOAD are refused" in text


def test_a_browser_asking_sparql_is_sent_to_the_query_page(server):
    from urllib.parse import parse_qs, urlsplit

    import httpx

    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp = httpx.get(server.url + "/sparql", params={"query": GRANTS},
                     headers={"Accept": browser})
    assert resp.status_code == 303
    target = urlsplit(resp.headers["location"])
    assert target.path == "/query" and parse_qs(target.query)["query"] == [GRANTS]
    # a client that names a format is never redirected
    resp = httpx.get(server.url + "/sparql", params={"query": GRANTS, "format": "json"},
                     headers={"Accept": browser})
    assert resp.status_code == 200 and resp.json()["results"]["bindings"]


def test_format_xml_means_rdf_xml_for_construct_and_results_xml_for_select(server):
    import httpx

    construct = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}id/region/SE23> AS ?s) "
                 "?s ?p ?o }")
    resp = httpx.get(server.url + "/sparql", params={"query": construct, "format": "xml"})
    assert resp.headers["content-type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=resp.text, format="xml")
    assert (URIRef(f"{BASE}id/region/SE23"), None, Literal("Västsverige", lang="sv")) in graph
    resp = httpx.get(server.url + "/sparql", params={"query": GRANTS, "format": "xml"})
    assert resp.headers["content-type"].startswith("application/sparql-results+xml")
    # no CSV of a graph exists: 406 with the formats there are
    resp = httpx.get(server.url + "/sparql", params={"query": construct},
                     headers={"Accept": "text/csv"})
    assert resp.status_code == 406 and "text/turtle" in resp.text


def test_protocol_errors_the_standard_calls_for(server):
    import httpx

    url = server.url + "/sparql"
    resp = httpx.get(url + "?query=ASK%7B%7D&query=ASK%7B%7D")
    assert resp.status_code == 400 and "exactly one" in resp.text
    resp = httpx.post(url, content="ASK {}".encode("utf-16"),
                      headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert resp.status_code == 415 and "UTF-8" in resp.text


def test_graph_store_protocol_is_read_only(server):
    import httpx

    url = server.url + "/rdf-graph-store"
    named = httpx.get(url, params={"graph": f"{BASE}graph/dataset"},
                      headers={"Accept": "application/n-triples"})
    assert named.status_code == 200, named.text
    assert named.headers["content-type"].startswith("application/n-triples")
    expected = httpx.get(server.url + "/sparql", params={
        "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/dataset> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"})
    assert Graph().parse(data=named.text, format="nt").isomorphic(
        Graph().parse(data=expected.text, format="nt"))
    default = httpx.get(url + "?default", headers={"Accept": "text/turtle"})
    assert default.status_code == 200
    assert (URIRef(f"{BASE}id/region/SE23"), None, Literal("Västsverige", lang="sv")) in \
        Graph().parse(data=default.text, format="turtle")
    assert httpx.head(url + "?default").status_code == 200
    assert httpx.get(url, params={"graph": f"{BASE}graph/none"}).status_code == 404
    assert httpx.get(url).status_code == 400
    assert httpx.get(url + "?default&graph=x").status_code == 400
    assert httpx.get(url + "?default", headers={"Accept": "image/png"}).status_code == 406
    for method in ("PUT", "POST", "DELETE", "PATCH"):
        resp = httpx.request(method, url + "?default", content=b"<a> <b> <c> .",
                             headers={"Content-Type": "text/turtle"})
        assert resp.status_code == 405 and resp.headers["allow"] == "GET, HEAD, OPTIONS"


def test_entity_jsonld_is_compacted_with_the_served_context(server):
    import httpx
    from pyld import jsonld

    url = server.url + "/data/id/region/SE23"
    doc = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert doc.status_code == 200 and doc.headers["content-type"].startswith(
        "application/ld+json")
    data = doc.json()
    assert data["@context"] == server.url + "/context.jsonld"
    node = next(n for n in data["@graph"] if n["@id"].endswith("id/region/SE23"))
    assert node["label"] == "Västsverige"  # a short term from our context, language from it
    context = httpx.get(data["@context"])
    assert context.status_code == 200
    assert context.headers["content-type"].startswith("application/ld+json")

    def loader(iri: str, options: object = None) -> dict:
        resp = httpx.get(iri)  # only our server's context is ever asked for
        assert iri == data["@context"]
        return {"contextUrl": None, "documentUrl": iri, "document": resp.json()}

    nquads = jsonld.to_rdf(data, {"format": "application/n-quads", "documentLoader": loader})
    expected = httpx.get(url, headers={"Accept": "application/n-triples"}).text
    assert Graph().parse(data=nquads, format="nt").isomorphic(
        Graph().parse(data=expected, format="nt"))


@needs_curl
def test_curl_decodes_gzip_and_brotli_answers(server):
    query = "SELECT * WHERE { ?s ?p ?o }"
    plain = curl("-G", server.url + "/sparql", "--data-urlencode", f"query={query}",
                 "-H", "Accept: text/csv")
    assert plain.returncode == 0 and plain.stdout.count("\n") > 50
    features = subprocess.run(["curl", "-V"], capture_output=True, text=True,
                              check=True).stdout
    for coding in ("gzip", "br"):
        if coding == "br" and "brotli" not in features:
            continue  # this curl was built without brotli (gzip is always there)
        resp = curl("-G", server.url + "/sparql", "--data-urlencode", f"query={query}",
                    "-H", "Accept: text/csv", "-H", f"Accept-Encoding: {coding}",
                    "--compressed", "-w", "\n%{content_type} %header{content-encoding}")
        assert resp.returncode == 0
        body, _, written = resp.stdout.rpartition("\n")
        assert written.endswith(f" {coding}") and body == plain.stdout


def test_a_query_link_shows_its_answer_without_javascript(server):
    """A shared /query?query=… link read by a mail client or a link preview (no script)."""
    import httpx

    query = ("SELECT ?label ?grant ?note WHERE { ?p a esf:Project ; rdfs:label ?label ; "
             "esf:esfGrantSEK ?grant BIND(\"<script>alert(1)</script>\" AS ?note) } "
             "ORDER BY DESC(?grant)")
    resp = httpx.get(server.url + "/query", params={"query": query}, timeout=30)
    assert resp.status_code == 200
    page = resp.text
    results = page[page.index('id="results"'):]
    assert "3 rows" in results
    assert "<td>Våga Välja Väg (VVV)" in results and '<td class="num">620800</td>' in results
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in results
    # the editor still gets the query, and a bad query shows its message, escaped
    assert "<textarea" in page and "esf:esfGrantSEK" in page
    bad = httpx.get(server.url + "/query", params={"query": "SELECT * WHERE { ?s ?p }"},
                    timeout=30).text
    assert "incomplete triple" in bad[bad.index('id="results"'):]


# ------------------------------------------------------------------ the same in a real browser

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing (install it with scripts/install-browser.sh)")


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run"])
        tab = browser.new_context().new_page()
        yield tab
        browser.close()


@needs_chromium
def test_browser_link_to_sparql_shows_the_query_page_with_results(server, browser_page):
    from urllib.parse import quote

    query = "SELECT ?label WHERE { ?p a esf:Project ; rdfs:label ?label } ORDER BY ?label"
    browser_page.goto(server.url + "/sparql?query=" + quote(query))
    browser_page.wait_for_selector("table.results tbody tr")
    assert browser_page.url.startswith(server.url + "/query?query=")
    assert browser_page.input_value("#query") == query
    assert browser_page.locator("table.results tbody tr").count() == 3


@needs_chromium
def test_query_page_shows_a_human_parse_error(server, browser_page):
    browser_page.goto(server.url + "/query")
    browser_page.fill("#query", "SELECT * WHERE { ?s foo:bar ?o }")
    browser_page.click("#run")
    browser_page.wait_for_selector("#status.error")
    status = browser_page.inner_text("#status")
    assert "400" in status and "unknown prefix `foo:`" in status and "esf:" in status
    assert "\\u{" not in status and "..=" not in status


def test_a_remote_endpoint_gets_the_predeclared_prefixes_it_needs():
    """`serve --endpoint`: the remote knows none of our prefixes, so they are declared for it;
    a query's own PREFIX is kept and strings or IRIs holding colons are not prefixes."""
    import pyoxigraph as ox

    from esfgraph.namespaces import PREFIXES
    from esfgraph.sparql_errors import with_prefixes

    query = ('PREFIX esf: <http://example.org/own#>\nSELECT * { ?s esf:a ?o ; rdfs:label "x:y" ; '
             "<http://example.org/a:b> ?z }")
    sent = with_prefixes(query, PREFIXES)
    assert sent == f"PREFIX rdfs: <{PREFIXES['rdfs']}>\n" + query
    ox.Store().query(sent)  # parses without any predeclared prefix
    assert with_prefixes("ASK { ?s ?p ?o }", PREFIXES) == "ASK { ?s ?p ?o }"


# ------------------------------------------------------------------ the pieces, without a server


@pytest.mark.parametrize(("accept", "formats", "expected"), [
    # SPARQLWrapper's default CONSTRUCT: format=xml&output=xml&results=xml
    ("application/rdf+xml", ["xml", "xml", "xml"],
     ("application/sparql-results+xml", "application/rdf+xml")),
    ("*/*", ["json"], ("application/sparql-results+json", "application/ld+json")),
    # SPARQLWrapper's TSV sends the name and the media type
    ("text/tab-separated-values", ["tsv", "text/tab-separated-values"],
     ("text/tab-separated-values", None)),
    ("text/turtle", ["csv"], ("text/csv", "text/turtle")),  # a form csv does not fit: Accept
    # rdflib SPARQLStore(returnFormat="json") running a CONSTRUCT
    ("application/sparql-results+json", [],
     ("application/sparql-results+json", "application/ld+json")),
    # an explicit choice wins over the family fallback
    ("application/sparql-results+json, text/turtle;q=0.5", [],
     ("application/sparql-results+json", "text/turtle")),
    ("text/csv", [], ("text/csv", None)),
    ("image/png", ["bogus"], (None, None)),
])
def test_choose_types(accept, formats, expected):
    from esfgraph.serve import protocol

    assert protocol.choose_types(accept, formats) == expected


def test_using_parameters_become_clauses_or_conflict():
    from esfgraph.serve import protocol

    update = ("PREFIX dc: <http://purl.org/dc/terms/> CLEAR ALL ; INSERT DATA { <a:x> <a:p> 1 } ;"
              " INSERT { ?s a dc:X } WHERE { ?s a <a:D> } ; DELETE WHERE { ?s <a:q> ?o }")
    out = protocol.apply_using(update, ["http://g/1"], ["http://g/2"])
    assert "INSERT { ?s a dc:X } USING <http://g/1> USING NAMED <http://g/2> WHERE" in out
    assert out.count("USING") == 2  # not in INSERT DATA, not in DELETE WHERE
    with pytest.raises(protocol.ProtocolError, match="USING or WITH"):
        protocol.apply_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                             [], ["http://g/2"])
    with pytest.raises(protocol.ProtocolError, match="Not a graph IRI"):
        protocol.apply_using("CLEAR ALL", ["http://g/> } ; DROP ALL ; <x"], [])


def test_two_queries_in_one_request_are_refused():
    from esfgraph.serve import protocol

    with pytest.raises(protocol.ProtocolError, match="exactly one"):
        protocol.from_pairs([("query", "ASK {}"), ("update", "CLEAR ALL")])



@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELECT*WHERE{}()?s:esf foo<>\"'.#\n;a1")),
               max_size=60))
def test_any_parse_error_is_explained_without_character_ranges(text):
    import pyoxigraph as ox

    from esfgraph.namespaces import PREFIXES
    from esfgraph.sparql_errors import explain

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        rendered = explain(str(exc), text, PREFIXES).render(text)
        assert rendered.startswith("SPARQL syntax error")
        assert "\\u{" not in rendered and "..=" not in rendered
    except (ValueError, OSError, RuntimeError):
        pass
