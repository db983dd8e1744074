"""HTML pages of entities (linked data for browsers): labels, all facts, links made local."""

from __future__ import annotations

import html
from dataclasses import dataclass

from esfgraph.namespaces import PREFIXES

Term = tuple[str, str, "str | None", "str | None"]  # (kind, value, language, datatype)

#: Predicates whose value names an entity, best first.
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
)
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


def pick_label(facts: list[Fact]) -> str | None:
    """The entity's own label: prefLabel, then rdfs:label, title, name."""
    for predicate in LABEL_PREDICATES:
        for fact in facts:
            if fact.predicate == predicate and fact.value[0] == "literal":
                return fact.value[1]
    return None


def statements_html(base_iri: str, outgoing: list[Fact], incoming: list[Fact],
                    labels: tuple[str, ...] = ("property", "value", "graph", "Linked from",
                                               "subject")) -> str:
    """The statement tables of an entity: its outgoing facts (with their graph) and what links
    to it. Shared by this plain page and the explorer's cards (kept there in a <details>)."""
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


#: Rows of a query answer rendered on the server (the script pages through the rest).
RESULT_ROWS = 100
#: Characters of a graph answer shown on the server.
GRAPH_CHARS = 100_000
_NUMERIC = ("integer", "decimal", "double", "float", "long", "int", "short",
            "nonNegativeInteger", "positiveInteger")


def _result_cell(term: dict, base_iri: str) -> str:
    kind, value = term.get("type"), str(term.get("value", ""))
    if kind == "uri":
        local = local_href(value, base_iri)
        href = local or (value if value.startswith(SAFE_SCHEMES) else None)
        if href:
            return f'<a href="{html.escape(href, quote=True)}">{html.escape(value)}</a>'
        return html.escape(value)
    if kind == "bnode":
        return f"_:{html.escape(value)}"
    if kind == "triple":
        import json

        return html.escape(json.dumps(term.get("value"), ensure_ascii=False))
    text = html.escape(value)
    lang = term.get("xml:lang")
    if lang:
        text += f' <span class="lang">@{html.escape(str(lang))}</span>'
    return text


def _is_number(term: dict | None) -> bool:
    datatype = str((term or {}).get("datatype", ""))
    return bool(term) and term.get("type") == "literal" and datatype.rsplit("#", 1)[-1] in _NUMERIC


def results_html(status: int, media_type: str, body: bytes, base_iri: str,
                 truncated: str | None = None) -> str:
    """HTML of one /sparql answer for the query page, rendered on the server so a shared
    `/query?query=…` link shows its answer without JavaScript (the script then replaces it with
    the sortable table and the chart). Everything from the answer is escaped.

    Args:
        status: the answer's HTTP status (not 200: its message is shown as an error).
        media_type: its Content-Type (SPARQL JSON results, or a graph format shown as text).
        body: its bytes.
        base_iri: the store's base IRI (links to its resources stay on this server).
        truncated: the server's row-cap note, if any.
    """
    import json

    text = body.decode("utf-8", errors="replace")
    if status != 200:
        return (f'<p class="error" id="server-status">{status}</p>'
                f'<pre class="error">{html.escape(text.strip())}</pre>')
    if not media_type.startswith("application/sparql-results+json"):
        shown = text[:GRAPH_CHARS]
        more = "\n…" if len(text) > len(shown) else ""
        return f'<pre class="graph">{html.escape(shown + more)}</pre>'
    try:
        data = json.loads(text)
    except ValueError:
        return f'<pre class="graph">{html.escape(text[:GRAPH_CHARS])}</pre>'
    if isinstance(data.get("boolean"), bool):
        return f'<p class="boolean">{str(data["boolean"]).lower()}</p>'
    variables = [str(v) for v in data.get("head", {}).get("vars", [])]
    rows = data.get("results", {}).get("bindings", [])
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
    body_rows = []
    for row in rows[:RESULT_ROWS]:
        cells = []
        for var in variables:
            term = row.get(var)
            css = ' class="num"' if _is_number(term) else ""
            cells.append(f"<td{css}>{_result_cell(term, base_iri) if term else ''}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    if len(rows) > RESULT_ROWS:
        count += f", the first {RESULT_ROWS} shown"
    if truncated:
        count += f" ({html.escape(truncated)})"
    return (f'<p class="server-count">{count}</p>'
            f'<table class="results"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body_rows)}</tbody></table>')


def not_found_page(iri: str) -> str:
    """HTML 404 page naming the IRI that is not in the graph."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · esfgraph</title>
<link rel="stylesheet" href="/static/style.css"></head><body class="entity">
<header><a href="/">esfgraph</a></header><main><h1>Not found</h1>
<p>Nothing in this graph is called <code>{html.escape(iri)}</code>.</p></main></body></html>"""


__all__ = [
    "DESCRIBE_QUERY",
    "INCOMING_QUERY",
    "OUTGOING_QUERY",
    "Fact",
    "compact",
    "entity_page",
    "facts_from_rows",
    "local_href",
    "not_found_page",
    "pick_label",
    "render_term",
    "results_html",
    "statements_html",
]
