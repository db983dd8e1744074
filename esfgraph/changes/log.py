"""The change log: what each build changed, as RDF in its own named graphs.

Vocabulary: the Changeset vocabulary (``http://purl.org/vocab/changeset/schema#``) for the
per-project change sets, PROV-O for the build. A change set removes and adds reified
statements (``rdf:Statement``), so "old value, new value" is plain SPARQL over the store; RDF
Patch would need a parser outside the graph (``esfgraph diff --format rdf-patch`` writes it).

Graphs: ``{base}graph/changes`` holds the builds and the change sets; changes of contact
details (the personal graph's statements) go to ``{base}graph/personal/_changes``, which
``--no-personal-data`` never writes and exports without personal data leave out. A change set
whose only changes are contact details lies wholly in that personal graph.

The log is written inside the new store version before it is swapped in, so it is atomic with
the data: a failed build leaves no log entry. A full build copies the earlier log forward.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from esfgraph import __version__
from esfgraph.changes.compare import Side, compare, open_side
from esfgraph.changes.model import (
    ESF,
    KINDS,
    PROV,
    RDF,
    RDFS,
    ProjectChange,
    Statement,
    Term,
    field_changes,
)
from esfgraph.nt import XSD_STRING, escape
from esfgraph.store import GraphNames, StoreWriter

CS = "http://purl.org/vocab/changeset/schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: A row of a SELECT: variable -> (kind, value, language, datatype), as the serve workers
#: hand rows to the pages.
Row = dict[str, tuple[str, str, str | None, str | None]]
RunQuery = Callable[[str], list[Row]]


def changes_graph(names: GraphNames) -> str:
    """The named graph of the public change log."""
    return f"{names.base}graph/changes"


def personal_changes_graph(names: GraphNames) -> str:
    """The named graph of contact-detail changes (a personal-data graph)."""
    return f"{names.personal_prefix}_changes"


def activity_iri(names: GraphNames, number: int) -> str:
    """The IRI of the n-th logged build (numbers, not build ids: a build's output must not
    depend on its random version id, so reproducible builds stay reproducible)."""
    return f"{names.base}change/build/{number}"


def changeset_iri(names: GraphNames, number: int, slug: str) -> str:
    return f"{names.base}change/{number}/{slug}"


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass
class LogSummary:
    """What one build added to the log."""

    build_id: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    restored: int = 0
    written: bool = False
    #: the build's number in the log (1, 2, ...; 0 when nothing was logged)
    number: int = 0
    #: wall time of the comparison and the writing (bench/changes.py)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.added + self.removed + self.changed + self.restored


def record_changes(writer: StoreWriter, *, personal_data: bool, started: dt.datetime,
                   sources: Iterable[str] = (), command: str = "build") -> LogSummary:
    """Compare the new version with the previous one and write the change log into it.

    Call just before the version is committed. The first build of a store records one
    activity with its counts and no change sets (every project would be "added"); a build
    that changes nothing records nothing.
    """
    t0 = time.perf_counter()
    summary = _record(writer, personal_data, started, sources, command)
    summary.seconds = time.perf_counter() - t0
    return summary


def _record(writer: StoreWriter, personal_data: bool, started: dt.datetime,
            sources: Iterable[str], command: str) -> LogSummary:
    summary = LogSummary(writer.build_id)
    if not enabled():
        return summary
    names = writer.names
    writer.flush()
    new = Side(writer.ox, {e.slug: e for e in writer.manifest.sources()}, names, personal_data)
    if writer.previous is None:
        # a store's first build: every project would be "added"; the log starts with the
        # first build that changes something (and a fresh build's output stays as it was)
        summary.added = len(new.entries)
        return summary
    old = open_side(writer.previous)
    if old.names.base != names.base:  # another base IRI: nothing comparable
        del old
        summary.added = len(new.entries)
        return summary
    ended = _now()
    try:
        if not writer.incremental:
            _carry_forward(old.ox, writer, names, personal_data)
            writer.flush()
        removed_before, latest, logged = _log_index(writer.ox, names)
        number = logged + 1
        lines: list[str] = []
        for change in compare(old, new, restored=removed_before):
            setattr(summary, change.status, getattr(summary, change.status) + 1)
            lines.extend(_changeset_lines(names, number, change, ended, latest.get,
                                          personal_data))
    finally:
        del old
    if summary.total:
        writer.add_nquads("".join(lines))
        writer.add_nquads(_activity_nquads(names, number, started, ended, sources, summary,
                                           command))
        summary.written = True
        summary.number = number
    return summary


def enabled() -> bool:
    """False when ESFGRAPH_CHANGE_LOG=0 (for measuring what the log costs; bench/changes.py)."""
    return os.environ.get("ESFGRAPH_CHANGE_LOG", "1") != "0"


def _now() -> dt.datetime:
    from esfgraph.mapping import build_time

    return build_time()


def _carry_forward(old: Any, writer: StoreWriter, names: GraphNames, personal: bool) -> None:
    """Copy the earlier log into a fully rebuilt version (personal part only with personal data)."""
    graphs = [changes_graph(names)] + ([personal_changes_graph(names)] if personal else [])
    for graph in graphs:
        node = ox.NamedNode(graph)
        chunk: list[str] = []
        for quad in old.quads_for_pattern(None, None, None, node):
            chunk.append(f"{quad.subject} {quad.predicate} {quad.object} <{graph}> .\n")
            if len(chunk) >= 50_000:
                writer.add_nquads("".join(chunk))
                chunk = []
        writer.add_nquads("".join(chunk))


def _log_index(store: Any, names: GraphNames) -> tuple[set[str], dict[str, str], int]:
    """(slugs ever removed, project IRI -> its latest change set, builds logged) so far."""
    removed: set[str] = set()
    latest: dict[str, tuple[str, str]] = {}
    prefix = names.project("")
    for row in store.query(
        f"""SELECT ?cs ?p ?d ?r WHERE {{ ?cs <{CS}subjectOfChange> ?p ;
              <{CS}createdDate> ?d ; <{CS}changeReason> ?r }}""",
        use_default_graph_as_union=True):
        project, when, cs = row["p"].value, row["d"].value, row["cs"].value
        if row["r"].value == "removed" and project.startswith(prefix):
            removed.add(project[len(prefix):])
        if project not in latest or (when, cs) > latest[project]:
            latest[project] = (when, cs)
    logged = next(iter(store.query(
        f"SELECT (MAX(?n) AS ?m) WHERE {{ ?b <{ESF}buildNumber> ?n }}",
        use_default_graph_as_union=True)))["m"]
    return removed, {p: cs for p, (_, cs) in latest.items()}, int(logged.value) if logged else 0


def _lit(text: str, datatype: str | None = None) -> str:
    body = f'"{escape(text)}"'
    return body if datatype is None or datatype == XSD_STRING else f"{body}^^<{datatype}>"


def _when(moment: dt.datetime) -> str:
    return _lit(moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                f"{XSD}dateTime")


def _activity_nquads(names: GraphNames, number: int, started: dt.datetime,
                     ended: dt.datetime, sources: Iterable[str], summary: LogSummary,
                     command: str) -> str:
    act = f"<{activity_iri(names, number)}>"
    graph = f"<{changes_graph(names)}>"
    software = f"<{names.base}dataset/software>"
    triples = [
        (act, f"<{RDF}type>", f"<{PROV}Activity>"),
        (act, f"<{PROV}startedAtTime>", _when(started)),
        (act, f"<{PROV}endedAtTime>", _when(ended)),
        (act, f"<{PROV}wasAssociatedWith>", software),
        (act, f"<{ESF}softwareVersion>", _lit(__version__)),
        (act, f"<{ESF}buildNumber>", _lit(str(number), f"{XSD}integer")),
        (act, f"<{RDFS}label>", _lit(f"esfgraph {command}, logged build {number}")),
        (act, f"<{ESF}projectsAdded>", _lit(str(summary.added), f"{XSD}integer")),
        (act, f"<{ESF}projectsRemoved>", _lit(str(summary.removed), f"{XSD}integer")),
        (act, f"<{ESF}projectsChanged>", _lit(str(summary.changed), f"{XSD}integer")),
        (act, f"<{ESF}projectsRestored>", _lit(str(summary.restored), f"{XSD}integer")),
    ]
    for folder in sorted(set(sources)):
        triples.append((act, f"<{ESF}sourceFolder>", _lit(folder)))
    return "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)


def _changeset_lines(names: GraphNames, number: int, change: ProjectChange,
                     when: dt.datetime, latest_of: Callable[[str], str | None],
                     personal_data: bool) -> list[str]:
    """N-Quads of one change set; contact statements go to the personal graph."""
    public = f"<{changes_graph(names)}>"
    personal = f"<{personal_changes_graph(names)}>"
    cs_iri = changeset_iri(names, number, change.slug)
    cs = f"<{cs_iri}>"
    project = f"<{change.project}>"
    preceding = latest_of(change.project)
    has_public = change.status != "changed" or any(
        not personal for _, _, personal in change.removals + change.additions)
    head_graph = public if has_public else personal
    if not personal_data and not has_public:
        return []
    head = [
        (cs, f"<{RDF}type>", f"<{CS}ChangeSet>"),
        (cs, f"<{CS}subjectOfChange>", project),
        (cs, f"<{CS}createdDate>", _when(when)),
        (cs, f"<{CS}creatorName>", _lit(f"esfgraph {__version__}")),
        (cs, f"<{CS}changeReason>", _lit(change.status)),
        (cs, f"<{PROV}wasGeneratedBy>", f"<{activity_iri(names, number)}>"),
    ]
    if change.title:
        head.append((cs, f"<{RDFS}label>", _lit(change.title)))
    head += [(cs, f"<{ESF}affectsRegion>", f"<{r}>") for r in change.regions]
    head += [(cs, f"<{ESF}affectsOrganisation>", f"<{o}>") for o in change.organisations]
    if change.previous:
        head.append((cs, f"<{ESF}previousIRI>", f"<{change.previous}>"))
        preceding = preceding or latest_of(change.previous)
    if preceding:
        head.append((cs, f"<{CS}precedingChangeSet>", f"<{preceding}>"))
    lines = [f"{s} {p} {o} {head_graph} .\n" for s, p, o in head]
    for kind in change.kinds:
        graph = personal if kind == "contact" else head_graph
        lines.append(f"{cs} <{ESF}changeKind> {_lit(kind)} {graph} .\n")
    if change.status != "changed":
        return lines  # added/removed: the project's own graph (or its absence) says the rest
    for op, statements in (("removal", change.removals), ("addition", change.additions)):
        for i, (pred, obj, is_personal) in enumerate(statements, 1):
            graph = personal if is_personal else public
            node = f"<{cs_iri}/{op}/{i}>"
            lines += [f"{cs} <{CS}{op}> {node} {graph} .\n",
                      f"{node} <{RDF}type> <{RDF}Statement> {graph} .\n",
                      f"{node} <{RDF}subject> {project} {graph} .\n",
                      f"{node} <{RDF}predicate> <{pred}> {graph} .\n",
                      f"{node} <{RDF}object> {obj} {graph} .\n"]
    return lines


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class LoggedChange:
    """One change set read back from the log."""

    changeset: str
    build: str
    when: str
    project: str
    status: str
    title: str = ""
    kinds: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    removals: list[Statement] = field(default_factory=list)
    additions: list[Statement] = field(default_factory=list)
    previous: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[Any]:
        return field_changes(self.removals, self.additions)

    @property
    def build_id(self) -> str:
        return self.build.rsplit("/", 1)[-1]


@dataclass
class LogFilter:
    """Which change sets to list: date range (inclusive days), region, organisation, kind,
    project, build; newest first, `limit` from `offset`."""

    since: dt.date | None = None
    until: dt.date | None = None
    region: str | None = None
    organisation: str | None = None
    kind: str | None = None
    project: str | tuple[str, ...] | None = None
    build: str | None = None
    limit: int = 50
    offset: int = 0


def _iri_check(iri: str) -> str:
    """`<iri>` for a query, or ValueError naming the value (never a StoreError: not a build)."""
    from esfgraph.errors import StoreError
    from esfgraph.nt import checked_iri

    try:
        return checked_iri(iri)
    except StoreError as exc:
        raise ValueError(f"{iri!r} is not a valid IRI") from exc


def list_query(names: GraphNames, flt: LogFilter, *, count: bool = False) -> str:
    """The SPARQL that lists (or counts) change sets matching `flt`.

    Raises:
        ValueError: a filter value that is not a valid IRI, date or kind.
    """
    where = [(f"?cs <{CS}subjectOfChange> ?project ; <{CS}createdDate> ?when ; "
              f"<{CS}changeReason> ?status ; <{PROV}wasGeneratedBy> ?build .")]
    if flt.since:
        where.append(f'FILTER(?when >= "{flt.since.isoformat()}T00:00:00Z"^^<{XSD}dateTime>)')
    if flt.until:
        end = flt.until + dt.timedelta(days=1)
        where.append(f'FILTER(?when < "{end.isoformat()}T00:00:00Z"^^<{XSD}dateTime>)')
    if flt.region:
        where.append(f"?cs <{ESF}affectsRegion> {_iri_check(region_iri(names, flt.region))} .")
    if flt.organisation:
        where.append(f"?cs <{ESF}affectsOrganisation> "
                     f"{_iri_check(entity_iri(names, flt.organisation, 'org'))} .")
    if flt.kind:
        if flt.kind not in KINDS and flt.kind not in ("added", "removed", "restored"):
            raise ValueError(f"unknown kind {flt.kind!r}; use one of "
                             + ", ".join(KINDS + ("added", "removed", "restored")))
        if flt.kind in ("added", "removed", "restored"):
            where.append(f'FILTER(?status = "{flt.kind}")')
        else:
            where.append(f'?cs <{ESF}changeKind> "{flt.kind}" .')
    if flt.project:
        wanted = [flt.project] if isinstance(flt.project, str) else list(flt.project)
        where.append("FILTER(?project IN (" + ", ".join(
            _iri_check(entity_iri(names, p, "project")) for p in wanted) + "))")
    if flt.build:
        where.append(f"FILTER(STRENDS(STR(?build), \"/{escape(flt.build)}\"))")
    body = "\n  ".join(where)
    if count:
        return f"SELECT (COUNT(?cs) AS ?n) WHERE {{\n  {body}\n}}"
    return (f"SELECT ?cs ?project ?when ?status ?build WHERE {{\n  {body}\n}}\n"
            f"ORDER BY DESC(?when) ?project LIMIT {int(flt.limit)} OFFSET {int(flt.offset)}")


def details_query(changesets: list[str]) -> str:
    """The SPARQL that reads labels, kinds, places, organisations and statements of change sets."""
    values = " ".join(_iri_check(cs) for cs in changesets)
    return f"""SELECT ?cs ?k ?v ?p ?o WHERE {{
  VALUES ?cs {{ {values} }}
  {{ ?cs ?k ?v . FILTER(?k IN (<{RDFS}label>, <{ESF}changeKind>, <{ESF}affectsRegion>,
                               <{ESF}affectsOrganisation>, <{ESF}previousIRI>)) }}
  UNION {{ ?cs ?k ?v . FILTER(?k IN (<{CS}removal>, <{CS}addition>))
          ?v <{RDF}predicate> ?p ; <{RDF}object> ?o }}
}}"""


def region_iri(names: GraphNames, region: str) -> str:
    """A region code (SE33) or IRI → the region IRI."""
    return entity_iri(names, region, "region")


def entity_iri(names: GraphNames, value: str, kind: str) -> str:
    """A full IRI, a path below the base (``id/org/x``) or a bare id of `kind` → the IRI."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    if value.startswith("id/"):
        return names.base + value
    return f"{names.base}id/{kind}/{value}"


