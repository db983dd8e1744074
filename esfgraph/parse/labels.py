"""The label table: every Swedish word the parser looks for, and the Record field it feeds.

This is the only module that spells Swedish page labels, headings, site chrome and region names;
the other parser modules work with the English field names it hands out. Labels are matched
tolerantly: case, spacing, dash style and lost diacritics (`Projekta?gare`, `Projektagare`)
do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Record field → the labels printed for it on the three layouts (first one is the display form).
#: `period` is not a Record field: `Projektperiod` fills start_date and end_date.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("Namn", "Projektnamn"),
    "project_number": ("Projektnummer",),
    "case_number": ("Diarienummer",),
    "programme_area": ("Programområde",),
    "specific_objective": ("Specifikt mål",),
    "phase": ("Projektfas",),
    "owner": ("Projektägare",),
    "owner_org_number": ("Projektägare organisationsnummer", "Organisationsnummer"),
    "contact_name": ("Kontaktperson",),
    "contact_email": ("E-post", "E-postadress"),
    "contact_phone": ("Telefonnummer", "Telefon"),
    "esf_grant_sek": ("Beviljat ESF-stöd", "Beviljat ESF+-stöd"),
    "total_budget_sek": ("Total projektbudget",),
    "total_cost_sek": ("Total Kostnader", "Totala kostnader", "Total kostnad"),
    "eu_cofinancing_rate": ("Unionens medfinansieringsgrad",),
    "period": ("Projektperiod",),
    "start_date": ("Startdatum",),
    "end_date": ("Slutdatum",),
    "region": ("Region",),
    "nuts2": ("NUTS-2 kod", "NUTS-2-kod", "NUTS2 kod"),
    "country": ("Land som berörs",),
    "fund": ("Berörd fond",),
    "programme_cci": ("Program CCI",),
    "intervention_type": ("Interventionstyp",),
    "planned_participants": ("Planerat antal deltagare", "Antal deltagare"),
    "beneficiary_postcode": ("Stödmottagare postnr", "Stödmottagarens postnr",
                             "Stödmottagare postnummer"),
    "beneficiary_city": ("Stödmottagare ort", "Stödmottagarens ort"),
    "beneficiary_address": ("Stödmottagarens address", "Stödmottagarens adress",
                            "Stödmottagare adress", "Stödmottagare address"),
    "child_poverty_theme": ("Sekundärtema - Motverka barnfattigdom",),
    "strategic_importance": ("Insats av strategisk betydelse",),
}

#: The label named in messages about pages without labels.
EXAMPLE_LABEL = "Projektägare"

#: Labels only the 2021–2027 (ESF+) pages print; one of them makes a page ESF+.
ESF_PLUS_FIELDS = frozenset({
    "country", "fund", "programme_cci", "owner_org_number", "start_date", "end_date", "nuts2",
    "beneficiary_city", "child_poverty_theme", "strategic_importance",
})
ESF_PLUS_LABELS = frozenset({"Antal deltagare"})

#: Labels only the 2007–2013 pages print (used when such a page uses `Label:` form).
OLD_PERIOD_FIELDS = frozenset({"phase"})

#: Fields a complete page of each layout has; missing ones hint at a truncated page.
EXPECTED_FIELDS: dict[str, tuple[str, ...]] = {
    "2007-2013": ("owner", "period", "region"),
    "2014-2020": ("owner", "period", "region"),
    "2021-2027": ("owner", "start_date", "end_date", "region"),
}

#: Headings of the 2007–2013 text sections (other short lines between blank lines count too).
TEXT_HEADINGS = (
    "Sammanfattning", "Bakgrund", "Syfte", "Målsättning", "Mål", "Målgrupp", "Metod",
    "Aktiviteter", "Resultat", "Förväntade resultat", "Erfarenheter och resultat",
    "Tillgänglighet för personer med funktionsnedsättning", "Tillgänglighet",
    "Jämställdhetsintegrering", "Jämställdhet", "Icke-diskriminering",
    "Transnationellt samarbete", "Lärande miljöer", "Innovation", "Om projektet",
)

#: Headings of bullet lists → the Record list field they fill.
LIST_HEADINGS: dict[str, str] = {
    "Kommun": "municipalities",
    "Kommuner": "municipalities",
    "Medfinansiärer": "cofinanciers",
    "Medfinansiär": "cofinanciers",
    "Samarbetspartners": "partners",
    "Samarbetspartner": "partners",
}

#: Whole lines that are site chrome wherever they appear.
CHROME_LINES = (
    "Logotyp på utskrifter", "Stäng", "In English", "Mer information och anmälan.",
    "Mer information och anmälan", "Till toppen", "Skriv ut", "Dela", "Dela sidan",
    "Hoppa till huvudinnehållet", "Meny", "Sök", "Acceptera", "Acceptera alla", "Godkänn",
    "Jag godkänner", "Tillbaka", "Tillbaka till sökresultatet", "Projektbanken",
)

_MONTHS = ("januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|"
           "december")

#: Lines that are chrome only before the title (notices and banners; the same words can be
#: real text further down).
CHROME_PREAMBLE_RE = re.compile(
    r"covid-?19|coronaviruset|\bkakor\b|\bcookies?\b|"
    rf"^\s*\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{_MONTHS})\b.*\s[-–]\s|"
    r"^\s*(?:webbinarium|anmäl dig)\b",
    re.IGNORECASE,
)

#: Printed region names → canonical names of `esfgraph.record.CANONICAL_REGIONS`.
REGION_ALIASES: dict[str, str] = {
    "Övre Norrland": "Övre Norrland",
    "Mellersta Norrland": "Mellersta Norrland",
    "Norra Mellansverige": "Norra Mellansverige",
    "Östra Mellansverige": "Östra Mellansverige",
    "Stockholm": "Stockholm",
    "Västsverige": "Västsverige",
    "Småland och öarna": "Småland och öarna",
    "Småland & öarna": "Småland och öarna",
    "Småland o öarna": "Småland och öarna",
    "Småland öarna": "Småland och öarna",
    "Sydsverige": "Sydsverige",
    "Skåne-Blekinge": "Sydsverige",
    "Skåne och Blekinge": "Sydsverige",
    "Skåne & Blekinge": "Sydsverige",
    "Nationellt": "Nationellt",
    "Nationell": "Nationellt",
    "Hela landet": "Nationellt",
}
#: A leading word some pages print before the region name (`ESF Nationellt`).
REGION_PREFIX_RE = re.compile(r"^\s*(?:ESF\+?|ESF-rådet|Region)\s+", re.IGNORECASE)

#: Boolean answers.
YES_WORDS = frozenset({"ja", "yes", "j"})
NO_WORDS = frozenset({"nej", "no", "n"})

#: Word between the two dates of a period (`2014-02-17 till 2014-08-16`).
PERIOD_SEPARATOR = r"till|to|[-–—]"

#: Currency words after an amount.
CURRENCY_RE = re.compile(r"\s*(?:kr\.?|kronor|sek|:-)\s*$", re.IGNORECASE)

#: The label word some pages repeat inside the Programområde value.
PROGRAMME_AREA_WORD_RE = re.compile(r"^\s*(?:Programomr\S*de|PO(?=\s*\d))\s*", re.IGNORECASE)

_DIACRITIC_LETTERS = {"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"}
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


#: Dashes as "-" and the common accented letters as their base letter: for these letters
#: this is exactly what NFD + dropping combining marks gives, without the per-letter loop.
_QUICK_FOLD = str.maketrans({**{k: v for k, v in zip("åäöéüáàèóúÅÄÖÉÜÁÀÈÓÚ",
                                                        "aaoeuaaeouAAOEUAAEOU")},
                             "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


#: Non-ASCII characters NFD leaves alone and that are no combining marks: the quick way is
#: exact for text with only these besides ASCII (a bullet on every list line took the slow one).
_NFD_STABLE = dict.fromkeys(map(ord, "•·”“’‘«»…§€°"))


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Key for tolerant comparison: no diacritics, no `?`, casefolded, single spaces."""
    quick = text.translate(_QUICK_FOLD)
    if quick.isascii() or quick.translate(_NFD_STABLE).isascii():
        text = quick
    else:
        text = unicodedata.normalize("NFD", text.translate(_DASHES))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("?", "").replace("\ufffd", "").casefold()
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


