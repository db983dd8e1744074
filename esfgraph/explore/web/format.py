"""The one place where the explorer formats numbers, money, rates, dates and picks labels.

Why one module: a reader compares figures across pages (a card, a place page, the map legend),
so `11 159 401 kr` must be written the same way everywhere, and facts are sacred: amounts are
formatted from their exact decimal text (never through a float), so nothing is rounded away.
Groups of three digits are separated by a no-break space (U+00A0) in both languages, as Swedish
typography and the SI do; only the decimal mark differs (`,` in Swedish, `.` in English).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

NBSP = "\u00a0"
LANGS = ("sv", "en")

MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _group(digits: str) -> str:
    """'11159401' -> '11 159 401' (no-break spaces)."""
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return NBSP.join(parts)


def number(value: object, lang: str = "sv", decimals: int | None = None) -> str:
    """A number with grouped thousands: `11 159 401`, `42,5` (sv) / `42.5` (en).

    The exact decimal text is kept (no float): `decimals` rounds half-up only when given.
    Unreadable input gives "" (the page shows nothing rather than a wrong figure).
    """
    num = to_decimal(value)
    if num is None:
        return ""
    if decimals is not None:
        num = num.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
    sign = "-" if num < 0 else ""
    text = format(abs(num), "f")
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    mark = "," if lang == "sv" else "."
    return sign + _group(whole) + (mark + frac if frac else "")


def money(value: object, lang: str = "sv") -> str:
    """SEK amount: `11 159 401 kr` (sv) / `11 159 401 SEK` (en); "" when absent."""
    text = number(value, lang)
    if not text:
        return ""
    return f"{text}{NBSP}{'kr' if lang == 'sv' else 'SEK'}"


#: What a missing amount reads as (never `0 kr`: a page that states no grant is not a zero).
MISSING = {"sv": "uppgift saknas", "en": "not stated"}


def amount(value: object, lang: str = "sv") -> str:
    """`money`, or "uppgift saknas" / "not stated" when the amount is missing."""
    return money(value, lang) or MISSING["en" if lang == "en" else "sv"]


def total_amount(value: object, stated: object, lang: str = "sv") -> str:
    """A summed amount: "uppgift saknas" when none of the projects states it (`stated` = 0)."""
    count = to_decimal(stated)
    if count is not None and count == 0:
        return MISSING["en" if lang == "en" else "sv"]
    return amount(value, lang)


def coverage(projects: object, stated: object, lang: str = "sv") -> str:
    """How many projects a total covers: "11 projekt, varav 6 med beviljat stöd" /
    "11 projects, 6 of them with a stated grant"."""
    n, k = number(projects or 0, lang), number(stated or 0, lang)
    if lang == "en":
        return f"{n} project{'' if n == '1' else 's'}, {k} of them with a stated grant"
    return f"{n} projekt, varav {k} med beviljat stöd"


def compact_money(value: object, lang: str = "sv") -> str:
    """Short amount for chart labels and legends: `11,2 mnkr` / `11.2 M SEK`, small ones whole."""
    num = to_decimal(value)
    if num is None:
        return ""
    if abs(num) >= 1_000_000:
        short = number(num / Decimal(1_000_000), lang, decimals=1)
        return f"{short}{NBSP}{'mnkr' if lang == 'sv' else 'M SEK'}"
    if abs(num) >= 10_000:
        short = number(num / Decimal(1000), lang, decimals=0)
        return f"{short}{NBSP}{'tkr' if lang == 'sv' else 'k SEK'}"
    return money(num, lang)


def percent(rate: object, lang: str = "sv") -> str:
    """A rate 0..1 as a percentage: 0.5 -> `50 %`, 0.425 -> `42,5 %` (exact, no float)."""
    num = to_decimal(rate)
    if num is None:
        return ""
    return f"{number(num * 100, lang)}{NBSP}%"


def date(value: object, lang: str = "sv") -> str:
    """An ISO date as words: `1 mars 2019` (sv) / `1 March 2019` (en); bad input kept as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return f"{day.day}{NBSP}{MONTHS[lang if lang in MONTHS else 'sv'][day.month - 1]} {day.year}"


def date_range(start: object, end: object, lang: str = "sv") -> str:
    """`1 mars 2019 – 4 mars 2022`; one side missing shows only the other."""
    a, b = date(start, lang), date(end, lang)
    if a and b:
        return f"{a} – {b}"
    return a or b


def pick_label(labels: Iterable[tuple[str, str | None]], lang: str = "sv",
               fallback: str = "") -> str:
    """The label in the page's language: `lang`, then Swedish, then untagged, then any.

    Args:
        labels: (text, language tag or None) pairs, e.g. from @sv/@en literals.
    """
    best: dict[str, str] = {}
    for text, tag in labels:
        key = (tag or "").lower().split("-")[0]
        best.setdefault(key, text)
    for key in (lang, "sv", ""):
        if key in best:
            return best[key]
    return next(iter(best.values()), fallback)


def local_name(iri: str) -> str:
    """The last path segment of an IRI (a readable fallback when no label exists)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


__all__ = [
    "LANGS",
    "MISSING",
    "NBSP",
    "amount",
    "compact_money",
    "coverage",
    "date",
    "date_range",
    "local_name",
    "money",
    "number",
    "percent",
    "pick_label",
    "to_decimal",
    "total_amount",
]
