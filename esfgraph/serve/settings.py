"""The server's settings: one value handed to the app and to the query backends.

Its own module, below both esfgraph.serve.app (which composes the site) and
esfgraph.serve.backend (which builds the query engine from it), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from esfgraph.config import DEFAULT_BASE_IRI
from esfgraph.serve.conditional import DEFAULT_MAX_AGE


@dataclass(frozen=True)
class ServeSettings:
    """Everything the server needs; built from `Config` and the CLI flags.

    With `endpoint` set, queries go to that remote SPARQL endpoint and `store` is not used.
    """

    store: str
    base_iri: str = DEFAULT_BASE_IRI
    timeout: float = 30.0
    workers: int = 2
    max_rows: int = 10000
    max_request_bytes: int = 1_000_000
    enable_update: bool = False
    update_token: str | None = None
    cache_bytes: int = 64_000_000
    endpoint: str | None = None
    auth: str | None = None
    #: Endpoint mode: seconds a cached answer may be reused (the remote can change any time).
    cache_ttl: float = 60.0
    #: Endpoint mode: the most bytes read from one remote answer (a 502 beyond).
    max_remote_bytes: int = 256_000_000
    #: Expensive (not provably cheap) queries one client address may run at once (429 beyond).
    max_expensive_per_client: int = 1
    #: Data-segment limit of each query worker in MB (None: no limit).
    worker_memory_mb: int | None = 512
    #: Cache-Control max-age (seconds) of GET answers; revalidation after it is a cheap 304.
    http_max_age: int = DEFAULT_MAX_AGE


__all__ = ["ServeSettings"]
