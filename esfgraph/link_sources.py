"""One project, many sources: the project node's links to its sources' descriptions.

Each list row describes a project through its own node in its own graph (esfgraph.map_lists).
At the end of a build this module writes one derived graph, `{base}graph/sources`, rebuilt
from the store every time (so an incremental build can never leave it stale):

- `<project> esf:sourceDescription <description>` for every description, and for a Kohesio
  row the project's `schema:sameAs` its Kohesio entity and `foaf:page` its Kohesio page
  (only when the file names the item: nothing is guessed);
- for a project that no page describes (known only from a list), the project itself: typed
  `esf:Project`, with the facts of its descriptions (the ESF Council's list first, then
  Kohesio; each property from the first description that has it), its beneficiary as owner,
  and `prov:wasDerivedFrom` the descriptions used. Euro amounts keep their own properties.

A project that a page describes gets no copied facts: the page's graph stays its one
`esf:Project` statement, so no count or sum meets a project twice.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

ESF = "https://w3id.org/esfgraph/ontology#"
SDO = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV = "http://www.w3.org/ns/prov#"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KOHESIO_ENTITY = "https://linkedopendata.eu/entity/"
KOHESIO_PAGE = "https://kohesio.ec.europa.eu/en/projects/"
KIND_ORDER = ("esf-list", "kohesio")

#: Properties of a description copied to a list-only project.
COPIED = tuple(ESF + n for n in (
    "caseNumber", "projectNumber", "programmingPeriod", "programmeArea", "specificObjective",
    "interventionType", "fund", "fundName", "programmeCCI", "euCofinancingRate",
    "totalBudgetSEK", "totalBudget", "euContributionSEK", "totalEligibleExpenditureEUR",
    "euBudgetEUR", "amount", "country", "countryName", "beneficiaryAddress",
    "ownerOrganisationNumber")) + (f"{DCT}title", f"{DCT}abstract", f"{SDO}startDate",
                                   f"{SDO}endDate")


def sources_graph(base: str) -> str:
    """The derived graph of project ↔ source links (and list-only projects)."""
    return f"{base}graph/sources"


def _nt(term: Any) -> str:
    return str(term)


def link_sources(writer: Any, touched: set[str] | None = None) -> int:
    """Write `{base}graph/sources` from the descriptions in the store; returns lines written.

    `touched` (an update): only the projects with these slugs are redone (their records were
    stored or removed in this version), plus the organisation links, which are cheap to redo
    whole; None, or no such graph yet: the graph is rewritten whole.
    """
    writer.flush()
    base = writer.names.base
    derived = sources_graph(base)
    graph = ox.NamedNode(derived)
    store = writer.ox
    whole = touched is None or not store.contains_named_graph(graph)
    described: dict[str, list[tuple[str, str]]] = {}
    if whole:
        for row in store.query(
            f"""SELECT ?d ?p ?kind WHERE {{ GRAPH ?g {{ ?d <{ESF}describes> ?p ;
                                                     <{ESF}sourceKind> ?kind }} }}"""):
            described.setdefault(row["p"].value, []).append((row["kind"].value,
                                                             row["d"].value))
        writer.replace_graph_text(derived, "")
    else:
        old: list[Any] = []
        for slug in sorted(touched or ()):
            project = f"{base}id/project/{slug}"
            for subject in (project, f"{project}/role/owner/from-list"):
                old += store.quads_for_pattern(ox.NamedNode(subject), None, None, graph)
            for q in store.quads_for_pattern(None, ox.NamedNode(f"{ESF}describes"),
                                             ox.NamedNode(project), None):
                for k in store.quads_for_pattern(q.subject, ox.NamedNode(f"{ESF}sourceKind"),
                                                 None, None):
                    described.setdefault(project, []).append((k.object.value,
                                                              q.subject.value))
        org_prefix = f"{base}id/org/"
        old += [q for q in store.quads_for_pattern(None, ox.NamedNode(f"{SDO}sameAs"), None,
                                                   graph)
                if q.subject.value.startswith(org_prefix)]
        for q in old:
            store.remove(q)
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} <{derived}> .\n")

    canonical = _one_org_per_number(store, derived, add)
    for project in sorted(described):
        descriptions = sorted(set(described[project]),
                              key=lambda kd: (KIND_ORDER.index(kd[0])
                                              if kd[0] in KIND_ORDER else 9, kd[1]))
        for _, d in descriptions:
            add(project, f"{ESF}sourceDescription", f"<{d}>")
            for q in store.quads_for_pattern(ox.NamedNode(d), ox.NamedNode(f"{ESF}kohesioItem"),
                                             None, None):
                item = q.object.value.rsplit("/", 1)[-1]
                add(project, f"{SDO}sameAs", f"<{KOHESIO_ENTITY}{item}>")
                add(project, FOAF_PAGE, f"<{KOHESIO_PAGE}{item}>")
        if not _has_page(store, project, derived):
            _project_from_lists(store, project, [d for _, d in descriptions], add, canonical)
    text = "".join(dict.fromkeys(lines))
    if text:
        writer.add_nquads(text)
        writer.flush()
    return len(lines)


def _has_page(store: Any, project: str, derived: str) -> bool:
    """True when a record graph (not the derived one) types the project: a page describes it."""
    for q in store.quads_for_pattern(ox.NamedNode(project), ox.NamedNode(RDF_TYPE),
                                     ox.NamedNode(f"{ESF}Project"), None):
        graph = q.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value != derived:
            return True
    return False


def _one_org_per_number(store: Any, derived: str, add: Any) -> dict[str, str]:
    """Organisations that share an organisation number are one: org -> the one to use.

    Precision before recall: only the number joins two names (never a similar name), and two
    bodies the reference tables know as different (two municipalities, say, both linked to
    Wikidata) are never joined by a number, which then is a typing error on a page. Of the
    organisations with one number, a known body is kept, else one a page names as owner, else
    the first IRI; each of the others gets `schema:sameAs` it. Returns the replacements.
    """
    groups: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(f"{ESF}organisationNumber"), None,
                                     None):
        groups.setdefault(q.object.value, set()).add(q.subject.value)
    shared = {n: orgs for n, orgs in groups.items() if len(orgs) > 1}
    if not shared:
        return {}
    owners: set[str] = set()
    for q in store.quads_for_pattern(None, ox.NamedNode(f"{ESF}owner"), None, None):
        graph = q.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value != derived:
            owners.add(q.object.value)

    def known(org: str) -> bool:
        node = ox.NamedNode(org)
        return any(True for _ in store.quads_for_pattern(
            node, ox.NamedNode(f"{SKOS}exactMatch"), None, None)) or any(
            True for _ in store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE),
                                                  ox.NamedNode(f"{SDO}GovernmentOrganization"),
                                                  None))

    canonical: dict[str, str] = {}
    for number in sorted(shared):
        orgs = shared[number]
        bodies = {o for o in orgs if known(o)}
        if len(bodies) > 1:  # two known bodies: the number is wrong somewhere, not a join
            continue
        ordered = sorted(orgs, key=lambda o: (o not in bodies, o not in owners, o))
        for org in ordered[1:]:
            canonical[org] = ordered[0]
            add(org, f"{SDO}sameAs", f"<{ordered[0]}>")
    return canonical


def _project_from_lists(store: Any, project: str, descriptions: list[str], add: Any,
                        canonical: dict[str, str]) -> None:
    """A list-only project: typed, with each copied property from the first description."""
    add(project, RDF_TYPE, f"<{ESF}Project>")
    add(project, RDF_TYPE, f"<{SDO}Project>")
    done: set[str] = set()
    owner_done = False
    for d in descriptions:
        values: dict[str, list[Any]] = {}
        for q in store.quads_for_pattern(ox.NamedNode(d), None, None, None):
            values.setdefault(q.predicate.value, []).append(q.object)
        used = False
        for prop in COPIED:
            if prop in done or prop not in values:
                continue
            done.add(prop)
            used = True
            for o in dict.fromkeys(values[prop]):
                add(project, prop, _nt(o))
                if prop == f"{DCT}title" and getattr(o, "language", None) == "sv":
                    add(project, RDFS_LABEL, _nt(o))
        if not owner_done and f"{ESF}beneficiary" in values:
            owner_done = used = True
            org = values[f"{ESF}beneficiary"][0].value
            org = canonical.get(org, org)  # one organisation number, one organisation
            node = f"{project}/role/owner/from-list"
            add(project, f"{ESF}owner", f"<{org}>")
            add(project, f"{ESF}participation", f"<{node}>")
            add(node, RDF_TYPE, f"<{ESF}Participation>")
            add(node, f"{ESF}agent", f"<{org}>")
            add(node, f"{ESF}role", "<https://w3id.org/esfgraph/concept/role/owner>")
            add(node, f"{ESF}project", f"<{project}>")
        if used:
            add(project, f"{PROV}wasDerivedFrom", f"<{d}>")


def index_slugs(writer: Any) -> tuple[list[str], dict[str, Any]]:
    """The explorer index's projects (one per project, not per source) and their new rows.

    Rows made in the build workers are pages' rows; a project whose list rows changed is read
    back from the store (its page, or its facts from the lists, as `link_sources` wrote them).
    """
    slugs = sorted({e.slug.split("/", 1)[0] for e in writer.manifest.sources()})
    docs = dict(writer.index_docs)
    touched = sorted((writer.touched - set(docs)) & set(slugs))
    if touched:
        from esfgraph.explore.index import doc_from_terms, terms_from_store
        from esfgraph.link import default_gazetteer

        gazetteer = default_gazetteer()
        base = writer.names.base
        for slug in touched:
            docs[slug] = doc_from_terms(terms_from_store(writer.ox, slug, base), slug, base,
                                        gazetteer)
    return slugs, docs


__all__ = ["COPIED", "index_slugs", "link_sources", "sources_graph"]
