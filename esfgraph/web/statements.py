"""The statements of an entity as HTML: every fact, IRIs made local links, literals typed.

Shared by the server's plain entity pages (esfgraph.serve.pages) and the explorer's cards, which
show the same tables in a <details>; it lives below both so neither imports the other.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from esfgraph.namespaces import PREFIXES

Term = tuple[str, str, "str | None", "str | None"]  # (kind, value, language, datatype)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Schemes that may become clickable links (never `javascript:` and the like).
SAFE_SCHEMES = ("http://", "https://", "mailto:")

#: Outgoing facts of ?s with a label for each object; ?s is bound by substitution, never pasted.
OUTGOING_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?g ?p ?o ?label WHERE {
  VALUES ?s { {{s}} }
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?o skos:prefLabel|rdfs:label|dcterms:title|foaf:name ?label }
}"""
#: Facts pointing at ?s, with a label for each subject.
INCOMING_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?x ?p ?label WHERE {
  VALUES ?s { {{s}} }
  ?x ?p ?s
  OPTIONAL { ?x skos:prefLabel|rdfs:label|dcterms:title ?label }
} LIMIT 500"""


@dataclass
class Fact:
    """One row of an entity page."""

    predicate: str
    value: Term
    label: str | None
    graph: str | None = None


def facts_from_rows(rows: list[dict], pred: str, value: str, label: str,
                    graph: str | None) -> list[Fact]:
    """Rows of the page queries → facts, one per (predicate, value, graph) with its first label."""
    seen: dict[tuple, Fact] = {}
    for row in rows:
        if pred not in row or value not in row:
            continue
        g = row[graph][1] if graph and graph in row else None
        key = (row[pred][1], row[value], g)
        if key not in seen:
            lab = row[label][1] if label in row else None
            seen[key] = Fact(row[pred][1], row[value], lab, g)
    return list(seen.values())


def compact(iri: str) -> str:
    """`prefix:local` for IRIs in a known namespace, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    if best:
        return f"{name}:{iri[len(best):]}"
    return iri


def local_href(iri: str, base_iri: str) -> str | None:
    """The path on this server of an IRI under the base IRI (None for other IRIs)."""
    if iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/" + iri[len(base_iri):]
    return None


def _link(iri: str, base_iri: str, text: str | None = None) -> str:
    local = local_href(iri, base_iri)
    default = compact(iri)
    if local and default == iri:
        default = iri[len(base_iri):]  # e.g. graph/record/x rather than the whole IRI
    shown = html.escape(text or default)
    if local:
        return f'<a href="{html.escape(local, quote=True)}">{shown}</a>'
    if iri.startswith(SAFE_SCHEMES):
        css = "external wikidata" if "wikidata.org/" in iri else "external"
        return (f'<a class="{css}" href="{html.escape(iri, quote=True)}" rel="noopener">'
                f"{shown}</a>")
    return f"<span>{shown}</span>"


def render_term(term: Term, base_iri: str, label: str | None = None) -> str:
    """HTML for one RDF term: local links for our IRIs, external links, typed literals."""
    kind, value, lang, datatype = term
    if kind == "uri":
        inner = _link(value, base_iri, label)
        if label:
            inner += f' <span class="iri">{html.escape(compact(value))}</span>'
        return inner
    if kind == "bnode":
        return f"<span>_:{html.escape(value)}</span>"
    text = f'<span class="literal">{html.escape(value)}</span>'
    if lang:
        text += f' <span class="lang">@{html.escape(lang)}</span>'
    elif datatype:
        text += f' <span class="datatype">{html.escape(compact(datatype))}</span>'
    return text


def statements_html(base_iri: str, outgoing: list[Fact], incoming: list[Fact],
                    labels: tuple[str, ...] = ("property", "value", "graph", "Linked from",
                                               "subject")) -> str:
    """The statement tables of an entity: its outgoing facts (with their graph) and what links
    to it. Shared by the plain entity page and the explorer's cards (kept there in a <details>)."""
    prop, val, graph_h, linked, subject = (html.escape(x) for x in labels)
    rows = []
    for fact in sorted(outgoing, key=lambda f: (f.predicate != RDF_TYPE, compact(f.predicate))):
        graph = (f'<td class="graph">{_link(fact.graph, base_iri)}</td>' if fact.graph
                 else "<td></td>")
        rows.append(f"<tr><th>{_link(fact.predicate, base_iri)}</th>"
                    f"<td>{render_term(fact.value, base_iri, fact.label)}</td>{graph}</tr>")
    back = []
    for fact in sorted(incoming, key=lambda f: (compact(f.predicate), f.label or f.value[1])):
        back.append(f"<tr><td>{render_term(fact.value, base_iri, fact.label)}</td>"
                    f"<th>{_link(fact.predicate, base_iri)}</th></tr>")
    incoming_html = (
        f'<h2>{linked}</h2><table class="facts"><thead><tr><th>{subject}</th><th>{prop}'
        f"</th></tr></thead><tbody>{''.join(back)}</tbody></table>" if back else "")
    return (f'<table class="facts"><thead><tr><th>{prop}</th><th>{val}</th><th>{graph_h}</th>'
            f"</tr></thead>\n<tbody>{''.join(rows)}</tbody></table>\n{incoming_html}")


__all__ = [
    "INCOMING_QUERY",
    "OUTGOING_QUERY",
    "RDF_TYPE",
    "SAFE_SCHEMES",
    "Fact",
    "Term",
    "compact",
    "facts_from_rows",
    "local_href",
    "render_term",
    "statements_html",
]
