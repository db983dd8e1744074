"""Cell text → typed values, for the value shapes the two lists are known to use.

Each parser takes the cell's text (already stripped, never empty) and returns the value or
raises `CellError` saying what was wrong; the row reader turns that into a warning naming the
file, row and column and keeps the rest of the row (see docs/guide/sources.md).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

#: Case numbers (diarienummer): ESF+ `23-017-S01`, 2014–2020 `2018/00460`.
CASE_ESF_PLUS = re.compile(r"^\d{2}-\d{3}-S\d{2}$")
CASE_2014 = re.compile(r"^(\d{4})/\d{5}$")
#: A Kohesio (Wikibase) item: `Q7361953`, alone or at the end of its entity or page IRI.
_QID = re.compile(r"^(?:https?://(?:linkedopendata\.eu/entity/|kohesio\.ec\.europa\.eu/"
                  r"[a-z]{2}/(?:projects|beneficiaries)/))?(Q[1-9]\d{0,11})/?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class CellError(ValueError):
    """A cell whose text does not have the expected shape (message says which shape)."""


def text(value: str) -> str:
    """One line of text with runs of spaces (also no-break spaces) made one space."""
    return _SPACES.sub(" ", value).strip()


def _number_text(value: str) -> str:
    """An amount's digits: thousands spaces, no-break spaces and a `kr`/`SEK` unit dropped."""
    t = _SPACES.sub("", value)
    t = re.sub(r"(?i)(kr|sek|eur|€)\.?$", "", t)
    return t


def amount_int(value: str) -> int:
    """Whole kronor: `4 973 906`, `4973906`, `4 973 906 kr`, `4973906.0` (a spreadsheet's)."""
    t = _number_text(value)
    if re.fullmatch(r"\d+", t):
        return int(t)
    if re.fullmatch(r"\d+\.0+", t):
        return int(t.split(".")[0])
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t):  # 4,973,906: thousands commas
        return int(t.replace(",", ""))
    if t.startswith("-"):
        raise CellError(f"negative amount {value!r}")
    raise CellError(f"{value!r} is not a whole amount in kronor (expected e.g. 4 973 906)")


def amount_decimal(value: str) -> Decimal:
    """An amount with decimals as Kohesio writes it: `337478.4` (a point, no thousands)."""
    t = _number_text(value)
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        number = Decimal(t)
    except InvalidOperation as exc:
        raise CellError(f"{value!r} is not an amount (expected e.g. 337478.4)") from exc
    if not number.is_finite():
        raise CellError(f"{value!r} is not an amount")
    if number < 0:
        raise CellError(f"negative amount {value!r}")
    return number


def rate(value: str, *, bare_is_percent: bool) -> float:
    """A co-financing rate as a fraction 0..1: `90%`, `90 %`, `40.0` (Kohesio: per cent).

    `bare_is_percent`: a number without `%` is per cent (Kohesio); otherwise a bare number up
    to 1 is a fraction (an XLSX cell formatted as a percentage holds 0.9) and above 1 per cent.
    """
    t = _SPACES.sub("", value).replace(",", ".")
    percent = t.endswith("%")
    t = t.rstrip("%")
    try:
        number = Decimal(t)
    except InvalidOperation as exc:
        raise CellError(f"{value!r} is not a rate (expected e.g. 90%)") from exc
    if not number.is_finite():
        raise CellError(f"{value!r} is not a rate")
    if percent or bare_is_percent or number > 1:
        number = number / 100
    if not 0 <= number <= 1:
        raise CellError(f"rate {value!r} is outside 0–100 %")
    return float(number)


def date_iso(value: str) -> dt.date:
    """An ISO date `2023-09-04` (also with a midnight time, as spreadsheets add)."""
    m = _ISO.match(text(value))
    if not m:
        raise CellError(f"{value!r} is not a date (expected YYYY-MM-DD)")
    return _date(value, int(m.group(1)), int(m.group(2)), int(m.group(3)))


