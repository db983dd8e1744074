"""The SPARQL / Graph Store client: requests it sends, errors it reports, helpers it offers.

A tiny recording HTTP server runs on 127.0.0.1 in a thread; it answers what each test asks.
Real servers (Oxigraph, Virtuoso) are exercised in test_push_oxigraph.py / test_push_virtuoso.py.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from esfgraph.errors import EsfGraphError, QueryError, StoreError
from esfgraph.push import is_personal_graph, push, resolve_store_dir
from esfgraph.remote import (
    RemoteEndpoint,
    RemoteError,
    parse_auth,
    query_form,
    run_remote_query,
    update_requests,
    with_prefixes,
)
from tests.test_push_oxigraph import free_port, make_store

RESULTS = {"head": {"vars": ["n"]},
           "results": {"bindings": [{"n": {"type": "literal", "value": "3", "datatype":
                                           "http://www.w3.org/2001/XMLSchema#integer"}}]}}


class Stub:
    """What the stub server saw, and what it should answer next."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.body = json.dumps(RESULTS).encode()
        self.content_type = "application/sparql-results+json"
        self.basic: tuple[str, str] | None = None


@pytest.fixture()
def stub() -> Iterator[tuple[Stub, str]]:
    """A recording HTTP server on 127.0.0.1; yields (stub, base URL)."""
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append({"method": self.command, "path": self.path,
                                   "headers": dict(self.headers), "body": body})
            if state.basic:
                token = base64.b64encode(":".join(state.basic).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_query_is_a_form_post_with_accept(stub: tuple[Stub, str]) -> None:
    state, base = stub
    result = RemoteEndpoint(base + "/sparql").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.variables == ["n"] and result.rows[0]["n"]["value"] == "3"
    sent = state.requests[0]
    assert sent["method"] == "POST" and sent["path"] == "/sparql"
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent["headers"]["Accept"] == "application/sparql-results+json"
    form = urllib.parse.parse_qs(sent["body"].decode())
    assert form["query"] == ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]


def test_put_graph_uses_the_graph_store_protocol(stub: tuple[Stub, str]) -> None:
    state, base = stub
    state.body, state.status = b"", 204
    endpoint = RemoteEndpoint(base + "/query", graph_store_url=base + "/store")
    data = '<urn:a> <urn:b> "ä" .\n'.encode()
    endpoint.put_graph("https://w3id.org/esfgraph/graph/record/x?y", data)
    sent = state.requests[0]
    assert sent["method"] == "PUT"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(sent["path"]).query) == {
        "graph": ["https://w3id.org/esfgraph/graph/record/x?y"]}
    assert sent["headers"]["Content-Type"].startswith("application/n-triples")
    assert sent["body"] == data


def test_put_graph_without_gsp_sends_updates(stub: tuple[Stub, str]) -> None:
    state, base = stub
    state.body = b""
    endpoint = RemoteEndpoint(base + "/query", update_url=base + "/update")
    endpoint.put_graph("urn:g", b'<urn:a> <urn:b> "1" .\n<urn:a> <urn:b> "2" .\n', chunk_bytes=10)
    assert [r["path"] for r in state.requests] == ["/update", "/update"]
    assert all(r["headers"]["Content-Type"].startswith("application/sparql-update")
               for r in state.requests)
    first, second = (r["body"].decode() for r in state.requests)
    assert first.startswith("DROP SILENT GRAPH <urn:g> ;") and '"1"' in first
    assert second.startswith("INSERT DATA") and '"2"' in second and "DROP" not in second


@pytest.mark.parametrize(("status", "hint"), [
    (400, "PUT of graph <urn:g> failed"), (401, "authentication failed"), (403, "update rights"),
    (404, "no such endpoint"), (500, "PUT of graph <urn:g> failed")])
def test_http_errors_name_url_status_and_server_message(stub: tuple[Stub, str], status: int,
                                                         hint: str) -> None:
    state, base = stub
    state.status, state.content_type = status, "text/html"
    state.body = b"<html><body><h1>Parse error</h1> line 1: unexpected token</body></html>"
    endpoint = RemoteEndpoint(base + "/store-x", graph_store_url=base + "/store-x")
    with pytest.raises(RemoteError) as caught:
        endpoint.put_graph("urn:g", b"")
    message = str(caught.value)
    assert isinstance(caught.value, EsfGraphError)
    assert f"{base}/store-x: HTTP {status}" in message
    assert hint in message
    assert "Parse error line 1: unexpected token" in message and "<h1>" not in message
    assert caught.value.status == status


