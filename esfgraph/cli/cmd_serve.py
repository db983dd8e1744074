"""`esfgraph serve`: start the SPARQL endpoint, query page and linked-data pages."""

from __future__ import annotations

import os

import click

from esfgraph.cli._group import Config, config_option, fail, main
from esfgraph.errors import EsfGraphError


@main.command("serve")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` from the config, .esfgraph/store).")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="TCP port (default 8000).")
@click.option("--timeout", type=click.FloatRange(0.1, None), default=None,
              help="Seconds a query may run before its worker is killed (default 30).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Query worker processes (default: CPU count, at least 2).")
@click.option("--max-rows", type=click.IntRange(1, None), default=None,
              help="Cap on result rows / triples (default 10000).")
@click.option("--cache-mb", type=click.IntRange(0, None), default=64, show_default=True,
              help="Memory for cached query answers, per store version (0 turns it off).")
@click.option("--enable-update", is_flag=True,
              help="Accept SPARQL Update (needs --update-token; off by default).")
@click.option("--update-token", envvar="ESFGRAPH_UPDATE_TOKEN", default=None,
              help="Bearer token clients must send with updates (or ESFGRAPH_UPDATE_TOKEN).")
@config_option
def serve_command(config: Config, store_path: str | None, host: str | None, port: int | None,
                  timeout: float | None, workers: int | None, max_rows: int | None,
                  cache_mb: int, enable_update: bool, update_token: str | None) -> None:
    """Serve the store: SPARQL endpoint at /sparql, query page at /, entity pages.

    Read-only and safe by default: SERVICE and LOAD are refused, every query has a time limit
    and runs in a worker process that is killed when it overruns.

    \b
    Example:
      esfgraph serve --store .esfgraph/store --port 8000
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    """
    from esfgraph.serve import ServeSettings, run_server
    from esfgraph.serve.workers import check_store

    if enable_update and not update_token:
        fail("--enable-update needs --update-token TOKEN (or ESFGRAPH_UPDATE_TOKEN)")
    path = store_path or config.store
    try:
        check_store(path)
    except EsfGraphError as exc:
        fail(str(exc))
    settings = ServeSettings(
        store=str(path), base_iri=config.base_iri,
        timeout=timeout if timeout is not None else config.query_timeout,
        workers=workers or max(2, os.cpu_count() or 2),
        max_rows=max_rows or config.max_rows, max_request_bytes=config.max_request_bytes,
        enable_update=enable_update, update_token=update_token, cache_bytes=cache_mb * 1_000_000)
    host = host or config.host
    port = config.port if port is None else port
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"esfgraph: serving {path} at http://{shown}:{port}/  (SPARQL: /sparql; "
               "Ctrl+C to stop)", err=True)
    try:
        run_server(settings, host=host, port=port)
    except EsfGraphError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass
