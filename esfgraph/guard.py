"""Refuse unsafe or crash-prone SPARQL before it runs: pyoxigraph would fetch `SERVICE` and
`LOAD` IRIs itself, and its recursive parser overflows the stack on some query shapes.

The guard fails closed. A query that could hold `SERVICE` or `LOAD` (the letters appear anywhere,
after SPARQL's `\\uXXXX` escapes are decoded) runs only when rdflib's real SPARQL 1.1 grammar
parses the whole text and its parse tree has no `ServiceGraphPattern` and no `Load` node; when
rdflib cannot parse it (SPARQL 1.2 syntax, an error, nesting too deep for its recursion) the
query is refused, never approximated. A query without those letters cannot name either
operation, whatever a lexer makes of it, so it needs no parse (the parse costs 70-400 ms).

A small tokenizer (strings, IRIs, comments, variables and prefixed names are single tokens)
tells the form of the query, whether it names its own dataset, and how deeply it nests and how
many operators it chains: pyoxigraph 0.5 crashes with a segmentation fault from 2,500 nested
braces, 3,000 BINDs or MINUS blocks and 7,000 chained `+` (measured, SECURITY.md), so the
limits below stop short of that with a 400 that names the limit. The tokenizer can be misled
(`1<'>'` is a comparison, not an IRI), so the brackets and chain characters are also counted
in the raw text, where nothing can hide them; and the tokenizer never decides that a query is
safe to send to the network. The query workers also have no network at all (esfgraph.sandbox).

Every cache here is keyed by a SHA-256 digest of the text and bounded in entries, so a flood of
distinct large queries costs no memory.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, TypeVar

from esfgraph.errors import QueryError

#: Keywords that make pyoxigraph reach out to the network or the file system.
FORBIDDEN = frozenset({"SERVICE", "LOAD"})
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
#: Deeper nesting of { ( [ than this is refused before parsing (parsers recurse per level).
MAX_DEPTH = 256
#: More operators (+ - * / | ^ ! && || < > =, UNION, OPTIONAL, MINUS, FILTER, BIND) than this
#: are refused: pyoxigraph nests one level per operator and crashes from 3,000 BINDs or MINUS
#: blocks and 7,000 chained `+` (measured with pyoxigraph 0.5 on x86_64).
MAX_OPERATORS = 1000
#: Opening brackets anywhere in the text, strings and IRIs included. The tokenizer can be misled
#: into reading code as a string; the real nesting can never exceed this count, and pyoxigraph
#: crashes from 2,500 nested `{`.
MAX_RAW_OPENERS = 2000
#: `+ ! | & * ^ =` anywhere in the text (the same reasoning for chains; crashes from 7,000).
MAX_RAW_CHAIN = 4000
#: The longest query text accepted at all (characters).
MAX_QUERY_CHARS = 1_000_000
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                          "ADD", "WITH"})
_OPERATOR_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND"})
_OPERATOR_CHARS = frozenset("+-*/|^!&<>=")
#: Keywords of queries that scan and aggregate (kept for callers that show a hint; the worker
#: lanes are chosen by esfgraph.serve.lanes from the parsed query, not by keywords).
HEAVY_WORDS = frozenset({"GROUP", "ORDER", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE",
                         "GROUP_CONCAT", "DISTINCT", "REDUCED", "HAVING", "REGEX", "CONTAINS",
                         "MINUS", "EXISTS"})

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"
              |'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00B7]+)
  | (?P<bnode>_:[\w.\-]+)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-.:%]|\\.)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>&&|\|\||.)
    """,
    re.VERBOSE | re.DOTALL,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe LRU with a fixed number of entries (callers key it by digests, not texts)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The cached value of `key`, or None."""
        with self._lock:
            return self._items.get(key)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The cached value of `key`, computing and remembering it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


def digest(text: str) -> bytes:
    """SHA-256 of a query text: the key of every cache, so cached keys never hold the text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (a `_TOKEN` group name) and its text."""

    kind: str
    text: str


@dataclass(frozen=True)
class QueryShape:
    """What the tokenizer learned about a query text."""

    form: str | None            # SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE or None (unknown)
    has_dataset_clause: bool    # FROM / FROM NAMED present
    forbidden: tuple[str, ...]  # forbidden keywords found (upper case)
    depth: int = 0              # deepest nesting of { ( [
    heavy: bool = False         # aggregates, sorting or text search (a hint only)
    operators: int = 0          # operators and pattern keywords (see MAX_OPERATORS)


def decode_escapes(text: str) -> str:
    """Apply SPARQL codepoint escapes everywhere, as the spec does before parsing."""

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(repl, text)


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text (escapes decoded; whitespace and comments dropped)."""
    return [Token(m.lastgroup or "other", m.group())
            for m in _TOKEN.finditer(decode_escapes(text))
            if m.lastgroup not in ("ws", "comment")]


def _scan(text: str) -> tuple[list[str], int, int]:
    """Bare keywords (upper-cased, in order), the deepest bracket nesting and the operators."""
    words: list[str] = []
    depth = deepest = operators = 0
    for match in _TOKEN.finditer(decode_escapes(text)):
        kind = match.lastgroup
        if kind == "word":
            word = match.group().upper()
            words.append(word)
            operators += word in _OPERATOR_WORDS
        elif kind == "other":
            char = match.group()
            if char in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "})]":
                depth -= 1
            elif char[0] in _OPERATOR_CHARS:
                operators += 1
        elif kind == "number" and match.group()[0] in "+-":
            operators += 1
    return words, deepest, operators


