"""Compare two versions of the store project by project (the engine of the log and of diff).

Only records whose source file changed (another SHA-256) are read back: a store of 100k
records that differs in 1 % of them costs 1 000 graph reads, not 100 000. A record whose file
is byte-for-byte the same maps to the same triples (the build is deterministic), so skipping it
loses nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from esfgraph.changes.model import (
    ESF,
    IGNORED,
    RDFS,
    ProjectChange,
    Statement,
    compare_states,
    field_changes,
)
from esfgraph.errors import StoreError
from esfgraph.store import (
    DB_DIR,
    MANIFEST_FILE,
    GraphNames,
    Manifest,
    SourceEntry,
    current_version,
)

_REGION = f"{ESF}region"
_ORG_PREDICATES = (f"{ESF}owner", f"{ESF}partner", f"{ESF}cofinancier")
_TITLE = "http://purl.org/dc/terms/title"


@dataclass
class Side:
    """One version of a store as the comparison sees it: its graphs and its manifest rows."""

    ox: Any
    entries: dict[str, SourceEntry]  # slug -> entry
    names: GraphNames
    personal_data: bool
    label: str = ""

    def state(self, slug: str) -> set[Statement]:
        """The statements about one project (see esfgraph.changes.model)."""
        entry = self.entries[slug]
        project = self.names.project(slug)
        node = ox.NamedNode(project)
        inner = project + "/"
        graphs = [(entry.graph, False)]
        if self.personal_data:
            graphs.append((entry.personal_graph, True))
        out: set[Statement] = set()
        for graph, personal in graphs:
            for quad in self.ox.quads_for_pattern(node, None, None, ox.NamedNode(graph)):
                pred = quad.predicate.value
                obj = quad.object
                if pred in IGNORED or (isinstance(obj, ox.NamedNode)
                                       and obj.value.startswith(inner)):
                    continue
                if isinstance(obj, ox.BlankNode):
                    continue  # no stable identity across versions
                out.add((pred, str(obj), personal))
        return out

    def describe(self, slug: str, state: set[Statement] | None = None
                 ) -> tuple[str, list[str], list[str]]:
        """(title, region IRIs, organisation IRIs) of a project, for filters and feeds."""
        state = state if state is not None else self.state(slug)
        title = ""
        regions, orgs = [], []
        for pred, obj, _ in sorted(state):
            if pred == _TITLE and not title:
                title = _literal_value(obj)
            elif pred == _REGION:
                regions.append(obj[1:-1])
            elif pred in _ORG_PREDICATES:
                orgs.append(obj[1:-1])
        return title, regions, orgs


def _literal_value(nt: str) -> str:
    from esfgraph.changes.model import Term

    return Term(nt).value


def open_side(version: Path, label: str = "") -> Side:
    """Open a complete store version directory (``v-<build id>``) read-only."""
    try:
        store = ox.Store.read_only(str(version / DB_DIR))
    except OSError as exc:
        raise StoreError(f"{version}: cannot open the store ({exc})") from exc
    manifest = Manifest(version / MANIFEST_FILE, read_only=True)
    try:
        entries = {e.slug: e for e in manifest.sources()}
        base = manifest.get_meta("base_iri") or ""
        personal = manifest.get_meta("personal_data") != "False"
    finally:
        manifest.close()
    from esfgraph.config import DEFAULT_BASE_IRI

    return Side(store, entries, GraphNames(base or DEFAULT_BASE_IRI), personal,
                label or version.name[2:])


def open_store_side(path: str | Path) -> Side:
    """The current version of the store at `path`.

    Raises:
        StoreError: there is no store at `path`.
    """
    version = current_version(Path(path))
    if version is None:
        raise StoreError(f"no store at {path}; build one with `esfgraph build SOURCES`")
    return open_side(version)


def compare(old: Side, new: Side, *, restored: set[str] | None = None
            ) -> Iterator[ProjectChange]:
    """Every project added, removed or changed from `old` to `new`, in slug order.

    Records with the same source SHA-256 on both sides are not read. Contact details are
    compared only when both sides hold personal data. `restored`: slugs that were removed
    once before (an added project among them is reported as "restored").
    """
    if old.names.base != new.names.base:
        raise StoreError(f"the stores use different base IRIs ({old.names.base} and "
                         f"{new.names.base}); they cannot be compared project by project")
    personal = old.personal_data and new.personal_data
    restored = restored or set()
    renamed = _renamed(old, new)  # new slug -> old slug of the same source file
    gone = set(renamed.values())
    for slug in sorted(old.entries.keys() | new.entries.keys()):
        before, after = old.entries.get(slug), new.entries.get(slug)
        project = new.names.project(slug)
        if before is None and slug in renamed:
            before, old_slug = old.entries[renamed[slug]], renamed[slug]
        elif slug in gone and after is None:
            continue  # reported under its new identifier
        else:
            old_slug = slug
        if before is not None and after is not None:
            if before.sha256 == after.sha256 and old_slug == slug:
                continue
            old_state = _only(old, old_slug, personal)
            new_state = _only(new, slug, personal)
            removals, additions = compare_states(old_state, new_state)
            if not removals and not additions and old_slug == slug:
                continue  # e.g. only whitespace the parser ignores
            title, regions, orgs = new.describe(slug, new_state)
            _, old_regions, old_orgs = old.describe(old_slug, old_state)
            change = ProjectChange(slug, project, "changed",
                                   field_changes(removals, additions), title,
                                   _merge(regions, old_regions), _merge(orgs, old_orgs),
                                   removals, additions)
            if old_slug != slug:
                change.previous = old.names.project(old_slug)
            yield change
        elif after is not None:
            state = _only(new, slug, personal)
            title, regions, orgs = new.describe(slug, state)
            status = "restored" if slug in restored else "added"
            yield ProjectChange(slug, project, status, [], title, regions, orgs, [],
                                sorted(state))
        elif before is not None:
            state = _only(old, slug, personal)
            title, regions, orgs = old.describe(slug, state)
            yield ProjectChange(slug, project, "removed", [], title, regions, orgs,
                                sorted(state), [])


def _renamed(old: Side, new: Side) -> dict[str, str]:
    """New slug -> old slug for a source file whose project got another identifier.

    Pages of 2007-2013 have no project number: their slug is made of title, phase and start
    date, so a corrected title or a phase moved on gives the project a new IRI. The same
    source file on both sides is the same project.
    """
    gone = {slug: e for slug, e in old.entries.items() if slug not in new.entries}
    old_by_source = {e.source: slug for slug, e in gone.items()}
    names = Counter(e.name for e in gone.values())  # a Counter: many removals stay linear
    old_by_name = {e.name: slug for slug, e in gone.items() if names[e.name] == 1}
    out: dict[str, str] = {}
    for slug, entry in new.entries.items():
        if slug in old.entries:
            continue
        # the same path; else (two folders compared) the same file name
        old_slug = old_by_source.get(entry.source) or old_by_name.get(entry.name)
        if old_slug is not None:
            out[slug] = old_slug
    return out


def _only(side: Side, slug: str, personal: bool) -> set[Statement]:
    state = side.state(slug)
    return state if personal else {s for s in state if not s[2]}


def _merge(a: list[str], b: list[str]) -> list[str]:
    return sorted(set(a) | set(b))


__all__ = ["RDFS", "Side", "compare", "open_side", "open_store_side"]
