"""Property-based checks: any text or name is handled without error and with sound output."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.link import default_gazetteer
from esfgraph.link.names import org_key
from esfgraph.record import Record

GAZ = default_gazetteer()
WORDS = st.sampled_from(["Bryssel", "Belgien", "i", "och", "Ale", "kommun", "Man", "Medan",
                         "East", "Lothian", "Scotland", "projektet", "JES", "är", "ett", "projekt",
                         ".", ",", "\n\n", "Lille", "Frankrike", "förvaltningen", "Europa"])
TEXT = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=40).map(" ".join))


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_find_foreign_on_any_text(text: str) -> None:
    flat = " ".join(text.split())
    for m in GAZ.find_foreign(text):
        assert m.kind in ("country", "region", "city", "organisation")
        assert m.label and m.label in m.evidence
        assert " ".join(m.evidence.split()) in flat or m.evidence in flat
        assert m.iso2 is None or re.fullmatch(r"[A-Z]{2}", m.iso2)
        assert m.iso2 != "SE"


@settings(max_examples=150, deadline=None)
@given(TEXT, st.lists(st.sampled_from(["Ale", "Mjölby", "Atlantis"]), max_size=3))
def test_resolve_org_on_any_name(name: str, munis: list[str]) -> None:
    ref = GAZ.resolve_org(name, Record(source="p", layout="2007-2013", municipalities=munis))
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ref.key)
    assert ref.kind in ("municipality", "national-agency", "region", "county-board", "unit",
                        "organisation")
    if ref.parent is not None:
        assert ref.kind == "unit" and ref.parent.kind != "unit"
    assert org_key(name) == org_key(f"  {name}\t")
