"""HTML pages of entities (linked data for browsers): labels, all facts, links made local.

The plain page of an entity the explorer has no card for, the 404 page, and the queries the
server runs for an entity IRI (its RDF description, the 303 of a moved project IRI). The
statement tables themselves are shared with the explorer (esfgraph.web.statements).
"""

from __future__ import annotations

import html

from esfgraph.web.statements import RDF_TYPE, Fact, compact, statements_html

#: Predicates whose value names an entity, best first.
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
)
#: The RDF description of ?s served to RDF clients (its outgoing triples).
DESCRIBE_QUERY = "CONSTRUCT { {{s}} ?p ?o } WHERE { {{s}} ?p ?o }"

#: The IRI a project's old IRI now names (issue 22 changed the project IRI rule; the record graph
#: keeps `<old> owl:sameAs <new>`): the server answers the old IRI with 303 to the new one.
MOVED_QUERY = """
SELECT ?new WHERE {
  VALUES ?s { {{s}} }
  GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?new }
  FILTER NOT EXISTS { GRAPH ?h { ?s a ?type } }
} LIMIT 1"""


def pick_label(facts: list[Fact]) -> str | None:
    """The entity's own label: prefLabel, then rdfs:label, title, name."""
    for predicate in LABEL_PREDICATES:
        for fact in facts:
            if fact.predicate == predicate and fact.value[0] == "literal":
                return fact.value[1]
    return None


def entity_page(iri: str, base_iri: str, outgoing: list[Fact], incoming: list[Fact],
                data_path: str) -> str:
    """The full HTML page of one entity (entities the explorer has no card for)."""
    label = pick_label(outgoing)
    title = label or compact(iri)
    types = sorted({compact(f.value[1]) for f in outgoing
                    if f.predicate == RDF_TYPE and f.value[0] == "uri"})
    data = html.escape(data_path, quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · esfgraph</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="text/turtle" href="{data}?format=ttl">
<link rel="alternate" type="application/ld+json" href="{data}?format=jsonld">
</head><body class="entity">
<header><a href="/">esfgraph</a> · <a href="/query">SPARQL queries</a></header>
<main>
<h1>{html.escape(title)}</h1>
<p class="iri-line"><code>{html.escape(iri)}</code> {' '.join(f'<span class="type">{html.escape(t)}</span>' for t in types)}</p>
<p class="formats">Data: <a href="{data}?format=ttl">Turtle</a> · <a href="{data}?format=nt">N-Triples</a>
 · <a href="{data}?format=jsonld">JSON-LD</a> · <a href="{data}?format=rdf">RDF/XML</a></p>
{statements_html(base_iri, outgoing, incoming)}
</main></body></html>"""


__all__ = [
    "DESCRIBE_QUERY",
    "LABEL_PREDICATES",
    "MOVED_QUERY",
    "entity_page",
    "pick_label",
]
