"""The project card's sources: which sources describe the project, and its Kohesio links.

Its own module (and template, `_sources.html`) so that it stays apart from the rest of the
card: a page saved from esf.se, a row of the ESF Council's project list, a row of Kohesio's
list of operations, each named with its file; and the links out to the project's Kohesio entity
and page, which only exist where a Kohesio file named the item.
"""

from __future__ import annotations

from typing import Any

from esfgraph.web import format as fmt
from esfgraph.explore.web.graphdata import PREFIXES, Runner, value

SOURCES = PREFIXES + """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?kind ?file ?row ?when ?same ?page ?sek ?eur WHERE {
  VALUES ?s { {{s}} }
  { ?s prov:wasDerivedFrom ?src . ?src dcterms:identifier ?file .
    OPTIONAL { ?src esf:sourceKind ?k0 } BIND(COALESCE(?k0, "page") AS ?kind)
    OPTIONAL { GRAPH ?g { ?s prov:wasDerivedFrom ?src } ?g prov:generatedAtTime ?when } }
  UNION { ?d esf:describes ?s ; esf:sourceKind ?kind ; prov:wasDerivedFrom ?src .
          ?src dcterms:identifier ?file OPTIONAL { ?d esf:sourceRow ?row }
          OPTIONAL { ?d esf:totalBudgetSEK ?sek }
          OPTIONAL { ?d esf:totalEligibleExpenditureEUR ?eur } }
  UNION { ?s schema:sameAs ?same FILTER(STRSTARTS(STR(?same), "https://linkedopendata.eu/"))
          OPTIONAL { ?s foaf:page ?page
                     FILTER(STRSTARTS(STR(?page), "https://kohesio.ec.europa.eu/")) } }
}"""

_NAMES = {"page": ("esf.se (sparad sida)", "esf.se (saved page)"),
          "page-html": ("esf.se", "esf.se"),
          "esf-list": ("ESF-rådets projektlista", "the ESF Council's project list"),
          "kohesio": ("Kohesio", "Kohesio")}
_ROW = ("rad", "row")
_BUILT = ("inläst", "read")
_BUDGET = ("total budget", "total budget")
_EUR = ("stödberättigande utgifter", "eligible expenditure")


async def project_sources(run: Runner, iri: str, lang: str) -> dict[str, Any]:
    """{sources: [{name, file, row, when, amounts}], kohesio: [{entity, page}]} of a project."""
    rows = await run(SOURCES, {"s": iri})
    i = 0 if lang == "sv" else 1
    sources: list[dict[str, Any]] = []
    kohesio: list[dict[str, Any]] = []
    for row in rows:
        same = value(row, "same")
        if same:
            link = {"entity": same, "page": value(row, "page")}
            if link not in kohesio:
                kohesio.append(link)
            continue
        kind = value(row, "kind") or "page"
        when = (value(row, "when") or "")[:10]
        # each amount in its own currency, as the source gives it (never converted or added)
        amounts = []
        if value(row, "sek"):
            amounts.append(f"{_BUDGET[i]} {fmt.money(value(row, 'sek'), lang)}")
        if value(row, "eur"):
            amounts.append(f"{_EUR[i]} {fmt.number(value(row, 'eur'), lang)}\u00a0EUR")
        item = {"name": _NAMES.get(kind, (kind, kind))[i], "file": value(row, "file"),
                "row": f"{_ROW[i]} {value(row, 'row')}" if value(row, "row") else None,
                "when": f"{_BUILT[i]} {when}" if when else None, "amounts": amounts}
        if item not in sources:
            sources.append(item)
    order = list(_NAMES)
    kind_of = {v[i]: k for k, v in _NAMES.items()}
    sources.sort(key=lambda s: (order.index(kind_of.get(s["name"], "page")), s["file"] or ""))
    return {"sources": sources, "kohesio": sorted(kohesio, key=lambda k: k["entity"])}


__all__ = ["SOURCES", "project_sources"]
