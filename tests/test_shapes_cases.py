"""Shape cases: tests/shapes/<Shape>/{valid,invalid}-*.ttl with their expected results.

Each file states what must come out in `# expect:` comment lines, one per expected result:
`# expect: sourceShape=esfsh:ProjectTitle path=dcterms:title`, or `# expect: conforms`.
Both esfgraph's validator and whole-graph pySHACL must produce exactly that multiset.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from esfgraph.namespaces import PREFIXES
from esfgraph.validate import (
    pyshacl_graph_report,
    results_from_report_graph,
    validate_graph,
)

CASES_DIR = Path(__file__).parent / "shapes"
CASES = sorted(CASES_DIR.glob("*/*.ttl"))
PREFIX = dict(PREFIXES, esfsh="https://w3id.org/esfgraph/shapes#")
EXPECT = re.compile(r"^# expect:\s*(.*)$", re.MULTILINE)


def _iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIX[prefix] + local)


def _expected(path: Path) -> Counter:
    out: Counter = Counter()
    lines = EXPECT.findall(path.read_text(encoding="utf-8"))
    assert lines, f"{path}: no '# expect:' line"
    for line in lines:
        if line.strip() == "conforms":
            continue
        fields = dict(item.split("=", 1) for item in line.split())
        path_iri = _iri(fields["path"]) if "path" in fields else None
        out[(_iri(fields["sourceShape"]), path_iri)] += 1
    return out


def test_every_node_shape_has_cases() -> None:
    names = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert {"Project", "Grant", "MonetaryAmount", "Participation", "Organization", "Person",
            "Municipality", "County", "Region"} <= names
    for name in names:
        assert list((CASES_DIR / name).glob("invalid-*.ttl")), f"{name} has no invalid case"


def test_invalid_cases_expect_results_and_valid_cases_none() -> None:
    for case in CASES:
        expected = _expected(case)
        assert bool(expected) == case.name.startswith("invalid-"), case


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_case(case: Path) -> None:
    data = Graph().parse(case)
    expected = _expected(case)
    ours = validate_graph(data, jobs=1)
    got = Counter((r.source_shape, r.path) for r in ours.results)
    assert got == expected, ours.to_text()
    assert ours.conforms == (not expected)
    reference = results_from_report_graph(pyshacl_graph_report(data))
    assert Counter((r.source_shape, r.path) for r in reference) == expected
