"""`QueryResult`: what `KnowledgeGraph.query` returns (rows as dicts, DataFrames, CSV).

The query runs once per format asked for, through the same runner as `esfgraph query` (guard,
isolated child without network, result cache), so `serialize("csv")` is byte for byte what the
CLI writes with ``--format csv``. Rows are read from the SPARQL JSON results and turned into
Python values: IRIs and plain strings → `str`, xsd:integer (and its kin) → `int`, xsd:decimal
→ `decimal.Decimal` (amounts stay exact), xsd:double/float → `float`, xsd:boolean → `bool`,
xsd:date → `datetime.date`, xsd:dateTime → `datetime.datetime`, other literals → their
lexical form, blank nodes → ``"_:id"``, unbound → None.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from esfgraph.errors import MissingExtraError, QueryError

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {f"{_XSD}{n}" for n in ("integer", "int", "long", "short", "byte",
                                     "nonNegativeInteger", "positiveInteger",
                                     "negativeInteger", "nonPositiveInteger",
                                     "unsignedInt", "unsignedLong", "unsignedShort",
                                     "unsignedByte")}

#: (format or None, tty) → the formatted bytes and the query form (select, ask or graph).
Runner = Callable[[str | None, bool], tuple[bytes, str]]


def python_value(term: dict[str, str] | None) -> Any:
    """One SPARQL JSON term as a Python value (see the module docstring for the mapping)."""
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return value
    if kind == "bnode":
        return f"_:{value}"
    datatype = term.get("datatype")
    try:
        if datatype in _INTEGERS:
            return int(value)
        if datatype == f"{_XSD}decimal":
            return Decimal(value)
        if datatype in (f"{_XSD}double", f"{_XSD}float"):
            return float(value)
        if datatype == f"{_XSD}boolean":
            return value in ("true", "1")
        if datatype == f"{_XSD}date":
            return dt.date.fromisoformat(value)
        if datatype == f"{_XSD}dateTime":
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return value  # an ill-typed literal: its text is the honest answer
    return value


def _need(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module} is not installed; install it with `pip install 'esfgraph[{extra}]'` "
            f"(or `pip install {module}`)") from exc


class QueryResult:
    """The result of a SPARQL query: iterate it for rows as dicts, or convert it.

    Nothing runs until the result is used; each format is computed once.

    Example:
        >>> result = kg.query("SELECT ?p ?t WHERE { ?p a esf:Project ; dcterms:title ?t }")
        >>> for row in result:
        ...     print(row["p"], row["t"])
        >>> df = result.to_pandas()
    """

    def __init__(self, run: Runner, sparql: str) -> None:
        self._run = run
        self.sparql = sparql
        self._formatted: dict[tuple[str | None, bool], tuple[bytes, str]] = {}
        self._json: dict[str, Any] | None = None

    def _get(self, fmt: str | None, tty: bool = False) -> tuple[bytes, str]:
        key = (fmt, tty)
        if key not in self._formatted:
            self._formatted[key] = self._run(fmt, tty)
        return self._formatted[key]

    @property
    def form(self) -> str:
        """``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE)."""
        return self._get(None)[1]

    def serialize(self, format: str | None = None, *, tty: bool = False) -> bytes:
        """The result as `esfgraph query --format FORMAT` writes it.

        Args:
            format: SELECT/ASK: ``table``, ``json``, ``csv``, ``tsv``, ``xml``;
                CONSTRUCT/DESCRIBE: ``turtle``, ``json-ld``, ``nt``, ``xml``. None picks the
                CLI's default (``csv``, or ``table`` when `tty`; ``turtle`` for graphs).
            tty: the output goes to a terminal (only changes the default format).

        Raises:
            QueryError: the format does not fit the query form.
        """
        return self._get(format, tty)[0]

    def _results(self) -> dict[str, Any]:
        if self._json is None:
            if self.form == "graph":
                raise QueryError("a CONSTRUCT or DESCRIBE query gives triples, not rows: use "
                                 "KnowledgeGraph.construct() or .describe() for an rdflib Graph")
            self._json = json.loads(self._get("json")[0])
        return self._json

    @property
    def variables(self) -> list[str]:
        """The names of the SELECT variables, in order (empty for ASK)."""
        return list(self._results().get("head", {}).get("vars", []))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Rows as ``{variable: Python value}`` (unbound variables are None)."""
        results = self._results()
        if "boolean" in results:
            raise QueryError("an ASK query gives true or false, not rows: use "
                             "KnowledgeGraph.ask()")
        names = self.variables
        for binding in results["results"]["bindings"]:
            yield {name: python_value(binding.get(name)) for name in names}

    def __len__(self) -> int:
        """The number of rows."""
        return len(self._results().get("results", {}).get("bindings", []))

    def __bool__(self) -> bool:
        """For ASK: the answer; for SELECT: whether there is a row."""
        results = self._results()
        if "boolean" in results:
            return bool(results["boolean"])
        return len(self) > 0

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """The SPARQL CSV result (as `--format csv`): returned as text, or written to `path`."""
        data = self.serialize("csv")
        if path is None:
            return data.decode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)
        return None

    def to_pandas(self) -> Any:
        """A `pandas.DataFrame`, one column per variable (needs the ``pandas`` extra).

        Columns whose values are all whole `Decimal`s (amounts in kronor) become integers,
        other decimal columns floats; IRIs and strings stay text; dates become datetimes.

        Raises:
            MissingExtraError: pandas is not installed (the message says how to install it).
        """
        pd = _need("pandas", "pandas")
        rows = list(self)
        frame = pd.DataFrame.from_records(rows, columns=self.variables)
        for name in frame.columns:
            values = [v for v in frame[name] if v is not None]
            if values and all(isinstance(v, Decimal) for v in values):
                if all(v == v.to_integral_value() for v in values):
                    frame[name] = frame[name].map(lambda v: None if v is None else int(v))
                    frame[name] = frame[name].astype("Int64")
                else:
                    frame[name] = frame[name].astype("float64")
            elif values and all(isinstance(v, (dt.date, dt.datetime)) for v in values):
                frame[name] = pd.to_datetime(frame[name])
        return frame

    def to_polars(self) -> Any:
        """A `polars.DataFrame`, one column per variable (needs the ``polars`` extra).

        Raises:
            MissingExtraError: polars is not installed (the message says how to install it).
        """
        pl = _need("polars", "polars")
        rows = list(self)
        columns: dict[str, list[Any]] = {name: [] for name in self.variables}
        for row in rows:
            for name, column in columns.items():
                value = row[name]
                if isinstance(value, Decimal):
                    value = int(value) if value == value.to_integral_value() else float(value)
                column.append(value)
        return pl.DataFrame(columns, strict=False)

    def __repr__(self) -> str:
        first = " ".join(self.sparql.split())[:60]
        return f"<QueryResult {first!r}>"


__all__ = ["QueryResult", "python_value"]