def test_unreachable_server_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(RemoteError, match=r"127\.0\.0\.1:\d+/sparql: cannot reach the server"):
        RemoteEndpoint(url, timeout=5).select("ASK {}")


def test_not_json_answer_is_reported(stub: tuple[Stub, str]) -> None:
    state, base = stub
    state.body, state.content_type = b"<html>login page</html>", "text/html"
    with pytest.raises(RemoteError, match="not SPARQL results JSON.*login page"):
        RemoteEndpoint(base + "/sparql").select("SELECT * {}")


def test_basic_auth_is_answered_on_challenge(stub: tuple[Stub, str]) -> None:
    state, base = stub
    state.basic = ("esf", "s3cret:with-colon")
    endpoint = RemoteEndpoint(base + "/sparql", auth="esf:s3cret:with-colon")
    assert endpoint.select("SELECT * {}").rows
    assert state.requests[0]["headers"].get("Authorization") is None  # nothing sent unasked
    assert state.requests[-1]["headers"]["Authorization"].startswith("Basic ")
    wrong = RemoteEndpoint(base + "/sparql", auth=("esf", "nope"))
    with pytest.raises(RemoteError, match="401"):
        wrong.select("SELECT * {}")


def test_parse_auth() -> None:
    assert parse_auth("u:p:q") == ("u", "p:q")
    assert parse_auth(("u", "p")) == ("u", "p")
    assert parse_auth(None) is None
    with pytest.raises(RemoteError, match="user:password"):
        parse_auth("nocolon")


def test_bad_urls_and_iris_are_refused() -> None:
    with pytest.raises(RemoteError, match="not an http"):
        RemoteEndpoint("ftp://example.org/sparql")
    endpoint = RemoteEndpoint("http://127.0.0.1:9/sparql", update_url="http://127.0.0.1:9/u")
    with pytest.raises(RemoteError, match="not a valid graph IRI"):
        endpoint.put_graph("urn:g> } ; DROP ALL ; INSERT DATA { GRAPH <urn:x", b"")


def test_update_requests_keep_blank_nodes_in_one_template() -> None:
    data = (b'<urn:s> <urn:p> "a _:notabnode" .\n'
            b'<urn:s> <urn:p> _:b1 .\n'
            b'_:b1 <urn:label> "x" .\n'
            b'<urn:s2> <urn:p> <urn:o_:x> .\n')
    requests = update_requests("urn:g", data, chunk_bytes=1)
    assert len(requests) == 3
    assert requests[0].startswith("DROP SILENT GRAPH <urn:g> ;\nINSERT { GRAPH <urn:g>")
    assert requests[0].endswith("WHERE {}")
    assert "_:b1 <urn:p>" not in requests[0] and requests[0].count("_:b1") == 2
    assert all(r.startswith("INSERT DATA") for r in requests[1:])
    assert update_requests("urn:g", b"") == ["DROP SILENT GRAPH <urn:g>"]


def test_with_prefixes_declares_only_what_is_used() -> None:
    prefixes = {"esf": "https://w3id.org/esfgraph/ontology#", "schema": "https://schema.org/",
                "skos": "http://www.w3.org/2004/02/skos/core#"}
    text = 'PREFIX schema: <https://schema.org/>\nSELECT * { ?p a esf:Project ; schema:name "skos:x" }'
    out = with_prefixes(text, prefixes)
    assert out.splitlines()[0] == "PREFIX esf: <https://w3id.org/esfgraph/ontology#>"
    assert out.count("PREFIX schema:") == 1 and "PREFIX skos:" not in out
    assert with_prefixes("ASK {}", prefixes) == "ASK {}"


def test_query_form() -> None:
    assert query_form("# CONSTRUCT in a comment\nSELECT * {}") == "select"
    assert query_form('PREFIX x: <urn:ASK>\nCONSTRUCT { ?s ?p "DESCRIBE" } WHERE {}') == "construct"
    with pytest.raises(QueryError):
        query_form("INSERT DATA {}")


