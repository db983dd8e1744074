"""Readable SPARQL syntax errors for people, shared by the command line and the server.

pyoxigraph reports a parse error as `error at LINE:COLUMN: expected one of ...` followed by the
grammar's alternatives, including Unicode character ranges such as `'\\u{00C0}'..='\\u{00D6}'`.
That list helps nobody; this module turns it into a short sentence ("unknown prefix `esf:`;
predeclared are ...", "expected `}`") and keeps the position.
"""

from __future__ import annotations

import gc
import itertools
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
    offset = _offset(sparql, line, column)
    # an unknown prefix is reported by the older check below, by name
    found = None if "prefix not found" in detail.lower() else diagnose(sparql, offset, detail)
    if found is not None:
        where, message = found
        return SyntaxProblem(*_line_col(sparql, where), message)
    masked = _masked(sparql)
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
    # only real keywords: the grammar's character ranges read like words too (`FDCF`, `FFFD`)
    named = [w for w in re.findall(r"\b[A-Z][A-Z_]{2,}\b", _QUOTED.sub("", words))
             if w in KEYWORDS]
    if len(set(named) & FUNCTIONS) >= 3:  # a list of built-in functions: any expression
        return SyntaxProblem(line, column, "expected an expression here (a variable, a value or "
                                           "a function call)" + _found(sparql, offset))
    options = list(dict.fromkeys(tokens + named))
    if "[" in detail and "'" in detail:  # a character class: some name or number would do
        options.append("a name")
    if not options:
        return SyntaxProblem(line, column, "unexpected text here")
    if set(options) <= _GROUP_WORDS:  # the pattern before this point could not be completed
        return SyntaxProblem(line, column, "the graph pattern cannot be read from here on (an "
                                           "incomplete triple, FILTER or expression?)")
    seen = _found(sparql, offset)
    if len(options) == 1:
        wanted = f"`{options[0]}`" if options[0] != "a name" else "a name"
        return SyntaxProblem(line, column, f"expected {wanted}{seen}")
    listed = ", ".join(o if o == "a name" else f"`{o}`" for o in options[:12])
    return SyntaxProblem(line, column, f"expected one of {listed}{seen}")



# ---------------------------------------------------------------------------------- diagnosis
# pyoxigraph reports where its grammar gave up (often the end of the query) and what it could
# have accepted there; the mistake is usually earlier. `diagnose` reads the query's tokens once
# and names the first mistake it recognises, at its own place, in the user's words.

#: SPARQL 1.1 / 1.2 keywords and built-in function names (upper case).
FUNCTIONS = frozenset(["STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "SUBSTR", "STRLEN", "REPLACE", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "EXISTS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "LANGDIR", "HASLANG", "HASLANGDIR", "STRLANGDIR", "ADJUST"])
KEYWORDS = FUNCTIONS | frozenset(["BASE", "PREFIX", "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "ORDER", "BY", "ASC", "DESC", "LIMIT", "OFFSET", "DISTINCT", "REDUCED", "OPTIONAL", "UNION", "MINUS", "GRAPH", "FILTER", "BIND", "VALUES", "AS", "GROUP", "HAVING", "NOT", "IN", "UNDEF", "SERVICE", "SILENT", "A", "TRUE", "FALSE", "INSERT", "DELETE", "DATA", "WITH", "USING", "DEFAULT", "ALL", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INTO", "TO", "LATERAL", "SEPARATOR", "VERSION"])
QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                          "COPY", "WITH"})
_TERMS = frozenset({"var", "iri", "pname", "string", "number", "bnode"})

