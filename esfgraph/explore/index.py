"""The explorer index: one SQLite file (`explore.sqlite`) inside each store version.

Why SQLite FTS5: the facet counts, sums and map aggregates need plain tables next to the text
index, and one file that is written before the version's `current` pointer moves is atomic
with the store for free (docs/guide/explore.md has the measurements against tantivy).

What is in it, per project (read from the store's graph, never from the pages):
  projects   one row: IRI, slug, source sha256, title, numbers, period, phase, programme area,
             specific objective, dates, ESF grant, total budget, owner, owner type, region,
             has contacts abroad, a plain summary;
  facets     (project, facet, value) pairs for the facet counts and filters;
  labels     (facet, value, lang, rank, label) from the graph's @sv/@en literals;
  docs/fts   the text (title; owner, partners, co-financiers; places; description and
             sections) and its FTS5 index (unicode61, case-folded, å/ä/ö kept);
  forms      the indexed words each search key finds (esfgraph.explore.swedish: inflections
             share a key, a compound carries its parts' keys: "ungdomsarbetslösheten" under
             "ungdom" and "arbetslös"); vocab: every indexed word and its number of projects,
             for "did you mean"; rforms: each word under its reversed key, to find the
             compounds a search word ends; together they replace the compound tails of
             schema 3,
             so that a search for the last part of a compound finds the compound.
Contact persons are never read: their names, e-mail addresses and phone numbers are in the
personal graphs (not read here), and e-mail addresses, phone numbers and the contact names
are also scrubbed from the text sections before indexing.

Updates are incremental: a new version starts from a copy of the previous version's index,
drops the rows of the records that went or changed and adds the rows the build made for the
records it wrote. The rows are made in the build workers from each record's mapped triples
(the same triples the store receives): reading them back out of the store cost more than the
whole 20 % budget (docs/guide/explore.md). Records with no row are read back from the store.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esfgraph.nt import split_literal

INDEX_FILE = "explore.sqlite"
#: Bumped when the tables change: an index of another schema is rebuilt.
SCHEMA_VERSION = "4"

_ESF = "https://w3id.org/esfgraph/ontology#"
_DCT = "http://purl.org/dc/terms/"
_SDO = "https://schema.org/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_ORG = "http://www.w3.org/ns/org#"
_FOAF = "http://xmlns.com/foaf/0.1/"

#: Text predicates of a project, in the order they are indexed (dcterms:description last
#: of the named ones; esf:section nodes follow).
TEXT_PREDICATES = (
    f"{_DCT}abstract", f"{_ESF}background", f"{_ESF}purpose", f"{_ESF}objectives",
    f"{_ESF}accessibility", f"{_ESF}genderEquality", f"{_ESF}transnationalCooperation",
    f"{_DCT}description",
)
OWNER_TYPES = ("municipality", "region", "state agency", "company", "association", "other")
#: Shortest compound part a search may match inside a longer word, and shortest head.

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0)\s?\d[\d \-–/()]{4,14}\d(?!\w)")
_REGION_ORG = re.compile(r"^(region|landstinget)\b|regionförbund|landsting", re.IGNORECASE)
_COMPANY = re.compile(r"(\bAB\b|aktiebolag|\bHB\b|handelsbolag|\bKB\b)", re.IGNORECASE)
_ASSOCIATION = re.compile(r"förening|föreningen|stiftelse|ideell|\bförbund(et)?\b|"
                          r"riksförbund|studieförbund|folkrörels", re.IGNORECASE)
_WORD = re.compile(r"\w+")
#: where a contact abroad is: an organisation's location, a place's country
_LOCATED = (f"{_SDO}location", f"{_SDO}containedInPlace")


class IndexError_(Exception):
    """The explorer index cannot be built or read."""


@dataclass
class ProjectDoc:
    """One project's index row, ready to insert (made from the project's triples)."""

    iri: str
    slug: str
    title: str = ""
    project_number: str | None = None
    case_number: str | None = None
    period: str | None = None
    phase: str | None = None
    programme_area: str | None = None
    programme_area_label: str | None = None
    specific_objective: str | None = None
    start: str | None = None
    end: str | None = None
    grant: int | None = None
    budget: int | None = None
    owners: list[str] = field(default_factory=list)
    owner_label: str | None = None
    owner_type: str = "other"
    org_labels: dict[str, str] = field(default_factory=dict)
    partners: list[str] = field(default_factory=list)
    cofinanciers: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    abroad: bool = False
    #: ISO 3166-1 alpha-2 codes of the countries of the contacts abroad
    countries: list[str] = field(default_factory=list)
    #: the bodies the owners are units of (org:unitOf, every level): an organisation's
    #: totals include its units', so the owner facet counts a unit's project for its body too
    owner_parents: list[str] = field(default_factory=list)
    owner_number: str | None = None
    #: every organisation of the project in any role, and the bodies they are units of
    organisations: list[str] = field(default_factory=list)
    actors: str = ""
    places: str = ""
    body: str = ""


def enabled() -> bool:
    """False when ESFGRAPH_EXPLORE_INDEX=0: builds without the index (to measure its cost).

    A version built so has no index; `serve` builds it when first asked (`ensure_index`).
    """
    return os.environ.get("ESFGRAPH_EXPLORE_INDEX", "1") != "0"


def index_path(version_dir: str | os.PathLike[str]) -> Path:
    """Where the index of a store version lives."""
    return Path(version_dir) / INDEX_FILE


def tail(iri: str, marker: str) -> str:
    """The part of an IRI after `marker` (the facet value of a concept or place IRI)."""
    at = iri.find(marker)
    return iri[at + len(marker):] if at >= 0 else iri.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------
# One project's row from its triples
# --------------------------------------------------------------------------------------------

#: (subject IRI, predicate IRI, object: an IRI or a literal's N-Triples text, personal?)
Term = tuple[str, str, str, bool]


def _literal(o: str) -> tuple[str, str | None]:
    lexical, lang, _ = split_literal(o)
    return lexical, lang


def doc_from_terms(terms: Iterable[Term], slug: str, base_iri: str,
                   gazetteer: Any = None) -> ProjectDoc:
    """Build a project's index row from its triples (the mapping's, or read from the store).

    Personal triples are used for one thing only: the contact persons' names are removed
    from the indexed text. Organisation triples (labels, units, legal form) give the owner's
    label and type; the gazetteer gives county and place names.
    """
    iri = f"{base_iri}id/project/{slug}"
    doc = ProjectDoc(iri=iri, slug=slug)
    texts: dict[str, list[str]] = {}
    sections: dict[str, list[str]] = {}
    org = _Orgs()
    persons: set[str] = set()
    section_prefix = iri + "/section/"
    contacts: list[str] = []
    located: dict[str, list[str]] = {}
    country_code: dict[str, str] = {}
    for s, p, o, personal in terms:
        if personal:
            if p in (f"{_FOAF}name", f"{_SDO}name") and o.startswith('"'):
                persons.add(_literal(o)[0])
            continue
        if p in _LOCATED:
            located.setdefault(s, []).append(o)
        elif p == f"{_ESF}countryCode" and o.startswith('"'):
            country_code[s] = _literal(o)[0].upper()
        if s == iri:
            if p == f"{_ESF}transnationalContact":
                contacts.append(o)
            _project_term(doc, p, o, texts)
        elif s.startswith(section_prefix):
            if p in (f"{_DCT}title", f"{_RDF}value") and o.startswith('"'):
                part = sections.setdefault(s, ["", ""])
                part[0 if p == f"{_DCT}title" else 1] = _literal(o)[0]
        elif "/id/org/" in s:
            org.add(s, p, o)
    body_parts = [t for p in TEXT_PREDICATES for t in texts.get(p, ())]
    body_parts += [f"{h}\n{v}".strip() for _, (h, v) in sorted(sections.items())]
    doc.body = scrub("\n\n".join(body_parts), persons)
    for values in (doc.owners, doc.partners, doc.cofinanciers, doc.regions, doc.municipalities):
        values[:] = sorted(set(values))
    owner = doc.owners[0] if doc.owners else None
    doc.owner_label = org.display(owner) if owner else None
    doc.owner_type = org.owner_type(owner)
    doc.owner_number = next((org.number[o] for o in ([owner, *org.ancestors(owner)]
                                                      if owner else []) if o in org.number),
                            None)
    doc.owner_parents = sorted({a for o in doc.owners for a in org.ancestors(o)}
                               - set(doc.owners))
    involved = {*doc.owners, *doc.partners, *doc.cofinanciers}
    doc.organisations = sorted(involved | {a for o in involved for a in org.ancestors(o)})
    doc.org_labels = {o: org.display(o) for o in doc.organisations if o in org.label}
    countries: set[str] = set()
    for agent in contacts:
        for node in (agent, *located.get(agent, ())):
            if node in country_code:
                countries.add(country_code[node])
    doc.countries = sorted(countries)
    doc.actors = "\n".join(org.label.get(o, "") for o in
                           (*doc.owners, *doc.partners, *doc.cofinanciers))
    places: list[str] = []
    counties: set[str] = set()
    if gazetteer is not None:
        for code in doc.municipalities:
            m = gazetteer.municipality_by_code(code)
            if m is not None:
                places += [m.name, m.org_name]
                counties.add(m.county_code)
        for code in sorted(counties):
            county = gazetteer.county(code)
            if county is not None:
                places.append(county.name)
        for code in doc.regions:
            region = gazetteer.region(code) if code != "national" else None
            if region is not None:
                places.append(region.name)
    doc.counties = sorted(counties)
    doc.places = "\n".join(dict.fromkeys(places))
    return doc


def _project_term(doc: ProjectDoc, p: str, o: str, texts: dict[str, list[str]]) -> None:
    """File one triple of the project node into its row."""
    if p.startswith(_ESF):
        name = p[len(_ESF):]
        if name == "programmingPeriod":
            doc.period = tail(o, "/concept/period/")
        elif name == "phase":
            doc.phase = tail(o, "/concept/phase/")
        elif name == "programmeArea":
            doc.programme_area = tail(o, "/concept/programme-area/")
        elif name == "programmeAreaLabel":
            doc.programme_area_label = _literal(o)[0]
        elif name == "specificObjective":
            doc.specific_objective = tail(o, "/concept/specific-objective/")
        elif name == "projectNumber":
            doc.project_number = _literal(o)[0]
        elif name == "caseNumber":
            doc.case_number = _literal(o)[0]
        elif name == "esfGrantSEK":
            doc.grant = _amount(_literal(o)[0])
        elif name == "totalBudgetSEK":
            doc.budget = _amount(_literal(o)[0])
        elif name == "owner":
            doc.owners.append(o)
        elif name == "partner":
            doc.partners.append(o)
        elif name == "cofinancier":
            doc.cofinanciers.append(o)
        elif name == "region":
            doc.regions.append(tail(o, "/id/region/"))
        elif name == "municipality":
            doc.municipalities.append(tail(o, "/id/municipality/"))
        elif name == "transnationalContact":
            doc.abroad = True
        elif p in TEXT_PREDICATES and o.startswith('"'):
            texts.setdefault(p, []).append(_literal(o)[0])
    elif p == f"{_DCT}title" and o.startswith('"'):
        title, lang = _literal(o)
        if not doc.title or lang == "sv":
            doc.title = title
    elif p == f"{_SDO}startDate":
        doc.start = _literal(o)[0][:10]
    elif p == f"{_SDO}endDate":
        doc.end = _literal(o)[0][:10]
    elif p in TEXT_PREDICATES and o.startswith('"'):
        texts.setdefault(p, []).append(_literal(o)[0])


class _Orgs:
    """The organisation triples a record carries: enough to name and type its owner."""

    def __init__(self) -> None:
        self.label: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        self.public: set[str] = set()
        self.municipal: set[str] = set()
        self.number: dict[str, str] = {}

    def add(self, s: str, p: str, o: str) -> None:
        if p == f"{_SKOS}prefLabel":
            self.label[s] = _literal(o)[0]
        elif p == f"{_ORG}unitOf":
            self.parent[s] = o
        elif p == f"{_RDF}type" and o == f"{_SDO}GovernmentOrganization":
            self.public.add(s)
        elif p == f"{_SDO}areaServed":
            self.municipal.add(s)
        elif p == f"{_ESF}organisationNumber":
            self.number[s] = _literal(o)[0]

    def ancestors(self, org: str) -> list[str]:
        """The bodies `org` is a unit of, nearest first (loops stop)."""
        out: list[str] = []
        while org in self.parent and self.parent[org] not in out and self.parent[org] != org:
            org = self.parent[org]
            out.append(org)
        return out

    def display(self, org: str) -> str:
        """The label of an organisation; a unit's with its body's ("AME (Ale kommun)")."""
        label = self.label.get(org, tail(org, "/id/org/"))
        parent = self.parent.get(org)
        if parent and parent in self.label and self.label[parent] not in label:
            return f"{label} ({self.label[parent]})"
        return label

    def owner_type(self, org: str | None) -> str:
        """municipality | region | state agency | company | association | other.

        The root of the org:unitOf chain decides (a unit has the type of its body): a body
        serving a municipality (schema:areaServed) is a municipality; other public bodies are
        regions when named so, else state agencies; the rest by the legal form in the
        organisation number (5 and 9 companies, 7 and 8 associations) or by the name.
        """
        if not org:
            return "other"
        seen = {org}
        while org in self.parent and self.parent[org] not in seen:
            org = self.parent[org]
            seen.add(org)
        label = self.label.get(org, "")
        if org in self.municipal or label.lower().endswith((" kommun", " stad")):
            return "municipality"
        if org in self.public:
            return "region" if _REGION_ORG.search(label) else "state agency"
        number = self.number.get(org, "")
        if number[:1] in ("5", "9") or _COMPANY.search(label):
            return "company"
        if number[:1] in ("7", "8") or _ASSOCIATION.search(label):
            return "association"
        return "other"


def _amount(text: str) -> int | None:
    try:
        return int(text) if text.lstrip("-").isdigit() else int(float(text))
    except ValueError:
        return None


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """Text without e-mail addresses, phone numbers and the given person names."""
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    for name in names:
        if len(name) >= 3 and name in text:
            text = text.replace(name, " ")
    return text


def terms_of_mapped(mapped: Any) -> Iterator[Term]:
    """The triples of a `MappedRecord` as `Term`s (its text form when it still has one)."""
    if getattr(mapped, "text_only", False):
        yield from mapped.terms
        return
    from esfgraph.store import term_nt

    personal_graph = str(mapped.personal_graph)
    for s, p, o, g in mapped.quads:
        obj = term_nt(o)
        yield (str(s), str(p), obj if obj.startswith('"') else str(o),
               str(g) == personal_graph or "/graph/personal/" in str(g))


def terms_from_store(ox_store: Any, slug: str, base_iri: str) -> list[Term]:
    """A project's triples read back from the store (for an index rebuilt after the build).

    The project node, its sections, its organisations (and their parents) and its contact
    persons' names (only to scrub them from the text).
    """
    import pyoxigraph as ox

    iri = f"{base_iri}id/project/{slug}"
    personal_prefix = f"{base_iri}graph/personal/"
    out: list[Term] = []

    def read(subject: str, keep: Callable[[str], bool] = lambda p: True) -> list[Term]:
        got = []
        for q in ox_store.quads_for_pattern(ox.NamedNode(subject), None, None, None):
            p = q.predicate.value
            if not keep(p):
                continue
            o = q.object
            text = str(o) if isinstance(o, ox.Literal) else o.value
            graph = q.graph_name
            personal = isinstance(graph, ox.NamedNode) and graph.value.startswith(
                personal_prefix)
            got.append((subject, p, text, personal))
        return got

    own = read(iri)
    out += own
    orgs: list[str] = []
    for _, p, o, personal in own:
        if p == f"{_ESF}section":
            out += read(o)
        elif p in (f"{_ESF}owner", f"{_ESF}partner", f"{_ESF}cofinancier"):
            orgs.append(o)
        elif p == f"{_ESF}transnationalContact":
            where = read(o, lambda p: p in (*_LOCATED, f"{_ESF}countryCode"))
            out += where
            for place in {w[2] for w in where if w[1] in _LOCATED}:
                out += read(place, lambda p: p == f"{_ESF}countryCode")
        elif p == f"{_ESF}contactPerson":
            out += read(o, lambda p: p in (f"{_FOAF}name", f"{_SDO}name"))
    seen: set[str] = set()
    org_preds = (f"{_SKOS}prefLabel", f"{_ORG}unitOf", f"{_RDF}type", f"{_SDO}areaServed",
                 f"{_ESF}organisationNumber")
    while orgs:
        org = orgs.pop()
        if org in seen:
            continue
        seen.add(org)
        got = read(org, lambda p: p in org_preds)
        out += got
        orgs += [o for _, p, o, _ in got if p == f"{_ORG}unitOf"]
    return out


def read_labels(ox_store: Any, base_iri: str) -> dict[tuple[str, str, str], tuple[int, str]]:
    """Facet labels of concepts and places from the vocabulary and reference graphs.

    Returns (facet, value, lang) -> (rank, label), rank 1 the best (skos:prefLabel; for
    municipalities rdfs:label "Ale kommun" before skos:prefLabel "Ale").
    """
    import pyoxigraph as ox

    labels: dict[tuple[str, str, str], tuple[int, str]] = {}
    markers = (("period", "/concept/period/"), ("programme_area", "/concept/programme-area/"),
               ("specific_objective", "/concept/specific-objective/"),
               ("phase", "/concept/phase/"), ("municipality", "/id/municipality/"),
               ("county", "/id/county/"), ("region", "/id/region/"))
    ranks = {f"{_SKOS}prefLabel": 1, f"{_RDFS}label": 2, f"{_SKOS}altLabel": 3}
    for graph in (f"{base_iri}graph/vocabulary", f"{base_iri}graph/reference"):
        for predicate, rank in ranks.items():
            for q in ox_store.quads_for_pattern(None, ox.NamedNode(predicate), None,
                                                ox.NamedNode(graph)):
                s = q.subject.value
                for facet, marker in markers:
                    if marker in s:
                        r = {1: 2, 2: 1}.get(rank, rank) if facet == "municipality" else rank
                        key = (facet, tail(s, marker), getattr(q.object, "language", None)
                               or "sv")
                        if key not in labels or labels[key][0] > r:
                            labels[key] = (r, q.object.value)
                        break
    return labels


# --------------------------------------------------------------------------------------------
# Writing the index
# --------------------------------------------------------------------------------------------

_SCHEMA = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY, iri TEXT UNIQUE, slug TEXT UNIQUE, title TEXT,
    project_number TEXT, case_number TEXT, period TEXT, phase TEXT, programme_area TEXT,
    specific_objective TEXT, start_date TEXT, end_date TEXT, start_year INTEGER,
    grant INTEGER, budget INTEGER, owner TEXT, owner_label TEXT, owner_type TEXT,
    region TEXT, abroad INTEGER, summary TEXT, owner_number TEXT, countries TEXT);
CREATE TABLE IF NOT EXISTS facets (id INTEGER, facet TEXT, value TEXT,
    PRIMARY KEY (facet, value, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_id ON facets (id);
CREATE TABLE IF NOT EXISTS labels (facet TEXT, value TEXT, lang TEXT, rank INTEGER,
    label TEXT, PRIMARY KEY (facet, value, lang, rank)) WITHOUT ROWID;
-- docs.body is zlib-compressed UTF-8 (body_text): FTS5 reads its external content only for
-- snippet(), highlight() and 'rebuild', none of which esfgraph uses; 'delete' gets the text
CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, title TEXT, actors TEXT, places TEXT,
    body BLOB);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, actors, places, body,
    content='docs', content_rowid='id', tokenize='unicode61 remove_diacritics 0',
    detail='column');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
CREATE TABLE IF NOT EXISTS orgs (id INTEGER, org TEXT, label TEXT, PRIMARY KEY (id, org))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forms (key TEXT, term TEXT, PRIMARY KEY (key, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab (term TEXT PRIMARY KEY, docs INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rforms (rkey TEXT, term TEXT, PRIMARY KEY (rkey, term)) WITHOUT ROWID;
"""


