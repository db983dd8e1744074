"""What the cards and the organisation/place/landing pages show, read from the graph by SPARQL.

Why SPARQL here (and not the search index): these pages must also work in front of a remote
store (`serve --endpoint`), and every figure on them must equal what a SPARQL query on the store
returns. Queries are server templates: the only values put into them are IRIs bound through the
backend's `bind` (validated as IRIs there), never text pasted from the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from esfgraph.web import format as fmt

Term = tuple[str, str, "str | None", "str | None"]
Row = dict[str, Term]
Runner = Callable[[str, dict[str, str]], Awaitable[list[Row]]]

ESF = "https://w3id.org/esfgraph/ontology#"
CONCEPT = "https://w3id.org/esfgraph/concept/"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: an entity's own name: its preferred label first (facts come in store order, so sorted below)
OWN_LABELS = (SKOS + "prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")

PREFIXES = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX concept: <https://w3id.org/esfgraph/concept/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
#: where the project's page was fetched from (a harvested page: URL, fetch time, validators)
FETCHED_PAGE = PREFIXES + """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?page ?fetched ?modified ?etag WHERE {
  {{s}} prov:wasDerivedFrom ?file . ?file prov:wasDerivedFrom ?page .
  OPTIONAL { ?file prov:generatedAtTime ?fetched }
  OPTIONAL { ?file esf:lastModified ?modified } OPTIONAL { ?file esf:etag ?etag }
} LIMIT 5"""
#: the label patterns every query uses: preferred labels, and English alt labels (concepts)
LABEL = "skos:prefLabel|rdfs:label|dcterms:title|foaf:name"


class GraphUnavailable(Exception):
    """The backend answered a page query with an error (its status and message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- queries

FACTS = PREFIXES + """SELECT ?g ?p ?o ?label ?alt WHERE {
  VALUES ?s { {{s}} }
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?o """ + LABEL + """ ?label }
  OPTIONAL { ?o skos:altLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }
}"""
PREDICATE_LABELS = PREFIXES + """SELECT DISTINCT ?p ?label WHERE {
  VALUES ?s { {{s}} } ?s ?p ?o . ?p rdfs:label ?label }"""
PARTICIPATIONS = PREFIXES + """SELECT ?role ?agent ?label ?evidence ?parent ?parentLabel
       ?within ?withinLabel WHERE {
  ?part esf:project {{s}} ; esf:role ?role ; esf:agent ?agent .
  OPTIONAL { ?part esf:evidence ?evidence }
  OPTIONAL { ?agent skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?agent org:unitOf ?parent . OPTIONAL { ?parent skos:prefLabel ?parentLabel } }
  OPTIONAL { ?agent schema:containedInPlace ?within .
             OPTIONAL { ?within skos:prefLabel|rdfs:label ?withinLabel } }
}"""
PROJECT_PLACES = PREFIXES + """SELECT ?kind ?x ?label ?match ?code WHERE {
  { {{s}} esf:municipality ?x . BIND("municipality" AS ?kind) OPTIONAL { ?x esf:scbCode ?code } }
  UNION { {{s}} esf:municipality/esf:county ?x . BIND("county" AS ?kind)
          OPTIONAL { ?x esf:countyCode ?code } }
  UNION { {{s}} esf:region ?x . BIND("region" AS ?kind) OPTIONAL { ?x esf:nuts2 ?code } }
  UNION { {{s}} ?p ?x . FILTER(isIRI(?x)) ?x skos:exactMatch [] . BIND("linked" AS ?kind) }
  UNION { {{s}} ?p ?u . ?u org:unitOf ?x . ?x skos:exactMatch [] . BIND("linked" AS ?kind) }
  OPTIONAL { ?x skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?x skos:exactMatch ?match }
}"""
SECTIONS = PREFIXES + """SELECT ?kind ?x ?title ?value WHERE {
  { {{s}} esf:section ?x . BIND("section" AS ?kind)
    OPTIONAL { ?x dcterms:title ?title } OPTIONAL { ?x rdf:value ?value } }
  UNION { {{s}} esf:extraField ?x . BIND("extra" AS ?kind)
    OPTIONAL { ?x rdfs:label ?title } OPTIONAL { ?x rdf:value ?value } }
}"""

#: how an organisation's own projects are found: the organisation itself or one of its units
#: (`{{agents}}` becomes a VALUES list of bound IRIs: faster than a UNION with org:unitOf)
AGENT = "VALUES ?agent { {{agents}} }"
ORG_PROJECTS = PREFIXES + """SELECT ?role ?agent ?agentLabel ?p ?title ?start ?grant WHERE {
  """ + AGENT + """
  ?part esf:agent ?agent ; esf:role ?role ; esf:project ?p .
  OPTIONAL { ?p dcterms:title ?title }
  OPTIONAL { ?p schema:startDate ?start }
  OPTIONAL { ?p esf:esfGrantSEK ?grant }
  OPTIONAL { ?agent skos:prefLabel ?agentLabel }
} ORDER BY DESC(?start) LIMIT 2000"""
ORG_TOTALS = PREFIXES + """SELECT ?role (COUNT(?p) AS ?projects) (COUNT(?g0) AS ?granted)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
WHERE { { SELECT DISTINCT ?role ?p ?g0 WHERE {
  """ + AGENT + """
  ?part esf:agent ?agent ; esf:role ?role ; esf:project ?p .
  OPTIONAL { ?p esf:esfGrantSEK ?g0 } } } } GROUP BY ?role"""
ORG_YEARS = PREFIXES + """SELECT ?year (COUNT(?p) AS ?projects) (COUNT(?g0) AS ?granted)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
WHERE { { SELECT DISTINCT ?p ?g0 ?year WHERE {
  """ + AGENT + """
  ?part esf:agent ?agent ; esf:role <https://w3id.org/esfgraph/concept/role/owner> ; esf:project ?p .
  ?p schema:startDate ?d . BIND(YEAR(?d) AS ?year)
  OPTIONAL { ?p esf:esfGrantSEK ?g0 } } } }
GROUP BY ?year ORDER BY ?year"""
ORG_COPARTNERS = PREFIXES + """SELECT ?other ?label ?projects WHERE {
  { SELECT ?other (COUNT(DISTINCT ?p) AS ?projects) WHERE {
      """ + AGENT + """
      ?part esf:agent ?agent ; esf:project ?p .
      ?other_part esf:project ?p ; esf:agent ?other . FILTER(?other != ?agent) }
    GROUP BY ?other ORDER BY DESC(?projects) LIMIT 60 }
  ?other a org:Organization .
  FILTER(?other != {{s}}) FILTER NOT EXISTS { ?other org:unitOf {{s}} }
  OPTIONAL { ?other skos:prefLabel ?label }
} ORDER BY DESC(?projects) ?label LIMIT 25"""

#: projects of a place, by kind of place
PLACE_PATTERNS = {
    "municipality": "?p esf:municipality {{s}} ; a esf:Project .",
    "county": "?p esf:municipality ?m ; a esf:Project . ?m esf:county {{s}} .",
    "region": "?p esf:region {{s}} ; a esf:Project .",
}


def place_totals(kind: str) -> str:
    """Projects, summed ESF grant and total budget of a place (each project once), and how
    many projects state each amount (a missing amount is not zero)."""
    return PREFIXES + """SELECT (COUNT(?p) AS ?projects) (COUNT(?g0) AS ?granted)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK) (COUNT(?b0) AS ?budgeted)
       (SUM(COALESCE(?b0, 0)) AS ?totalBudgetSEK) WHERE { { SELECT DISTINCT ?p ?g0 ?b0 WHERE {
  """ + PLACE_PATTERNS[kind] + """
  OPTIONAL { ?p esf:esfGrantSEK ?g0 }
  OPTIONAL { ?p esf:totalBudgetSEK ?b0 } } } }"""


def place_years(kind: str) -> str:
    """ESF grant and projects per start year of a place."""
    return PREFIXES + """SELECT ?year (COUNT(?p) AS ?projects) (COUNT(?g0) AS ?granted)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
WHERE { { SELECT DISTINCT ?p ?g0 ?year WHERE {
  """ + PLACE_PATTERNS[kind] + """
  ?p schema:startDate ?d . BIND(YEAR(?d) AS ?year)
  OPTIONAL { ?p esf:esfGrantSEK ?g0 } } } }
GROUP BY ?year ORDER BY ?year"""


#: an owner rolled up to its body: the top of its org:unitOf chain (itself when no unit)
ROOT_OWNER = """?p esf:owner ?o . ?o org:unitOf* ?owner .
    FILTER NOT EXISTS { ?owner org:unitOf ?above }"""


def place_owners(kind: str, limit: int | None = 10) -> str:
    """The largest owners of a place's projects (by ESF grant), units counted with their
    body (org:unitOf): a municipality's departments add up to the municipality."""
    return PREFIXES + """SELECT ?owner ?label (COUNT(?p) AS ?projects) (COUNT(?g0) AS ?granted)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK) WHERE {
  { SELECT DISTINCT ?owner ?p ?g0 WHERE {
    """ + PLACE_PATTERNS[kind] + """ """ + ROOT_OWNER + """
    OPTIONAL { ?p esf:esfGrantSEK ?g0 } } }
  OPTIONAL { ?owner skos:prefLabel ?label }
} GROUP BY ?owner ?label ORDER BY DESC(?esfGrantSEK) DESC(?projects) ?label""" + (
        f" LIMIT {int(limit)}" if limit else "")


def place_owner_units(kind: str, bodies: int | None) -> str:
    """Each unit's own share of its body's figures on a place page (shown under the body), for
    the `bodies` listed owners (bound as {{o0}}, {{o1}}, …), or for every body (None)."""
    listed = ("VALUES ?owner { " + " ".join("{{o" + str(i) + "}}" for i in range(bodies))
              + " }") if bodies is not None else ""
    return PREFIXES + """SELECT ?owner ?unit ?label (COUNT(?p) AS ?projects)
       (COUNT(?g0) AS ?granted) (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK) WHERE {
  { SELECT DISTINCT ?owner ?unit ?p ?g0 WHERE {
    """ + listed + """
    """ + PLACE_PATTERNS[kind] + """ ?p esf:owner ?unit . ?unit org:unitOf+ ?owner .
    OPTIONAL { ?p esf:esfGrantSEK ?g0 } } }
  OPTIONAL { ?unit skos:prefLabel ?label }
} GROUP BY ?owner ?unit ?label ORDER BY DESC(?esfGrantSEK) ?label"""


def place_projects(kind: str) -> str:
    """The place's projects, largest ESF grant first (a page of them)."""
    return PREFIXES + """SELECT DISTINCT ?p ?title ?start ?grant WHERE {
  """ + PLACE_PATTERNS[kind] + """
  OPTIONAL { ?p dcterms:title ?title } OPTIONAL { ?p schema:startDate ?start }
  OPTIONAL { ?p esf:esfGrantSEK ?grant }
} ORDER BY DESC(?grant) ?title LIMIT 100"""


PLACE_PARTS = {
    "municipality": PREFIXES + """SELECT ?x ?label WHERE { ?x schema:areaServed {{s}} .
  OPTIONAL { ?x skos:prefLabel ?label } } ORDER BY ?label LIMIT 200""",
    "county": PREFIXES + """SELECT ?x ?label WHERE { ?x esf:county {{s}} ; a esf:Municipality .
  OPTIONAL { ?x skos:prefLabel ?label } } ORDER BY ?label""",
    "region": PREFIXES + """SELECT ?x ?label WHERE { {{s}} esf:containsCounty ?x .
  OPTIONAL { ?x skos:prefLabel ?label } } ORDER BY ?label""",
}

LANDING_PERIODS = PREFIXES + """SELECT ?period ?label ?alt ?projects ?esfGrantSEK ?granted WHERE {
  { SELECT ?period (COUNT(?p) AS ?projects) (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
           (COUNT(?g0) AS ?granted) WHERE { ?p a esf:Project .
      OPTIONAL { ?p esf:programmingPeriod ?period } OPTIONAL { ?p esf:esfGrantSEK ?g0 } }
    GROUP BY ?period }
  OPTIONAL { ?period skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "sv")) }
  OPTIONAL { ?period skos:prefLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }
} ORDER BY ?period"""
LANDING_YEARS = PREFIXES + """SELECT ?year (COUNT(?p) AS ?projects)
       (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK) (COUNT(?g0) AS ?granted)
WHERE { ?p a esf:Project ; schema:startDate ?d . BIND(YEAR(?d) AS ?year)
  OPTIONAL { ?p esf:esfGrantSEK ?g0 } }
GROUP BY ?year ORDER BY ?year"""
LANDING_REGIONS = PREFIXES + """SELECT ?x ?label ?projects ?esfGrantSEK ?granted WHERE {
  { SELECT ?x (COUNT(?p) AS ?projects) (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
           (COUNT(?g0) AS ?granted) WHERE {
      ?p a esf:Project ; esf:region ?x . OPTIONAL { ?p esf:esfGrantSEK ?g0 } } GROUP BY ?x }
  OPTIONAL { ?x skos:prefLabel ?label }
} ORDER BY DESC(?esfGrantSEK)"""
LANDING_AREAS = PREFIXES + """SELECT ?x ?label ?alt ?projects ?esfGrantSEK ?granted WHERE {
  { SELECT ?x (COUNT(?p) AS ?projects) (SUM(COALESCE(?g0, 0)) AS ?esfGrantSEK)
           (COUNT(?g0) AS ?granted) WHERE {
      ?p a esf:Project ; esf:programmeArea ?x . OPTIONAL { ?p esf:esfGrantSEK ?g0 } }
    GROUP BY ?x }
  OPTIONAL { ?x skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "sv")) }
  OPTIONAL { ?x skos:altLabel|skos:prefLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }
} ORDER BY DESC(?esfGrantSEK)"""


# --------------------------------------------------------------------------- helpers


def value(row: Row, name: str) -> str | None:
    """The lexical value of a variable in a row (None when unbound)."""
    term = row.get(name)
    return term[1] if term else None


@dataclass
class Labels:
    """Labels of IRIs collected from query rows, picked per language at the end."""

    seen: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)

    def add(self, iri: str | None, row: Row, *names: str) -> None:
        """Remember the labels found in `names` of `row` for `iri` (in order of preference)."""
        if not iri:
            return
        bucket = self.seen.setdefault(iri, [])
        for name in names:
            term = row.get(name)
            if term and term[0] == "literal" and (term[1], term[2]) not in bucket:
                bucket.append((term[1], term[2]))

    def get(self, iri: str, lang: str) -> str:
        """The best label of `iri` in `lang`, else its last IRI segment."""
        return fmt.pick_label(self.seen.get(iri, []) + fmt.place_labels(iri, lang), lang,
                              fallback=fmt.local_name(iri))


