"""Organisation resolution against a judged set of 67 owner/partner strings (issue 14).

Each string is resolved as a page would have it (its own project, the owner and contact e-mail
given as evidence); nodes are compared by IRI. Merges are scored over pairs of mentions from
different strings: precision = merged pairs that should be one node / all merged pairs,
recall = merged pairs that should be one node / all pairs that should be one node.
"""

from __future__ import annotations

from itertools import combinations

import pytest

from esfgraph.config import Config
from esfgraph.iri import Iris
from esfgraph.link import Gazetteer
from esfgraph.record import Record
from tests.judged import Score, load

ITEMS = load("organisations.yaml")
BASE = Config().base_iri + "id/org/"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


def _record(i: int, item: dict) -> Record:
    return Record(source=f"judged-{i}.txt", layout="2014-2020", title=f"Projekt {i}",
                  start_date=None, owner=item.get("owner"), contact_email=item.get("email"))


def resolved(gaz: Gazetteer, i: int, item: dict) -> list[tuple[str, str | None]]:
    """(node key, parent key) of each body the string names, keys relative to id/org/."""
    record = _record(i, item)
    iris = Iris(Config().base_iri, term=str)
    out = []
    for ref in gaz.resolve_orgs(item["text"], record):
        key = iris.org(ref, record).removeprefix(BASE)
        parent = iris.org(ref.parent, record).removeprefix(BASE) if ref.parent else None
        out.append((key, parent))
    return out


def expected(i: int, item: dict) -> list[tuple[str, str | None]]:
    project = f"projekt-{i}-okand-fas-okant-datum"
    return [(n["key"].replace("PROJECT", project), n.get("parent")) for n in item["nodes"]]


def score(gaz: Gazetteer) -> tuple[Score, int, list[str]]:
    mentions_got, mentions_exp, wrong = [], [], []
    exact = 0
    for i, item in enumerate(ITEMS):
        got, exp = resolved(gaz, i, item), expected(i, item)
        if got == exp:
            exact += 1
        else:
            wrong.append(f"{item['text']!r}: got {got}, expected {exp}")
        for k in range(max(len(got), len(exp))):
            mentions_got.append((i, got[k][0] if k < len(got) else f"missing-{i}-{k}"))
            mentions_exp.append((i, exp[k][0] if k < len(exp) else f"extra-{i}-{k}"))
    merges = Score()
    for (a, b), (x, y) in zip(combinations(mentions_got, 2), combinations(mentions_exp, 2)):
        if a[0] == b[0]:
            continue  # two bodies of one string: not a merge question
        same_got, same_exp = a[1] == b[1], x[1] == y[1]
        if same_got and same_exp:
            merges.true_pos += 1
        elif same_got:
            merges.false_pos += 1
        elif same_exp:
            merges.false_neg += 1
    return merges, exact, wrong


def test_judged_set_is_big_enough() -> None:
    assert len(ITEMS) >= 60


def test_merge_precision_and_recall(gaz: Gazetteer, capsys) -> None:
    merges, exact, wrong = score(gaz)
    with capsys.disabled():
        print(f"\norganisation judged set ({len(ITEMS)} strings): merges {merges}; "
              f"node and parent exactly right for {exact}/{len(ITEMS)}")
    assert merges.precision == 1.0, "\n".join(wrong)
    assert merges.recall >= 0.9, "\n".join(wrong)
    assert exact >= 0.9 * len(ITEMS), "\n".join(wrong)
