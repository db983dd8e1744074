"""`esfgraph push`: copy the store's named graphs onto a SPARQL server, resumably."""

from __future__ import annotations

import os
import sys

import click

import esfgraph
from esfgraph import Config, EsfgraphError
from esfgraph.cli._group import config_option, fail, main


@main.command("push")
@click.option("--endpoint", "query_url", required=True, metavar="URL",
              help="SPARQL query endpoint of the server (e.g. http://127.0.0.1:7878/query).")
@click.option("--graph-store", "graph_store_url", metavar="URL", default=None,
              help="Graph Store Protocol endpoint (Oxigraph: /store; Virtuoso: "
                   "/sparql-graph-crud-auth). Without it, graphs go in by SPARQL Update.")
@click.option("--update", "update_url", metavar="URL", default=None,
              help="SPARQL Update endpoint, when not the query endpoint (Oxigraph: /update).")
@click.option("--auth", metavar="USER:PASS", default=None,
              help="Credentials for HTTP Basic or Digest auth (or set ESFGRAPH_REMOTE_AUTH).")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` from the config, .esfgraph/store).")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Push only this named graph (repeatable).")
@click.option("--no-personal-data", is_flag=True,
              help="Leave out the personal-data graphs (contact persons); drops them from the "
                   "server if an earlier push sent them.")
@click.option("--adopt", is_flag=True,
              help="Send nothing: record the graphs the server already holds with the same "
                   "triple counts (after a bulk load with the server's own loader).")
@click.option("--no-resume", is_flag=True,
              help="Send every graph again, ignoring what earlier pushes already sent.")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds to wait for each request.")
@config_option
def push_command(query_url: str, graph_store_url: str | None, update_url: str | None,
                 auth: str | None, store_path: str | None, graphs: tuple[str, ...],
                 no_personal_data: bool, adopt: bool, no_resume: bool, timeout: float, config: Config) -> None:
    """Copy the graph, named graph by named graph, into a SPARQL 1.1 server.

    A re-run sends only graphs that are new or changed since the last push to the same server
    (state kept in the store directory), and removes graphs it pushed that are gone locally.
    Afterwards the triple count of every graph on the server is checked; exit code 1 when
    one differs.

    \b
    Example (an Oxigraph server on 127.0.0.1:7878):
      esfgraph push --endpoint http://127.0.0.1:7878/query \\
          --update http://127.0.0.1:7878/update --graph-store http://127.0.0.1:7878/store
    \b
    Example (Virtuoso, see scripts/start-virtuoso.sh):
      esfgraph push --endpoint http://127.0.0.1:8890/sparql-auth \\
          --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth --auth esfgraph:SECRET
    """
    auth = auth or os.environ.get("ESFGRAPH_REMOTE_AUTH") or None
    try:
        with click.progressbar(length=1, label="pushing graphs", file=sys.stderr,
                               show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            report = esfgraph.open(store_path, config=config).push(
                query_url, update=update_url, graph_store=graph_store_url, auth=auth,
                timeout=timeout, resume=not no_resume, graphs=list(graphs) or None,
                progress=progress, personal_data=not no_personal_data, adopt=adopt)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    click.echo(report.summary())
    if not report.ok:
        click.echo("Some graphs differ on the server; run the push again to resend them.", err=True)
        raise SystemExit(1)