@dataclass
class IndexReport:
    """What one index update did."""

    added: int = 0
    removed: int = 0
    read_back: int = 0
    seconds: float = 0.0
    size: int = 0
    #: seconds per step (copy, delete, read back, insert, labels, forms, commit)
    steps: dict[str, float] = field(default_factory=dict)


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) an index file for writing."""
    db = sqlite3.connect(str(path), check_same_thread=False)
    db.executescript(_SCHEMA)
    return db


def update_index(version_dir: str | os.PathLike[str], ox_store: Any, base_iri: str,
                 slugs: Iterable[str], docs: dict[str, ProjectDoc] | None = None, *,
                 previous_dir: str | os.PathLike[str] | None = None,
                 gazetteer: Any = None) -> IndexReport:
    """Bring the index of a (not yet current) store version up to date with its records.

    Args:
        version_dir: the version directory the index is written into.
        ox_store: the version's pyoxigraph store: labels, and projects read back from it.
        base_iri: the store's base IRI (project IRIs are `{base}id/project/{slug}`).
        slugs: the slug of every record stored in the version (the manifest).
        docs: rows made during the build for the records it (re)wrote; they replace the
            rows of the same slugs. Stored records with neither a row here nor in the
            previous index are read back from the store (slower, see docs/guide/explore.md).
        previous_dir: the version this one was copied from: its index is the starting point.
        gazetteer: place names for the text (default: esfgraph.link.default_gazetteer()).
    Returns:
        an `IndexReport`; the file is complete (and renamed into place) when this returns.
    """
    started = time.monotonic()
    docs = docs or {}
    target = index_path(version_dir)
    report = IndexReport()
    tmp = target.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    previous = index_path(previous_dir) if previous_dir else None
    if target.exists() and schema_ok(target):
        shutil.copyfile(target, tmp)
    elif previous is not None and previous.exists() and schema_ok(previous):
        shutil.copyfile(previous, tmp)
    report.steps["copy"] = time.monotonic() - started
    db = connect(tmp)
    try:
        step = time.monotonic()

        def lap(name: str) -> None:
            nonlocal step
            now = time.monotonic()
            report.steps[name] = now - step
            step = now

        wanted = set(slugs)
        have = {slug for (slug,) in db.execute("SELECT slug FROM projects")}
        gone = sorted((have - wanted) | (have & set(docs)))
        _delete(db, gone)
        report.removed = len(have - wanted)
        lap("delete")
        missing = sorted(wanted - (have - set(docs)) - set(docs))
        if missing:
            if gazetteer is None:
                from esfgraph.link import default_gazetteer

                gazetteer = default_gazetteer()
            for slug in missing:
                docs[slug] = doc_from_terms(terms_from_store(ox_store, slug, base_iri), slug,
                                            base_iri, gazetteer)
            report.read_back = len(missing)
        lap("read back")
        _insert(db, [docs[s] for s in sorted(docs) if s in wanted])
        report.added = len([s for s in docs if s in wanted])
        lap("insert")
        _write_labels(db, read_labels(ox_store, base_iri))
        lap("labels")
        _write_forms(db)
        lap("forms")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('base_iri', ?)", (base_iri,))
        db.commit()
        lap("commit")
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, target)
    report.seconds = time.monotonic() - started
    report.size = target.stat().st_size
    return report


def schema_ok(path: Path) -> bool:
    """True when the index file at `path` has the current schema."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return row == (SCHEMA_VERSION,)


