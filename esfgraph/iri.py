"""Deterministic, readable IRIs: one place decides how every entity is named (docs/DATA-MODEL.md).

The same input gives the same IRI in every build, so links and saved queries keep working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from esfgraph.config import DEFAULT_BASE_IRI
from esfgraph.link.names import org_key  # one normalisation for every organisation key
from esfgraph.namespaces import CONCEPT
from esfgraph.slugs import slug

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.record import Record

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

#: Roles of an organisation (or place) in a project; also the `concept:role/{role}` local names.
ROLES = ("owner", "partner", "cofinancier", "transnational-contact")


def code_segment(code: str) -> str:
    """Keep a short code such as '2.1' or 'A' as written (trimmed); slug anything else."""
    code = code.strip()
    if _CODE.match(code):
        return code
    return slug(code) or "okand"


def project_key_from_case_number(case_number: str) -> str:
    """The IRI key of the project with this case number (diarienummer): `2018/00460` →
    `2018-00460`, `22-031-S07` → `22-031-s07`; "" when the text holds nothing to key on.

    The one rule for "project IRI from a case number": a page, a list row or a Kohesio row
    that gives the case number names the same node through it.
    """
    return slug(case_number or "")


#: An ESF+ case number, which ESF+ pages may also print as their Projektnummer: `22-009-S02`.
_ESF_PLUS_CASE = re.compile(r"^\d{2}-\d{3,4}-[A-Za-z]{1,2}\d{1,3}$")


def project_slug(record: Record) -> str:
    """The project's IRI key: what identifies the project, never which lines the page prints.

    1. the case number (diarienummer), when printed (2014–2020 and ESF+ pages; an ESF+
       heading `22-031-S07 - Name` gives it too);
    2. else the project number: on 2014–2020 pages it is the case number (one series,
       `2018/00460`), and so is an ESF+ project number of the case-number shape
       (`22-009-S02`); an ESF+ project number of another series (`2023/00147`) is keyed
       `pn-2023-00147`, so it never meets another project's case number;
    3. else (2007–2013 pages, which print neither) title + phase + start date.

    So a page that prints `Projektnummer` and the same page without it give one IRI, and a list
    keyed by case number (`project_key_from_case_number`) meets the page.
    """
    key = project_key_from_case_number(record.case_number or "")
    if key:
        return key
    key = slug(record.project_number or "")
    if key:
        if record.layout == "2021-2027" and not _ESF_PLUS_CASE.match(
                record.project_number.strip()):
            return "pn-" + key
        return key
    title = slug(record.title) or "okand-titel"
    phase = slug(record.phase) or "okand-fas"
    start = record.start_date.isoformat() if record.start_date else "okant-datum"
    return f"{title}-{phase}-{start}"


def legacy_project_slug(record: Record) -> str | None:
    """The project's key under the rule before issue 22, when it is safe to point from it to
    the key now; else None.

    The old rule took the project number when printed, else `dnr-` + the case number. A `dnr-`
    key names no project under the new rule, so it can say "same as" the new key. An old key
    from a project number of another series than the case number (`2023-00147` on a page
    whose case number is 2022/00877) is not pointed from: under the new rule that key may be
    another project's case number, and a wrong `owl:sameAs` would merge two projects.
    """
    if record.project_number and slug(record.project_number):
        old = slug(record.project_number)
        return old if old == project_slug(record) else None
    if record.case_number and slug(record.case_number):
        return "dnr-" + slug(record.case_number)
    return None


class Iris:
    """Builds the data IRIs of docs/DATA-MODEL.md under one base IRI.

    IRIs are rdflib URIRefs by default; `term=str` gives plain strings (the build's mapping
    writes N-Triples text and has no use for rdflib objects).
    """

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI,
                 term: Callable[[str], Any] = URIRef) -> None:
        self.base = base_iri
        self._term = term
        self._cache: dict[str, Any] = {}
        self.esf_council = self._u("id/org/svenska-esf-radet")
        self.reference_graph = self._u("graph/reference")
        self.vocabulary_graph = self._u("graph/vocabulary")
        self.dataset_graph = self._u("graph/dataset")
        self.dataset = self._u("dataset")

    def _u(self, path: str) -> Any:
        """Cached IRI of base + path."""
        ref = self._cache.get(path)
        if ref is None:
            ref = self._cache[path] = self._term(self.base + path)
        return ref

    # projects and their parts -------------------------------------------------------------
    def project(self, record: Record) -> Any:
        """IRI of the project described by a record."""
        return self._term(f"{self.base}id/project/{project_slug(record)}")

    def project_from_case_number(self, case_number: str) -> Any:
        """IRI of the project with this case number (diarienummer), e.g. for a list row."""
        return self._term(f"{self.base}id/project/"
                          f"{project_key_from_case_number(case_number) or 'okand'}")

    def legacy_project(self, record: Record) -> Any | None:
        """The IRI the project had under the rule before issue 22, when it differs and can be
        pointed from safely (`legacy_project_slug`)."""
        old = legacy_project_slug(record)
        return None if old is None or old == project_slug(record) else self._term(
            f"{self.base}id/project/{old}")

    def grant(self, project: Any) -> Any:
        """The ESF grant of a project."""
        return self._term(f"{project}/grant")

    def amount(self, project: Any, kind: str) -> Any:
        """A monetary amount node: kind ∈ esf-grant, total-budget, total-cost."""
        return self._term(f"{project}/amount/{kind}")

    def address(self, project: Any) -> Any:
        """The beneficiary's postal address."""
        return self._term(f"{project}/address")

    def role(self, project: Any, role: str, label: str) -> Any:
        """A qualified participation (role node) of an organisation or place in a project."""
        return self._term(f"{project}/role/{role}/{slug(label) or 'okand'}")

    def section(self, project: Any, heading: str) -> Any:
        """A text section whose heading has no property of its own."""
        return self._term(f"{project}/section/{slug(heading) or 'okand-rubrik'}")

    def extra(self, project: Any, label: str) -> Any:
        """An unknown label/value pair kept from the page."""
        return self._term(f"{project}/extra/{slug(label) or 'okand-etikett'}")

    # agents -------------------------------------------------------------------------------
    def org_by_key(self, key: str) -> Any:
        """Organisation IRI from an already normalised key."""
        return self._u(f"id/org/{key}")

    def org(self, ref: Any, record: Record | None = None) -> Any:
        """Organisation IRI of an OrgRef: units nest under their parent; bare units per project."""
        key = ref.key
        parent = getattr(ref, "parent", None)
        if parent is not None:
            if key.startswith(parent.key + "/"):
                return self._u(f"id/org/{key}")
            return self._u(f"id/org/{parent.key}/{key}")
        if getattr(ref, "kind", None) == "unit" and record is not None:
            return self._term(f"{self.base}id/org/{key}--{project_slug(record)}")
        return self._u(f"id/org/{key}")

    def person(self, name: str | None, email: str | None) -> Any:
        """A contact person, keyed by e-mail when known (stable across name spellings)."""
        key = slug(email) if email else ""
        return self._term(f"{self.base}id/person/{key or slug(name) or 'okand'}")

    # places -------------------------------------------------------------------------------
    def municipality(self, code: str) -> Any:
        """A municipality by its 4-digit SCB code."""
        return self._u(f"id/municipality/{code}")

    def county(self, code: str) -> Any:
        """A county by its 2-digit code."""
        return self._u(f"id/county/{code}")

    def region(self, nuts2: str | None) -> Any:
        """An ESF region by NUTS2 code; None means the national programme ('Nationellt')."""
        return self._u(f"id/region/{nuts2 or 'national'}")

    def place(self, iso2_or_name: str) -> Any:
        """A country (ISO 3166-1 alpha-2, upper case) or another place (slug of its name)."""
        key = iso2_or_name if re.fullmatch(r"[A-Z]{2}", iso2_or_name) else slug(iso2_or_name)
        return self._u(f"id/place/{key or 'okand'}")

    def place_key(self, key: str) -> Any:
        """A place by a key that is already IRI-safe (ISO code, 'GB-ELN', 'BE-brussels')."""
        return self._u(f"id/place/{key}")

    # graphs and sources -------------------------------------------------------------------
    def record_graph(self, slug_: str) -> Any:
        """Named graph holding one record's triples."""
        return self._term(f"{self.base}graph/record/{slug_}")

    def personal_graph(self, slug_: str) -> Any:
        """Named graph holding one record's personal data (dropped by --no-personal-data)."""
        return self._term(f"{self.base}graph/personal/{slug_}")

    def source(self, file_name: str) -> Any:
        """A source file by its base name (percent-encoding characters unsafe in IRIs)."""
        from urllib.parse import quote

        return self._term(f"{self.base}source/{quote(file_name, safe='-._~')}")

    def software(self, version: str) -> Any:
        """The esfgraph release that built the graph (a prov:SoftwareAgent)."""
        return self._u(f"software/esfgraph/{version}")


@lru_cache(maxsize=4096)
def concept(path: str) -> URIRef:
    """A fixed concept IRI under `concept:` (cached)."""
    return URIRef(str(CONCEPT) + path)


__all__ = ["ROLES", "Iris", "code_segment", "concept", "legacy_project_slug", "org_key",
           "project_key_from_case_number", "project_slug", "slug"]
