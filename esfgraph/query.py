"""Run SPARQL on the store: bind parameters, refuse SERVICE unless allowed, format, cache.

Formats: SELECT/ASK → ``table`` (readable), ``json``, ``csv``, ``tsv``, ``xml`` (the SPARQL 1.1
result formats, written by pyoxigraph); CONSTRUCT/DESCRIBE → ``turtle``, ``json-ld``, ``nt``,
``xml`` (RDF/XML). Results are cached per store version: the key is (build id, query, params,
format), and a build makes a new version, so every build invalidates the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from esfgraph.errors import QueryError, QuerySyntaxError, ServiceNotAllowedError
from esfgraph.namespaces import PREFIXES
from esfgraph.queries import NamedQuery, Param

SOLUTION_FORMATS = ("table", "json", "csv", "tsv", "xml")
GRAPH_FORMATS = ("turtle", "json-ld", "nt", "xml")
ALL_FORMATS = ("table", "json", "csv", "tsv", "xml", "turtle", "json-ld", "nt")

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "json-ld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
}
#: Results bigger than this are not cached.
CACHE_MAX_BYTES = 8 * 1024 * 1024
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class QueryOutput:
    """A formatted result: the bytes, the query form and format used, and cache status."""

    data: bytes
    form: str  # "select" | "ask" | "graph"
    fmt: str
    cached: bool = False
    rows: int | None = None


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def uses_service(sparql: str) -> bool:
    """True when the query has a SERVICE clause, or may have one the guard cannot rule out.

    esfgraph.guard decides (fail closed), reading the text by pyoxigraph's lexical rules: a
    query with the letters S-E-R-V-I-C-E (or L-O-A-D) runs only when that reading finds no
    such keyword and nothing on which two readers could split (escapes, lone carriage returns,
    quotes in IRIs, a keyword glued to a name). Text inside strings, IRIs and comments is never
    mistaken for a clause.
    """
    from esfgraph import guard

    try:
        guard.check(sparql)
    except guard.UnsafeQueryError:
        return True
    except guard.QueryTooComplexError:
        return False  # not a SERVICE question; the limit is reported when it runs
    return False


_MASKED = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                     r'|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}]*>|#[^\n]*')


def _mask(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked out (same length, same offsets)."""
    return _MASKED.sub(lambda m: " " * len(m.group(0)), sparql)


def inject_values(sparql: str, params: Mapping[str, Any]) -> str:
    """Bind parameters with a VALUES block at the start of the query's WHERE group.

    pyoxigraph's `substitutions=` only binds a variable in the result, not inside FILTERs, so
    the runner writes `VALUES ?name { term }` into the outermost group instead: every pattern
    and FILTER of that group then sees the value.

    Raises:
        QueryError: the query has no WHERE group to bind parameters in.
    """
    if not params:
        return sparql
    masked = _mask(sparql)
    match = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE) or re.search(r"\{", masked)
    if match is None:
        raise QueryError("parameters need a query with a WHERE { ... } group")
    at = match.end()
    block = " ".join(f"VALUES ?{name} {{ {_sparql_term(term)} }}" for name, term in params.items())
    return f"{sparql[:at]} {block} {sparql[at:]}"  # same line: error positions stay right


def _sparql_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        text = term.value.translate(str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n",
                                                   "\r": "\\r"}))
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^<{term.datatype.value}>'
    raise QueryError(f"cannot bind {term!r} as a parameter")


def syntax_error(exc: SyntaxError, sparql: str) -> QuerySyntaxError:
    """Turn pyoxigraph's SyntaxError into a short message with line, column and the line itself
    (never the grammar's list of character ranges; see esfgraph.sparql_errors)."""
    from esfgraph.sparql_errors import explain

    problem = explain(str(exc), sparql, PREFIXES)
    return QuerySyntaxError(problem.render(sparql), problem.line, problem.column)


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def parse_params(pairs: list[str]) -> dict[str, str]:
    """`["k=v", ...]` → `{"k": "v"}`.

    Raises:
        QueryError: a pair without `=` or with a name that is not a SPARQL variable name.
    """
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not _VARNAME.match(name):
            raise QueryError(f"--param needs NAME=VALUE with a plain variable name, got {pair!r}")
        out[name] = value
    return out


