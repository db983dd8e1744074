"""`esfgraph serve`: start the SPARQL endpoint, query page and linked-data pages (a thin layer
on KnowledgeGraph.serve)."""

from __future__ import annotations

import os

import click

import esfgraph
from esfgraph import EsfgraphError
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("serve")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` from the config, .esfgraph/store).")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="TCP port (default 8000).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Serve a remote SPARQL endpoint (e.g. after `esfgraph push`) instead of the "
                   "store: the same site, every query forwarded there. Read-only.")
@click.option("--auth", default=None, metavar="USER:PASS",
              help="Credentials for --endpoint (or set ESFGRAPH_REMOTE_AUTH).")
@click.option("--cache-ttl", type=click.FloatRange(0, None), default=60, show_default=True,
              help="With --endpoint: seconds a cached answer is reused (0 turns the cache off).")
@click.option("--timeout", type=click.FloatRange(0.1, None), default=None,
              help="Seconds a query may run before its worker is killed (default 30); with "
                   "--endpoint, seconds to wait for the remote (then 504).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Query worker processes (default: CPU count, at least 2); with --endpoint, "
                   "4 remote requests per worker may run at once.")
@click.option("--max-rows", type=click.IntRange(1, None), default=None,
              help="Cap on result rows / triples (default 10000).")
@click.option("--cache-mb", type=click.IntRange(0, None), default=64, show_default=True,
              help="Memory for cached query answers, per store version (0 turns it off).")
@click.option("--max-expensive-per-client", type=click.IntRange(1, None), default=1,
              show_default=True,
              help="Queries that are not provably cheap lookups one client address may run at "
                   "once (429 beyond); lookups of named resources are never limited.")
@click.option("--worker-memory-mb", type=click.IntRange(0, None), default=512,
              show_default=True,
              help="Memory (data segment) each query worker may use; a query that needs more "
                   "gets 503 and its worker is replaced (0: no limit).")
@click.option("--allow-unsandboxed-workers", is_flag=True,
              help="Start even when the query workers cannot be cut off from the network "
                   "(no seccomp or network namespace on this system): the operator accepts "
                   "that only the SPARQL guard then stands between a query and the network. "
                   "Without it, serve refuses to start there.")
@click.option("--enable-update", is_flag=True,
              help="Accept SPARQL Update (needs --update-token; off by default).")
@click.option("--update-token", envvar="ESFGRAPH_UPDATE_TOKEN", default=None,
              help="Bearer token clients must send with updates (or ESFGRAPH_UPDATE_TOKEN).")
@config_option
def serve_command(config: Config, store_path: str | None, endpoint: str | None,
                  auth: str | None, cache_ttl: float, host: str | None, port: int | None,
                  timeout: float | None, workers: int | None, max_rows: int | None,
                  cache_mb: int, max_expensive_per_client: int, worker_memory_mb: int,
                  allow_unsandboxed_workers: bool, enable_update: bool,
                  update_token: str | None) -> None:
    """Serve the store: SPARQL endpoint at /sparql, query page at /, entity pages.

    Read-only and safe by default: SERVICE and LOAD are refused, every query has a time limit
    and runs in a worker process that has no network (seccomp, network namespace) and is
    killed when it overruns or its client goes away. One worker is kept for provably cheap
    lookups of named resources.

    With --endpoint URL the same site is served in front of a remote SPARQL server (Oxigraph
    started with --union-default-graph, Virtuoso, ...): every query, page and VoID request is
    forwarded there, SERVICE and LOAD are still refused before anything is sent, updates are
    refused (send them to the remote itself), a failing remote gives 502 and a slow one 504.

    Where the workers cannot be cut off from the network (no seccomp, another OS) serve
    refuses to start unless --allow-unsandboxed-workers says the operator accepts the risk.

    \b
    Examples:
      esfgraph serve --store .esfgraph/store --port 8000
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
      esfgraph serve --endpoint http://127.0.0.1:7878/query --port 8000
    """
    if endpoint and store_path:
        fail("give either --store (serve the local store) or --endpoint (serve a remote SPARQL "
             "endpoint), not both")
    if enable_update and not update_token:
        fail("--enable-update needs --update-token TOKEN (or ESFGRAPH_UPDATE_TOKEN)")
    if endpoint and enable_update:
        fail("--enable-update cannot be used with --endpoint: updates are not forwarded to the "
             "remote server; send them to it directly (or use `esfgraph push`)")
    try:
        if endpoint:
            kg = esfgraph.open(endpoint=endpoint, config=config,
                               auth=auth or os.environ.get("ESFGRAPH_REMOTE_AUTH") or None)
        else:
            kg = esfgraph.open(store_path, config=config)
        kg.serve(host, port, timeout=timeout, workers=workers, max_rows=max_rows,
                 cache_mb=cache_mb, cache_ttl=cache_ttl,
                 max_expensive_per_client=max_expensive_per_client,
                 worker_memory_mb=worker_memory_mb, enable_update=enable_update,
                 update_token=update_token, allow_unsandboxed_workers=allow_unsandboxed_workers,
                 announce=lambda line: click.echo(line, err=True))
    except EsfgraphError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass
