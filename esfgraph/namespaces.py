"""Every namespace esfgraph uses, as UPPER_CASE constants (one place to change them)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD

#: esfgraph's own ontology terms (fixed; not affected by the data base IRI).
ESF = Namespace("https://w3id.org/esfgraph/ontology#")
#: SKOS concepts shipped in ontology/ (programme areas, phases, regions, ...); fixed IRIs.
CONCEPT = Namespace("https://w3id.org/esfgraph/concept/")
from esfgraph.config import DEFAULT_BASE_IRI  # noqa: E402  (kept in config: no rdflib there)

SCHEMA = SDO  # https://schema.org/
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EURIO = Namespace("http://data.europa.eu/s66#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
GEONAMES = Namespace("https://sws.geonames.org/")

PREFIXES: dict[str, str] = {
    "esf": str(ESF),
    "concept": str(CONCEPT),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "void": str(VOID),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "eurio": str(EURIO),
    "sh": str(SH),
    "wd": str(WD),
    "wdt": str(WDT),
    "nuts": str(NUTS),
    "eucountry": str(EU_COUNTRY),
}

__all__ = [
    "CONCEPT", "DCAT", "DCTERMS", "DEFAULT_BASE_IRI", "ESF", "EU_COUNTRY", "EURIO", "FOAF",
    "GEONAMES", "NUTS", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SH", "SKOS",
    "VCARD", "VOID", "WD", "WDT", "XSD",
]
