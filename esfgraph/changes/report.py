"""Change reports for people and programs: terminal text, CSV, JSON, RDF Patch and Turtle.

One row per changed field (CSV), one object per project (JSON). Amount changes carry old, new,
the difference in kronor and in per cent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from esfgraph.changes.model import KINDS, FieldChange, Term, field_changes, local_name

FORMATS = ("text", "csv", "json", "rdf-patch", "turtle")
KIND_TITLES = {"money": "Money", "dates-phase": "Dates and phase",
               "organisations": "Organisations", "places": "Places", "text": "Text",
               "other": "Other fields", "contact": "Contact details"}
CSV_COLUMNS = ("when", "build", "status", "project", "title", "kind", "field", "old", "new",
               "difference", "percent")


class ChangeLike(Protocol):
    """A project change from a comparison (ProjectChange) or the log (LoggedChange)."""

    project: str
    status: str
    title: str
    removals: list[Any]
    additions: list[Any]


def _fields(change: Any) -> list[FieldChange]:
    if change.status != "changed":
        return []
    return field_changes(change.removals, change.additions)


def show(term: Term, labels: dict[str, str] | None = None) -> str:
    """A value for people: numbers grouped in threes, IRIs by label (else last segment)."""
    if term.is_iri:
        return (labels or {}).get(term.value) or local_name(term.value)
    number = term.number
    if number is not None and term.nt.endswith(("#decimal>", "#integer>")):
        return _group(number)
    return term.value


def _group(number: Decimal) -> str:
    text = f"{number:,f}".replace(",", " ")
    return text.rstrip("0").rstrip(".") if "." in text else text


def delta_text(change: FieldChange) -> str:
    """' (+43 078 kr, +7.7 %)' for a changed amount, '' otherwise."""
    delta = change.delta
    if delta is None:
        return ""
    diff, pct = delta
    unit = " kr" if change.predicate.endswith("SEK") else ""
    sign = "+" if diff >= 0 else "−"
    out = f" ({sign}{_group(abs(diff))}{unit}"
    if pct is not None:
        out += f", {'+' if pct >= 0 else '−'}{abs(pct):.1f} %"
    return out + ")"


def field_line(change: FieldChange, labels: dict[str, str] | None = None) -> str:
    """'esfGrantSEK: 556 922 → 600 000 kr (+43 078 kr, +7.7 %)' and the like."""
    old = ", ".join(show(t, labels) for t in change.removed)
    new = ", ".join(show(t, labels) for t in change.added)
    unit = " kr" if change.predicate.endswith("SEK") and change.delta is not None else ""
    if not change.removed:
        return f"{change.field}: + {new}"
    if not change.added:
        return f"{change.field}: − {old}"
    old_text = old if len(old) <= 80 else old[:77] + "..."
    new_text = new if len(new) <= 80 else new[:77] + "..."
    return f"{change.field}: {old_text} → {new_text}{unit}{delta_text(change)}"


def render_text(changes: Sequence[Any], heading: str = "") -> str:
    """New projects, removed projects, then field changes grouped by kind."""
    new = [c for c in changes if c.status in ("added", "restored")]
    gone = [c for c in changes if c.status == "removed"]
    changed = [c for c in changes if c.status == "changed"]
    lines = [heading] if heading else []
    lines.append(f"{len(new)} new, {len(gone)} removed, {len(changed)} changed")
    if new:
        lines += ["", "New projects"]
        lines += [f"  + {c.project}  {c.title}" + (" (back again)" if c.status == "restored"
                                                    else "") for c in new]
    renamed = [c for c in changes if getattr(c, "previous", None)]
    if renamed:
        lines += ["", "New identifiers (the same page)"]
        lines += [f"  {c.previous} → {c.project}" for c in renamed]
    if gone:
        lines += ["", "Removed projects"]
        lines += [f"  - {c.project}  {c.title}" for c in gone]
    for kind in KINDS:
        rows = [(c, f) for c in changed for f in _fields(c) if f.kind == kind]
        if not rows:
            continue
        lines += ["", KIND_TITLES[kind]]
        for c, f in rows:
            lines.append(f"  {c.project}  {c.title}")
            lines.append(f"      {field_line(f, getattr(c, 'labels', None))}")
    return "\n".join(lines) + "\n"


def records(changes: Sequence[Any]) -> list[dict[str, Any]]:
    """One JSON object per project with its field changes."""
    out = []
    for c in changes:
        item: dict[str, Any] = {"project": c.project, "status": c.status, "title": c.title}
        for key in ("when", "build_id", "changeset", "previous"):
            value = getattr(c, key, None)
            if value:
                item["build" if key == "build_id" else key] = value
        item["kinds"] = list(getattr(c, "kinds", []) or [])
        item["regions"] = list(getattr(c, "regions", []) or [])
        item["organisations"] = list(getattr(c, "organisations", []) or [])
        item["fields"] = [field_record(f) for f in _fields(c)]
        out.append(item)
    return out


def field_record(f: FieldChange) -> dict[str, Any]:
    """One field change as JSON: values as strings, the difference when numeric."""
    item: dict[str, Any] = {"kind": f.kind, "field": f.field, "predicate": f.predicate,
                            "old": [t.value for t in f.removed],
                            "new": [t.value for t in f.added]}
    if f.delta is not None:
        diff, pct = f.delta
        item["difference"] = _num(diff)
        item["percent"] = None if pct is None else round(float(pct), 2)
    return item


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def render_json(changes: Sequence[Any]) -> str:
    return json.dumps({"changes": records(changes)}, ensure_ascii=False, indent=2) + "\n"


def csv_rows(changes: Sequence[Any]) -> list[dict[str, str]]:
    """One row per field change (one row for an added or removed project)."""
    rows: list[dict[str, str]] = []
    for item in records(changes):
        base = {"when": item.get("when", ""), "build": item.get("build", ""),
                "status": item["status"], "project": item["project"], "title": item["title"]}
        if not item["fields"]:
            rows.append({**base, "kind": item["status"], "field": "", "old": "", "new": "",
                         "difference": "", "percent": ""})
        for f in item["fields"]:
            rows.append({**base, "kind": f["kind"], "field": f["field"],
                         "old": " | ".join(f["old"]), "new": " | ".join(f["new"]),
                         "difference": str(f.get("difference", "")),
                         "percent": "" if f.get("percent") is None else str(f["percent"])})
    return rows


def render_csv(changes: Sequence[Any], header: bool = True) -> str:
    """The changes as CSV for people: spreadsheet-safe cells (esfgraph.csvsafe)."""
    from esfgraph.csvsafe import csv_line

    lines = [csv_line(CSV_COLUMNS)] if header else []
    lines += [csv_line(row.get(c, "") for c in CSV_COLUMNS) for row in csv_rows(changes)]
    return "".join(lines)


def render_patch(changes: Sequence[Any]) -> str:
    """RDF Patch (https://afs.github.io/rdf-patch/): D then A rows, one transaction."""
    lines = ["TX ."]
    for c in changes:
        subject = f"<{c.project}>"
        for pred, obj, _ in c.removals:
            lines.append(f"D {subject} <{pred}> {obj} .")
        for pred, obj, _ in c.additions:
            lines.append(f"A {subject} <{pred}> {obj} .")
    lines.append("TC .")
    return "\n".join(lines) + "\n"


def render_turtle(changes: Sequence[Any], base: str) -> str:
    """The changes as Changeset-vocabulary Turtle (as the log stores them, build-less)."""
    from esfgraph.changes.log import CS

    out = [f"@prefix cs: <{CS}> .", "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
           ""]
    for n, c in enumerate(changes, 1):
        node = f"<{base}change/diff/{n}>"
        out.append(f'{node} a cs:ChangeSet ; cs:subjectOfChange <{c.project}> ; '
                   f'cs:changeReason "{c.status}" .')
        for op, statements in (("removal", c.removals), ("addition", c.additions)):
            if c.status != "changed":
                continue
            for i, (pred, obj, _) in enumerate(statements, 1):
                out.append(f"{node} cs:{op} [ a rdf:Statement ; rdf:subject <{c.project}> ; "
                           f"rdf:predicate <{pred}> ; rdf:object {obj} ] .")
    return "\n".join(out) + "\n"


def render(changes: Sequence[Any], fmt: str, *, heading: str = "", base: str = "") -> str:
    """`changes` in one of FORMATS."""
    if fmt == "csv":
        return render_csv(changes)
    if fmt == "json":
        return render_json(changes)
    if fmt == "rdf-patch":
        return render_patch(changes)
    if fmt == "turtle":
        return render_turtle(changes, base)
    return render_text(changes, heading)
