"""Deterministic, readable IRIs: one place decides how every entity is named (docs/DATA-MODEL.md).

The same input gives the same IRI in every build, so links and saved queries keep working.
"""

from __future__ import annotations

import re
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


def project_slug(record: "Record") -> str:
    """The project's IRI key: slug of the project number, else title + phase + start date."""
    if record.project_number and slug(record.project_number):
        return slug(record.project_number)
    title = slug(record.title) or "okand-titel"
    phase = slug(record.phase) or "okand-fas"
    start = record.start_date.isoformat() if record.start_date else "okant-datum"
    return f"{title}-{phase}-{start}"


class Iris:
    """Builds the data IRIs of docs/DATA-MODEL.md under one base IRI (cached URIRefs)."""

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.base = base_iri
        self._cache: dict[str, URIRef] = {}
        self.esf_council = self._u("id/org/svenska-esf-radet")
        self.reference_graph = self._u("graph/reference")
        self.vocabulary_graph = self._u("graph/vocabulary")
        self.dataset_graph = self._u("graph/dataset")
        self.dataset = self._u("dataset")

    def _u(self, path: str) -> URIRef:
        """Cached URIRef of base + path."""
        ref = self._cache.get(path)
        if ref is None:
            ref = self._cache[path] = URIRef(self.base + path)
        return ref

    # projects and their parts -------------------------------------------------------------
    def project(self, record: "Record") -> URIRef:
        """IRI of the project described by a record."""
        return URIRef(f"{self.base}id/project/{project_slug(record)}")

    @staticmethod
    def grant(project: URIRef) -> URIRef:
        """The ESF grant of a project."""
        return URIRef(f"{project}/grant")

    @staticmethod
    def amount(project: URIRef, kind: str) -> URIRef:
        """A monetary amount node: kind ∈ esf-grant, total-budget, total-cost."""
        return URIRef(f"{project}/amount/{kind}")

    @staticmethod
    def address(project: URIRef) -> URIRef:
        """The beneficiary's postal address."""
        return URIRef(f"{project}/address")

    @staticmethod
    def role(project: URIRef, role: str, label: str) -> URIRef:
        """A qualified participation (role node) of an organisation or place in a project."""
        return URIRef(f"{project}/role/{role}/{slug(label) or 'okand'}")

    @staticmethod
    def section(project: URIRef, heading: str) -> URIRef:
        """A text section whose heading has no property of its own."""
        return URIRef(f"{project}/section/{slug(heading) or 'okand-rubrik'}")

    @staticmethod
    def extra(project: URIRef, label: str) -> URIRef:
        """An unknown label/value pair kept from the page."""
        return URIRef(f"{project}/extra/{slug(label) or 'okand-etikett'}")

    # agents -------------------------------------------------------------------------------
    def org_by_key(self, key: str) -> URIRef:
        """Organisation IRI from an already normalised key."""
        return self._u(f"id/org/{key}")

    def org(self, ref: Any, record: "Record | None" = None) -> URIRef:
        """Organisation IRI of an OrgRef: units nest under their parent; bare units per project."""
        key = ref.key
        parent = getattr(ref, "parent", None)
        if parent is not None:
            if key.startswith(parent.key + "/"):
                return self._u(f"id/org/{key}")
            return self._u(f"id/org/{parent.key}/{key}")
        if getattr(ref, "kind", None) == "unit" and record is not None:
            return URIRef(f"{self.base}id/org/{key}--{project_slug(record)}")
        return self._u(f"id/org/{key}")

    def person(self, name: str | None, email: str | None) -> URIRef:
        """A contact person, keyed by e-mail when known (stable across name spellings)."""
        key = slug(email) if email else ""
        return URIRef(f"{self.base}id/person/{key or slug(name) or 'okand'}")

    # places -------------------------------------------------------------------------------
    def municipality(self, code: str) -> URIRef:
        """A municipality by its 4-digit SCB code."""
        return self._u(f"id/municipality/{code}")

    def county(self, code: str) -> URIRef:
        """A county by its 2-digit code."""
        return self._u(f"id/county/{code}")

    def region(self, nuts2: str | None) -> URIRef:
        """An ESF region by NUTS2 code; None means the national programme ('Nationellt')."""
        return self._u(f"id/region/{nuts2 or 'national'}")

    def place(self, iso2_or_name: str) -> URIRef:
        """A country (ISO 3166-1 alpha-2, upper case) or another place (slug of its name)."""
        key = iso2_or_name if re.fullmatch(r"[A-Z]{2}", iso2_or_name) else slug(iso2_or_name)
        return self._u(f"id/place/{key or 'okand'}")

    def place_key(self, key: str) -> URIRef:
        """A place by a key that is already IRI-safe (ISO code, 'GB-ELN', 'BE-brussels')."""
        return self._u(f"id/place/{key}")

    # graphs and sources -------------------------------------------------------------------
    def record_graph(self, slug_: str) -> URIRef:
        """Named graph holding one record's triples."""
        return URIRef(f"{self.base}graph/record/{slug_}")

    def personal_graph(self, slug_: str) -> URIRef:
        """Named graph holding one record's personal data (dropped by --no-personal-data)."""
        return URIRef(f"{self.base}graph/personal/{slug_}")

    def source(self, file_name: str) -> URIRef:
        """A source file by its base name (percent-encoding characters unsafe in IRIs)."""
        from urllib.parse import quote

        return URIRef(f"{self.base}source/{quote(file_name, safe='-._~')}")

    def software(self, version: str) -> URIRef:
        """The esfgraph release that built the graph (a prov:SoftwareAgent)."""
        return self._u(f"software/esfgraph/{version}")


@lru_cache(maxsize=4096)
def concept(path: str) -> URIRef:
    """A fixed concept IRI under `concept:` (cached)."""
    return URIRef(str(CONCEPT) + path)


__all__ = ["ROLES", "Iris", "code_segment", "concept", "org_key", "project_slug", "slug"]