def keywords(text: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased, in order (not in strings, IRIs, names)."""
    return _scan(text)[0]


_SHAPES: BoundedCache[bytes, QueryShape] = BoundedCache(4096)


def shape(text: str) -> QueryShape:
    """Tokenize `text` and report its form, dataset clause, nesting and forbidden keywords."""
    return _SHAPES.get_or_make(digest(text), lambda: _shape(text))


def _shape(text: str) -> QueryShape:
    words, depth, operators = _scan(text)
    form = None
    for word in words:
        if word in QUERY_FORMS:
            form = word
            break
        if word in UPDATE_WORDS:
            form = "UPDATE"
            break
    forbidden = tuple(sorted({w for w in words if w in FORBIDDEN}))
    heavy = any(w in HEAVY_WORDS for w in words)
    return QueryShape(form, "FROM" in words, forbidden, depth, heavy, operators)


def _tree_has(node: Any, names: frozenset[str]) -> set[str]:
    """Names of rdflib parse-tree nodes in `names` found anywhere below `node`."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        name = getattr(item, "name", None)
        if isinstance(name, str) and name in names:
            found.add(name)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "values") and hasattr(item, "keys"):
            stack.extend(item.values())
        if hasattr(item, "asList") and not isinstance(item, (list, tuple, dict)):
            stack.extend(list(item))
    return found


_PARSED: BoundedCache[tuple[bytes, bool], "tuple[str, ...] | None"] = BoundedCache(1024)


def _rdflib_forbidden(text: str, update: bool) -> tuple[str, ...] | None:
    """Forbidden operations in rdflib's parse tree, or None when rdflib cannot parse the text."""
    return _PARSED.get_or_make((digest(text), update), lambda: _parse_forbidden(text, update))


def _parse_forbidden(text: str, update: bool) -> tuple[str, ...] | None:
    try:
        if update:
            from rdflib.plugins.sparql.parser import parseUpdate

            tree = parseUpdate(text)
        else:
            from rdflib.plugins.sparql.parser import parseQuery

            tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - any parser failure (incl. RecursionError) means "cannot tell"
        return None
    found = _tree_has(tree, frozenset({"ServiceGraphPattern", "Load"}))
    return tuple(sorted({"SERVICE" if n == "ServiceGraphPattern" else "LOAD" for n in found}))


def mentions_forbidden(text: str) -> bool:
    """Whether the letters of a forbidden keyword appear anywhere at all (in any token).

    When they do not, no lexer or parser can find the keyword, so the (slower) full parse is
    skipped; when they do, even inside a string or IRI, the full parse must succeed.
    """
    folded = decode_escapes(text).casefold()
    return any(word.casefold() in folded for word in FORBIDDEN)


def check_limits(text: str) -> QueryShape:
    """The shape of `text`, or `QueryTooComplexError` naming the limit it passes."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooComplexError(
            f"The query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}.")
    decoded = decode_escapes(text)
    openers = sum(decoded.count(c) for c in "{([")
    if openers > MAX_RAW_OPENERS:
        raise QueryTooComplexError(
            f"The query has {openers} opening brackets ({{ ( [, counted everywhere, also in "
            f"strings); the limit is {MAX_RAW_OPENERS}. Split a long VALUES block.")
    chain = sum(decoded.count(c) for c in "+!|&*^=")
    if chain > MAX_RAW_CHAIN:
        raise QueryTooComplexError(
            f"The query has {chain} of the characters + ! | & * ^ = (counted everywhere); "
            f"the limit is {MAX_RAW_CHAIN}.")
    info = shape(text)
    if info.depth > MAX_DEPTH:
        raise QueryTooComplexError(
            f"The query nests brackets {info.depth} levels deep; the limit is {MAX_DEPTH}.")
    if info.operators > MAX_OPERATORS:
        raise QueryTooComplexError(
            f"The query has {info.operators} operators (+ - * / | ^ ! && || comparisons, UNION, "
            f"OPTIONAL, MINUS, FILTER, BIND); the limit is {MAX_OPERATORS}.")
    return info


def check(text: str, *, update: bool = False) -> QueryShape:
    """Return the shape of a safe query; refuse SERVICE, LOAD and what cannot be verified.

    Raises:
        QueryTooComplexError: over a size, depth or operator limit.
        UnsafeQueryError: the query asks to fetch a remote or local resource, or it could and
            rdflib's full parse cannot rule it out.
    """
    info = check_limits(text)
    refused = set(info.forbidden)
    if mentions_forbidden(text):
        found = _rdflib_forbidden(decode_escapes(text), update)
        if found is None:
            raise UnverifiableQueryError(
                "The query contains the word SERVICE or LOAD (perhaps only inside a name or "
                "string) and could not be fully parsed as SPARQL 1.1, so it cannot be shown "
                "to stay local; it is refused. Fix the syntax error, or avoid SPARQL 1.2-only "
                "syntax in such a query.")
        refused.update(found)
    if refused:
        words = " and ".join(sorted(refused))
        raise UnsafeQueryError(
            f"{words} is not allowed here: it would make the server fetch data from the "
            "network or the file system. Query the local data only.")
    return info


class UnsafeQueryError(QueryError):
    """The query uses an operation this endpoint refuses (SERVICE, LOAD)."""


class UnverifiableQueryError(UnsafeQueryError):
    """The query may use SERVICE or LOAD and no full parse could rule it out."""


class QueryTooComplexError(QueryError):
    """The query is over a size, nesting or operator limit."""


__all__ = ["FORBIDDEN", "MAX_DEPTH", "MAX_OPERATORS", "MAX_QUERY_CHARS", "MAX_RAW_CHAIN",
           "MAX_RAW_OPENERS", "BoundedCache",
           "QueryShape", "QueryTooComplexError", "Token", "UnsafeQueryError",
           "UnverifiableQueryError", "check", "check_limits", "decode_escapes", "digest",
           "keywords", "mentions_forbidden", "shape", "tokens"]