def skeleton(text: str) -> str:
    """Coarser key that also survives a letter lost entirely (`Projekt?gare`): consonants only."""
    return re.sub(r"[^b-df-hj-np-tv-z0-9+]", "", fold(text))


def _label_pattern(label: str) -> str:
    """Regex for one label that tolerates case, spacing, dashes and lost diacritics."""
    out = []
    for ch in label:
        low = ch.lower()
        if low in _DIACRITIC_LETTERS:
            base = _DIACRITIC_LETTERS[low]
            out.append(f"(?:{re.escape(ch)}|{base}\\u0308?\\u030a?\\u0301?\\??|\\?|\\ufffd)")
        elif ch == " ":
            out.append(r"\s+")
        elif ch == "-":
            out.append(r"\s*[-‐‑–—]\s*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _all_labels() -> list[tuple[str, str]]:
    """(label, field) pairs, longest label first so `Projektägare organisationsnummer` wins."""
    pairs = [(label, fld) for fld, labels in FIELD_LABELS.items() for label in labels]
    return sorted(pairs, key=lambda p: -len(p[0]))


_PAIRS = _all_labels()
_ALTERNATION = "|".join(_label_pattern(label) for label, _ in _PAIRS)

#: `Label:` (2014–2020, 2021–2027): group `label`, then an optional inline value.
COLON_LABEL_RE = re.compile(rf"^\s*(?P<label>{_ALTERNATION})\s*:\s*(?P<value>.*)",
                            re.IGNORECASE)
#: Glued `LabelValue` (2007–2013).
GLUED_LABEL_RE = re.compile(rf"^\s*(?P<label>{_ALTERNATION})(?!\s*:)\s*(?P<value>\S.*)",
                            re.IGNORECASE)
#: The shape of a label the table does not know: a short phrase ending in a colon.
UNKNOWN_COLON_LABEL_RE = re.compile(r"^\s*(?P<label>[^\W\d_][^:.!?]{0,58}?)\s*:\s*$")
#: The same with its value on the line (`Tema: Digital delaktighet`): capitalised, so that a
#: wrapped value (`avd: Syd`) is not taken for a label.
UNKNOWN_INLINE_LABEL_RE = re.compile(
    r"^\s*(?P<label>[^\W\d_a-zåäöé][^:.!?]{0,58}?)\s*:\s+(?P<value>\S.*)$")

LABEL_BY_KEY: dict[str, tuple[str, str]] = {}
for _label, _field in _PAIRS:
    for _key in (fold(_label), skeleton(_label)):
        _prev = LABEL_BY_KEY.setdefault(_key, (FIELD_LABELS[_field][0], _field))
        if _prev[1] != _field:  # pragma: no cover - guards edits of the table above
            raise AssertionError(f"label keys collide: {_label!r} and {_prev[0]!r}")


def lookup_label(printed: str) -> tuple[str, str] | None:
    """Return (display label, field) for a label as printed, or None when unknown."""
    if len(printed) > 60:
        return None
    return LABEL_BY_KEY.get(fold(printed)) or LABEL_BY_KEY.get(skeleton(printed))


_HEADING_KEYS: dict[str, tuple[str, str | None]] = {}
for _h in TEXT_HEADINGS:
    _HEADING_KEYS[fold(_h)] = (_h, None)
for _h, _list in LIST_HEADINGS.items():
    _HEADING_KEYS[fold(_h)] = (_h, _list)


def lookup_heading(line: str) -> tuple[str, str | None] | None:
    """Return (heading, list field or None) when the line is a known section heading."""
    if len(line) > 80:
        return None
    return _HEADING_KEYS.get(fold(line))


_CHROME_KEYS = frozenset(fold(c) for c in CHROME_LINES)


@lru_cache(maxsize=4096)
def is_chrome(line: str) -> bool:
    """True for a whole line of site chrome (print logo, `Stäng`, `In English`, …)."""
    return len(line) <= 80 and fold(line) in _CHROME_KEYS


def is_preamble_chrome(line: str) -> bool:
    """True for notices and banners that only count as chrome before the title."""
    return is_chrome(line) or (len(line) <= 400 and CHROME_PREAMBLE_RE.search(line) is not None)


_REGION_KEYS = {fold(k): v for k, v in REGION_ALIASES.items()}
_REGION_KEYS.update({fold(k).replace("-", " "): v for k, v in REGION_ALIASES.items()})


def canonical_region_name(printed: str) -> str | None:
    """Map a printed region spelling to its canonical name, or None when unknown."""
    for candidate in (printed, REGION_PREFIX_RE.sub("", printed)):
        key = fold(candidate.replace("&", " & "))
        for k in (key, key.replace("-", " ")):
            if k in _REGION_KEYS:
                return _REGION_KEYS[k]
    return None
