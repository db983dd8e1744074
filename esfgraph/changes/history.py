"""`esfgraph history`: every recorded change of one project, oldest first.

A project is named by its IRI, its slug, its project number (2018/00460) or its source file.
A 2007-2013 project whose identifier changed (title or phase in its slug) is followed back
through ``esf:previousIRI``, so its history does not stop at the rename.
"""

from __future__ import annotations

from pathlib import Path

from esfgraph.changes.log import (
    CS,
    ESF,
    LogFilter,
    LoggedChange,
    RunQuery,
    read_changes,
    store_runner,
)
from esfgraph.errors import StoreError
from esfgraph.nt import escape
from esfgraph.store import Store, find_entry


def resolve_project(store: Store, wanted: str) -> str:
    """The project IRI for an IRI, slug, project number or source file.

    Raises:
        StoreError: nothing in the store or its log matches.
    """
    names = store.names
    if wanted.startswith(("http://", "https://")):
        return wanted
    entry = find_entry(store.sources(), wanted)
    if entry is not None:
        return names.project(entry.slug)
    run = store_runner(store.ox)
    rows = run(f'SELECT ?p WHERE {{ ?p <{ESF}projectNumber> "{escape(wanted)}" }} LIMIT 2')
    if len(rows) == 1:
        return rows[0]["p"][1]
    iri = names.project(wanted.replace("/", "-"))
    if _known(run, iri):
        return iri
    raise StoreError(f"{wanted!r} is not a project in the store at {store.root} or its change "
                     "log (give an IRI, slug, project number or source file)")


def _known(run: RunQuery, iri: str) -> bool:
    rows = run(f"SELECT ?x WHERE {{ {{ <{iri}> ?x ?o }} UNION "
               f"{{ ?x <{CS}subjectOfChange> <{iri}> }} }} LIMIT 1")
    return bool(rows)


def identifiers(store: Store, iri: str) -> list[str]:
    """The project's IRI and every earlier IRI recorded by the log (esf:previousIRI)."""
    run = store_runner(store.ox)
    seen = [iri]
    todo = [iri]
    while todo:
        current = todo.pop()
        for row in run(f"SELECT DISTINCT ?old WHERE {{ ?cs <{CS}subjectOfChange> <{current}> ; "
                       f"<{ESF}previousIRI> ?old }}"):
            old = row["old"][1]
            if old not in seen:
                seen.append(old)
                todo.append(old)
    return seen


def project_history(store_path: str | Path, wanted: str, *, personal_data: bool = True
                    ) -> tuple[str, list[LoggedChange]]:
    """(project IRI, its change sets oldest first)."""
    store = Store(store_path)
    iri = resolve_project(store, wanted)
    flt = LogFilter(project=tuple(identifiers(store, iri)), limit=10**6)
    changes = read_changes(store_runner(store.ox), store.names, flt,
                           personal_data=personal_data)
    changes.sort(key=lambda c: (c.when, int(c.build_id)))
    return iri, changes


__all__ = ["identifiers", "project_history", "resolve_project"]
