"""The typed record that every later stage reads: one project page, parsed.

The field names and their order are a documented interface (`esfgraph parse` prints them as
JSON keys); change them only with a changelog entry in the README.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

LAYOUTS = ("2007-2013", "2014-2020", "2021-2027")
#: An `extra` key the parser made for a repeated label: "Region (2)".
_REPEAT = re.compile(r" \(\d+\)$")

#: Canonical ESF region names (the parser maps every spelling seen on pages to one of these).
CANONICAL_REGIONS = (
    "Övre Norrland",
    "Mellersta Norrland",
    "Norra Mellansverige",
    "Östra Mellansverige",
    "Stockholm",
    "Västsverige",
    "Småland och öarna",
    "Sydsverige",
    "Nationellt",
)


@dataclass
class Record:
    """One Projektbanken page as typed fields; absent values are None, [] or {}."""

    source: str
    layout: str
    title: str | None = None
    project_number: str | None = None
    case_number: str | None = None
    programme_area: str | None = None
    programme_area_label: str | None = None
    specific_objective: str | None = None
    phase: str | None = None
    owner: str | None = None
    owner_org_number: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    esf_grant_sek: int | None = None
    total_budget_sek: int | None = None
    total_cost_sek: int | None = None
    eu_cofinancing_rate: float | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    region: str | None = None
    nuts2: str | None = None
    country: str | None = None
    fund: str | None = None
    programme_cci: str | None = None
    intervention_type: str | None = None
    planned_participants: int | None = None
    beneficiary_postcode: str | None = None
    beneficiary_city: str | None = None
    beneficiary_address: str | None = None
    child_poverty_theme: bool | None = None
    strategic_importance: bool | None = None
    municipalities: list[str] = field(default_factory=list)
    cofinanciers: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    #: Where the record came from, beside the file: `kind` (page-text, page-html, esf-list,
    #: kohesio), and as known `url`, `final_url`, `fetched_at`, `etag`, `last_modified`,
    #: `sha256`, `file`, `row`. Empty for a page read from a saved text file.
    provenance: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the record as the JSON object `esfgraph parse` prints (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    def completeness(self) -> tuple[int, int]:
        """How much of a page this record holds: (fields present, list items and sections).

        Two files with the same project keep the more complete one: a truncated copy lacks
        fields and list items (partners, co-financiers, municipalities) that the full page has.
        A value kept in `extra` because it did not normalise does not count: a damaged copy
        must not beat the clean page.
        """
        from esfgraph.parse.labels import (
            lookup_label,  # the label table: no cycle at run time
        )

        present = items = 0
        for f in dataclasses.fields(self):
            if f.name in ("source", "layout", "provenance"):
                continue
            value = getattr(self, f.name)
            if f.name == "extra":  # only real extra content: not a value that failed to
                value = {k: v for k, v in value.items()  # normalise, nor a repeated label
                         if lookup_label(k) is None and not _REPEAT.search(k)}
            if value is None or value == [] or value == {} or value == "":
                continue
            present += 1
            if isinstance(value, (list, dict)):
                items += len(value)
        return present, items

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        """Rebuild a record from `to_json` output (used by tests and by cached parses)."""
        kwargs = dict(data)
        for key in ("start_date", "end_date"):
            if kwargs.get(key):
                kwargs[key] = dt.date.fromisoformat(kwargs[key])
        return cls(**kwargs)


#: The JSON keys of `esfgraph parse`, in order.
RECORD_KEYS = tuple(f.name for f in dataclasses.fields(Record))