def row_nt(term: tuple[str, str, str | None, str | None]) -> str:
    """A row term (kind, value, language, datatype) back as N-Triples text."""
    kind, value, lang, datatype = term
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    body = f'"{escape(value)}"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype != XSD_STRING:
        return f"{body}^^<{datatype}>"
    return body


def read_changes(run: RunQuery, names: GraphNames, flt: LogFilter, *,
                 personal_data: bool = True) -> list[LoggedChange]:
    """The change sets matching `flt`, newest first, with their statements."""
    found: dict[str, LoggedChange] = {}
    for row in run(list_query(names, flt)):
        cs = row["cs"][1]
        found[cs] = LoggedChange(cs, row["build"][1], row["when"][1], row["project"][1],
                                 row["status"][1])
    if found:
        fill_details(run(details_query(list(found))), found, names, personal_data)
        add_labels(run, list(found.values()))
    return list(found.values())


def fill_details(rows: list[Row], found: dict[str, LoggedChange], names: GraphNames,
                 personal_data: bool) -> None:
    """Put the rows of `details_query` into the change sets they belong to."""
    for row in rows:
        item = found.get(row["cs"][1])
        if item is None:
            continue
        key = row["k"][1]
        if key == f"{RDFS}label":
            item.title = row["v"][1]
        elif key == f"{ESF}changeKind":
            if row["v"][1] == "contact" and not personal_data:
                continue
            item.kinds.append(row["v"][1])
        elif key == f"{ESF}affectsRegion":
            item.regions.append(row["v"][1])
        elif key == f"{ESF}affectsOrganisation":
            item.organisations.append(row["v"][1])
        elif key == f"{ESF}previousIRI":
            item.previous = row["v"][1]
        else:
            pred = row["p"][1]
            personal = pred == f"{ESF}contactPerson"
            if personal and not personal_data:
                continue
            target = item.removals if key == f"{CS}removal" else item.additions
            target.append((pred, row_nt(row["o"]), personal))
    for item in found.values():
        item.kinds = [k for k in KINDS if k in set(item.kinds)]
        item.regions.sort()
        item.organisations.sort()
        item.removals.sort()
        item.additions.sort()


