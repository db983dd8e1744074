"""Resolve organisation names (owners, partners, co-financiers) to known public bodies and units.

Rules (docs/guide/link.md): a municipality, national agency, region or county administrative
board is recognised by any of its names; "Body, Unit" and "X kommun Unit" make a unit of the
body; "Arbetsförmedling Flen" is a local office (a unit) of the national agency; a bare unit
("Arbetsmarknadsenheten (AME)") hangs under a municipality only when the record's evidence
(owner text, a single municipality in its list, the contact's e-mail domain, and on pages without
a municipality list the beneficiary's town) names exactly one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from esfgraph.link.model import Municipality, OrgRef
from esfgraph.link.names import acronym_of, fold, nfc, org_key, slug
from esfgraph.link.tables import read_yaml

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.link.gazetteer import Gazetteer
    from esfgraph.record import Record

_SPLIT = re.compile(r"\s*(?:,|\s[–—-]\s)\s*")
_MUNI_BODY_PREFIX = re.compile(r"^(.+?\b(?:kommun|stad))\s+(\S.*)$", re.IGNORECASE)
UNKNOWN_KEY = "okand-organisation"


class OrgResolver:
    """Index of public bodies by every name, plus the rules that turn names into OrgRefs."""

    def __init__(self, gazetteer: "Gazetteer") -> None:
        self.gaz = gazetteer
        data = read_yaml("organisations.yaml")
        self._known: dict[str, OrgRef] = {}
        self._explicit_cache: dict[str, OrgRef | None] = {}
        self._offices: list = []
        self._muni_refs: dict[str, OrgRef] = {}
        for m in gazetteer.municipalities.values():
            # the Wikidata item is the municipality (the place, reached by schema:areaServed),
            # not its body: the body gets no item of its own rather than a near miss
            self._muni_refs[m.code] = OrgRef(
                key=slug(m.org_name), label=m.org_name, kind="municipality", parent=None,
                municipality_code=m.code, wikidata=None, alt_labels=m.aliases)
        for key, body in (data.get("national_agencies") or {}).items():
            ref = OrgRef(key=key, label=body["label"], kind="national-agency", parent=None,
                         municipality_code=None, wikidata=body.get("wikidata"))
            for n in [body["label"], *(body.get("aliases") or [])]:
                self._known[fold(n)] = ref
            for prefix in body.get("office_prefixes") or []:
                self._offices.append((prefix, ref))
        self._offices.sort(key=lambda item: -len(item[0]))  # "Arbetsförmedlingen i" first
        self._offices = [
            (re.compile(r"^" + r"\W+".join(map(re.escape, p.split())) + r"\W+(\w.*)$", re.I), ref)
            for p, ref in self._offices]
        for code, body in (data.get("regions") or {}).items():
            county = gazetteer.counties[str(code)]
            ref = OrgRef(key=slug(body["label"]), label=body["label"], kind="region", parent=None,
                         municipality_code=None, wikidata=body.get("wikidata"),
                         alt_labels=tuple(body.get("aliases") or ()))
            short = county.short_name
            genitive = county.name.removesuffix(" län")
            for n in [body["label"], *ref.alt_labels, f"Region {short}", f"Landstinget {short}",
                      f"Landstinget i {county.name}", f"Landstinget i {short}",
                      f"{county.name}s landsting", f"Landstinget {genitive}"]:
                self._known.setdefault(fold(n), ref)
        for county in gazetteer.counties.values():
            label = f"Länsstyrelsen i {county.name}"
            short = county.short_name
            ref = OrgRef(key=slug(label), label=label, kind="county-board", parent=None,
                         municipality_code=None, wikidata=None,
                         alt_labels=(f"Länsstyrelsen {short}",))
            for n in (label, f"Länsstyrelsen {short}", f"Länsstyrelsen i {short}",
                      f"Länsstyrelsen {county.name}"):
                self._known.setdefault(fold(n), ref)
        self._org_prefixes = tuple(fold(p) for p in data.get("organisation_prefixes") or ())
        self._unit_words = tuple(fold(w) for w in data.get("unit_words") or ())

    # ---------------------------------------------------------------------------------
    def municipality_ref(self, m: Municipality) -> OrgRef:
        """The organisation (the municipal body) of a municipality."""
        return self._muni_refs[m.code]

    def _body(self, name: str) -> OrgRef | None:
        """A known public body named exactly `name` (any spelling), else None."""
        key = fold(name)
        if not key:
            return None
        m = self.gaz.municipality(name)
        if m is not None:
            return self._muni_refs[m.code]
        return self._known.get(key)

    def _office(self, name: str) -> OrgRef | None:
        """A local office of a national agency: "Arbetsförmedling Flen" → unit of the agency."""
        for pattern, agency in self._offices:
            match = pattern.match(name)
            if not match:
                continue
            place = match.group(1).strip(" ,-")
            body = self._body(place)
            town = self.gaz.municipality_by_place(place, None)
            if not fold(place) or (body is not None and town is None):
                return None  # "Arbetsförmedlingen, Försäkringskassan" is a list, not an office
            label = f"{agency.label} {place}"
            return OrgRef(key=slug(label), label=name, kind="unit", parent=agency,
                          municipality_code=None, wikidata=None,
                          alt_labels=(label,) if label != name else ())
        return None

    def _unit_of(self, parent: OrgRef, unit: str) -> OrgRef:
        """A unit under a known parent body."""
        acronym = acronym_of(unit)
        return OrgRef(key=org_key(unit) or UNKNOWN_KEY, label=unit, kind="unit", parent=parent,
                      municipality_code=parent.municipality_code, wikidata=None,
                      alt_labels=(acronym,) if acronym else ())

    def explicit(self, name: str) -> OrgRef | None:
        """Resolve from the name alone (body, office, "Body, Unit"), or None.

        Depends on the name only, so answers are kept: partner names repeat across records.
        """
        try:
            return self._explicit_cache[name]
        except KeyError:
            pass
        ref = self._explicit(name)
        if len(self._explicit_cache) < 100_000:
            self._explicit_cache[name] = ref
        return ref

    def _explicit(self, name: str) -> OrgRef | None:
        name = nfc(name)
        body = self._body(name)
        if body is not None:
            return body
        office = self._office(name)
        if office is not None:
            return office
        parts = [p for p in _SPLIT.split(name) if p]
        if len(parts) >= 2:
            head = self._body(parts[0])
            if head is not None:
                rest = [p for p in parts[1:] if self._body(p) != head]
                if not rest:
                    return head  # "Flens kommun, Flens kommun"
                if any(self._body(p) is not None for p in rest):
                    return None  # a list of bodies in one bullet, not a unit
                return self._unit_of(head, ", ".join(rest))
        match = _MUNI_BODY_PREFIX.match(name)
        if match:
            m = self.gaz.municipality(match.group(1))
            if m is not None:
                return self._unit_of(self._muni_refs[m.code], match.group(2))
        return None

    def is_unit_name(self, name: str) -> bool:
        """Whether a name looks like an organisational unit (förvaltning, enhet, nämnd, ...)."""
        key = fold(name)
        if key.startswith(self._org_prefixes):
            return False
        return any(w in key for w in self._unit_words)

    def evidence(self, name: str, record: "Record | None") -> set[str]:
        """Municipality codes the record points to: owner, a single listed one, e-mail, town."""
        codes: set[str] = set()
        if record is None:
            return codes
        if record.owner and fold(record.owner) != fold(name):
            owner = self.explicit(record.owner)
            while owner is not None and owner.parent is not None:
                owner = owner.parent
            if owner is not None and owner.kind == "municipality" and owner.municipality_code:
                codes.add(owner.municipality_code)
        listed = {m.code for m in (self.gaz.municipality(n) for n in record.municipalities or [])
                  if m is not None}
        if len(listed) == 1:
            codes |= listed
        if record.contact_email:
            m = self.gaz.municipality_by_email(record.contact_email)
            if m is not None:
                codes.add(m.code)
        if not listed and record.beneficiary_city:
            m = self.gaz.municipality_by_place(record.beneficiary_city, record.beneficiary_postcode)
            if m is not None:
                codes.add(m.code)
        return codes

    def resolve(self, name: str, record: "Record | None") -> OrgRef:
        """The OrgRef for a name as written on a page (see the module docstring for the rules)."""
        name = nfc(name or "")
        if not name:
            return OrgRef(key=UNKNOWN_KEY, label="", kind="organisation", parent=None,
                          municipality_code=None, wikidata=None)
        ref = self.explicit(name)
        if ref is not None:
            return ref
        acronym = acronym_of(name)
        alt = (acronym,) if acronym else ()
        if self.is_unit_name(name):
            codes = self.evidence(name, record)
            parent = self._muni_refs[codes.pop()] if len(codes) == 1 else None
            return OrgRef(key=org_key(name) or UNKNOWN_KEY, label=name, kind="unit",
                          parent=parent, wikidata=None, alt_labels=alt,
                          municipality_code=parent.municipality_code if parent else None)
        return OrgRef(key=org_key(name) or UNKNOWN_KEY, label=name, kind="organisation",
                      parent=None, municipality_code=None, wikidata=None, alt_labels=alt)
