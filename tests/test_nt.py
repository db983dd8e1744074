"""The N-Triples text layer the build writes with (esfgraph.nt) and its two encode paths."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.config import Config
from esfgraph.errors import StoreError
from esfgraph.mapping import map_record
from esfgraph.nt import literal, split_literal
from esfgraph.parse import parse_file
from esfgraph.parse.labels import _DASHES, fold
from esfgraph.store import encode_record
from tests.conftest import REPO, SEEDS

CASES = sorted((REPO / "tests" / "cases").glob("*/record.txt"))


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from([None, "sv", "en"]))
def test_a_literal_parses_back_to_its_text(text: str, lang: str | None) -> None:
    nt = literal(text, lang=lang)
    assert split_literal(nt) == (text, lang, None)
    (quad,) = ox.parse(f"<http://s.example/> <http://p.example/> {nt} .\n".encode("utf-8"),
                       ox.RdfFormat.N_TRIPLES)
    assert quad.object.value == text and quad.object.language == lang


def test_a_typed_literal_and_a_bad_language_tag() -> None:
    nt = literal("12.5", datatype="http://www.w3.org/2001/XMLSchema#decimal")
    assert split_literal(nt) == ("12.5", None, "http://www.w3.org/2001/XMLSchema#decimal")
    with pytest.raises(StoreError, match="language tag"):
        literal("x", lang="not a tag")


def _reference_fold(text: str) -> str:
    """`fold` as first written: NFD, drop every combining mark (the slow, general way)."""
    text = unicodedata.normalize("NFD", text.translate(_DASHES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("?", "").replace("\ufffd", "").casefold()
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list("abcåäöéüÅÄÖÉÜáàèóú–—?- \tKkßøæ\u0301\u030aﬁ"))))
def test_the_quick_label_fold_equals_the_general_one(text: str) -> None:
    assert fold.__wrapped__(text) == _reference_fold(text)


def _case_id(page: Path) -> str:
    return page.parent.name if page.name == "record.txt" else page.name


@pytest.mark.parametrize("page", [*sorted(SEEDS.glob("*.txt")), *CASES], ids=_case_id)
def test_text_and_rdflib_encodings_of_a_record_are_identical(page: Path) -> None:
    """The build encodes the mapping's text quads; reading `quads` (rdflib) first must give
    the very same N-Quads, so validation and tests see what the store gets."""
    record = parse_file(page).record
    assert record is not None
    config = Config()
    fast = encode_record(map_record(record, config), config.base_iri)
    mapped = map_record(record, config)
    assert mapped.text_only
    assert mapped.quads  # now rdflib terms are the truth
    assert not mapped.text_only
    slow = encode_record(mapped, config.base_iri)
    assert fast.own_nquads == slow.own_nquads
    assert fast.shared == slow.shared and fast.shared_nquads == slow.shared_nquads
    assert fast.quad_count == slow.quad_count > 10  # a minimal (heading-only) record has 20
