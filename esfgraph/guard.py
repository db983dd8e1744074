"""Refuse unsafe or crash-prone SPARQL before it runs: pyoxigraph would fetch `SERVICE` and
`LOAD` IRIs itself, and its recursive parser overflows the stack on some query shapes.

One reading decides. pyoxigraph cannot parse a query without running it (`Store.query`
evaluates SERVICE at once), so the guard reads the text by pyoxigraph's own lexical rules
(`lex`: comments end at CR or LF, strings with their exact escapes, IRIs, names) and refuses
every text where another reading could differ (`ambiguity`): a query that has the letters
SERVICE or LOAD anywhere (escapes decoded) runs only when that reading finds neither keyword
and none of the constructs on which readers are known to split. There is no second parser's
opinion to disagree with; the differential test (tests/test_hostile_guard.py) generates
comment, string, escape and newline mixtures around the keywords and checks every verdict
against pyoxigraph itself. A query without those letters cannot name either operation.

The same tokens tell the form of the query, whether it names its own dataset, and how deeply
it nests and how many operators it chains: pyoxigraph 0.5 crashes with a segmentation fault
from 2,500 nested braces, 3,000 BINDs or MINUS blocks and 7,000 chained `+` (measured,
SECURITY.md), so the limits below stop short of that with a 400 that names the limit. The
brackets and chain characters are also counted in the raw text, where nothing can hide them.
The query workers also have no network at all (esfgraph.sandbox).

Everything here runs in time linear in the text (no backtracking patterns, no rescans), and
every cache is keyed by a SHA-256 digest of the text and bounded in entries, so a flood of
distinct large queries costs neither time nor memory beyond its size.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

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

# The lexical rules of SPARQL 1.1 (section 19.8) as pyoxigraph applies them, written so that
# every pattern consumes what it scans (possessive loops, no backtracking over a run): the
# scanner below is linear in the text, whatever the text.
_PN_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
            "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
            "\U00010000-\U000EFFFF")
_PN_U = _PN_BASE + "_"
_PN_CHARS = _PN_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_WS = re.compile(r"[ \t\r\n]++")
_COMMENT = re.compile(r"#[^\r\n]*+")  # pyoxigraph ends a comment at CR as well as at LF
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*+>")
_VAR = re.compile(f"[?$][{_PN_U}0-9][{_PN_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+")
_BNODE = re.compile(f"_:[{_PN_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
#: A prefix run: PN_PREFIX is this without trailing dots; a colon must follow it directly.
_PREFIX_RUN = re.compile(f"[{_PN_BASE}][{_PN_CHARS}.]*+")
_LOCAL = re.compile(f"(?:[{_PN_U}:0-9]|{_PLX})"
                    f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]++(?:\.[0-9]*+)?(?:[eE][+-]?[0-9]++)?"
                     r"|\.[0-9]++(?:[eE][+-]?[0-9]++)?)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
_ECHAR = r"""\\[tbnrf"'\\]"""
#: What may stand between the quotes of each kind of string (the closing quote is checked
#: after the match, so a string that never closes costs one scan).
_BODY = {
    "'": re.compile(r"(?:[^'\\\r\n]|" + _ECHAR + r")*+"),
    '"': re.compile(r'(?:[^"\\\r\n]|' + _ECHAR + r")*+"),
    "'" * 3: re.compile(r"(?:[^'\\]|" + _ECHAR + r"|'(?!''))*+"),
    '"' * 3: re.compile(r'(?:[^"\\]|' + _ECHAR + r'|"(?!""))*+'),
}
_NAME_START = re.compile(f"[{_PN_BASE}]")
_LINE_END = re.compile(r"[\r\n]")
_TWO_CHAR = frozenset({"&&", "||"})  # `^^` stays two tokens (esfgraph.serve.lanes reads them)


class _Lexer:
    """SPARQL tokens as (kind, start, end), in one pass.

    A string that never closes, or a prefix run without a colon, is scanned once: where the
    scan stopped is remembered, so a later attempt inside the same stretch fails at once
    instead of scanning it again (that rescan made 32 kB of `a.a.a` cost 10 s).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.fails: dict[str, int] = {}  # quote -> a string of it starting before this fails
        self.run_end = -1                # end of the last prefix run that had no colon

    def string_at(self, pos: int) -> int:
        """End of the string starting at `pos` (a quote), or -1 when none closes there."""
        text = self.text
        q = text[pos]
        for quote in (q * 3, q):
            if not text.startswith(quote, pos) or pos < self.fails.get(quote, -1):
                continue
            end = _BODY[quote].match(text, pos + len(quote)).end()
            if text.startswith(quote, end):
                return end + len(quote)
            self.fails[quote] = end  # every start before `end` stops at the same place
        return -1

    def tokens(self) -> Iterator[tuple[str, int, int]]:
        text = self.text
        n = len(text)
        pos = 0
        while pos < n:
            c = text[pos]
            if c in " \t\r\n":
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                continue
            if c == "#":
                end = _COMMENT.match(text, pos).end()  # type: ignore[union-attr]
                yield "comment", pos, end
                pos = end
                continue
            kind, end = self._token(c, pos)
            yield kind, pos, end
            pos = end

    def _token(self, c: str, pos: int) -> tuple[str, int]:
        text = self.text
        m: re.Match[str] | None
        if c == "<":
            m = _IRI.match(text, pos)
            if m:
                return "iri", m.end()
        elif c in "'\"":
            end = self.string_at(pos)
            if end > 0:
                return "string", end
        elif c in "?$":
            m = _VAR.match(text, pos)
            if m:
                return "var", m.end()
        elif c == "@":
            m = _LANGTAG.match(text, pos)
            if m:
                return "langtag", m.end()
        elif c == "_" and text.startswith("_:", pos):
            m = _BNODE.match(text, pos)
            return "bnode", m.end() if m else pos + 2
        if c == ":" or (pos >= self.run_end and _NAME_START.match(c)):
            end = self._pname(pos)
            if end > 0:
                return "pname", end
        if c.isascii() and (c.isdigit() or c in "+-."):
            m = _NUMBER.match(text, pos)
            if m:
                return "number", m.end()
        if c.isascii() and (c.isalpha() or c == "_"):
            return "word", _WORD.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos:pos + 2] in _TWO_CHAR:
            return "other", pos + 2
        return "other", pos + 1

    def _pname(self, pos: int) -> int:
        """End of the prefixed name at `pos`, or -1 (the run is remembered: no rescans)."""
        text = self.text
        colon = pos
        if text[pos] != ":":
            run = _PREFIX_RUN.match(text, pos).end()  # type: ignore[union-attr]
            colon = run
            if not text.startswith(":", run) or text[run - 1] == ".":
                self.run_end = run
                return -1
        local = _LOCAL.match(text, colon + 1)
        return local.end() if local else colon + 1


def lex(text: str) -> Iterator[tuple[str, int, int]]:
    """The tokens of raw SPARQL text as (kind, start, end), comments included; linear time.

    Kinds: comment, iri, string, var, langtag, bnode, pname, number, word, other.
    """
    return _Lexer(text).tokens()


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
    """One lexical token: its kind (see `lex`) and its text."""

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
    decoded = decode_escapes(text)
    return [Token(kind, decoded[start:end]) for kind, start, end in lex(decoded)
            if kind != "comment"]


def _scan(text: str) -> tuple[list[str], int, int]:
    """Bare keywords (upper-cased, in order), the deepest bracket nesting and the operators."""
    words: list[str] = []
    depth = deepest = operators = 0
    for kind, start, end in lex(text):
        if kind == "word":
            word = text[start:end].upper()
            words.append(word)
            operators += word in _OPERATOR_WORDS
        elif kind == "other":
            char = text[start]
            if char in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "})]":
                depth -= 1
            elif char in _OPERATOR_CHARS:
                operators += 1
        elif kind == "number" and text[start] in "+-":
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


_LONE_CR = re.compile(r"\r(?!\n)")
_LONG_QUOTES = ("'" * 3, '"' * 3)


def _names_forbidden(word: str) -> bool:
    folded = word.casefold()
    return any(w.casefold() in folded for w in FORBIDDEN)


def ambiguity(text: str) -> str | None:
    """Why two readers could disagree on whether `text` holds SERVICE or LOAD, or None.

    pyoxigraph decides what a text means; esfgraph cannot ask it without running the query
    (its `Store.query` evaluates SERVICE at once), so the guard reads the text with the same
    lexical rules (`lex`) and refuses every text in which a keyword could hide from that
    reading: the letters of SERVICE or LOAD starting a bare word or a prefix (pyoxigraph needs
    no space after a keyword: `SERVICEex:x` is SERVICE + `ex:x`), `\\u` escapes (pyoxigraph
    decodes them in strings and IRIs only, other readers everywhere), a carriage return that
    is not part of CR LF (it ends a comment for pyoxigraph, not for others), an IRI holding a
    quote (`1<'''>'''` is "less than" + a string), and an IRI holding `#` followed on its line
    by a long string (as "less than", the `#` starts a comment that hides the string's start).
    The differential test (tests/test_hostile_guard.py) checks this against pyoxigraph.
    """
    if _ESCAPE.search(text):
        return "it writes characters as \\u escapes"
    if _LONE_CR.search(text):
        return "it has a carriage return that is not part of a CR LF line break"
    hash_line_end = -1  # end of the line of the last IRI holding '#'
    for kind, start, end in lex(text):
        if kind == "word" and _names_forbidden(text[start:end]):
            return f"the bare word `{text[start:end][:40]}` may start with a keyword"
        if kind == "pname":
            prefix = text[start:text.index(":", start)]
            if _names_forbidden(prefix):
                return f"the prefix `{prefix[:40]}:` may start with a keyword"
        elif kind == "iri":
            iri = text[start:end]
            if "'" in iri:
                return f"the IRI {iri[:60]} holds a quote (it may be a comparison and a string)"
            if "#" in iri:
                eol = _LINE_END.search(text, end)
                hash_line_end = eol.start() if eol else len(text)
        elif kind == "string" and start < hash_line_end and text.startswith(_LONG_QUOTES, start):
            return ("a long string starts on the line of an IRI holding `#` (read as a "
                    "comparison, the `#` would start a comment)")
    return None


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

    `update` is kept for callers: queries and updates are read by the same rules.

    Raises:
        QueryTooComplexError: over a size, depth or operator limit.
        UnsafeQueryError: the query asks to fetch a remote or local resource, or it could and
            the guard's reading cannot rule it out (`UnverifiableQueryError`).
    """
    info = check_limits(text)
    if info.forbidden:
        words = " and ".join(info.forbidden)
        raise UnsafeQueryError(
            f"{words} is not allowed here: it would make the server fetch data from the "
            "network or the file system. Query the local data only.")
    if mentions_forbidden(text):
        why = ambiguity(text)
        if why is not None:
            raise UnverifiableQueryError(
                f"The query contains the letters of SERVICE or LOAD and {why}, so it cannot "
                "be shown to stay local; it is refused. Write keywords and names plainly "
                "(no \\u escapes, no lone carriage returns, spaces between words).")
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
           "UnverifiableQueryError", "ambiguity", "check", "check_limits", "decode_escapes",
           "digest", "keywords", "lex", "mentions_forbidden", "shape", "tokens"]
