"""`esfgraph serve --endpoint URL`: the same site in front of a remote SPARQL server.

A real Oxigraph server (127.0.0.1, free port) holds the seeds store, pushed with esfgraph.push;
the answers of the app in front of it are compared with those of the embedded serve on the same
store. A hand-written stand-in endpoint plays the remote that is down, slow, wrong or counting.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from esfgraph.namespaces import PREFIXES
from esfgraph.push import push
from esfgraph.queries import list_queries
from esfgraph.query import bind_params, inject_values
from esfgraph.remote import with_prefixes
from esfgraph.serve import ServeSettings, create_app
from esfgraph.serve.app import CACHE_HEADER, TRUNCATED_HEADER
from tests.serve_fixtures.server import BASE, app_in_thread, free_port
from tests.serve_fixtures.standin import StandIn, standin_endpoint
from tests.test_push_oxigraph import (
    assert_same_rows,
    build_seeds_store,
    gsp_endpoint,
    rows_of,
    running_oxigraph,
)

REPO = Path(__file__).resolve().parent.parent
PROJECT = "id/project/2018-00460"
JSON_TYPE = "application/sparql-results+json"
#: Five rows as a remote would send them (a literal with a language, a typed one, an IRI).
FIVE_ROWS = json.dumps({"head": {"vars": ["s", "n"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": f"http://example.org/{i}"},
     "n": {"type": "literal", "value": str(i),
           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}} for i in range(5)]}}).encode()


# -- servers --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by `esfgraph build` from seeds/."""
    return build_seeds_store(tmp_path_factory.mktemp("seeds") / "store")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, seeds_store: Path) -> Iterator[str]:
    """A real Oxigraph server (union default graph) holding the seeds; yields its query URL."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as base:
        report = push(seeds_store, gsp_endpoint(base))
        assert report.ok and report.sent, report.summary()
        yield base + "/query"


@pytest.fixture(scope="module")
def remote_app(oxigraph: str) -> Iterator[httpx.Client]:
    """The app in endpoint mode in front of the Oxigraph server."""
    settings = ServeSettings(store="", endpoint=oxigraph, timeout=20, max_rows=10000)
    with app_in_thread(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def embedded_app(seeds_store: Path) -> Iterator[httpx.Client]:
    """The embedded app (worker processes) on the same seeds store."""
    settings = ServeSettings(store=str(seeds_store), workers=2, timeout=20)
    with app_in_thread(create_app(settings)) as client:
        yield client


@pytest.fixture()
def standin() -> Iterator[StandIn]:
    with standin_endpoint() as state:
        yield state


def app_for(url: str, **kwargs: object) -> AbstractContextManager[httpx.Client]:
    """An endpoint-mode app in front of `url`, served in a thread (a context manager)."""
    return app_in_thread(create_app(ServeSettings(store="", endpoint=url, **kwargs)))  # type: ignore[arg-type]


def sparql(client: httpx.Client, query: str, accept: str = JSON_TYPE) -> httpx.Response:
    return client.post("/sparql", data={"query": query}, headers={"Accept": accept})


def ready_made() -> dict[str, str]:
    """Every ready-made query, parameters at their defaults, as a self-contained text."""
    list_queries.cache_clear()
    return {q.name: with_prefixes(inject_values(q.sparql, bind_params({}, q.params)), PREFIXES)
            for q in list_queries()}


def table_rows(page: str) -> Counter[str]:
    """The fact rows of an entity page (order-free: ties may come in any order)."""
    return Counter(re.findall(r"<tr>.*?</tr>", page, flags=re.DOTALL))


# -- the same answers as the embedded server ----------------------------------------------------

def test_ready_made_queries_give_the_same_rows_as_the_embedded_server(remote_app, embedded_app):
    queries = ready_made()
    assert len(queries) == len(list_queries()) >= 11
    with_rows = 0
    for name, text in queries.items():
        here = sparql(embedded_app, text)
        there = sparql(remote_app, text)
        assert here.status_code == 200, (name, here.text)
        assert there.status_code == 200, (name, there.text)
        assert there.headers["content-type"].startswith(JSON_TYPE)
        local = rows_of(here.content)
        with_rows += bool(local[1])
        assert_same_rows(local, rows_of(there.content), name, text)
    assert with_rows >= 5, "most ready-made queries should have rows on seeds/"
    # converted formats: the remote's JSON becomes the CSV the embedded server writes
    text = queries["money-per-region"]
    here = sparql(embedded_app, text, "text/csv")
    there = sparql(remote_app, text, "text/csv")
    assert there.status_code == 200 and there.headers["content-type"].startswith("text/csv")
    assert sorted(there.text.splitlines()) == sorted(here.text.splitlines())
    xml = sparql(remote_app, text, "application/sparql-results+xml")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert len(list(ox.parse_query_results(xml.content, ox.QueryResultsFormat.XML))) == \
        len(here.text.splitlines()) - 1


def test_entity_pages_in_turtle_and_html(remote_app, embedded_app):
    iri = BASE + PROJECT
    turtle = remote_app.get("/" + PROJECT, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, turtle.text
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.headers["content-location"] == f"/data/{PROJECT}"
    there = {q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    local = embedded_app.get("/" + PROJECT, headers={"Accept": "text/turtle"})
    here = {q.triple for q in ox.parse(local.content, format=ox.RdfFormat.TURTLE)}
    assert there == here and len(there) > 10
    assert any(t.subject == ox.NamedNode(iri) and t.predicate.value.endswith("/title")
               for t in there)

    page = remote_app.get("/" + PROJECT, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert iri in page.text and "Linked from" in page.text
    local_page = embedded_app.get("/" + PROJECT, headers={"Accept": "text/html"})
    assert table_rows(page.text) == table_rows(local_page.text)
    assert len(table_rows(page.text)) > 10

    data = remote_app.get(f"/data/{PROJECT}?format=nt")
    assert data.headers["content-type"].startswith("application/n-triples")
    assert {q.triple for q in ox.parse(data.content, format=ox.RdfFormat.N_TRIPLES)} == here
    assert remote_app.get("/" + PROJECT, headers={"Accept": "image/png"}).status_code == 406
    missing = remote_app.get("/id/project/nope", headers={"Accept": "text/html",
                                                          "Accept-Language": "en"})
    assert missing.status_code == 404 and "Not found" in missing.text
    assert remote_app.get("/id/project/nope").status_code == 404


def test_void_query_page_and_service_description(remote_app):
    void = remote_app.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert void.status_code == 200
    triples = list(ox.parse(void.content, format=ox.RdfFormat.N_TRIPLES))
    assert any(q.predicate.value == "http://rdfs.org/ns/void#sparqlEndpoint" for q in triples)
    assert any(q.subject.value == BASE + "dataset" for q in triples)
    assert "esfgraph" in remote_app.get("/").text
    assert len(remote_app.get("/queries.json").json()) == len(list_queries())
    description = remote_app.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "SPARQL11Update" not in description.text
    cors = remote_app.options("/sparql", headers={"Origin": "http://x.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert cors.headers["access-control-allow-origin"] == "*"


def test_syntax_errors_and_updates(remote_app):
    bad = sparql(remote_app, "SELECT ?x WHERE { ?x ")
    assert bad.status_code == 400 and "remote SPARQL endpoint refused" in bad.text
    update = remote_app.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"},
                             headers={"Authorization": "Bearer x"})
    assert update.status_code == 403 and "does not forward SPARQL Update" in update.text
    assert sparql(remote_app, "ASK { <a:b> <a:c> <a:d> }").json()["boolean"] is False
    assert sparql(remote_app, "SELECT * { ?s ?p ?o } LIMIT 1", "image/png").status_code == 406


# -- the stand-in remote ------------------------------------------------------------------------

def test_service_and_load_are_refused_before_anything_is_sent(standin):
    with app_for(standin.url) as client:
        for query in (f"SELECT * WHERE {{ SERVICE <{standin.url}> {{ ?s ?p ?o }} }}",
                      (f"PREFIX x: <{standin.url}> SELECT * {{ ?a ?b ?c OPTIONAL {{ "
                       "SERVICE SILENT x: { ?s ?p ?o } } }")):
            resp = sparql(client, query)
            assert resp.status_code == 403 and "SERVICE" in resp.text, resp.text
        load = client.post("/sparql", data={"update": f"LOAD <{standin.url}>"})
        assert load.status_code == 403
        assert standin.requests == []
        assert sparql(client, "ASK {}").json() == {"head": {}, "boolean": True}
        assert len(standin.requests) == 1  # the counter does count


def test_results_are_passed_through_capped_or_converted(standin):
    standin.body = FIVE_ROWS
    with app_for(standin.url, max_rows=3, cache_bytes=0) as client:
        capped = sparql(client, "SELECT ?s ?n WHERE { ?s ?p ?n }")
        assert capped.status_code == 200 and TRUNCATED_HEADER.lower() in capped.headers
        assert "3 rows" in capped.headers[TRUNCATED_HEADER]
        assert [b["n"]["value"] for b in capped.json()["results"]["bindings"]] == ["0", "1", "2"]
        tsv = sparql(client, "SELECT ?s ?n WHERE { ?s ?p ?n }", "text/tab-separated-values")
        assert tsv.text.splitlines()[0] == "?s\t?n" and len(tsv.text.splitlines()) == 4
    with app_for(standin.url, max_rows=10, cache_bytes=0) as client:
        whole = sparql(client, "SELECT ?s ?n WHERE { ?s ?p ?n }")
        assert whole.content == FIVE_ROWS and TRUNCATED_HEADER.lower() not in whole.headers
        csv_text = sparql(client, "SELECT ?s ?n WHERE { ?s ?p ?n }", "text/csv").text
        assert csv_text.splitlines() == ["s,n"] + [f"http://example.org/{i},{i}"
                                                   for i in range(5)]
    assert all(r["accept"].startswith(JSON_TYPE) for r in standin.requests)


def test_graphs_are_capped_and_reserialised(standin):
    standin.content_type = "text/turtle"
    standin.body = "".join(f"<http://example.org/{i}> <http://example.org/p> {i} .\n"
                           for i in range(5)).encode()
    with app_for(standin.url, max_rows=2) as client:
        resp = sparql(client, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples")
        assert resp.status_code == 200 and resp.headers[TRUNCATED_HEADER]
        assert resp.headers["content-type"].startswith("application/n-triples")
        assert len(list(ox.parse(resp.content, format=ox.RdfFormat.N_TRIPLES))) == 2
    assert standin.requests[0]["accept"].startswith("application/n-triples")


def test_answers_are_cached_for_a_while(standin):
    with app_for(standin.url) as client:
        first, second = sparql(client, "ASK {}"), sparql(client, "ASK {}")
        assert (first.headers[CACHE_HEADER], second.headers[CACHE_HEADER]) == ("miss", "hit")
        assert len(standin.requests) == 1
    with app_for(standin.url, cache_ttl=0) as client:
        sparql(client, "ASK {}")
        assert CACHE_HEADER.lower() not in sparql(client, "ASK {}").headers
        assert len(standin.requests) == 3


@pytest.mark.parametrize("status, content_type, body, expected", [
    (500, "text/html", b"<html><h1>Internal trouble: disk full</h1></html>", "disk full"),
    (401, "text/plain", b"who are you", "HTTP 401"),
    (200, JSON_TYPE, b"<html>not json</html>", "not valid SPARQL results"),
    (200, "image/png", b"\x89PNG", "neither SPARQL results nor RDF"),
])
def test_a_failing_remote_gives_502_with_its_message(standin, status, content_type, body,
                                                     expected):
    standin.status, standin.content_type, standin.body = status, content_type, body
    with app_for(standin.url) as client:
        resp = sparql(client, "SELECT * WHERE { ?s ?p ?o }")
        assert resp.status_code == 502, resp.text
        assert expected in resp.text and "Bad gateway" in resp.text


def test_credentials_are_sent_when_the_remote_asks(standin):
    standin.basic = ("esf", "s3cret:with-colon")
    with app_for(standin.url, auth="esf:s3cret:with-colon") as client:
        assert sparql(client, "ASK {}").json()["boolean"] is True
        assert standin.requests[0]["authorization"] is None  # nothing sent unasked
        assert standin.requests[-1]["authorization"].startswith("Basic ")
    with app_for(standin.url) as client:
        refused = sparql(client, "ASK {}")
        assert refused.status_code == 502 and "HTTP 401" in refused.text


def test_a_stopped_remote_gives_502():
    url = f"http://127.0.0.1:{free_port()}/query"  # nobody listens there
    with app_for(url) as client:
        resp = sparql(client, "SELECT * WHERE { ?s ?p ?o }")
        assert resp.status_code == 502 and "cannot reach the server" in resp.text
        page = client.get("/" + PROJECT, headers={"Accept": "text/html"})
        assert page.status_code == 502


def test_a_slow_remote_gives_504_after_the_time_limit(standin):
    standin.delay = 3.0
    with app_for(standin.url, timeout=0.5) as client:
        resp = sparql(client, "SELECT * WHERE { ?s ?p ?o }")
        assert resp.status_code == 504 and "did not answer within the 0.5 s" in resp.text


# -- the command line ---------------------------------------------------------------------------

def test_cli_refuses_store_with_endpoint_and_shows_an_example(tmp_path):
    from esfgraph.cli import main

    both = CliRunner().invoke(main, ["serve", "--store", str(tmp_path), "--endpoint",
                                     "http://127.0.0.1:7878/query"])
    assert both.exit_code == 2 and "not both" in both.output and "Traceback" not in both.output
    update = CliRunner().invoke(main, ["serve", "--endpoint", "http://127.0.0.1:7878/query",
                                       "--enable-update", "--update-token", "t"])
    assert update.exit_code == 2 and "not forwarded" in update.output
    bad = CliRunner().invoke(main, ["serve", "--endpoint", "ftp://x/"])
    assert bad.exit_code == 2 and "http(s)" in bad.output
    helped = CliRunner().invoke(main, ["serve", "--help"])
    assert "esfgraph serve --endpoint http://" in helped.output


def test_cli_serves_the_remote_without_a_store(oxigraph, tmp_path):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "esfgraph", "serve", "--endpoint", oxigraph,
                             "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        for _ in range(150):
            try:
                resp = httpx.post(url, data={"query": "ASK { ?s a ?t }"},
                                  headers={"Accept": JSON_TYPE}, timeout=5)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
                time.sleep(0.2)
        assert resp.status_code == 200 and resp.json()["boolean"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    assert f"serving the remote SPARQL endpoint {oxigraph}" in out.decode()
    assert not (tmp_path / ".esfgraph").exists()  # no store opened or created
