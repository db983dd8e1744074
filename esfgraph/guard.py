"""Refuse unsafe SPARQL before it runs: pyoxigraph would fetch `SERVICE` and `LOAD` IRIs itself.

Two independent readings of the query must both find it safe (the parse is skipped only when
the letters S-E-R-V-I-C-E and L-O-A-D appear nowhere in the text, so no reading could find them):

1. rdflib's SPARQL parser builds the parse tree and we walk it for `ServiceGraphPattern` and
   `Load` nodes (a real grammar, so text inside strings, IRIs or comments cannot fool it);
2. a small SPARQL tokenizer (strings, IRIs, comments, variables and prefixed names are single
   tokens; `\\uXXXX` escapes are decoded first, as SPARQL 1.1 §19.2 says) looks for the bare
   keywords `SERVICE` and `LOAD`. It also works for syntax rdflib does not know (pyoxigraph
   accepts a few SPARQL 1.2 forms), so an unparsable-by-rdflib query is still checked.

The tokenizer also tells the form of the query (SELECT/ASK/CONSTRUCT/DESCRIBE or an update) and
whether it names its own dataset with `FROM`/`FROM NAMED`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from esfgraph.errors import QueryError

#: Keywords that make pyoxigraph reach out to the network or the file system.
FORBIDDEN = frozenset({"SERVICE", "LOAD"})
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
#: Deeper nesting of { ( [ than this is refused before parsing (parsers recurse per level).
MAX_DEPTH = 256
#: Keywords of queries that scan and aggregate (they go to the "heavy" lane of the worker pool).
HEAVY_WORDS = frozenset({"GROUP", "ORDER", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE",
                         "GROUP_CONCAT", "DISTINCT", "REDUCED", "HAVING", "REGEX", "CONTAINS",
                         "MINUS", "EXISTS"})
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                          "ADD", "WITH"})

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
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryShape:
    """What the tokenizer learned about a query text."""

    form: str | None            # SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE or None (unknown)
    has_dataset_clause: bool    # FROM / FROM NAMED present
    forbidden: tuple[str, ...]  # forbidden keywords found (upper case)
    depth: int = 0              # deepest nesting of { ( [
    heavy: bool = False         # aggregates, sorting or text search: likely a long scan


def _decode_escapes(text: str) -> str:
    """Apply SPARQL codepoint escapes everywhere, as the spec does before parsing."""

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(repl, text)


def _scan(text: str) -> tuple[list[str], int]:
    """Bare keywords (upper-cased, in order) and the deepest bracket nesting of a SPARQL text."""
    words: list[str] = []
    depth = deepest = 0
    for match in _TOKEN.finditer(_decode_escapes(text)):
        kind = match.lastgroup
        if kind == "word":
            words.append(match.group().upper())
        elif kind == "other":
            char = match.group()
            if char in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "})]":
                depth -= 1
    return words, deepest


def keywords(text: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased, in order (not in strings, IRIs, names)."""
    return _scan(text)[0]


@lru_cache(maxsize=4096)
def shape(text: str) -> QueryShape:
    """Tokenize `text` and report its form, dataset clause and forbidden keywords."""
    words, depth = _scan(text)
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
    return QueryShape(form, "FROM" in words, forbidden, depth, heavy)


def _tree_has(node: Any, names: frozenset[str], depth: int = 0) -> set[str]:
    """Names of rdflib parse-tree nodes in `names` found anywhere below `node`."""
    found: set[str] = set()
    stack = [node]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
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


@lru_cache(maxsize=4096)
def _rdflib_forbidden(text: str, update: bool) -> tuple[str, ...] | None:
    """Forbidden operations in rdflib's parse tree, or None when rdflib cannot parse the text."""
    try:
        if update:
            from rdflib.plugins.sparql.parser import parseUpdate

            tree = parseUpdate(text)
        else:
            from rdflib.plugins.sparql.parser import parseQuery

            tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - any parser failure means "rdflib cannot tell"
        return None
    found = _tree_has(tree, frozenset({"ServiceGraphPattern", "Load"}))
    return tuple(sorted({"SERVICE" if n == "ServiceGraphPattern" else "LOAD" for n in found}))


def _mentions_forbidden(text: str) -> bool:
    """Whether the letters of a forbidden keyword appear anywhere at all (in any token).

    When they do not, no lexer or parser can find the keyword, so the (slower) rdflib parse is
    skipped; when they do, even inside a string or IRI, the full parse runs.
    """
    folded = _decode_escapes(text).casefold()
    return any(word.casefold() in folded for word in FORBIDDEN)


def check(text: str, *, update: bool = False) -> QueryShape:
    """Return the shape of a safe query; raise `UnsafeQueryError` for SERVICE or LOAD.

    Raises:
        UnsafeQueryError: the query asks to fetch a remote or local resource.
    """
    info = shape(text)
    if info.depth > MAX_DEPTH:
        raise QueryTooComplexError(
            f"The query nests brackets {info.depth} levels deep; the limit is {MAX_DEPTH}.")
    refused = set(info.forbidden)
    if _mentions_forbidden(text):
        refused.update(_rdflib_forbidden(text, update) or ())
    if refused:
        words = " and ".join(sorted(refused))
        raise UnsafeQueryError(
            f"{words} is not allowed on this endpoint: it would make the server fetch data "
            "from the network or the file system. Query the local data only."
        )
    return info


class UnsafeQueryError(QueryError):
    """The query uses an operation this endpoint refuses (SERVICE, LOAD)."""


class QueryTooComplexError(QueryError):
    """The query is nested too deeply to parse safely."""


__all__ = ["FORBIDDEN", "MAX_DEPTH", "QueryShape", "QueryTooComplexError", "UnsafeQueryError",
           "check", "keywords", "shape"]