def labels_query(iris: Iterable[str]) -> str:
    """The SPARQL that reads rdfs:label / skos:prefLabel of IRIs (values in reports)."""
    values = " ".join(_iri_check(i) for i in sorted(set(iris)))
    return f"""SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }}
  ?s <{RDFS}label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}"""


def labels_from(rows: list[Row], lang: str = "sv") -> dict[str, str]:
    """IRI -> label from `labels_query` rows: the label in `lang`, else untagged, else any."""
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        iri, (_, text, tag, _) = row["s"][1], row["l"]
        rank = 0 if tag == lang else 1 if not tag else 2
        if iri not in best or (rank, text) < best[iri]:
            best[iri] = (rank, text)
    return {iri: text for iri, (_, text) in best.items()}


def value_iris(changes: Iterable[Any]) -> set[str]:
    """The IRIs among the changed values (objects of the statements)."""
    return {obj[1:-1] for c in changes for _, obj, _ in c.removals + c.additions
            if obj.startswith("<")}


def add_labels(run: RunQuery, changes: list[Any], lang: str = "sv") -> None:
    """Put the labels of the changed IRI values into each change's `labels`."""
    iris = value_iris(changes)
    if not iris:
        return
    labels = labels_from(run(labels_query(iris)), lang)
    for c in changes:
        c.labels = {i: labels[i] for i in value_iris([c]) if i in labels}