def bind_params(values: Mapping[str, str], declared: tuple[Param, ...] = ()
                ) -> dict[str, Any]:
    """Typed pyoxigraph terms for parameter values (declared datatypes, or guessed).

    A declared `xsd:date` parameter must be a valid ISO date; `iri` parameters and values
    written `<...>` become IRIs; other undeclared values are plain strings.

    Raises:
        QueryError: a value that does not fit its declared type, or an unknown parameter name.
    """
    types = {p.name: p.datatype for p in declared}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if declared and name not in types:
            known = ", ".join(types) or "(none)"
            raise QueryError(f"unknown parameter {name!r}; this query takes: {known}")
        out[name] = _term(name, raw, types.get(name))
    for param in declared:
        if param.name not in out and param.default is not None:
            out[param.name] = _term(param.name, param.default, param.datatype)
    return out


def _term(name: str, raw: str, datatype: str | None) -> Any:
    dt_name = (datatype or "").split(":")[-1].lower()
    try:
        if dt_name == "iri" or (datatype is None and raw.startswith("<") and raw.endswith(">")):
            return ox.NamedNode(raw.strip("<>"))
        if dt_name == "date":
            dt.date.fromisoformat(raw)
            return ox.Literal(raw, datatype=ox.NamedNode(_XSD + "date"))
        if dt_name in ("integer", "int"):
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(_XSD + "integer"))
        if dt_name == "decimal":
            float(raw)
            return ox.Literal(raw, datatype=ox.NamedNode(_XSD + "decimal"))
        if dt_name in ("", "string"):
            return ox.Literal(raw)
        return ox.Literal(raw, datatype=ox.NamedNode(_XSD + dt_name))
    except ValueError as exc:
        raise QueryError(f"parameter {name}={raw!r} is not a valid {datatype or 'value'} "
                         f"(e.g. 2012-06-30 for a date)") from exc


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


