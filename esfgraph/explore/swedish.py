"""Swedish word forms for the explorer's search: which indexed words a search word finds.

Why not prefixes of Snowball stems (the explorer's first search): a stem used as a prefix finds
unrelated longer words ("unga" -> ung* -> "ungefär"), and Snowball leaves a doubled consonant
that its uninflected form lacks ("introduktionsprogrammet" -> "introduktionsprogramm", which
is no prefix of "introduktionsprogram"). Instead every indexed word gets *keys*:

- its normalised stem: the Snowball Swedish stem with a final doubled consonant made single,
  so all inflections of a word share one key ("ungdomarna", "ungdomar" -> "ungdom";
  "programmet", "program" -> "program");
- for a compound, the keys of its parts, when both parts are words of the index (a head of at
  least HEAD_MIN letters, perhaps with a linking s/e/a/o/u, and a tail of at least TAIL_MIN):
  "ungdomsarbetslösheten" -> "ungdom" and "arbetslös", so a search for "arbetslöshet" or for
  "ungdomar" finds it. "ungefär" has no such split, so "unga" does not find it.

A search word finds exactly the indexed words that carry its key: no prefix matching.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

#: Shortest head and tail of a compound split (letters).
HEAD_MIN, TAIL_MIN = 4, 5
#: Letters that may link the parts of a compound ("ungdom-s-arbete", "kvinn-o-jour").
LINKS = "seaou"
_DOUBLE = frozenset("bdfgjklmnprstv")
#: Endings that inflect a word (definite, plural, genitive): after one of these came off, the
#: base is stemmed once more.
_INFLECTIONS = frozenset(("en", "et", "ens", "ets", "na", "nas", "arna", "erna", "orna",
                          "arnas", "ernas", "ornas", "ar", "er", "or", "n", "s"))
#: What a stem of three letters or fewer may lose: the usual endings. Snowball cuts any of its
#: suffixes, so "ungern" (Hungary) would share the key of "unga" ("ung") without this.
_SHORT_STEM_ENDINGS = frozenset(("", "a", "e", "en", "er", "ar", "or", "na", "an", "et", "t",
                                 "s", "as", "es", "ens", "ars", "ers", "arna", "orna", "erna",
                                 "ade", "at", "ad", "are", "ast", "aste"))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """The normalised stem of a case-folded word (digits stay as they are)."""
    if word.isdigit():
        return word
    stemmer = _stemmer()
    s = stemmer.stemWord(word)
    if word[len(s):] in _INFLECTIONS and word.startswith(s):
        # an inflection came off: stem the base once more, as its own key was made
        # ("marknaden" -> "marknad" -> "markn", as "marknad" -> "markn"); not after a
        # derivation ("programmerare" -> "programmer", which is not "program")
        s = stemmer.stemWord(s)
    if len(s) <= 3 and word[len(s):] not in _SHORT_STEM_ENDINGS:
        return word  # a short stem with an unusual ending: the word is its own key
    if len(s) >= 3 and s[-1] == s[-2] and s[-1] in _DOUBLE:
        s = s[:-1]
    return s


def heads(word: str) -> list[str]:
    """What a compound that begins with a search word begins with: its key, its stem after one
    pass ("mentorerna" -> "mentor", whose key is "ment") and the word itself."""
    return list(dict.fromkeys((key(word), _stemmer().stemWord(word), word)))


def _bases(word: str) -> list[str]:
    """The word without an ending Snowball keeps: a definite neuter "-et" ("programmet" ->
    "programm") or a neuter adjective "-t" ("kooperativt" -> "kooperativ").

    Only candidates: "budget" and "kvalitet" end in -et too, so callers use a base only where
    the index has a word with the base's key.
    """
    out = []
    if len(word) >= 6 and word.endswith("et") and not word.endswith("het"):
        out.append(word[:-2])
    if len(word) >= 6 and word.endswith("t") and not word.endswith(("et", "tt", "st")):
        out.append(word[:-1])
    return out


def query_keys(word: str) -> list[str]:
    """The keys a search word looks up: its own, and its key without a definite "-et"."""
    keys = [key(word)]
    for base in _bases(word):
        if key(base) not in keys:
            keys.append(key(base))
    return keys


def compound_parts(term: str, vocab: set[str], keys: set[str]) -> Iterator[tuple[str, str]]:
    """(head, tail) splits of a word where both parts are words of the vocabulary.

    A part counts as a word when it is one, or when its key is the key of one (so the head
    "arbets" of "arbetsmarknad" counts through "arbete"). Keys shorter than four letters
    are not trusted for this: too many short stems are also word beginnings.
    """
    n = len(term)
    for i in range(HEAD_MIN, n - TAIL_MIN + 1):
        head, tail = term[:i], term[i:]
        if not _is_word(tail, vocab, keys):
            continue
        if _is_word(head, vocab, keys):
            yield head, tail
        elif head[-1] in LINKS and len(head) > HEAD_MIN and _is_word(head[:-1], vocab, keys):
            yield head[:-1], tail


def _is_word(part: str, vocab: set[str], keys: set[str]) -> bool:
    if part in vocab:
        return True
    k = key(part)
    return len(k) >= 4 and k in keys


def form_rows(vocabulary: Iterable[str]) -> list[tuple[str, str]]:
    """The (key, term) rows of the `forms` table for an index vocabulary."""
    vocab = {t for t in vocabulary if t and not t.isdigit()}
    keys = {key(t) for t in vocab}
    rows: set[tuple[str, str]] = set()
    for term in vocab:
        rows.add((key(term), term))
        for base in _bases(term):
            if len(key(base)) >= 4 and key(base) in keys:
                rows.add((key(base), term))
        if len(term) >= HEAD_MIN + TAIL_MIN:
            for head, tail in compound_parts(term, vocab, keys):
                rows.add((key(head), term))
                rows.add((key(tail), term))
    return sorted(rows)


def suggest(word: str, candidates: Iterable[tuple[str, int]], limit: int = 1) -> list[str]:
    """Close words of the index for a word that finds nothing ("did you mean").

    `candidates` are (term, number of projects) pairs; the closest by similarity win, ties to
    the more common word.
    """
    pool = dict(candidates)
    close = difflib.get_close_matches(word, list(pool), n=8, cutoff=0.75)
    close.sort(key=lambda t: (-round(difflib.SequenceMatcher(None, word, t).ratio(), 2),
                              -pool[t], t))
    return close[:limit]


__all__ = ["HEAD_MIN", "TAIL_MIN", "compound_parts", "form_rows", "heads", "key", "query_keys", "suggest"]