def date_dmy(value: str) -> dt.date:
    """Kohesio's `04/09/2023` (day/month/year; the same project starts 2023-09-04 on esf.se).

    An ISO date is read too (a file saved again by a spreadsheet may have turned it into one).
    """
    t = text(value)
    m = _DMY.match(t)
    if m:
        return _date(value, int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if _ISO.match(t):
        return date_iso(t)
    raise CellError(f"{value!r} is not a date (expected DD/MM/YYYY)")


def _date(value: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(f"{value!r} is not a calendar date ({exc})") from exc


def code(value: str) -> str:
    """A category code: `117.0` (a float in Kohesio's file) is `117`."""
    t = text(value)
    if re.fullmatch(r"\d+\.0+", t):
        return t.split(".")[0]
    return t


def org_number(value: str) -> str:
    """A Swedish organisation number: ten digits (`2120003005`, `212000-3005`) or twelve."""
    digits = re.sub(r"[\s\u00a0-]", "", value)
    if re.fullmatch(r"\d+\.0+", digits):  # a number cell in a spreadsheet
        digits = digits.split(".")[0]
    if not re.fullmatch(r"\d{10}|\d{12}", digits):
        raise CellError(f"{value!r} is not an organisation number (ten digits)")
    return digits


def qid(value: str) -> str:
    """A Kohesio item id `Q7361953` from the id or its entity or page IRI."""
    m = _QID.match(text(value))
    if not m:
        raise CellError(f"{value!r} is not a Kohesio item (expected Q123 or "
                        "https://linkedopendata.eu/entity/Q123)")
    return m.group(1)


def find_qid(value: str) -> str | None:
    """The item of a Kohesio entity or project URL anywhere in a cell, else None."""
    m = re.search(r"(?:linkedopendata\.eu/entity/|kohesio\.ec\.europa\.eu/[a-z]{2}/projects/)"
                  r"(Q[1-9]\d{0,11})\b", value)
    return m.group(1) if m else None


class _Text(HTMLParser):
    """Collects the text of an HTML fragment, block elements on their own lines."""

    BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                        "tr", "table", "blockquote", "section"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_ANY_TAG = re.compile(r"<[^>]*>?")
_SIMPLE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\s*/?>")


def _tag_text(m: re.Match[str]) -> str:
    tag = m.group(2).lower()
    if tag in _Text.BLOCKS:
        return "\n• " if tag == "li" and not m.group(1) else "\n"
    return ""


def html_text(value: str) -> str:
    """An HTML summary (`<p>Text</p>`) as plain text: paragraphs kept, tags and entities gone.

    Text without tags is returned with its entities decoded and its lines tidied.
    """
    if "<" not in value:
        raw = html.unescape(value)
    elif all(_SIMPLE_TAG.fullmatch(tag) for tag in _ANY_TAG.findall(value)):
        # the common case (`<p>…</p>`, `<br/>`, `<b>`): tags without attributes, no parser
        raw = html.unescape(_SIMPLE_TAG.sub(_tag_text, value))
    else:
        raw = _parsed(value)
    return _tidy(raw)


def html_text_parsed(value: str) -> str:
    """`html_text` always through the HTML parser (the reference the fast path must equal)."""
    return _tidy(_parsed(value) if "<" in value else html.unescape(value))


def _parsed(value: str) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def _tidy(raw: str) -> str:
    lines = (text(p) for p in re.split(r"\n", raw.replace("\r", "\n")))
    return "\n\n".join(line for line in lines if line)


def case_number(value: str) -> str:
    """A case number in one of the two known shapes (`23-017-S01`, `2018/00460`)."""
    t = text(value).upper() if CASE_ESF_PLUS.match(text(value).upper()) else text(value)
    if CASE_ESF_PLUS.match(t) or CASE_2014.match(t):
        return t
    raise CellError(f"{value!r} is not a case number (expected e.g. 23-017-S01 or 2018/00460)")


def local_identifier(value: str) -> str:
    """The case number in Kohesio's `Operation_Local_Identifier`.

    `2021SE05SFPR001_23-017-S01` (programme CCI, underscore, case number) or, for 2014–2020,
    the case number itself (`2018/00076`).
    """
    t = text(value)
    tail = t.rsplit("_", 1)[-1]
    try:
        return case_number(tail)
    except CellError:
        raise CellError(f"{value!r} holds no case number (expected e.g. "
                        "2021SE05SFPR001_23-017-S01 or 2018/00076)") from None


__all__ = ["CellError", "amount_decimal", "amount_int", "case_number", "code", "date_dmy",
           "date_iso", "find_qid", "html_text", "local_identifier", "org_number", "qid",
           "rate", "text"]


def amount_text(number: Decimal) -> str:
    """The exact decimal text of an amount (`337478.4`, `12`; never `1E+1`)."""
    t = format(number.normalize(), "f")
    return t.rstrip("0").rstrip(".") if "." in t else t
