"""The explorer in front of a remote store (`serve --endpoint`): its search index is built from
the remote at start, and then answers as the same app over the local store does.

One real Oxigraph server (127.0.0.1, free port) holds the seeds store, pushed with esfgraph.push.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from esfgraph.explore import remote_index
from esfgraph.push import push
from esfgraph.serve import ServeSettings, create_app
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
    whole = remote_app.get("/map.json").json()
    assert whole == local_app.get("/map.json").json()


def test_the_search_page_over_the_remote_shows_results(remote_app):
    assert ready(remote_app).status_code == 200
    page = remote_app.get("/projects?q=ungdomar&lang=en", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "No search index" not in page.text
    hit = remote_app.get("/projects.json?q=ungdomar").json()["items"][0]
    assert hit["title"] in page.text or hit["iri"].rsplit("/", 1)[1] in page.text
