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


# ---- issue 22: the new rules take page text too ---------------------------------------------
NAMES = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(
    ["Stiftelsen", "Stifelsen", "Activa", "212000-1355", "2120001355", ",", "Region", "Skåne",
     "Kommunalförbund", "kommunalförbund", "(SR)", "AB", "Org.nr", "och"]), max_size=8)
    .map(" ".join))
CUE_TEXT = st.lists(st.sampled_from(
    ["personer", "från", "Syrien", ",", "Ukraina", "och", "Polen", "kriget", "i", "som",
     "samarbete", "med", "en", "partner", "Rysslands", "invasion", "av", "blev", "medlem", "EU",
     "studieresa", "till", "Norge", "."]), max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(NAMES)
def test_organisation_number_split_and_labels_on_any_name(name: str) -> None:
    from esfgraph.link.names import preferred_label, same_name_misspelt, split_org_number

    rest, number = split_org_number(name)
    if number is not None:
        assert re.fullmatch(r"[0-9]{10}", number) and number not in rest.replace("-", "")
    label = preferred_label(name)
    assert preferred_label(label) == label  # one rule, stable
    assert same_name_misspelt(name, name)
    ref = GAZ.resolve_org(name, None)
    assert number is None or ref.organisation_number == number or not rest.strip(" ,")


@settings(max_examples=100, deadline=None)
@given(NAMES, NAMES)
def test_misspelt_is_symmetric(a: str, b: str) -> None:
    from esfgraph.link.names import same_name_misspelt

    assert same_name_misspelt(a, b) == same_name_misspelt(b, a)


@settings(max_examples=150, deadline=None)
@given(CUE_TEXT, st.booleans())
def test_contact_cues_on_any_sentence(text: str, require_why: bool) -> None:
    found = GAZ.find_foreign(text, require_why)
    for m in found:
        assert m.label in m.evidence
    # a country right after "personer från" is never a contact
    assert not [m for m in found if f"personer från {m.label}" in m.evidence]