class ResultCache:
    """Formatted results of one store version: in memory (LRU) and on disk in its cache dir."""

    def __init__(self, directory: Path | None, max_items: int = 256) -> None:
        self.directory = directory
        self.max_items = max_items
        self.memory: OrderedDict[str, bytes] = OrderedDict()

    @staticmethod
    def key(build_id: str, sparql: str, params: Mapping[str, Any], fmt: str,
            allow_service: bool) -> str:
        items = sorted((k, str(v)) for k, v in params.items())
        blob = json.dumps([build_id, sparql, items, fmt, allow_service], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> bytes | None:
        if key in self.memory:
            self.memory.move_to_end(key)
            return self.memory[key]
        if self.directory is not None:
            try:
                data = (self.directory / key).read_bytes()
            except OSError:
                return None
            self._remember(key, data)
            return data
        return None

    def put(self, key: str, data: bytes) -> None:
        if len(data) > CACHE_MAX_BYTES:
            return
        self._remember(key, data)
        if self.directory is None:
            return
        try:
            self.directory.mkdir(exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}"
            tmp.write_bytes(data)
            os.replace(tmp, self.directory / key)
        except OSError:
            pass  # a read-only store still answers, only without a disk cache

    def _remember(self, key: str, data: bytes) -> None:
        self.memory[key] = data
        self.memory.move_to_end(key)
        while len(self.memory) > self.max_items:
            self.memory.popitem(last=False)


_CACHES: dict[str, ResultCache] = {}


def cache_for(store: Any) -> ResultCache:
    """The result cache of a store version (shared by every query in this process)."""
    key = str(store.version)
    if key not in _CACHES:
        _CACHES[key] = ResultCache(store.cache_dir)
    return _CACHES[key]


# --------------------------------------------------------------------------------------------
# Running and formatting
# --------------------------------------------------------------------------------------------


def check_query(sparql: str, *, allow_service: bool = False) -> None:
    """Refuse what the guard refuses before anything runs (limits always; SERVICE unless allowed).

    Raises:
        QueryError: over a size, nesting or operator limit (pyoxigraph would crash).
        ServiceNotAllowedError: SERVICE used, or possibly used, without `allow_service`.
    """
    from esfgraph import guard

    guard.check_limits(sparql)
    if not allow_service and uses_service(sparql):
        raise ServiceNotAllowedError(
            "the query uses SERVICE to call another endpoint (or contains the letters of SERVICE "
            "in a form the guard cannot rule out: \\u escapes, a lone carriage return, a quote "
            "in an IRI, a keyword glued to a name); add --allow-service to permit it")


def _evaluate(ox_store: Any, text: str, sparql: str, fmt: str | None, tty: bool) -> QueryOutput:
    try:
        result = ox_store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise syntax_error(exc, sparql) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the query failed: {exc}") from exc
    return format_result(result, fmt, tty=tty)


def run_isolated(db_path: Path, text: str, sparql: str, fmt: str | None, tty: bool,
                 allow_service: bool) -> QueryOutput:
    """Evaluate in a forked child that has no network (unless `allow_service`).

    A query that crashes pyoxigraph (a stack overflow in its parser) kills only the child; the
    caller gets a `QueryError` instead of a segmentation fault.
    """
    import pickle

    from esfgraph.sandbox import deny_network, die_with_parent

    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            die_with_parent(parent)
            if not allow_service:
                deny_network()
            try:
                output = _evaluate(ox.Store.read_only(str(db_path)), text, sparql, fmt, tty)
                message: tuple[Any, ...] = ("ok", output.data, output.form, output.fmt,
                                            output.rows)
            except QuerySyntaxError as exc:
                message = ("syntax", str(exc), exc.line, exc.column)
            except QueryError as exc:
                message = ("error", str(exc))
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                message = ("error", f"the query failed: {type(exc).__name__}: {exc}")
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(message, pipe)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        why = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise QueryError(f"the query crashed the query process ({why}); it is probably too "
                         "deeply nested or too large: simplify it")
    message = pickle.loads(data)  # noqa: S301 - our own child's pipe
    if message[0] == "ok":
        return QueryOutput(message[1], message[2], message[3], rows=message[4])
    if message[0] == "syntax":
        raise QuerySyntaxError(message[1], message[2], message[3])
    raise QueryError(message[1])


def run_query(store: Any, sparql: str, *, params: Mapping[str, Any] | None = None,
              fmt: str | None = None, tty: bool = False, allow_service: bool = False,
              use_cache: bool = True, isolate: bool = True) -> QueryOutput:
    """Run SPARQL on an open `esfgraph.store.Store` and format the result.

    Args:
        store: the open store.
        sparql: the query text (the usual prefixes esf:, schema:, ... are predeclared).
        params: variable name → pyoxigraph term (see `bind_params`).
        fmt: output format; None picks `table` on a terminal (`tty`), else `csv` for
            SELECT/ASK, and `turtle` for CONSTRUCT/DESCRIBE.
        allow_service: let SERVICE clauses call remote endpoints.
        use_cache: answer a repeated query on an unchanged store from the result cache.
        isolate: evaluate in a forked child without network (`run_isolated`); False runs it
            in this process (for callers that are already such a child).

    Raises:
        QuerySyntaxError: the query does not parse (line and column in the message).
        ServiceNotAllowedError: SERVICE used without `allow_service`.
        QueryError: a format that does not fit the query form, or an evaluation error.
    """
    params = dict(params or {})
    if fmt is not None and fmt not in ALL_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(ALL_FORMATS)}")
    cache = cache_for(store) if use_cache else None
    key = ""
    if cache is not None:
        key = ResultCache.key(store.build_id, sparql, params,
                              f"{fmt or ''}|tty={tty}", allow_service)
        hit = cache.get(key)
        if hit is not None:
            form, _, data = hit.partition(b"\n")
            name, _, used = form.decode().partition(" ")
            return QueryOutput(data, name, used, cached=True)
    check_query(sparql, allow_service=allow_service)
    text = inject_values(sparql, params)
    if isolate:
        output = run_isolated(store.db_path, text, sparql, fmt, tty, allow_service)
    else:
        output = _evaluate(store.ox, text, sparql, fmt, tty)
    if cache is not None:
        cache.put(key, f"{output.form} {output.fmt}\n".encode() + output.data)
    return output


