"""Parse errors name the real mistake, at its place, without grammar internals (issue 23 #10).

Each case is a wrong query, the message part it must give and the line:column of the mistake
(pyoxigraph itself often reports the end of the query and lists grammar tokens such as `FDCF`).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.namespaces import PREFIXES
from esfgraph.sparql_errors import diagnose, explain

CASES = [
    # the examples
    ("SELECT (1 AS ?s) WHERE {?s ?p ?o}", "`?s` is already a variable of the query", (1, 14)),
    ("SELECT ?x (COUNT(?s) AS ?n) WHERE {?s ?p ?o}", "`?x` is selected beside an aggregate",
     (1, 8)),
    ("SELECT ?x WHERE {?s ?p ?o} GROUP BY ?s", "`?x` is not in GROUP BY", (1, 8)),
    ("SELECT * WHERE { ?s ?p ?o }\nGROUP BY FDCF", "unknown word `FDCF`", (2, 10)),
    ("SELEKT * WHERE { ?s ?p ?o }", "not `SELEKT` (did you mean `SELECT`?)", (1, 1)),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > ) }", "`>` needs a value on its right", (1, 39)),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o > )\n}", "`>` needs a value", (3, 15)),
    # projections and grouping
    ("SELECT (SUM(?o) AS ?t) ?s WHERE { ?s ?p ?o }", "`?s` is selected beside an aggregate",
     (1, 24)),
    ("SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?p", "`?s` is not in GROUP BY", (1, 8)),
    ("SELECT * WHERE { ?s ?p ?o } GROUP BY ?s", "`SELECT *` cannot be used with GROUP BY",
     (1, 8)),
    ("SELECT ?s ?s WHERE { ?s ?p ?o }", "`?s` is selected twice", (1, 11)),
    ("SELECT (?x AS ?y) (?z AS ?y) WHERE { ?x ?p ?z }", "`?y` is selected twice", (1, 26)),
    ("SELECT (COUNT(?s) ?n) WHERE { ?s ?p ?o }", "write AS before `?n`", (1, 19)),
    ("SELECT WHERE { ?s ?p ?o }", "SELECT needs the variables to return", (1, 8)),
    ("SELECT DISTINCT DISTINCT ?s WHERE { ?s ?p ?o }", "`DISTINCT` is written twice", (1, 17)),
    ("SELECT * WHERE { ?s ?p ?o } GROUP ?s", "GROUP must be followed by BY", (1, 35)),
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY", "the query ends after BY", (1, 38)),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC ?s", "DESC needs parentheses", (1, 43)),
    # solution modifiers
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x", "LIMIT needs a whole number", (1, 35)),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT", "LIMIT needs a whole number", (1, 46)),
    ("SELECT * { ?s ?p ?o } OFFSET -1", "OFFSET needs a whole number", (1, 30)),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 10 LIMIT 5", "LIMIT is given twice", (1, 38)),
    # graph patterns
    ("SELECT * WHERE { ?s ?p }", "incomplete triple `?s ?p` before `}`: it needs an object",
     (1, 23)),
    ("SELECT * WHERE { ?s ?p ?o . ?s }", ("incomplete triple `?s` before `}`: it needs a "
     "predicate and an object"), (1, 31)),
    ("SELECT * WHERE {\n  ?s ?p \n}", "incomplete triple `?s ?p`", (2, 8)),
    ("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }", "incomplete triple `?s ?p`", (1, 18)),
    ("SELECT * WHERE { ?s ?p ?o", "expected `}` to close the `{` at line 1, column 16", (1, 26)),
    ("SELECT * WHERE { ?s ?p ?o }}", "`}` closes nothing", (1, 28)),
    ("SELECT * WHERE { OPTIONAL ?s ?p ?o }", "OPTIONAL must be followed by a group pattern",
     (1, 27)),
    ("SELECT * WHERE { { ?s ?p ?o } UNION }", "UNION must be followed by a group pattern",
     (1, 37)),
    ("SELECT * WHERE { ?s ?p ?o MINUS }", "MINUS must be followed by a group pattern", (1, 33)),
    ("SELECT * WHERE { GRAPH { ?s ?p ?o } }", "GRAPH needs a graph name", (1, 24)),
    ("SELECT * FROM WHERE { ?s ?p ?o }", "FROM needs a graph IRI", (1, 15)),
    # expressions
    ("SELECT * WHERE { ?s ?p ?o . FILTER ?o }", "FILTER needs its condition in parentheses",
     (1, 36)),
    ("SELECT * WHERE { ?s ?p ?o FILTER() }", "FILTER() is empty", (1, 34)),
    ("SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(?o, \"a\") }",
     "expected `)` to close the `(` at line 1, column 33", (1, 52)),
    ("SELECT * WHERE { ?s ?p ?o FILTER(regex(?o \"a\")) }",
     "missing `,` between the arguments of REGEX", (1, 43)),
    ("SELECT * WHERE { ?s ?p ?o BIND(?o AS) }", "AS must be followed by the new variable",
     (1, 37)),
    # terms and prologue
    ('SELECT * WHERE { ?s ?p "abc }', "this string is not closed", (1, 24)),
    ("SELECT * WHERE { ?s <http://x y> ?o }", "this IRI has a character IRIs cannot contain",
     (1, 21)),
    ("SELECT * WHERE { ?s foo:bar ?o }", "unknown prefix `foo:`", (1, 21)),
    ("PREFIX ex <http://e/> SELECT * WHERE { ?s ?p ?o }", "PREFIX needs a name ending in a colon",
     (1, 8)),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMT 3",
     "unknown word `LIMT` (did you mean `LIMIT`?)", (1, 41)),
    ("DESCRIBE", "the query ends after DESCRIBE", (1, 9)),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "starts a SPARQL Update, not a query", (1, 1)),
]


def _rendered(query: str) -> str:
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        return explain(str(exc), query, PREFIXES).render(query)
    raise AssertionError(f"the engine accepted {query!r}")


@pytest.mark.parametrize(("query", "wanted", "where"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_wrong_query_gets_its_real_mistake_at_its_place(query, wanted, where):
    rendered = _rendered(query)
    line, column = where
    assert f"line {line}, column {column}: " in rendered, rendered
    assert wanted in rendered, rendered
    for internal in ("FDCF", "FFFD", "\\u{", "..=", "[_]", "expected `SELECT`", "ENCODE_FOR_URI"):
        assert internal in query or internal not in rendered, rendered


def test_the_table_is_large_enough():
    assert len(CASES) >= 30


PIECES = [*"SELECT*WHERE{}()?s:esf<>\"'.#\n;,=+a1 ", "GROUP BY", "FILTER", "AS", "LIMIT",
          "COUNT(", "VALUES", "\\", "\r", "\'\'\'"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
       st.integers(min_value=0, max_value=60))
def test_diagnose_never_fails_and_points_inside_the_query(text, offset):
    found = diagnose(text, min(offset, len(text)), "")
    if found is not None:
        where, message = found
        assert 0 <= where <= len(text) and message
        assert "\\u{" not in message and "..=" not in message
