"""`esfgraph serve`: a SPARQL 1.1 endpoint, a query page and linked-data pages over the store."""

from __future__ import annotations

from esfgraph.serve.app import create_app
from esfgraph.serve.settings import ServeSettings
from esfgraph.serve.workers import WorkerPool, resolve_store_path


def run_server(settings: ServeSettings, host: str = "127.0.0.1", port: int = 8000,
               log_level: str = "warning") -> None:
    """Serve until interrupted (uvicorn, one process; queries run in worker processes)."""
    import uvicorn

    # h11 and asyncio pinned even when uvicorn[standard] is installed: httptools answers 400 to
    # control bytes in headers that h11 reads leniently, uvloop made deeply nested queries kill
    # workers in tests/test_hardening_server.py, and neither was needed for the throughput target
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level=log_level,
                            access_log=False, http="h11", loop="asyncio",
                            timeout_graceful_shutdown=5, h11_max_incomplete_event_size=256 * 1024)
    uvicorn.Server(config).run()


__all__ = ["ServeSettings", "WorkerPool", "create_app", "resolve_store_path", "run_server"]
