"""The reference graph: municipalities, counties, ESF regions and Sweden, linked to NUTS/Wikidata.

Links use skos:exactMatch, not owl:sameAs: a municipality here is a place described by SCB codes,
and Wikidata's item or the NUTS concept say other things about a related resource; owl:sameAs
would merge all their statements under reasoning (docs/guide/link.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef

from esfgraph.link.model import Municipality
from esfgraph.namespaces import ESF, EU_COUNTRY, NUTS, PREFIXES, RDF, RDFS, SCHEMA, SKOS, WD

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.link.gazetteer import Gazetteer

SWEDEN_WIKIDATA = "Q34"


def municipality_label(m: Municipality) -> str:
    """The place name "X kommun" ("Ale kommun", "Falu kommun", "Gotlands kommun")."""
    if m.org_name.endswith(" kommun"):
        return m.org_name
    for alias in m.aliases:
        if alias.endswith(" kommun"):
            return alias
    return f"{m.name} kommun"


def build_reference_graph(gaz: "Gazetteer", base_iri: str) -> Graph:
    """Build the reference graph of docs/DATA-MODEL.md under `base_iri` (all 290 municipalities)."""
    g = Graph(identifier=URIRef(f"{base_iri}graph/reference"))
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("nuts", str(NUTS))

    def sv(text: str) -> Literal:
        return Literal(text, lang="sv")

    sweden = URIRef(f"{base_iri}id/place/SE")
    g.add((sweden, RDF.type, SCHEMA.Country))
    g.add((sweden, RDFS.label, sv("Sverige")))
    g.add((sweden, RDFS.label, Literal("Sweden", lang="en")))
    g.add((sweden, ESF.countryCode, Literal("SE")))
    g.add((sweden, SKOS.exactMatch, EU_COUNTRY["SWE"]))
    g.add((sweden, SKOS.exactMatch, WD[SWEDEN_WIKIDATA]))

    def region_iri(nuts2: str | None) -> URIRef:
        return URIRef(f"{base_iri}id/region/{nuts2 or 'national'}")

    for r in gaz.regions.values():
        node = region_iri(r.nuts2)
        g.add((node, RDF.type, ESF.Region))
        g.add((node, RDFS.label, sv(r.name)))
        g.add((node, SKOS.prefLabel, sv(r.name)))
        if r.nuts2:
            g.add((node, ESF.nuts2, Literal(r.nuts2)))
            g.add((node, SKOS.exactMatch, NUTS[r.nuts2]))
        if r.wikidata:
            g.add((node, SKOS.exactMatch, WD[r.wikidata]))
        for cc in r.county_codes:
            g.add((node, ESF.containsCounty, URIRef(f"{base_iri}id/county/{cc}")))

    for c in gaz.counties.values():
        node = URIRef(f"{base_iri}id/county/{c.code}")
        g.add((node, RDF.type, ESF.County))
        g.add((node, RDFS.label, sv(c.name)))
        g.add((node, SKOS.prefLabel, sv(c.name)))
        g.add((node, ESF.countyCode, Literal(c.code)))
        g.add((node, ESF.nuts3, Literal(c.nuts3)))
        g.add((node, SKOS.exactMatch, NUTS[c.nuts3]))
        g.add((node, ESF.region, region_iri(c.nuts2)))
        if c.wikidata:
            g.add((node, SKOS.exactMatch, WD[c.wikidata]))

    for m in gaz.municipalities.values():
        node = URIRef(f"{base_iri}id/municipality/{m.code}")
        g.add((node, RDF.type, ESF.Municipality))
        g.add((node, RDFS.label, sv(municipality_label(m))))
        g.add((node, SKOS.prefLabel, sv(m.name)))
        g.add((node, ESF.scbCode, Literal(m.code)))
        g.add((node, ESF.county, URIRef(f"{base_iri}id/county/{m.county_code}")))
        g.add((node, ESF.region, region_iri(m.nuts2)))
        if m.wikidata:
            g.add((node, SKOS.exactMatch, WD[m.wikidata]))
    return g
