"""The judged search set (tests/data/judged/search.yaml): precision and recall at 10.

Over the seeds, tests/explore_pages/ and tests/search_pages/ (pages written with traps: a
word that begins like another, "ungefär" for "unga", "Ungern", "programmering" beside
"program", "vårdnadshavare" beside "vård", words apart that a quoted phrase must not join).
Each query lists every project whose text holds a form a reader would accept, judged by hand
(not by the engine). bench/explore.py prints the same figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from esfgraph.explore.search import SearchParams, open_index, to_sparql
from tests.explore_store import PAGES, ROOT, SEEDS, build_explore_store, version_of
from tests.judged import Score, load

SEARCH_PAGES = ROOT / "tests" / "search_pages"
ITEMS = load("search.yaml")


def ident(item: dict) -> str:
    return item["caseNumber"] or item["title"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    store = build_explore_store(tmp_path_factory.mktemp("judged-search") / "store",
                                SEEDS, PAGES, SEARCH_PAGES)
    found = open_index(version_of(store))
    assert found is not None
    return found


def top10(index, q: str) -> list[str]:
    return [ident(i) for i in index.search(SearchParams(q=q, per_page=10))["items"]]


def test_the_judged_set_has_at_least_40_queries() -> None:
    assert len(ITEMS) >= 40
    assert len({i["q"] for i in ITEMS}) == len(ITEMS)


def test_precision_and_recall_at_10(index, capsys) -> None:
    score = Score()
    wrong = []
    for item in ITEMS:
        got = set(top10(index, item["q"]))
        expected = set(item["relevant"][:10])
        score.add(got, expected)
        if got != expected:
            wrong.append((item["q"], sorted(got - expected), sorted(expected - got)))
    with capsys.disabled():
        print(f"\njudged search: {len(ITEMS)} queries, precision@10 {score.precision:.3f}, "
              f"recall@10 {score.recall:.3f}")
    assert score.precision == 1.0 and score.recall == 1.0, wrong


@pytest.mark.parametrize("q,unwanted", [("unga", "Erfarenhetsutbyte med Ungern om vuxenutbildning"),
                                         ("unga", "Digitalt lärande för vuxna i Dalarna"),
                                         ("program", "Kodskola i Norrköping"),
                                         ("vård", "Familjecentral för vårdnadshavare"),
                                         ('"unga vuxna"', "Mentorer i Växjö")])
def test_a_word_does_not_find_longer_unrelated_words(index, q: str, unwanted: str) -> None:
    assert unwanted not in top10(index, q)


def test_inflected_forms_find_each_other(index) -> None:
    for a, b in (("introduktionsprogrammet", "introduktionsprogram"),
                 ("ungdomarna", "ungdomar"), ("mentorerna", "mentor"),
                 ("arbetsgivarna", "arbetsgivare")):
        assert top10(index, a) == top10(index, b) != []


def test_did_you_mean_when_nothing_matches(index) -> None:
    result = index.search(SearchParams(q="vårdnadshavre"))
    assert result["total"] == 0
    assert result["didYouMean"] == "vårdnadshavare"
    assert index.search(SearchParams(q="vårdnadshavare"))["didYouMean"] is None


def test_the_highlight_marks_the_forms_found(index) -> None:
    result = index.search(SearchParams(q="ungdomar", per_page=20))
    luleå = next(i for i in result["items"] if i["title"] == "Ungdomsjobb i Luleå")
    assert "<mark>" in luleå["snippet"]
    assert "<mark>ungefär" not in " ".join(i["snippet"] for i in result["items"]).lower()


@pytest.fixture(scope="module")
def judged_store(index):
    from esfgraph.store import Store

    return Store(version_of_index(index))


def version_of_index(index) -> Path:
    """The store folder of an open index (index file -> version folder -> store)."""
    return Path(index.path).parent.parent


def test_show_as_sparql_finds_the_same_projects_as_the_text_search(index, judged_store) -> None:
    """The SPARQL form of a text search by word forms (used above MAX_SPARQL_TEXT_IRIS hits)
    finds the same projects as the index, inflections and compounds too."""
    checked = 0
    for item in ITEMS:
        if '"' in item["q"]:
            continue  # a phrase's word order is not in the query (said in its docstring)
        params = SearchParams(q=item["q"], per_page=500)
        page = {i["iri"] for i in index.search(params)["items"]}
        query = to_sparql(params, index.base_iri, text_terms=index.text_terms(params.q))
        rows = judged_store.query(query)
        assert {r["project"].value for r in rows} == page, item["q"]
        checked += 1
    assert checked >= 40
