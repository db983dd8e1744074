"""Link report: how much of a set of records links to known places and bodies, and what does not."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from esfgraph.link.foreign import _NONE, record_texts

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.link.gazetteer import Gazetteer
    from esfgraph.record import Record

#: Report rows in print order: key, heading.
CATEGORIES = (
    ("municipalities", "municipalities (Kommun list)"),
    ("beneficiary_places", "municipality from beneficiary town"),
    ("regions", "regions"),
    ("owners", "owners"),
    ("partners", "partners"),
    ("cofinanciers", "co-financiers"),
    ("organisations", "organisations (distinct)"),
    ("foreign_places", "foreign places"),
    ("foreign_organisations", "foreign organisations"),
)


@dataclass
class Tally:
    """Linked and unresolved mentions of one kind; unresolved names keep their source files."""

    linked: int = 0
    unresolved: dict[str, list[str]] = field(default_factory=dict)

    def add(self, ok: bool, name: str, source: str) -> None:
        if ok:
            self.linked += 1
        else:
            sources = self.unresolved.setdefault(name, [])
            if source not in sources:
                sources.append(source)

    @property
    def unresolved_count(self) -> int:
        return sum(len(s) for s in self.unresolved.values())


@dataclass
class LinkReport:
    """Counts per category plus every unresolved name, to extend the alias tables from."""

    records: int = 0
    #: Reference places with a Wikidata item: kind → (linked, total).
    wikidata: dict[str, tuple[int, int]] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k, _ in CATEGORIES})
    no_contact_found: list[str] = field(default_factory=list)
    #: Where the sources of one project disagree (esfgraph.link.sources.SourcesReport), when
    #: list rows were among the records; None for pages alone.
    sources: Any = None

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping (`sources` only when list rows were read)."""
        out = self._counts_json()
        if self.sources is not None:
            out["sources"] = self.sources.to_json()
        return out

    def _counts_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "categories": {k: {"linked": t.linked, "unresolved": t.unresolved_count,
                               "unresolved_names": t.unresolved}
                           for k, t in self.tallies.items()},
            "transnational_text_without_contact": self.no_contact_found,
            "wikidata": {k: {"linked": n, "total": total}
                         for k, (n, total) in self.wikidata.items()},
        }

    def to_text(self) -> str:
        """A plain-text table, then the unresolved names grouped by category."""
        lines = [f"records: {self.records}", "",
                 f"{'category':<38}{'linked':>8}{'unresolved':>12}"]
        for key, heading in CATEGORIES:
            t = self.tallies[key]
            lines.append(f"{heading:<38}{t.linked:>8}{t.unresolved_count:>12}")
        for key, heading in CATEGORIES:
            t = self.tallies[key]
            if t.unresolved:
                lines += ["", f"unresolved {heading}:"]
                for name, sources in sorted(t.unresolved.items()):
                    lines.append(f"  {name}  ({', '.join(sources)})")
        if self.no_contact_found:
            lines += ["", "transnational section with text but no contact found:"]
            lines += [f"  {s}" for s in self.no_contact_found]
        if self.wikidata:
            lines += ["", "reference places linked to Wikidata (skos:exactMatch):"]
            for kind, (n, total) in self.wikidata.items():
                lines.append(f"  {kind:<36}{n:>4} of {total}")
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        """`to_text()`, then the sources' disagreements when list rows were read."""
        if self.sources is None:
            return self.to_text()
        return self.to_text() + "\n" + self.sources.to_text()

    def dumps(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"


def link_report(records: Iterable["Record"], gazetteer: "Gazetteer") -> LinkReport:
    """Resolve every place and organisation named in the records and tally the outcome."""
    report = LinkReport()
    for kind, places in (("municipalities", gazetteer.municipalities.values()),
                         ("counties", gazetteer.counties.values())):
        places = list(places)
        report.wikidata[kind] = (sum(1 for p in places if p.wikidata), len(places))
    t = report.tallies
    orgs: dict[tuple[str, str | None], bool] = {}
    for r in records:
        report.records += 1
        src = r.source
        for name in r.municipalities:
            t["municipalities"].add(gazetteer.municipality(name) is not None, name, src)
        if not r.municipalities and (r.beneficiary_city or r.beneficiary_postcode):
            place = " ".join(x for x in (r.beneficiary_postcode, r.beneficiary_city) if x)
            found = gazetteer.municipality_by_place(r.beneficiary_city, r.beneficiary_postcode)
            t["beneficiary_places"].add(found is not None, place, src)
        if r.region:
            t["regions"].add(gazetteer.region(r.region) is not None, r.region, src)
        for key, names in (("owners", [r.owner] if r.owner else []), ("partners", r.partners),
                           ("cofinanciers", r.cofinanciers)):
            for name in names:
                refs = gazetteer.resolve_orgs(name, r)
                for ref in refs:
                    written = name if len(refs) == 1 else ref.label
                    t[key].add(ref.resolved, written, src)
                    ident = (ref.key, ref.parent.key if ref.parent else src
                             if ref.kind == "unit" else None)
                    if ident not in orgs:
                        orgs[ident] = ref.resolved
                        t["organisations"].add(ref.resolved, written, src)
        mentions = gazetteer.find_foreign_in_record(r)
        for m in mentions:
            if m.kind == "organisation":
                t["foreign_organisations"].add(False, f"{m.label} ({m.iso2 or '?'})", src)
            else:
                t["foreign_places"].add(True, m.label, src)
        trans = [txt for h, txt in (r.sections or {}).items() if "transnation" in h.casefold()]
        if trans and not mentions and not all(_NONE.match(x.strip()) for x in trans):
            report.no_contact_found.append(src)
    return report


__all__ = ["CATEGORIES", "LinkReport", "Tally", "link_report", "record_texts"]
