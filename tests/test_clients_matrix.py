"""The client matrix: client × query form × format (× method), every cell against a real
`esfgraph serve` on 127.0.0.1, every answer parsed by the client and checked for content.

Clients: SPARQLWrapper (its return formats, GET, POST form and POST direct), rdflib's
SPARQLStore (its result formats and methods), Comunica (`@comunica/query-sparql` 4, installed
with npm into ~/.cache/esfgraph-tests/comunica when missing; skipped with the reason when node
or npm cannot provide it), curl (Accept headers, GET, POST form, POST direct) and a
spreadsheet's CSV import (a plain GET with `Accept: text/csv`). A cell passes only when the
client gets a 2xx and the parsed answer holds the expected rows, boolean or triples. The README
table "Clients and standards" is this matrix.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

from tests.serve_fixtures.server import BASE, make_store, running_server

SELECT = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?grant WHERE { ?p a esf:Project ; rdfs:label ?label ; esf:esfGrantSEK ?grant }
ORDER BY DESC(?grant)"""
ASK = f"ASK {{ <{BASE}id/region/SE23> ?p ?o }}"
CONSTRUCT = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}id/region/SE23> AS ?s) "
             "?s ?p ?o }")
DESCRIBE = f"DESCRIBE <{BASE}id/region/SE23>"
QUERIES = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}
EXPECTED_ROWS = [("Våga Välja Väg (VVV)", "620800"), ("Möjligheter del 2", "556922"),
                 ("Ung och aktiv", "450000")]
EXPECTED_TRIPLE = (URIRef(f"{BASE}id/region/SE23"),
                   URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   Literal("Västsverige", lang="sv"))

COMUNICA_PACKAGE = "@comunica/query-sparql@4"  # 5.x needs Node 22; 4.x runs on Node 18+
COMUNICA_DIR = Path(os.environ.get("ESFGRAPH_TEST_CACHE",
                                   Path.home() / ".cache" / "esfgraph-tests")) / "comunica"
