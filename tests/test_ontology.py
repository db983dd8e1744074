"""The ontology and concept schemes: parseable, documented in en+sv, and covering the data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from esfgraph.config import Config
from esfgraph.mapping import KNOWN_PHASES, KNOWN_PROGRAMME_AREAS, map_record
from esfgraph.namespaces import CONCEPT, ESF
from esfgraph.resources import ontology_dir
from tests.test_map import EPOCH, GAZ, FakeMention, full_record

ONTOLOGY = ontology_dir() / "esfgraph.ttl"
CONCEPTS = ontology_dir() / "concepts.ttl"

#: Standard vocabularies the data may use without declaring terms (docs/DATA-MODEL.md).
STANDARD = (
    "https://schema.org/", "http://www.w3.org/ns/org#", "http://purl.org/dc/terms/",
    "http://xmlns.com/foaf/0.1/", "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/dcat#", "http://rdfs.org/ns/void#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def concepts() -> Graph:
    return Graph().parse(CONCEPTS)


def declared_esf_terms(onto: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for k in kinds for s in onto.subjects(RDF.type, k) if str(s).startswith(str(ESF))}


def test_ontology_header(onto):
    ont = URIRef("https://w3id.org/esfgraph/ontology")
    assert (ont, RDF.type, OWL.Ontology) in onto
    assert onto.value(ont, OWL.versionInfo) is not None


def test_every_term_has_english_and_swedish_label_and_comment(onto):
    terms = declared_esf_terms(onto)
    assert len(terms) > 40
    for term in terms:
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in onto.objects(term, prop) if isinstance(o, Literal)}
            assert {"en", "sv"} <= langs, f"{term} lacks {prop} in en/sv"


def test_domains_and_ranges_refer_to_declared_or_standard_terms(onto):
    terms = declared_esf_terms(onto)
    for prop in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf):
        for _, ref in onto.subject_objects(prop):
            if str(ref).startswith(str(ESF)):
                assert ref in terms, f"{ref} is used in the ontology but not declared"
            else:
                assert str(ref).startswith(STANDARD + ("http://www.w3.org/2001/XMLSchema#",)), ref


def test_both_files_parse_with_an_independent_parser():
    for path in (ONTOLOGY, CONCEPTS):
        quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        assert len(quads) == len(Graph().parse(path))


def test_concept_schemes_hold_the_known_concepts(concepts):
    for period in ("2007-2013", "2014-2020", "2021-2027"):
        assert (CONCEPT[f"period/{period}"], RDF.type, SKOS.Concept) in concepts
        assert (CONCEPT[f"programme-area/{period}"], RDF.type, SKOS.ConceptScheme) in concepts
    for period, code in KNOWN_PROGRAMME_AREAS:
        c = CONCEPT[f"programme-area/{period}/{code}"]
        assert (c, SKOS.inScheme, CONCEPT[f"programme-area/{period}"]) in concepts
        assert concepts.value(c, SKOS.prefLabel) is not None
    assert concepts.value(CONCEPT["programme-area/2007-2013/2"], SKOS.prefLabel) == \
        Literal("Ökat arbetskraftsutbud", lang="sv")
    assert concepts.value(CONCEPT["programme-area/2014-2020/3"], SKOS.prefLabel) == \
        Literal("Sysselsättningsinitiativet", lang="sv")
    for phase in KNOWN_PHASES:
        assert (CONCEPT[f"phase/{phase}"], SKOS.inScheme, CONCEPT["phase"]) in concepts
    for role in ("owner", "partner", "cofinancier", "transnational-contact"):
        assert (CONCEPT[f"role/{role}"], SKOS.inScheme, CONCEPT["role"]) in concepts
    for fund in ("esf", "esf-plus"):
        assert (CONCEPT[f"fund/{fund}"], SKOS.inScheme, CONCEPT["fund"]) in concepts
    # no 2021–2027 programme area labels are shipped until confirmed
    assert not list(concepts.subjects(SKOS.inScheme, CONCEPT["programme-area/2021-2027"]))


def test_every_concept_has_one_pref_label_per_language(concepts):
    for c in set(concepts.subjects(RDF.type, SKOS.Concept)):
        langs = [o.language for o in concepts.objects(c, SKOS.prefLabel)]
        assert langs and len(langs) == len(set(langs)), c


class _OrgForeign:
    """Adds a foreign organisation mention to the fake gazetteer (covers that branch too)."""

    def __getattr__(self, name):
        return getattr(GAZ, name)

    def find_foreign(self, text):
        return GAZ.find_foreign(text) + [
            FakeMention("organisation", "JES", "BE", None, None, "Hos JES i Bryssel."),
            FakeMention("city", "Bryssel", "BE", 2800866, "Q239", "Bryssel.", "Brussels",
                        "BE-brussels")]


def _used_terms(quads) -> tuple[set[URIRef], set[URIRef]]:
    classes = {o for s, p, o, g in quads if p == RDF.type}
    props = {p for s, p, o, g in quads}
    return classes, props


def test_every_class_and_property_used_by_the_data_is_declared(onto):
    quads = map_record(full_record(), Config(), _OrgForeign(), sha256="0" * 64,
                       generated=EPOCH).quads
    classes, props = _used_terms(quads)
    declared = declared_esf_terms(onto)
    assert ESF.Participation in classes and ESF.TextSection in classes
    for term in classes | props:
        if str(term).startswith(str(ESF)):
            assert term in declared, f"{term} is used by the data but not in ontology/"
        else:
            assert str(term).startswith(STANDARD), f"{term} is from an unlisted vocabulary"


def test_every_esf_term_in_mapping_source_is_declared(onto):
    """Catch terms in rarely taken branches: scan the mapping source for ESF.<name>."""
    import re

    src = (Path(__file__).resolve().parent.parent / "esfgraph" / "mapping.py").read_text()
    names = set(re.findall(r"\bESF\.([A-Za-z0-9]+)", src))
    declared = {str(t)[len(str(ESF)):] for t in declared_esf_terms(onto)}
    assert names and names <= declared, names - declared


def test_terms_used_by_every_golden_case_are_declared(onto):
    from tests.test_map import CASE_DIRS, case_quads

    declared = declared_esf_terms(onto)
    assert CASE_DIRS
    for case in CASE_DIRS:
        classes, props = _used_terms(case_quads(case))
        for term in classes | props:
            if str(term).startswith(str(ESF)):
                assert term in declared, f"{case.name}: {term} not in ontology/"
            else:
                assert str(term).startswith(STANDARD), f"{case.name}: {term} unlisted vocabulary"
