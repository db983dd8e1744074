"""`esfgraph export`: every format parsed back by a real parser gives the store's content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic, to_isomorphic

from esfgraph.cli import main
from esfgraph.errors import ExportError
from esfgraph.export import export
from esfgraph.pipeline import build
from esfgraph.store import Store
from tests.conftest import SEEDS

ALL_QUADS = ("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export")
    pages = path / "pages"
    shutil.copytree(SEEDS, pages)
    build([pages], store_path=path / "store", validate=False)
    return path / "store"


@pytest.fixture(scope="module")
def store(store_path) -> Store:
    return Store(store_path)


def _to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):
        return rdflib.Literal(term.value)  # how rdflib reads a plain literal
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def store_graph(store: Store, *, personal_data: bool = True, graph: str | None = None
                ) -> rdflib.Graph:
    """The store's content as an rdflib Graph, read quad by quad (not through an export)."""
    g = rdflib.Graph()
    for q in store.iter_quads(graph, personal_data=personal_data):
        g.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    return g


def store_quads(store: Store) -> set:
    return {tuple(_to_rdflib(t) for t in (q.subject, q.predicate, q.object, q.graph_name))
            for q in store.iter_quads()}


def exported(store: Store, fmt: str, tmp_path: Path, **kw) -> Path:
    out = tmp_path / f"out.{fmt}"
    export(store, fmt, out, **kw)
    return out


def test_turtle_export_reparsed_by_rdflib_is_isomorphic_to_the_store(store, tmp_path):
    parsed = rdflib.Graph().parse(exported(store, "turtle", tmp_path), format="turtle")
    expected = store_graph(store)
    assert len(parsed) == len(expected) == store.quads_count()
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("fmt,parser", [("nt", "nt"), ("xml", "xml"), ("json-ld", "json-ld")])
def test_triple_formats_reparsed_give_the_store_triples(store, tmp_path, fmt, parser):
    data = rdflib.Dataset()
    data.parse(exported(store, fmt, tmp_path), format=parser)
    triples = rdflib.Graph()
    for s, p, o, _g in data.quads((None, None, None, None)):
        triples.add((s, p, o))
    assert to_isomorphic(triples) == to_isomorphic(store_graph(store))


@pytest.mark.parametrize("fmt,parser", [("nq", "nquads"), ("trig", "trig")])
def test_dataset_formats_keep_the_named_graphs(store, tmp_path, fmt, parser):
    data = rdflib.Dataset()
    data.parse(exported(store, fmt, tmp_path), format=parser)
    got = {(s, p, o, g) for s, p, o, g in data.quads((None, None, None, None))}
    assert got == store_quads(store)


def test_jsonld_default_graph_holds_the_union_for_plain_readers(store, tmp_path):
    """`export --help` says json-ld writes the union: a plain rdflib.Graph and pyld's default
    graph read every triple (an export of named graphs only read as empty there)."""
    import json

    from pyld import jsonld

    path = exported(store, "json-ld", tmp_path)
    g = rdflib.Graph().parse(path, format="json-ld")
    assert len(g) == store.quads_count()
    assert isomorphic(g, store_graph(store))
    doc = json.loads(path.read_text(encoding="utf-8"))
    dataset = jsonld.to_rdf(doc)
    assert set(dataset) == {"@default"}
    assert len({(t["subject"]["value"], t["predicate"]["value"], json.dumps(t["object"],
                 sort_keys=True)) for t in dataset["@default"]}) == store.quads_count()


def test_turtle_export_parsed_by_pyoxigraph_too(store, tmp_path):
    quads = list(ox.parse(path=str(exported(store, "turtle", tmp_path)),
                          format=ox.RdfFormat.TURTLE))
    assert len(quads) == store.quads_count()
    parsed = rdflib.Graph()
    for q in quads:
        parsed.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    assert isomorphic(parsed, store_graph(store))


def test_no_personal_data(store, tmp_path):
    g = rdflib.Graph().parse(exported(store, "turtle", tmp_path, personal_data=False),
                             format="turtle")
    assert not list(g.triples((None, rdflib.URIRef("https://schema.org/email"), None)))
    assert not list(g.triples((None, rdflib.RDF.type, rdflib.FOAF.Person)))
    # everything but the dataset description as stored; the description counts this export
    dataset = rdflib.URIRef("https://w3id.org/esfgraph/dataset")
    described = {t for t in g if t[0] == dataset or str(t[0]).startswith(str(dataset) + "/")}
    kept = store_graph(store, personal_data=False)
    stored = {t for t in kept if t[0] == dataset or str(t[0]).startswith(str(dataset) + "/")}
    assert set(g) - described == set(kept) - stored
    assert len(g) < store.quads_count()