def test_run_remote_query_formats_like_the_local_runner(stub: tuple[Stub, str]) -> None:
    state, base = stub
    table = run_remote_query(base + "/sparql", "SELECT (COUNT(*) AS ?n) { ?s a esf:Project }",
                             "table")
    assert b"(1 row)" in table and b"3" in table
    form = urllib.parse.parse_qs(state.requests[0]["body"].decode())
    assert form["query"][0].startswith("PREFIX esf: <https://w3id.org/esfgraph/ontology#>")
    assert run_remote_query(base + "/sparql", "SELECT ?n {}", "csv").splitlines()[0] == b"n"
    state.body, state.content_type = b"<urn:a> <urn:b> <urn:c> .\n", "application/n-triples"
    graph = run_remote_query(base + "/sparql", "CONSTRUCT WHERE { ?s ?p ?o }", "nt")
    assert graph == b"<urn:a> <urn:b> <urn:c> .\n"
    assert state.requests[-1]["headers"]["Accept"] == "application/n-triples"
    with pytest.raises(QueryError, match="cannot be written as 'csv'"):
        run_remote_query(base + "/sparql", "CONSTRUCT WHERE { ?s ?p ?o }", "csv")


def test_run_remote_query_binds_parameters_as_values(stub: tuple[Stub, str]) -> None:
    state, base = stub
    date = pyoxigraph.Literal("2014-06-01",
                              datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    run_remote_query(base + "/sparql", "SELECT ?n WHERE { ?p ?q ?on_date }", "json",
                     params={"on_date": date})
    sent = urllib.parse.parse_qs(state.requests[0]["body"].decode())["query"][0]
    assert 'VALUES ?on_date { "2014-06-01"^^<http://www.w3.org/2001/XMLSchema#date> }' in sent


# -- push with a recording endpoint (no server) ---------------------------------------------------

class Recorder(RemoteEndpoint):
    """Keeps what would have been written and answers counts from it."""

    def __init__(self, url: str = "http://127.0.0.1:9/sparql") -> None:
        super().__init__(url, graph_store_url=url + "-store")
        self.graphs: dict[str, bytes] = {}
        self.dropped: list[str] = []

    def put_graph(self, graph_iri: str, ntriples: bytes, **_: Any) -> None:
        self.graphs[graph_iri] = ntriples

    def drop_graph(self, graph_iri: str) -> None:
        self.graphs.pop(graph_iri, None)
        self.dropped.append(graph_iri)

    def graph_counts(self, graphs: Any = None) -> dict[str, int]:
        return {g: d.count(b"\n") for g, d in self.graphs.items()}


def test_push_without_personal_data_drops_what_was_sent(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    endpoint = Recorder()
    first = push(store, endpoint)
    assert len(first.sent) == 8 and first.ok
    second = push(store, endpoint, personal_data=False)
    assert sorted(second.dropped) == sorted(g for g in first.sent if is_personal_graph(g))
    assert len(second.dropped) == 2 and not second.sent
    assert not any(is_personal_graph(g) for g in endpoint.graphs)


def test_push_reports_count_mismatch_and_forgets_the_graph(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")

    class Lossy(Recorder):
        def put_graph(self, graph_iri: str, ntriples: bytes, **_: Any) -> None:
            super().put_graph(graph_iri, b"\n".join(ntriples.split(b"\n")[1:]))

    endpoint = Lossy()
    report = push(store, endpoint)
    assert not report.ok and len(report.mismatches) == 8
    assert "MISMATCH" in report.summary()
    fixed = push(store, Recorder("http://127.0.0.1:10/sparql"))  # another server: all sent
    assert fixed.ok
    again = push(store, endpoint)  # forgotten graphs are sent again on the next run
    assert len(again.sent) == 8


def test_push_unknown_graph_and_missing_store(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    with pytest.raises(StoreError, match="no named graph"):
        push(store, Recorder(), graphs=["urn:nope"])
    with pytest.raises(StoreError, match="no store here"):
        push(tmp_path / "missing", Recorder())


def test_resolve_store_dir_plain_pyoxigraph(tmp_path: Path) -> None:
    store = make_store(tmp_path / "plain")
    assert resolve_store_dir(store) == store
