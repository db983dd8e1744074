"""Readable SPARQL syntax errors for people, shared by the command line and the server.

pyoxigraph reports a parse error as `error at LINE:COLUMN: expected one of ...` followed by the
grammar's alternatives, including Unicode character ranges such as `'\\u{00C0}'..='\\u{00D6}'`.
That list helps nobody; this module turns it into a short sentence ("unknown prefix `esf:`;
predeclared are ...", "expected `}`") and keeps the position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_POSITION = re.compile(r"error at (\d+):(\d+)")
#: A literal token of the grammar in pyoxigraph's list: "}" or "OPTIONAL".
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)+)"')
_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.\-]*)?:")
#: A prefixed name (prefix part only): not inside an IRI, not a variable.
_PNAME = re.compile(r"(?<![\w<?$:/#\-.])([A-Za-z][\w\-.]*)?:(?![/])")
_BLANK = re.compile(r"[^\n]")
#: Keywords pyoxigraph lists when a group pattern cannot continue: naming them misleads.
_GROUP_WORDS = {"OPTIONAL", "LATERAL", "SERVICE", "MINUS", "GRAPH", "FILTER", "BIND", "VALUES"}


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a query fails to parse and a one-line human explanation of why."""

    line: int | None
    column: int | None
    message: str

    def render(self, sparql: str) -> str:
        """'SPARQL syntax error at line L, column C: message' plus the line with a caret."""
        if self.line is None or self.column is None:
            return f"SPARQL syntax error: {self.message}"
        lines = sparql.splitlines()
        shown = ""
        if 1 <= self.line <= len(lines):
            shown = f"\n  {lines[self.line - 1]}\n  {' ' * max(self.column - 1, 0)}^"
        return (f"SPARQL syntax error at line {self.line}, column {self.column}: "
                f"{self.message}{shown}")


def _masked(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked (same length, same line breaks).

    The tokens are the guard's (esfgraph.guard.lex), read in linear time; a lazy pattern per
    string made hostile texts quadratic.
    """
    from esfgraph.guard import lex

    parts: list[str] = []
    done = 0
    for kind, start, end in lex(sparql):
        if kind in ("string", "iri", "comment"):
            parts.append(sparql[done:start])
            parts.append(_BLANK.sub(" ", sparql[start:end]))
            done = end
    parts.append(sparql[done:])
    return "".join(parts)


def _after_prefix_keyword(masked: str, start: int) -> bool:
    """True when `PREFIX` (and only blanks) stands right before `start`: a declaration.

    Walks back over the blanks only, so asking it for every name of a text stays linear
    (a `PREFIX\\s*$` search over the text before each name was quadratic).
    """
    j = start
    while j > 0 and masked[j - 1].isspace():
        j -= 1
    return masked[max(0, j - 6):j].upper() == "PREFIX"


def _offset(sparql: str, line: int, column: int) -> int:
    lines = sparql.split("\n")
    before = sum(len(text) + 1 for text in lines[: max(line - 1, 0)])
    return min(len(sparql), before + max(column - 1, 0))


def _unknown_prefix(masked: str, upto: int, prefixes: Mapping[str, str]) -> str | None:
    """The first prefix used before `upto` that is neither declared nor predeclared."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(masked)} | set(prefixes)
    for match in _PNAME.finditer(masked[: upto + 1]):
        start = match.start()
        if _after_prefix_keyword(masked, start):
            continue
        name = match.group(1) or ""
        if name not in declared:
            return name
    return None


def _first_use(masked: str, prefix: str) -> int:
    for match in _PNAME.finditer(masked):
        if (match.group(1) or "") == prefix and not _after_prefix_keyword(masked,
                                                                           match.start()):
            return match.start()
    return 0


def with_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """`sparql` with PREFIX lines for the predeclared prefixes it uses but does not declare.

    For engines that have no `prefixes=` argument (a remote endpoint); one line is added in
    front, so positions in the remote's error messages move down by one line.
    """
    masked = _masked(sparql)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(masked)}
    used = {m.group(1) or "" for m in _PNAME.finditer(masked)
            if not _after_prefix_keyword(masked, m.start())}
    missing = sorted(p for p in used - declared if p in prefixes)
    if not missing:
        return sparql
    return " ".join(f"PREFIX {p}: <{prefixes[p]}>" for p in missing) + "\n" + sparql