def test_one_named_graph(store, tmp_path):
    graph = "https://w3id.org/esfgraph/graph/record/2018-00460"
    g = rdflib.Graph().parse(exported(store, "turtle", tmp_path, graph=graph), format="turtle")
    assert isomorphic(g, store_graph(store, graph=graph))
    assert (rdflib.URIRef("https://w3id.org/esfgraph/id/project/2018-00460"),
            rdflib.URIRef("https://w3id.org/esfgraph/ontology#esfGrantSEK"),
            rdflib.Literal("11159401", datatype=rdflib.XSD.decimal)) in g
    with pytest.raises(ExportError, match="no named graph"):
        export(store, "turtle", tmp_path / "x.ttl", graph="https://example.org/none")
    with pytest.raises(ExportError, match="personal data"):
        export(store, "turtle", tmp_path / "x.ttl", personal_data=False,
               graph="https://w3id.org/esfgraph/graph/personal/2018-00460")


def test_cli_export(store_path, tmp_path):
    runner = CliRunner()
    out = tmp_path / "esf.nq"
    result = runner.invoke(main, ["export", "--store", str(store_path), "--format", "nq",
                                  "-o", str(out), "--no-personal-data"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "graph/personal/" not in text and "graph/record/2018-00460" in text
    stdout = runner.invoke(main, ["export", "--store", str(store_path), "--format", "nt"])
    assert stdout.exit_code == 0
    assert len(rdflib.Graph().parse(data=stdout.stdout_bytes, format="nt")) > 100
    bad = runner.invoke(main, ["export", "--store", str(tmp_path / "none"), "--format", "nt"])
    assert bad.exit_code == 2 and "no store" in bad.output


# ---- issue 22: the counts in an export describe that export ---------------------------------
VOID = "http://rdfs.org/ns/void#"
FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"


def _void(quads: list[ox.Quad], prop: str, subject_suffix: str = "dataset") -> list[int]:
    return [int(q.object.value) for q in quads
            if q.predicate.value == VOID + prop and q.subject.value.endswith(subject_suffix)]


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_export_without_personal_data_counts_what_it_writes(store: Store, tmp_path: Path,
                                                            fmt: str) -> None:
    full, cut = tmp_path / f"full.{fmt}", tmp_path / f"cut.{fmt}"
    export(store, fmt, full)
    export(store, fmt, cut, personal_data=False)
    rdf = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
    full_quads = list(ox.parse(path=str(full), format=rdf))
    cut_quads = list(ox.parse(path=str(cut), format=rdf))
    assert _void(full_quads, "triples") == [len(full_quads)]  # the store's own description
    assert len(cut_quads) < len(full_quads)
    assert _void(cut_quads, "triples") == [len(cut_quads)]
    persons = {q.subject for q in cut_quads if q.predicate.value.endswith("#type")
               and q.object.value == FOAF_PERSON}
    assert not persons
    assert not [q for q in cut_quads if q.predicate.value == VOID + "class"
                and q.object.value == FOAF_PERSON]  # no class partition of persons
    typed = {q.subject for q in cut_quads if q.predicate.value.endswith("#type")
             and not q.graph_name.value.endswith("graph/dataset")}
    assert _void(cut_quads, "entities") == [len(typed)]
    # the description keeps the build's time, so an export is reproducible
    stamp = [q.object.value for q in cut_quads if q.predicate.value.endswith("terms/modified")]
    assert stamp == [q.object.value for q in full_quads
                     if q.predicate.value.endswith("terms/modified")]


def test_export_without_personal_data_as_turtle_and_json_ld_counts_the_same(
        store: Store, tmp_path: Path) -> None:
    export(store, "turtle", tmp_path / "cut.ttl", personal_data=False)
    export(store, "json-ld", tmp_path / "cut.jsonld", personal_data=False)
    ttl = rdflib.Graph().parse(tmp_path / "cut.ttl", format="turtle")
    jsonld = rdflib.Graph().parse(tmp_path / "cut.jsonld", format="json-ld")
    for graph in (ttl, jsonld):
        [n] = [int(o) for s, p, o in graph if str(p) == VOID + "triples"]
        assert n == len(graph)