def link(iri: str, base: str) -> str | None:
    """The local path of an IRI under the base IRI (None for other IRIs)."""
    if iri.startswith(base) and len(iri) > len(base):
        return "/" + iri[len(base):]
    return None


def entity(iri: str, labels: Labels, base: str, lang: str) -> dict[str, Any]:
    """An IRI as a template link: {iri, label, href, lang (the label's language tag)}."""
    label, tag = fmt.pick_label_tagged(labels.seen.get(iri, []) + fmt.place_labels(iri, lang),
                                       lang, fallback=fmt.local_name(iri))
    return {"iri": iri, "label": label, "href": link(iri, base), "lang": tag}


def _own_first(facts: list[Row]) -> list[tuple[str, str | None]]:
    """The entity's own labels, skos:prefLabel before rdfs:label."""
    out: list[tuple[str, str | None]] = []
    for pred in OWN_LABELS:
        for row in facts:
            term = row.get("o")
            if value(row, "p") == pred and term and term[0] == "literal" \
                    and (term[1], term[2]) not in out:
                out.append((term[1], term[2]))
    return out


async def project_card(run: Runner, iri: str, base: str, lang: str) -> dict[str, Any] | None:
    """Everything the project card shows; None when the graph holds nothing about `iri`."""
    facts = await run(FACTS, {"s": iri})
    if not facts:
        return None
    bind = {"s": iri}
    pred_rows = await run(PREDICATE_LABELS, bind)
    parts = await run(PARTICIPATIONS, bind)
    places = await run(PROJECT_PLACES, bind)
    sections = await run(SECTIONS, bind)
    labels = Labels()
    single: dict[str, Term] = {}
    multi: dict[str, list[str]] = {}
    for row in facts:
        p, o = value(row, "p") or "", row.get("o")
        if not o:
            continue
        if o[0] == "uri":
            labels.add(o[1], row, "label", "alt")
            multi.setdefault(p, [])
            if o[1] not in multi[p]:
                multi[p].append(o[1])
        single.setdefault(p, o)
    pred_labels = Labels()
    for row in pred_rows:
        pred_labels.add(value(row, "p"), row, "label")

    def lit(pred: str) -> str | None:
        term = single.get(pred)
        return term[1] if term and term[0] == "literal" else None

    def one(pred: str) -> dict[str, Any] | None:
        iris = multi.get(pred) or []
        return entity(iris[0], labels, base, lang) if iris else None

    card: dict[str, Any] = {
        "iri": iri,
        "title": lit(DCT + "title") or fmt.local_name(iri),
        "projectNumber": lit(ESF + "projectNumber"),
        "caseNumber": lit(ESF + "caseNumber"),
        "period": one(ESF + "programmingPeriod"),
        "phase": one(ESF + "phase"),
        "programmeArea": one(ESF + "programmeArea"),
        "specificObjective": one(ESF + "specificObjective"),
        "fund": one(ESF + "fund"),
        "startDate": lit(SCHEMA + "startDate"),
        "endDate": lit(SCHEMA + "endDate"),
        "esfGrantSEK": lit(ESF + "esfGrantSEK"),
        "totalBudgetSEK": lit(ESF + "totalBudgetSEK"),
        "totalCostSEK": lit(ESF + "totalCostSEK"),
        "euCofinancingRate": lit(ESF + "euCofinancingRate"),
        "plannedParticipants": lit(ESF + "plannedParticipants"),
        "source": one(PROV + "wasDerivedFrom"),
        "interventionType": one(ESF + "interventionType"),
        "programmeCCI": lit(ESF + "programmeCCI"),
        "childPovertyTheme": lit(ESF + "childPovertyTheme"),
        "strategicImportance": lit(ESF + "strategicImportance"),
    }
    # roles, with the parent body of a unit and the evidence sentence of a contact abroad
    roles: dict[str, dict[str, dict[str, Any]]] = {}
    for row in parts:
        role = fmt.local_name(value(row, "role") or "")
        agent = value(row, "agent") or ""
        labels.add(agent, row, "label")
        labels.add(value(row, "parent"), row, "parentLabel")
        labels.add(value(row, "within"), row, "withinLabel")
        item = roles.setdefault(role, {}).setdefault(agent, {"evidence": [], "parent": None,
                                                             "within": None})
        if value(row, "evidence") and value(row, "evidence") not in item["evidence"]:
            item["evidence"].append(value(row, "evidence"))
        item["parent"] = item["parent"] or value(row, "parent")
        item["within"] = item["within"] or value(row, "within")
    for role in ("owner", "partner", "cofinancier", "transnational-contact"):
        items = []
        for agent, info in roles.get(role, {}).items():
            entry = entity(agent, labels, base, lang)
            entry["parent"] = entity(info["parent"], labels, base, lang) if info["parent"] else None
            entry["within"] = entity(info["within"], labels, base, lang) if info["within"] else None
            entry["evidence"] = info["evidence"]
            items.append(entry)
        card[role.replace("-", "_") + "s"] = sorted(items, key=lambda e: e["label"].casefold())
    # places and links out
    kinds: dict[str, dict[str, dict[str, Any]]] = {}
    links: dict[str, set[str]] = {}
    for row in places:
        x, kind = value(row, "x"), value(row, "kind") or ""
        if not x:
            continue
        labels.add(x, row, "label")
        kinds.setdefault(kind, {}).setdefault(x, {"code": value(row, "code")})
        if value(row, "match"):
            links.setdefault(x, set()).add(value(row, "match") or "")
    for kind, key in (("municipality", "municipalities"), ("county", "counties"),
                      ("region", "regions")):
        card[key] = sorted(
            ({**entity(x, labels, base, lang), "code": info["code"] or fmt.local_name(x)}
             for x, info in kinds.get(kind, {}).items()), key=lambda e: e["label"])
    card["links"] = [{"entity": entity(x, labels, base, lang),
                      "targets": sorted(targets)} for x, targets in sorted(links.items())]
    # texts: the known section properties in ontology order, then free sections and extras
    texts = []
    for pred in (DCT + "abstract", ESF + "background", ESF + "purpose", ESF + "objectives",
                 ESF + "targetGroup", ESF + "accessibility", ESF + "genderEquality",
                 ESF + "transnationalCooperation", DCT + "description"):
        for row in facts:
            if value(row, "p") == pred and row.get("o", ("",))[0] == "literal":
                heading = pred_labels.get(pred, lang)
                if heading == fmt.local_name(pred):  # no label in the ontology
                    heading = {DCT + "description": {"sv": "Beskrivning", "en": "Description"},
                               DCT + "abstract": {"sv": "Sammanfattning", "en": "Summary"}
                               }.get(pred, {}).get(lang, heading)
                texts.append({"heading": heading, "text": value(row, "o")})
                break
    for kind in ("section", "extra"):
        for row in sorted((r for r in sections if value(r, "kind") == kind),
                          key=lambda r: value(r, "title") or ""):
            texts.append({"heading": value(row, "title") or "", "text": value(row, "value") or "",
                          "extra": kind == "extra"})
    card["texts"] = texts
    card["fetched"] = [
        {"page": value(row, "page"), "fetched": value(row, "fetched"),
         "modified": value(row, "modified"), "etag": value(row, "etag")}
        for row in await run(FETCHED_PAGE, bind)
        if (value(row, "page") or "").startswith(("https://", "http://"))]
    from esfgraph.explore.web.sources_card import project_sources

    card["sources"] = await project_sources(run, iri, lang)  # sources and Kohesio links
    card["facts"] = facts
    card["predicate_labels"] = pred_labels
    return card


