"""Issue 14: every golden page conforms, and esfgraph, pySHACL and pySHACL under RDFS agree.

The golden cases (tests/cases/) hold hand-written pages with the features of real pages: ESF+
numbers (`22-031-S07`, CCI `2021SE05SFPR`), values that do not normalise, truncated copies.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from esfgraph.config import Config
from esfgraph.namespaces import ESF, OWL, RDF, RDFS
from esfgraph.validate import (
    load_shapes_graph,
    results_from_report_graph,
    shared_graph,
    validate_records,
)
from tests.test_map import CASE_DIRS, case_quads

SHARED = None


def _shared() -> Graph:
    global SHARED
    if SHARED is None:
        SHARED = shared_graph(Config().base_iri)
    return SHARED


class _Mapped:
    """The parts of a MappedRecord that validate_records reads."""

    def __init__(self, quads):
        self.quads = quads
        self.graph = quads[0][3]


def _keys(results) -> Counter:
    return Counter((str(r.focus), str(r.path), str(r.source_shape), str(r.severity), str(r.value))
                   for r in results)


def _pyshacl(data: Graph, inference: str) -> Counter:
    _ok, report, _text = pyshacl.validate(data, shacl_graph=load_shapes_graph(None),
                                          inference=inference, allow_warnings=False)
    return _keys(results_from_report_graph(report))


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_golden_case_has_no_violation_and_the_engines_agree(case: Path) -> None:
    quads = case_quads(case)
    report = validate_records([_Mapped(quads)], _shared(), jobs=1)
    assert not [r for r in report.results if r.severity_word == "violation"], report.to_text()
    union = Graph()
    for s, p, o, _ in quads:
        union.add((s, p, o))
    union += _shared()
    ours = _keys(report.results)
    assert _pyshacl(union, "none") == ours
    assert _pyshacl(union, "rdfs") == ours


def test_esf_plus_page_with_only_a_case_number_gets_its_iri_from_it() -> None:
    quads = case_quads(Path(__file__).parent / "cases" / "esfplus-national-diarienummer")
    projects = {str(s) for s, p, o, _ in quads if p == RDF.type and o == ESF.Project}
    assert projects == {"https://w3id.org/esfgraph/id/project/22-031-s07"}
    old = {(str(s), str(o)) for s, p, o, _ in quads if p == OWL.sameAs}  # the IRI before issue 22
    assert old == {("https://w3id.org/esfgraph/id/project/dnr-22-031-s07",
                    "https://w3id.org/esfgraph/id/project/22-031-s07")}


def test_unnormalised_values_are_kept_and_warned_about_by_page_and_field() -> None:
    quads = case_quads(Path(__file__).parent / "cases" / "esfplus-national-diarienummer")
    kept = {str(o) for s, p, o, _ in quads if p == RDF.value}
    assert {"SE0", "150%", "20210-0977"} <= kept
    fields = {str(o) for s, p, o, _ in quads if p == ESF.recordField}
    assert fields == {"nuts2", "eu_cofinancing_rate", "owner_org_number"}
    report = validate_records([_Mapped(quads)], _shared(), jobs=1)
    warned = {(str(r.value), r.source_record.file) for r in report.results
              if r.source_shape.endswith("UnnormalisedValueKept")}
    assert warned == {(label, "esfplus-national-diarienummer.txt") for label in
                      ("NUTS-2 kod", "Unionens medfinansieringsgrad",
                       "Projektägare organisationsnummer")}
    assert all(r.severity_word == "warning" for r in report.results)
    assert RDFS.label  # the warning's value is the printed label, naming the field


def test_every_concept_used_has_a_swedish_pref_label() -> None:
    from esfgraph.namespaces import SKOS
    from esfgraph.resources import ontology_dir

    vocab = Graph()
    for f in Path(ontology_dir()).glob("*.ttl"):
        vocab.parse(f)
    for case in CASE_DIRS:
        g = Graph()
        for s, p, o, _ in case_quads(case):
            g.add((s, p, o))
        used = {o for s, p, o in g if str(o).startswith("https://w3id.org/esfgraph/concept/")
                and p != SKOS.inScheme}
        for c in used:
            labels = [lab for lab in list(g.objects(c, SKOS.prefLabel))
                      + list(vocab.objects(c, SKOS.prefLabel)) if lab.language == "sv"]
            assert len(set(labels)) == 1, (case.name, c, labels)


def test_concept_labels_agree_with_the_pages() -> None:
    from rdflib import Literal, URIRef

    from esfgraph.namespaces import SKOS
    from esfgraph.resources import ontology_dir

    vocab = Graph().parse(Path(ontology_dir()) / "concepts.ttl")
    area1 = URIRef("https://w3id.org/esfgraph/concept/programme-area/2007-2013/1")
    assert set(vocab.objects(area1, SKOS.prefLabel)) == {Literal("Kompetensförsörjning", lang="sv")}
    assert Literal("Kompetensutveckling för sysselsatta", lang="sv") in set(
        vocab.objects(area1, SKOS.altLabel))
    quads = case_quads(Path(__file__).parent / "cases" / "esfplus-national-diarienummer")
    labels = {(str(s).rsplit("/", 2)[-2], str(o), o.language) for s, p, o, _ in quads
              if p == SKOS.prefLabel}
    assert ("intervention-type", "Interventionstyp 136", "sv") in labels
    assert ("intervention-type", "Intervention type 136", "en") in labels
    assert ("2021-2027", "Programområde A", "sv") in labels
    assert ("2021-2027", "Specifikt mål A1H", "sv") in labels
