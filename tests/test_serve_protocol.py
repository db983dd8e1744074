"""SPARQL 1.1 Protocol, safety and linked data, against a real `esfgraph serve` on 127.0.0.1."""

from __future__ import annotations

import csv
import http.client
import io
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.errors import QueryError
from esfgraph import guard
from esfgraph.serve import protocol
from tests.serve_fixtures.server import (
    BASE,
    RunningServer,
    connection_listener,
    make_store,
    running_server,
)

PROJECTS = "PREFIX esf: <https://w3id.org/esfgraph/ontology#> SELECT ?p WHERE { ?p a esf:Project }"
GRANTS = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?grant WHERE { ?p a esf:Project ; rdfs:label ?label ; esf:esfGrantSEK ?grant }
ORDER BY DESC(?grant)"""
CONSTRUCT = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
CONSTRUCT { ?p esf:esfGrantSEK ?g } WHERE { ?p esf:esfGrantSEK ?g }"""
#: Runs for hours over 88 triples: 88^6 combinations, nothing to prune.
CROSS_PRODUCT = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
                 "?m ?n2 ?o . ?q ?r ?s }")
VVV = f"{BASE}id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01"
VVV_GRAPH = f"{BASE}graph/record/vaga-valja-vag-vvv-forprojektering-2009-08-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = make_store(tmp_path_factory.mktemp("serve") / "store")
    with running_server(store, "--timeout", "4", "--workers", "2", "--max-rows", "50") as srv:
        yield srv


def get(srv: RunningServer, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(srv.url + "/sparql", params={"query": query, **params}, headers=headers,
                     timeout=30)


def bindings(resp: httpx.Response) -> list[dict]:
    return resp.json()["results"]["bindings"]


# ------------------------------------------------------------------ methods and result formats


def test_get_select_defaults_to_sparql_json(server):
    resp = get(server, PROJECTS)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/sparql-results+json")
    assert sorted(b["p"]["value"].rsplit("/", 1)[1] for b in bindings(resp)) == [
        "mojligheter-del-2-genomforande-2009-08-15", "ung-och-aktiv-genomforande-2014-02-17",
        "vaga-valja-vag-vvv-forprojektering-2009-08-01"]


def test_post_form_and_post_direct_give_the_same_answer(server):
    form = httpx.post(server.url + "/sparql", data={"query": GRANTS}, timeout=30)
    direct = httpx.post(server.url + "/sparql", content=GRANTS.encode(), timeout=30,
                        headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert form.status_code == direct.status_code == 200
    assert bindings(form) == bindings(direct)
    assert [(b["label"]["value"], b["grant"]["value"]) for b in bindings(form)] == [
        ("Våga Välja Väg (VVV)", "620800"), ("Möjligheter del 2", "556922"),
        ("Ung och aktiv", "450000")]


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_in_every_results_format(server, accept, media_type):
    resp = get(server, GRANTS, accept)
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] == media_type
    if media_type == "text/csv":  # lossy format: pyoxigraph will not parse it back
        labels = [row["label"] for row in csv.DictReader(io.StringIO(resp.text))]
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        labels = [r["label"].value for r in ox.parse_query_results(resp.content, fmt)]
    assert labels == ["Våga Välja Väg (VVV)", "Möjligheter del 2", "Ung och aktiv"]


def test_csv_is_plain_csv_with_a_header(server):
    resp = get(server, GRANTS, "text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == ["label", "grant"]
    assert rows[1] == ["Våga Välja Väg (VVV)", "620800"]


def test_q_values_pick_the_preferred_format(server):
    resp = get(server, PROJECTS, "text/csv;q=0.4, application/sparql-results+xml;q=0.9, */*;q=0.1")
    assert resp.headers["content-type"].startswith("application/sparql-results+xml")
    resp = get(server, PROJECTS, "text/csv, application/sparql-results+xml;q=0")
    assert resp.headers["content-type"].startswith("text/csv")


def test_ask_in_json_and_xml(server):
    yes = get(server, f"ASK {{ <{VVV}> ?p ?o }}")
    assert yes.json() == {"head": {}, "boolean": True}
    no = get(server, "ASK { <urn:nothing> ?p ?o }", "application/sparql-results+xml")
    assert "<boolean>false</boolean>" in no.text


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_in_every_graph_format(server, accept, fmt):
    resp = get(server, CONSTRUCT, accept)
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] == accept
    triples = list(ox.parse(resp.content, format=fmt))
    assert sorted(float(t.object.value) for t in triples) == [450000.0, 556922.0, 620800.0]


def test_describe_defaults_to_turtle(server):
    resp = get(server, f"DESCRIBE <{VVV}>")
    assert resp.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(resp.content, format=ox.RdfFormat.TURTLE))
    assert {t.subject.value for t in triples} == {VVV}
    assert any(t.object == ox.Literal("Våga Välja Väg (VVV)", language="sv") for t in triples)


