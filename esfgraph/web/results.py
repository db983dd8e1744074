"""A /sparql answer as HTML, rendered on the server for the query page.

The query page lives with the explorer; the answer's table is plain HTML of SPARQL JSON results
with IRIs under the base made local links, so it sits below the explorer and the protocol.
"""

from __future__ import annotations

import html

from esfgraph.web.statements import SAFE_SCHEMES, local_href

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


__all__ = ["GRAPH_CHARS", "RESULT_ROWS", "results_html"]
