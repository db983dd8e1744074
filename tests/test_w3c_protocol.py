"""The W3C SPARQL 1.1 Protocol test cases, run against a real `esfgraph serve` on 127.0.0.1.

tests/w3c/sparql11-protocol/ holds the W3C manifest and data unchanged (with its licence). The
runner reads the manifest with rdflib: each test's requests (method, path, headers, body) and
expected responses (status class, format, boolean). Each test's `ut:graphData` is loaded into a
temporary store (one per distinct data set); update tests run against a server started with
`--enable-update` (and a token, sent as the Bearer header), after which the follow-up queries
check what the update did.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from tests.serve_fixtures.server import running_server

SUITE = Path(__file__).parent / "w3c" / "sparql11-protocol"
MANIFEST_IRI = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-protocol-test-token"

#: Cases we do not pass, with the reason (each must really fail: xfail is strict).
EXPECTED_FAILURES: dict[str, str] = {}


@dataclass
class Exchange:
    """One HTTP request of a test and what its response must look like."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    format: str | None
    boolean: bool | None


@dataclass
class Case:
    """One mf:ProtocolTest."""

    name: str
    title: str
    data: tuple[tuple[str, str], ...]  # (file name, graph IRI)
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def updates(self) -> bool:
        """Whether the case needs a server that accepts SPARQL Update."""
        return "update" in self.name


def _body(graph: Graph, request: URIRef, headers: dict[str, str]) -> bytes | None:
    body = graph.value(request, HT.body)
    if body is None:
        return None
    chars = str(graph.value(body, CNT.chars))
    content_type = headers.get("content-type", "").lower()
    # the non-UTF-8 cases say so only in the header: send what the header claims
    encoding = "utf-16" if "charset=utf-16" in content_type else "utf-8"
    return chars.encode(encoding)


def load_cases() -> list[Case]:
    """Every test of the manifest, in manifest order."""
    graph = Graph().parse(SUITE / "manifest.ttl", format="turtle",
                          publicID=MANIFEST_IRI.rstrip("#").rsplit("/", 1)[0] + "/manifest.ttl")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        data = []
        for item in graph.objects(test, UT.graphData):
            file_name = str(graph.value(item, UT.graph)).rsplit("/", 1)[-1]
            data.append((file_name, str(graph.value(item, RDFS.label))))
        case = Case(str(test).rsplit("#", 1)[-1], str(graph.value(test, MF.name)),
                    tuple(sorted(data)))
        action = graph.value(test, MF.action)
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = \
                        str(graph.value(header, HT.fieldValue))
            resp = graph.value(request, HT.resp)
            statuses = {str(s).rsplit("#", 1)[-1].replace("StatusCode", "")
                        for s in graph.objects(resp, MF.expectedStatus)}
            fmt = graph.value(resp, MF.expectedFormat)
            boolean = graph.value(resp, MF.expectedBoolean)
            case.exchanges.append(Exchange(
                str(graph.value(request, HT.methodName)),
                str(graph.value(request, HT.absolutePath)), headers,
                _body(graph, request, headers), statuses,
                str(fmt) if fmt is not None else None,
                boolean.toPython() if boolean is not None else None))
        cases.append(case)
    return cases


CASES = load_cases()


def make_data_store(path: Path, data: tuple[tuple[str, str], ...]) -> Path:
    """A store with each data file in the named graph its test gives it."""
    path.mkdir(parents=True)
    store = ox.Store(str(path))
    for file_name, graph in data:
        store.load(path=str(SUITE / file_name), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(graph))
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """A factory: the server for (data set, updates?), started on first use, stopped at the end."""
    started: dict[tuple[object, ...], str] = {}
    with ExitStack() as stack:
        def get(data: tuple[tuple[str, str], ...], updates: bool) -> str:
            key = (data, updates)
            if key not in started:
                store = make_data_store(tmp_path_factory.mktemp("w3c") / "store", data)
                args = ["--timeout", "20", "--workers", "2"]
                if updates:
                    args += ["--enable-update", "--update-token", TOKEN]
                started[key] = stack.enter_context(running_server(store, *args)).url
            return started[key]

        yield get


def boolean_of(resp: httpx.Response) -> bool:
    """The boolean of an ASK answer in SPARQL JSON or XML results."""
    media = resp.headers.get("content-type", "").split(";")[0].strip()
    if media in ("application/sparql-results+json", "application/json"):
        return json.loads(resp.content)["boolean"]
    if media in ("application/sparql-results+xml", "application/xml", "text/xml"):
        node = ET.fromstring(resp.content).find(
            "{http://www.w3.org/2005/sparql-results#}boolean")
        assert node is not None, resp.text
        return (node.text or "").strip() == "true"
    raise AssertionError(f"an ASK answer as {media!r}")


def check_format(resp: httpx.Response, expected: str) -> None:
    """The response is a well-formed document of the expected kind."""
    media = resp.headers.get("content-type", "").split(";")[0].strip()
    if expected == "boolean":
        boolean_of(resp)
    elif expected == "tabular":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml",
                         "text/csv", "text/tab-separated-values"), media
        if media.endswith("json"):
            assert "vars" in json.loads(resp.content)["head"]
        elif media.endswith("xml"):
            ET.fromstring(resp.content)
        else:
            list(csv.reader(io.StringIO(resp.text)))
    elif expected == "RDF":
        fmt = {"text/turtle": "turtle", "application/n-triples": "nt",
               "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media]
        Graph().parse(data=resp.content, format=fmt)
    else:
        raise AssertionError(f"unknown expected format {expected!r}")


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.name, marks=[pytest.mark.xfail(reason=EXPECTED_FAILURES[c.name],
                                                        strict=True)]
                 if c.name in EXPECTED_FAILURES else []) for c in CASES])
def test_w3c_protocol_case(case: Case, servers) -> None:
    url = servers(case.data, case.updates)
    for number, ex in enumerate(case.exchanges, 1):
        path = ex.path.replace("/sparql/", "/sparql", 1)
        headers = dict(ex.headers)
        if case.updates:
            headers["authorization"] = f"Bearer {TOKEN}"
        resp = httpx.request(ex.method, url + path, headers=headers, content=ex.body,
                             timeout=60)
        where = f"{case.name} request {number}: {ex.method} {path} -> {resp.status_code}"
        assert f"{resp.status_code // 100}xx" in ex.statuses, f"{where}\n{resp.text[:500]}"
        if ex.format:
            check_format(resp, ex.format)
        if ex.boolean is not None:
            assert boolean_of(resp) is ex.boolean, f"{where}: {resp.text[:300]}"


def test_every_manifest_case_is_run() -> None:
    assert len(CASES) == 34
    assert {c.name for c in CASES} >= set(EXPECTED_FAILURES)
    assert all(c.exchanges for c in CASES)
