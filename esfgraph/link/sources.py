"""Where sources disagree about one project, and rows that may be a project without saying so.

Records with the same case number are one project (esfgraph.map_lists keys list rows the way
pages are keyed). For each project told by more than one source this lists the fields whose
values differ (title, dates, total budget in kronor, co-financing rate, organisation number):
both values stay in the graph, each in its source's graph; this report is where a person sees
them. Euro amounts are never compared with kronor.

A row without a case number is never merged: when another source's record has the same
organisation number, the same title (case, spaces and punctuation aside) and the same start
date, the pair is listed as a candidate for a person to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esfgraph.iri import project_slug
from esfgraph.record import Record

#: Fields compared between the sources of one project: (record field, report name).
COMPARED = (
    ("title", "title"),
    ("start_date", "start date"),
    ("end_date", "end date"),
    ("total_budget_sek", "total budget (SEK)"),
    ("eu_cofinancing_rate", "EU co-financing rate"),
    ("owner_org_number", "organisation number"),
)
_NON_WORD = re.compile(r"[\W_]+")


def source_label(record: Record) -> str:
    """How the report names a record's source: `lista.csv row 5 (esf-list)` or the page file."""
    prov = record.provenance or {}
    name = Path(prov.get("file") or record.source).name
    if prov.get("row"):
        return f"{name} row {prov['row']} ({prov.get('kind', 'list')})"
    return name


def norm_title(title: str | None) -> str:
    """A title as compared: case-folded, punctuation and runs of spaces made one space."""
    return _NON_WORD.sub(" ", (title or "").casefold()).strip()


def project_key(record: Record) -> str:
    """The project a record belongs to (the slug of its project IRI)."""
    if record.provenance.get("kind") in ("esf-list", "kohesio"):
        from esfgraph.map_lists import list_project_slug

        return list_project_slug(record)
    return project_slug(record)


def _shown(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _same(field_: str, a: Any, b: Any) -> bool:
    if field_ == "title":
        return norm_title(a) == norm_title(b)
    if field_ == "eu_cofinancing_rate":
        return abs(float(a) - float(b)) < 1e-9
    return a == b


@dataclass
class SourcesReport:
    """Projects with several sources, their disagreements, and unmerged candidates."""

    projects: int = 0
    multi_source: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: rows left out by a reader (a case number repeated in one list), with the reason
    left_out: list[str] = field(default_factory=list)
    #: organisation number -> the names written beside it (two or more: one organisation)
    shared_numbers: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping."""
        return {"projects": self.projects, "projects_with_several_sources": self.multi_source,
                "disagreements": self.disagreements, "candidates": self.candidates,
                "left_out_rows": self.left_out,
                "organisation_numbers_with_several_names": self.shared_numbers}

    def to_text(self) -> str:
        """Plain-text sections (empty when there is nothing to say)."""
        lines = [f"projects: {self.projects}, told by several sources: {self.multi_source}"]
        if self.disagreements:
            lines += ["", "sources disagree (both values are kept, each in its source's graph):"]
            for d in self.disagreements:
                said = "; ".join(f"{v['value']} ({v['source']})" for v in d["values"])
                lines.append(f"  {d['project']}  {d['field']}: {said}")
        if self.candidates:
            lines += ["", ("possibly the same project (same organisation number, title and start "
                      "date; not merged):")]
            for c in self.candidates:
                lines.append(f"  {c['row']} ~ {c['other']}  ({c['title']}, {c['start']}, "
                             f"{c['org_number']})")
        if self.shared_numbers:
            lines += ["", "one organisation number, several names (one organisation):"]
            lines += [f"  {n}: {', '.join(names)}" for n, names in self.shared_numbers.items()]
        if self.left_out:
            lines += ["", "rows left out:"] + [f"  {m}" for m in self.left_out]
        return "\n".join(lines) + "\n"


def sources_report(records: Iterable[Record], left_out: Iterable[str] = ()) -> SourcesReport:
    """Compare the sources of each project; list unmerged candidates."""
    records = list(records)
    report = SourcesReport(left_out=list(left_out))
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(project_key(r), []).append(r)
    report.projects = len(groups)
    for key in sorted(groups):
        group = groups[key]
        if len(group) < 2:
            continue
        report.multi_source += 1
        for field_, name in COMPARED:
            said = [(r, getattr(r, field_)) for r in group if getattr(r, field_) is not None]
            if len(said) < 2:
                continue
            first = said[0][1]
            if all(_same(field_, first, v) for _, v in said[1:]):
                continue
            report.disagreements.append({
                "project": key, "field": name,
                "values": [{"source": source_label(r), "value": _shown(v)} for r, v in said]})
    names: dict[str, dict[str, str]] = {}
    for r in records:
        if r.owner and r.owner_org_number:
            names.setdefault(r.owner_org_number, {}).setdefault(norm_title(r.owner), r.owner)
    report.shared_numbers = {n: sorted(v.values()) for n, v in sorted(names.items())
                             if len(v) > 1}
    unkeyed = [r for r in records if not (r.case_number or r.project_number)
               and r.provenance.get("kind") in ("esf-list", "kohesio")]
    index: dict[tuple[str, str, str], list[Record]] = {}
    for r in records:
        if r.owner_org_number and r.title and r.start_date:
            index.setdefault((r.owner_org_number, norm_title(r.title),
                              r.start_date.isoformat()), []).append(r)
    for r in unkeyed:
        if not (r.owner_org_number and r.title and r.start_date):
            continue
        triple = (r.owner_org_number, norm_title(r.title), r.start_date.isoformat())
        for other in index.get(triple, []):
            if other is r or project_key(other) == project_key(r):
                continue
            if other in unkeyed and source_label(other) < source_label(r):
                continue  # a pair of unkeyed rows is listed once
            report.candidates.append({
                "row": source_label(r), "project": project_key(r),
                "other": source_label(other), "other_project": project_key(other),
                "org_number": triple[0], "title": r.title, "start": triple[2]})
    return report


__all__ = ["COMPARED", "SourcesReport", "norm_title", "project_key", "source_label",
           "sources_report"]
