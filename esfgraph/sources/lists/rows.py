"""One list row → a `Record`, the same typed record a page gives, plus what only lists say.

What a list says that a page does not is kept in `Record.extra` under fixed keys (below), so
that the mapping can give it its own properties: euro amounts never share a property with
kronor, and a Kohesio item is a link, not text. Every other column the reader does not model
is kept in `extra` under its header as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from esfgraph.record import Record
from esfgraph.sources.lists import cells
from esfgraph.sources.lists.columns import ESF_LIST, KOHESIO

#: `Record.extra` keys of the values only a list gives (typed, checked).
EXTRA_EU_CONTRIBUTION_SEK = "EU contribution (SEK)"
EXTRA_TOTAL_EUR = "Total eligible expenditure (EUR)"
EXTRA_EU_BUDGET_EUR = "EU budget (EUR)"
EXTRA_KOHESIO_ITEM = "Kohesio item"
EXTRA_KOHESIO_BENEFICIARY = "Kohesio beneficiary"
EXTRA_TITLE_EN = "Title (en)"
EXTRA_SUMMARY_EN = "Summary (en)"
TYPED_EXTRAS = frozenset({EXTRA_EU_CONTRIBUTION_SEK, EXTRA_TOTAL_EUR, EXTRA_EU_BUDGET_EUR,
                          EXTRA_KOHESIO_ITEM, EXTRA_KOHESIO_BENEFICIARY, EXTRA_TITLE_EN,
                          EXTRA_SUMMARY_EN})
#: The `Record.sections` key of a list's summary (mapped to dcterms:abstract like a page's).
SUMMARY = "Sammanfattning"


@dataclass
class RowResult:
    """A row's record (None when rejected), the reason it was rejected, and its warnings."""

    row: int
    record: Record | None
    rejected: str | None = None
    warnings: list[str] = field(default_factory=list)


def _period_of(cci: str | None, case: str | None, period: str | None) -> str | None:
    """The programming period: the period or programme CCI when given, else the case number.

    `23-017-S01` numbers exist only for ESF+ (2021–2027); a `2018/00460` number dated 2020 or
    earlier is 2014–2020. A later year-number is left undecided (ESF+ pages print numbers of
    that shape too): the row is then rejected rather than given a period it may not have.
    """
    if period:
        p = period.replace("–", "-").replace(" ", "")
        if p in ("2014-2020", "2021-2027", "2007-2013"):
            return p
    if cci:
        year = cci.strip()[:4]
        if year in ("2014", "2021", "2007"):
            return {"2014": "2014-2020", "2021": "2021-2027", "2007": "2007-2013"}[year]
    if case:
        if cells.CASE_ESF_PLUS.match(case):
            return "2021-2027"
        m = cells.CASE_2014.match(case)
        if m and 2014 <= int(m.group(1)) <= 2020:
            return "2014-2020"
    return None


class _Row:
    """Reads one row's cells by key; a bad cell becomes a warning and stays in `extra`."""

    def __init__(self, cells_: list[str], header: list[str], columns: dict[int, str],
                 where: str) -> None:
        self.values: dict[str, str] = {}
        self.header_of: dict[str, str] = {}
        self.extra: dict[str, str] = {}
        self.warnings: list[str] = []
        self.where = where
        for i, h in enumerate(header):
            value = cells_[i].strip() if i < len(cells_) else ""
            if not value:
                continue
            key = columns.get(i)
            if key is None:
                self.extra[h or f"column {i + 1}"] = value
            else:
                self.values[key] = value
                self.header_of[key] = h

    def get(self, key: str, parse: Callable[[str], Any] = cells.text) -> Any:
        """The parsed value of a column, or None (empty, absent, or bad: then a warning)."""
        raw = self.values.get(key)
        if raw is None:
            return None
        try:
            return parse(raw)
        except cells.CellError as exc:
            header = self.header_of[key]
            self.warnings.append(f"{self.where}, column {header!r}: {exc}; kept as text")
            self.extra[header] = raw
            return None


def esf_row(row: _Row, source: str) -> Record | str:
    """A row of the ESF Council's project list as a Record (or the reason it has none)."""
    case = row.get("case_number", cells.case_number)
    cci = row.get("programme_cci")
    layout = _period_of(cci, case, None)
    if layout is None:
        return ("no programming period: the row has no Program CCI and its case number "
                f"({row.values.get('case_number') or 'none'}) does not say which period")
    r = Record(source=source, layout=layout)
    r.case_number = case
    if case and layout == "2014-2020":
        r.project_number = case  # 2014–2020 pages print the case number as Projektnummer
    r.title = row.get("title")
    r.owner = row.get("owner")
    r.owner_org_number = row.get("owner_org_number", cells.org_number)
    r.beneficiary_city = row.get("beneficiary_city")
    r.country = row.get("country")
    r.programme_area = row.get("programme_area")
    r.specific_objective = row.get("specific_objective")
    r.intervention_type = row.get("intervention_type", cells.code)
    r.total_budget_sek = row.get("total_budget_sek", cells.amount_int)
    r.eu_cofinancing_rate = row.get(
        "eu_cofinancing_rate", lambda v: cells.rate(v, bare_is_percent=False))
    contribution = row.get("eu_contribution_sek", cells.amount_int)
    if contribution is not None:
        row.extra[EXTRA_EU_CONTRIBUTION_SEK] = str(contribution)
    _summaries(r, row)
    r.start_date = row.get("start_date", cells.date_iso)
    r.end_date = row.get("end_date", cells.date_iso)
    r.fund = row.get("fund")
    r.programme_cci = cci
    return r