def _delete(db: sqlite3.Connection, slugs: list[str]) -> None:
    for slug in slugs:
        row = db.execute("SELECT id FROM projects WHERE slug=?", (slug,)).fetchone()
        if row is None:
            continue
        pid = row[0]
        old = db.execute("SELECT title, actors, places, body FROM docs WHERE id=?",
                         (pid,)).fetchone()
        if old is not None:  # external-content FTS5: the old text must be given back
            db.execute("INSERT INTO fts(fts, rowid, title, actors, places, body) "
                       "VALUES ('delete', ?, ?, ?, ?, ?)", (pid, *old[:3], body_text(old[3])))
        db.execute("DELETE FROM docs WHERE id=?", (pid,))
        db.execute("DELETE FROM facets WHERE id=?", (pid,))
        db.execute("DELETE FROM projects WHERE id=?", (pid,))
        db.execute("DELETE FROM orgs WHERE id=?", (pid,))


def _insert(db: sqlite3.Connection, docs: list[ProjectDoc]) -> None:
    rows: list[tuple[Any, ...]] = []
    facet_rows: list[tuple[int, str, str]] = []
    doc_rows: list[tuple[Any, ...]] = []
    org_rows: list[tuple[int, str, str]] = []
    next_id = (db.execute("SELECT MAX(id) FROM projects").fetchone()[0] or 0) + 1

    def flush() -> None:
        db.executemany("INSERT INTO projects VALUES (" + ",".join("?" * 23) + ")", rows)
        db.executemany("INSERT OR IGNORE INTO facets VALUES (?, ?, ?)", facet_rows)
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                       [(*row[:4], zlib.compress(row[4].encode("utf-8"), 1))
                        for row in doc_rows])
        db.executemany("INSERT INTO fts(rowid, title, actors, places, body) "
                       "VALUES (?, ?, ?, ?, ?)", doc_rows)
        db.executemany("INSERT OR IGNORE INTO orgs VALUES (?, ?, ?)", org_rows)
        rows.clear(), facet_rows.clear(), doc_rows.clear(), org_rows.clear()

    for doc in docs:
        pid = next_id
        next_id += 1
        owner = doc.owners[0] if doc.owners else None
        start_year = int(doc.start[:4]) if doc.start and doc.start[:4].isdigit() else None
        rows.append((pid, doc.iri, doc.slug, doc.title, doc.project_number, doc.case_number,
                     doc.period, doc.phase, doc.programme_area, doc.specific_objective,
                     doc.start, doc.end, start_year, doc.grant, doc.budget, owner,
                     doc.owner_label, doc.owner_type,
                     doc.regions[0] if doc.regions else None, int(doc.abroad),
                     _summary(doc.body), doc.owner_number, " ".join(doc.countries)))
        single = (("period", doc.period), ("phase", doc.phase),
                  ("programme_area", doc.programme_area),
                  ("specific_objective", doc.specific_objective),
                  ("owner_type", doc.owner_type), ("abroad", "true" if doc.abroad else "false"))
        facet_rows.extend((pid, facet, value) for facet, value in single if value)
        for facet, values in (("region", doc.regions), ("municipality", doc.municipalities),
                              ("county", doc.counties),
                              ("owner", [*doc.owners, *doc.owner_parents]),
                              ("country", doc.countries),
                              ("organisation", doc.organisations)):
            facet_rows.extend((pid, facet, v) for v in values)
        org_rows.extend((pid, o, label) for o, label in doc.org_labels.items())
        if doc.programme_area and doc.programme_area_label:
            # a programme area not in the shipped concepts: its page label (kept on updates)
            db.execute("INSERT OR IGNORE INTO labels VALUES ('programme_area', ?, 'sv', 4, ?)",
                       (doc.programme_area, doc.programme_area_label))
        doc_rows.append((pid, doc.title, doc.actors, doc.places, doc.body))
        if len(rows) >= 2000:
            flush()
    flush()


