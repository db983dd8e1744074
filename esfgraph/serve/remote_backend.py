"""Answer the app's query jobs from a remote SPARQL endpoint instead of the embedded store.

`esfgraph serve --endpoint URL` keeps the whole site (protocol, conneg, pages, cache, guard)
and swaps only the engine: each job goes to the remote server over HTTP (esfgraph.remote's
stdlib client, in a thread pool, so the event loop never waits on a socket). The guard runs
first, in small processes that are killed when a check overruns (esfgraph.serve.guard_pool),
so a refused query never leaves the machine and no text can hold the server; expensive
queries count against the same per-client limit as in store mode (429 beyond). The remote's answer is read (at most
`max_bytes`), parsed lazily by pyoxigraph to count and cap rows, then passed through unchanged
when it is whole and already in the format the client negotiated, or re-serialised otherwise.
A remote that refuses the query (HTTP 400) gives the client a 400 with the remote's message;
any other failure is a 502 with the remote's status and an excerpt; a remote slower than the
time limit is a 504.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from esfgraph.errors import EsfGraphError
from esfgraph.namespaces import PREFIXES
from esfgraph.remote import RemoteEndpoint, RemoteError, _excerpt
from esfgraph.serve import protocol
from esfgraph.serve.guard_pool import GuardPool
from esfgraph.serve.workers import (
    Reply,
    _content_type,
    _graph_format,
    _results_format,
    _term_tuple,
    _used_prefixes,
    screen,
    select_reply,
)
from esfgraph.sparql_errors import with_prefixes

#: What the remote may answer for SELECT/ASK, and how to read it.
RESULTS_PARSE: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: What the remote may answer for CONSTRUCT/DESCRIBE, and how to read it.
GRAPH_PARSE: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                  "text/tab-separated-values;q=0.5")
GRAPH_FALLBACK = "text/turtle;q=0.9, application/n-triples;q=0.8, application/rdf+xml;q=0.5"
#: Default cap on the bytes read from one remote answer.
DEFAULT_MAX_BYTES = 256_000_000


class RemoteTimeoutError(EsfGraphError):
    """The remote endpoint did not answer within the time limit."""


class _Endpoint(RemoteEndpoint):
    """A `RemoteEndpoint` that also reports the answer's Content-Type and reads a bounded body."""

    def __init__(self, url: str, *, auth: str | None, timeout: float, max_bytes: int) -> None:
        super().__init__(url, auth=auth, timeout=timeout)
        self.max_bytes = max_bytes
        self._last = threading.local()  # (content type, cut) of this thread's last answer

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        headers = dict(headers)
        authorization = self._authorization(method, url)
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                content_type = response.headers.get("Content-Type", "")
                data = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise RemoteTimeoutError(f"{url.split('?')[0]}: no answer in "
                                         f"{self.timeout:g} s") from None
            raise
        except TimeoutError:
            raise RemoteTimeoutError(f"{url.split('?')[0]}: no answer in {self.timeout:g} s"
                                     ) from None
        self._last.answer = (content_type, len(data) > self.max_bytes)
        return data[: self.max_bytes]

    def fetch(self, sparql: str, accept: str, default_graphs: list[str],
              named_graphs: list[str]) -> tuple[bytes, str, bool]:
        """POST one query (form-encoded, with its dataset); the body, its media type, whether
        it was cut at `max_bytes`.

        Raises:
            RemoteError: the remote refused the query or cannot be reached.
            RemoteTimeoutError: no answer within the timeout.
        """
        pairs = [("query", sparql)]
        pairs += [("default-graph-uri", g) for g in default_graphs]
        pairs += [("named-graph-uri", g) for g in named_graphs]
        body = urllib.parse.urlencode(pairs).encode("ascii")
        self._last.answer = ("", False)
        data = self._request("POST", self.query_url, body,
                             {"Content-Type": protocol.FORM_TYPE, "Accept": accept},
                             what="query")
        content_type, cut = self._last.answer
        return data, protocol.media_type_of(content_type), cut


def _fill(text: str, bind: dict[str, str] | None) -> str:
    """Put validated IRIs into a trusted template's `{{name}}` slots (as the workers do)."""
    for name, value in (bind or {}).items():
        text = text.replace("{{" + name + "}}", str(ox.NamedNode(value)))
    return text


def _not_acceptable(form: str, job: dict[str, Any]) -> Reply:
    return Reply(406, body=protocol.not_acceptable(form, job.get("accept")).encode())


