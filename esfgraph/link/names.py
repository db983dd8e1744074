"""Name normalisation shared by the gazetteer: folding for lookups, slugs and organisation keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from esfgraph.slugs import slug  # noqa: F401  (re-exported: one slug for every IRI)

_TRANSLIT = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "ae", "ø": "o"})
_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")

#: Definite singular endings stripped from the LAST word of an organisation name so that
#: "Familjeomsorgen" and "Familjeomsorg" give one key. Only endings whose indefinite form is
#: certain are listed (conservative: "-en" alone is not stripped, it would break "Sverigen"-like
#: words and names such as "Duellen"); see tests/test_link_names.py.
_DEFINITE = (
    ("ningen", "ning"),  # förvaltningen, avdelningen, samordningen
    ("heten", "het"),  # enheten, verksamheten
    ("ionen", "ion"),  # sektionen, funktionen
    ("omsorgen", "omsorg"),  # familjeomsorgen, äldreomsorgen
    ("nämnden", "nämnd"),  # socialnämnden
    ("kontoret", "kontor"),  # arbetsmarknadskontoret
    ("tjänsten", "tjänst"),  # socialtjänsten
    ("förbundet", "förbund"),  # kommunalförbundet
    ("skolan", "skola"),  # gymnasieskolan
    ("gruppen", "grupp"),  # styrgruppen
    ("centret", "center"),  # ungdomscentret
)


@lru_cache(maxsize=65536)
def nfc(text: str) -> str:
    """NFC-normalise and collapse whitespace (pages mix composed and decomposed letters)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lookup key for names: NFC, casefold, hyphens and punctuation as spaces; keeps å, ä, ö."""
    text = nfc(text).casefold().replace("&", " och ")
    text = re.sub(r"[^\w]+", " ", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def ascii_fold(text: str) -> str:
    """`fold` with Swedish letters transliterated (å, ä → a, ö → o), for e-mail domains."""
    return fold(text).translate(_TRANSLIT)




def strip_definite(word: str) -> str:
    """Indefinite form of a Swedish noun in definite singular, for the endings in `_DEFINITE`."""
    lower = word.casefold()
    for definite, indefinite in _DEFINITE:
        if lower.endswith(definite) and len(lower) > len(definite):
            return word[: len(word) - len(definite)] + indefinite
    return word


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """Organisation key: slug of the name without a trailing "(ACRONYM)", last word indefinite."""
    text = nfc(name).replace("&", " och ")
    bare = _PAREN.sub("", text) or text
    words = re.split(r"(\W+)", bare)
    for i in range(len(words) - 1, -1, -1):
        if re.fullmatch(r"\w+", words[i] or ""):
            words[i] = strip_definite(words[i])
            break
    return slug("".join(words))


@lru_cache(maxsize=65536)
def acronym_of(name: str) -> str | None:
    """The acronym in a trailing parenthesis, e.g. "AME" in "Arbetsmarknadsenheten (AME)"."""
    match = re.search(r"\(([^()]+)\)\s*$", nfc(name))
    return match.group(1).strip() if match else None