async def org_page(run: Runner, iri: str, base: str, lang: str) -> dict[str, Any] | None:
    """An organisation: its facts, projects by role, totals, money per year, co-partners."""
    facts = await run(FACTS, {"s": iri})
    if not facts:
        return None
    bind = {"s": iri}
    labels = Labels()
    rel: dict[str, list[str]] = {}
    literals: dict[str, list[str]] = {}
    for row in facts:
        p, o = value(row, "p") or "", row.get("o")
        if not o:
            continue
        if o[0] == "uri":
            labels.add(o[1], row, "label", "alt")
            if o[1] not in rel.setdefault(p, []):
                rel[p].append(o[1])
        else:
            if o[1] not in literals.setdefault(p, []):
                literals[p].append(o[1])
    units = rel.get("http://www.w3.org/ns/org#hasUnit", [])
    bind.update({f"u{i}": unit for i, unit in enumerate(units)})
    agents = " ".join(["{{s}}"] + ["{{u" + str(i) + "}}" for i in range(len(units))])

    def for_agents(query: str) -> str:
        return query.replace("{{agents}}", agents)

    projects = await run(for_agents(ORG_PROJECTS), bind)
    totals = await run(for_agents(ORG_TOTALS), bind)
    years = await run(for_agents(ORG_YEARS), bind)
    partners = await run(for_agents(ORG_COPARTNERS), bind)
    by_role: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()
    for row in projects:
        role = fmt.local_name(value(row, "role") or "")
        p = value(row, "p") or ""
        if (role, p) in seen:
            continue
        seen.add((role, p))
        agent = value(row, "agent") or ""
        labels.add(agent, row, "agentLabel")
        by_role.setdefault(role, []).append({
            "iri": p, "href": link(p, base), "title": value(row, "title") or fmt.local_name(p),
            "start": value(row, "start"), "grant": value(row, "grant"),
            "via": entity(agent, labels, base, lang) if agent != iri else None})
    role_totals = {fmt.local_name(value(r, "role") or ""): {
        "projects": value(r, "projects"), "granted": value(r, "granted"),
        "esfGrantSEK": value(r, "esfGrantSEK")} for r in totals}
    copartners = []
    for row in partners:
        other = value(row, "other") or ""
        labels.add(other, row, "label")
        copartners.append({**entity(other, labels, base, lang), "projects": value(row, "projects")})
    return {
        "iri": iri,
        "title": fmt.pick_label(_own_first(facts), lang, fallback=fmt.local_name(iri)),
        "types": [fmt.local_name(t) for t in rel.get(RDF_TYPE, [])],
        "orgNumber": (literals.get(ESF + "organisationNumber") or [None])[0],
        "altLabels": literals.get(SKOS + "altLabel", []),
        "parents": [entity(x, labels, base, lang) for x in rel.get("http://www.w3.org/ns/org#unitOf", [])],
        "units": sorted((entity(x, labels, base, lang)
                         for x in rel.get("http://www.w3.org/ns/org#hasUnit", [])),
                        key=lambda e: e["label"]),
        "areas": [entity(x, labels, base, lang) for x in rel.get(SCHEMA + "areaServed", [])],
        "links": sorted(rel.get(SKOS + "exactMatch", [])),
        "roles": by_role,
        "roleTotals": role_totals,
        "years": [{"year": value(r, "year"), "projects": value(r, "projects"),
                   "granted": value(r, "granted"),
                   "esfGrantSEK": value(r, "esfGrantSEK")} for r in years],
        "copartners": copartners,
        "facts": facts,
    }


