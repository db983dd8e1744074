"""The streaming JSON-LD writer: pyld expands its output to exactly the input quads."""

from __future__ import annotations

import io
import json

import pytest
from pyld import jsonld
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD

from esfgraph.jsonld import load_context, write_jsonld
from esfgraph.mapping import map_record
from esfgraph.config import Config
from tests.test_map import EPOCH, GAZ, full_record

EX = "http://example.org/"


def _norm(term):
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _quads_from_pyld(doc: dict) -> set[tuple]:
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    default = URIRef("urn:x-rdflib:default")
    return {(s, p, _norm(o), None if g == default else g)
            for s, p, o, g in ds.quads((None, None, None, None))}


def _roundtrip(quads) -> tuple[set, set, dict]:
    buf = io.StringIO()
    n = write_jsonld(quads, buf)
    assert n == len(quads)
    doc = json.loads(buf.getvalue())
    expected = {(s, p, _norm(o), g) for s, p, o, g in quads}
    return expected, _quads_from_pyld(doc), doc


def test_mapped_record_round_trips_through_pyld():
    m = map_record(full_record(), Config(), GAZ, sha256="ab" * 32, generated=EPOCH)
    expected, got, doc = _roundtrip(m.quads)
    assert got == expected
    graphs = [item["@id"] for item in doc["@graph"]]
    assert graphs == [str(m.graph), str(m.personal_graph)]


def test_output_uses_short_keys_from_the_context():
    m = map_record(full_record(), Config(), GAZ, sha256="ab" * 32, generated=EPOCH)
    buf = io.StringIO()
    write_jsonld(m.quads, buf)
    doc = json.loads(buf.getvalue())
    project = next(n for n in doc["@graph"][0]["@graph"] if n["@id"].endswith("id/project/2018-00460"))
    assert project["title"] == "Motivera och Aktivera MOA"
    assert project["esfGrantSEK"] == "11159401"
    assert project["projectNumber"] == "2018/00460"
    assert project["startDate"] == "2019-03-01"
    assert sorted(project["@type"]) == ["Project", "schema:Project"]
    assert project["phase"] == "https://w3id.org/esfgraph/concept/phase/genomforande"


def test_values_that_do_not_fit_a_term_keep_their_own_type():
    """A term coerces one datatype/language; other values must not be forced into it."""
    s, g = URIRef(EX + "s"), URIRef(EX + "g")
    title = URIRef("http://purl.org/dc/terms/title")
    grant = URIRef("https://w3id.org/esfgraph/ontology#esfGrantSEK")
    quads = [
        (s, title, Literal("svensk", lang="sv"), g),
        (s, title, Literal("english", lang="en"), g),
        (s, title, Literal("plain"), g),
        (s, title, URIRef(EX + "iri"), g),
        (s, grant, Literal("12", datatype=XSD.decimal), g),
        (s, grant, Literal("12", datatype=XSD.integer), g),
        (s, grant, Literal("tolv"), g),
        (s, URIRef("https://w3id.org/esfgraph/ontology#unknownTerm"), Literal("x"), g),
        (s, URIRef("http://other.example/p#q"), BNode("b1"), g),
        (BNode("b1"), URIRef("http://other.example/p#q"), Literal("a \"quoted\"\nline"), g),
        (s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(EX + "Thing"), None),
    ]
    expected, got, _ = _roundtrip(quads)
    # blank node labels are renamed by pyld: compare with them replaced
    def unb(qs):
        return {tuple("BN" if isinstance(x, BNode) else x for x in q) for q in qs}
    assert unb(got) == unb(expected)


def test_quads_of_a_graph_split_in_two_runs_still_merge():
    s, g1, g2 = URIRef(EX + "s"), URIRef(EX + "g1"), URIRef(EX + "g2")
    p = URIRef(EX + "p")
    quads = [(s, p, Literal("1"), g1), (s, p, Literal("2"), g2), (s, p, Literal("3"), g1)]
    expected, got, _ = _roundtrip(quads)
    assert got == expected


def test_context_is_shipped_and_valid():
    ctx = load_context()["@context"]
    assert ctx["@vocab"] == "https://w3id.org/esfgraph/ontology#"
    for key in ("title", "projectNumber", "esfGrantSEK", "owner", "partner", "cofinancier"):
        assert key in ctx
    # every short key expands to an absolute IRI under pyld
    doc = {"@context": ctx, "@id": EX + "x",
           **{k: "1" for k in ctx if not k.startswith("@") and isinstance(ctx[k], dict)}}
    expanded = jsonld.expand(doc)
    assert all(k.startswith(("http://", "https://", "@")) for k in expanded[0])


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_tiny_inputs_are_valid_json(n):
    quads = [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("o"), URIRef(EX + "g"))][:n]
    expected, got, doc = _roundtrip(quads)
    assert got == expected and len(doc["@graph"]) == n


def test_every_golden_case_round_trips_through_pyld():
    from tests.test_map import CASE_DIRS, case_quads

    quads = [q for case in CASE_DIRS for q in case_quads(case)]
    assert len(quads) > 500
    expected, got, _ = _roundtrip(quads)
    assert got == expected


def test_pyoxigraph_quads_and_binary_streams_are_accepted():
    """The store hands over pyoxigraph Quads/Triples and may pass a file opened 'wb'."""
    import pyoxigraph as ox

    m = map_record(full_record(), Config(), GAZ, sha256="ab" * 32, generated=EPOCH)
    ox_quads = list(ox.parse(to_dataset_nquads(m.quads), format=ox.RdfFormat.N_QUADS))
    buf = io.BytesIO()
    assert write_jsonld(ox_quads, buf) == len(set(m.quads))
    got = _quads_from_pyld(json.loads(buf.getvalue().decode("utf-8")))
    assert got == {(s, p, _norm(o), g) for s, p, o, g in m.quads}
    triples = [q.triple for q in ox_quads]
    buf = io.BytesIO()
    write_jsonld(triples, buf)
    got = _quads_from_pyld(json.loads(buf.getvalue().decode("utf-8")))
    assert {(s, p, o) for s, p, o, g in got} == {(s, p, _norm(o)) for s, p, o, g in m.quads}
    assert all(g is None for *_, g in got)


def to_dataset_nquads(quads) -> bytes:
    from esfgraph.mapping import to_dataset

    return to_dataset(quads).serialize(format="nquads").encode("utf-8")
