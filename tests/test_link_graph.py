"""The reference graph and the 290-municipality record: every municipality linked with code,
county, region and NUTS links; shapes conform."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from esfgraph.link import Gazetteer, default_gazetteer
from esfgraph.namespaces import ESF, EU_COUNTRY, NUTS, RDF, RDFS, SKOS, WD
from esfgraph.record import Record

BASE = "https://example.org/esf/"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="module")
def graph(gaz: Gazetteer) -> Graph:
    return gaz.reference_graph(BASE)


def u(path: str) -> URIRef:
    return URIRef(BASE + path)


def test_record_naming_all_290_municipalities(gaz: Gazetteer, graph: Graph) -> None:
    """Every municipality named on a page resolves to its code, county, region and graph node."""
    names = [m.name for m in gaz.municipalities.values()]
    record = Record(source="all.txt", layout="2014-2020", municipalities=names,
                    cofinanciers=[m.org_name for m in gaz.municipalities.values()])
    assert len(record.municipalities) == 290
    for name, org_name in zip(record.municipalities, record.cofinanciers):
        m = gaz.municipality(name)
        assert m is not None, name
        county = gaz.county(m.county_code)
        region = gaz.region_of_municipality(m)
        assert county is not None and region is not None and region.nuts2 == county.nuts2
        assert m.county_code in region.county_codes
        node = u(f"id/municipality/{m.code}")
        assert (node, ESF.scbCode, Literal(m.code)) in graph
        assert (node, ESF.county, u(f"id/county/{m.county_code}")) in graph
        assert (node, ESF.region, u(f"id/region/{region.nuts2}")) in graph
        assert (node, SKOS.prefLabel, Literal(name, lang="sv")) in graph
        org = gaz.resolve_org(org_name, record)
        assert (org.kind, org.municipality_code) == ("municipality", m.code), org_name


def test_reference_graph_contents(graph: Graph) -> None:
    assert len(set(graph.subjects(RDF.type, ESF.Municipality))) == 290
    assert len(set(graph.subjects(RDF.type, ESF.County))) == 21
    assert len(set(graph.subjects(RDF.type, ESF.Region))) == 9
    ale = u("id/municipality/1440")
    assert (ale, RDFS.label, Literal("Ale kommun", lang="sv")) in graph
    assert (u("id/municipality/0980"), RDFS.label, Literal("Gotlands kommun", lang="sv")) in graph
    vg = u("id/county/14")
    assert (vg, RDFS.label, Literal("Västra Götalands län", lang="sv")) in graph
    assert (vg, ESF.nuts3, Literal("SE232")) in graph
    assert (vg, SKOS.exactMatch, URIRef("http://data.europa.eu/nuts/code/SE232")) in graph
    west = u("id/region/SE23")
    assert (west, ESF.nuts2, Literal("SE23")) in graph
    assert (west, SKOS.exactMatch, NUTS["SE23"]) in graph
    assert set(graph.objects(west, ESF.containsCounty)) == {u("id/county/13"), vg}
    national = u("id/region/national")
    assert (national, RDFS.label, Literal("Nationellt", lang="sv")) in graph
    assert not list(graph.objects(national, ESF.nuts2))
    se = u("id/place/SE")
    assert (se, RDF.type, URIRef("https://schema.org/Country")) in graph
    assert (se, SKOS.exactMatch, EU_COUNTRY["SWE"]) in graph
    assert (se, SKOS.exactMatch, WD["Q34"]) in graph
    from rdflib.namespace import OWL
    assert not list(graph.triples((None, OWL.sameAs, None)))


def test_reference_graph_conforms_to_the_shapes(graph: Graph) -> None:
    from pyshacl import validate

    from esfgraph.resources import shapes_dir

    shapes = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes.parse(path)
    assert len(shapes) > 100
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_graph_is_deterministic(gaz: Gazetteer, graph: Graph) -> None:
    from rdflib.compare import isomorphic
    assert isomorphic(graph, gaz.reference_graph(BASE))
    assert graph.identifier == URIRef(BASE + "graph/reference")
