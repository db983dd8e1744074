"""`esfgraph query`: formats parsed back by real parsers, errors, SERVICE, params, cache."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic
from rdflib.query import Result

from esfgraph.cli import main
from esfgraph.errors import QueryError
from esfgraph.pipeline import build
from esfgraph.queries import get_query
from esfgraph.query import (
    QuerySyntaxError,
    ServiceNotAllowedError,
    bind_params,
    inject_values,
    parse_params,
    run_query,
    uses_service,
)
from esfgraph.store import Store
from tests.conftest import SEEDS

SELECT = ("SELECT ?p ?grant WHERE { ?p a esf:Project ; esf:esfGrantSEK ?grant } "
          "ORDER BY ?grant")
CONSTRUCT = ("CONSTRUCT { ?p esf:esfGrantSEK ?g ; dcterms:title ?t } WHERE { "
             "?p esf:esfGrantSEK ?g ; dcterms:title ?t }")
GRANTS = [221114, 450000, 556922, 620800, 11159401]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("query") / "store"
    pages = path.parent / "pages"
    shutil.copytree(SEEDS, pages)
    build([pages], store_path=path, validate=False)
    return path


@pytest.fixture()
def store(store_path) -> Store:
    return Store(store_path)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_formats_parse_back_with_rdflib(store, fmt):
    out = run_query(store, SELECT, fmt=fmt, use_cache=False)
    result = Result.parse(io.BytesIO(out.data), format=fmt)
    grants = [int(str(row[1])) for row in result]
    assert grants == GRANTS
    if fmt in ("json", "xml", "tsv"):  # csv carries no datatypes
        assert all(row[1].datatype == rdflib.XSD.decimal for row in result)


def test_select_json_structure(store):
    data = json.loads(run_query(store, SELECT, fmt="json", use_cache=False).data)
    assert data["head"]["vars"] == ["p", "grant"]
    assert len(data["results"]["bindings"]) == 5


def test_table_is_readable(store):
    out = run_query(store, SELECT, fmt="table", use_cache=False)
    text = out.data.decode()
    lines = text.splitlines()
    assert lines[0].split("|")[0].strip() == "p" and lines[-1] == "(5 rows)"
    assert "11159401" in text and '"' not in text  # bare values, no N-Triples quoting
    assert out.rows == 5


def test_default_format_table_on_terminal_csv_when_piped(store):
    assert run_query(store, SELECT, tty=True, use_cache=False).fmt == "table"
    piped = run_query(store, SELECT, tty=False, use_cache=False)
    assert piped.fmt == "csv"
    rows = list(csv.reader(io.StringIO(piped.data.decode())))
    assert rows[0] == ["p", "grant"] and [int(r[1]) for r in rows[1:]] == GRANTS


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_ask_in_every_format(store, fmt):
    yes = run_query(store, 'ASK { ?p esf:esfGrantSEK "450000"^^xsd:decimal }', fmt=fmt,
                    use_cache=False).data
    no = run_query(store, "ASK { ?p esf:esfGrantSEK 1 }", fmt=fmt, use_cache=False).data
    if fmt in ("json", "xml"):
        assert Result.parse(io.BytesIO(yes), format=fmt).askAnswer is True
        assert Result.parse(io.BytesIO(no), format=fmt).askAnswer is False
    else:
        assert yes.strip() == b"true" and no.strip() == b"false"


def test_construct_formats_parse_back_isomorphic(store):
    graphs = {}
    for fmt, rdflib_fmt in [("turtle", "turtle"), ("nt", "nt"), ("xml", "xml"),
                            ("json-ld", "json-ld")]:
        out = run_query(store, CONSTRUCT, fmt=fmt, use_cache=False)
        assert out.form == "graph"
        graphs[fmt] = rdflib.Graph().parse(data=out.data, format=rdflib_fmt)
    assert len(graphs["turtle"]) == 10
    for g in graphs.values():
        assert isomorphic(g, graphs["turtle"])
    # and the independent parser agrees
    oxi = list(ox.parse(run_query(store, CONSTRUCT, fmt="turtle", use_cache=False).data,
                        ox.RdfFormat.TURTLE))
    assert len(oxi) == 10


def test_describe_defaults_to_turtle(store):
    out = run_query(store, "DESCRIBE <https://w3id.org/esfgraph/id/project/2018-00460>",
                    use_cache=False)
    g = rdflib.Graph().parse(data=out.data, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/esfgraph/id/project/2018-00460"),
            rdflib.URIRef("https://w3id.org/esfgraph/ontology#esfGrantSEK"),
            rdflib.Literal("11159401", datatype=rdflib.XSD.decimal)) in g


def test_wrong_format_for_form_is_an_error(store):
    with pytest.raises(QueryError, match="cannot be written as turtle"):
        run_query(store, SELECT, fmt="turtle", use_cache=False)
    with pytest.raises(QueryError, match="cannot be written as csv"):
        run_query(store, CONSTRUCT, fmt="csv", use_cache=False)


def test_syntax_error_has_line_and_column(store):
    with pytest.raises(QuerySyntaxError) as info:
        run_query(store, "SELECT ?s\nWHERE {\n  ?s ?p \n}", use_cache=False)
    # the mistake is on line 3 (`?s ?p` has no object), not at the `}` where the parser stops
    assert info.value.line == 3 and info.value.column == 8
    assert "line 3" in str(info.value) and "incomplete triple `?s ?p`" in str(info.value)


def test_cli_syntax_error_exits_2(store_path):
    result = CliRunner().invoke(main, ["query", "--store", str(store_path),
                                       "SELECT * WHERE { ?s ?p }"])
    assert result.exit_code == 2
    assert "line 1, column" in result.output


def test_service_detected_by_parsing():
    assert uses_service("SELECT * WHERE { SERVICE <http://127.0.0.1:1/s> { ?s ?p ?o } }")
    assert uses_service("PREFIX e: <http://x/> SELECT * { ?a ?b ?c OPTIONAL { "
                        "SERVICE SILENT <http://x/s> { ?a e:p ?o } } }")
    assert not uses_service('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE in a comment')
    assert not uses_service("SELECT * WHERE { ?s <http://x/SERVICE> ?o }")


def test_service_refused_without_allow_service(store, store_path):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceNotAllowedError, match="--allow-service"):
        run_query(store, q, use_cache=False)
    result = CliRunner().invoke(main, ["query", "--store", str(store_path), q])
    assert result.exit_code == 2 and "--allow-service" in result.output


class _Endpoint(BaseHTTPRequestHandler):
    """A tiny SPARQL endpoint on 127.0.0.1 playing Wikidata: labels of a few items."""

    data = ox.Store()
    data.load(b'<http://www.wikidata.org/entity/Q22> <http://www.w3.org/2000/01/rdf-schema#label>'
              b' "Scotland"@en .\n<http://www.wikidata.org/entity/Q34> '
              b'<http://www.w3.org/2000/01/rdf-schema#label> "Sweden"@en .\n'
              b'<http://www.wikidata.org/entity/Q382808> '  # Ulricehamn (esfgraph/data table)
              b'<http://www.w3.org/2000/01/rdf-schema#label> "Ulricehamn Municipality"@en .\n',
              ox.RdfFormat.N_TRIPLES)
    # Municipality items keyed by the SCB code (Wikidata's P525) with a population (P1082).
    # Test fixtures only: the item numbers and populations are made up, the codes are real.
    data.load("".join(
        f'<http://www.wikidata.org/entity/Q90000{i}> <http://www.wikidata.org/prop/direct/P525> "{code}" .\n'
        f'<http://www.wikidata.org/entity/Q90000{i}> <http://www.wikidata.org/prop/direct/P1082> '
        f'"{pop}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        for i, (code, pop) in enumerate([("1440", 111), ("1491", 222), ("0586", 333),
                                          ("0482", 444), ("0180", 555)])).encode(),
              ox.RdfFormat.N_TRIPLES)
    requests: list[str] = []

    def _answer(self, query: str) -> None:
        self.requests.append(query)
        body = self.data.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(parse_qs(urlparse(self.path).query)["query"][0])

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if "application/sparql-query" in self.headers.get("Content-Type", ""):
            self._answer(raw)
        else:
            self._answer(parse_qs(raw)["query"][0])

    def log_message(self, *args) -> None:
        pass

@pytest.fixture()
def wikidata_url() -> Iterator[str]:
    """URL of the Wikidata stand-in (`_Endpoint`) on 127.0.0.1, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_federated_query_with_allow_service(store_path, wikidata_url):
    url = wikidata_url
    q = ("SELECT ?place ?label WHERE { ?place skos:exactMatch ?wd . "
         f"SERVICE <{url}> {{ ?wd rdfs:label ?label }} }} ORDER BY ?label")
    result = CliRunner().invoke(main, ["query", "--store", str(store_path), "--allow-service",
                                       "--format", "json", "--no-cache", q])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    labels = {(r["place"]["value"].rsplit("/", 1)[1], r["label"]["value"]) for r in rows}
    assert labels == {("1491", "Ulricehamn Municipality"), ("SE", "Sweden")}
    assert _Endpoint.requests


