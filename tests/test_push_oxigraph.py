"""Push a store onto a real Oxigraph server (started here on 127.0.0.1) and query both."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner

from esfgraph.namespaces import PREFIXES
from esfgraph.push import graph_ntriples, push, resolve_store_dir, state_path
from esfgraph.queries import list_queries
from esfgraph.query import bind_params, inject_values
from esfgraph.remote import RemoteEndpoint, RemoteError, run_remote_query
from tests.serve_fixtures.server import free_port

REPO = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/esfgraph/"
G_REC = BASE + "graph/record/"
#: A small dataset laid out as in docs/DATA-MODEL.md: three record graphs, two personal graphs,
#: the reference graph, a slice of the vocabulary and the dataset graph (with a blank node).
FIXTURE_TRIG = r"""
@prefix esf: <https://w3id.org/esfgraph/ontology#> .
@prefix concept: <https://w3id.org/esfgraph/concept/> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/esfgraph/id/> .

<https://w3id.org/esfgraph/graph/record/2018-00460> {
  id:project\/2018-00460 a esf:Project, schema:Project ;
    dcterms:title "Vägen till arbete – Piteå"@sv ; rdfs:label "Vägen till arbete – Piteå"@sv ;
    esf:projectNumber "2018/00460" ;
    esf:programmingPeriod concept:period\/2014-2020 ;
    esf:phase concept:phase\/genomforande ;
    schema:startDate "2019-03-01"^^xsd:date ; schema:endDate "2022-03-04"^^xsd:date ;
    esf:plannedParticipants 120 ; esf:euCofinancingRate 0.5 ; esf:childPovertyTheme false ;
    esf:region id:region\/SE33 ; esf:municipality id:municipality\/2581 ;
    esf:esfGrantSEK 11159401 ; esf:totalBudgetSEK 23775692 ;
    esf:owner id:org\/pitea-kommun ; esf:partner id:org\/arbetsformedlingen ;
    schema:funding <https://w3id.org/esfgraph/id/project/2018-00460/grant> ;
    dcterms:abstract "Projektet ska \"stärka\" unga.\nRad två med åäö och tabb\t."@sv .
  <https://w3id.org/esfgraph/id/project/2018-00460/grant> a schema:MonetaryGrant ;
    schema:fundedItem id:project\/2018-00460 ; esf:amountSEK 11159401 .
  id:org\/pitea-kommun a org:Organization, schema:GovernmentOrganization ;
    skos:prefLabel "Piteå kommun"@sv ; rdfs:label "Piteå kommun"@sv ;
    esf:organisationNumber "2120002627" .
  id:org\/arbetsformedlingen a org:Organization ; skos:prefLabel "Arbetsförmedlingen"@sv .
}

<https://w3id.org/esfgraph/graph/record/2015-00123> {
  id:project\/2015-00123 a esf:Project, schema:Project ;
    dcterms:title "Ung och aktiv"@sv ; esf:projectNumber "2015/00123" ;
    esf:programmingPeriod concept:period\/2014-2020 ;
    esf:phase concept:phase\/avslutat ;
    schema:startDate "2015-09-01"^^xsd:date ;
    esf:plannedParticipants 45 ; esf:euCofinancingRate 0.475 ;
    esf:region id:region\/SE23 ; esf:municipality id:municipality\/1440, id:municipality\/1401 ;
    esf:esfGrantSEK 2500000.50 ; esf:totalBudgetSEK 5000000 ;
    esf:owner id:org\/ale-kommun ; esf:partner id:org\/arbetsformedlingen .
  id:org\/ale-kommun a org:Organization ; skos:prefLabel "Ale kommun"@sv .
  id:org\/arbetsformedlingen a org:Organization ; skos:prefLabel "Arbetsförmedlingen"@sv .
}

<https://w3id.org/esfgraph/graph/record/ung-och-aktiv-genomforande-2012-02-17> {
  id:project\/ung-och-aktiv-genomforande-2012-02-17 a esf:Project, schema:Project ;
    dcterms:title "Ung och aktiv (2007–2013)"@sv ;
    esf:programmingPeriod concept:period\/2007-2013 ;
    esf:phase concept:phase\/genomforande ;
    schema:startDate "2012-02-17"^^xsd:date ;
    esf:region id:region\/SE23 ; esf:municipality id:municipality\/1440 ;
    esf:esfGrantSEK 800000 ;
    esf:owner id:org\/ale-kommun .
  id:org\/ale-kommun a org:Organization ; skos:prefLabel "Ale kommun"@sv .
}

