"""The explorer's data endpoints over HTTP: /projects.json, /projects.csv, /map.json.

A real server (uvicorn on 127.0.0.1) in front of a store of the seeds and the hand-written
pages; bad input gets a 400 with the reason or an empty result, never a 500."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from esfgraph.explore.index import INDEX_FILE
from esfgraph.serve import ServeSettings, create_app
from tests.explore_store import build_explore_store, project, version_of
from tests.serve_fixtures.server import app_in_thread


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_explore_store(tmp_path_factory.mktemp("api") / "store")


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[httpx.Client]:
    with app_in_thread(create_app(ServeSettings(store=str(store), workers=1))) as c:
        yield c


def test_projects_json_answers_the_documented_keys(client):
    resp = client.get("/projects.json", params=[("q", "ungdomar"), ("lang", "en")])
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    data = resp.json()
    assert set(data) == {"total", "projectsWithGrant", "esfGrantSEK", "projectsWithBudget",
                         "totalBudgetSEK", "page", "perPage", "facets", "items", "sparql",
                         "didYouMean"}
    assert data["total"] >= 2 and project("2016-00127") in [i["iri"] for i in data["items"]]
    assert {"value", "label", "count", "selected"} == set(data["facets"]["period"][0])
    assert any(v["label"] == "Programming period 2014–2020" for v in data["facets"]["period"])
    assert "SELECT" in data["sparql"]


def test_facets_repeat_their_parameter(client):
    one = client.get("/projects.json", params=[("period", "2014-2020")]).json()
    two = client.get("/projects.json", params=[("period", "2014-2020"),
                                               ("period", "2021-2027")]).json()
    assert (one["total"], two["total"]) == (6, 11)


def test_language_follows_accept_language(client):
    data = client.get("/projects.json", headers={"accept-language": "en-GB,en;q=0.8"}).json()
    assert any(v["label"] == "Implementation" for v in data["facets"]["phase"])
    data = client.get("/projects.json", headers={"accept-language": "sv"}).json()
    assert any(v["label"] == "Genomförande" for v in data["facets"]["phase"])


def test_projects_csv_has_a_header_and_one_row_per_item(client):
    resp = client.get("/projects.csv", params={"region": "SE33", "sort": "grant"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8"))))
    data = client.get("/projects.json", params={"region": "SE33", "sort": "grant"}).json()
    assert [r["iri"] for r in rows] == [i["iri"] for i in data["items"]]
    assert rows[0]["title"] == "Motivera och Aktivera MOA" and rows[0]["esfGrantSEK"] == "11159401"
    assert "snippet" not in rows[0] and "regionLabel" in rows[0]


def test_map_json(client):
    data = client.get("/map.json", params={"level": "region", "metric": "projects"}).json()
    assert data["level"] == "region" and data["metric"] == "projects"
    assert data["values"]["SE33"] == {"label": "Övre Norrland", "projects": 3,
                                      "projectsWithGrant": 3,
                                      "esfGrantSEK": 11159401 + 4900000 + 2050000, "value": 3}
    filtered = client.get("/map.json", params={"level": "region", "metric": "grant",
                                               "period": "2007-2013"}).json()
    assert set(filtered["values"]) == {"SE12", "SE23"}
    assert filtered["max"] == 450000 + 556922  # SE23 (Ale, Ulricehamn) over SE12


@pytest.mark.parametrize("path,params", [
    ("/projects.json", {"page": "-1"}), ("/projects.json", {"page": "99999999"}),
    ("/projects.json", {"per_page": "100000"}), ("/projects.csv", {"per_page": "0"}),
    ("/projects.json", {"q": "x" * 10_240}), ("/projects.json", {"start_from": "abc"}),
    ("/projects.json", {"owner_type": "church"}), ("/projects.json", {"sort": "<b>"}),
    ("/map.json", {"level": "parish"}), ("/map.json", {"metric": "money"}),
    ("/map.json", {"page": "-3"}),
])
def test_bad_parameters_are_400_with_the_reason(client, path, params):
    resp = client.get(path, params=params)
    assert resp.status_code == 400
    message = resp.json()["error"]
    assert any(name in message for name in params)


@pytest.mark.parametrize("q", ['"', "*", "NEAR", "-", "(", 'a" OR "b', "NEAR(a b, 1)",
                               "<script>alert(1)</script>", "ungdomar)", "ungdom*"])
def test_fts_syntax_and_html_are_searched_as_words(client, q):
    resp = client.get("/projects.json", params={"q": q})
    assert resp.status_code == 200
    assert "<script>" not in resp.text
    resp = client.get("/projects.csv", params={"q": q})
    assert resp.status_code == 200


def test_unknown_facet_values_give_an_empty_result(client):
    resp = client.get("/projects.json", params={"municipality": "0000", "owner": "nobody"})
    assert resp.status_code == 200 and resp.json()["total"] == 0


def test_an_unreachable_remote_store_answers_503_with_a_message(store):
    """serve --endpoint builds the index from the remote (tests/test_explore_remote.py); while
    it builds, or when the remote cannot be read, 503 with Retry-After and the reason."""
    settings = ServeSettings(store=str(store), endpoint="http://127.0.0.1:9/sparql")
    with app_in_thread(create_app(settings)) as remote:
        for path in ("/projects.json", "/projects.csv", "/map.json"):
            resp = remote.get(path)
            assert resp.status_code == 503 and int(resp.headers["retry-after"]) > 0
            assert "remote SPARQL endpoint" in resp.json()["error"]
        deadline = time.monotonic() + 30
        while "being built" in resp.json()["error"] and time.monotonic() < deadline:
            time.sleep(0.1)
            resp = remote.get("/projects.json")
        assert resp.status_code == 503
        assert "failed" in resp.json()["error"] and "127.0.0.1:9" in resp.json()["error"]


def test_a_missing_index_is_built_when_the_server_starts(tmp_path: Path, capfd):
    store = build_explore_store(tmp_path / "store", Path("seeds"))
    (version_of(store) / INDEX_FILE).unlink()
    with app_in_thread(create_app(ServeSettings(store=str(store), workers=1))) as c:
        first = c.get("/projects.json")
        if first.status_code != 200:  # still building: a clear 503, retry later
            assert first.status_code == 503 and "being built" in first.json()["error"]
            assert first.headers["retry-after"]
        deadline = time.monotonic() + 60
        while True:
            resp = c.get("/projects.json")
            if resp.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert resp.status_code == 200 and resp.json()["total"] == 5
    assert "building the explorer index" in capfd.readouterr().err
    assert (version_of(store) / INDEX_FILE).is_file()
