"""Faceted full-text search over the explorer index (the engine under /projects and /map).

Why a room of its own: the SPARQL protocol stays small (esfgraph.serve); the explorer needs
answers in milliseconds at 100k projects, which a SPARQL aggregate per request cannot give.
The index (esfgraph.explore.index) is a SQLite file inside the store version. On open, its
facet tables are loaded into numpy arrays (a few MB at 100k projects): a facet count is then a
`bincount` over a boolean mask, a sum a masked sum. Text goes through SQLite FTS5.

Swedish text: each search word finds the indexed words that share its key (see
esfgraph.explore.swedish): its inflections ("ungdomarna" <-> "ungdomar",
"introduktionsprogrammet" <-> "introduktionsprogram") and the compounds it is a part of
("arbetslöshet" finds "ungdomsarbetslösheten"), but no longer unrelated word that merely
begins the same way ("unga" does not find "ungefär"). A quoted phrase must appear as written,
up to inflection. Swedish stop words are left out. Words are extracted from the query and
quoted, so no FTS5 syntax (quotes, `*`, `NEAR`, `-`, parentheses) ever reaches SQLite. A search
that finds nothing proposes close words of the index ("did you mean").
"""

from __future__ import annotations

import html
import pickle
import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from esfgraph.explore.index import body_text
from esfgraph.explore.swedish import heads as compound_heads
from esfgraph.explore.swedish import key as word_key
from esfgraph.explore.swedish import query_keys, suggest


class BadSearch(ValueError):
    """A search parameter with a bad value (the message names the parameter and the fix)."""


#: Facets that repeat their parameter (multi-valued), in display order.
FACETS: tuple[str, ...] = ("period", "region", "county", "municipality", "programme_area",
                           "specific_objective", "phase", "owner", "owner_type", "abroad",
                           "country", "organisation")
OWNER_TYPES: tuple[str, ...] = ("municipality", "region", "state agency", "company",
                                "association", "other")
OWNER_TYPE_LABELS = {
    "sv": {"municipality": "Kommun", "region": "Region", "state agency": "Statlig myndighet",
           "company": "Företag", "association": "Förening", "other": "Annan"},
    "en": {"municipality": "Municipality", "region": "Region", "state agency": "State agency",
           "company": "Company", "association": "Association", "other": "Other"},
}
ABROAD_LABELS = {"sv": {"true": "Ja", "false": "Nej"}, "en": {"true": "Yes", "false": "No"}}
NATIONAL_LABELS = {"sv": "Nationellt", "en": "National"}
SORTS: tuple[str, ...] = ("relevance", "grant", "start", "title")
LEVELS = {"municipality": "municipality", "county": "county", "region": "region"}
METRICS = ("grant", "projects")
MAX_PER_PAGE = 500
MAX_PAGE = 100_000
MAX_Q_CHARS = 1000
MAX_Q_WORDS = 16
MAX_VALUES = 300
MAX_AMOUNT = 10**15
#: Facet values listed at most per facet (all selected values are always listed).
FACET_LIMIT = {"owner": 50, "municipality": 300, "organisation": 50}
#: bm25 weights of the FTS columns: title, organisations, places, text.
WEIGHTS = (8.0, 3.0, 2.0, 1.0)
#: Matches ranked by bm25; above, a cheaper rank by where the words are (see `_matches`).
BM25_MAX = 4000
#: Whole search answers kept per open index (a version never changes; each about 50 kB).
RESULT_CACHE = 64
#: Indexed words a search word may expand to (its inflections first, then compounds).
MAX_EXPANSIONS = 300
#: Index rows looked at per search word for compounds that begin or end with it.
SCAN_LIMIT = 5000

