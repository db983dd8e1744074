"""The explorer in front of a remote store (`serve --endpoint`): its search index is built from
the remote at start, and then answers as the same app over the local store does.

One real Oxigraph server (127.0.0.1, free port) holds the seeds store, pushed with esfgraph.push.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.explore import remote_index
from esfgraph.explore.index import index_path
from esfgraph.explore.remote_index import (
    BuildReport,
    RemoteIndexError,
    build_index,
    select_quads,
)
from esfgraph.explore.search import SearchIndex, SearchParams
from esfgraph.push import push
from esfgraph.remote import FORMATS, RemoteEndpoint
from esfgraph.serve import ServeSettings, create_app
from tests.explore_store import version_of
from tests.serve_fixtures.server import app_in_thread
from tests.test_push_oxigraph import build_seeds_store, gsp_endpoint, running_oxigraph

#: Searches and map views compared between the remote and the local app.
PATHS = ("/projects.json?q=ungdomar", "/projects.json", "/projects.json?q=ungdomar&lang=en",
         "/map.json", "/map.json?level=county&metric=projects", "/projects.csv?q=ungdomar&all=1",
         "/map.csv")


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by `esfgraph build` from seeds/ (with its explore index)."""
    return build_seeds_store(tmp_path_factory.mktemp("seeds") / "store")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, seeds_store: Path) -> Iterator[str]:
    """A real Oxigraph server holding the seeds; yields its base URL."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as base:
        report = push(seeds_store, gsp_endpoint(base))
        assert report.ok and report.sent, report.summary()
        yield base


@pytest.fixture(scope="module")
def remote_app(oxigraph: str) -> Iterator[httpx.Client]:
    """The app in endpoint mode in front of the Oxigraph server."""
    settings = ServeSettings(store="", endpoint=oxigraph + "/query", timeout=20)
    with app_in_thread(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def local_app(seeds_store: Path) -> Iterator[httpx.Client]:
    """The same app over the local seeds store."""
    with app_in_thread(create_app(ServeSettings(store=str(seeds_store), workers=1,
                                                timeout=20))) as client:
        yield client


def ready(client: httpx.Client, seconds: float = 60) -> httpx.Response:
    """/projects.json once it stops answering 503 (the index is being built), bounded."""
    deadline = time.monotonic() + seconds
    while True:
        resp = client.get("/projects.json")
        if resp.status_code != 503 or time.monotonic() > deadline:
            return resp
        assert "being built" in resp.json()["error"], resp.text
        assert int(resp.headers["retry-after"]) > 0
        time.sleep(0.2)


def test_search_and_map_over_the_remote_answer_as_over_the_local_store(remote_app, local_app):
    first = ready(remote_app)
    assert first.status_code == 200, first.text
    for path in PATHS:
        here, there = local_app.get(path), remote_app.get(path)
        assert here.status_code == there.status_code == 200, (path, there.text)
        if path.split("?")[0].endswith(".csv"):
            assert there.text == here.text, path
            continue
        assert there.json() == here.json(), path
    found = remote_app.get("/projects.json?q=ungdomar").json()
    assert found["total"] >= 1 and found["items"], "the comparison would prove nothing"
    assert remote_app.get("/map.json").json()["values"], "the comparison would prove nothing"


def test_the_search_page_over_the_remote_shows_results(remote_app, local_app):
    assert ready(remote_app).status_code == 200
    page = remote_app.get("/projects?q=ungdomar&lang=en", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "No search index" not in page.text
    hit = remote_app.get("/projects.json?q=ungdomar").json()["items"][0]
    assert hit["title"] in page.text or hit["iri"].rsplit("/", 1)[1] in page.text
    card = remote_app.get("/id/project/2018-00460?lang=en", headers={"accept": "text/html"})
    assert card.status_code == 200 and "Related projects need" not in card.text
    local = local_app.get("/id/project/2018-00460?lang=en", headers={"accept": "text/html"})
    assert related(card.text) == related(local.text) != ""


def related(page: str) -> str:
    """The related-projects section of a card page ("" when it has none)."""
    found = re.search(r'<section class="related">.*?</section>', page, flags=re.DOTALL)
    return found.group(0) if found and "data-iri" in found.group(0) else ""


# -- reading the remote in pages ------------------------------------------------------------------

class CuttingEndpoint(RemoteEndpoint):
    """The real server, but every answer cut at `cap` rows (as Virtuoso's ResultSetMaxRows
    does, silently); `extra` adds to the count of one graph (the remote changed meanwhile)."""

    def __init__(self, url: str, cap: int, extra: int = 0) -> None:
        super().__init__(url, timeout=20)
        self.cap, self.extra, self.selects = cap, extra, 0

    def query(self, sparql: str, accept: str = FORMATS["json"]) -> bytes:
        self.selects += 1
        data = super().query(sparql, accept)
        if accept != FORMATS["json"]:  # N-Triples of a CONSTRUCT: the first lines
            return b"".join(data.splitlines(keepends=True)[: self.cap])
        doc = json.loads(data)
        doc["results"]["bindings"] = doc["results"]["bindings"][: self.cap]
        return json.dumps(doc).encode()

    def graph_counts(self, graphs=None) -> dict[str, int]:
        counts = super().graph_counts(graphs)
        first = min(counts)
        counts[first] += self.extra
        return counts


def searches(index: SearchIndex) -> list[dict]:
    """A few answers of an index (a search with facets, everything, the county map)."""
    params = SearchParams.from_query([("q", "ungdomar")])
    return [index.search(params), index.search(SearchParams.from_query([])),
            index.map_aggregate("county", "projects", SearchParams.from_query([]))]


@pytest.mark.parametrize(("page", "cap"), [(500, 10_000), (10_000, 700), (500, 300)])
def test_pages_and_cut_answers_give_the_same_index(oxigraph, seeds_store, tmp_path, page, cap):
    """Graphs bigger than a page (read whole by CONSTRUCT), and a server that cuts answers
    short (then read in ordered pages), give the index of the local store."""
    endpoint = CuttingEndpoint(oxigraph + "/query", cap)
    report = build_index(endpoint, "https://w3id.org/esfgraph/", tmp_path, page=page)
    assert report.projects == 5
    assert report.quads == sum(RemoteEndpoint(oxigraph + "/query").graph_counts().values())
    assert endpoint.selects == report.requests > 3, "several pages were expected"
    there = SearchIndex(index_path(tmp_path / "version"))
    here = SearchIndex(index_path(version_of(seeds_store)))
    assert searches(there) == searches(here)
    found, _, counties = searches(here)
    assert found["total"] >= 1 and found["facets"] and counties, "it would prove nothing"


def test_a_count_that_does_not_add_up_fails_the_build(oxigraph, tmp_path):
    with pytest.raises(RemoteIndexError, match="counted .* but sent"):
        build_index(CuttingEndpoint(oxigraph + "/query", 10**9, extra=1),
                    "https://w3id.org/esfgraph/", tmp_path)
    assert not index_path(tmp_path / "version").exists()


def test_serve_starts_reading_the_remote_as_it_starts(oxigraph, monkeypatch):
    """`esfgraph serve --endpoint` starts the build before the first request (the fragment
    makes a URL of its own, so no other test's build counts)."""
    import esfgraph
    import esfgraph.serve

    served = []
    monkeypatch.setattr(esfgraph.serve, "run_server", lambda settings, **kw: served.append(settings))
    esfgraph.open(endpoint=oxigraph + "/query#serve").serve("127.0.0.1", 0, announce=None)
    (settings,) = served
    deadline = time.monotonic() + 60
    while remote_index.built_at(settings) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    index, error = remote_index.status(settings)
    assert error is None and index is not None
    assert index.search(SearchParams.from_query([]))["total"] == 5


# -- answers as other servers send them ------------------------------------------------------------

class Answer:
    """An endpoint that answers every query with `body`."""

    query_url = "http://remote.example/sparql"

    def __init__(self, body: bytes) -> None:
        self.body = body

    def query(self, sparql: str, accept: str = "") -> bytes:
        return self.body


def answer(*rows: dict) -> Answer:
    return Answer(json.dumps({"head": {"vars": ["g", "s", "p", "o"]},
                              "results": {"bindings": list(rows)}}).encode())


G = {"type": "uri", "value": "https://w3id.org/esfgraph/graph/record/x"}
S = {"type": "uri", "value": "https://w3id.org/esfgraph/id/project/x"}
P = {"type": "uri", "value": "http://www.w3.org/2004/02/skos/core#prefLabel"}


def test_virtuoso_blank_nodes_and_typed_literals_are_read():
    """Virtuoso labels blank nodes `nodeID://b1` (pyoxigraph's parser refuses those) and may
    say `typed-literal`; an RDF-star row is counted and left out."""
    virtuoso = answer(
        {"g": G, "s": {"type": "bnode", "value": "nodeID://b1"}, "p": P,
         "o": {"type": "typed-literal", "value": "12",
               "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
        {"g": G, "s": S, "p": P, "o": {"type": "literal", "value": "Ung", "xml:lang": "sv"}},
        {"g": G, "s": S, "p": P, "o": {"type": "triple", "value": {}}})
    report = BuildReport()
    rows, quads = select_quads(virtuoso, "SELECT …", report)
    assert rows == 3 and len(quads) == 2 and report.skipped == 1 and report.quads == 3
    assert quads[0].object.value == "12" and quads[1].object.language == "sv"
    with pytest.raises(RemoteIndexError, match="remote.example.*not SPARQL results JSON"):
        select_quads(Answer(b"<html>busy</html>"), "SELECT …", BuildReport())


CELLS = st.one_of(
    st.builds(lambda v: {"type": "uri", "value": v}, st.text()),
    st.builds(lambda v: {"type": "bnode", "value": v}, st.text()),
    st.builds(lambda v, lang: {"type": "literal", "value": v, "xml:lang": lang},
              st.text(), st.text(max_size=5)),
    st.builds(lambda v, dt: {"type": "typed-literal", "value": v, "datatype": dt},
              st.text(), st.text(max_size=10)),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"g": CELLS, "s": CELLS, "p": CELLS, "o": CELLS}),
                max_size=5))
def test_any_answer_gives_rows_and_quads_or_a_clear_error(rows):
    report = BuildReport()
    try:
        got, quads = select_quads(answer(*rows), "SELECT …", report)
    except RemoteIndexError:
        return
    assert got == len(rows) and len(quads) + report.skipped == got