async def place_owner_table(run: Runner, iri: str, kind: str, lang: str
                            ) -> list[dict[str, Any]]:
    """Every owner of a place's projects, rolled up to bodies, each followed by its units'
    shares: the rows of `/owners.csv` (the whole answer behind "largest owners")."""
    bind = {"s": iri}
    owners = await run(place_owners(kind, limit=None), bind)
    units = await run(place_owner_units(kind, None), bind)
    labels = Labels()
    by_body: dict[str, list[Row]] = {}
    for row in units:
        labels.add(value(row, "unit"), row, "label")
        by_body.setdefault(value(row, "owner") or "", []).append(row)
    out: list[dict[str, Any]] = []
    for row in owners:
        body = value(row, "owner") or ""
        labels.add(body, row, "label")
        out.append({"owner": body, "label": labels.get(body, lang), "unitOf": None,
                    "projects": value(row, "projects"), "granted": value(row, "granted"),
                    "esfGrantSEK": value(row, "esfGrantSEK")})
        for unit in by_body.get(body, []):
            name = value(unit, "unit") or ""
            out.append({"owner": name, "label": labels.get(name, lang), "unitOf": body,
                        "projects": value(unit, "projects"), "granted": value(unit, "granted"),
                        "esfGrantSEK": value(unit, "esfGrantSEK")})
    return out


