"""Turn printed values into typed ones: amounts, rates, dates, counts, booleans, codes, names.

Each converter returns the typed value or raises `ValueProblem` with a plain reason; the caller
turns that into a warning and leaves the field empty, because a wrong number is worse than none.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from esfgraph.parse import labels

#: No single ESF project comes near this (SEK); anything above is a typo or garbage.
MAX_AMOUNT_SEK = 10_000_000_000
#: Planned participants above this are not a real project.
MAX_PARTICIPANTS = 10_000_000

_SPACES = "\u0020\u00a0\u202f\u2009\u2007\u200a\u2008\u2006\u2005\u2004\u2002\u2003\t"
_SPACE_CLASS = f"[{_SPACES}]"
_AMOUNT_RE = re.compile(
    rf"^(?P<sign>[-−–]\s*)?(?P<int>\d{{1,3}}(?:(?:{_SPACE_CLASS}+|\.)\d{{3}})+|\d+)"
    r"(?:,(?P<frac>\d{1,2}))?$"
)
_NUMBER_RE = re.compile(r"^(?P<sign>[-−–])?\s*(?P<num>\d+(?:[.,]\d+)?)\s*(?P<pct>%)?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PERIOD_RE = re.compile(
    rf"^(?P<start>\d{{4}}-\d{{1,2}}-\d{{1,2}})\s*(?:{labels.PERIOD_SEPARATOR})\s*"
    r"(?P<end>\d{4}-\d{1,2}-\d{1,2})$",
    re.IGNORECASE,
)
_WS_RE = re.compile(r"\s+")
_POSTCODE_RE = re.compile(r"^(?:SE-?\s*)?(\d{3})\s?(\d{2})$", re.IGNORECASE)
_NUTS2_RE = re.compile(r"^SE\d{2}$")
_AREA_RE = re.compile(r"^(?P<code>\d{1,2}|[A-Za-z])(?:\b|(?=\s))\s*(?:[-–:.]\s*)?(?P<label>.*)$")
_OBJECTIVE_RE = re.compile(r"^(?P<code>\d+(?:\.\d+)*|[A-Z]\d+[A-Z]?|[A-Z]\.\d+)\b\s*[-–:.]?\s*(?P<rest>.*)$")


class ValueProblem(ValueError):
    """A printed value that cannot be turned into the field's type (reason in the message)."""


def clean(text: str) -> str:
    """One-line value: NFC, every run of whitespace (NBSP too) → one space, trimmed."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def digits_to_int(printed: str, limit: int) -> int | None:
    """The digits of `printed` as an int, or None when it has more digits than `limit`.

    The length is checked before converting: Python refuses strings of more than 4,300 digits
    (a ValueError that would stop the whole page) and a long conversion costs quadratic time.
    Leading zeros are not magnitude, so `000450000` is still 450000.
    """
    digits = re.sub(r"\D", "", printed).lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return None
    return int(digits)


def parse_amount(text: str) -> int:
    """`1 651 477 kr`, `23 775 692`, `450 000,00 kr` → whole SEK."""
    raw = labels.CURRENCY_RE.sub("", text.strip()).strip()
    m = _AMOUNT_RE.match(raw)
    if not m:
        raise ValueProblem("is not an amount in SEK")
    if m.group("sign"):
        raise ValueProblem("is negative")
    if m.group("frac") and int(m.group("frac")) != 0:
        raise ValueProblem("has öre (a fraction of a krona); expected whole kronor")
    value = digits_to_int(m.group("int"), MAX_AMOUNT_SEK)
    if value is None or value > MAX_AMOUNT_SEK:
        raise ValueProblem(f"is implausibly large (above {MAX_AMOUNT_SEK:,} SEK)".replace(",", " "))
    return value


def parse_count(text: str) -> int:
    """`120`, `1 200` → a whole number of participants."""
    raw = text.strip()
    m = _AMOUNT_RE.match(raw)
    if not m or m.group("frac"):
        raise ValueProblem("is not a whole number")
    if m.group("sign"):
        raise ValueProblem("is negative")
    value = digits_to_int(m.group("int"), MAX_PARTICIPANTS)
    if value is None or value > MAX_PARTICIPANTS:
        raise ValueProblem("is implausibly large")
    return value


def parse_rate(text: str) -> float:
    """`50%`, `50 %`, `62,5%` → 0.5, 0.625 (a share between 0 and 1)."""
    raw = _WS_RE.sub("", unicodedata.normalize("NFKC", text))
    m = _NUMBER_RE.match(raw)
    if not m:
        raise ValueProblem("is not a percentage")
    if m.group("sign"):
        raise ValueProblem("is negative")
    try:
        number = Decimal(m.group("num").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise ValueProblem("is not a percentage") from exc
    if m.group("pct") or number > 1:
        number = number / 100
    if number > 1:
        raise ValueProblem("is above 100 %")
    return float(number)


def parse_date(text: str) -> dt.date:
    """`2019-03-01` → a date; an impossible date such as 2014-02-30 is a problem."""
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueProblem("is not a date (expected YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueProblem(f"is not a real date ({exc})") from exc


def split_period(text: str) -> tuple[str, str]:
    """`2014-02-17 till 2014-08-16` or `2019-03-01 - 2022-03-04` → the two printed dates."""
    m = _PERIOD_RE.match(clean(text))
    if not m:
        raise ValueProblem("is not a period (expected YYYY-MM-DD till YYYY-MM-DD)")
    return m.group("start"), m.group("end")


def parse_bool(text: str) -> bool:
    """`Ja` / `Nej` → True / False."""
    key = labels.fold(text).rstrip(".")
    if key in labels.YES_WORDS:
        return True
    if key in labels.NO_WORDS:
        return False
    raise ValueProblem("is neither Ja nor Nej")


def parse_region(text: str) -> str:
    """Any printed spelling of an ESF region → its canonical name."""
    name = labels.canonical_region_name(clean(text))
    if name is None:
        raise ValueProblem("is not a known ESF region")
    return name


def parse_org_number(text: str) -> str:
    """`212000-2627` → `2120002627` (10 digits, or 12 with the century)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) not in (10, 12) or re.sub(r"[\d\s\-–]", "", text):
        raise ValueProblem("is not an organisation number (10 digits, e.g. 212000-2627)")
    return digits


