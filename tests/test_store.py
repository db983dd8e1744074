"""The store engine: union semantics, one copy of shared triples, atomic versions, removal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from esfgraph.errors import StoreError
from esfgraph.store import (
    GraphNames,
    SourceEntry,
    Store,
    current_version,
    db_dir,
    encode_record,
    open_writer,
    term_nt,
)

BASE = "https://w3id.org/esfgraph/"
ESF = "https://w3id.org/esfgraph/ontology#"
NAMES = GraphNames(BASE)


@dataclass
class FakeMapped:
    """Stands in for esfgraph.mapping.MappedRecord (same fields)."""

    slug: str
    graph: URIRef
    personal_graph: URIRef
    quads: list


def fake_record(slug: str, grant: int, orgs: list[str], person: str | None = None) -> FakeMapped:
    """A small record following docs/DATA-MODEL.md: project, grant, partner orgs, contact."""
    g = URIRef(NAMES.record(slug))
    pg = URIRef(NAMES.personal(slug))
    project = URIRef(NAMES.project(slug))
    q = [
        (project, RDF.type, URIRef(ESF + "Project"), g),
        (project, RDFS.label, Literal(f"Projekt {slug}", lang="sv"), g),
        (project, URIRef(ESF + "esfGrantSEK"), Literal(str(grant), datatype=XSD.decimal), g),
        (URIRef(f"{project}/grant"), RDF.type, URIRef("https://schema.org/MonetaryGrant"), g),
        (project, URIRef(ESF + "note"), Literal('line one\nline "two" \\ end', lang="sv"), g),
    ]
    for org in orgs:
        o = URIRef(f"{BASE}id/org/{org}")
        q += [
            (project, URIRef(ESF + "partner"), o, g),
            (o, RDF.type, URIRef("http://www.w3.org/ns/org#Organization"), g),
            (o, SKOS.prefLabel, Literal(org.title(), lang="sv"), g),
        ]
    if person:
        p = URIRef(f"{BASE}id/person/{person}")
        q += [(project, URIRef(ESF + "contactPerson"), p, pg),
              (p, URIRef("http://xmlns.com/foaf/0.1/name"), Literal(person), pg)]
    return FakeMapped(slug, g, pg, q)


def entry_for(rec: FakeMapped, source: str) -> SourceEntry:
    return SourceEntry(source, Path(source).name, "0" * 64, 1, 1, rec.slug, str(rec.graph),
                       str(rec.personal_graph))


def write(path: Path, records: list[FakeMapped], *, incremental: bool = False,
          personal_data: bool = True) -> str:
    with open_writer(path, BASE, incremental=incremental) as writer:
        for rec in records:
            writer.add_record(encode_record(rec, BASE, personal_data=personal_data),
                              entry_for(rec, f"/src/{rec.slug}.txt"))
        writer.rebuild_entities()
        build_id = writer.build_id
    return build_id


def count(store: Store, where: str) -> int:
    row = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))
    return int(row["n"].value)


def test_pyoxigraph_union_default_graph_does_not_deduplicate():
    """The finding the store design rests on (docs/guide/store.md)."""
    s = ox.Store()
    s.load(b'<http://x/o> <http://x/l> "A" <http://x/g1> .\n'
           b'<http://x/o> <http://x/l> "A" <http://x/g2> .\n', ox.RdfFormat.N_QUADS)
    rows = list(s.query("SELECT ?o WHERE { ?s <http://x/l> ?o }", use_default_graph_as_union=True))
    assert len(rows) == 2


def test_shared_entities_stored_once_so_aggregates_do_not_double_count(tmp_path):
    write(tmp_path, [fake_record("a", 100, ["ale-kommun", "af"]),
                     fake_record("b", 50, ["ale-kommun"])])
    store = Store(tmp_path)
    # the organisation's label is one triple, although two records describe it
    assert count(store, f"<{BASE}id/org/ale-kommun> <{SKOS.prefLabel}> ?l") == 1
    # projects per organisation, joined through the label: no duplicates
    rows = list(store.query(
        f"SELECT ?l (COUNT(?p) AS ?n) WHERE {{ ?p <{ESF}partner> ?o . ?o <{SKOS.prefLabel}> ?l }}"
        " GROUP BY ?l ORDER BY ?l"))
    assert [(r["l"].value, int(r["n"].value)) for r in rows] == [("Af", 1), ("Ale-Kommun", 2)]
    # no triple lives in two named graphs
    dupes = list(store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 "
                             "{ ?s ?p ?o } FILTER(STR(?g1) < STR(?g2)) }", union=False))
    assert dupes == []
    assert NAMES.entities in store.named_graphs()
    assert count(store, f"GRAPH <{NAMES.record('a')}> {{ ?s ?p ?o }}") == 7  # 5 own + 2 partner links


def test_literals_survive_encoding(tmp_path):
    write(tmp_path, [fake_record("a", 1, [])])
    store = Store(tmp_path)
    row = next(iter(store.query(f"SELECT ?n WHERE {{ ?p <{ESF}note> ?n }}")))
    assert row["n"].value == 'line one\nline "two" \\ end'
    assert row["n"].language == "sv"
    grant = next(iter(store.query(f"SELECT ?g WHERE {{ ?p <{ESF}esfGrantSEK> ?g }}")))["g"]
    assert grant.datatype.value == str(XSD.decimal) and grant.value == "1"


def test_blank_nodes_do_not_collide_across_records(tmp_path):
    recs = [fake_record("a", 1, []), fake_record("b", 2, [])]
    for rec in recs:
        b = BNode("n1")
        rec.quads.append((URIRef(NAMES.project(rec.slug)), URIRef(ESF + "x"), b, rec.graph))
        rec.quads.append((b, RDFS.label, Literal(rec.slug), rec.graph))
    write(tmp_path, recs)
    rows = list(Store(tmp_path).query(f"SELECT DISTINCT ?b WHERE {{ ?p <{ESF}x> ?b }}"))
    assert len(rows) == 2


def test_term_nt_rejects_unknown_terms():
    with pytest.raises(StoreError):
        term_nt(42)


def test_personal_data_goes_with_its_record_and_can_be_left_out(tmp_path):
    write(tmp_path, [fake_record("a", 1, ["x"], person="ylva")])
    store = Store(tmp_path)
    assert count(store, "?p <http://xmlns.com/foaf/0.1/name> ?n") == 1
    assert NAMES.personal("a") in store.named_graphs()
    assert NAMES.personal_shared in store.named_graphs()
    no_personal = tmp_path / "np"
    write(no_personal, [fake_record("a", 1, ["x"], person="ylva")], personal_data=False)
    store2 = Store(no_personal)
    assert not any(NAMES.is_personal(g) for g in store2.named_graphs())
    assert count(store2, "?p <http://xmlns.com/foaf/0.1/name> ?n") == 0


def test_incremental_replace_and_remove(tmp_path):
    first = write(tmp_path, [fake_record("a", 100, ["shared", "only-a"], person="p"),
                             fake_record("b", 50, ["shared"])])
    old_version = current_version(tmp_path)
    # replace a: new amount, no longer partners with only-a
    with open_writer(tmp_path, BASE, incremental=True) as writer:
        rec = fake_record("a", 200, ["shared"])
        writer.add_record(encode_record(rec, BASE), entry_for(rec, "/src/a.txt"))
        writer.rebuild_entities()
    store = Store(tmp_path)
    assert store.build_id != first
    total = next(iter(store.query(f"SELECT (SUM(?g) AS ?t) WHERE {{ ?p <{ESF}esfGrantSEK> ?g }}")))
    assert int(total["t"].value) == 250
    assert count(store, f"<{BASE}id/org/only-a> ?p ?o") == 0
    assert count(store, f"<{BASE}id/org/shared> <{SKOS.prefLabel}> ?l") == 1
    assert NAMES.personal("a") not in store.named_graphs()  # the new a has no contact
    # the previous version is kept (a reader may have it open), older ones are collected
    assert old_version.exists()
    # remove b: its graphs go, the shared org stays (a still names it)
    with open_writer(tmp_path, BASE, incremental=True) as writer:
        writer.remove_entry(writer.find_source("b.txt"))
        writer.rebuild_entities()
    store = Store(tmp_path)
    assert NAMES.record("b") not in store.named_graphs()
    assert [e.slug for e in store.sources()] == ["a"]
    assert count(store, f"<{BASE}id/org/shared> <{SKOS.prefLabel}> ?l") == 1
    assert not old_version.exists()
    assert len(list(tmp_path.glob("v-*"))) == 2


def test_failed_write_leaves_previous_store_whole(tmp_path):
    write(tmp_path, [fake_record("a", 100, ["x"])])
    before = Store(tmp_path).build_id
    with pytest.raises(RuntimeError), open_writer(tmp_path, BASE) as writer:
        rec = fake_record("z", 1, [])
        writer.add_record(encode_record(rec, BASE), entry_for(rec, "/src/z.txt"))
        writer.flush()
        raise RuntimeError("boom")
    store = Store(tmp_path)
    assert store.build_id == before
    assert [e.slug for e in store.sources()] == ["a"]
    assert len(list(tmp_path.glob("v-*"))) == 1


def test_no_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="esfgraph build"):
        Store(tmp_path / "nothing")
    with pytest.raises(StoreError):
        db_dir(tmp_path / "nothing")


def test_second_writer_is_refused_while_one_writes(tmp_path):
    with open_writer(tmp_path, BASE) as writer:
        writer.rebuild_entities()
        with pytest.raises(StoreError, match="another build"), open_writer(tmp_path, BASE):
            pass


def test_base_iri_change_needs_a_full_build(tmp_path):
    write(tmp_path, [fake_record("a", 1, [])])
    with pytest.raises(StoreError, match="base IRI"), \
            open_writer(tmp_path, "https://example.org/", incremental=True):
        pass
    assert Store(tmp_path).base_iri == BASE


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from test_store import BASE, fake_record, entry_for
    from esfgraph.store import open_writer, encode_record
    with open_writer({store!r}, BASE) as writer:
        for i in range(100000):
            rec = fake_record(f"k{{i}}", i, ["org-" + str(i % 7)])
            writer.add_record(encode_record(rec, BASE), entry_for(rec, f"/src/k{{i}}.txt"))
            if i % 50 == 0:
                writer.flush()
            if i == 200:
                open({flag!r}, "w").close()
            time.sleep(0.001)
""")