def kohesio_row(row: _Row, source: str) -> Record | str:
    """A row of Kohesio's list of operations as a Record (or the reason it has none)."""
    case = row.get("local_id", cells.local_identifier)
    cci = row.get("programme_cci")
    layout = _period_of(cci, case, row.get("period"))
    if layout is None:
        return ("no programming period: Programming_Period, Programme_Code and "
                "Operation_Local_Identifier do not say which period")
    r = Record(source=source, layout=layout)
    r.case_number = case
    if case and layout == "2014-2020":
        r.project_number = case
    r.title = row.get("title")
    title_en = row.get("title_en")
    if title_en:
        if r.title is None:
            r.title = title_en
        row.extra[EXTRA_TITLE_EN] = title_en
    r.owner = row.get("owner")
    r.owner_org_number = row.get("owner_org_number", cells.org_number)
    r.country = row.get("country")
    r.beneficiary_postcode = row.get("postcode")
    r.start_date = row.get("start_date", cells.date_dmy)
    r.end_date = row.get("end_date", cells.date_dmy)
    r.eu_cofinancing_rate = row.get(
        "eu_cofinancing_rate", lambda v: cells.rate(v, bare_is_percent=True))
    r.intervention_type = row.get("intervention_type", cells.code)
    r.fund = row.get("fund")
    r.programme_cci = cci
    _summaries(r, row)
    _euro(row)
    item = row.get("operation_id", cells.qid)
    if item is None:  # only a URL the file gives names the item; nothing is guessed
        url = row.values.get("inforegio_url")
        item = cells.find_qid(url) if url else None
    if item:
        row.extra[EXTRA_KOHESIO_ITEM] = item
    beneficiary = row.get("beneficiary_id", cells.qid)
    if beneficiary:
        row.extra[EXTRA_KOHESIO_BENEFICIARY] = beneficiary
    for key in ("period", "inforegio_url"):  # read, and also kept as the file gives them
        if key in row.values:
            row.extra.setdefault(row.header_of[key], row.values[key])
    return r


def _summaries(r: Record, row: _Row) -> None:
    summary = row.get("summary", cells.html_text)
    if summary:
        r.sections[SUMMARY] = summary
    summary_en = row.get("summary_en", cells.html_text)
    if summary_en:
        row.extra[EXTRA_SUMMARY_EN] = summary_en


def _euro(row: _Row) -> None:
    """Kohesio's amounts, only in the currency its file states (it converts to euro)."""
    total = row.get("total_eur", cells.amount_decimal)
    budget = row.get("eu_budget_eur", cells.amount_decimal)
    if total is None and budget is None:
        return
    currency = (row.values.get("currency") or "").strip().upper()
    if currency != "EUR":
        said = f"currency {currency!r}" if currency else "no currency"
        row.warnings.append(f"{row.where}: amounts with {said} are kept as text, not as money "
                            "(only euro amounts are read from Kohesio)")
        for key in ("total_eur", "eu_budget_eur"):
            if key in row.values:
                row.extra[row.header_of[key]] = row.values[key]
        return
    if total is not None:
        row.extra[EXTRA_TOTAL_EUR] = cells.amount_text(total)
    if budget is not None:
        row.extra[EXTRA_EU_BUDGET_EUR] = cells.amount_text(budget)


READERS: dict[str, Callable[[_Row, str], Record | str]] = {ESF_LIST: esf_row,
                                                            KOHESIO: kohesio_row}


def read_row(kind: str, cells_: list[str], header: list[str], columns: dict[int, str],
             source: str, row_number: int, label: str) -> RowResult:
    """Read one data row of a list of `kind`; never raises for a bad cell."""
    row = _Row(cells_, header, columns, f"{label} row {row_number}")
    made = READERS[kind](row, source)
    if isinstance(made, str):
        return RowResult(row_number, None, f"{label} row {row_number}: {made}", row.warnings)
    made.extra.update(row.extra)
    made.provenance = {"kind": kind, "file": source, "row": str(row_number)}
    return RowResult(row_number, made, None, row.warnings)


__all__ = [
    "EXTRA_EU_BUDGET_EUR",
    "EXTRA_EU_CONTRIBUTION_SEK",
    "EXTRA_KOHESIO_BENEFICIARY",
    "EXTRA_KOHESIO_ITEM",
    "EXTRA_SUMMARY_EN",
    "EXTRA_TITLE_EN",
    "EXTRA_TOTAL_EUR",
    "SUMMARY",
    "TYPED_EXTRAS",
    "RowResult",
    "read_row",
]