def body_text(blob: bytes | str | None) -> str:
    """The text of a `docs.body` cell (stored zlib-compressed: a third of the index size)."""
    if blob is None:
        return ""
    if isinstance(blob, str):
        return blob
    return zlib.decompress(blob).decode("utf-8")


def _summary(body: str, size: int = 280) -> str:
    text = " ".join(body[:size * 2].split())
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + " …"


def _write_labels(db: sqlite3.Connection,
                  labels: dict[tuple[str, str, str], tuple[int, str]]) -> None:
    """Facet labels: the best @sv/@en label of each concept and place, owners' own labels.

    Rank 1 is the best; rank 4 (a page's own programme-area label) is kept across updates.
    Owner labels come from the `orgs` table (each project's own organisation triples).
    """
    db.execute("DELETE FROM labels WHERE rank < 4")
    db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?)",
                   [(f, v, lang, rank, label)
                    for (f, v, lang), (rank, label) in sorted(labels.items())])
    for facet in ("owner", "organisation"):
        db.execute(f"INSERT OR IGNORE INTO labels SELECT '{facet}', org, 'sv', 1, MIN(label) "
                   "FROM orgs GROUP BY org")
    from esfgraph.explore.countries import country_name

    codes = [c for (c,) in db.execute("SELECT DISTINCT value FROM facets WHERE facet='country'")]
    db.executemany("INSERT OR IGNORE INTO labels VALUES ('country', ?, ?, 1, ?)",
                   [(c, lang, country_name(c, lang)) for c in codes for lang in ("sv", "en")])