def parse_postcode(text: str) -> str:
    """`941 85` → `94185`."""
    m = _POSTCODE_RE.match(clean(text))
    if not m:
        raise ValueProblem("is not a Swedish postcode (5 digits)")
    return m.group(1) + m.group(2)


def parse_nuts2(text: str) -> str:
    """`SE33` → `SE33` (a Swedish NUTS-2 code)."""
    code = clean(text).upper().replace(" ", "")
    if not _NUTS2_RE.match(code):
        raise ValueProblem("is not a Swedish NUTS-2 code (e.g. SE33)")
    return code


def parse_programme_area(text: str) -> tuple[str | None, str | None]:
    """`Programområde 2 Ökat arbetskraftsutbud` → ("2", "Ökat arbetskraftsutbud"); `A` → ("A", None)."""
    value = clean(labels.PROGRAMME_AREA_WORD_RE.sub("", clean(text)))
    m = _AREA_RE.match(value)
    if not m:
        return None, value or None
    code = m.group("code").upper()
    rest = m.group("label").strip()
    if code.isalpha() and rest and not rest[0].isupper() and not rest[0] in "-–":
        return None, value  # a word that merely starts with a letter, not a code
    return code, rest or None


def parse_specific_objective(text: str) -> str:
    """`2.1`, `A2A` → the code as printed (text after the code is dropped)."""
    value = clean(text)
    m = _OBJECTIVE_RE.match(value)
    return m.group("code") if m else value


def dedupe_owner(text: str) -> str:
    """`X, Y, X, Y` (owner printed twice) → `X, Y`; `X X` → `X`."""
    value = clean(text)
    parts = [p.strip() for p in value.split(",")]
    n = len(parts)
    if n >= 2 and n % 2 == 0 and parts[: n // 2] == parts[n // 2:]:
        return ", ".join(parts[: n // 2])
    words = value.split(" ")
    n = len(words)
    if n >= 2 and n % 2 == 0 and words[: n // 2] == words[n // 2:]:
        return " ".join(words[: n // 2])
    return value


def clean_email(text: str) -> str:
    """Trim spaces and a `mailto:` prefix from an e-mail address."""
    value = clean(text)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.replace(" ", "")


_LOST_DIACRITIC_RE = re.compile(r"[A-Za-z]\?[a-zåäö]|\ufffd")


def has_lost_diacritics(text: str) -> bool:
    """True when a letter is followed by `?` inside a word (`Go?teborgsregionen`)."""
    if "?" not in text and "\ufffd" not in text:
        return False
    return _LOST_DIACRITIC_RE.search(text) is not None