COMUNICA_BIN = COMUNICA_DIR / "node_modules" / ".bin" / "comunica-sparql"


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix."""

    client: str
    form: str
    fmt: str
    method: str = "GET"

    @property
    def id(self) -> str:
        return f"{self.client}-{self.form}-{self.fmt}-{self.method}"


def _cells() -> list[Cell]:
    cells = []
    for method in ("GET", "POST", "POSTDIRECTLY"):
        for form in ("SELECT", "ASK"):
            cells += [Cell("SPARQLWrapper", form, f, method) for f in ("json", "xml", "csv", "tsv")]
        for form in ("CONSTRUCT", "DESCRIBE"):
            cells += [Cell("SPARQLWrapper", form, f, method)
                      for f in ("turtle", "n3", "xml", "rdf+xml", "json-ld", "json")]
    # rdflib reads CSV/TSV only as SELECT results and graphs have no CSV/TSV form (406)
    for method in ("GET", "POST", "POST_FORM"):
        cells += [Cell("rdflib SPARQLStore", "SELECT", f, method)
                  for f in ("xml", "json", "csv", "tsv")]
        for form in ("ASK", "CONSTRUCT", "DESCRIBE"):
            cells += [Cell("rdflib SPARQLStore", form, f, method) for f in ("xml", "json")]
        for form in ("CONSTRUCT", "DESCRIBE"):
            cells += [Cell("rdflib SPARQLStore", form, f, method)
                      for f in ("turtle", "nt", "json-ld")]
    # the format Comunica writes after reading our answers; its 4.5 SPARQL XML writer crashes
    # on language-tagged literals and booleans, whatever the source, so it is left out
    cells += [Cell("Comunica", "SELECT", f) for f in (
        "application/sparql-results+json", "text/csv", "text/tab-separated-values")]
    cells += [Cell("Comunica", "ASK", f) for f in ("application/sparql-results+json", "simple")]
    for form in ("CONSTRUCT", "DESCRIBE"):
        cells += [Cell("Comunica", form, f) for f in ("text/turtle", "application/n-triples",
                                                      "application/ld+json")]
    results = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values")
    graphs = ("text/turtle", "application/n-triples", "application/ld+json",
              "application/rdf+xml")
    for method in ("GET", "POST", "POSTDIRECTLY"):
        for form in ("SELECT", "ASK"):
            cells += [Cell("curl", form, f, method) for f in results]
        for form in ("CONSTRUCT", "DESCRIBE"):
            cells += [Cell("curl", form, f, method) for f in graphs]
    cells.append(Cell("spreadsheet CSV import", "SELECT", "text/csv"))
    cells.append(Cell("spreadsheet CSV import", "SELECT", "format=csv"))
    return cells


CELLS = _cells()


#: (method, path, status) of every request any client sent through the recording proxy.
SEEN: list[tuple[str, str, int]] = []


class _Recorder(BaseHTTPRequestHandler):
    """A pass-through proxy on 127.0.0.1 that records the status of every client request, so
    requests a client makes on its own (not just the final answer) are checked too."""

    upstream = ""
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "content-length", "connection")}
        resp = httpx.request(self.command, self.upstream + self.path, headers=headers,
                             content=body, timeout=120)
        SEEN.append((self.command, self.path, resp.status_code))
        self.send_response(resp.status_code)
        for key, value in resp.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                   "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(resp.content)))
        self.end_headers()
        self.wfile.write(resp.content)

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):
    store = make_store(tmp_path_factory.mktemp("matrix") / "store")
    with running_server(store, "--timeout", "20", "--workers", "3") as srv:
        handler = type("Recorder", (_Recorder,), {"upstream": srv.url})
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{proxy.server_address[1]}/sparql"
        finally:
            proxy.shutdown()
            proxy.server_close()


# ----------------------------------------------------------------------------- checking


def rows_of(data: bytes, fmt: str) -> list[tuple[str, ...]] | bool:
    """SELECT rows (as strings) or the ASK boolean of a results document."""
    if fmt in ("csv", "tsv") and data.strip() in (b"true", b"false"):
        return data.strip() == b"true"
    result = Result.parse(io.BytesIO(data), format=fmt)
    if result.type == "ASK":
        return bool(result.askAnswer)
    return [tuple(str(row[v]) for v in result.vars) for row in result]


def check(form: str, answer: Any) -> None:
    """The answer holds what the query asks for."""
    if form == "SELECT":
        assert answer == EXPECTED_ROWS
    elif form == "ASK":
        assert answer is True
    else:
        assert isinstance(answer, Graph)
        assert EXPECTED_TRIPLE in answer, answer.serialize(format="nt")[:500]


GRAPH_PARSE = {"text/turtle": "turtle", "application/n-triples": "nt",
               "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
RESULTS_PARSE = {"application/sparql-results+json": "json",
                 "application/sparql-results+xml": "xml", "text/csv": "csv",
                 "text/tab-separated-values": "tsv"}


def graph_of(data: bytes, media: str) -> Graph:
    return Graph().parse(data=data, format=GRAPH_PARSE[media])


# ----------------------------------------------------------------------------- the clients


def run_sparqlwrapper(url: str, cell: Cell) -> Any:
    client = SPARQLWrapper(url)
    client.setQuery(QUERIES[cell.form])
    client.setReturnFormat(cell.fmt)
    if cell.method == "POST":
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
    elif cell.method == "POSTDIRECTLY":
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = client.query()
        media = result.info()["content-type"].split(";")[0]
        converted = result.convert()
    mismatch = [str(w.message) for w in caught if "was returned" in str(w.message)
                or "unknown response content type" in str(w.message)]
    assert not mismatch, mismatch  # SPARQLWrapper got a type it did not ask for
    if isinstance(converted, Graph):
        return converted
    if isinstance(converted, dict):
        return rows_of(json.dumps(converted).encode(), "json")
    if hasattr(converted, "toxml"):
        return rows_of(converted.toxml("utf-8"), "xml")
    if media in GRAPH_PARSE:
        return graph_of(converted, media)
    return rows_of(converted, RESULTS_PARSE[media])


def run_sparqlstore(url: str, cell: Cell) -> Any:
    store = SPARQLStore(url, returnFormat=cell.fmt, method=cell.method)
    result = Graph(store=store).query(QUERIES[cell.form])
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph
    return [tuple(str(row[v]) for v in result.vars) for row in result]


@lru_cache(maxsize=1)
def comunica() -> tuple[Path | None, str]:
    """The comunica-sparql executable (installed with npm when missing), or why there is none."""
    if COMUNICA_BIN.exists():
        return COMUNICA_BIN, ""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None, "node and npm are not installed"
    COMUNICA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent",
                               "--prefix", str(COMUNICA_DIR), COMUNICA_PACKAGE],
                              capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"npm install {COMUNICA_PACKAGE} failed: {exc}"
    if done.returncode != 0 or not COMUNICA_BIN.exists():
        return None, f"npm install {COMUNICA_PACKAGE} failed: {done.stderr.strip()[-300:]}"
    return COMUNICA_BIN, ""


def run_comunica(url: str, cell: Cell) -> Any:
    binary, reason = comunica()
    if binary is None:
        pytest.skip(f"Comunica is not available: {reason}")
    done = subprocess.run([str(binary), f"sparql@{url}", "-q", QUERIES[cell.form],
                           "-t", cell.fmt], capture_output=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    if cell.fmt == "simple":
        return done.stdout.strip() == b"true" if done.stdout.strip() != b"false" else False
    if cell.fmt == "text/tab-separated-values":  # Comunica's header has no `?`
        lines = done.stdout.decode().splitlines()
        return [tuple(_tsv_value(v) for v in line.split("\t")) for line in lines[1:]]
    if cell.fmt in RESULTS_PARSE:
        return rows_of(done.stdout, RESULTS_PARSE[cell.fmt])
    return graph_of(done.stdout, cell.fmt)


def _tsv_value(text: str) -> str:
    """The lexical form of a TSV term (`"x"@sv`, `"1"^^<...>`, `<iri>` or a bare number)."""
    if text.startswith('"'):
        return text[1:text.rindex('"')]
    return text.strip("<>")


def run_curl(url: str, cell: Cell) -> Any:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    query = QUERIES[cell.form]
    args = ["curl", "-sS", "--fail-with-body", "--max-time", "60", "-H", f"Accept: {cell.fmt}",
            "-w", "\n%{content_type}"]
    if cell.method == "GET":
        args += ["--get", "--data-urlencode", f"query={query}"]
    elif cell.method == "POST":
        args += ["--data-urlencode", f"query={query}"]
    else:
        args += ["-H", "Content-Type: application/sparql-query", "--data-binary", query]
    done = subprocess.run([*args, url], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")[-1000:]
    body, _, media = done.stdout.rpartition(b"\n")
    media_type = media.decode().split(";")[0]
    assert media_type == cell.fmt
    if media_type in GRAPH_PARSE:
        return graph_of(body, media_type)
    return rows_of(body, RESULTS_PARSE[media_type])


def run_spreadsheet(url: str, cell: Cell) -> Any:
    """What LibreOffice/Excel "link to external data" does: GET a CSV file by URL."""
    params = {"query": SELECT}
    headers = {"Accept": "text/csv"}
    if cell.fmt == "format=csv":  # a link that names the format itself, any Accept
        params["format"] = "csv"
        headers = {"Accept": "*/*"}
    resp = httpx.get(url + "?" + urlencode(params), headers=headers, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8"))))
    assert rows[0] == ["label", "grant"]
    return [tuple(r) for r in rows[1:]]


RUNNERS = {"SPARQLWrapper": run_sparqlwrapper, "rdflib SPARQLStore": run_sparqlstore,
           "Comunica": run_comunica, "curl": run_curl,
           "spreadsheet CSV import": run_spreadsheet}


@pytest.mark.parametrize("cell", CELLS, ids=[c.id for c in CELLS])
def test_client_matrix_cell(endpoint: str, cell: Cell) -> None:
    check(cell.form, RUNNERS[cell.client](endpoint, cell))


def test_no_client_request_got_an_error(endpoint: str) -> None:
    """Runs after the cells (file order): every request of every client got a 2xx or 3xx."""
    assert len(SEEN) >= len([c for c in CELLS if c.client != "Comunica"])
    errors = [seen for seen in SEEN if seen[2] >= 400]
    assert not errors, errors


def test_matrix_covers_every_client_and_form() -> None:
    for client in ("SPARQLWrapper", "rdflib SPARQLStore", "Comunica", "curl"):
        assert {c.form for c in CELLS if c.client == client} == set(QUERIES)


# ------------------------------------------------------- real traffic (issue 23: HTTP done properly)

DASHBOARD = [
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    ("PREFIX esf: <https://w3id.org/esfgraph/ontology#> "
     "SELECT (SUM(?x) AS ?total) WHERE { ?p esf:esfGrantSEK ?x }"),
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s a ?o } GROUP BY ?o ORDER BY DESC(?n)",
    "SELECT (MAX(STRLEN(STR(?o))) AS ?longest) WHERE { ?s ?p ?o }",
    "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?s ?p ?o BIND(LANG(?o) AS ?lang) } GROUP BY ?lang",
]


def test_a_dashboard_of_parallel_aggregates_from_one_client_all_pass(endpoint: str) -> None:
    """Eight small GROUP BY queries at once from one address (a dashboard, a thread pool):
    each takes milliseconds, so the per-client line lets them all through in turn."""
    answers: dict[int, httpx.Response] = {}

    def ask(n: int) -> None:
        answers[n] = httpx.get(endpoint, params={"query": DASHBOARD[n]}, timeout=60,
                               headers={"Accept": "application/sparql-results+json"})

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(DASHBOARD))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    statuses = {n: answers[n].status_code for n in answers}
    assert statuses == dict.fromkeys(range(len(DASHBOARD)), 200), statuses
    assert all(answers[n].json()["results"]["bindings"] for n in answers)


def test_a_revalidating_client_gets_304_with_the_same_etag(endpoint: str) -> None:
    """A caching client (a browser, a proxy, requests-cache) revalidates with If-None-Match and
    If-Modified-Since and gets an empty 304 instead of the answer again."""
    headers = {"Accept": "text/csv"}
    first = httpx.get(endpoint, params={"query": SELECT}, headers=headers, timeout=60)
    assert first.status_code == 200 and "Våga Välja Väg" in first.text
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified},
                      {"If-None-Match": f'"other", {etag}'}):
        again = httpx.get(endpoint, params={"query": SELECT}, timeout=60,
                          headers={**headers, **condition})
        assert again.status_code == 304 and again.content == b"", condition
        assert again.headers["etag"] == etag