def _write_forms(db: sqlite3.Connection) -> None:
    """Search keys and the vocabulary, over the whole vocabulary (unique words: cheap at 100k).

    Recomputed in full on every update: a new word can make an old compound splittable.
    """
    from esfgraph.explore.swedish import form_rows, key

    vocab = [(t, n) for (t, n) in db.execute("SELECT term, doc FROM fts_vocab")]
    db.execute("DELETE FROM forms")
    db.executemany("INSERT INTO forms VALUES (?, ?)", form_rows(t for t, _ in vocab))
    db.execute("DELETE FROM rforms")  # keys reversed: compounds that end in a search word
    db.executemany("INSERT INTO rforms VALUES (?, ?)",
                   sorted({(key(t)[::-1], t) for t, _ in vocab if not t.isdigit()}))
    db.execute("DELETE FROM vocab")
    db.executemany("INSERT INTO vocab VALUES (?, ?)", vocab)


def ensure_index(version_dir: str | os.PathLike[str], *, quiet: bool = False) -> Path | None:
    """Build the index of a committed store version when it is missing (older builds).

    The version directory stays complete meanwhile: the file appears with one rename.
    Returns the index path, or None when `version_dir` is not a store version.
    """
    from esfgraph.store import DB_DIR, MANIFEST_FILE, Manifest

    version = Path(version_dir)
    target = index_path(version)
    if target.exists() and schema_ok(target):
        return target
    if not (version / DB_DIR).is_dir() or not (version / MANIFEST_FILE).exists():
        return None
    import pyoxigraph as ox

    if not quiet:
        print(f"esfgraph: building the explorer index of {version} (missing)", file=sys.stderr)
    manifest = Manifest(version / MANIFEST_FILE, read_only=True)
    try:
        base = manifest.get_meta("base_iri")
        slugs = [e.slug for e in manifest.sources()]
    finally:
        manifest.close()
    if base is None:
        raise IndexError_(f"{version}: the manifest has no base IRI; rebuild the store")
    store = ox.Store.read_only(str(version / DB_DIR))
    report = update_index(version, store, base, slugs)
    if not quiet:
        print(f"esfgraph: explorer index built ({report.added} projects, "
              f"{report.seconds:.1f} s)", file=sys.stderr)
    return target


def words(text: str) -> list[str]:
    """The indexed words of a text, as FTS5's unicode61 sees them (case-folded)."""
    return [w.lower() for w in _WORD.findall(text)]


__all__ = ["INDEX_FILE", "IndexReport", "ProjectDoc", "body_text", "doc_from_terms", "ensure_index",
           "index_path", "scrub", "terms_from_store", "terms_of_mapped", "update_index"]
