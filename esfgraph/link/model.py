"""Value types of the linking step (documented in docs/INTERFACES.md; keep names and fields)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    """A Swedish municipality (kommun) as a place, keyed by its SCB code."""

    code: str
    name: str
    org_name: str
    county_code: str
    nuts2: str
    wikidata: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class County:
    """A Swedish county (län) with its NUTS 3 code."""

    code: str
    name: str
    nuts3: str
    nuts2: str
    wikidata: str | None
    short_name: str = ""
    iso: str = ""


@dataclass(frozen=True)
class Region:
    """An ESF region: a NUTS 2 region of Sweden, or "Nationellt" (no NUTS code)."""

    name: str
    nuts2: str | None
    county_codes: tuple[str, ...]
    wikidata: str | None


@dataclass(frozen=True)
class OrgRef:
    """A resolved organisation mention.

    `key` is the IRI key under `{base}id/org/`. For a unit (kind "unit") it is the unit's own key:
    the IRI is `{parent.key}/{key}` when `parent` is set, else `{key}--{project slug}`.
    """

    key: str
    label: str
    kind: str  # "municipality" | "national-agency" | "region" | "county-board" | "unit" | "organisation"
    parent: "OrgRef | None"
    municipality_code: str | None
    wikidata: str | None
    alt_labels: tuple[str, ...] = ()
    #: an organisation number printed in the name's field (`212000-1355, Unit`): it belongs to
    #: the legal body, the top of the parent chain (ten digits, no dash)
    organisation_number: str | None = None
    #: the preferred label when it is not `label` as printed: a local office of an agency is
    #: `Arbetsförmedlingen Flen` whether the page prints `Arbetsförmedling Flen` or
    #: `Arbetsförmedlingen i Flen` (its key is made the same way)
    pref_label: str | None = None

    @property
    def resolved(self) -> bool:
        """True when the mention was matched to a known body, or is a unit of one."""
        if self.kind == "unit":
            return self.parent is not None
        return self.kind != "organisation"


@dataclass(frozen=True)
class ForeignMention:
    """A transnational contact found in text: a place abroad or a named foreign organisation."""

    kind: str  # "country" | "region" | "city" | "organisation"
    label: str  # as written
    iso2: str | None  # country code (for cities/regions: their country)
    geonames_id: int | None
    wikidata: str | None
    evidence: str  # the sentence it came from
    iso3166_2: str | None = None  # subdivision code for kind "region", e.g. "GB-ELN"
    name: str | None = None  # canonical (English) name, e.g. "Brussels", "Belgium"

    @property
    def place_key(self) -> str | None:
        """Key under `{base}id/place/`: ISO code for countries/regions, `{iso2}-{slug}` for cities."""
        from esfgraph.link.names import slug

        if self.kind == "country":
            return self.iso2
        if self.kind == "region":
            return self.iso3166_2
        if self.kind == "city":
            return f"{self.iso2}-{slug(self.name or self.label)}" if self.iso2 else slug(self.label)
        return None
