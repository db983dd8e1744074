"""The one slug function behind every IRI segment (pure Python, shared by iri and link)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TRANSLIT = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "ae", "ø": "o"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def slug(text: str | None) -> str:
    """Make a readable IRI segment: NFC, casefold, Swedish letters → ASCII, other runs → '-'.

    Letters outside the Swedish set lose their accents (NFKD: "Kraków" → "krakow") instead of
    becoming '-'; the result is '' for text with no letters or digits.
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLIT)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return _NON_SLUG.sub("-", s).strip("-")
