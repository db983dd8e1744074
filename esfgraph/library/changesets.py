"""What `KnowledgeGraph.diff`, `.history` and `esfgraph.what_changed` return.

Plain lists of change objects (one per project) that also know how to render themselves
in the report formats of `esfgraph diff` / `esfgraph history`, so the CLI prints what the
library computed and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

#: The report formats of `esfgraph diff`; `esfgraph history` uses the first three.
CHANGE_FORMATS = ("text", "csv", "json", "rdf-patch", "turtle")


class Changes(list):  # type: ignore[type-arg]
    """The changed projects from one state to another (a list, in project order).

    Each item has ``project`` (IRI), ``status`` (added, removed, changed, restored), ``title``,
    ``fields`` (changes grouped as money, dates and phase, organisations, places, text,
    with old and new values) and the raw ``removals`` / ``additions``. Empty when the two
    states hold the same data.
    """

    def __init__(self, items: Any = (), *, heading: str = "", base: str = "") -> None:
        super().__init__(items)
        self.heading = heading
        self.base = base

    def render(self, format: str = "text") -> str:
        """The report as `esfgraph diff --format FORMAT` writes it (text, csv, json,
        rdf-patch, turtle)."""
        from esfgraph.changes.report import render

        _check(format, CHANGE_FORMATS)
        return render(self, format, heading=self.heading, base=self.base)


@dataclass
class History:
    """Every recorded change of one project, oldest first (`KnowledgeGraph.history`)."""

    #: The project's IRI.
    project: str
    #: Its change sets, oldest first; each has ``when``, ``build_id``, ``status``, ``title``
    #: and ``fields``.
    changes: list[Any] = field(default_factory=list)

    def __iter__(self) -> Any:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def render(self, format: str = "text") -> str:
        """The history as `esfgraph history --format FORMAT` writes it (text, csv, json)."""
        from esfgraph.changes.report import field_line, render

        _check(format, CHANGE_FORMATS[:3])
        if format != "text":
            return render(self.changes, format)
        lines = [f"History of {self.project}: {len(self.changes)} recorded change(s)"]
        for c in self.changes:
            lines.append(f"\n{c.when}  build {c.build_id}  {c.status}  {c.title}")
            lines.extend(f"    {f.kind:<13} {field_line(f)}" for f in c.fields)
        return "\n".join(lines) + "\n"


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    from esfgraph.errors import EsfgraphError

    if fmt not in allowed:
        raise EsfgraphError(f"unknown report format {fmt!r}; choose one of {', '.join(allowed)}")


def is_on_disk(operand: str | os.PathLike[str]) -> bool:
    """True when `operand` names a store, folder or file (else a build number or date)."""
    from esfgraph.changes.diff import is_path

    return is_path(os.fspath(operand))


__all__ = ["CHANGE_FORMATS", "Changes", "History", "is_on_disk"]
