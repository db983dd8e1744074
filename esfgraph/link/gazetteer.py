"""The gazetteer: reference tables loaded once, with lookups used by the mapping step."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from esfgraph.link import tables
from esfgraph.link.model import County, ForeignMention, Municipality, OrgRef, Region
from esfgraph.link.names import ascii_fold, fold

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

    from esfgraph.record import Record

_SUFFIXES = ("kommun", "stad", "kommuns", "stads")
_EMAIL_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)\s*$")
_SEAT_EXCEPTIONS = {"visby": "0980"}  # Gotland's seat; other seats share the municipality's name


class Gazetteer:
    """Swedish municipalities, counties, ESF regions, public bodies and foreign places.

    Loads the tables in esfgraph/data/ once; lookups are dictionary hits, so one instance is
    cheap to share between records (and picklable, for worker processes).
    """

    def __init__(self) -> None:
        self.counties: dict[str, County] = {c.code: c for c in tables.load_counties()}
        self.regions: dict[str, Region] = {r.name: r for r in tables.load_regions()}
        self.municipalities: dict[str, Municipality] = {
            m.code: m for m in tables.load_municipalities(self.counties)}
        self._region_of_county = {cc: r for r in self.regions.values() for cc in r.county_codes}
        self._by_name: dict[str, Municipality] = {}
        self._by_ascii: dict[str, Municipality] = {}
        self._by_domain: dict[str, Municipality] = {}
        self._index_municipalities()
        self._orgs = None  # built on first resolve_org (esfgraph.link.orgs)
        self._foreign = None  # built on first find_foreign (esfgraph.link.foreign)

    # municipalities ---------------------------------------------------------------------
    def _index_municipalities(self) -> None:
        """Index every spelling of a municipality: name, body name, aliases, "X(s) kommun/stad"."""
        ascii_seen: dict[str, set[str]] = {}
        domain_seen: dict[str, set[str]] = {}
        for m in self.municipalities.values():
            names = {m.name, m.org_name, *m.aliases}
            genitive = m.name if m.name[-1] in "sxz" else m.name + "s"
            for suffix in _SUFFIXES:
                names.update({f"{m.name} {suffix}", f"{genitive} {suffix}"})
            for n in names:
                self._by_name.setdefault(fold(n), m)
                ascii_seen.setdefault(ascii_fold(n), set()).add(m.code)
            base = ascii_fold(m.name)
            for domain in {base.replace(" ", ""), base.replace(" ", "-")}:
                domain_seen.setdefault(domain + ".se", set()).add(m.code)
        # a domain two names fold to (Håbo, Habo → habo.se) is evidence for neither
        self._by_domain = {d: self.municipalities[next(iter(codes))]
                           for d, codes in domain_seen.items() if len(codes) == 1}
        # ASCII spellings ("Mjolby") only where they cannot mean two municipalities
        for key, codes in ascii_seen.items():
            if len(codes) == 1:
                self._by_ascii[key] = self.municipalities[next(iter(codes))]

    def municipality(self, name: str) -> Municipality | None:
        """Municipality named `name` ("Ale", "Ale kommun", "Ulricehamns kommun", "Göteborgs Stad")."""
        if not name:
            return None
        key = fold(name)
        return self._by_name.get(key) or self._by_ascii.get(ascii_fold(name))

    def municipality_by_code(self, code: str) -> Municipality | None:
        """Municipality with this 4-digit SCB code (also accepts "1440" written as 1440)."""
        code = str(code).strip()
        if code.isdigit() and len(code) == 3:
            code = "0" + code
        return self.municipalities.get(code)

    def municipality_by_email(self, email: str) -> Municipality | None:
        """Municipality whose web domain is the e-mail's domain (`ale.se`, `socialtjansten.ale.se`)."""
        match = _EMAIL_DOMAIN.search(email or "")
        domain = (match.group(1) if match else (email or "")).casefold().strip(".")
        labels = domain.split(".")
        if len(labels) < 2:
            return None
        return self._by_domain.get(".".join(labels[-2:]))

    def municipality_by_place(self, city: str | None, postcode: str | None) -> Municipality | None:
        """Municipality of a beneficiary town, when the town is a municipality's seat by name.

        Postcodes are not used: postal areas cross municipal borders and esfgraph ships no
        verified postcode table, so a postcode alone gives None.
        """
        if not city:
            return None
        key = fold(re.sub(r"^\d{3}\s?\d{2}\s+", "", city))  # "941 85 Piteå" → "piteå"
        if key in _SEAT_EXCEPTIONS:
            return self.municipalities[_SEAT_EXCEPTIONS[key]]
        m = self._by_name.get(key)
        return m if m is not None and fold(m.name) == key else None

    def municipality_domains(self) -> dict[str, Municipality]:
        """The e-mail domain table (domain → municipality), for docs and tests."""
        return dict(self._by_domain)

    # counties and regions --------------------------------------------------------------
    def region(self, canonical_name: str) -> Region | None:
        """ESF region by canonical name (esfgraph.record.CANONICAL_REGIONS) or NUTS 2 code."""
        if not canonical_name:
            return None
        found = self.regions.get(canonical_name.strip())
        if found is not None:
            return found
        key = fold(canonical_name)
        for r in self.regions.values():
            if key in (fold(r.name), (r.nuts2 or "").casefold()):
                return r
        return None

    def county(self, code: str) -> County | None:
        """County by its 2-digit code ("14")."""
        code = str(code).strip()
        return self.counties.get(code.zfill(2) if code.isdigit() else code)

    def region_of_county(self, county_code: str) -> Region | None:
        """The ESF region (NUTS 2) containing a county."""
        return self._region_of_county.get(county_code)

    def region_of_municipality(self, m: Municipality) -> Region | None:
        """The ESF region (NUTS 2) containing a municipality."""
        return self._region_of_county.get(m.county_code)

    # organisations, foreign places, RDF -------------------------------------------------
    def resolve_org(self, name: str, record: "Record | None" = None) -> OrgRef:
        """Resolve an owner/partner/co-financier name, using the record as evidence for units."""
        from esfgraph.link.orgs import OrgResolver

        if self._orgs is None:
            self._orgs = OrgResolver(self)
        return self._orgs.resolve(name, record)

    def resolve_orgs(self, name: str, record: "Record | None" = None) -> list[OrgRef]:
        """Every body a name stands for: one, or each body of a list ("A, B", "A och B")."""
        from esfgraph.link.orgs import OrgResolver

        if self._orgs is None:
            self._orgs = OrgResolver(self)
        return self._orgs.resolve_all(name, record)

    def find_foreign(self, text: str, require_why: bool = False) -> list[ForeignMention]:
        """Places abroad and named foreign organisations in a text, each with its sentence.

        `require_why`: a sentence must say why the place matters (a partner, visit, exchange),
        as for text outside the transnational section."""
        return self._foreign_finder().find(text, require_why)

    def find_foreign_in_record(self, record: "Record") -> list[ForeignMention]:
        """`find_foreign` over all of a record's text: the transnational section first, then
        the other sections, whose sentences must say why a place abroad matters."""
        from esfgraph.link.foreign import record_parts

        return self._foreign_finder().find_parts(record_parts(record))

    def _foreign_finder(self):  # noqa: ANN202 - ForeignFinder, imported lazily
        from esfgraph.link.foreign import ForeignFinder

        if self._foreign is None:
            self._foreign = ForeignFinder(self)
        return self._foreign

    def reference_graph(self, base_iri: str) -> "rdflib.Graph":
        """All municipalities, counties, regions and Sweden as RDF (docs/DATA-MODEL.md)."""
        from esfgraph.link.graph import build_reference_graph

        return build_reference_graph(self, base_iri)

    def __getstate__(self) -> dict:
        """Pickle without the lazily built helpers (they hold compiled regexes)."""
        state = dict(self.__dict__)
        state["_orgs"] = None
        state["_foreign"] = None
        return state


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The shared gazetteer built from the shipped tables (loaded once per process)."""
    return Gazetteer()