_INT_FIELDS = ("start_from", "start_to", "grant_min", "grant_max", "page", "per_page")
_WORD = re.compile(r"\w+")
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class SearchParams:
    """One state of the search page: what `/projects?...` asks (bookmarkable both ways).

    Facet fields hold tuples of values (the parameter repeats in the URL). Codes, not labels:
    `period` "2014-2020", `region` NUTS 2 code ("SE33", or "national"), `county` county code
    ("25"), `municipality` SCB code ("2580"), `programme_area` "2014-2020/2",
    `specific_objective` "2014-2020/2.1", `phase` "genomforande" (the concept IRIs' paths),
    `owner` the organisation IRI (its units' projects included), `owner_type` one of
    OWNER_TYPES, `abroad` "true"/"false", `country` the ISO 3166-1 alpha-2 code of a country
    where the project has contacts ("FI"), `organisation` an organisation IRI in any role
    (owner, partner, co-financier; its units included).
    Within a facet the values are alternatives (OR); facets combine with AND.
    """

    q: str = ""
    period: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    county: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    programme_area: tuple[str, ...] = ()
    specific_objective: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    owner_type: tuple[str, ...] = ()
    abroad: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    organisation: tuple[str, ...] = ()
    start_from: int | None = None
    start_to: int | None = None
    grant_min: int | None = None
    grant_max: int | None = None
    sort: str = "relevance"
    order: str = "desc"
    page: int = 1
    per_page: int = 20
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_query(cls, pairs: list[tuple[str, str]]) -> SearchParams:
        """Parse URL query pairs (repeated keys for multi-valued facets).

        Unknown keys are kept in `extra` and otherwise ignored (the pages' own `lang`,
        `level`, `metric`). Empty values are ignored (an empty form field).

        Raises:
            BadSearch: a bad number, sort, order, owner type, abroad value, too long a search
                text, too many values, or paging out of range.
        """
        multi: dict[str, list[str]] = {name: [] for name in FACETS}
        single: dict[str, str] = {}
        extra: dict[str, str] = {}
        for key, value in pairs:
            value = unicodedata.normalize("NFC", value).strip()
            if key in multi:
                if value and value not in multi[key]:
                    multi[key].append(value)
            elif key == "q" or key in ("sort", "order") or key in _INT_FIELDS:
                single[key] = value
            else:
                extra[key] = value
        for name, values in multi.items():
            if len(values) > MAX_VALUES:
                raise BadSearch(f"{name}: {len(values)} values; at most {MAX_VALUES}")
            for value in values:
                if len(value) > 500:
                    raise BadSearch(f"{name}: a value of {len(value)} characters; at most 500")
        for value in multi["owner_type"]:
            if value not in OWNER_TYPES:
                raise BadSearch(f"owner_type: unknown value {value[:40]!r}; use one of "
                                + ", ".join(OWNER_TYPES))
        abroad = []
        for value in multi["abroad"]:
            norm = {"1": "true", "yes": "true", "ja": "true", "0": "false", "no": "false",
                    "nej": "false"}.get(value.lower(), value.lower())
            if norm not in ("true", "false"):
                raise BadSearch(f"abroad: {value[:40]!r} is not true or false")
            abroad.append(norm)
        multi["abroad"] = list(dict.fromkeys(abroad))
        multi["country"] = list(dict.fromkeys(v.upper() for v in multi["country"]))
        q = single.get("q", "")
        if len(q) > MAX_Q_CHARS:
            raise BadSearch(f"q: the search text has {len(q)} characters; at most "
                            f"{MAX_Q_CHARS}")
        if len(_WORD.findall(q)) > MAX_Q_WORDS:
            raise BadSearch(f"q: the search text has more than {MAX_Q_WORDS} words; use fewer")
        numbers: dict[str, int | None] = {}
        for name in _INT_FIELDS:
            text = single.get(name, "")
            if text == "":
                numbers[name] = None
                continue
            try:
                number = int(text.replace(" ", "").replace("\u00a0", ""))
            except ValueError:
                raise BadSearch(f"{name}: {text[:40]!r} is not a whole number") from None
            numbers[name] = number
        for name in ("start_from", "start_to"):
            year = numbers[name]
            if year is not None and not 1900 <= year <= 2100:
                raise BadSearch(f"{name}: {year} is not a year between 1900 and 2100")
        for name in ("grant_min", "grant_max"):
            amount = numbers[name]
            if amount is not None and not 0 <= amount <= MAX_AMOUNT:
                raise BadSearch(f"{name}: {amount} is not an amount between 0 and "
                                f"{MAX_AMOUNT}")
        page = numbers["page"] if numbers["page"] is not None else 1
        per_page = numbers["per_page"] if numbers["per_page"] is not None else 20
        if not 1 <= page <= MAX_PAGE:
            raise BadSearch(f"page: {page} is out of range (1 to {MAX_PAGE})")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise BadSearch(f"per_page: {per_page} is out of range (1 to {MAX_PER_PAGE})")
        sort = single.get("sort") or "relevance"
        if sort not in SORTS:
            raise BadSearch(f"sort: {sort[:40]!r} is not one of " + ", ".join(SORTS))
        order = single.get("order") or ("asc" if sort == "title" else "desc")
        if order not in ("asc", "desc"):
            raise BadSearch(f"order: {order[:40]!r} is not asc or desc")
        return cls(q=q, **{k: tuple(v) for k, v in multi.items()},
                   start_from=numbers["start_from"], start_to=numbers["start_to"],
                   grant_min=numbers["grant_min"], grant_max=numbers["grant_max"],
                   sort=sort, order=order, page=page, per_page=per_page, extra=extra)

    def to_query(self) -> list[tuple[str, str]]:
        """The URL query pairs of this state (defaults left out, facets repeated)."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in FACETS:
            pairs += [(name, v) for v in getattr(self, name)]
        for name in ("start_from", "start_to", "grant_min", "grant_max"):
            value = getattr(self, name)
            if value is not None:
                pairs.append((name, str(value)))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.order != ("asc" if self.sort == "title" else "desc"):
            pairs.append(("order", self.order))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != 20:
            pairs.append(("per_page", str(self.per_page)))
        return pairs

    def with_(self, **changes: Any) -> SearchParams:
        """A copy with some fields changed (for facet links: add/remove a value, next page)."""
        return replace(self, **changes)

    def selected(self) -> dict[str, tuple[str, ...]]:
        """The facets with a selection."""
        return {name: getattr(self, name) for name in FACETS if getattr(self, name)}


# --------------------------------------------------------------------------------------------
# Query words
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Swedish stop words (shipped with the package)."""
    path = Path(__file__).with_name("swedish-stopwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


def stem(word: str) -> str:
    """The Snowball Swedish stem of a (case-folded) word."""
    return _stemmer().stemWord(word)


def query_words(q: str) -> list[str]:
    """The words of a search text: NFC, case-folded, stop words out (unless all are)."""
    words = [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", q))]
    kept = [w for w in words if w not in stopwords()]
    return list(dict.fromkeys(kept or words))


def query_phrases(q: str) -> list[list[str]]:
    """The quoted phrases of a search text, as lists of case-folded words."""
    text = unicodedata.normalize("NFC", q)
    return [ws for ws in ([w.casefold() for w in _WORD.findall(p)] for p in _PHRASE.findall(text))
            if len(ws) > 1]


@dataclass
class TextQuery:
    """A search text turned into an FTS5 expression, phrase checks and a highlighter."""

    expression: str
    terms: list[str]          # every indexed word the search words found
    phrases: list[re.Pattern[str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # search words that found no word

    def highlighter(self) -> re.Pattern[str] | None:
        if not self.terms:
            return None
        alternatives = "|".join(re.escape(t) for t in sorted(set(self.terms), key=len,
                                                             reverse=True))
        return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


def _alternation(terms: list[str]) -> str:
    return "(?:" + "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)) + ")"


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


class _Facet:
    """One facet as arrays: (project position, value code) pairs and the values."""

    def __init__(self, values: list[str], positions: np.ndarray, codes: np.ndarray) -> None:
        self.values = values
        self.code = {v: i for i, v in enumerate(values)}
        self.positions = positions
        self.codes = codes

    def mask(self, selected: tuple[str, ...], n: int) -> np.ndarray:
        """Projects with any of the selected values."""
        wanted = [self.code[v] for v in selected if v in self.code]
        out = np.zeros(n, dtype=bool)
        if wanted:
            hit = np.isin(self.codes, np.asarray(wanted, dtype=self.codes.dtype))
            out[self.positions[hit]] = True
        return out

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Projects per value among `mask`."""
        keep = mask[self.positions]
        return np.bincount(self.codes[keep], minlength=len(self.values))

    def sums(self, mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
        keep = mask[self.positions]
        return np.bincount(self.codes[keep], weights=weights[self.positions[keep]],
                           minlength=len(self.values))


class SearchIndex:
    """The explorer index of one store version, opened read-only.

    Thread-safe: each thread gets its own SQLite connection; the arrays are read-only.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._label_lists: dict[tuple[str, str], list[str]] = {}
        self._results: OrderedDict[str, bytes] = OrderedDict()  # pickled answers
        self._text_queries: OrderedDict[str, TextQuery | None] = OrderedDict()
        self._load()

    # -- loading ---------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    #: Columns of an item, in the order `_item` reads them.
    _ITEM_COLUMNS = ("id, iri, title, project_number, case_number, period, phase, owner, "
                     "owner_label, grant, budget, start_date, end_date, region, start_year, "
                     "owner_number, countries")

    def _load(self) -> None:
        """Load the facet and sort columns into arrays (the item rows stay in SQLite).

        Column-wise and grouped by facet so that numpy does the work: about a second at
        100k projects (docs/guide/explore.md).
        """
        db = self.db
        meta = dict(db.execute("SELECT key, value FROM meta"))
        self.base_iri = meta.get("base_iri", "https://w3id.org/esfgraph/")
        cols = db.execute("SELECT id, COALESCE(grant, -1), COALESCE(budget, -1), "
                          "COALESCE(start_year, 0) FROM projects ORDER BY id").fetchall()
        n = self.n = len(cols)
        table = np.array(cols, dtype=np.int64).reshape(n, 4)
        self.ids = np.ascontiguousarray(table[:, 0])
        self.grant = np.ascontiguousarray(table[:, 1])
        self.budget = np.ascontiguousarray(table[:, 2])
        self.year = table[:, 3].astype(np.int32)
        starts = [d or "" for (d,) in db.execute("SELECT start_date FROM projects ORDER BY id")]
        self.start_rank = _ranks(starts)
        titles = [_title_key(t or "") for (t,) in db.execute(
            "SELECT title FROM projects ORDER BY id")]
        self.title_rank = _ranks(titles)
        self.facets = {}
        for name in FACETS:
            rows = db.execute("SELECT value, id FROM facets WHERE facet=?", (name,)).fetchall()
            if rows:
                uniq, codes = np.unique(np.array([v for v, _ in rows], dtype=str),
                                       return_inverse=True)
                distinct = [str(v) for v in uniq]
                codes = codes.astype(np.int32).ravel()
            else:
                distinct, codes = [], np.zeros(0, dtype=np.int32)
            ids = np.fromiter((pid for _, pid in rows), np.int64, len(rows))
            positions = self._positions(ids)
            keep = positions >= 0
            self.facets[name] = _Facet(distinct, positions[keep], codes[keep])
        self.labels: dict[tuple[str, str, str], str] = {}
        for facet, value, lang, _rank, label in db.execute(
                "SELECT facet, value, lang, rank, label FROM labels ORDER BY rank DESC"):
            self.labels[(facet, value, lang)] = label

    def _rows(self, positions: list[int]) -> dict[int, tuple[Any, ...]]:
        """Item rows of some projects, by array position."""
        if not positions:
            return {}
        ids = [int(self.ids[p]) for p in positions]
        found: dict[int, tuple[Any, ...]] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for row in self.db.execute(f"SELECT {self._ITEM_COLUMNS} FROM projects WHERE id IN "
                                       f"({','.join('?' * len(part))})", part):
                found[row[0]] = row
        return {p: found[int(self.ids[p])] for p in positions if int(self.ids[p]) in found}

    def _position_of(self, iri: str) -> int | None:
        row = self.db.execute("SELECT id FROM projects WHERE iri=?", (iri,)).fetchone()
        if row is None:
            return None
        pos = int(self._positions(np.asarray([row[0]], dtype=np.int64))[0])
        return pos if pos >= 0 else None

    def close(self) -> None:
        """Close this thread's SQLite connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- labels ----------------------------------------------------------------------------

    def label(self, facet: str, value: str, lang: str = "sv") -> str:
        """The label of a facet value in `lang` (Swedish, then the value, as fallbacks)."""
        if facet == "owner_type":
            return OWNER_TYPE_LABELS.get(lang, OWNER_TYPE_LABELS["sv"]).get(value, value)
        if facet == "abroad":
            return ABROAD_LABELS.get(lang, ABROAD_LABELS["sv"]).get(value, value)
        if facet == "region" and value == "national":  # not a place: no label in the graph
            return NATIONAL_LABELS.get(lang, NATIONAL_LABELS["sv"])
        return (self.labels.get((facet, value, lang)) or self.labels.get((facet, value, "sv"))
                or value)

    def _labels_of(self, facet: str, lang: str) -> list[str]:
        """Labels of all values of a facet, aligned with its codes (made once per language)."""
        key = (facet, lang)
        labels = self._label_lists.get(key)
        if labels is None:
            labels = [self.label(facet, v, lang) for v in self.facets[facet].values]
            self._label_lists[key] = labels
        return labels

    # -- text ------------------------------------------------------------------------------

    def forms(self, word: str) -> list[str]:
        """The indexed words a (case-folded) search word finds, its own inflections first.

        Beyond the words that carry its key (inflections, and compounds whose parts are words
        of the index), a key of four letters or more also finds the compounds it begins or
        ends where the rest is a word or is joined by a linking letter ("skog" finds
        "skogsbruk", "chaufförer" finds "lastbilschaufförer"), never a longer word that merely
        begins the same way ("ungefär" for "unga", "programmering" for "program").
        """
        keys = [k for k in query_keys(word) if len(k) >= 2]
        if not keys or word.isdigit():
            keys = [word]
        marks = ",".join("?" * len(keys))
        db = self.db
        found = [t for (t,) in db.execute(
            f"SELECT term FROM forms WHERE key IN ({marks}) ORDER BY term LIMIT ?",
            (*keys, MAX_EXPANSIONS))]
        own = [t for t in found if word_key(t) in keys]
        out = list(dict.fromkeys(own + [t for t in found if t not in own]))
        k = keys[0]
        if len(k) >= 4 and not word.isdigit() and len(out) < MAX_EXPANSIONS:
            for head in (h for h in compound_heads(word) if len(h) >= 4):
                for (term,) in db.execute(
                        "SELECT DISTINCT term FROM forms WHERE key > ? AND key < ? LIMIT ?",
                        (head, head + "\U0010ffff", SCAN_LIMIT)):
                    if term.startswith(head) and self._rest_is_word(term[len(head):]):
                        out.append(term)
            rk = k[::-1]
            for (term,) in db.execute(
                    "SELECT term FROM rforms WHERE rkey > ? AND rkey < ? LIMIT ?",
                    (rk, rk + "\U0010ffff", SCAN_LIMIT)):
                head = term[:len(word_key(term)) - len(k)]
                if term[len(head):].startswith(k) and self._head_is_word(head):
                    out.append(term)
        return list(dict.fromkeys(out))[:MAX_EXPANSIONS]

    def _is_word(self, part: str) -> bool:
        """Whether a piece of a compound is a word of the index (or shares a word's key)."""
        if self.db.execute("SELECT 1 FROM vocab WHERE term=?", (part,)).fetchone():
            return True
        k = word_key(part)
        return len(k) >= 4 and self.db.execute(
            "SELECT 1 FROM forms WHERE key=? LIMIT 1", (k,)).fetchone() is not None

    def _rest_is_word(self, rest: str) -> bool:
        if len(rest) >= 4 and rest[0] in "seaou" and self._is_word(rest[1:]):
            return True
        if len(rest) >= 4 and rest[0] == "s":
            return True  # "skog|s|bruk": a linking s after a whole search word
        return len(rest) >= 3 and self._is_word(rest)

    def _head_is_word(self, head: str) -> bool:
        if len(head) < 3:
            return False
        if self._is_word(head):
            return True
        return len(head) >= 4 and head[-1] in "seaou" and (
            head[-1] == "s" or self._is_word(head[:-1]))

    def text_query(self, q: str) -> TextQuery | None:
        """The FTS5 expression of a search text (None when it has no words)."""
        with self._cache_lock:
            if q in self._text_queries:
                return self._text_queries[q]
        text = self._text_query(q)
        with self._cache_lock:
            self._text_queries[q] = text
            while len(self._text_queries) > RESULT_CACHE:
                self._text_queries.popitem(last=False)
        return text

    def _text_query(self, q: str) -> TextQuery | None:
        parts: list[str] = []
        terms: list[str] = []
        missing: list[str] = []
        found: dict[str, list[str]] = {}
        for word in query_words(q):
            forms = found[word] = self.forms(word)
            if not forms:
                missing.append(word)
                forms = [word]  # finds nothing: the answer is empty, and says so
            terms.extend(forms)
            parts.append("(" + " OR ".join(f'"{t}"' for t in forms) + ")")
        if not parts:
            return None
        phrases = []
        for words in query_phrases(q):
            pieces = [_alternation(found.get(w) or self.forms(w) or [w]) for w in words]
            phrases.append(re.compile(r"(?<!\w)" + r"\W+".join(pieces) + r"(?!\w)",
                                      re.IGNORECASE))
        return TextQuery(" AND ".join(parts), terms, phrases, missing)

    def _phrase_filter(self, positions: np.ndarray, text: TextQuery) -> np.ndarray:
        """Which of the matched projects hold every quoted phrase (a mask over positions)."""
        keep = np.zeros(len(positions), dtype=bool)
        ids = [int(self.ids[p]) for p in positions]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            texts = {pid: " \n ".join([title or "", actors or "", places or "", body_text(body)])
                     for pid, title, actors, places, body in self.db.execute(
                         f"SELECT id, title, actors, places, body FROM docs WHERE id IN ({marks})",
                         chunk)}
            for i, pid in enumerate(chunk, start):
                body = texts.get(pid, "")
                keep[i] = all(p.search(body) for p in text.phrases)
        return keep

    def did_you_mean(self, q: str) -> str | None:
        """The search text with each word that finds nothing replaced by a close indexed word."""
        text = self.text_query(q)
        if text is None or not text.missing:
            return None
        replaced: dict[str, str] = {}
        for word in text.missing:
            head = word[:2]
            candidates = self.db.execute(
                "SELECT term, docs FROM vocab WHERE term >= ? AND term < ?",
                (head, head + "\U0010ffff")).fetchall()
            best = suggest(word, candidates)
            if best:
                replaced[word] = best[0]
        changed = bool(replaced)
        # the words only (no markup or operators of the text are echoed)
        out = " ".join(replaced.get(w.casefold(), w)
                       for w in _WORD.findall(unicodedata.normalize("NFC", q)))
        return out if changed else None

    def _matches(self, expression: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores; lower is better) of the projects matching an expression.

        Up to BM25_MAX matches are ranked by FTS5's bm25 (column weights WEIGHTS). bm25 costs
        about 3 µs per match, so for more matches the rank is by where the words are: in the
        title, else in the organisations or places, else in the text (ties: newest first).
        """
        with self._cache_lock:
            hit = self._cache.get(expression)
            if hit is not None:
                self._cache.move_to_end(expression)
                return hit
        db = self.db
        rowids = np.fromiter((r for (r,) in db.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ?", (expression,))), np.int64)
        if len(rowids) <= BM25_MAX:
            rows = db.execute("SELECT rowid, bm25(fts, ?, ?, ?, ?) FROM fts WHERE fts MATCH ?",
                              (*WEIGHTS, expression)).fetchall()
            rowids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            scores = np.fromiter((r[1] for r in rows), np.float64, len(rows))
        else:
            scores = np.zeros(len(rowids))
            for columns, weight in (("title", 2.0), ("actors places", 1.0)):
                hits = np.fromiter((r for (r,) in db.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ?",
                    (f"{{{columns}}} : ({expression})",))), np.int64)
                scores[np.isin(rowids, hits)] -= weight
        positions = self._positions(rowids)
        ok = positions >= 0
        result = (positions[ok], scores[ok])
        with self._cache_lock:
            self._cache[expression] = result
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return result

    def _positions(self, rowids: np.ndarray) -> np.ndarray:
        """Array positions of index row ids (-1 for an id not loaded)."""
        if self.n == 0:
            return np.full(len(rowids), -1, dtype=np.int64)
        positions = np.searchsorted(self.ids, rowids)
        clipped = np.minimum(positions, self.n - 1)
        return np.where(self.ids[clipped] == rowids, clipped, -1)

    # -- filtering -------------------------------------------------------------------------

    def _masks(self, params: SearchParams) -> tuple[np.ndarray, dict[str, np.ndarray],
                                                    np.ndarray | None, TextQuery | None]:
        """(base mask: text and ranges, per-facet selection masks, scores, text query)."""
        n = self.n
        base = np.ones(n, dtype=bool)
        scores = None
        text = self.text_query(params.q) if params.q.strip() else None
        if text is not None:
            positions, bm25 = self._matches(text.expression)
            if text.phrases and len(positions):
                keep = self._phrase_filter(positions, text)
                positions, bm25 = positions[keep], bm25[keep]
            base = np.zeros(n, dtype=bool)
            base[positions] = True
            scores = np.full(n, np.inf)
            scores[positions] = bm25
        if params.start_from is not None:
            base &= self.year >= params.start_from
        if params.start_to is not None:
            base &= (self.year <= params.start_to) & (self.year > 0)
        if params.grant_min is not None:
            base &= self.grant >= params.grant_min
        if params.grant_max is not None:
            base &= (self.grant <= params.grant_max) & (self.grant >= 0)
        selections = {name: self.facets[name].mask(values, n)
                      for name, values in params.selected().items()}
        return base, selections, scores, text

    @staticmethod
    def _combine(base: np.ndarray, selections: dict[str, np.ndarray],
                 leave_out: str | None = None) -> np.ndarray:
        mask = base.copy()
        for name, selection in selections.items():
            if name != leave_out:
                mask &= selection
        return mask

    # -- the public answers ----------------------------------------------------------------

    def search(self, params: SearchParams, lang: str = "sv") -> dict[str, Any]:
        """Run a search: the JSON of /projects.json.

        Returns:
            {"total", "projectsWithGrant", "esfGrantSEK", "projectsWithBudget",
             "totalBudgetSEK", "page", "perPage",
             "facets": {name: [{"value", "label", "count", "selected"}]},
             "items": [{"iri", "title", "projectNumber", "caseNumber", "period", "phase",
                        "phaseLabel", "owner", "ownerLabel", "ownerOrgNumber", "esfGrantSEK",
                        "totalBudgetSEK", "startDate", "endDate", "region", "regionLabel",
                        "countries", "countryLabels", "snippet"}],
             "sparql"}
            A facet's counts ignore that facet's own selection; `snippet` is HTML-escaped text
            with <mark> around the matched words. The sums cover the projects that state the
            amount: `projectsWithGrant` of `total` (a missing amount is not zero).
        """
        key = repr((params, lang))
        with self._cache_lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
        if cached is not None:  # a version never changes: the same request, the same answer
            return pickle.loads(cached)
        result = self._search(params, lang)
        with self._cache_lock:
            self._results[key] = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            while len(self._results) > RESULT_CACHE:
                self._results.popitem(last=False)
        return result

    def _search(self, params: SearchParams, lang: str) -> dict[str, Any]:
        base, selections, scores, text = self._masks(params)
        final = self._combine(base, selections)
        total = int(final.sum())
        granted = int((final & (self.grant >= 0)).sum())
        grant = int(self.grant[final & (self.grant >= 0)].sum())
        budget = int(self.budget[final & (self.budget >= 0)].sum())
        facets = {name: self._facet_values(name, self._combine(base, selections, name),
                                           getattr(params, name), lang)
                  for name in FACETS}
        order = self._order(final, params, scores)
        start = (params.page - 1) * params.per_page
        page = order[start:start + params.per_page]
        rows = self._rows([int(pos) for pos in page])
        items = [self._item(rows[int(pos)], lang) for pos in page]
        self._snippets(items, page, text)
        return {"total": total, "projectsWithGrant": granted, "esfGrantSEK": grant,
                "projectsWithBudget": int((final & (self.budget >= 0)).sum()),
                "totalBudgetSEK": budget, "page": params.page, "perPage": params.per_page, "facets": facets,
                "items": items, "sparql": self.sparql(params),
                "didYouMean": self.did_you_mean(params.q) if total == 0 and text else None}

    def iter_items(self, params: SearchParams, lang: str = "sv",
                   batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every item of a search, in the page's order (paging ignored), without snippets.

        For the whole downloads (`all=1`): the order is computed once, the rows are read from
        SQLite `batch` at a time, so memory stays flat and the response can stream.
        """
        base, selections, scores, _text = self._masks(params)
        final = self._combine(base, selections)
        total = int(final.sum())
        order = self._order(final, params.with_(page=1, per_page=max(1, total)), scores)
        for start in range(0, len(order), batch):
            chunk = [int(p) for p in order[start:start + batch]]
            rows = self._rows(chunk)
            for pos in chunk:
                item = self._item(rows[pos], lang)
                del item["snippet"]
                yield item

    def _facet_values(self, name: str, mask: np.ndarray, selected: tuple[str, ...],
                      lang: str) -> list[dict[str, Any]]:
        facet = self.facets[name]
        counts = facet.counts(mask)
        nonzero = np.flatnonzero(counts)
        limit = FACET_LIMIT.get(name)
        if limit is not None and len(nonzero) > limit:
            # the `limit` largest counts (ties at the edge by label below); cheap at 10k owners
            keep = np.argpartition(-counts[nonzero], limit - 1)[:limit]
            nonzero = nonzero[keep]
        chosen = set(selected)
        codes = set(nonzero.tolist())
        codes.update(facet.code[v] for v in selected if v in facet.code)
        labels = self._labels_of(name, lang)
        values = facet.values
        out = [{"value": values[c], "label": labels[c], "count": int(counts[c]),
                "selected": values[c] in chosen} for c in codes]
        out += [{"value": v, "label": self.label(name, v, lang), "count": 0, "selected": True}
                for v in selected if v not in facet.code]
        if name == "period":
            out.sort(key=lambda d: d["value"])
        else:
            out.sort(key=lambda d: (-d["count"], d["label"].casefold(), d["value"]))
        return out

    def _order(self, mask: np.ndarray, params: SearchParams,
               scores: np.ndarray | None) -> np.ndarray:
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return positions
        title = self.title_rank[positions]
        desc = params.order == "desc"
        sort = params.sort
        if sort == "relevance" and scores is None:
            sort = "start"  # no text: newest first
            desc = True
        if sort == "relevance":
            newest = -self.start_rank[positions]
            keys = [title, newest, scores[positions] if desc else -scores[positions]]
        elif sort == "grant":
            values = self.grant[positions]
            missing = values < 0  # projects without a grant come last either way
            keys = [title, -values if desc else values, missing]
        elif sort == "start":
            values = self.start_rank[positions]
            missing = self.year[positions] == 0
            keys = [title, -values if desc else values, missing]
        else:
            keys = [-title if desc else title]
        # only the first `limit` are shown: pick candidates per key before the full sort
        limit = params.page * params.per_page
        chosen = _top(np.arange(len(positions)), keys[::-1], limit)
        return positions[chosen[np.lexsort([k[chosen] for k in keys])]]

    def _item(self, row: tuple[Any, ...], lang: str) -> dict[str, Any]:
        (_id, iri, title, number, case, period, phase, owner, owner_label, grant, budget,
         start, end, region, _year, owner_number, countries) = row
        codes = (countries or "").split()
        return {"iri": iri, "title": title, "projectNumber": number, "caseNumber": case,
                "period": period, "phase": phase,
                "phaseLabel": self.label("phase", phase, lang) if phase else None,
                "owner": owner, "ownerLabel": owner_label, "ownerOrgNumber": owner_number,
                "esfGrantSEK": grant,
                "totalBudgetSEK": budget, "startDate": start, "endDate": end,
                "region": region,
                "regionLabel": self.label("region", region, lang) if region else None,
                "countries": codes,
                "countryLabels": [self.label("country", c, lang) for c in codes],
                "snippet": ""}

    def _snippets(self, items: list[dict[str, Any]], positions: np.ndarray,
                  text: TextQuery | None) -> None:
        if not items:
            return
        ids = [int(self.ids[p]) for p in positions]
        marks = ",".join("?" * len(ids))
        found = dict(self.db.execute(f"SELECT id, body FROM docs WHERE id IN ({marks})",
                                     ids)) if text is not None else {}
        summaries = dict(self.db.execute(
            f"SELECT id, summary FROM projects WHERE id IN ({marks})", ids))
        pattern = text.highlighter() if text is not None else None
        for item, pid in zip(items, ids):
            body = body_text(found.get(pid)) if pattern else ""
            item["snippet"] = snippet(body, pattern) if pattern else html.escape(
                summaries.get(pid) or "")

    def map_aggregate(self, level: str, metric: str, params: SearchParams,
                      lang: str = "sv") -> dict[str, Any]:
        """The JSON of /map.json: per place, projects and ESF grant under the current search.

        All filters apply, the place facet of `level` included. A project named with two
        municipalities counts (with its whole grant) in both; `values` lists the places with
        at least one project.

        Args:
            level: "municipality" (SCB code), "county" (county code) or "region" (NUTS 2 code).
            metric: "grant" or "projects": which number `value` and `max` carry.
        Returns:
            {"level", "metric", "values": {code: {"label", "projects", "projectsWithGrant",
             "esfGrantSEK", "value"}}, "max", "unplaced": {"projects", "projectsWithGrant",
             "esfGrantSEK"}}; `unplaced` counts the matching projects that name no place of
            this level (no municipality, say), which the map cannot draw.
        Raises:
            BadSearch: an unknown level or metric.
        """
        if level not in LEVELS:
            raise BadSearch(f"level: {level[:40]!r} is not one of " + ", ".join(LEVELS))
        if metric not in METRICS:
            raise BadSearch(f"metric: {metric[:40]!r} is not one of " + ", ".join(METRICS))
        base, selections, _, _ = self._masks(params)
        mask = self._combine(base, selections)
        facet = self.facets[LEVELS[level]]
        counts = facet.counts(mask)
        stated = mask & (self.grant >= 0)
        granted = facet.counts(stated)
        sums = facet.sums(mask, np.maximum(self.grant, 0).astype(np.float64))
        values: dict[str, dict[str, Any]] = {}
        for code, count, with_grant, total in zip(facet.values, counts, granted, sums):
            if count > 0:
                value = int(total) if metric == "grant" else int(count)  # integral sums
                values[code] = {"label": self.label(LEVELS[level], code, lang),
                                "projects": int(count), "projectsWithGrant": int(with_grant),
                                "esfGrantSEK": int(total), "value": value}
        top = max((v["value"] for v in values.values()), default=0)
        placed = np.zeros(self.n, dtype=bool)
        placed[facet.positions] = True
        rest = mask & ~placed
        unplaced = {"projects": int(rest.sum()),
                    "projectsWithGrant": int((rest & (self.grant >= 0)).sum()),
                    "esfGrantSEK": int(self.grant[rest & (self.grant >= 0)].sum())}
        return {"level": level, "metric": metric, "values": values, "max": top,
                "unplaced": unplaced}

    def related(self, project_iri: str, limit: int = 5, lang: str = "sv"
                ) -> list[dict[str, Any]]:
        """Projects related to one: same owner, same municipality, similar text.

        Returns items shaped like the search items plus "reason" ("owner", "municipality",
        "text"): first those of the same owner (newest first), then of the same
        municipalities, then the best text matches of its title; an unknown project gives [].
        """
        pos = self._position_of(project_iri)
        if pos is None or limit <= 0:
            return []
        picked: dict[int, str] = {}
        newest = np.argsort(-self.start_rank, kind="stable")
        for reason in ("owner", "municipality"):
            facet = self.facets[reason]
            mine = facet.codes[facet.positions == pos]
            if len(mine) == 0:
                continue
            hit = np.zeros(self.n, bool)
            hit[facet.positions[np.isin(facet.codes, mine)]] = True
            for other in newest[hit[newest]]:
                if len(picked) >= limit:
                    break
                if int(other) != pos and int(other) not in picked:
                    picked[int(other)] = reason
        if len(picked) < limit:
            # the title's words and the longest words of the summary: long words are rarer
            title, summary = self.db.execute("SELECT title, summary FROM projects WHERE id=?",
                                             (int(self.ids[pos]),)).fetchone()
            title = title or ""
            words = [w for w in query_words(title) if len(stem(w)) >= 3][:6]
            longest = sorted((w for w in query_words(summary or "")
                              if len(w) >= 7 and not w.isdigit()), key=len, reverse=True)
            words = list(dict.fromkeys(words + longest))[:12]
            if words:
                expression = " OR ".join(f'"{stem(w)}" *' for w in words)
                positions, scores = self._matches(expression)
                for other in positions[np.argsort(scores, kind="stable")]:
                    if len(picked) >= limit:
                        break
                    if int(other) != pos and int(other) not in picked:
                        picked[int(other)] = "text"
        out = []
        rows = self._rows(list(picked))
        for other, reason in picked.items():
            item = self._item(rows[other], lang)
            item["reason"] = reason
            out.append(item)
        return out

    # -- the equivalent SPARQL -------------------------------------------------------------

    def sparql(self, params: SearchParams) -> str:
        """A SPARQL query that lists the projects of this search (for the query page).

        Exact: its rows are the page's projects (count and sums equal, tested on random
        searches). Facets, years and amounts translate into graph patterns; the search words
        become the list of projects whose text the index matches, up to
        MAX_SPARQL_TEXT_IRIS; above that (or for a quoted phrase), each word becomes the
        indexed words it finds (its inflections and compounds) matched as whole words in the
        texts the index reads, which can differ from the page where a text the index reads
        differently (a unit's parent label); owner types become the list of organisations of
        those types.
        """
        text = self.text_query(params.q) if params.q.strip() else None
        terms = text_iris = None
        if text is not None:
            positions = self._matches(text.expression)[0]
            if len(positions) <= MAX_SPARQL_TEXT_IRIS and not text.phrases:
                text_iris = self._iris(positions)
            else:
                terms = self.text_terms(params.q)
        owner_types = None
        if params.owner_type:
            marks = ",".join("?" * len(params.owner_type))
            owner_types = [o for (o,) in self.db.execute(
                f"SELECT DISTINCT owner FROM projects WHERE owner IS NOT NULL AND owner_type "
                f"IN ({marks}) ORDER BY owner", params.owner_type)]
        return to_sparql(params, self.base_iri, text_terms=terms, text_iris=text_iris,
                         owner_type_iris=owner_types)

    def text_terms(self, q: str) -> list[list[str]]:
        """Per search word, the indexed words it finds (for the SPARQL of a text search)."""
        return [self.forms(w) or [w] for w in query_words(q)]

    def _iris(self, positions: Any) -> list[str]:
        """The project IRIs at some array positions, sorted."""
        ids = [int(self.ids[p]) for p in positions]
        out: list[str] = []
        for at in range(0, len(ids), 500):
            part = ids[at:at + 500]
            out += [i for (i,) in self.db.execute(
                f"SELECT iri FROM projects WHERE id IN ({','.join('?' * len(part))})", part)]
        return sorted(out)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _top(idx: np.ndarray, keys: list[np.ndarray], limit: int) -> np.ndarray:
    """The members of `idx` that can be among the first `limit` by `keys` (most significant
    first): everything below the limit-th value of the first key, and of its ties the best by
    the next keys. Cheaper than sorting all matches when only a page is shown."""
    if len(idx) <= limit or not keys or limit <= 0:
        return idx if limit > 0 else idx[:0]
    k = keys[0][idx]
    kth = np.partition(k, limit - 1)[limit - 1]
    below = idx[k < kth]
    tie = idx[k == kth]
    return np.concatenate([below, _top(tie, keys[1:], limit - len(below))])


def _ranks(keys: list[str]) -> np.ndarray:
    """Rank of each key in sorted order (ties share the lowest rank)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.zeros(len(keys), dtype=np.int64)
    previous, rank = None, -1
    for i, at in enumerate(order):
        if keys[at] != previous:
            rank, previous = i, keys[at]
        ranks[at] = rank
    return ranks


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e",
                                "ü": "y"})


def _title_key(title: str) -> str:
    """Sort key of a title in Swedish alphabetical order (å, ä, ö after z)."""
    return title.casefold().translate(_SWEDISH_ORDER)


def snippet(body: str, pattern: re.Pattern[str], width: int = 240) -> str:
    """HTML-escaped text around the first match of `pattern`, matches in <mark>."""
    first = pattern.search(body)
    if first is None:
        text = " ".join(body[:width * 2].split())[:width]
        return html.escape(text) + (" …" if len(body) > width else "")
    start = max(0, first.start() - width // 3)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(body), start + width)
    space = body.rfind(" ", first.end(), end)
    if end < len(body) and space > first.end():
        end = space
    window = body[start:end]
    out: list[str] = []
    at = 0
    for m in pattern.finditer(window):
        out.append(html.escape(window[at:m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        at = m.end()
    out.append(html.escape(window[at:]))
    text = " ".join("".join(out).split())
    return ("… " if start else "") + text + (" …" if end < len(body) else "")


_PREFIXES = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
#: Projects a search text may list by IRI in the equivalent SPARQL (above: the approximation).
MAX_SPARQL_TEXT_IRIS = 1000


def _iri(text: str) -> str:
    """An IRI for SPARQL text; characters that cannot be in one are percent-encoded."""
    return "<" + re.sub(r'[<>"{}|\\^`\s]', lambda m: f"%{ord(m.group(0)):02X}", text) + ">"


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Where the explorer index takes a project's words from (esfgraph.explore.index), as a path.
_TEXT_PATH = ("(dcterms:title|dcterms:abstract|dcterms:description|esf:background|esf:purpose"
              "|esf:objectives|esf:accessibility|esf:genderEquality"
              "|esf:transnationalCooperation|esf:section/(dcterms:title|rdf:value)"
              "|(esf:owner|esf:partner|esf:cofinancier)/(skos:prefLabel|org:unitOf/skos:prefLabel)"
              "|esf:municipality/(skos:prefLabel|rdfs:label|esf:county/skos:prefLabel)"
              "|esf:region/skos:prefLabel)")


def _word_pattern(terms: list[str]) -> str:
    """An XPath regex that matches any of the indexed words as a whole word."""
    alternatives = "|".join(re.sub(r"([\\.^$|?*+()\[\]{}-])", r"\\\1", t)
                            for t in sorted(set(terms), key=len, reverse=True))
    return r"(^|\W)(" + alternatives + r")(\W|$)"


def to_sparql(params: SearchParams, base_iri: str, *,
              text_terms: list[list[str]] | None = None, text_iris: list[str] | None = None,
              owner_type_iris: list[str] | None = None) -> str:
    """The SPARQL SELECT that lists the projects of a search (see `SearchIndex.sparql`).

    One row per project (GROUP BY), so its row count is the page's total and its summed
    `?esfGrantSEK` the page's ESF grant. `text_terms` are, per search word, the indexed
    words it finds (`SearchIndex.forms`): each must appear, as one of them, as a whole word in
    a text the index reads; or `text_iris`, the projects whose text matches; with neither,
    each word is matched as written. `owner_type_iris` are the
    organisations of the selected owner types (the index decides a type from the name, legal
    form and public status; the graph has no single property for it).
    """
    concept = f"{base_iri}concept/"
    lines = ["SELECT ?project (SAMPLE(?t) AS ?title) (SAMPLE(?g) AS ?esfGrantSEK)",
             "       (SAMPLE(?d) AS ?startDate) WHERE {",
             "  ?project a esf:Project .",
             "  OPTIONAL { ?project dcterms:title ?t }",
             "  OPTIONAL { ?project esf:esfGrantSEK ?g }",
             "  OPTIONAL { ?project schema:startDate ?d }"]

    def values(var: str, terms: list[str]) -> str:
        return f"  VALUES ?{var} {{ " + " ".join(terms) + " }"

    simple = (("period", "programmingPeriod", f"{concept}period/"),
              ("programme_area", "programmeArea", f"{concept}programme-area/"),
              ("specific_objective", "specificObjective", f"{concept}specific-objective/"),
              ("phase", "phase", f"{concept}phase/"),
              ("region", "region", f"{base_iri}id/region/"),
              ("municipality", "municipality", f"{base_iri}id/municipality/"))
    for name, prop, prefix in simple:
        chosen = getattr(params, name)
        if chosen:
            lines.append(values(f"{name}_", [_iri(prefix + v) for v in chosen]))
            lines.append(f"  ?project esf:{prop} ?{name}_ .")
    if params.county:
        lines.append(values("county_", [_iri(f"{base_iri}id/county/{c}") for c in params.county]))
        lines.append("  ?project esf:municipality ?county_m . ?county_m esf:county ?county_ .")
    if params.owner:
        lines.append("  # an organisation's projects include its units' (org:unitOf)")
        lines.append(values("owner_", [_iri(o) for o in params.owner]))
        lines.append("  ?project esf:owner ?owner_unit . ?owner_unit org:unitOf* ?owner_ .")
    if params.owner_type:
        lines.append("  # owner type " + ", ".join(params.owner_type) + ": the explorer "
                     "derives it from the (first) owner's name, legal form and public status")
        if owner_type_iris is not None:
            lines.append(values("owner_type_", [_iri(o) for o in owner_type_iris]))
            lines.append("  ?project esf:owner ?owner_type_ .")
            lines.append("  FILTER NOT EXISTS { ?project esf:owner ?other_owner "
                         "FILTER(STR(?other_owner) < STR(?owner_type_)) }")
    if params.organisation:
        lines.append("  # in any role (owner, partner, co-financier), units included")
        lines.append(values("organisation_", [_iri(o) for o in params.organisation]))
        lines.append("  ?project esf:owner|esf:partner|esf:cofinancier ?organisation_unit . "
                     "?organisation_unit org:unitOf* ?organisation_ .")
    if params.abroad and set(params.abroad) != {"true", "false"}:
        negate = "" if params.abroad[0] == "true" else "NOT "
        lines.append(f"  FILTER {negate}EXISTS {{ ?project esf:transnationalContact ?abroad }}")
    if params.country:
        lines.append("  # a contact abroad: a country, a place in it or an organisation there")
        lines.append(values("country_", [_sparql_string(c) for c in params.country]))
        lines.append("  ?project esf:transnationalContact ?contact . ?contact "
                     "(schema:location|schema:containedInPlace)? ?country_place . "
                     "?country_place esf:countryCode ?country_ .")
    if params.start_from is not None:
        lines.append(f"  FILTER(BOUND(?d) && YEAR(?d) >= {params.start_from})")
    if params.start_to is not None:
        lines.append(f"  FILTER(BOUND(?d) && YEAR(?d) <= {params.start_to})")
    if params.grant_min is not None:
        lines.append(f"  FILTER(BOUND(?g) && ?g >= {params.grant_min})")
    if params.grant_max is not None:
        lines.append(f"  FILTER(BOUND(?g) && ?g <= {params.grant_max})")
    words = list(query_words(params.q)) if params.q.strip() else []
    if text_terms is None and text_iris is None:  # no index at hand: each word as written
        text_terms = [[w] for w in words]
    if words and text_terms is not None:
        lines.append("  # each search word: one of the indexed words it finds (inflections, "
                     "compounds) as a whole word in a text the search index reads")
    for i, terms in enumerate(text_terms or []):
        lines.append(f"  FILTER EXISTS {{ ?project {_TEXT_PATH} ?text{i} .")
        lines.append(f"    FILTER(REGEX(?text{i}, {_sparql_string(_word_pattern(terms))}, "
                     '"i")) }')
    if words and text_terms is None and text_iris is not None:
        # (the search text itself stays out of the comment: a line break in it, CR
        # included, would end the comment and make the rest of it query text)
        lines.append(f"  # the {len(words)} search word(s): the projects whose text the search "
                     "index matches (Swedish stems and compound parts, which REGEX cannot "
                     "express)")
        terms = [_project_term(i, base_iri) for i in text_iris]
        rows = ["\n    " + " ".join(terms[at:at + 4]) for at in range(0, len(terms), 4)]
        lines.append("  VALUES ?project {" + "".join(rows) + (" }" if not rows else "\n  }"))
    lines.append("}")
    lines.append("GROUP BY ?project")
    order = {"grant": "?esfGrantSEK", "start": "?startDate", "title": "?title"}.get(
        params.sort, "?startDate")
    direction = "DESC" if (params.order == "desc" or params.sort == "relevance") else "ASC"
    lines.append(f"ORDER BY {direction}({order}) ?title")
    prefixes = _PREFIXES
    if any(" project:" in line for line in lines):
        prefixes += f"PREFIX project: {_iri(base_iri + 'id/project/')}\n"
    return prefixes + "\n".join(lines) + "\n"


_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _project_term(iri: str, base_iri: str) -> str:
    """A project IRI as `project:slug` when the slug is a plain prefixed name (shorter links
    to /query), else in full."""
    prefix = base_iri + "id/project/"
    slug = iri[len(prefix):] if iri.startswith(prefix) else ""
    return f"project:{slug}" if _SLUG.fullmatch(slug) else _iri(iri)


# --------------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------------

_OPEN: dict[str, SearchIndex] = {}
_OPEN_LOCK = threading.Lock()


def open_index(version_dir: str | Path) -> SearchIndex | None:
    """Open the explorer index of a store version directory; None when it has none.

    Kept open per version (a version never changes once current). An index of an older
    schema counts as missing. Building a missing index is
    `esfgraph.explore.index.ensure_index`'s job (`esfgraph.explore.api.index_for` starts it).
    """
    from esfgraph.explore.index import index_path, schema_ok

    path = index_path(version_dir)
    if path.exists() and not schema_ok(path):
        return None
    key = str(path)
    with _OPEN_LOCK:
        index = _OPEN.get(key)
        if index is not None and path.exists():
            return index
        if not path.exists():
            _OPEN.pop(key, None)
            return None
        try:
            index = SearchIndex(path)
        except sqlite3.Error:
            return None
        for old in [k for k in _OPEN if k != key]:  # older versions: let them go
            _OPEN.pop(old)
        _OPEN[key] = index
        return index


__all__ = ["FACETS", "OWNER_TYPES", "SORTS", "BadSearch", "SearchIndex", "SearchParams",
           "open_index", "query_words", "snippet", "stem", "to_sparql"]