def test_sigkill_mid_write_leaves_previous_store_queryable(tmp_path):
    store_dir = tmp_path / "store"
    write(store_dir, [fake_record("a", 100, ["x"]), fake_record("b", 7, ["x"])])
    before = Store(store_dir).build_id
    flag = tmp_path / "midway"
    script = KILL_SCRIPT.format(tests=str(Path(__file__).parent), store=str(store_dir),
                                flag=str(flag))
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, "the writer ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert len(list(store_dir.glob("v-*"))) == 2  # the old version and the half-written one
    store = Store(store_dir)
    assert store.build_id == before
    total = next(iter(store.query(f"SELECT (SUM(?g) AS ?t) WHERE {{ ?p <{ESF}esfGrantSEK> ?g }}")))
    assert int(total["t"].value) == 107
    # the next writer clears the half-written version away
    write(store_dir, [fake_record("c", 1, [])], incremental=True)
    assert len(list(store_dir.glob("v-*"))) == 2
    assert sorted(e.slug for e in Store(store_dir).sources()) == ["a", "b", "c"]


def test_reader_sees_its_version_and_knows_when_it_is_stale(tmp_path):
    write(tmp_path, [fake_record("a", 1, ["x"])])
    reader = Store(tmp_path)
    assert not reader.is_stale()
    write(tmp_path, [fake_record("b", 2, [])], incremental=True)
    assert reader.is_stale()
    # the old reader still answers from its own, unchanged version
    assert [e.slug for e in reader.sources()] == ["a"]
    assert count(reader, f"?p <{ESF}esfGrantSEK> ?g") == 1
    info = Store(tmp_path).info()
    assert info.sources == 2 and info.base_iri == BASE and info.quads > 0
