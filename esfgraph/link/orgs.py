"""Resolve organisation names (owners, partners, co-financiers) to known public bodies and units.

Rules (docs/guide/link.md): a municipality, national agency, region or county administrative
board is recognised by any of its names; "Body, Unit" and "X kommun Unit" make a unit of the
body; "Arbetsförmedling Flen" is a local office (a unit) of the national agency; a bare unit
("Arbetsmarknadsenheten (AME)") hangs under a municipality only when the record's evidence
(owner text, a single municipality in its list, the contact's e-mail domain, and on pages without
a municipality list the beneficiary's town) names exactly one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from esfgraph.link.model import Municipality, OrgRef
from esfgraph.link.names import (
    acronym_of,
    fold,
    nfc,
    org_key,
    same_name_misspelt,
    slug,
    split_org_number,
)
from esfgraph.link.tables import read_yaml

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.link.gazetteer import Gazetteer
    from esfgraph.record import Record

_SPLIT = re.compile(r"\s*(?:,|\s[–—-]\s)\s*")
_AND = re.compile(r"\s+(?:och|samt|&)\s+")
_ACRONYM = re.compile(r"\s*\(([^()]+)\)\s*$")
#: Words kept lower case when a name printed in capitals gets a proper-case label.
_SMALL_WORDS = {"och", "i", "för", "av", "med", "på", "till", "om", "vid", "under", "från", "en",
                "ett", "of", "and", "the", "for", "in"}
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
        self._agency_domains: dict[str, OrgRef] = {}
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
            for domain in body.get("domains") or []:
                self._agency_domains[str(domain).casefold()] = ref
        for key, body in (data.get("other_bodies") or {}).items():
            aliases = tuple(body.get("aliases") or ())
            ref = OrgRef(key=key, label=body["label"], kind="association", parent=None,
                         municipality_code=None, wikidata=body.get("wikidata"),
                         alt_labels=tuple(a for a in aliases if a.isupper()))
            for n in [body["label"], *aliases]:
                self._known[fold(n)] = ref
        self._offices.sort(key=lambda item: -len(item[0]))  # "Arbetsförmedlingen i" first
        # the place follows after a space ("Arbetsförmedling Flen"), never after a comma:
        # "Kriminalvården, Frivården Skåne" is a unit written after its body
        self._offices = [
            (re.compile(r"^" + r"\W+".join(map(re.escape, p.split())) + r"\s+(\w.*)$", re.I), ref)
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
        self._generic_units = tuple(fold(w) for w in data.get("generic_unit_words") or ())
        self._agency_endings = tuple(data.get("agency_endings") or ())
        self._agency_beginnings = tuple(data.get("agency_beginnings") or ())
        self._standalone = tuple(fold(w) for w in data.get("standalone_endings") or ())

    # ---------------------------------------------------------------------------------
    def municipality_ref(self, m: Municipality) -> OrgRef:
        """The organisation (the municipal body) of a municipality."""
        return self._muni_refs[m.code]

    def _body(self, name: str) -> OrgRef | None:
        """A known body named exactly `name` (any spelling, an acronym, or "Name (ACR)")."""
        key = fold(name)
        if not key:
            return None
        m = self.gaz.municipality(name)
        if m is not None:
            return self._muni_refs[m.code]
        found = self._known.get(key)
        if found is None and _ACRONYM.search(name):
            bare = _ACRONYM.sub("", name)
            found = self._known.get(fold(bare)) or self._known.get(
                fold(_ACRONYM.search(name).group(1)))
            if found is not None and self._known.get(fold(bare)) is None:
                return None  # the name and its acronym must agree, not one of them only
        return found

    def _is_generic_unit(self, name: str) -> bool:
        """ "Distrikt Gotland", "Region Väst": a generic word and a name, not a body of its own."""
        first, _, rest = fold(name).partition(" ")
        return bool(rest) and first in self._generic_units and self._body(name) is None

    def _looks_standalone(self, name: str) -> bool:
        """A company, association, foundation, municipality or university by its name's end."""
        key = " " + fold(name)
        return any(key.endswith(" " + w) or key.endswith(w) and len(w) > 6
                   for w in self._standalone)

    def _is_agency(self, name: str) -> bool:
        """A Swedish state agency by the shape of its name (Skatteverket, Statens …)."""
        bare = _ACRONYM.sub("", name).strip()
        if bare.startswith(self._agency_beginnings) and " " in bare:
            return True
        return " " not in bare and bare[:1].isupper() and bare.endswith(self._agency_endings)

    def generic(self, name: str) -> OrgRef:
        """A body not in the tables, named as printed: key without "(ACR)", acronym as altLabel,
        a proper-case label for a name printed in capitals (the page's spelling kept)."""
        acronym = acronym_of(name)
        bare = _ACRONYM.sub("", name).strip() or name
        label = proper_case(bare)
        alts = tuple(a for a in (acronym, name if name != label else None) if a)
        kind = "national-agency" if self._is_agency(bare) else "organisation"
        return OrgRef(key=org_key(bare) or UNKNOWN_KEY, label=label, kind=kind, parent=None,
                      municipality_code=None, wikidata=None, alt_labels=alts)

    def _standalone_ref(self, name: str) -> OrgRef | None:
        """The body a list item names when it can stand alone: known, agency-shaped or a
        company/association by its name's end; None for anything that may be a unit."""
        body = self._body(name)
        if body is not None:
            return body
        if self.is_unit_name(name) or self._is_generic_unit(name):
            return None
        if self._is_agency(name) or self._looks_standalone(name):
            return self.generic(name)
        return None

    def _repeated(self, name: str) -> tuple[str, tuple[str, ...]]:
        """A field that repeats one name with slips (`Stiftelsen X, Stifelsen X`): the first
        spelling and the others; else the field and ()."""
        parts = [p for p in _SPLIT.split(name) if p]
        if len(parts) < 2 or not all(same_name_misspelt(parts[0], p) for p in parts[1:]):
            return name, ()
        bodies = {b.key for b in (self._body(p) for p in parts) if b is not None}
        if len(bodies) > 1:
            return name, ()  # two known bodies of near names are two bodies
        return parts[0], tuple(dict.fromkeys(p for p in parts[1:] if p != parts[0]))

    @staticmethod
    def _number_body(number: str, record: "Record | None") -> OrgRef:
        """The legal body an organisation number names when the field gives no name for it:
        a node keyed by the number (`id/org/orgnr-2120001355`). A body named with its number
        on any page says `owl:sameAs` that node (the mapping), so the two meet; the record's
        other evidence (e-mail domain, municipality list) is not used: it may name another
        body than the number does, and a number on the wrong body is a wrong fact."""
        shown = f"{number[:6]}-{number[6:]}"
        return OrgRef(key=f"orgnr-{number}", label=f"Organisation {shown}", kind="organisation",
                      parent=None, municipality_code=None, wikidata=None)

    def _numbered(self, name: str, number: str, record: "Record | None") -> OrgRef:
        """A name field that printed an organisation number: the number identifies the legal
        body; the rest of the field names it, or a unit of it (`212000-1355, Enheten`)."""
        if not name:
            ref = self._number_body(number, record)
        else:
            ref = self.resolve(name, record)
            if ref.kind == "unit" and self.explicit(name) is None:
                # a bare unit: its parent is the body the number names, not a guess from
                # evidence that may name another body (the number is the stronger fact)
                parent = self._number_body(number, record)
                ref = dataclasses.replace(ref, parent=parent,
                                          municipality_code=parent.municipality_code)
        return dataclasses.replace(ref, organisation_number=number)

    def resolve_all(self, name: str, record: "Record | None") -> list[OrgRef]:
        """Every body a name as written stands for: one, or several for a list of distinct
        bodies ("Arbetsförmedlingen, Försäkringskassan", "Ale kommun och Arbetsförmedlingen"),
        which are never merged into one made-up organisation. An organisation number in the
        field identifies the body, and a name repeated with a slip is one body."""
        name = nfc(name or "")
        rest, number = split_org_number(name)
        if number is not None:
            return [self._numbered(rest, number, record)]
        if self._repeated(name)[1]:
            return [self.resolve(name, record)]
        parts = [p for p in _AND.split(name) if p]
        if len(parts) >= 2 and all(self._body(p) is not None for p in parts):
            return _distinct([self._body(p) for p in parts])  # "Ale kommun och Arbetsförmedlingen"
        if name and self.explicit(name) is None:
            parts = [p for p in _SPLIT.split(name) if p]
            if len(parts) >= 2 and all(_siblings(parts[0], p) for p in parts[1:]):
                # "Folkuniversitetet Öst, Folkuniversitetet Väst": two bodies of one family
                return _distinct([self._standalone_ref(p) or self.resolve(p, record)
                                  for p in parts])
            if len(parts) >= 2:
                refs = [self._standalone_ref(p) for p in parts]
                unit_like = any(self.is_unit_name(p) or self._is_generic_unit(p) for p in parts)
                if any(r is not None for r in refs) and not unit_like:
                    # "Coompanion Göteborg, Samhall AB": a company beside a name is a list
                    return _distinct([r if r is not None else self.generic(p)
                                      for r, p in zip(refs, parts)])
        return [self.resolve(name, record)]

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
            # keyed by the agency's own name and the place, so "Arbetsförmedling Flen" and
            # "Arbetsförmedlingen i Flen" meet; no label is made up: the page's spelling is it
            key = slug(f"{agency.label} {place}")
            return OrgRef(key=key, label=name, kind="unit", parent=agency,
                          municipality_code=None, wikidata=None, alt_labels=(),
                          pref_label=f"{agency.label} {place}")
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
                if any(self._standalone_ref(p) is not None for p in rest):
                    return None  # a list of bodies in one bullet, not a unit
                return self._unit_of(head, ", ".join(rest))
            if len(parts) == 2:
                tail = self._body(parts[1])
                if tail is not None and (self.is_unit_name(parts[0])
                                         or self._is_generic_unit(parts[0])):
                    return self._unit_of(tail, parts[0])  # "Arbetsmarknadsenheten, Ale kommun"
                if (tail is None and self._standalone_ref(parts[1]) is None
                        and not self.is_unit_name(parts[0])
                        and not self._is_generic_unit(parts[0])
                        and not _siblings(parts[0], parts[1])):
                    # "Parent (ACR), Unit" / "Parent, Unit" for any parent body
                    return self._unit_of(self.generic(parts[0]), parts[1])
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

    def _agency_of_owner_contact(self, name: str, record: "Record | None") -> OrgRef | None:
        """The agency whose domain the contact's e-mail is at, for the owner's own unit only
        (the contact speaks for the owner, not for its partners)."""
        if record is None or not record.owner or fold(record.owner) != fold(name):
            return None
        domain = (record.contact_email or "").rpartition("@")[2].casefold().strip(" .")
        parts = domain.split(".")
        return self._agency_domains.get(".".join(parts[-2:])) if len(parts) >= 2 else None

    def resolve(self, name: str, record: "Record | None") -> OrgRef:
        """The OrgRef for a name as written on a page (see the module docstring for the rules)."""
        name = nfc(name or "")
        if not name:
            return OrgRef(key=UNKNOWN_KEY, label="", kind="organisation", parent=None,
                          municipality_code=None, wikidata=None)
        rest, number = split_org_number(name)
        if number is not None:
            return self._numbered(rest, number, record)
        first, slips = self._repeated(name)
        if slips:
            ref = self.resolve(first, record)
            return dataclasses.replace(ref, alt_labels=tuple(dict.fromkeys(
                (*ref.alt_labels, *slips))))
        ref = self.explicit(name)
        if ref is not None:
            return ref
        acronym = acronym_of(name)
        alt = (acronym,) if acronym else ()
        if self.is_unit_name(name) or self._is_generic_unit(name):
            codes = self.evidence(name, record)
            parent = self._muni_refs[codes.pop()] if len(codes) == 1 else None
            if parent is None and not codes:
                parent = self._agency_of_owner_contact(name, record)
            return OrgRef(key=org_key(name) or UNKNOWN_KEY, label=name, kind="unit",
                          parent=parent, wikidata=None, alt_labels=alt,
                          municipality_code=parent.municipality_code if parent else None)
        return self.generic(name)


def _siblings(a: str, b: str) -> bool:
    """Two names of one family, not a body and its unit: the same first word and each a name of
    its own after it (`Folkuniversitetet Öst`, `Folkuniversitetet Väst`), differing."""
    wa, wb = fold(a).split(), fold(b).split()
    return len(wa) >= 2 and len(wb) >= 2 and wa[0] == wb[0] and wa != wb


def _distinct(refs: list) -> list[OrgRef]:
    """The refs without repeats (by key), in order."""
    out: list[OrgRef] = []
    for r in refs:
        if r is not None and all(o.key != r.key for o in out):
            out.append(r)
    return out


def proper_case(name: str) -> str:
    """A name printed in capitals in proper case ("SVERIGES KOMMUNER OCH REGIONER" → "Sveriges
    Kommuner och Regioner"); short words such as AB and ABF stay in capitals; other names as
    printed."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 4 or not all(c.isupper() for c in letters):
        return name
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if i > 0 and low in _SMALL_WORDS:
            out.append(low)
        elif len([c for c in word if c.isalpha()]) <= 3:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)
