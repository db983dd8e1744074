"""Which column is which: header names of the two lists, matched by name, never by position.

Headers are compared case-folded with runs of spaces, no-break spaces and underscores made one
space. The ESF Council's list writes bilingual headers (`Startdatum / Start date`); either half
alone, or the whole, names the column. Column names are the source's own words, so they live
here (the lists' label table) and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ESF_LIST = "esf-list"
KOHESIO = "kohesio"


@dataclass(frozen=True)
class Column:
    """One known column: its key, the names it goes by, and whether its absence is reported."""

    key: str
    names: tuple[str, ...]
    expected: bool = True

    @property
    def shown(self) -> str:
        return " / ".join(self.names[:2])


ESF_COLUMNS = (
    Column("case_number", ("Diarienummer", "Operation ID")),
    Column("owner", ("Stödmottagare", "Beneficiary")),
    Column("owner_org_number", ("Projektägare organisationsnummer", "Beneficiary ID",
                                "Organisationsnummer")),
    Column("beneficiary_city", ("Projektägare ort", "Beneficiary city")),
    Column("country", ("Stödmottagarens land", "Beneficiary country")),
    Column("title", ("Namn på insatsen", "Operation Name")),
    Column("programme_area", ("Programområde", "Priority")),
    Column("specific_objective", ("Specifikt mål", "Specific objective concerned",
                                  "Specific objective")),
    Column("intervention_type", ("Interventionsområde", "Intervention field")),
    Column("total_budget_sek", ("Total projektbudget", "Total budget SEK")),
    Column("eu_cofinancing_rate", ("Unionens medfinansieringsgrad", "Union co-financing rate")),
    Column("eu_contribution_sek", ("EU-stöd i SEK", "EU contribution SEK")),
    Column("summary", ("Sammanfattning", "Summary")),
    Column("summary_en", ("Sammanfattning engelsk", "Summary in english", "Summary in English")),
    Column("start_date", ("Startdatum", "Start date")),
    Column("end_date", ("Slutdatum", "End date")),
    Column("fund", ("EU-fond", "EU fund")),
    Column("programme_cci", ("Program CCI", "Programme CCI")),
)

KOHESIO_COLUMNS = (
    Column("operation_id", ("Operation_Unique_Identifier",)),
    Column("local_id", ("Operation_Local_Identifier",)),
    Column("title_en", ("Operation_Name_English",)),
    Column("title", ("Operation_Name_Programme_Language",)),
    Column("country", ("Country",)),
    Column("postcode", ("Postal_Code",)),
    Column("start_date", ("Operation_Start_Date",)),
    Column("end_date", ("Operation_End_Date",)),
    Column("eu_cofinancing_rate", ("Cofinancing_Rate",)),
    Column("total_eur", ("Total_Eligible_Expenditure_amount",)),
    Column("currency", ("Total_Eligible_Expenditure_Currency",)),
    Column("eu_budget_eur", ("Project_EU_Budget",)),
    Column("beneficiary_id", ("Beneficiary_Unique_Identifier",)),
    Column("intervention_type", ("Category_Of_Intervention",)),
    Column("fund", ("Fund_Code",)),
    Column("programme_cci", ("Programme_Code",)),
    Column("period", ("Programming_Period",)),
    Column("summary_en", ("Operation_Summary_English",)),
    Column("summary", ("Operation_Summary_Programme_Language",)),
    Column("inforegio_url", ("InfoRegio_URL",), expected=False),
    Column("owner", ("Beneficiary_Name",), expected=False),
    Column("owner_org_number", ("Beneficiary_Local_Identifier",), expected=False),
)

#: Columns whose presence says which list a file is (at least this many must be found).
_SIGNATURE = {
    ESF_LIST: ({"case_number"}, {"title", "owner", "owner_org_number", "total_budget_sek",
                                 "start_date", "eu_cofinancing_rate", "programme_cci"}),
    KOHESIO: ({"local_id"}, {"operation_id", "title", "title_en", "start_date", "total_eur",
                             "currency", "period", "fund"}),
}
_SPACE = re.compile(r"[\s\u00a0_]+")


def norm(header: str) -> str:
    """A header as compared: case-folded, spaces and underscores made one space."""
    return _SPACE.sub(" ", header).strip().casefold()


def _names(columns: tuple[Column, ...]) -> dict[str, str]:
    return {norm(name): col.key for col in columns for name in col.names}


_ESF_NAMES = _names(ESF_COLUMNS)
_KOHESIO_NAMES = _names(KOHESIO_COLUMNS)


def _key(header: str, names: dict[str, str]) -> str | None:
    whole = norm(header)
    if whole in names:
        return names[whole]
    halves = [h for h in (norm(p) for p in re.split(r"\s*/\s*", header)) if h]
    if len(halves) == 2:
        for half in halves:
            if half in names:
                return names[half]
    return None


def match_columns(header: list[str], kind: str) -> dict[int, str]:
    """Column index → key for the known columns of `kind` (the first of a repeated one wins)."""
    names = _ESF_NAMES if kind == ESF_LIST else _KOHESIO_NAMES
    out: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(header):
        key = _key(h, names)
        if key is not None and key not in taken:
            out[i] = key
            taken.add(key)
    return out


def detect(header: list[str]) -> str | None:
    """Which list a header row belongs to (ESF_LIST, KOHESIO) or None when neither."""
    best: tuple[int, str] | None = None
    for kind, (needed, others) in _SIGNATURE.items():
        keys = set(match_columns(header, kind).values())
        if needed <= keys and len(keys & others) >= 2:
            score = len(keys)
            if best is None or score > best[0]:
                best = (score, kind)
    return best[1] if best else None


def columns_of(kind: str) -> tuple[Column, ...]:
    """The known columns of a list kind."""
    return ESF_COLUMNS if kind == ESF_LIST else KOHESIO_COLUMNS


__all__ = [
    "ESF_COLUMNS",
    "ESF_LIST",
    "KOHESIO",
    "KOHESIO_COLUMNS",
    "Column",
    "columns_of",
    "detect",
    "match_columns",
    "norm",
]
