"""esfgraph.validate: meta-shapes, equality with whole-graph pySHACL, seeds, reports and the CLI."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from esfgraph.cli._group import main
from esfgraph.config import Config
from esfgraph.namespaces import ESF, SH
from esfgraph.validate import (
    RecordValidator,
    load_shapes_graph,
    pyshacl_graph_report,
    results_from_report_graph,
    shared_graph,
    validate_graph,
    validate_records,
)
from esfgraph.validate import synthetic as syn

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _keys(results) -> Counter:
    return Counter(r.key() for r in results)


# ---------------------------------------------------------------------------------------------
# The shapes themselves
# ---------------------------------------------------------------------------------------------

def test_shapes_conform_to_shacl_for_shacl() -> None:
    shapes = load_shapes_graph()
    shsh = Graph().parse(str(resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"))
    conforms, _graph, text = pyshacl.validate(shapes, shacl_graph=shsh)
    assert conforms, text
    conforms, _graph, text = pyshacl.validate(shapes, meta_shacl=True)
    assert conforms, text


def test_every_shape_has_a_plain_message_and_a_chosen_severity() -> None:
    shapes = load_shapes_graph()
    all_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(all_shapes) > 80
    for shape in all_shapes:
        messages = [m for m in shapes.objects(shape, SH.message) if m.language == "en"]
        assert messages, f"{shape} has no English sh:message"
        assert "Constraint" not in str(messages[0]) and len(str(messages[0])) > 25
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
        assert isinstance(shape, URIRef), "shapes are named so reports can cite them"
    # The grant-above-budget rule is a warning, not a violation.
    assert shapes.value(URIRef("https://w3id.org/esfgraph/shapes#ProjectGrantWithinBudget"),
                        SH.severity) == SH.Warning


def test_closed_shapes_ignore_rdf_type() -> None:
    shapes = load_shapes_graph()
    closed = list(shapes.subjects(SH.closed, Literal(True)))
    assert len(closed) >= 5
    for shape in closed:
        ignored = shapes.value(shape, SH.ignoredProperties)
        assert ignored is not None and RDF.type in list(shapes.items(ignored)), shape


# ---------------------------------------------------------------------------------------------
# Equality with whole-graph pySHACL
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def planted():
    records = syn.synthetic_records(300, errors=True, error_every=2, seed=7)
    reference = syn.reference_graph()
    return records, reference


@pytest.fixture(scope="module")
def pyshacl_results(planted):
    records, reference = planted
    return results_from_report_graph(pyshacl_graph_report(syn.to_graph(records, reference)))


def test_planted_errors_cover_every_kind(planted) -> None:
    records, _ = planted
    assert {r.planted for r in records if r.planted} == set(syn.ERROR_KINDS)


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_equal_whole_graph_pyshacl(planted, pyshacl_results, jobs, monkeypatch) -> None:
    from esfgraph.validate import runner

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 0)  # use the process pool even for 300 records
    records, reference = planted
    ours = validate_records(records, reference, jobs=jobs)
    assert len(pyshacl_results) > 150
    assert _keys(ours.results) == _keys(pyshacl_results)
    assert {(r.key(), r.message) for r in ours.results} == {(r.key(), r.message) for r in pyshacl_results}
    severities = Counter(r.severity for r in ours.results)
    assert severities[SH.Warning] > 0 and severities[SH.Violation] > 0


def test_every_planted_error_is_found_in_its_record(planted) -> None:
    records, reference = planted
    report = validate_records(records, reference, jobs=1)
    graphs_with_results = {g for r in report.results if r.source_record
                           for g in (r.source_record.graph, *r.source_record.also)}
    # Nodes stated by one record only; shared ones (organisations, units) name every record.
    own = {r.source_record.file for r in report.results if r.source_record and not r.source_record.others}
    for i, record in enumerate(records):
        name = f"{i:03d}_synthetic.txt"
        if record.planted and record.planted not in syn.EDGE_CASES:
            assert str(record.graph) in graphs_with_results, f"{record.planted} in record {i} was not reported"
        else:
            assert name not in own, f"clean record {i} got a result of its own"
    shared = [r for r in report.results if r.source_record and r.source_record.others]
    assert shared and all("other record" in r.source_record.label() for r in shared)


def test_dataset_input_is_validated_as_the_union(planted, pyshacl_results, monkeypatch) -> None:
    from rdflib import Dataset

    from esfgraph.validate import runner

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 0)

    records, reference = planted
    ds = Dataset()
    for r in records:
        for q in r.quads:
            ds.add(q)
    for t in reference:
        ds.add((*t, URIRef("https://w3id.org/esfgraph/graph/reference")))
    assert _keys(validate_graph(ds, jobs=2).results) == _keys(pyshacl_results)


def test_unsupported_shapes_fall_back_to_pyshacl(tmp_path) -> None:
    (tmp_path / "or.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "Needs a or b"@en ;
  sh:or ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ] ) .
""")
    data = Graph().parse(data="<http://example.org/x> a <http://example.org/C> .", format="turtle")
    report = validate_graph(data, tmp_path)
    assert report.engine == "pyshacl"
    assert [str(r.source_shape) for r in report.results] == ["http://example.org/S"]


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_records():
    from esfgraph.link import default_gazetteer
    from esfgraph.mapping import map_record
    from esfgraph.parse import parse_file

    gazetteer = default_gazetteer()
    return [map_record(parse_file(p).record, Config(), gazetteer) for p in SEEDS]


