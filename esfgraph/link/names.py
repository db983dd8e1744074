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


_ORG_NUMBER = re.compile(r"(?<![\d-])(\d{6})\s?[-–]?\s?(\d{4})(?![\d-])")


def split_org_number(text: str) -> tuple[str, str | None]:
    """A Swedish organisation number anywhere in a name field, and the field without it:
    `212000-1355, Arbetsmarknadsförvaltningen` → (`Arbetsmarknadsförvaltningen`, `2120001355`).
    Only one number is taken; a field with two different numbers is left as it is."""
    found = {a + b for a, b in _ORG_NUMBER.findall(text or "")}
    if len(found) != 1:
        return text, None
    rest = _ORG_NUMBER.sub(" ", text)
    rest = re.sub(r"\(\s*\)|(?:org(?:anisations)?\.?\s*nr\.?|organisationsnummer)\s*:?",
                  " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\s*([,;])\s*(?=[,;]|$)|^\s*[,;:–-]\s*", " ", rest)
    return _SPACES.sub(" ", rest).strip(" ,;:–-"), found.pop()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two strings, or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def same_name_misspelt(a: str, b: str) -> bool:
    """True when `b` is `a` written again with a small slip (`Stiftelsen X`, `Stifelsen X`).

    Word by word: as many words, and each word that differs has at least five letters, the same
    first letter and one edit (two from ten letters); at most two words differ, never all of
    several. So different names of one shape stay apart: `Region Skåne`/`Region Sörmland`,
    `Samordningsförbundet Väst`/`Samordningsförbundet Öst`, `Lernia AB`/`Lexia AB`.
    """
    wa, wb = fold(a).split(), fold(b).split()
    if wa == wb:
        return True
    if len(wa) != len(wb):
        return False
    differ = [(x, y) for x, y in zip(wa, wb) if x != y]
    if len(differ) > 2 or (len(wa) > 1 and len(differ) == len(wa)):
        return False
    for x, y in differ:
        if min(len(x), len(y)) < 5 or x[0] != y[0]:
            return False
        limit = 1 if min(len(x), len(y)) < 10 else 2
        if edit_distance(x, y, limit) > limit:
            return False
    return True


#: Words written in lower case after the first word of a Swedish name (common nouns and small
#: words): "Storstadsregionens Kommunalförbund" and "Storstadsregionens kommunalförbund" get one
#: preferred label. Proper names keep their capitals; only these words change.
_LOWER_AFTER_FIRST = frozenset("""
och i för av med på till om vid under från en ett
kommun kommunen stad staden kommunalförbund kommunalförbundet samordningsförbund
samordningsförbundet förbund förbundet förening föreningen stiftelse stiftelsen
församling församlingen landsting landstinget folkhögskola folkhögskolan högskola högskolan
universitet universitetet gymnasieskola gymnasieskolan län
""".split())


def preferred_label(label: str) -> str:
    """The one preferred label of an organisation or unit named `label` (docs/guide/link.md,
    "Labels").

    The rule, the same on every page so that case and an acronym never give one body two: the
    name without a trailing "(ACRONYM)" (the acronym is an altLabel); a name printed in capitals
    in proper case; the words of `_LOWER_AFTER_FIRST` in lower case after the first word; the
    first letter a capital. Word forms are kept as printed (`Arbetsmarknadsenheten`). Every
    spelling as printed stays an altLabel.
    """
    bare = nfc(label)
    while _PAREN.search(bare) and _PAREN.sub("", bare).strip():  # "X (A) (B)": every one
        bare = _PAREN.sub("", bare).strip()
    words = bare.split(" ")
    letters = [c for c in bare if c.isalpha()]
    shouting = len(letters) >= 4 and all(c.isupper() for c in letters)
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if i > 0 and low in _LOWER_AFTER_FIRST:
            out.append(low)
        elif shouting and len([c for c in word if c.isalpha()]) > 3:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
        else:
            out.append(word)
    if out and out[0][:1].islower():
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


@lru_cache(maxsize=65536)
def acronym_of(name: str) -> str | None:
    """The acronym in a trailing parenthesis, e.g. "AME" in "Arbetsmarknadsenheten (AME)"."""
    match = re.search(r"\(([^()]+)\)\s*$", nfc(name))
    return match.group(1).strip() if match else None