<https://w3id.org/esfgraph/graph/personal/2018-00460> {
  id:project\/2018-00460 esf:contactPerson id:person\/ylva-lindstrom-pitea-se .
  id:person\/ylva-lindstrom-pitea-se a foaf:Person, schema:Person ; foaf:name "Ylva Lindström" ;
    schema:email "ylva.lindstrom@pitea.se" ; foaf:mbox <mailto:ylva.lindstrom@pitea.se> .
}

<https://w3id.org/esfgraph/graph/personal/2015-00123> {
  id:project\/2015-00123 esf:contactPerson id:person\/per-persson .
  id:person\/per-persson a foaf:Person ; foaf:name "Per Persson" .
}

<https://w3id.org/esfgraph/graph/reference> {
  id:municipality\/2581 a esf:Municipality ; rdfs:label "Piteå kommun"@sv ; esf:scbCode "2581" ;
    esf:region id:region\/SE33 .
  id:municipality\/1440 a esf:Municipality ; rdfs:label "Ale kommun"@sv ; esf:scbCode "1440" ;
    esf:region id:region\/SE23 .
  id:municipality\/1401 a esf:Municipality ; rdfs:label "Härryda kommun"@sv ; esf:scbCode "1401" ;
    esf:region id:region\/SE23 .
  id:region\/SE33 a esf:Region ; rdfs:label "Övre Norrland"@sv ; esf:nuts2 "SE33" .
  id:region\/SE23 a esf:Region ; rdfs:label "Västsverige"@sv ; esf:nuts2 "SE23" .
}

<https://w3id.org/esfgraph/graph/vocabulary> {
  concept:phase\/genomforande a skos:Concept ; skos:prefLabel "Genomförande"@sv, "Implementation"@en .
  concept:phase\/avslutat a skos:Concept ; skos:prefLabel "Avslutat"@sv, "Closed"@en .
}

<https://w3id.org/esfgraph/graph/dataset> {
  <https://w3id.org/esfgraph/dataset> a dcat:Dataset, void:Dataset ;
    void:triples 120 ; dcterms:modified "2026-11-22T08:00:00Z"^^xsd:dateTime ;
    prov:wasGeneratedBy [ a prov:Activity ; rdfs:label "esfgraph 0.1.0" ] .
}
"""

#: Aggregate and join queries over the fixture, run besides the ready-made ones.
OWN_QUERIES = {
    "money-per-region": """
PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?region ?label (COUNT(?p) AS ?projects) (SUM(?grant) AS ?esf)
WHERE { ?p a esf:Project ; esf:region ?region ; esf:esfGrantSEK ?grant .
        ?region rdfs:label ?label }
GROUP BY ?region ?label ORDER BY DESC(?esf)""",
    "partners-shared": """
PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?org (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?p) AS ?n)
WHERE { ?p esf:owner|esf:partner ?org . ?org skos:prefLabel ?name }
GROUP BY ?org HAVING (COUNT(DISTINCT ?p) > 1) ORDER BY ?org""",
    "projects-by-municipality-and-date": """
PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?title ?start ?code ?rate ?child
WHERE { ?p a esf:Project ; dcterms:title ?title ; schema:startDate ?start ;
           esf:municipality ?m . ?m esf:scbCode ?code .
        OPTIONAL { ?p esf:euCofinancingRate ?rate } OPTIONAL { ?p esf:childPovertyTheme ?child }
        FILTER(?start >= "2012-01-01"^^xsd:date) }
ORDER BY ?start ?code""",
    "contacts": """
PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?p ?name WHERE { ?p esf:contactPerson ?c . ?c foaf:name ?name } ORDER BY ?name""",
    "graphs": """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/esfgraph/")) } GROUP BY ?g ORDER BY ?g""",
    "abstract-text": """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?p ?a WHERE { ?p dcterms:abstract ?a FILTER(CONTAINS(?a, "åäö")) }""",
    "dataset-activity": """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?d ?label WHERE { ?d prov:wasGeneratedBy ?act . ?act rdfs:label ?label }""",
}

NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def make_store(path: Path, trig: str = FIXTURE_TRIG) -> Path:
    """Write the fixture into an on-disk pyoxigraph store at `path`."""
    store = pyoxigraph.Store(str(path))
    store.load(trig.encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    store.flush()
    del store
    return path


def oxigraph_binary() -> str:
    """The `oxigraph` server binary shipped by the `oxigraph` package in this venv."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    return found


def wait_until_up(url: str, proc: subprocess.Popen[bytes] | None = None, seconds: float = 30) -> None:
    """Poll `url` until it answers (any HTTP status) or fail with the server's output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def term_key(term: dict[str, str] | None) -> tuple[Any, ...]:
    """A SPARQL-JSON term normalised for comparing servers: numbers by value, bnodes as one."""
    if term is None:
        return ("unbound",)
    kind = term["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", term["value"])
    datatype = term.get("datatype")
    if datatype in NUMERIC:
        try:
            return ("num", Decimal(term["value"]).normalize())
        except InvalidOperation:
            pass
    if datatype == XSD_STRING:
        datatype = None
    if datatype == XSD_BOOLEAN:  # "0"/"1" and "false"/"true" are the same values (Virtuoso: 0/1)
        return ("bool", term["value"] in ("true", "1"))
    lang = term.get("xml:lang")
    return ("lit", term["value"], datatype, lang.lower() if lang else None)


def rows_of(results_json: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Variables and normalised rows of a SPARQL results JSON document."""
    doc = json.loads(results_json)
    variables = doc["head"].get("vars", [])
    if "boolean" in doc:
        return variables, [("ask", doc["boolean"])]
    rows = [tuple(term_key(b.get(v)) for v in variables) for b in doc["results"]["bindings"]]
    return variables, rows


def local_rows(store_path: Path, sparql: str, params: dict[str, Any] | None = None
               ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a query on the embedded store as `esfgraph query` does (union default graph,
    predeclared prefixes, parameters as VALUES); rows normalised."""
    store = pyoxigraph.Store.read_only(str(resolve_store_dir(store_path)))
    results = store.query(inject_values(sparql, params or {}), use_default_graph_as_union=True,
                          prefixes=PREFIXES)
    data = results.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    return rows_of(data)


def remote_rows(endpoint: RemoteEndpoint, sparql: str, params: dict[str, Any] | None = None
                ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The same query on a server, through `run_remote_query`; rows normalised."""
    return rows_of(run_remote_query(endpoint, sparql, "json", params=params))


def ready_made_queries() -> dict[str, tuple[str, dict[str, Any]]]:
    """Every ready-made query with its parameters at their defaults."""
    list_queries.cache_clear()
    return {q.name: (q.sparql, bind_params({}, q.params)) for q in list_queries()}


def _sorted_concat(cell: tuple[Any, ...]) -> tuple[Any, ...]:
    """A literal cell with its ", "-separated parts sorted (GROUP_CONCAT has no defined order)."""
    if cell[0] == "lit" and ", " in cell[1]:
        return (cell[0], ", ".join(sorted(cell[1].split(", "))), *cell[2:])
    return cell


def assert_same_rows(local: tuple[list[str], list[Any]], remote: tuple[list[str], list[Any]],
                     name: str, sparql: str = "") -> None:
    """Same variables and the same multiset of rows (ties in ORDER BY may come in any order;
    the parts of a GROUP_CONCAT may too)."""
    assert local[0] == remote[0], f"{name}: variables differ"
    rows_here, rows_there = local[1], remote[1]
    if "GROUP_CONCAT" in sparql.upper():
        rows_here = [tuple(map(_sorted_concat, row)) for row in rows_here]
        rows_there = [tuple(map(_sorted_concat, row)) for row in rows_there]
    assert Counter(rows_here) == Counter(rows_there), (
        f"{name}: rows differ\nlocal:  {sorted(map(repr, rows_here))}\n"
        f"remote: {sorted(map(repr, rows_there))}")


# -- the Oxigraph server -----------------------------------------------------------------------

@contextmanager
def running_oxigraph(folder: Path) -> Iterator[str]:
    """An Oxigraph server on 127.0.0.1 with the union default graph, data and log in `folder`;
    yields its base URL and stops it after."""
    binary = oxigraph_binary()
    port = free_port()
    with open(folder / "oxigraph.log", "wb") as log:
        proc = subprocess.Popen([binary, "serve", "--location", str(folder / "oxi-data"),
                                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/query?query=ASK%7B%7D", proc)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture()
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server on 127.0.0.1 with the union default graph; yields its base URL."""
    with running_oxigraph(tmp_path) as base:
        yield base


def gsp_endpoint(base: str) -> RemoteEndpoint:
    """Oxigraph's query, update and Graph Store Protocol URLs."""
    return RemoteEndpoint(base + "/query", update_url=base + "/update",
                          graph_store_url=base + "/store", timeout=30)


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    """The fixture as an on-disk store."""
    return make_store(tmp_path / "store")


def local_graph_count(store_dir: Path) -> int:
    store = pyoxigraph.Store.read_only(str(store_dir))
    return sum(1 for _ in store.named_graphs())


def test_push_then_every_query_gives_the_same_rows(oxigraph_server: str, store_dir: Path) -> None:
    endpoint = gsp_endpoint(oxigraph_server)
    report = push(store_dir, endpoint)
    assert report.ok, report.summary()
    assert len(report.sent) == local_graph_count(store_dir) == 8
    assert report.verified == 8 and not report.skipped
    assert sorted(endpoint.list_graphs()) == sorted(report.sent)
    for name, sparql in OWN_QUERIES.items():
        local = local_rows(store_dir, sparql)
        assert local[1], f"{name}: no rows locally; the comparison would prove nothing"
        assert_same_rows(local, remote_rows(endpoint, sparql), name)
    for name, (sparql, params) in ready_made_queries().items():
        assert_same_rows(local_rows(store_dir, sparql, params),
                         remote_rows(endpoint, sparql, params), name, sparql)


def build_seeds_store(path: Path) -> Path:
    """`esfgraph build seeds/` into `path` (no validation, one process); returns `path`."""
    from esfgraph.cli import main

    result = CliRunner().invoke(main, ["build", str(REPO / "seeds"), "--store", str(path),
                                       "--no-validate", "-j", "1", "-q"])
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store built by `esfgraph build` from the sample pages in seeds/."""
    return build_seeds_store(tmp_path_factory.mktemp("seeds") / "store")


def test_built_store_ready_made_queries_same_rows(oxigraph_server: str, seeds_store: Path) -> None:
    endpoint = gsp_endpoint(oxigraph_server)
    report = push(seeds_store, endpoint)
    assert report.ok and report.sent, report.summary()
    with_rows = 0
    queries = ready_made_queries()
    assert queries, "no ready-made queries found"
    for name, (sparql, params) in queries.items():
        local = local_rows(seeds_store, sparql, params)
        with_rows += bool(local[1])
        assert_same_rows(local, remote_rows(endpoint, sparql, params), name, sparql)
    assert with_rows >= len(queries) // 2, "most ready-made queries should have rows on seeds/"
    table = run_remote_query(endpoint, queries["money-per-region"][0], "table")
    assert b"row" in table


def test_graph_content_is_identical_after_push(oxigraph_server: str, store_dir: Path) -> None:
    endpoint = gsp_endpoint(oxigraph_server)
    push(store_dir, endpoint)
    store = pyoxigraph.Store.read_only(str(store_dir))
    for graph in [G_REC + "2018-00460", BASE + "graph/reference"]:
        remote = run_remote_query(
            endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", "nt")
        ours = graph_ntriples(store, graph)
        assert sorted(remote.decode().splitlines()) == sorted(ours.decode().splitlines())


class FailingAfter(RemoteEndpoint):
    """An endpoint that dies after `k` graphs, like a push interrupted by a network failure."""

    def __init__(self, base: str, k: int) -> None:
        inner = gsp_endpoint(base)
        super().__init__(inner.query_url, update_url=inner.update_url,
                         graph_store_url=inner.graph_store_url)
        self.k = k
        self.put: list[str] = []

    def put_graph(self, graph_iri: str, ntriples: bytes, **kwargs: Any) -> None:
        if len(self.put) >= self.k:
            raise RemoteError(self.graph_store_url or "", "connection reset (simulated)")
        super().put_graph(graph_iri, ntriples, **kwargs)
        self.put.append(graph_iri)


def test_interrupted_push_resumes_with_only_the_rest(oxigraph_server: str, store_dir: Path) -> None:
    first = FailingAfter(oxigraph_server, k=3)
    with pytest.raises(RemoteError, match="simulated"):
        push(store_dir, first, save_every=1000)  # the state is still saved on the way out
    assert len(first.put) == 3
    assert state_path(store_dir, first).exists()

    second = FailingAfter(oxigraph_server, k=10**6)
    report = push(store_dir, second)
    assert sorted(second.put) == sorted(set(report.sent))
    assert set(report.skipped) == set(first.put)
    assert len(report.sent) == 8 - 3 and report.ok

    third = FailingAfter(oxigraph_server, k=10**6)
    report = push(store_dir, third)
    assert third.put == [] and len(report.skipped) == 8 and report.ok

    everything = FailingAfter(oxigraph_server, k=10**6)
    report = push(store_dir, everything, resume=False)
    assert len(everything.put) == 8


def test_changed_and_removed_graphs(oxigraph_server: str, tmp_path: Path) -> None:
    endpoint = gsp_endpoint(oxigraph_server)
    path = make_store(tmp_path / "store")
    push(path, endpoint)
    # rebuild: one record changed, one record gone
    store = pyoxigraph.Store(str(path))
    gone = pyoxigraph.NamedNode(G_REC + "2015-00123")
    store.remove_graph(gone)
    changed = pyoxigraph.NamedNode(G_REC + "2018-00460")
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(BASE + "id/project/2018-00460"),
                              pyoxigraph.NamedNode("https://w3id.org/esfgraph/ontology#caseNumber"),
                              pyoxigraph.Literal("2018-0046"), changed))
    store.flush()
    del store
    counting = FailingAfter(oxigraph_server, k=10**6)
    report = push(path, counting)
    assert counting.put == [G_REC + "2018-00460"]
    assert report.dropped == [G_REC + "2015-00123"]
    assert G_REC + "2015-00123" not in endpoint.list_graphs()
    assert report.ok
    case = endpoint.select("SELECT ?c WHERE { ?p <https://w3id.org/esfgraph/ontology#caseNumber> ?c }")
    assert [r["c"]["value"] for r in case.rows] == ["2018-0046"]


def test_push_over_sparql_update_only(oxigraph_server: str, store_dir: Path) -> None:
    """No Graph Store URL: the graphs go in as DROP + INSERT DATA, the same rows come out."""
    endpoint = RemoteEndpoint(oxigraph_server + "/query", update_url=oxigraph_server + "/update")
    report = push(store_dir, endpoint)
    assert report.ok and len(report.sent) == 8
    for name in ("money-per-region", "dataset-activity", "abstract-text"):
        sparql = OWN_QUERIES[name]
        assert_same_rows(local_rows(store_dir, sparql), remote_rows(endpoint, sparql), name)


def test_small_update_chunks_keep_blank_nodes_whole(oxigraph_server: str, store_dir: Path) -> None:
    endpoint = RemoteEndpoint(oxigraph_server + "/query", update_url=oxigraph_server + "/update")
    store = pyoxigraph.Store.read_only(str(store_dir))
    graph = BASE + "graph/dataset"
    data = graph_ntriples(store, graph)
    endpoint.put_graph(graph, data, chunk_bytes=80)
    counts = endpoint.graph_counts([graph])
    assert counts == {graph: data.count(b"\n")}
    activities = endpoint.select(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?d <http://www.w3.org/ns/prov#wasGeneratedBy> ?a"
        " . ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l . ?a a ?t }")
    assert activities.rows[0]["n"]["value"] == "1"


def test_push_selected_graphs_only(oxigraph_server: str, store_dir: Path) -> None:
    endpoint = gsp_endpoint(oxigraph_server)
    report = push(store_dir, endpoint, graphs=[BASE + "graph/reference"])
    assert report.sent == [BASE + "graph/reference"] and report.ok
    assert endpoint.list_graphs() == [BASE + "graph/reference"]


def test_cli_push_and_remote_error(oxigraph_server: str, store_dir: Path) -> None:
    from esfgraph.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["push", "--store", str(store_dir),
                                  "--endpoint", oxigraph_server + "/query",
                                  "--update", oxigraph_server + "/update",
                                  "--graph-store", oxigraph_server + "/store"])
    assert result.exit_code == 0, result.output
    assert "8 graph(s) sent" in result.output
    again = runner.invoke(main, ["push", "--store", str(store_dir),
                                 "--endpoint", oxigraph_server + "/query",
                                 "--update", oxigraph_server + "/update",
                                 "--graph-store", oxigraph_server + "/store"])
    assert again.exit_code == 0 and "8 unchanged" in again.output, again.output
    bad = runner.invoke(main, ["push", "--store", str(store_dir),
                               "--endpoint", oxigraph_server + "/query",
                               "--graph-store", oxigraph_server + "/no-such-store"])
    assert bad.exit_code == 2
    assert "/no-such-store" in bad.output and "Traceback" not in bad.output


def test_adopt_after_a_bulk_load(oxigraph_server: str, store_dir: Path) -> None:
    """Bulk-load the dump with the server's own loader, adopt it, then push only changes."""
    dump = pyoxigraph.Store.read_only(str(store_dir)).dump(format=pyoxigraph.RdfFormat.N_QUADS)
    request = urllib.request.Request(oxigraph_server + "/store", data=dump, method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    urllib.request.urlopen(request, timeout=30).close()
    endpoint = gsp_endpoint(oxigraph_server)
    # one graph is missing on the server: it must not be adopted
    endpoint.drop_graph(BASE + "graph/reference")
    adopted = push(store_dir, endpoint, adopt=True)
    assert not adopted.sent and len(adopted.adopted) == 7
    assert list(adopted.mismatches) == [BASE + "graph/reference"]
    then = FailingAfter(oxigraph_server, k=10**6)
    report = push(store_dir, then)
    assert then.put == [BASE + "graph/reference"] and report.ok and len(report.skipped) == 7