#: One pass, no backtracking across tokens: a prefixed name's prefix has no dots here (a dotted
#: prefix would make `a.a.a…` rescan the rest at every `a`), strings stop at a line end.
_TOKEN = re.compile(r"""
 (?P<ws>\s+)
|(?P<comment>\#[^\n\r]*)
|(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
    |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
|(?P<badstring>["'])
|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
|(?P<bnode>_:[A-Za-z0-9_\-\u00C0-\uFFFF]*)
|(?P<pname>(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_\-\u00B7\u00C0-\uFFFF]*)?:(?:[A-Za-z0-9_\-.:%\u00B7\u00C0-\uFFFF]|\\.)*)
|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
|(?P<word>[A-Za-z_][A-Za-z0-9_]*)
|(?P<op>\^\^|&&|\|\||!=|<=|>=|[<>=!+\-*/^|])
|(?P<punct>[{}()\[\],;.])
|(?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    at: int

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _lex(sparql: str) -> list[_Tok]:
    # a 1 MB query is 500k tokens: with the cyclic collector running, its full collections
    # rescan every token made so far and the cost grows faster than the text (CPython 3.11)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lex_all(sparql)
    finally:
        if enabled:
            gc.enable()


def _lex_all(sparql: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        text = m.group(0)
        if kind == "pname" and text.endswith(".") and len(text) > 1:
            stripped = text.rstrip(".")  # a local name never ends with `.`: it ends the triple
            out.append(_Tok(kind, stripped, m.start()))
            for i in range(len(stripped), len(text)):
                out.append(_Tok("punct", ".", m.start() + i))
            continue
        out.append(_Tok(kind, text, m.start()))
    return out


def _line_col(sparql: str, offset: int) -> tuple[int, int]:
    line = sparql.count("\n", 0, offset) + 1
    return line, offset - (sparql.rfind("\n", 0, offset) + 1) + 1


def _found(sparql: str, offset: int) -> str:
    shown = sparql[offset: offset + 12].split("\n")[0].strip()
    return f" (found `{shown}`)" if shown else " (the query ends here)"


def _suggest(word: str) -> str:
    import difflib

    close = difflib.get_close_matches(word.upper(), sorted(KEYWORDS - {"A"}), n=1, cutoff=0.7)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _select_clause(toks: list[_Tok]) -> list[_Tok]:
    """The tokens between SELECT and WHERE (or the first `{`) of the outermost SELECT."""
    start = next((i for i, t in enumerate(toks) if t.up == "SELECT"), None)
    if start is None:
        return []
    out: list[_Tok] = []
    for tok in toks[start + 1:]:
        if tok.up in ("WHERE", "FROM") or tok.text == "{":
            break
        out.append(tok)
    return out


def _projection(clause: list[_Tok]) -> tuple[list[_Tok], list[tuple[_Tok, int]]]:
    """(plain variables, (variable after AS, index in clause)) of a SELECT clause."""
    plain: list[_Tok] = []
    named: list[tuple[_Tok, int]] = []
    depth = 0
    for i, tok in enumerate(clause):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        elif tok.kind == "var" and depth == 0:
            plain.append(tok)
        elif tok.kind == "var" and i > 0 and clause[i - 1].up == "AS":
            named.append((tok, i))
    return plain, named


def _var(tok: _Tok) -> str:
    return tok.text[1:]


def _semantic(sparql: str, toks: list[_Tok], detail: str) -> tuple[int, str] | None:
    """Errors the grammar reports by name once the whole query was read."""
    clause = _select_clause(toks)
    plain, named = _projection(clause)
    if "overrides an existing variable" in detail:
        where_vars = {_var(t) for t in toks[len(clause):] if t.kind == "var"}
        for tok, _ in named:
            if _var(tok) in where_vars:
                return tok.at, (f"`{tok.text}` is already a variable of the query, so "
                                f"`(… AS {tok.text})` cannot give it a new value; choose another "
                                "name for the expression")
        if named:
            tok = named[0][0]
            return tok.at, f"`{tok.text}` cannot be bound by AS: the name is taken"
    if "Duplicated variable name in SELECT" in detail:
        seen: set[str] = set()
        for tok in sorted([*plain, *(t for t, _ in named)], key=lambda t: t.at):
            if _var(tok) in seen:
                return tok.at, f"`{tok.text}` is selected twice; name each column once"
            seen.add(_var(tok))
    if "SELECT * is not authorized with GROUP BY" in detail:
        star = next((t for t in clause if t.text == "*"), None)
        return (star.at if star else 0), ("`SELECT *` cannot be used with GROUP BY: list the "
                                          "grouped variables and aggregates instead, e.g. "
                                          "`SELECT ?s (COUNT(*) AS ?n)`")
    if "contains a variable that is unbound" in detail:
        grouped = _grouped(toks)
        for tok in plain:
            if _var(tok) not in grouped:
                how = ("is not in GROUP BY" if grouped or _has_group_by(toks)
                       else "is selected beside an aggregate")
                return tok.at, (f"`{tok.text}` {how}: with GROUP BY or an aggregate such as "
                                "COUNT, every selected variable must be grouped (GROUP BY "
                                f"{tok.text}) or aggregated (e.g. (SAMPLE({tok.text}) AS "
                                f"?{_var(tok)}1))")
        return None
    if "IRI parsing failed" in detail or "Invalid IRI" in detail:
        return None  # handled by the lexical pass (`<` … `>` with a bad character)
    return None


def _has_group_by(toks: list[_Tok]) -> bool:
    return any(a.up == "GROUP" and b.up == "BY" for a, b in itertools.pairwise(toks))


def _grouped(toks: list[_Tok]) -> set[str]:
    """Variables named in GROUP BY (plain or `(expr AS ?v)`)."""
    out: set[str] = set()
    for i in range(len(toks) - 1):
        if toks[i].up == "GROUP" and toks[i + 1].up == "BY":
            depth = 0
            for tok in toks[i + 2:]:
                if tok.text == "(":
                    depth += 1
                elif tok.text == ")":
                    depth -= 1
                elif depth == 0 and tok.kind not in ("var",) and tok.kind != "iri" \
                        and tok.kind != "pname":
                    break
                if tok.kind == "var":
                    out.add(_var(tok))
    return out


#: What a keyword needs after it, for a query that ends right after it.
_NEEDS = {"BY": "name what to group or sort by, e.g. BY ?x",
          "DESCRIBE": "name a resource or variable, e.g. DESCRIBE <http://…>",
          "WHERE": "add the graph pattern in braces, e.g. WHERE { ?s ?p ?o }",
          "SELECT": "name the variables to return (or *) and a WHERE { … }",
          "ASK": "add the graph pattern in braces, e.g. ASK { ?s ?p ?o }",
          "FILTER": "add the condition in parentheses, e.g. FILTER(?o > 1)",
          "OPTIONAL": "add a group pattern in braces, e.g. OPTIONAL { ?s ?p ?o }"}
_BINARY = frozenset({"=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/"})


def _lexical(sparql: str, toks: list[_Tok], offset: int) -> tuple[int, str] | None:
    """The first recognisable mistake at or before `offset`, scanning the tokens once."""
    depth: list[_Tok] = []  # open brackets
    callers: list[str | None] = []  # per open bracket: the built-in function it calls, if any
    modifiers: set[tuple[str, int]] = set()  # LIMIT / OFFSET seen, by nesting depth
    # the query form: skip the prologue (PREFIX name: <iri> / BASE <iri>)
    i = 0
    while i < len(toks) and toks[i].up in ("PREFIX", "BASE"):
        if toks[i].up == "PREFIX":
            name = toks[i + 1] if i + 1 < len(toks) else None
            if name is None or name.kind != "pname" or not name.text.endswith(":"):
                where = name.at if name is not None else len(sparql)
                shown = name.text if name is not None else ""
                return where, (f"PREFIX needs a name ending in a colon, then an IRI: "
                               f"`PREFIX {shown.rstrip(':') or 'ex'}: <http://…>`")
            if i + 2 >= len(toks) or toks[i + 2].kind != "iri":
                where = toks[i + 2].at if i + 2 < len(toks) else len(sparql)
                return where, f"PREFIX {name.text} needs an IRI in angle brackets: <http://…>"
            i += 3
        else:
            if i + 1 >= len(toks) or toks[i + 1].kind != "iri":
                return (toks[i + 1].at if i + 1 < len(toks) else len(sparql),
                        "BASE needs an IRI in angle brackets: <http://…>")
            i += 2
    first = toks[i] if i < len(toks) else None
    if first is None:
        return len(sparql), "the query is empty after its PREFIX lines: add SELECT, ASK, …"
    if first.up in UPDATE_WORDS:
        return first.at, (f"`{first.text}` starts a SPARQL Update, not a query: send it as "
                          "update= (or application/sparql-update) to an endpoint that allows "
                          "updates")
    if first.up not in QUERY_FORMS:
        return first.at, (f"a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE, not "
                          f"`{first.text}`{_suggest(first.text)}")
    in_select = first.up == "SELECT"
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.at > offset:
            break
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        prev = toks[j - 1] if j > 0 else None
        end = nxt is None
        if tok.kind == "badstring":
            return tok.at, (f"this string is not closed: add the closing {tok.text} on the same "
                            "line (or use ''' … ''' for text over several lines)")
        in_expression = bool(depth) and depth[-1].text == "("
        if tok.kind == "op" and tok.text == "<" and not in_expression \
                and _bad_iri(sparql, tok.at):
            return tok.at, ("this IRI has a character IRIs cannot contain (a space, \", {, }, "
                            "|, ^, ` or \\): percent-encode it, e.g. %20 for a space")
        if tok.kind == "word":
            up = tok.up
            if prev is not None and prev.kind == "lang":
                continue
            if up not in KEYWORDS and not (nxt is not None and nxt.text == "("):
                return tok.at, (f"unknown word `{tok.text}`{_suggest(tok.text)}: a variable "
                                f"needs `?` (`?{tok.text}`), a prefixed name a colon "
                                f"(`esf:{tok.text}`), a string quotes")
            if nxt is not None and nxt.up == up and up in KEYWORDS - FUNCTIONS:
                return nxt.at, f"`{up}` is written twice"
            if end and up in _NEEDS:
                return len(sparql), f"the query ends after {up}: {_NEEDS[up]}"
            if up == "FROM" and nxt is not None and nxt.kind not in ("iri", "pname") \
                    and nxt.up != "NAMED":
                return nxt.at, "FROM needs a graph IRI: FROM <http://…> (or FROM NAMED <http://…>)"
            if up in ("GROUP", "ORDER") and (nxt is None or nxt.up != "BY"):
                return (nxt.at if nxt else len(sparql)), f"{up} must be followed by BY"
            if up in ("LIMIT", "OFFSET"):
                if (up, len(depth)) in modifiers:
                    return tok.at, f"{up} is given twice; a query has at most one {up}"
                modifiers.add((up, len(depth)))
            if up in ("LIMIT", "OFFSET") and (nxt is None or nxt.kind != "number"
                                              or not nxt.text.isdigit()):
                where = nxt.at if nxt else len(sparql)
                shown = f" (found `{nxt.text}`)" if nxt else " (the query ends here)"
                return where, f"{up} needs a whole number, e.g. {up} 10{shown}"
            if up == "FILTER" and nxt is not None and nxt.kind not in ("word", "iri", "pname") \
                    and nxt.text != "(":
                return nxt.at, ("FILTER needs its condition in parentheses: "
                                f"FILTER({nxt.text} …)")
            if up == "FILTER" and nxt is not None and nxt.text == "(" and j + 2 < len(toks) \
                    and toks[j + 2].text == ")":
                return toks[j + 2].at, ("FILTER() is empty: put a condition inside, e.g. "
                                        "FILTER(?o > 1)")
            if up in ("ASC", "DESC") and (nxt is None or nxt.text != "("):
                return (nxt.at if nxt else len(sparql)), (
                    f"{up} needs parentheses: {up}({nxt.text if nxt else '?x'})")
            if up in ("UNION", "MINUS", "OPTIONAL") and (nxt is None or nxt.text != "{"):
                return (nxt.at if nxt else len(sparql)), (
                    f"{up} must be followed by a group pattern in braces: {up} {{ … }}"
                    + _found(sparql, nxt.at if nxt else len(sparql)))
            if up == "GRAPH" and nxt is not None and nxt.text == "{":
                return nxt.at, ("GRAPH needs a graph name before `{`: GRAPH ?g { … } or "
                                "GRAPH <http://…> { … }")
            if up == "AS" and (nxt is None or nxt.kind != "var"):
                return (nxt.at if nxt else len(sparql)), (
                    "AS must be followed by the new variable's name, e.g. AS ?total"
                    + _found(sparql, nxt.at if nxt else len(sparql)))
            if up == "SELECT" and nxt is not None and (nxt.up in ("WHERE", "FROM")
                                                       or nxt.text == "{"):
                return nxt.at, ("SELECT needs the variables to return (or *) before "
                                f"{nxt.text}")
            if up in ("WHERE", "FROM") or tok.text == "{":
                in_select = False
        if _is_operator(tok, prev) and (end or nxt.text in (")", "}", ",", ".", ";", "]")):
            where = nxt.at if nxt else len(sparql)
            return where, f"`{tok.text}` needs a value on its right" + _found(sparql, where)
        if in_expression and tok.kind in _TERMS and prev is not None and prev.kind in _TERMS \
                and len(depth) == len(callers) and callers[-1] is not None:
            return tok.at, (f"missing `,` between the arguments of {callers[-1]} (before "
                            f"`{tok.text}`)")
        if in_select and tok.kind == "var" and prev is not None and prev.text == ")" \
                and nxt is not None and nxt.text == ")":
            return tok.at, f"write AS before `{tok.text}`: (expression AS {tok.text})"
        if tok.text in ("{", "(", "["):
            depth.append(tok)
            callers.append(prev.up if tok.text == "(" and prev is not None and prev.up in
                           FUNCTIONS else None)
        elif tok.text in ("}", ")", "]"):
            opener = {"}": "{", ")": "(", "]": "["}[tok.text]
            if not depth:
                return tok.at, f"`{tok.text}` closes nothing: there is no `{opener}` open here"
            if depth[-1].text != opener:
                open_tok = depth[-1]
                line, col = _line_col(sparql, open_tok.at)
                closer = {"{": "}", "(": ")", "[": "]"}[open_tok.text]
                return tok.at, (f"expected `{closer}` to close the `{open_tok.text}` at line "
                                f"{line}, column {col} before this `{tok.text}`")
            depth.pop()
            callers.pop()
        if tok.text in ("}", ".") and (terms := _incomplete_triple(toks, j)):
            shown = " ".join(t.text for t in terms)
            missing = "a predicate and an object" if len(terms) == 1 else "an object"
            after = terms[-1].at + len(terms[-1].text)
            return after, (f"incomplete triple `{shown}` before `{tok.text}`: it needs "
                           f"{missing} (a triple pattern is subject, predicate, object)")
    return None


def _is_operator(tok: _Tok, prev: _Tok | None) -> bool:
    """Whether `tok` is a binary operator (not the `*` of SELECT * or COUNT(*))."""
    if tok.kind != "op" or tok.text not in _BINARY:
        return False
    star_of_a_list = tok.text == "*" and prev is not None and (
        prev.text == "(" or prev.up in ("SELECT", "DISTINCT", "REDUCED", "DESCRIBE"))
    return not star_of_a_list


def _bad_iri(sparql: str, at: int) -> bool:
    """Whether the `<` at `at` starts an IRI-looking text with a character IRIs cannot have."""
    close = sparql.find(">", at)
    line_end = sparql.find("\n", at)
    if close < 0 or (0 <= line_end < close):
        return False
    inner = sparql[at + 1: close]
    return ":" in inner and any(c in inner for c in ' "{}|^`\\')


def _incomplete_triple(toks: list[_Tok], j: int) -> list[_Tok]:
    """The one or two terms of a triple just before toks[j] (`}` or `.`), else []."""
    k = j - 1
    terms = 0
    while k >= 0 and (toks[k].kind in _TERMS or toks[k].text == "a" or toks[k].kind == "lang"):
        if toks[k].kind != "lang":
            terms += 1
        k -= 1
    if terms not in (1, 2) or k < 0:
        return []
    found = [t for t in toks[k + 1: j] if t.kind != "lang"]
    before = toks[k]
    if before.text == "{":
        # VALUES ?x { 1 2 } and the like hold values, not triples
        values = k >= 1 and (toks[k - 1].kind == "var" or toks[k - 1].text == ")"
                             or toks[k - 1].up in ("VALUES", "DESCRIBE"))
        return [] if values else found
    return found if before.text == "." and not (k >= 1 and toks[k - 1].kind == "number") \
        else []


def diagnose(sparql: str, offset: int, detail: str = "") -> tuple[int, str] | None:
    """The first mistake in `sparql` this module recognises: (offset, message), else None.

    Args:
        sparql: the query that failed to parse.
        offset: where the parser gave up (the mistake is there or before).
        detail: the parser's own message (names errors found after reading everything).
    """
    toks = _lex(sparql)
    found = _semantic(sparql, toks, detail)
    if found is not None:
        return found
    return _lexical(sparql, toks, offset)


__all__ = ["FUNCTIONS", "KEYWORDS", "SyntaxProblem", "diagnose", "explain", "with_prefixes"]