async def place_page(run: Runner, iri: str, kind: str, base: str,
                     lang: str) -> dict[str, Any] | None:
    """A municipality, county or region: totals, money per year, top owners, its projects."""
    facts = await run(FACTS, {"s": iri})
    if not facts:
        return None
    bind = {"s": iri}
    labels = Labels()
    rel: dict[str, list[str]] = {}
    literals: dict[str, str] = {}
    for row in facts:
        p, o = value(row, "p") or "", row.get("o")
        if not o:
            continue
        if o[0] == "uri":
            labels.add(o[1], row, "label", "alt")
            if o[1] not in rel.setdefault(p, []):
                rel[p].append(o[1])
        else:
            literals.setdefault(p, o[1])
    totals = (await run(place_totals(kind), bind) or [{}])[0]
    years = await run(place_years(kind), bind)
    owners = await run(place_owners(kind), bind)
    bodies = [value(r, "owner") for r in owners if value(r, "owner")]
    unit_rows = (await run(place_owner_units(kind, len(bodies)),
                           {**bind, **{f"o{i}": o for i, o in enumerate(bodies)}})
                 if bodies else [])
    projects = await run(place_projects(kind), bind)
    parts = await run(PLACE_PARTS[kind], bind)
    top = []
    for row in owners:
        owner = value(row, "owner") or ""
        labels.add(owner, row, "label")
        top.append({**entity(owner, labels, base, lang), "projects": value(row, "projects"),
                    "granted": value(row, "granted"), "esfGrantSEK": value(row, "esfGrantSEK"),
                    "units": []})
    by_owner = {o["iri"]: o for o in top}
    for row in unit_rows:
        body = by_owner.get(value(row, "owner") or "")
        unit = value(row, "unit") or ""
        if body is None or not unit:
            continue
        labels.add(unit, row, "label")
        body["units"].append({**entity(unit, labels, base, lang),
                              "projects": value(row, "projects"),
                              "granted": value(row, "granted"),
                              "esfGrantSEK": value(row, "esfGrantSEK")})
    contained = []
    for row in parts:
        x = value(row, "x") or ""
        labels.add(x, row, "label")
        contained.append(entity(x, labels, base, lang))
    code = (literals.get(ESF + "scbCode") or literals.get(ESF + "countyCode")
            or literals.get(ESF + "nuts2") or fmt.local_name(iri))
    return {
        "iri": iri, "kind": kind, "code": code,
        "title": fmt.pick_label(_own_first(facts), lang, fallback=fmt.local_name(iri)),
        "county": [entity(x, labels, base, lang) for x in rel.get(ESF + "county", [])],
        "region": [entity(x, labels, base, lang) for x in rel.get(ESF + "region", [])],
        "links": sorted(rel.get(SKOS + "exactMatch", [])),
        "totals": {"projects": value(totals, "projects") or "0",
                   "granted": value(totals, "granted") or "0",
                   "esfGrantSEK": value(totals, "esfGrantSEK") or "0",
                   "budgeted": value(totals, "budgeted") or "0",
                   "totalBudgetSEK": value(totals, "totalBudgetSEK") or "0"},
        "years": [{"year": value(r, "year"), "projects": value(r, "projects"),
                   "granted": value(r, "granted"),
                   "esfGrantSEK": value(r, "esfGrantSEK")} for r in years],
        "owners": top,
        "projects": [{"iri": value(r, "p"), "href": link(value(r, "p") or "", base),
                      "title": value(r, "title") or fmt.local_name(value(r, "p") or ""),
                      "start": value(r, "start"), "grant": value(r, "grant")} for r in projects],
        "contained": contained,
        "facts": facts,
    }