def count_changes(run: RunQuery, names: GraphNames, flt: LogFilter) -> int:
    """How many change sets match `flt` (for paging)."""
    rows = run(list_query(names, flt, count=True))
    return int(rows[0]["n"][1]) if rows and "n" in rows[0] else 0


def builds_query() -> str:
    """The SPARQL that lists the logged builds, oldest first."""
    return f"""SELECT ?build ?id ?start ?end ?label ?added ?removed ?changed ?restored WHERE {{
  ?build a <{PROV}Activity> ; <{ESF}buildNumber> ?id ; <{PROV}startedAtTime> ?start ;
         <{PROV}endedAtTime> ?end ; <{ESF}projectsAdded> ?added ;
         <{ESF}projectsRemoved> ?removed ; <{ESF}projectsChanged> ?changed ;
         <{ESF}projectsRestored> ?restored .
  OPTIONAL {{ ?build <{RDFS}label> ?label }}
}} ORDER BY ?id"""


def store_runner(store: Any) -> RunQuery:
    """A `RunQuery` over a pyoxigraph store (the union of its graphs)."""

    def run(query: str) -> list[Row]:
        out: list[Row] = []
        result = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        for solution in result:
            row: Row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term_tuple(term)
            out.append(row)
        return out

    return run


def term_tuple(term: Any) -> tuple[str, str, str | None, str | None]:
    """A pyoxigraph term as (kind, value, language, datatype)."""
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    return ("literal", term.value, term.language, term.datatype.value if term.datatype else None)


def term_of(nt: str) -> Term:
    return Term(nt)


__all__ = ["CS", "LogFilter", "LogSummary", "LoggedChange", "builds_query", "changes_graph",
           "count_changes", "personal_changes_graph", "read_changes", "record_changes",
           "store_runner"]
