"""The build summary, VoID and the dataset description count what the store and exports hold."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from esfgraph.export import export
from esfgraph.pipeline import build
from esfgraph.store import Store
from tests.conftest import SEEDS

VOID = "http://rdfs.org/ns/void#"
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"


def test_triple_and_class_counts_equal_the_store_and_the_export(tmp_path: Path) -> None:
    report = build([SEEDS], store_path=tmp_path / "s", validate=False, jobs=1)
    store = Store(tmp_path / "s")
    held = store.quads_count()
    assert report.triples == held
    void = [int(row[0].value) for row in store.query(f"SELECT ?n WHERE {{ ?d <{VOID}triples> ?n }}")]
    assert void == [held]
    export(store, "nq", tmp_path / "all.nq")
    assert len(list(ox.parse(path=str(tmp_path / "all.nq"), format=ox.RdfFormat.N_QUADS))) == held
    concepts = int(next(iter(store.query(
        f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH ?g {{ ?c a <{SKOS_CONCEPT}> }} "
        f"FILTER(?g != <https://w3id.org/esfgraph/graph/dataset>) }}")))[0].value)
    assert concepts > 15
    assert report.entities_by_class[SKOS_CONCEPT] == concepts
    part = int(next(iter(store.query(
        f"SELECT ?n WHERE {{ ?p <{VOID}class> <{SKOS_CONCEPT}> ; <{VOID}entities> ?n }}")))[0].value)
    assert part == concepts
