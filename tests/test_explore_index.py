"""The explorer index: built by `esfgraph build` inside the store version (atomic with it),
updated incrementally by build and remove, rebuilt when missing, and free of personal data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import esfgraph.explore.index as explore_index
from esfgraph.config import Config
from esfgraph.errors import StoreError
from esfgraph.explore.index import INDEX_FILE, body_text, ensure_index, scrub
from esfgraph.explore.search import SearchParams, open_index
from esfgraph.pipeline import build, remove_sources
from esfgraph.store import Store, current_version
from tests.explore_store import PAGES, SEEDS, build_explore_store, version_of


def rows(version: Path) -> list[tuple]:
    db = sqlite3.connect(version / INDEX_FILE)
    try:
        projects = db.execute("SELECT iri, title, period, phase, programme_area, grant, budget, "
                              "owner, owner_label, owner_type, region, abroad, owner_number, "
                              "countries FROM projects "
                              "ORDER BY iri").fetchall()
        facets = db.execute("SELECT p.iri, f.facet, f.value FROM facets f JOIN projects p "
                            "ON p.id = f.id ORDER BY 1, 2, 3").fetchall()
        docs = [(*row[:4], body_text(row[4])) for row in db.execute(
            "SELECT p.iri, d.title, d.actors, d.places, d.body FROM docs d "
            "JOIN projects p ON p.id = d.id ORDER BY 1")]
    finally:
        db.close()
    return [*projects, *facets, *docs]


def titles(store: Path, q: str = "") -> set[str]:
    index = open_index(version_of(store))
    assert index is not None
    return {i["title"] for i in index.search(SearchParams(q=q, per_page=500))["items"]}


@pytest.fixture()
def reports(monkeypatch: pytest.MonkeyPatch) -> list:
    """The IndexReport of every index update during the test."""
    seen: list = []
    original = explore_index.update_index

    def spy(*args, **kwargs):
        report = original(*args, **kwargs)
        seen.append(report)
        return report

    monkeypatch.setattr(explore_index, "update_index", spy)
    return seen


def test_build_writes_the_index_inside_the_new_version(tmp_path: Path):
    store = build_explore_store(tmp_path / "store")
    version = version_of(store)
    assert (version / INDEX_FILE).is_file()
    assert not list(version.glob(f".{INDEX_FILE}*"))  # no temporary file left
    assert len(titles(store)) == 15
    assert "Ungdomsjobb i Luleå" in titles(store, "ungdomar")


def test_the_index_exists_before_the_current_pointer_moves(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    from esfgraph.store import StoreWriter

    seen: list[bool] = []
    original = StoreWriter.commit

    def commit(self):
        seen.append((self.version / INDEX_FILE).is_file())
        return original(self)

    monkeypatch.setattr(StoreWriter, "commit", commit)
    build_explore_store(tmp_path / "store", SEEDS)
    assert seen == [True]


def test_a_failing_index_build_leaves_the_previous_version_and_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = build_explore_store(tmp_path / "store", SEEDS)
    before = version_of(store)
    before_rows = rows(before)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(explore_index, "update_index", broken)
    with pytest.raises((StoreError, OSError)):
        build([str(SEEDS), str(PAGES)], Config(), store_path=store, validate=False, jobs=1)
    assert version_of(store) == before
    assert rows(before) == before_rows
    assert sorted(p.name for p in store.glob("v-*")) == [before.name]


def test_an_update_adds_only_the_new_records(tmp_path: Path, reports: list):
    store = build_explore_store(tmp_path / "store", SEEDS)
    first = reports[-1]
    assert (first.added, first.removed, first.read_back) == (5, 0, 0)
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(PAGES / "p02_ungdomsjobb.txt", one)
    build([str(SEEDS), str(one)], Config(), store_path=store, validate=False, jobs=1)
    second = reports[-1]
    # the five seeds came from the previous index, untouched: one row made, none read back
    assert (second.added, second.removed, second.read_back) == (1, 0, 0)
    assert "Ungdomsjobb i Luleå" in titles(store, "ungdomsarbetslösheten")
    full = build_explore_store(tmp_path / "full", SEEDS, one)
    assert rows(version_of(store)) == rows(version_of(full))


def test_a_changed_page_replaces_its_row(tmp_path: Path):
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "p07.txt"
    shutil.copy(PAGES / "p07_grona_jobb.txt", page)
    store = build_explore_store(tmp_path / "store", pages)
    assert titles(store, "skogsbruk") == {"Gröna jobb på landsbygden"}
    page.write_text(page.read_text(encoding="utf-8").replace("skogsbruk", "fiske"),
                    encoding="utf-8")
    build([str(pages)], Config(), store_path=store, validate=False, jobs=1)
    assert titles(store, "skogsbruk") == set()
    assert titles(store, "fiske") == {"Gröna jobb på landsbygden"}
    assert len(titles(store)) == 1


def test_remove_takes_the_project_out_of_the_index(tmp_path: Path, reports: list):
    store = build_explore_store(tmp_path / "store")
    assert "Romsk inkludering i Göteborg" in titles(store, "romer")
    remove_sources(["p06_romsk_inkludering.txt"], Config(), store_path=store)
    assert reports[-1].removed == 1 and reports[-1].read_back == 0
    assert titles(store, "romer") == set()
    assert len(titles(store)) == 14
    index = open_index(version_of(store))
    values = {v["value"] for v in index.search(SearchParams())["facets"]["region"]}
    assert "SE23" in values  # other Västsverige projects (seeds) remain
    counts = {v["value"]: v["count"] for v in index.search(SearchParams())["facets"]["region"]}
    assert counts["SE23"] == 2


def test_a_missing_index_is_rebuilt_from_the_store(tmp_path: Path, capsys):
    store = build_explore_store(tmp_path / "store")
    version = version_of(store)
    expected = rows(version)
    (version / INDEX_FILE).unlink()
    assert open_index(version) is None
    assert ensure_index(version) == version / INDEX_FILE
    assert "building the explorer index" in capsys.readouterr().err
    # read back out of the store, the rows equal those the build made from the mapping
    assert rows(version) == expected
    assert open_index(version) is not None


def test_a_store_built_without_the_index_gets_one_on_first_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reports: list):
    monkeypatch.setenv("ESFGRAPH_EXPLORE_INDEX", "0")
    store = build_explore_store(tmp_path / "store", SEEDS)
    version = version_of(store)
    assert not (version / INDEX_FILE).exists()
    monkeypatch.delenv("ESFGRAPH_EXPLORE_INDEX")
    ensure_index(version, quiet=True)
    assert reports[-1].read_back == 5  # read out of the store
    assert len(titles(store)) == 5
    # the next build starts from it: nothing read back, nothing made
    build([str(SEEDS)], Config(), store_path=store, validate=False, jobs=1)
    assert current_version(store) != version
    assert (reports[-1].added, reports[-1].read_back) == (0, 0)
    assert len(titles(store)) == 5


def personal_values(store: Path) -> set[str]:
    """Every name, e-mail address and phone number in the personal graphs."""
    s = Store(store)
    found: set[str] = set()
    for row in s.query("""SELECT ?v WHERE { GRAPH ?g { ?p ?prop ?v }
            FILTER(STRSTARTS(STR(?g), "https://w3id.org/esfgraph/graph/personal/"))
            FILTER(isLiteral(?v)) }"""):
        found.add(row["v"].value)
    return found


def test_no_contact_person_data_in_the_index(tmp_path: Path):
    store = build_explore_store(tmp_path / "store")
    secrets = personal_values(store)
    assert {"Ylva Lindström", "ylva.lindstrom@pitea.se", "Amira Haddad",
            "amira.haddad@malmo.se"} <= secrets
    db = sqlite3.connect(version_of(store) / INDEX_FILE)
    text = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                               "name NOT LIKE 'fts_%'"):
        for row in db.execute(f"SELECT * FROM {table}"):
            text += [body_text(v) if isinstance(v, bytes) else str(v) for v in row]
    terms = {t for (t,) in db.execute("SELECT term FROM fts_vocab")}
    db.close()
    blob = "\n".join(text).casefold()
    for secret in secrets:
        assert secret.casefold() not in blob, secret
    for word in ("ylva", "lindström", "amira", "haddad"):
        assert word not in terms
    assert titles(store, "Lindström") == set() and titles(store, "ylva") == set()


def test_scrub_removes_mail_phone_and_names():
    text = ("Kontakta Anna Berg på anna.berg@kommun.se eller 070-123 45 67, "
            "+46 8 555 123 45. Projektet startade 2019 med 120 deltagare.")
    out = scrub(text, {"Anna Berg"})
    assert "anna" not in out.lower() and "070" not in out and "555" not in out
    assert "2019" in out and "120 deltagare" in out
