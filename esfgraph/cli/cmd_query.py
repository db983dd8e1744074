"""`esfgraph query`: run SPARQL on the store (a thin layer on KnowledgeGraph.query)."""

from __future__ import annotations

import os
import re

import click

import esfgraph
from esfgraph import EsfgraphError, questions
from esfgraph.cli._group import Config, config_option, fail, main

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@main.command("query")
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"),
              default=None, help="Read the query from a file ('-' for stdin).")
@click.option("-n", "--name", default=None, help="Run a ready-made query (see --list).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a variable, e.g. --param on_date=2012-06-30 (repeatable).")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@click.option("--format", "fmt", default=None,
              type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "json-ld",
                                 "nt"]),
              help="SELECT/ASK: table (default on a terminal), csv (default when piped), json, "
                   "tsv, xml. CONSTRUCT/DESCRIBE: turtle (default), json-ld, nt, xml.")
@click.option("-o", "--output", type=click.File("wb"), default="-",
              help="Write the result here instead of stdout.")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE clauses to call other SPARQL endpoints (off by default).")
@click.option("--no-cache", is_flag=True, help="Do not answer from the result cache.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Query a SPARQL server (e.g. after `esfgraph push`) instead of the store.")
@click.option("--auth", default=None, metavar="USER:PASS",
              help="Credentials for --endpoint (or set ESFGRAPH_REMOTE_AUTH).")
@click.option("--list", "list_queries", is_flag=True, help="List the ready-made queries.")
@config_option
def query_command(query: str | None, query_file, name: str | None, params: tuple[str, ...],  # type: ignore[no-untyped-def]
                  store_path: str | None, fmt: str | None, output, allow_service: bool,
                  no_cache: bool, endpoint: str | None, auth: str | None, list_queries: bool,
                  config: Config) -> None:
    """Run a SPARQL query on the store; the default graph is the union of all named graphs.

    Give the query as an argument, with -f FILE, or pick a ready-made one with --name.
    The prefixes esf:, schema:, org:, skos:, dcterms:, xsd:, ... are predeclared. A syntax
    error shows its line and column and exits with 2.

    \b
    Examples:
      esfgraph query --list
      esfgraph query --name money-per-region
      esfgraph query --name projects-active-on --param on_date=2012-06-30 --format json
      esfgraph query 'SELECT ?p ?t WHERE { ?p a esf:Project ; dcterms:title ?t }'
      esfgraph query --endpoint http://127.0.0.1:7878/query --name money-per-year
    """
    if list_queries:
        for q in questions():
            extra = "".join(f" [--param {p.name}=<{p.datatype}>]" for p in q.params)
            click.echo(f"{q.name}{extra}\n    {q.title}. {q.description}".rstrip())
        return
    given = [x for x in (query, query_file, name) if x]
    if len(given) != 1:
        fail("give exactly one of: a QUERY argument, -f FILE or --name NAME (see --list)")
    values = _param_pairs(params)
    try:
        if endpoint:
            kg = esfgraph.open(endpoint=endpoint, config=config,
                               auth=auth or os.environ.get("ESFGRAPH_REMOTE_AUTH") or None)
        else:
            kg = esfgraph.open(store_path, config=config)
        if name:
            result = kg.question(name, allow_service=allow_service, cache=not no_cache,
                                 **values)
        else:
            sparql = query if query else query_file.read()
            result = kg.query(sparql, allow_service=allow_service, cache=not no_cache,
                              **values)
        data = result.serialize(fmt, tty=output.isatty())
    except EsfgraphError as exc:
        fail(str(exc))
        return
    output.write(data)
    if data and not data.endswith(b"\n"):
        output.write(b"\n")
    output.flush()


def _param_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--param NAME=VALUE` options → `{name: value}` (the API types the values)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not _VARNAME.match(name):
            fail(f"--param needs NAME=VALUE with a plain variable name, got {pair!r}")
        out[name] = value
    return out
