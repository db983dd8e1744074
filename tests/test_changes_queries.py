"""The ready-made change queries on a store whose log holds known changes."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from esfgraph.pipeline import build
from esfgraph.queries import get_query, list_queries
from esfgraph.query import run_named
from esfgraph.store import Store
from tests.test_changes import _sub

P = "https://w3id.org/esfgraph/id/project/"


@pytest.fixture(scope="module")
def store(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("changeq")
    pages = root / "pages"
    shutil.copytree(seeds_dir, pages)
    (pages / "003_58e54e8db85e930c.txt").rename(root / "003_58e54e8db85e930c.txt")
    build([pages], store_path=root / "store", validate=False)
    _sub(pages, "001_2d5da21fc0f8f90a.txt", "Beviljat ESF-stöd556\xa0922 kr",
         "Beviljat ESF-stöd600\xa0000 kr")
    _sub(pages, "000_d2ed1ed5029aa51d.txt", "Beviljat ESF-stöd450\xa0000 kr",
         "Beviljat ESF-stöd400\xa0000 kr")
    shutil.copy(root / "003_58e54e8db85e930c.txt", pages)  # a new project arrives
    build([pages], store_path=root / "store", validate=False)
    return Store(root / "store")


def rows(store: Store, name: str, **params: str) -> list[dict[str, str]]:
    out = run_named(store, get_query(name), params, fmt="csv", use_cache=False)
    return list(csv.DictReader(io.StringIO(out.data.decode("utf-8"))))


def test_the_queries_are_in_the_library():
    names = {q.name for q in list_queries()}
    assert {"grant-changes-since", "projects-granted-in-period"} <= names


def test_grant_changes_since(store):
    got = sorted((r["project"], r["oldGrantSEK"], r["newGrantSEK"], r["differenceSEK"])
                 for r in rows(store, "grant-changes-since", since="2000-01-01"))
    assert got == [(P + "mojligheter-del-2-genomforande-2009-08-15", "556922", "600000",
                    "43078"),
                   (P + "ung-och-aktiv-genomforande-2014-02-17", "450000", "400000", "-50000")]
    assert rows(store, "grant-changes-since", since="2999-01-01") == []


def test_projects_granted_in_period(store):
    got = rows(store, "projects-granted-in-period", **{"from": "2000-01-01",
                                                       "to": "2999-12-31"})
    assert [(r["project"], r["title"], r["esfGrantSEK"]) for r in got] == [
        (P + "2018-00460", "Motivera och Aktivera MOA", "11159401")]
    assert rows(store, "projects-granted-in-period", **{"from": "2000-01-01",
                                                       "to": "2001-01-01"}) == []
