"""`KnowledgeGraph.serve`: the web site, SPARQL endpoint and explorer (`esfgraph serve`).

Kept apart from `graph.py` because it is the one blocking call of the API and the only one
with a dozen server settings; the checks it makes before starting are the CLI's, so a bad
store or endpoint fails before the port is bound.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from esfgraph.errors import ConfigError

if TYPE_CHECKING:
    from esfgraph.library.graph import KnowledgeGraph


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def serve_graph(kg: KnowledgeGraph, host: str | None = None, port: int | None = None, *,
                timeout: float | None = None, workers: int | None = None,
                max_rows: int | None = None, cache_mb: int = 64, cache_ttl: float = 60,
                max_expensive_per_client: int = 1, worker_memory_mb: int = 512,
                enable_update: bool = False, update_token: str | None = None,
                allow_unsandboxed_workers: bool = False,
                announce: Callable[[str], None] | None = _stderr) -> None:
    """Serve `kg` until interrupted; see `KnowledgeGraph.serve` for the arguments."""
    from esfgraph.serve import ServeSettings, run_server

    endpoint = kg.endpoint
    if enable_update and not update_token:
        raise ConfigError("--enable-update needs --update-token TOKEN (or "
                          "ESFGRAPH_UPDATE_TOKEN)")
    if endpoint and enable_update:
        raise ConfigError("--enable-update cannot be used with --endpoint: updates are not "
                          "forwarded to the remote server; send them to it directly (or use "
                          "`esfgraph push`)")
    config = kg.config
    say = announce or (lambda message: None)
    settings = ServeSettings(
        store="" if endpoint else str(kg.path), base_iri=config.base_iri,
        timeout=timeout if timeout is not None else config.query_timeout,
        workers=workers or max(2, os.cpu_count() or 2),
        max_rows=max_rows or config.max_rows, max_request_bytes=config.max_request_bytes,
        enable_update=enable_update, update_token=update_token,
        cache_bytes=cache_mb * 1_000_000, endpoint=endpoint,
        auth=kg._auth if endpoint else None, cache_ttl=cache_ttl,
        max_expensive_per_client=max_expensive_per_client,
        worker_memory_mb=worker_memory_mb or None)
    if endpoint:
        served = _check_endpoint(settings, say)
        from esfgraph.explore.remote_index import status

        status(settings)  # the explorer's index, read from the remote in a thread meanwhile
    else:
        from esfgraph.serve.workers import check_store

        check_store(str(kg.path))
        served = str(kg.path)
    denial = None
    if not endpoint:  # fail closed: no kernel layer, no server (unless the operator says so)
        from esfgraph.sandbox import probe

        denial = probe()
        if not denial.effective and not allow_unsandboxed_workers:
            raise ConfigError(
                f"the query workers cannot be cut off from the network here "
                f"({denial.detail or 'unsupported platform'}); serve refuses to start without "
                "that layer under the SPARQL guard. Run it on Linux with seccomp, or accept the "
                "risk with --allow-unsandboxed-workers")
    host = host or config.host
    port = config.port if port is None else port
    shown = f"[{host}]" if ":" in host else host
    say(f"esfgraph: serving {served} at http://{shown}:{port}/  (SPARQL: /sparql; "
        "Ctrl+C to stop)")
    if denial is not None:
        say(f"esfgraph: {denial.describe()}")
    run_server(settings, host=host, port=port)


def _check_endpoint(settings: object, say: Callable[[str], None]) -> str:
    """Validate the endpoint URL and credentials; warn (do not fail) when it is down now."""
    from esfgraph.serve.remote_backend import RemoteBackend

    backend = RemoteBackend(settings.endpoint, auth=settings.auth,  # type: ignore[attr-defined]
                            timeout=min(5.0, settings.timeout))  # type: ignore[attr-defined]
    problem = backend.probe()
    if problem:
        say(f"esfgraph: warning: the remote endpoint does not answer yet ({problem}); "
            "queries get 502 until it does")
    return f"the remote SPARQL endpoint {settings.endpoint}"  # type: ignore[attr-defined]


__all__ = ["serve_graph"]