def _unclosed(masked: str) -> tuple[str, int] | None:
    """The last bracket left open at the end of the text, with its offset."""
    stack: list[tuple[str, int]] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    for pos, char in enumerate(masked):
        if char in "{([":
            stack.append((char, pos))
        elif char in pairs and stack and stack[-1][0] == pairs[char]:
            stack.pop()
    return stack[-1] if stack else None


def _position(masked: str, offset: int) -> tuple[int, int]:
    line = masked.count("\n", 0, offset) + 1
    return line, offset - (masked.rfind("\n", 0, offset) + 1) + 1


def explain(error: str, sparql: str, prefixes: Mapping[str, str] | None = None) -> SyntaxProblem:
    """Turn pyoxigraph's SyntaxError text into a position and a short message.

    Args:
        error: `str()` of the SyntaxError.
        sparql: the query text that failed.
        prefixes: the predeclared prefixes (named in the unknown-prefix message).
    """
    prefixes = prefixes or {}
    match = _POSITION.search(error)
    if not match:
        first = error.strip().splitlines()[0] if error.strip() else "the query does not parse"
        return SyntaxProblem(None, None, first[:300])
    line, column = int(match.group(1)), int(match.group(2))
    detail = error[match.end():].strip(" :\n")
    masked = _masked(sparql)
    offset = _offset(sparql, line, column)
    # pyoxigraph often reports an unknown prefix at a later position, or not by name
    unknown = _unknown_prefix(masked, len(masked), prefixes)
    if unknown is not None or "prefix not found" in detail.lower():
        known = ", ".join(f"{p}:" for p in sorted(prefixes)) or "none"
        if unknown is not None:
            line, column = _position(masked, _first_use(masked, unknown))
        shown = f"`{unknown}:`" if unknown is not None else "used here"
        return SyntaxProblem(line, column, f"unknown prefix {shown}; declare it with PREFIX "
                                           f"(predeclared are {known})")
    tokens = [t.replace('\\"', '"') for t in _QUOTED.findall(detail)]
    at_end = not masked[offset:].strip()
    if at_end:
        open_bracket = _unclosed(masked)
        if open_bracket is not None:
            closer = {"{": "}", "(": ")", "[": "]"}[open_bracket[0]]
            o_line, o_col = _position(masked, open_bracket[1])
            return SyntaxProblem(line, column, f"the query ends too early: expected `{closer}` "
                                               f"to close the `{open_bracket[0]}` at line "
                                               f"{o_line}, column {o_col}")
    words = detail.replace("expected one of", "").replace("expected", "")
    named = [w for w in re.findall(r"\b[A-Z][A-Z_]{2,}\b", _QUOTED.sub("", words))]
    options = list(dict.fromkeys(tokens + named))
    if "[" in detail and "'" in detail:  # a character class: some name or number would do
        options.append("a name")
    if not options:
        return SyntaxProblem(line, column, "unexpected text here")
    if set(options) <= _GROUP_WORDS:  # the pattern before this point could not be completed
        return SyntaxProblem(line, column, "the graph pattern cannot be read from here on (an "
                                           "incomplete triple, FILTER or expression?)")
    found = sparql[offset: offset + 12].split("\n")[0].strip()
    seen = f" (found `{found}`)" if found else " (the query ends here)"
    if len(options) == 1:
        wanted = f"`{options[0]}`" if options[0] != "a name" else "a name"
        return SyntaxProblem(line, column, f"expected {wanted}{seen}")
    listed = ", ".join(o if o == "a name" else f"`{o}`" for o in options[:12])
    return SyntaxProblem(line, column, f"expected one of {listed}{seen}")


__all__ = ["SyntaxProblem", "explain", "with_prefixes"]