def test_format_parameter_overrides_accept(server):
    resp = get(server, PROJECTS, "application/sparql-results+json", format="tsv")
    assert resp.headers["content-type"].startswith("text/tab-separated-values")


# ------------------------------------------------------------------ dataset


def test_default_graph_is_the_union_of_named_graphs(server):
    resp = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert bindings(resp)[0]["n"]["value"] == "88"


def test_default_graph_uri_restricts_the_default_graph(server):
    resp = get(server, "SELECT DISTINCT ?s WHERE { ?s a ?type }", **{"default-graph-uri": VVV_GRAPH})
    subjects = {b["s"]["value"] for b in bindings(resp)}
    assert VVV in subjects
    assert f"{BASE}id/region/SE23" not in subjects  # that one lives in the reference graph


def test_named_graph_uri_limits_graph_patterns(server):
    resp = httpx.post(server.url + "/sparql", timeout=30, data={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": [VVV_GRAPH, f"{BASE}graph/reference"]})
    assert {b["g"]["value"] for b in bindings(resp)} == {VVV_GRAPH, f"{BASE}graph/reference"}


def test_from_file_iri_only_names_a_graph_and_reads_nothing(server, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:secret> <urn:x:p> "TOP-SECRET-VALUE" .\n')
    query = f"SELECT * FROM <{secret.as_uri()}> FROM NAMED <file:///etc/passwd> WHERE {{ ?s ?p ?o }}"
    resp = get(server, query)
    assert resp.status_code == 200
    assert bindings(resp) == []
    assert "TOP-SECRET" not in resp.text
    resp = get(server, "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert bindings(resp) == [] and "root:" not in resp.text


# ------------------------------------------------------------------ status codes


def test_bad_query_is_400_with_line_and_column(server):
    resp = get(server, "SELECT * WHERE {\n  ?s ?p \n}")
    assert resp.status_code == 400
    # at the place of the mistake (after `?p`, where the object is missing), not at the `}`
    assert "syntax error at line 2, column 8: incomplete triple `?s ?p`" in resp.text


def test_empty_query_is_400(server):
    assert get(server, "   ").status_code == 400


def test_wrong_method_is_405(server):
    resp = httpx.put(server.url + "/sparql", content=b"x", timeout=30)
    assert resp.status_code == 405
    assert "GET" in resp.headers["allow"] and "POST" in resp.headers["allow"]
    assert httpx.delete(server.url + "/sparql", timeout=30).status_code == 405


def test_unsatisfiable_accept_is_406(server):
    resp = get(server, PROJECTS, "image/png")
    assert resp.status_code == 406
    assert "application/sparql-results+json" in resp.text
    assert get(server, CONSTRUCT, "text/csv").status_code == 406


def test_oversized_body_is_413(server):
    body = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    resp = httpx.post(server.url + "/sparql", content=body.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert resp.status_code == 413
    resp = httpx.post(server.url + "/sparql", data={"query": body}, timeout=30)
    assert resp.status_code == 413


def test_ten_megabyte_query_is_refused_and_server_stays_up(server):
    body = b"query=" + b"%20" * 3_500_000
    resp = httpx.post(server.url + "/sparql", content=body, timeout=60,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 413
    assert get(server, PROJECTS).status_code == 200


def test_unknown_content_type_is_415(server):
    resp = httpx.post(server.url + "/sparql", content=PROJECTS.encode(), timeout=30,
                      headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415
    resp = httpx.post(server.url + "/sparql", content=PROJECTS.encode(), timeout=30)
    assert resp.status_code == 415


@pytest.mark.parametrize("accept", [";;;,,", "*/*;q=banana", "q=1", "text/", "/json",
                                    "application/sparql-results+json;q=NaN, text/csv;q=0.5",
                                    "x" * 5000, "\x7f\x01"])
def test_malformed_accept_headers_never_crash(server, accept):
    resp = httpx.get(server.url + "/sparql", params={"query": PROJECTS}, timeout=30,
                     headers={"Accept": accept.encode("latin-1")})
    assert resp.status_code in (200, 406)


@pytest.mark.parametrize("content_type", ["garbage", "application/x-www-form-urlencoded; charset",
                                          ";;;", "application/sparql-query/extra", "text/ plain"])
def test_malformed_content_type_headers_never_crash(server, content_type):
    resp = httpx.post(server.url + "/sparql", content=b"query=ASK%7B%7D", timeout=30,
                      headers={"Content-Type": content_type})
    assert resp.status_code in (200, 415)
    assert get(server, "ASK {}").status_code == 200


def test_deeply_nested_query_is_an_error_not_a_crash(server):
    nested = "SELECT * WHERE " + "{ " * 20000 + "?s ?p ?o " + "} " * 20000
    before = server.worker_pids()
    resp = httpx.post(server.url + "/sparql", data={"query": nested}, timeout=60)
    assert resp.status_code == 400
    assert "limit" in resp.text and ("levels deep" in resp.text or "brackets" in resp.text)
    assert server.worker_pids() == before  # refused before parsing: no worker crashed
    assert get(server, PROJECTS).status_code == 200


def test_cors_headers_and_preflight(server):
    resp = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                     headers={"Origin": "https://example.org"})
    assert resp.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(server.url + "/sparql", timeout=30, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["access-control-allow-methods"]


def test_row_cap(server):
    resp = get(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 500")
    assert resp.status_code == 200
    assert len(bindings(resp)) == 50
    assert "50" in resp.headers["x-esfgraph-truncated"]
    assert "x-esfgraph-truncated" not in get(server, PROJECTS).headers


def test_repeated_query_is_answered_from_the_cache(server):
    query = PROJECTS + " # cache test"
    first, second = get(server, query), get(server, query)
    assert first.headers["x-esfgraph-cache"] == "miss"
    assert second.headers["x-esfgraph-cache"] == "hit"
    assert first.content == second.content
    other_format = get(server, query, "text/csv")
    assert other_format.headers["x-esfgraph-cache"] == "miss"


# ------------------------------------------------------------------ safety


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX x: <{url}> SELECT * WHERE {{ SERVICE x: {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_and_no_request_leaves(server, template):
    sock, seen = connection_listener()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    try:
        resp = get(server, template.format(url=url))
        time.sleep(0.3)
    finally:
        sock.close()
    assert resp.status_code == 403
    assert "SERVICE" in resp.text
    assert seen == []


def test_the_word_service_in_a_string_or_iri_is_fine(server):
    resp = get(server, 'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" } # SERVICE <http://y/>')
    assert resp.status_code == 200
    resp = get(server, "PREFIX svc: <http://x/> SELECT ?service WHERE { ?service svc:a ?o }")
    assert resp.status_code == 200
    # a prefix named `service` is refused (issue 23): pyoxigraph needs no space after a
    # keyword, so `service:a { ... }` is SERVICE + the IRI `:a`, and it calls it
    resp = get(server, "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:a ?o }")
    assert resp.status_code == 403


def test_update_is_refused_when_not_enabled(server):
    resp = httpx.post(server.url + "/sparql", timeout=30,
                      data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert resp.status_code == 403
    resp = httpx.post(server.url + "/sparql", timeout=30, content=b"LOAD <http://127.0.0.1:1/>",
                      headers={"Content-Type": "application/sparql-update"})
    assert resp.status_code == 403
    assert get(server, "ASK { <urn:a> <urn:b> <urn:c> }").json()["boolean"] is False


def test_update_sent_as_query_is_400(server):
    resp = get(server, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert resp.status_code == 400


def test_timeout_kills_the_query_while_others_get_answers(server):
    before = server.worker_pids()
    slow: dict[int, httpx.Response] = {}
    threads = [threading.Thread(target=lambda n=n: slow.setdefault(n, get(
        server, CROSS_PRODUCT + f" # slow {n}"))) for n in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let the slow queries take their worker (or wait for the heavy lane)
    # distinct texts, so no answer can come from the cache: each one needs a free worker
    answers = [get(server, f"ASK {{ <{VVV}> ?p ?o }} # lookup {n}") for n in range(5)]
    # the first slow query still runs; the second (same client) was refused with 429 at once
    assert len(slow) <= 1 and all(r.status_code == 429 for r in slow.values()), slow
    assert all(a.status_code == 200 and a.json()["boolean"] for a in answers)
    for thread in threads:
        thread.join(30)
    # one client may run one expensive query at a time: the second waits in the client's
    # line for lanes.CLIENT_WAIT seconds, then gets 429; both say when to come back
    assert sorted(slow[n].status_code for n in range(2)) == [429, 503]
    assert all(slow[n].headers["retry-after"].isdigit() for n in range(2))
    assert any("time limit" in slow[n].text for n in range(2))
    time.sleep(0.5)
    after = server.worker_pids()
    assert before - after, "the worker that ran the slow query must have been killed"
    assert get(server, PROJECTS + " # after the timeout").status_code == 200


# ------------------------------------------------------------------ descriptions


def test_service_description_without_query(server):
    resp = httpx.get(server.url + "/sparql", timeout=30)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(resp.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.NamedNode(sd + "Service") in {t.object for t in triples}
    assert ox.NamedNode(server.url + "/sparql") in {t.object for t in triples
                                                    if t.predicate.value == sd + "endpoint"}
    ld = httpx.get(server.url + "/sparql", headers={"Accept": "application/ld+json"}, timeout=30)
    assert ld.headers["content-type"].startswith("application/ld+json") and ld.json()


def test_browser_on_bare_endpoint_is_sent_to_the_query_page(server):
    resp = httpx.get(server.url + "/sparql", timeout=30, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert resp.status_code == 303 and resp.headers["location"] == "/query"


def test_void_description(server):
    resp = httpx.get(server.url + "/.well-known/void", timeout=30)
    assert resp.status_code == 200
    triples = list(ox.parse(resp.content, format=ox.RdfFormat.TURTLE))
    by_pred = {t.predicate.value: t.object for t in triples}
    assert by_pred["http://rdfs.org/ns/void#sparqlEndpoint"] == ox.NamedNode(server.url + "/sparql")
    assert by_pred["http://rdfs.org/ns/void#uriSpace"].value == BASE
    assert by_pred["http://purl.org/dc/terms/title"].value == "esfgraph test fixture"


# ------------------------------------------------------------------ linked data


def test_entity_page_for_browsers(server):
    resp = httpx.get(server.url + "/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01",
                     headers={"Accept": "text/html"}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "Accept" in resp.headers["vary"]
    page = resp.text
    assert '<h1 lang="sv">Våga Välja Väg (VVV)</h1>' in page
    assert 'href="/id/region/SE12"' in page                      # related entity, local link
    assert 'href="/id/org/flens-kommun/au-centrum">AU-Centrum</a>' in page
    assert "620800" in page
    assert 'href="/data/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01?format=ttl"' in page


def test_entity_page_links_to_wikidata(server):
    page = httpx.get(server.url + "/id/place/SE", headers={"Accept": "text/html"}, timeout=30).text
    assert 'class="external wikidata" href="http://www.wikidata.org/entity/Q34"' in page


def test_entity_page_lists_incoming_links(server):
    page = httpx.get(server.url + "/id/org/flens-kommun", headers={"Accept": "text/html"},
                     timeout=30).text
    assert "Linked from" in page and 'href="/id/org/flens-kommun/au-centrum"' in page


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_entity_as_rdf(server, accept, fmt):
    resp = httpx.get(server.url + "/id/region/SE23", headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] == accept
    assert resp.headers["content-location"] == "/data/id/region/SE23"
    assert "Accept" in resp.headers["vary"]
    body = resp.content
    if fmt == ox.RdfFormat.JSON_LD:  # compacted; its @context is a URL the server serves
        import json

        doc = resp.json()
        doc["@context"] = httpx.get(doc["@context"], timeout=30).json()["@context"]
        body = json.dumps(doc).encode()
    triples = [q.triple for q in ox.parse(body, format=fmt)]
    assert ox.Triple(ox.NamedNode(f"{BASE}id/region/SE23"), ox.NamedNode(
        "http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Västsverige", language="sv")) \
        in triples


def test_data_variant_defaults_to_turtle(server):
    resp = httpx.get(server.url + "/data/id/region/SE23", timeout=30)
    assert resp.headers["content-type"].startswith("text/turtle")
    resp = httpx.get(server.url + "/data/id/region/SE23?format=jsonld", timeout=30)
    assert resp.json()["@graph"][0]["@id"] == f"{BASE}id/region/SE23"


def test_unknown_entity_is_404(server):
    assert httpx.get(server.url + "/id/project/nope", timeout=30).status_code == 404
    html_resp = httpx.get(server.url + "/id/project/nope", headers={"Accept": "text/html",
                          "Accept-Language": "en"}, timeout=30)
    assert html_resp.status_code == 404 and "Not found" in html_resp.text


def _raw_get(srv: RunningServer, path: str) -> tuple[int, bytes]:
    """GET with the path sent byte for byte (no client-side normalisation of '..')."""
    parts = urlsplit(srv.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.putheader("Accept", "text/html")
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


@pytest.mark.parametrize("path", [
    "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/..%2f..%2fetc%2fpasswd",
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd", "/data/../../etc/passwd", "/%2e%2e/etc/passwd",
    "/id/%3Cscript%3Ealert(1)%3C/script%3E", "/id/%00", "/static/%00",
])
def test_path_traversal_and_odd_paths(server, path):
    status, body = _raw_get(server, path)
    assert status in (400, 404)
    assert b"root:" not in body
    assert b"<script>" not in body
    assert get(server, "ASK {}").status_code == 200


def test_static_assets_are_served(server):
    js = httpx.get(server.url + "/static/editor.js", timeout=30)
    assert js.status_code == 200 and "highlight" in js.text
    page = httpx.get(server.url + "/query", timeout=30)  # the query page moved from / to /query
    assert page.status_code == 200 and f'data-base-iri="{BASE}"' in page.text
    assert "cdn" not in page.text.lower()


def test_ready_made_queries_are_listed(server):
    from esfgraph.queries import list_queries

    items = httpx.get(server.url + "/queries.json", timeout=30).json()
    assert [i["name"] for i in items] == [q.name for q in list_queries()]


def test_ready_made_queries_speak_the_page_language(server):
    """The query page's examples follow the page: Swedish titles on Swedish pages (issue 21)."""
    from esfgraph.queries import list_queries

    sv = {i["name"]: i for i in httpx.get(server.url + "/queries.json", params={"lang": "sv"},
                                           timeout=30).json()}
    en = {i["name"]: i for i in httpx.get(server.url + "/queries.json", params={"lang": "en"},
                                           timeout=30).json()}
    assert sv["money-per-region"]["title"] == "ESF-stöd och antal projekt per region"
    assert en["money-per-region"]["title"] == "ESF money and project count per region"
    for query in list_queries():  # every ready-made query has a Swedish title of its own
        assert query.title_sv and sv[query.name]["title"] == query.title_sv != query.title
        assert sv[query.name]["description"] == query.description_sv


# ------------------------------------------------------------------ updates, when enabled


def test_update_needs_the_token_and_never_loads(tmp_path):
    store = make_store(tmp_path / "store")
    with running_server(store, "--enable-update", "--update-token", "s3cret",
                        "--workers", "2") as srv:
        insert = {"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'c' } }"}
        assert httpx.post(srv.url + "/sparql", data=insert, timeout=30).status_code == 403
        wrong = httpx.post(srv.url + "/sparql", data=insert, timeout=30,
                           headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        auth = {"Authorization": "Bearer s3cret"}
        sock, seen = connection_listener()
        try:
            load = httpx.post(srv.url + "/sparql", timeout=30, headers=auth, data={
                "update": f"LOAD <http://127.0.0.1:{sock.getsockname()[1]}/data.ttl>"})
        finally:
            sock.close()
        assert load.status_code == 403 and seen == []
        ok = httpx.post(srv.url + "/sparql", data=insert, timeout=60, headers=auth)
        assert ok.status_code == 204
        assert get(srv, "ASK { <urn:a> <urn:b> 'c' }").json()["boolean"] is True
        assert get(srv, PROJECTS).status_code == 200


# ------------------------------------------------------------------ robustness


def test_a_thousand_idle_connections_do_not_block_queries(server):
    idle = []
    try:
        port = int(server.url.rsplit(":", 1)[1])
        for n in range(1000):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if n % 2:  # half of them start a request and never finish it
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
            idle.append(sock)
        resp = get(server, PROJECTS + " # while 1000 connections idle")
        assert resp.status_code == 200 and len(bindings(resp)) == 3
    finally:
        for sock in idle:
            sock.close()
    assert get(server, "ASK {}").status_code == 200


def test_a_worker_killed_from_outside_is_replaced(server):
    import os
    import signal

    for pid in server.worker_pids():
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():  # workers only
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    # replacements start within the 4 s time limit on an idle machine, but may take longer on a
    # loaded one: the first answer is allowed to wait for them
    first = get(server, PROJECTS + " # after the kill, first")
    if first.status_code == 503:
        time.sleep(5)
    answers = [get(server, PROJECTS + f" # after the kill {n}") for n in range(4)]
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]


def test_a_build_swapping_the_current_version_is_picked_up(tmp_path):
    """Layout of esfgraph.store: `current` is a symlink to v-<id>/db, swapped atomically."""
    root = tmp_path / "store"
    make_store(root / "v-1" / "db")
    (root / "v-1" / "COMPLETE").touch()
    (root / "current").symlink_to("v-1/db")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with running_server(root, "--workers", "2") as srv:
        assert bindings(get(srv, query))[0]["n"]["value"] == "88"
        (root / "v-2" / "db").mkdir(parents=True)
        new = ox.Store(str(root / "v-2" / "db"))
        new.load(path=str(Path(__file__).with_name("serve_fixtures") / "data.trig"),
                 format=ox.RdfFormat.TRIG)
        new.add(ox.Quad(ox.NamedNode("urn:x:new"), ox.NamedNode("urn:x:p"), ox.Literal("v2"),
                        ox.NamedNode(f"{BASE}graph/reference")))
        new.flush()
        del new
        (root / "v-2" / "COMPLETE").touch()
        (root / "tmp-link").symlink_to("v-2/db")
        (root / "tmp-link").replace(root / "current")
        # the same query text: neither the cache nor the workers may serve the old version
        for _ in range(3):
            assert bindings(get(srv, query))[0]["n"]["value"] == "89"


def test_serve_without_a_store_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "esfgraph", "serve", "--store",
                           str(tmp_path / "missing"), "--port", "0"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert "no store here" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ pure functions (no server)

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_accept_parsing_never_raises(header):
    ranges = protocol.parse_accept(header)
    assert ranges
    choice = protocol.negotiate(ranges, protocol.RESULTS_TYPES, protocol.RESULTS_ALIASES)
    assert choice is None or choice in protocol.RESULTS_TYPES


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_guard_never_raises_anything_but_query_errors(text):
    try:
        guard.check(text)
    except QueryError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=7, max_size=7), st.sampled_from([" ", "\n", "\t", "  "]))
def test_service_in_any_case_and_spacing_is_refused(upper, space):
    word = "".join(c.upper() if u else c.lower() for c, u in zip("service", upper))
    with pytest.raises(guard.UnsafeQueryError):
        guard.check(f"SELECT * WHERE {{{space}{word}{space}<http://x/>{space}{{ ?s ?p ?o }} }}")


def test_guard_tells_the_query_form_and_dataset_clause():
    assert guard.shape("PREFIX a: <x:> SELECT * FROM <g:1> { ?s ?p ?o }").has_dataset_clause
    assert not guard.shape('SELECT * { ?s ?p "FROM" }').has_dataset_clause
    assert guard.shape("# ASK\nCONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    assert guard.shape("INSERT DATA { <a:b> <a:c> <a:d> }").form == "UPDATE"
    assert guard.shape("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").heavy
    assert not guard.shape("SELECT ?p ?o { <x:s> ?p ?o }").heavy


def test_q_value_negotiation():
    ranges = protocol.parse_accept("text/*;q=0.5, text/csv;q=0.1, */*;q=0.2")
    assert protocol.quality(ranges, "text/csv") == 0.1
    assert protocol.quality(ranges, "text/tab-separated-values") == 0.5
    assert protocol.negotiate(ranges, protocol.RESULTS_TYPES) == "text/tab-separated-values"
    assert protocol.negotiate(protocol.parse_accept("image/png"), protocol.GRAPH_TYPES) is None


# ------------------------------------------------------------------ HTTP for real traffic
# (issue 23 #6-#10: validators, 304, compression, Retry-After, redirects, 406)

VALIDATED = {
    "sparql": ("/sparql?query=" + PROJECTS.replace(" ", "%20").replace("#", "%23")
               .replace("<", "%3C").replace(">", "%3E"), "application/sparql-results+json"),
    "entity page": ("/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01", "text/html"),
    "entity data": ("/data/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01",
                    "text/turtle"),
    "graph store": (f"/rdf-graph-store?graph={VVV_GRAPH}", "text/turtle"),
    "service description": ("/sparql", "text/turtle"),
    "explorer page": ("/", "text/html"),
}


@pytest.mark.parametrize("name", list(VALIDATED))
def test_get_answers_carry_validators_and_revalidate_with_304(server, name):
    path, accept = VALIDATED[name]
    first = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert first.headers["last-modified"].endswith("GMT")
    assert "max-age=" in first.headers["cache-control"]
    vary = {v.strip().lower() for v in first.headers["vary"].split(",")}
    assert {"accept", "accept-encoding"} <= vary
    again = httpx.get(server.url + path, headers={"Accept": accept, "If-None-Match": etag},
                      timeout=30)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "max-age=" in again.headers["cache-control"]
    assert {"accept", "accept-encoding"} <= {v.strip().lower()
                                             for v in again.headers["vary"].split(",")}
    since = httpx.get(server.url + path, timeout=30, headers={
        "Accept": accept, "If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    # another representation (format) is another ETag; a stale tag gets the full answer
    other = httpx.get(server.url + path, headers={"Accept": "application/n-triples, "
                                                            "application/sparql-results+xml"},
                      timeout=30)
    assert other.headers.get("etag") != etag
    stale = httpx.get(server.url + path, headers={"Accept": accept, "If-None-Match": '"old"'},
                      timeout=30)
    assert stale.status_code == 200 and stale.content == first.content


def test_head_shares_the_etag_and_post_gets_none(server):
    url = server.url + VALIDATED["sparql"][0]
    got = httpx.get(url, timeout=30)
    head = httpx.head(url, timeout=30)
    assert head.status_code == 200 and head.headers["etag"] == got.headers["etag"]
    post = httpx.post(server.url + "/sparql", data={"query": PROJECTS}, timeout=30)
    assert post.status_code == 200 and "etag" not in post.headers


def test_errors_get_no_validators(server):
    resp = get(server, "SELECT * WHERE { ?s ?p }")
    assert resp.status_code == 400 and "etag" not in resp.headers


@pytest.mark.parametrize(("accept_encoding", "coding"), [
    ("gzip", "gzip"), ("br", "br"), ("gzip, br", "br"), ("br;q=0, gzip", "gzip"),
    ("gzip;q=0.5, br;q=0.4", "gzip"), ("identity", None), ("*", "br"),
])
def test_large_answers_are_compressed_as_the_client_asks(server, accept_encoding, coding):
    query = "SELECT * WHERE { ?s ?p ?o }"
    plain = get(server, query)
    assert len(plain.content) > 5000
    resp = httpx.get(server.url + "/sparql", params={"query": query}, timeout=30,
                     headers={"Accept-Encoding": accept_encoding})
    assert resp.headers.get("content-encoding") == coding
    assert resp.json() == plain.json()  # httpx decodes gzip and br
    if coding:
        assert int(resp.headers["content-length"]) < len(plain.content) / 3


def test_small_answers_are_not_compressed(server):
    resp = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                     headers={"Accept-Encoding": "gzip, br"})
    assert resp.status_code == 200 and "content-encoding" not in resp.headers


def test_the_browser_redirect_keeps_every_protocol_parameter(server):
    from urllib.parse import parse_qsl

    params = [("query", PROJECTS), ("default-graph-uri", VVV_GRAPH),
              ("default-graph-uri", f"{BASE}graph/other"), ("named-graph-uri", VVV_GRAPH),
              ("lang", "en")]
    resp = httpx.get(server.url + "/sparql", params=params, timeout=30,
                     headers={"Accept": "text/html"})
    assert resp.status_code == 303
    target = urlsplit(resp.headers["location"])
    assert target.path == "/query" and parse_qsl(target.query) == params


def test_the_query_page_answers_the_question_of_its_dataset(server):
    # only the VVV record graph as default graph: one project instead of three
    params = [("query", PROJECTS), ("default-graph-uri", VVV_GRAPH)]
    page = httpx.get(server.url + "/query", params=params, timeout=30).text
    assert "1 row" in page and "vaga-valja-vag" in page and "ung-och-aktiv" not in page
    assert f'name="default-graph-uri" value="{VVV_GRAPH}"' in page


def test_data_in_a_format_no_graph_has_is_406_not_turtle(server):
    resp = httpx.get(server.url + "/data/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01",
                     params={"format": "csv"}, timeout=30)
    assert resp.status_code == 406 and "text/turtle" in resp.text
    assert not resp.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(("query", "accept"), [
    (CONSTRUCT, "text/csv"), (PROJECTS, "text/turtle"), (PROJECTS, "image/png"),
])
def test_406_messages_are_the_same_for_get_and_post(server, query, accept):
    got = get(server, query, accept=accept)
    posted = httpx.post(server.url + "/sparql", data={"query": query}, timeout=30,
                        headers={"Accept": accept})
    assert got.status_code == posted.status_code == 406
    assert got.text == posted.text and accept in got.text


def test_options_on_the_graph_store_agrees_with_its_allow_header(server):
    url = server.url + "/rdf-graph-store"
    options = httpx.request("OPTIONS", url, timeout=30)
    refused = httpx.put(url + "?default", content=b"", timeout=30)
    assert options.status_code in (200, 204) and refused.status_code == 405
    assert options.headers["allow"] == refused.headers["allow"]
    allowed = {m.strip() for m in options.headers["allow"].split(",")}
    assert "OPTIONS" in allowed and "PUT" not in allowed
