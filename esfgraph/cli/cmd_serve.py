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
    from esfgraph.serve import ServeSettings, run_server
    from esfgraph.serve.workers import check_store

    if endpoint and store_path:
        fail("give either --store (serve the local store) or --endpoint (serve a remote SPARQL "
             "endpoint), not both")
    if enable_update and not update_token:
        fail("--enable-update needs --update-token TOKEN (or ESFGRAPH_UPDATE_TOKEN)")
    if endpoint and enable_update:
        fail("--enable-update cannot be used with --endpoint: updates are not forwarded to the "
             "remote server; send them to it directly (or use `esfgraph push`)")
    path = store_path or config.store
    settings = ServeSettings(
        store="" if endpoint else str(path), base_iri=config.base_iri,
        timeout=timeout if timeout is not None else config.query_timeout,
        workers=workers or max(2, os.cpu_count() or 2),
        max_rows=max_rows or config.max_rows, max_request_bytes=config.max_request_bytes,
        enable_update=enable_update, update_token=update_token, cache_bytes=cache_mb * 1_000_000,
        endpoint=endpoint, auth=(auth or os.environ.get("ESFGRAPH_REMOTE_AUTH") or None)
        if endpoint else None, cache_ttl=cache_ttl,
        max_expensive_per_client=max_expensive_per_client,
        worker_memory_mb=worker_memory_mb or None)
    try:
        if endpoint:
            served = _check_endpoint(settings)
        else:
            check_store(path)
            served = str(path)
    except EsfGraphError as exc:
        fail(str(exc))
    denial = None
    if not endpoint:  # fail closed: no kernel layer, no server (unless the operator says so)
        from esfgraph.sandbox import probe

        denial = probe()
        if not denial.effective and not allow_unsandboxed_workers:
            fail(f"the query workers cannot be cut off from the network here "
                 f"({denial.detail or 'unsupported platform'}); serve refuses to start without "
                 "that layer under the SPARQL guard. Run it on Linux with seccomp, or accept the "
                 "risk with --allow-unsandboxed-workers")
    host = host or config.host
    port = config.port if port is None else port
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"esfgraph: serving {served} at http://{shown}:{port}/  (SPARQL: /sparql; "
               "Ctrl+C to stop)", err=True)
    if denial is not None:
        click.echo(f"esfgraph: {denial.describe()}", err=True)
    try:
        run_server(settings, host=host, port=port)
    except EsfGraphError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


def _check_endpoint(settings):  # type: ignore[no-untyped-def]
    """Validate the endpoint URL and credentials; warn (do not fail) when it is down now."""
    from esfgraph.serve.remote_backend import RemoteBackend

    backend = RemoteBackend(settings.endpoint, auth=settings.auth,
                            timeout=min(5.0, settings.timeout))
    problem = backend.probe()
    if problem:
        click.echo(f"esfgraph: warning: the remote endpoint does not answer yet ({problem}); "
                   "queries get 502 until it does", err=True)
    return f"the remote SPARQL endpoint {settings.endpoint}"
