"""The one place where the web pages format numbers, money, rates, dates and pick labels.

Why one module: a reader compares figures across pages (a card, a place page, the map legend),
so `11 159 401 kr` must be written the same way everywhere, and facts are sacred: amounts are
formatted from their exact decimal text (never through a float), so nothing is rounded away.
Groups of three digits are separated by a no-break space (U+00A0) in both languages, as Swedish
typography and the SI do; only the decimal mark differs (`,` in Swedish, `.` in English).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
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


def pick_label_tagged(labels: Iterable[tuple[str, str | None]], lang: str = "sv",
                      fallback: str = "") -> tuple[str, str | None]:
    """`pick_label` with the language tag of the label it picked (None when untagged)."""
    best: dict[str, str] = {}
    for text, tag in labels:
        key = (tag or "").lower().split("-")[0]
        best.setdefault(key, text)
    for key in (lang, "sv", ""):
        if key in best:
            return best[key], key or None
    key, text = next(iter(best.items()), ("", fallback))
    return text, key or None


def pick_label(labels: Iterable[tuple[str, str | None]], lang: str = "sv",
               fallback: str = "") -> str:
    """The label in the page's language: `lang`, then Swedish, then untagged, then any.

    Args:
        labels: (text, language tag or None) pairs, e.g. from @sv/@en literals.
    """
    return pick_label_tagged(labels, lang, fallback)[0]


def org_number(value: object) -> str:
    """A Swedish organisation number as `NNNNNN-NNNN` (the way Bolagsverket writes it).

    Ten digits get the hyphen; twelve with a century prefix (`16`, `19`, `20`) lose it first.
    Anything else is shown as written (never a guessed number).
    """
    text = "" if value is None else str(value).strip()
    digits = re.sub(r"[\s-]", "", text)
    if re.fullmatch(r"(16|19|20)\d{10}", digits):
        digits = digits[2:]
    if re.fullmatch(r"\d{10}", digits):
        return f"{digits[:6]}-{digits[6:]}"
    return text


def short_date(value: object, lang: str = "sv") -> str:
    """A date (or an ISO timestamp's date) for lists: `5 dec. 2026` / `5 Dec 2026`."""
    if value is None or value == "":
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    month = MONTHS[lang if lang in MONTHS else "sv"][day.month - 1]
    short = month if len(month) <= 4 else (month[:3] + ("." if lang == "sv" else ""))
    return f"{day.day}{NBSP}{short} {day.year}"


@functools.cache
def _swedish_place_names() -> dict[str, str]:
    from esfgraph.resources import package_path

    path = package_path("data", "place-names-sv.csv")
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["key"]: row["sv"] for row in rows if row.get("sv")}


def exonym(iri: str, lang: str = "sv") -> str | None:
    """The Swedish name of a place abroad (`…/id/place/BE-brussels` -> Bryssel) on Swedish
    pages, from data/place-names-sv.csv; None for other languages and unknown places."""
    if lang != "sv" or "/id/place/" not in iri:
        return None
    return _swedish_place_names().get(local_name(iri))


def place_labels(iri: str, lang: str = "sv") -> list[tuple[str, str | None]]:
    """The exonym as an extra `(name, 'sv')` label for `pick_label` (empty when none)."""
    name = exonym(iri, lang)
    return [(name, "sv")] if name else []


#: Where links out go, named for people: (IRI prefix, name). The identifier follows the name.
LINK_NAMES = (
    ("http://www.wikidata.org/entity/", "Wikidata"),
    ("https://www.wikidata.org/wiki/", "Wikidata"),
    ("http://data.europa.eu/nuts/code/", "NUTS"),
    ("http://publications.europa.eu/resource/authority/country/", "EU Publications Office"),
    ("https://sws.geonames.org/", "GeoNames"),
    ("http://sws.geonames.org/", "GeoNames"),
)


def link_text(url: str) -> str:
    """A link out as words: `Wikidata Q34`, `NUTS SE232`, `GeoNames 2800866`; other links
    by their host name (the address itself stays in href)."""
    for prefix, name in LINK_NAMES:
        if url.startswith(prefix) and len(url) > len(prefix):
            return f"{name} {url[len(prefix):].strip('/')}"
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE).split("/", 1)[0]
    return host.removeprefix("www.") or url


_PERIOD = re.compile(r"(\d{4})-(\d{4})")


def concept_label(key: str, label: str | None, lang: str = "sv", kind: str = "") -> str:
    """A programme area or specific objective told apart by period: `Ökat arbetskraftsutbud
    (2014–2020)`; without a label its code: `Programområde A (2021–2027)`.

    Args:
        key: the concept's IRI or search value, which holds the period (`2021-2027/A`).
        label: the concept's label (may be missing or equal to the key).
        kind: `programme_area` or `specific_objective` (else guessed from the IRI).
    """
    from esfgraph.web.i18n import t

    tail = key.rstrip("/").rsplit("/", 1)[-1]
    period = _PERIOD.search(key)
    name = (label or "").strip()
    if not name or name in (key, tail, local_name(key)) or _PERIOD.fullmatch(name.split("/")[0]):
        objective = kind == "specific_objective" or (not kind and "objective" in key)
        name = f"{t('field.specific_objective' if objective else 'field.programme_area', lang)} {tail}"
    if period:
        span = f"{period.group(1)}–{period.group(2)}"
        if span not in name and period.group(0) not in name:
            name = f"{name} ({span})"
    return name


def local_name(iri: str) -> str:
    """The last path segment of an IRI (a readable fallback when no label exists)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


__all__ = [
    "LANGS",
    "MISSING",
    "NBSP",
    "amount",
    "compact_money",
    "concept_label",
    "coverage",
    "date",
    "date_range",
    "exonym",
    "link_text",
    "local_name",
    "money",
    "number",
    "org_number",
    "percent",
    "pick_label",
    "place_labels",
    "short_date",
    "to_decimal",
    "total_amount",
]
