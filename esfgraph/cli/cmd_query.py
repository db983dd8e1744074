"""`esfgraph query`: run SPARQL on the store (a thin layer on esfgraph.query)."""

from __future__ import annotations

import click

from esfgraph.cli._group import Config, config_option, fail, main
from esfgraph.errors import EsfGraphError


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
    from esfgraph.queries import get_query
    from esfgraph.queries import list_queries as all_queries

    if list_queries:
        for q in all_queries():
            extra = "".join(f" [--param {p.name}=<{p.datatype}>]" for p in q.params)
            click.echo(f"{q.name}{extra}\n    {q.title}. {q.description}".rstrip())
        return
    given = [x for x in (query, query_file, name) if x]
    if len(given) != 1:
        fail("give exactly one of: a QUERY argument, -f FILE or --name NAME (see --list)")
    from esfgraph.query import bind_params, parse_params, run_query
    from esfgraph.store import Store

    try:
        values = parse_params(list(params))
        if name:
            named = get_query(name)
            sparql, bound = named.sparql, bind_params(values, named.params)
        else:
            sparql = query if query else query_file.read()
            bound = bind_params(values)
        if endpoint:
            data = _remote(endpoint, auth, sparql, bound, fmt, output.isatty(), allow_service)
        else:
            store = Store(store_path or config.store_path())
            data = run_query(store, sparql, params=bound, fmt=fmt, tty=output.isatty(),
                             allow_service=allow_service, use_cache=not no_cache).data
    except EsfGraphError as exc:
        fail(str(exc))
        return
    output.write(data)
    if data and not data.endswith(b"\n"):
        output.write(b"\n")
    output.flush()



def _remote(endpoint: str, auth: str | None, sparql: str, params: dict, fmt: str | None,  # type: ignore[type-arg]
            tty: bool, allow_service: bool) -> bytes:
    """Run the query on a SPARQL server (same formats and SERVICE rule as the local store)."""
    import os

    from esfgraph.query import check_query
    from esfgraph.remote import RemoteEndpoint, run_remote_query

    check_query(sparql, allow_service=allow_service)
    remote = RemoteEndpoint(endpoint, auth=auth or os.environ.get("ESFGRAPH_REMOTE_AUTH") or None)
    return run_remote_query(remote, sparql, fmt, params=params, tty=tty)