def format_result(result: Any, fmt: str | None, *, tty: bool = False) -> QueryOutput:
    """Serialise a pyoxigraph query result in `fmt` (see `run_query` for the defaults)."""
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = fmt or ("table" if tty else "csv")
            if fmt == "table":
                return QueryOutput(b"true\n" if bool(result) else b"false\n", "ask", fmt)
            _check(fmt, SOLUTION_FORMATS, "ASK")
            return QueryOutput(result.serialize(format=_RESULT_FORMATS[fmt]), "ask", fmt)
        if isinstance(result, ox.QuerySolutions):
            fmt = fmt or ("table" if tty else "csv")
            _check(fmt, SOLUTION_FORMATS, "SELECT")
            if fmt == "table":
                text, rows = render_table(result)
                return QueryOutput(text.encode("utf-8"), "select", fmt, rows=rows)
            return QueryOutput(result.serialize(format=_RESULT_FORMATS[fmt]), "select", fmt)
        fmt = fmt or "turtle"
        if fmt == "table":
            fmt = "turtle"
        _check(fmt, GRAPH_FORMATS, "CONSTRUCT/DESCRIBE")
        if fmt == "json-ld":
            return QueryOutput(_jsonld(result), "graph", fmt)
        kwargs = {"prefixes": PREFIXES} if fmt in ("turtle", "xml") else {}
        data = ox.serialize(result, None, _RDF_FORMATS[fmt], **kwargs)
        return QueryOutput(data, "graph", fmt)
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"the query failed while running: {exc}") from exc


def _jsonld(triples: Any) -> bytes:
    """JSON-LD with the package context (short keys) when available, else expanded."""
    try:
        from esfgraph.jsonld import write_jsonld
    except ImportError:
        return ox.serialize(triples, None, ox.RdfFormat.JSON_LD)
    import io

    buffer = io.BytesIO()
    write_jsonld(triples, buffer)
    return buffer.getvalue()


def _check(fmt: str, allowed: tuple[str, ...], form: str) -> None:
    if fmt not in allowed:
        raise QueryError(f"{form} results cannot be written as {fmt}; "
                         f"choose one of {', '.join(allowed)}")


def short(term: Any) -> str:
    """A readable cell: prefixed names for vocabulary IRIs, bare values for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, ns in _SORTED_PREFIXES:
            if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_.\-/]*", iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return iri
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


_SORTED_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def render_table(solutions: Any, max_width: int = 70) -> tuple[str, int]:
    """A plain-text table of SELECT solutions with a row count; numbers right-aligned."""
    names = [v.value for v in solutions.variables]
    rows: list[list[str]] = []
    numeric = [True] * len(names)
    for solution in solutions:
        row = []
        for i, name in enumerate(names):
            term = solution[name]
            cell = short(term).replace("\n", " ")
            if len(cell) > max_width:
                cell = cell[: max_width - 1] + "…"
            if term is not None and not (isinstance(term, ox.Literal) and
                                         _is_number(term)):
                numeric[i] = False
            row.append(cell)
        rows.append(row)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return " | ".join(parts).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n", len(rows)


def _is_number(term: Any) -> bool:
    return term.datatype.value.removeprefix(_XSD) in (
        "integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")


def run_named(store: Any, query: NamedQuery, values: Mapping[str, str] | None = None,
              **kwargs: Any) -> QueryOutput:
    """Run a ready-made query with its parameters bound (defaults where not given)."""
    return run_query(store, query.sparql, params=bind_params(values or {}, query.params),
                     **kwargs)


__all__ = [
    "ALL_FORMATS",
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "QueryOutput",
    "QuerySyntaxError",
    "ResultCache",
    "ServiceNotAllowedError",
    "bind_params",
    "format_result",
    "inject_values",
    "parse_params",
    "render_table",
    "run_named",
    "run_query",
    "uses_service",
]