async def landing(run: Runner, base: str, lang: str) -> dict[str, Any]:
    """Headline figures and the three charts of the landing page."""
    periods = await run(LANDING_PERIODS, {})
    years = await run(LANDING_YEARS, {})
    regions = await run(LANDING_REGIONS, {})
    areas = await run(LANDING_AREAS, {})
    labels = Labels()
    for rows in (periods, regions, areas):
        for row in rows:
            labels.add(value(row, "period") or value(row, "x"), row, "label", "alt")

    def items(rows: list[Row], key: str) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            x = value(row, key)
            out.append({**(entity(x, labels, base, lang) if x else
                           {"iri": None, "label": "–", "href": None}),
                        "projects": value(row, "projects"), "esfGrantSEK": value(row, "esfGrantSEK"),
                        "granted": value(row, "granted")})
        return out

    per_period = items(periods, "period")
    total_projects = sum(int(p["projects"] or 0) for p in per_period)
    total_grant = sum(fmt.to_decimal(p["esfGrantSEK"]) or 0 for p in per_period)
    granted = sum(int(p["granted"] or 0) for p in per_period)
    return {"projects": total_projects, "esfGrantSEK": total_grant, "granted": granted,
            "periods": per_period,
            "years": [{"label": value(r, "year"), "projects": value(r, "projects"),
                       "esfGrantSEK": value(r, "esfGrantSEK"), "granted": value(r, "granted")}
                      for r in years],
            "regions": items(regions, "x"), "areas": items(areas, "x")}


__all__ = ["GraphUnavailable", "Labels", "Runner", "landing", "link", "org_page",
           "place_owner_table", "place_page", "project_card", "value"]
