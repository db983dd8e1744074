"""What the app needs from a query engine, so the same site can front the store or a remote."""

from __future__ import annotations

from typing import Any, Protocol

from esfgraph.serve.settings import ServeSettings
from esfgraph.serve.workers import Reply, WorkerPool


class Backend(Protocol):
    """Runs query jobs for the app: the embedded `WorkerPool` or a `RemoteBackend`.

    A job is a dict: `query` (text), `trusted` (a server template: no guard, `{{name}}`
    placeholders filled from `bind` with validated IRIs), `default_graphs`/`named_graphs`,
    `results_type`/`graph_type` (negotiated media types; None when the client accepts none),
    `want="rows"` (term tuples for the HTML pages) and `accept` (for the 406 message).
    """

    #: Whether SPARQL Update can reach the data through this backend at all.
    accepts_updates: bool

    async def start(self) -> None:
        """Get ready to answer (start processes, ...); raise EsfGraphError when impossible."""

    async def close(self) -> None:
        """Stop everything started by `start`."""

    async def run(self, job: dict[str, Any], timeout: float | None = None, *,
                  cheap: bool = False, client: str | None = None) -> Reply:
        """Answer one query job; never raises for a bad query or a failing remote.

        `cheap` marks a provably cheap lookup (esfgraph.serve.lanes), which gets capacity no
        other query can take; `client` (the peer address) limits concurrent expensive queries.
        """

    async def update(self, text: str, timeout: float | None = None,
                     base_iri: str | None = None) -> Reply:
        """Run one (already guarded and authorised) SPARQL Update; relative IRIs against
        `base_iri`."""

    def version(self) -> str | None:
        """A cache key for the data answering now; None turns the answer cache off."""


def make_backend(settings: ServeSettings) -> Backend:
    """The remote endpoint when `settings.endpoint` is set, else worker processes on the store.

    Raises:
        RemoteError: the endpoint URL or the credentials are malformed.
    """
    if settings.endpoint:
        from esfgraph.serve.remote_backend import RemoteBackend

        return RemoteBackend(settings.endpoint, auth=settings.auth, timeout=settings.timeout,
                             max_rows=settings.max_rows, concurrency=max(4, 4 * settings.workers),
                             cache_ttl=settings.cache_ttl, max_bytes=settings.max_remote_bytes,
                             max_expensive_per_client=settings.max_expensive_per_client,
                             guard_processes=max(1, min(settings.workers, 4)))
    return WorkerPool(settings.store, settings.workers, settings.timeout, settings.max_rows,
                      max_expensive_per_client=settings.max_expensive_per_client,
                      memory_mb=settings.worker_memory_mb)


__all__ = ["Backend", "make_backend"]
