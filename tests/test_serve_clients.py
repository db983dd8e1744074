"""Real SPARQL clients against a real `esfgraph serve`: SPARQLWrapper and curl."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
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
