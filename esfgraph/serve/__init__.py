"""`esfgraph serve`: a SPARQL 1.1 endpoint, a query page and linked-data pages over the store."""

from __future__ import annotations

from esfgraph.serve.app import ServeSettings, create_app
from esfgraph.serve.workers import WorkerPool, resolve_store_path


def run_server(settings: ServeSettings, host: str = "127.0.0.1", port: int = 8000,
               log_level: str = "warning") -> None:
    """Serve until interrupted (uvicorn, one process; queries run in worker processes)."""
    import uvicorn

    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level=log_level,
                            access_log=False, timeout_graceful_shutdown=5,
                            h11_max_incomplete_event_size=256 * 1024)
    uvicorn.Server(config).run()


__all__ = ["ServeSettings", "WorkerPool", "create_app", "resolve_store_path", "run_server"]
