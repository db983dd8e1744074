"""Relevance of the Swedish search: inflected forms and compounds find the right projects.

Over the seeds plus the hand-written pages in tests/explore_pages/. Each query lists the
projects it must find in its first 10 results (recall at 10); the report line printed at the
end gives the overall figure (docs/guide/explore.md quotes it).
"""

from __future__ import annotations

import pytest

from esfgraph.explore.search import SearchParams, open_index
from tests.explore_store import build_explore_store, project, version_of

#: (query, projects it must find in the first 10, what it exercises)
QUERIES: list[tuple[str, tuple[str, ...], str]] = [
    ("nyanlända", ("2019-00311",), "plural adjective"),
    ("nyanländ kvinna", ("2019-00311",), "base forms of nyanlända kvinnor"),
    ("kvinnorna", ("2019-00311",), "definite plural of kvinna"),
    ("ungdomar", ("2016-00127", "ung-och-aktiv-genomforande-2014-02-17"), "plural"),
    ("ungdomen", ("2016-00127",), "definite singular"),
    ("unga", ("2016-00127", "2018-00460"), "adjective finds ungdom*"),
    ("ungdomsarbetslöshet", ("2016-00127",), "compound, definite form in the text"),
    # words combine with AND ("bland" is no stop word): only MOA has all three
    ("arbetslöshet bland unga", ("2018-00460",), "three words, inflected forms"),
    ("digitalisering", ("2023-00412",), "definite form in the text"),
    ("digitala kompetenser", ("2023-00412",), "plural of digital kompetens"),
    ("äldre arbetstagare", ("2023-00412",), "title words"),
    ("undersköterska", ("2022-00930",), "singular of undersköterskor"),
    ("vårdutbildningar", ("2022-00930",), "plural of a compound"),
    ("funktionsnedsättningar", ("2017-00245",), "plural"),
    ("funktionsnedsatta", ("2017-00245",), "adjective"),
    ("romsk", ("2022-00511",), "adjective base of romska"),
    ("romer", ("2022-00511",), "noun"),
    ("landsbygden", ("2015-00288",), "definite form"),
    ("skog", ("2015-00288",), "head of the compounds skogsbruk, skogsvård"),
    ("jordbruk", ("2015-00288",), "base form of jordbruket"),
    ("sociala företag", ("2023-00099",), "plural and definite forms"),
    ("kooperativet", ("2023-00099",), "definite of kooperativ"),
    ("långtidsarbetslösa", ("2018-00177",), "compound adjective"),
    ("föräldrarna", ("2018-00177",), "definite plural"),
    ("barnfattigdomen", ("2018-00177",), "definite form of a compound"),
    ("lastbilschaufför", ("2024-00045",), "singular of a compound"),
    ("chaufförer", ("2024-00045",), "tail of lastbilschaufförer, busschaufförer"),
    ("körkortet", ("2024-00045",), "definite form"),
    ("Luleå", ("2016-00127",), "place in title and owner"),
    ("Samhall", ("2017-00245",), "organisation named in the text"),
    ("VISIONCENTER", ("visioncenter-forprojektering-2008-09-01",), "upper case"),
    ("mjölby", ("visioncenter-forprojektering-2008-09-01",), "municipality of the owner"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    store = build_explore_store(tmp_path_factory.mktemp("relevance") / "store")
    found = open_index(version_of(store))
    assert found is not None
    return found


def top10(index, q: str) -> list[str]:
    result = index.search(SearchParams(q=q, per_page=10))
    return [item["iri"] for item in result["items"]]


def test_there_are_at_least_25_queries():
    assert len(QUERIES) >= 25


@pytest.mark.parametrize("q,expected,why", QUERIES, ids=[q for q, _, _ in QUERIES])
def test_query_finds_its_projects_in_the_first_10(index, q: str, expected: tuple[str, ...],
                                                  why: str):
    got = top10(index, q)
    missing = [slug for slug in expected if project(slug) not in got]
    assert not missing, f"{q!r} ({why}) did not find {missing} in {got}"


def test_recall_at_10_over_all_queries(index, capsys):
    wanted = found = 0
    for q, expected, _ in QUERIES:
        got = top10(index, q)
        wanted += len(expected)
        found += sum(project(slug) in got for slug in expected)
    recall = found / wanted
    with capsys.disabled():
        print(f"\nrelevance: {len(QUERIES)} queries, recall@10 = {found}/{wanted} = {recall:.2f}")
    assert recall == 1.0


def test_first_hit_is_the_expected_project_for_specific_queries(index):
    """For queries naming one page's topic, that page comes first (not just in the top 10)."""
    for q, expected, _ in QUERIES:
        if len(expected) == 1:
            got = top10(index, q)
            assert got and got[0] == project(expected[0]), (q, got[:3])
