"""The page of a country or a place abroad (`/id/place/FI`, `/id/place/GB-ELN`), by SPARQL.

Why a module of its own: the contacts abroad are a different question from the Swedish places
(graphdata.place_page): who the projects worked with there, the sentence that names each
contact, and the money of those projects. SPARQL (not the index), so it also works in front of
a remote store.
"""

from __future__ import annotations

from typing import Any

from esfgraph.web import format as fmt
from esfgraph.explore.web.graphdata import (
    ESF,
    FACTS,
    PREFIXES,
    SCHEMA,
    SKOS,
    Labels,
    Runner,
    _own_first,
    link,
    value,
)

#: a place abroad (a country, or a place in one): the contacts there and their projects. A
#: country's contacts are the country itself, its places and the organisations located there.
ABROAD_CONTACTS = PREFIXES + """SELECT ?p ?title ?start ?grant ?agent ?agentLabel ?code
       ?evidence WHERE {
  { BIND({{s}} AS ?agent) } UNION { ?agent schema:location|schema:containedInPlace {{s}} }
  ?part esf:agent ?agent ; esf:project ?p ;
        esf:role <https://w3id.org/esfgraph/concept/role/transnational-contact> .
  OPTIONAL { ?part esf:evidence ?evidence }
  OPTIONAL { ?agent skos:prefLabel|rdfs:label ?agentLabel }
  OPTIONAL { ?agent esf:countryCode ?code }
  OPTIONAL { ?p dcterms:title ?title } OPTIONAL { ?p schema:startDate ?start }
  OPTIONAL { ?p esf:esfGrantSEK ?grant }
} LIMIT 20000"""


async def abroad_page(run: Runner, iri: str, base: str, lang: str) -> dict[str, Any] | None:
    """A country or a place abroad (`/id/place/FI`): the projects with contacts there, the
    contacts with the sentence that names them, and the money of those projects."""
    from esfgraph.explore.countries import country_name

    facts = await run(FACTS, {"s": iri})
    if not facts:
        return None
    rows = await run(ABROAD_CONTACTS, {"s": iri})
    code = next((value(r, "o") for r in facts if value(r, "p") == ESF + "countryCode"), None)
    within = next((value(r, "o") for r in facts
                   if value(r, "p") == SCHEMA + "containedInPlace"), None)
    labels = Labels()

    def name(agent: str, agent_code: str | None) -> str:
        if agent_code:
            return country_name(agent_code, lang)
        return fmt.exonym(agent, lang) or labels.get(agent, lang)

    projects: dict[str, dict[str, Any]] = {}
    contacts: dict[str, dict[str, Any]] = {}
    for row in rows:
        p, agent = value(row, "p") or "", value(row, "agent") or ""
        labels.add(agent, row, "agentLabel")
        projects.setdefault(p, {"iri": p, "href": link(p, base),
                                "title": value(row, "title") or fmt.local_name(p),
                                "start": value(row, "start"), "grant": value(row, "grant")})
        contact = contacts.setdefault(agent, {"iri": agent, "href": link(agent, base),
                                              "code": value(row, "code"), "projects": {}})
        evidence = contact["projects"].setdefault(p, [])
        if value(row, "evidence") and value(row, "evidence") not in evidence:
            evidence.append(value(row, "evidence"))
    listed = sorted(projects.values(), key=lambda x: (x["start"] or "", x["title"]),
                    reverse=True)
    granted = [fmt.to_decimal(x["grant"]) for x in listed if x["grant"] is not None]
    out_contacts = []
    for agent, info in contacts.items():
        out_contacts.append({"iri": agent, "href": info["href"],
                             "label": name(agent, info["code"]),
                             "projects": [{**projects[p], "evidence": ev}
                                          for p, ev in info["projects"].items()]})
    out_contacts.sort(key=lambda c: c["label"].casefold())
    title_labels = _own_first(facts)
    title = country_name(code, lang) if code else (fmt.exonym(iri, lang) or fmt.pick_label(
        title_labels, lang, fallback=fmt.local_name(iri)))
    return {"iri": iri, "code": code, "title": title,
            "country": ({"iri": within, "href": link(within, base),
                         "label": country_name(fmt.local_name(within), lang)}
                        if within else None),
            "links": sorted({value(r, "o") or "" for r in facts
                             if value(r, "p") == SKOS + "exactMatch"}),
            "totals": {"projects": len(listed), "granted": len(granted),
                       "esfGrantSEK": sum(g for g in granted if g is not None)},
            "projects": listed, "contacts": out_contacts, "facts": facts}


__all__ = ["ABROAD_CONTACTS", "abroad_page"]
