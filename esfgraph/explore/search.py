"""Faceted full-text search over the explorer index (the engine under /projects and /map).

Why a room of its own: the SPARQL protocol stays small (esfgraph.serve); the explorer needs
answers in milliseconds at 100k projects, which a SPARQL aggregate per request cannot give.
The index (esfgraph.explore.index) is a SQLite file inside the store version; this module
turns URL parameters into a query on it and answers the JSON of /projects.json and /map.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class BadSearch(ValueError):
    """A search parameter with a bad value (the message names the parameter and the fix)."""


#: Facets that repeat their parameter (multi-valued), in display order.
FACETS: tuple[str, ...] = ("period", "region", "county", "municipality", "programme_area",
                           "specific_objective", "phase", "owner", "owner_type", "abroad")
OWNER_TYPES: tuple[str, ...] = ("municipality", "region", "state agency", "company",
                                "association", "other")
SORTS: tuple[str, ...] = ("relevance", "grant", "start", "title")
MAX_PER_PAGE = 500
MAX_Q_CHARS = 1000


@dataclass(frozen=True)
class SearchParams:
    """One state of the search page: what `/projects?...` asks (bookmarkable both ways).

    Facet fields hold tuples of values (the parameter repeats in the URL). Codes, not labels:
    `period` "2014-2020"/"2021-2027", `region` NUTS 2 code (SE33), `county` county code (25),
    `municipality` SCB code (2580), `programme_area`/`specific_objective`/`phase` the local
    name of the concept IRI, `owner` the organisation IRI, `owner_type` one of OWNER_TYPES,
    `abroad` ("true"/"false").
    """

    q: str = ""
    period: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    county: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    programme_area: tuple[str, ...] = ()
    specific_objective: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    owner_type: tuple[str, ...] = ()
    abroad: tuple[str, ...] = ()
    start_from: int | None = None
    start_to: int | None = None
    grant_min: int | None = None
    grant_max: int | None = None
    sort: str = "relevance"
    order: str = "desc"
    page: int = 1
    per_page: int = 20
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_query(cls, pairs: list[tuple[str, str]]) -> SearchParams:
        """Parse URL query pairs (repeated keys for multi-valued facets).

        Unknown keys are ignored (the page's own `lang`, `level`, `metric` pass through).

        Raises:
            BadSearch: a bad number, sort, order, owner type, or paging out of range.
        """
        raise NotImplementedError

    def to_query(self) -> list[tuple[str, str]]:
        """The URL query pairs of this state (defaults left out, facets repeated)."""
        raise NotImplementedError

    def with_(self, **changes: Any) -> SearchParams:
        """A copy with some fields changed (for facet links: add/remove a value, next page)."""
        return replace(self, **changes)


def _field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(SearchParams) if f.name != "extra")


class SearchIndex:
    """The explorer index of one store version, opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def search(self, params: SearchParams, lang: str = "sv") -> dict[str, Any]:
        """Run a search: the JSON of /projects.json.

        Returns:
            {"total", "esfGrantSEK", "totalBudgetSEK", "page", "perPage",
             "facets": {name: [{"value", "label", "count", "selected"}]},
             "items": [{"iri", "title", "projectNumber", "caseNumber", "period", "phase",
                        "phaseLabel", "owner", "ownerLabel", "esfGrantSEK", "totalBudgetSEK",
                        "startDate", "endDate", "region", "regionLabel", "snippet"}],
             "sparql"}
            A facet's counts ignore that facet's own selection; `snippet` is HTML-escaped text
            with <mark> around the matched words.
        """
        raise NotImplementedError

    def map_aggregate(self, level: str, metric: str, params: SearchParams,
                      lang: str = "sv") -> dict[str, Any]:
        """The JSON of /map.json: per place, projects and ESF grant under the current search.

        Args:
            level: "municipality" (SCB code), "county" (county code) or "region" (NUTS 2 code).
            metric: "grant" or "projects": which number `value` and `max` carry.
        Returns:
            {"level", "metric", "values": {code: {"label", "projects", "esfGrantSEK", "value"}},
             "max"}
        Raises:
            BadSearch: an unknown level or metric.
        """
        raise NotImplementedError

    def related(self, project_iri: str, limit: int = 5, lang: str = "sv") -> list[dict[str, Any]]:
        """Projects related to one: same owner, same municipality, similar text.

        Returns items shaped like the search items plus "reason" ("owner", "municipality",
        "text"); an unknown project gives [].
        """
        raise NotImplementedError

    def close(self) -> None:
        """Close the SQLite connection."""


def open_index(version_dir: str | Path) -> SearchIndex | None:
    """Open the explorer index of a store version directory; None when it has none."""
    raise NotImplementedError
