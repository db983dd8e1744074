"""Transnational contacts against a judged set of 50 Swedish and English texts (issue 14).

Target: precision 1.0 (no contact the text does not present), recall at least 0.9.
"""

from __future__ import annotations

import re

import pytest

from esfgraph.link import Gazetteer
from tests.judged import Score, load

ITEMS = load("transnational.yaml")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


def contacts(gaz: Gazetteer, text: str, require_why: bool = False) -> set[str]:
    """The contacts found in a text, as judged-set identifiers."""
    out = set()
    for m in gaz.find_foreign(text, require_why):
        out.add(f"org:{m.label}" if m.kind == "organisation" else f"place:{m.place_key}")
    return out


def score(gaz: Gazetteer) -> tuple[Score, list[str]]:
    total, misses = Score(), []
    for item in ITEMS:
        found, expected = contacts(gaz, item["text"], item.get("why", False)), set(item["expected"])
        total.add(found, expected)
        if found != expected:
            misses.append(f"{item['text'][:70]!r}: extra {sorted(found - expected)}, "
                          f"missing {sorted(expected - found)}")
    return total, misses


def test_judged_set_is_big_enough_and_bilingual() -> None:
    assert len(ITEMS) >= 40
    english = re.compile(r"\b(?:the|we|will|with|has|is)\b", re.IGNORECASE)
    assert sum(1 for i in ITEMS if english.search(i["text"])) >= 5


def test_precision_is_1_and_recall_at_least_0_9(gaz: Gazetteer, capsys) -> None:
    total, misses = score(gaz)
    with capsys.disabled():
        print(f"\ntransnational judged set ({len(ITEMS)} texts): {total}")
    assert total.precision == 1.0, "\n".join(misses)
    assert total.recall >= 0.9, "\n".join(misses)
