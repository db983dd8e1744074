"""`esfgraph diff`: compare two stores, two folders of pages, or two logged builds of a store.

Operands are resolved in this order: a store directory (it has a ``current`` pointer), a
folder or file of pages (built into a temporary store first, so folders and stores compare
the same way), else a build id or an ISO date (the last build on or before that day) in the
change log of ``store``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from esfgraph.changes.compare import Side, compare, open_store_side
from esfgraph.changes.log import (
    LogFilter,
    LoggedChange,
    builds_query,
    read_changes,
    store_runner,
)
from esfgraph.config import Config
from esfgraph.errors import StoreError
from esfgraph.store import CURRENT_FILE, Store


@contextmanager
def _side(operand: str, config: Config, personal_data: bool, tmp: Path) -> Iterator[Side]:
    path = Path(operand)
    if (path / CURRENT_FILE).is_symlink():
        yield open_store_side(path)
        return
    if path.exists():
        from esfgraph.pipeline import build

        target = tmp / f"store-{len(list(tmp.iterdir()))}"
        build([str(path)], config, store_path=target, personal_data=personal_data,
              validate=False, full=True)
        yield open_store_side(target)
        return
    raise StoreError(f"{operand}: no such store, folder or file")


def is_path(operand: str) -> bool:
    """True when `operand` names something on disk (else it is a build id or a date)."""
    return Path(operand).exists()


def diff_paths(old: str, new: str, config: Config | None = None, *,
               personal_data: bool | None = None) -> list[Any]:
    """Changes from `old` to `new` (stores, folders or files of pages), in project order.

    Raises:
        StoreError: an operand that is neither, or stores of different base IRIs.
    """
    config = config or Config()
    personal = config.personal_data if personal_data is None else personal_data
    tmp = Path(tempfile.mkdtemp(prefix="esfgraph-diff-"))
    try:
        with _side(old, config, personal, tmp) as a, _side(new, config, personal, tmp) as b:
            if not personal:
                a.personal_data = b.personal_data = False
            changes = list(compare(a, b))
            from esfgraph.changes.log import add_labels

            add_labels(store_runner(a.ox), changes)  # removed values are labelled in OLD
            older = {c.project: c.labels for c in changes}
            add_labels(store_runner(b.ox), changes)
            for c in changes:
                c.labels = {**older[c.project], **c.labels}
            return changes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def builds(store_path: str | Path) -> list[dict[str, str]]:
    """The builds in a store's change log, oldest first (id, start, end, counts)."""
    store = Store(store_path)
    return [{k: v[1] for k, v in row.items()} for row in store_runner(store.ox)(builds_query())]


def resolve_build(wanted: str, logged: list[dict[str, str]]) -> str:
    """A logged build number ("0": before the first) or an ISO date → the build number.

    A date names the last build that ended on or before the end of that day ("0" when none
    did: the state before the log began).

    Raises:
        StoreError: no build matches (the message lists the logged ones).
    """
    ids = [b["id"] for b in logged]
    if wanted == "0" or wanted in ids:
        return wanted
    try:
        day = dt.date.fromisoformat(wanted)
    except ValueError:
        day = None
    if day is not None:
        until = (day + dt.timedelta(days=1)).isoformat()
        before = [b["id"] for b in logged if b["end"] < until]
        return before[-1] if before else "0"
    known = ", ".join(f"{b['id']} ({b['end']})" for b in logged[-10:]) or "(none yet)"
    raise StoreError(f"{wanted!r} is not a store, folder, file, logged build number or date; "
                     f"logged builds: {known}")


def diff_builds(store_path: str | Path, old: str, new: str) -> list[LoggedChange]:
    """Net changes between two logged builds of one store (old excluded, new included).

    Builds are numbered in the log (1, 2, ...; `esfgraph diff` lists them on a bad name);
    "0" is the store before the first logged build.

    Change sets of the builds in between are composed per project: a value changed twice
    shows once, from its first old to its last new value; a change undone shows not at all.
    """
    logged = builds(store_path)
    a, b = resolve_build(old, logged), resolve_build(new, logged)
    order = ["0"] + [x["id"] for x in logged]
    if order.index(a) > order.index(b):
        a, b = b, a
    between = set(order[order.index(a) + 1:order.index(b) + 1])
    store = Store(store_path)
    run = store_runner(store.ox)
    changes = [c for c in read_changes(run, store.names, LogFilter(limit=10**9))
               if c.build_id in between]
    changes.sort(key=lambda c: (c.when, int(c.build_id)))
    net: dict[str, LoggedChange] = {}
    for c in changes:
        prev = net.get(c.project)
        if prev is None:
            net[c.project] = LoggedChange(c.changeset, c.build, c.when, c.project, c.status,
                                          c.title, list(c.kinds), list(c.regions),
                                          list(c.organisations), list(c.removals),
                                          list(c.additions))
            continue
        prev.when, prev.build, prev.changeset = c.when, c.build, c.changeset
        prev.title = c.title or prev.title
        if c.status == "changed" and prev.status == "changed":
            removals, additions = set(prev.removals), set(prev.additions)
            for s in c.removals:
                if s in additions:
                    additions.discard(s)
                else:
                    removals.add(s)
            for s in c.additions:
                if s in removals:
                    removals.discard(s)
                else:
                    additions.add(s)
            prev.removals, prev.additions = sorted(removals), sorted(additions)
        elif prev.status in ("added", "restored") and c.status == "removed":
            del net[c.project]  # came and went in between
        elif prev.status == "removed" and c.status in ("added", "restored"):
            prev.status, prev.removals, prev.additions = "changed", [], []
        elif prev.status in ("added", "restored"):
            pass  # still new, whatever changed since
        else:
            prev.status = c.status
    return sorted((c for c in net.values()
                   if c.status != "changed" or c.removals or c.additions),
                  key=lambda c: c.project)


__all__ = ["builds", "diff_builds", "diff_paths", "is_path", "resolve_build"]