def test_params_are_typed_and_checked():
    assert parse_params(["on_date=2012-06-30", "?x=a=b"]) == {"on_date": "2012-06-30", "x": "a=b"}
    with pytest.raises(QueryError):
        parse_params(["no-equals"])
    named = get_query("projects-active-on")
    bound = bind_params({}, named.params)
    assert bound["on_date"].datatype.value.endswith("#date")
    assert bound["on_date"].value == named.params[0].default
    with pytest.raises(QueryError, match="not a valid xsd:date"):
        bind_params({"on_date": "30/06/2012"}, named.params)
    with pytest.raises(QueryError, match="unknown parameter"):
        bind_params({"date": "2012-06-30"}, named.params)
    assert isinstance(bind_params({"x": "<http://x/y>"})["x"], ox.NamedNode)


def test_inject_values_ignores_braces_in_strings_and_iris():
    q = 'SELECT ?x WHERE { ?s <http://x/{a}> "WHERE {" . FILTER(?x = ?s) }'
    out = inject_values(q, {"x": ox.Literal("v")})
    assert out.startswith('SELECT ?x WHERE { VALUES ?x { "v"^^<')
    c = "CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?o }"
    assert "WHERE { VALUES ?v" in inject_values(c, {"v": ox.Literal("1")})


def test_ad_hoc_param_binds_inside_filters(store):
    q = "SELECT ?p WHERE { ?p esf:esfGrantSEK ?g FILTER(?g > ?min) }"
    out = run_query(store, q, params=bind_params({"min": "600000"}, ()), fmt="csv",
                    use_cache=False)
    # an undeclared parameter is a plain string: compared as a string it matches nothing
    assert out.data.decode().splitlines() == ["p"]
    typed = run_query(store, q, params={"min": ox.Literal("600000", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#decimal"))}, fmt="csv", use_cache=False)
    assert len(typed.data.decode().splitlines()) == 3


def test_repeated_query_answered_from_cache_until_next_build(store_path, tmp_path):
    store = Store(store_path)
    first = run_query(store, SELECT, fmt="json")
    second = run_query(store, SELECT, fmt="json")
    assert not first.cached and second.cached and first.data == second.data
    # another process (a new Store object) finds the disk cache of the same version
    from esfgraph import query as qmod

    qmod._CACHES.clear()
    assert run_query(Store(store_path), SELECT, fmt="json").cached
    # a build makes a new version: the cache no longer answers
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    (pages / "000_d2ed1ed5029aa51d.txt").unlink()
    build([pages], store_path=store_path, validate=False)
    fresh = Store(store_path)
    third = run_query(fresh, SELECT, fmt="json")
    assert not third.cached
    assert len(json.loads(third.data)["results"]["bindings"]) == 4
    build([SEEDS], store_path=store_path, validate=False)  # back to the module's content


def test_cli_list_and_named_query(store_path):
    runner = CliRunner()
    listing = runner.invoke(main, ["query", "--list"])
    assert listing.exit_code == 0
    for name in ("money-per-region", "projects-active-on", "transnational-contacts"):
        assert name in listing.output
    assert "--param on_date=<xsd:date>" in listing.output
    result = runner.invoke(main, ["query", "--store", str(store_path), "--name",
                                  "projects-active-on", "--param", "on_date=2009-09-01",
                                  "--format", "csv", "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["title"] for r in rows) == ["Möjligheter del 2", "Våga Välja Väg (VVV)"]
    both = runner.invoke(main, ["query", "--store", str(store_path), "--name", "x", "SELECT"])
    assert both.exit_code == 2
    missing = runner.invoke(main, ["query", "--store", str(store_path / "nope"), SELECT])
    assert missing.exit_code == 2 and "no store" in missing.output


def test_cli_query_from_file_and_construct_jsonld(store_path, tmp_path):
    qfile = tmp_path / "q.rq"
    qfile.write_text(CONSTRUCT, encoding="utf-8")
    result = CliRunner().invoke(main, ["query", "--store", str(store_path), "-f", str(qfile),
                                       "--format", "json-ld", "--no-cache"])
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(data=result.stdout, format="json-ld")
    assert len(g) == 10
    assert '"@context"' in result.stdout  # the package context, short keys


def test_cli_query_against_a_remote_endpoint(wikidata_url):
    url = wikidata_url
    result = CliRunner().invoke(main, ["query", "--endpoint", url, "--format", "csv",
                                       "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["l", "Scotland", "Sweden", "Ulricehamn Municipality"]
    refused = CliRunner().invoke(main, ["query", "--endpoint", url,
                                        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
    assert refused.exit_code == 2 and "--allow-service" in refused.output


def test_federated_join_of_municipalities_with_population_by_scb_code(store_path, wikidata_url):
    """The Wikidata pattern: join the graph's SCB codes with P525 and read P1082 (population)."""
    url = wikidata_url
    q = ("PREFIX wdt: <http://www.wikidata.org/prop/direct/> "
         "SELECT ?name ?population (SUM(?grant) AS ?esf) WHERE { "
         "?p esf:municipality ?m ; esf:esfGrantSEK ?grant . "
         "?m esf:scbCode ?code ; skos:prefLabel ?name . "
         f"SERVICE <{url}> {{ ?item wdt:P525 ?code ; wdt:P1082 ?population }} }} "
         "GROUP BY ?name ?population ORDER BY ?name")
    result = CliRunner().invoke(main, ["query", "--store", str(store_path), "--allow-service",
                                       "--format", "json", "--no-cache", q])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    got = {(r["name"]["value"], int(r["population"]["value"]), int(float(r["esf"]["value"])))
           for r in rows}
    # Seeds: Ale 450 000, Ulricehamn 556 922, Mjölby 221 114, Flen 620 800 (Stockholm: none).
    assert got == {("Ale", 111, 450000), ("Ulricehamn", 222, 556922),
                   ("Mjölby", 333, 221114), ("Flen", 444, 620800)}