def test_every_seed_conforms(seed_records) -> None:
    assert len(seed_records) == 5
    shared = shared_graph(Config().base_iri)
    report = validate_records(seed_records, shared, jobs=1)
    assert report.conforms, report.to_text()
    union = Graph()
    for r in seed_records:
        for s, p, o, _ in r.quads:
            union.add((s, p, o))
    union += shared
    assert results_from_report_graph(pyshacl_graph_report(union)) == []


def test_record_validator_per_record(seed_records) -> None:
    validator = RecordValidator.for_base(Config().base_iri)
    for record in seed_records:
        assert validator.validate(record).conforms
    broken = type(seed_records[0])(seed_records[0].slug, seed_records[0].graph,
                                   seed_records[0].personal_graph, list(seed_records[0].quads))
    project = next(s for s, p, o, g in broken.quads if p == RDF.type and o == ESF.Project)
    broken.quads.append((project, ESF.euCofinancingRate, Literal("2.0", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#decimal")), broken.graph))
    report = validator.validate(broken)
    assert [str(r.source_shape).rsplit("#", 1)[1] for r in report.results] == ["ProjectCofinancingRate"]
    assert report.results[0].source_record.file == SEEDS[0].name
    assert report.records_with_violations() == {str(broken.graph)}


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------

def _small_report():
    records = syn.synthetic_records(12, errors=True, error_every=3)
    return records, validate_records(records, syn.reference_graph(), jobs=1)


def test_text_report_groups_by_record_and_field_with_values() -> None:
    _records, report = _small_report()
    text = report.to_text()
    assert not report.conforms
    first = next(r for r in report.results if r.source_record and r.source_record.title)
    assert f"{first.source_record.file} — {first.source_record.title}" in text
    assert "title:" in text and "Value: " in text
    assert "The data does not conform." in text
    counts = report.counts()
    assert f"{counts['violation']} violation" in text


def test_turtle_and_json_are_standard_validation_reports() -> None:
    _, report = _small_report()
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    rep = next(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(rep, SH.conforms) == Literal(False)
    assert len(list(g.objects(rep, SH.result))) == len(report.results)
    j = Graph().parse(data=report.to_json(), format="json-ld")
    assert len(list(j.subjects(RDF.type, SH.ValidationResult))) == len(report.results)
    assert set(results_from_report_graph(g)) == {r for r in results_from_report_graph(j)}


def test_allow_warnings_only_counts_violations() -> None:
    data = Graph().parse(ROOT / "tests/shapes/Project/invalid-grant-above-budget.ttl")
    assert not validate_graph(data).conforms
    assert validate_graph(data, allow_warnings=True).conforms


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

def test_cli_conforming_file_exits_0() -> None:
    result = CliRunner().invoke(main, ["validate", str(ROOT / "tests/shapes/Project/valid-full.ttl")])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_cli_invalid_file_exits_1_with_plain_words() -> None:
    case = ROOT / "tests/shapes/Project/invalid-rate.ttl"
    result = CliRunner().invoke(main, ["validate", str(case)])
    assert result.exit_code == 1
    assert "EU co-financing rate must be one share between 0 and 1" in result.output
    assert 'Value: "1.5"' in result.output


def test_cli_turtle_format(tmp_path) -> None:
    out = tmp_path / "report.ttl"
    result = CliRunner().invoke(main, ["validate", "--format", "turtle", "-o", str(out),
                                       str(ROOT / "tests/shapes/Person/invalid-email.ttl")])
    assert result.exit_code == 1
    g = Graph().parse(out)
    assert len(list(g.subjects(RDF.type, SH.ValidationResult))) == 1


def test_cli_errors_exit_2_without_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    for args in (["validate", str(bad)], ["validate", str(tmp_path / "x.docx")],
                 ["validate", "--store", str(tmp_path / "nostore")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "Error:" in result.output


def test_cli_reads_a_pyoxigraph_store(tmp_path) -> None:
    store = ox.Store(str(tmp_path / "db"))
    g = ox.NamedNode("https://w3id.org/esfgraph/graph/record/x")
    x = ox.NamedNode("https://w3id.org/esfgraph/id/project/x")
    store.add(ox.Quad(x, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(ESF.Project)), g))
    store.add(ox.Quad(x, ox.NamedNode(str(RDFS.label)), ox.Literal("Titel", language="sv"), g))
    store.flush()
    del store
    result = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "db")])
    assert result.exit_code == 1, result.output
    assert "A project needs exactly one title" in result.output
    assert "Every project must name the page file" in result.output


def test_cli_validates_a_built_store_of_the_seeds(tmp_path) -> None:
    from esfgraph.pipeline import build

    store = tmp_path / "store"
    build([str(p) for p in SEEDS], Config(), store_path=store, validate=False, jobs=1)
    result = CliRunner().invoke(main, ["validate", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert "ValidationReport" in json.dumps(doc)


def test_partitions_together_hold_every_subject_once(planted) -> None:
    from esfgraph.validate.engine import build_index, split_quads
    from esfgraph.validate.shapes import compile_shapes

    records, _reference = planted
    shapes = compile_shapes()
    chunks = [r.quads for r in records]
    parts = split_quads(chunks, shapes, 2)
    whole = build_index(chunks, shapes, 0, 1)
    halves = [build_index([parts[i]], shapes, i, 2) for i in range(2)]
    assert halves[0].out and halves[1].out
    assert not set(halves[0].out) & set(halves[1].out)
    assert set(halves[0].out) | set(halves[1].out) == set(whole.out)
    for half in halves:
        assert dict(half.types) == dict(whole.types)   # types are known everywhere
        for key, (_term, props, _graphs) in half.out.items():
            assert props == whole.out[key][1]