class RemoteBackend:
    """Runs the app's query jobs on a remote SPARQL endpoint (read-only)."""

    #: Updates are not forwarded: send them to the remote server itself.
    accepts_updates = False

    def __init__(self, url: str, *, auth: str | None = None, timeout: float = 30.0,
                 max_rows: int = 10000, concurrency: int = 8, cache_ttl: float = 60.0,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_expensive_per_client: int = 1,
                 guard_processes: int = 2) -> None:
        """Raises RemoteError when `url` is not an http(s) URL or `auth` is not user:password."""
        self.url = url
        self.endpoint = _Endpoint(url, auth=auth, timeout=timeout, max_bytes=max_bytes)
        self.timeout = timeout
        self.max_rows = max_rows
        self.concurrency = max(1, concurrency)
        self.cache_ttl = cache_ttl
        self._executor: ThreadPoolExecutor | None = None
        self.max_expensive_per_client = max(1, max_expensive_per_client)
        self._per_client: dict[str, int] = {}
        self.guard_processes = guard_processes
        self._guards: GuardPool | None = None

    # -- lifecycle
    async def start(self) -> None:
        """Start the threads that wait on the remote."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.concurrency,
                                                thread_name_prefix="esfgraph-remote")
        if self._guards is None:
            self._guards = GuardPool(self.guard_processes)
            await self._guards.start()

    async def close(self) -> None:
        """Stop the threads (a request still waiting ends at its socket timeout)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._guards is not None:
            await self._guards.close()
            self._guards = None

    def version(self) -> str | None:
        """The remote may change at any time: cached answers live at most `cache_ttl` seconds."""
        if self.cache_ttl <= 0:
            return None
        return f"{self.url}@{int(time.time() // self.cache_ttl)}"

    def probe(self) -> str | None:
        """Ask the remote `ASK {}` once; None when it answers, else what went wrong."""
        try:
            self.endpoint.fetch("ASK {}", RESULTS_ACCEPT, [], [])
        except (RemoteError, RemoteTimeoutError) as exc:
            return str(exc)
        return None

    # -- jobs
    async def run(self, job: dict[str, Any], timeout: float | None = None, *,
                  cheap: bool = False, client: str | None = None) -> Reply:
        """Answer one job from the remote; 504 when it takes longer than the time limit.

        The guard runs first in a guard process under the same time limit (503 when it
        overruns); a `client` may run `max_expensive_per_client` jobs that are not `cheap`
        at once (429 beyond), as in store mode.
        """
        limit = self.timeout if timeout is None else timeout
        if self._executor is None or self._guards is None:
            await self.start()
        if cheap or client is None:
            return await self._run(job, limit)
        if self._per_client.get(client, 0) >= self.max_expensive_per_client:
            return Reply(429, body=(
                f"You already have {self.max_expensive_per_client} expensive query(ies) "
                "running; wait for it to finish (lookups of named resources are not "
                "limited).").encode())
        self._per_client[client] = self._per_client.get(client, 0) + 1
        try:
            return await self._run(job, limit)
        finally:
            left = self._per_client.get(client, 1) - 1
            if left > 0:
                self._per_client[client] = left
            else:
                self._per_client.pop(client, None)

    async def _run(self, job: dict[str, Any], limit: float) -> Reply:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert self._guards is not None
        info, refusal = await self._guards.screen(job, limit)
        if refusal is not None:
            return refusal
        left = max(0.01, limit - (loop.time() - started))
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._executor, self.answer, job, info), left)
        except asyncio.TimeoutError:
            return self._timed_out(limit)

    async def update(self, text: str, timeout: float | None = None,
                     base_iri: str | None = None) -> Reply:
        """Refused: this server only reads through the remote endpoint."""
        return Reply(403, body=self.update_refusal().encode())

    def update_refusal(self) -> str:
        """Why an update is refused in endpoint mode, and where to send it instead."""
        return (f"This server answers from the remote SPARQL endpoint {self.url} and does not "
                "forward SPARQL Update; send updates to that server (or use `esfgraph push`).")

    def _timed_out(self, limit: float) -> Reply:
        return Reply(504, body=(f"Gateway timeout: the remote SPARQL endpoint {self.url} did "
                                f"not answer within the {limit:g} s time limit.").encode())

    def answer(self, job: dict[str, Any], info: Any = None) -> Reply:
        """Send and convert one job (blocking; runs in a thread).

        `info` is the job's shape from the guard (`run` checks it in a guard process); without
        it the guard runs here first.
        """
        text: str = job["query"]
        if info is None:
            info, refusal = screen(job, "updates are not forwarded")
            if refusal is not None:
                return refusal
        try:
            text = _fill(text, job.get("bind"))
        except ValueError as exc:
            return Reply(400, body=f"Bad resource IRI: {exc}".encode())
        # the prefixes /sparql predeclares, declared for the remote (it knows none of them)
        text = with_prefixes(text, PREFIXES)
        rows_wanted = job.get("want") == "rows"
        if info.form in ("CONSTRUCT", "DESCRIBE"):
            if not job.get("graph_type"):
                return _not_acceptable(info.form, job)
            accept = f"{job['graph_type']}, {GRAPH_FALLBACK}"
        else:
            if info.form is not None and not rows_wanted and not job.get("results_type"):
                return _not_acceptable(info.form, job)
            accept = RESULTS_ACCEPT
        try:
            data, media, cut = self.endpoint.fetch(text, accept, job.get("default_graphs") or [],
                                                   job.get("named_graphs") or [])
        except RemoteTimeoutError:
            return self._timed_out(self.timeout)
        except RemoteError as exc:
            if exc.status == 400:  # the remote's parser refused the client's query
                return Reply(400, body=("The remote SPARQL endpoint refused the query: "
                                        f"{exc.body or 'HTTP 400'}").encode())
            return Reply(502, body=f"Bad gateway: {exc}".encode())
        if media in RESULTS_PARSE:
            return self._results(data, media, cut, job)
        if media in GRAPH_PARSE:
            return self._graph(data, media, cut, job)
        return Reply(502, body=(f"Bad gateway: {self.url} answered with Content-Type "
                                f"{media or '(none)'!r}, neither SPARQL results nor RDF: "
                                f"{_excerpt(data)}").encode())

    def _garbage(self, what: str, exc: Exception, cut: bool) -> Reply:
        if cut:
            return self._too_big()
        return Reply(502, body=(f"Bad gateway: the answer of {self.url} is not valid {what} "
                                f"({exc}).").encode())

    def _too_big(self) -> Reply:
        return Reply(502, body=(f"Bad gateway: the answer of {self.url} is larger than "
                                f"{self.endpoint.max_bytes} bytes; narrow the query "
                                "(add LIMIT).").encode())

    def _results(self, data: bytes, media: str, cut: bool, job: dict[str, Any]) -> Reply:
        """A SELECT/ASK answer: cap the rows, pass through or convert to the negotiated type."""
        wanted = job.get("results_type")
        try:
            result = ox.parse_query_results(data, format=RESULTS_PARSE[media])
            if isinstance(result, ox.QueryBoolean):
                if job.get("want") == "rows":
                    return Reply(200, rows=[{"boolean": ("literal", str(bool(result)).lower(),
                                                         None, None)}])
                if not wanted:
                    return _not_acceptable("ASK", job)
                body = data if wanted == media else result.serialize(
                    format=_results_format(wanted))
                return Reply(200, _content_type(wanted), body)
            variables = [v.value for v in result.variables]
            rows: list[dict[str, Any]] = []
            truncated = False
            for solution in result:
                if len(rows) >= self.max_rows:
                    truncated = True
                    break
                rows.append({name: solution[name] for name in variables
                             if solution[name] is not None})
        except (SyntaxError, ValueError, OSError) as exc:
            return self._garbage("SPARQL results", exc, cut)
        if cut and not truncated:
            return self._too_big()
        if job.get("want") == "rows":
            return Reply(200, truncated=truncated, variables=variables,
                         rows=[{k: _term_tuple(v) for k, v in row.items()} for row in rows])
        if not wanted:
            return _not_acceptable("SELECT", job)
        if not truncated and wanted == media:
            return Reply(200, _content_type(wanted), data, count=len(rows))
        return select_reply(variables, rows, wanted, truncated)

    def _graph(self, data: bytes, media: str, cut: bool, job: dict[str, Any]) -> Reply:
        """A CONSTRUCT/DESCRIBE answer: cap the triples, pass through or re-serialise."""
        from esfgraph.namespaces import PREFIXES

        wanted = job.get("graph_type")
        if not wanted:
            return _not_acceptable("CONSTRUCT/DESCRIBE", job)
        triples: list[Any] = []
        truncated = False
        try:
            for triple in ox.parse(data, format=GRAPH_PARSE[media]):
                if len(triples) >= self.max_rows:
                    truncated = True
                    break
                triples.append(triple)
        except (SyntaxError, ValueError, OSError) as exc:
            return self._garbage("RDF", exc, cut)
        if cut and not truncated:
            return self._too_big()
        if not truncated and wanted == media:
            return Reply(200, _content_type(wanted), data, count=len(triples))
        fmt = _graph_format(wanted)
        prefixes = _used_prefixes(triples, PREFIXES) if fmt == ox.RdfFormat.TURTLE else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
        return Reply(200, _content_type(wanted), body, truncated=truncated, count=len(triples))


__all__ = ["DEFAULT_MAX_BYTES", "RemoteBackend", "RemoteTimeoutError"]
