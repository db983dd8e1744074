"""Run SPARQL in a pool of worker processes so a timed-out query can really be stopped.

pyoxigraph cannot cancel a running query from Python, and a thread that timed out keeps burning
a core. Each worker is a separate process holding the store open with `Store.read_only`; the
server sends it one job at a time over a pipe. On timeout (or when the client goes away) the
worker is killed and a fresh one is started in the background, so the other workers keep
answering. Updates (only with `--enable-update`) stop every reader first, run in a short-lived
read-write process, and then start the readers again.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from esfgraph.errors import StoreError
from esfgraph.guard import BoundedCache, digest
from esfgraph.serve.keeper import ProcessKeeper
from esfgraph.serve.lanes import ClientBusy, ClientLimiter

_CTX = multiprocessing.get_context("spawn")
#: Signals by which a query that crashed the evaluator ends its worker (not SIGKILL: that is
#: the time limit, the operator or the OOM killer).
_CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL,
                            signal.SIGFPE})
_LOG = logging.getLogger("esfgraph.serve")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Reply:
    """The outcome of one job: an HTTP status, a media type and a body (or rows)."""

    status: int
    media_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    truncated: bool = False
    rows: list[dict[str, tuple[str, str, str | None, str | None]]] | None = None
    variables: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def message(self) -> str:
        """The body as text (for error replies)."""
        return self.body.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- worker side


def _term_json(term: Any) -> dict[str, Any]:
    """SPARQL JSON results encoding of one pyoxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    return {"type": "literal", "value": str(term)}


def _term_tuple(term: Any) -> tuple[str, str, str | None, str | None]:
    """A picklable (kind, value, language, datatype) view of a term, for the HTML pages."""
    data = _term_json(term)
    value = data["value"] if isinstance(data["value"], str) else str(term)
    return data["type"], value, data.get("xml:lang"), data.get("datatype")


def _graph_format(media_type: str) -> Any:
    import pyoxigraph as ox

    return {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
            "application/ld+json": ox.RdfFormat.JSON_LD,
            "application/rdf+xml": ox.RdfFormat.RDF_XML}[media_type]


def _results_format(media_type: str) -> Any:
    import pyoxigraph as ox

    return {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/csv": ox.QueryResultsFormat.CSV,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media_type]


def _content_type(media_type: str) -> str:
    text_like = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
    return f"{media_type}; charset=utf-8" if text_like else media_type


def select_reply(variables: list[str], rows: list[dict[str, Any]], media: str,
                 truncated: bool) -> Reply:
    """SELECT rows (pyoxigraph terms) written as SPARQL JSON, then in `media` when it differs."""
    import pyoxigraph as ox

    doc = {"head": {"vars": variables},
           "results": {"bindings": [{k: _term_json(v) for k, v in row.items()} for row in rows]}}
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if media != "application/sparql-results+json":
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=_results_format(media))
    return Reply(200, _content_type(media), body, truncated=truncated, count=len(rows))


def screen(job: dict[str, Any], update_note: str) -> tuple[Any, Reply | None]:
    """Guard a query job before any backend runs it: (its shape, None) or (None, the refusal).

    SERVICE/LOAD get 403, over-complex queries and updates sent as queries 400; `update_note`
    says where updates go instead.
    """
    from esfgraph import guard

    text: str = job["query"]
    try:
        info = guard.shape(text) if job.get("trusted") else guard.check(text)
    except guard.UnsafeQueryError as exc:
        return None, Reply(403, body=str(exc).encode())
    except guard.QueryTooComplexError as exc:
        return None, Reply(400, body=str(exc).encode())
    if info.form == "UPDATE":
        return None, Reply(400, body=("This is a SPARQL Update; send it as `update=` or as "
                                      f"application/sparql-update ({update_note}).").encode())
    return info, None


def execute(store: Any, job: dict[str, Any]) -> Reply:
    """Run one query job against an open pyoxigraph store (called inside a worker)."""
    import pyoxigraph as ox

    from esfgraph.namespaces import PREFIXES

    text: str = job["query"]
    info, refusal = screen(job, "updates are off unless enabled")
    if refusal is not None:
        return refusal
    # the usual prefixes are predeclared as on the command line (a query's own PREFIX wins);
    # relative IRIs resolve against the endpoint's URL (SPARQL 1.1 Protocol: the service's base)
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if job.get("base_iri"):
        kwargs["base_iri"] = job["base_iri"]
    try:
        if job.get("default_graphs") or job.get("named_graphs"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.get("default_graphs", [])]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.get("named_graphs", [])]
        elif not info.has_dataset_clause:
            kwargs["use_default_graph_as_union"] = True
        for name, value in (job.get("bind") or {}).items():
            # trusted templates only; a validated NamedNode cannot contain '>' or spaces
            text = text.replace("{{" + name + "}}", str(ox.NamedNode(value)))
    except ValueError as exc:
        return Reply(400, body=f"Bad graph or resource IRI: {exc}".encode())
    max_rows = int(job.get("max_rows") or 10000)
    try:
        result = store.query(text, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            media = job.get("results_type")
            if job.get("want") == "rows":
                return Reply(200, rows=[{"boolean": ("literal", str(bool(result)).lower(),
                                                     None, None)}])
            if not media:
                return _not_acceptable("ASK", job)
            return Reply(200, _content_type(media), result.serialize(format=_results_format(media)))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            truncated = False
            for solution in result:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append({name: solution[name] for name in variables
                             if solution[name] is not None})
            if job.get("want") == "rows":
                return Reply(200, truncated=truncated, variables=variables,
                             rows=[{k: _term_tuple(v) for k, v in row.items()} for row in rows])
            media = job.get("results_type")
            if not media:
                return _not_acceptable("SELECT", job)
            return select_reply(variables, rows, media, truncated)
        media = job.get("graph_type")
        if not media:
            return _not_acceptable("CONSTRUCT/DESCRIBE", job)
        triples = []
        truncated = False
        for triple in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(triple)
        if media == "application/ld+json" and job.get("jsonld_context"):
            # compacted with the shipped context, referred to by the URL the server serves it at
            from esfgraph.jsonld import write_jsonld

            buffer = io.BytesIO()
            write_jsonld(triples, buffer, union=True, context_ref=job["jsonld_context"])
            return Reply(200, _content_type(media), buffer.getvalue(), truncated=truncated,
                         count=len(triples))
        fmt = _graph_format(media)
        prefixes = _used_prefixes(triples, PREFIXES) if fmt == ox.RdfFormat.TURTLE else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes)
        return Reply(200, _content_type(media), body or b"", truncated=truncated,
                     count=len(triples))
    except SyntaxError as exc:
        from esfgraph.sparql_errors import explain

        return Reply(400, body=explain(str(exc), text, PREFIXES).render(text).encode())
    except (OSError, ValueError, RuntimeError) as exc:
        return Reply(400, body=f"The query could not be evaluated: {exc}".encode())


def _used_prefixes(triples: list[Any], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI in `triples` uses (a tidy Turtle header)."""
    import pyoxigraph as ox

    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def _not_acceptable(form: str, job: dict[str, Any]) -> Reply:
    from esfgraph.serve.protocol import not_acceptable

    return Reply(406, body=not_acceptable(form, job.get("accept")).encode())


def run_update(store_path: str, text: str, base_iri: str | None = None) -> Reply:
    """Run one SPARQL Update with the store opened read-write (in a short-lived process).

    A bad update (syntax, a graph that does not exist without SILENT, a bad term) is the
    client's fault: 400. Only a failure of the store itself (disk, lock) is a 500.
    """
    import pyoxigraph as ox

    from esfgraph import guard

    try:
        guard.check(text, update=True)
    except guard.UnsafeQueryError as exc:
        return Reply(403, body=str(exc).encode())
    except guard.QueryTooComplexError as exc:
        return Reply(400, body=str(exc).encode())
    try:
        store = ox.Store(store_path)
    except OSError as exc:
        return Reply(500, body=f"The store could not be opened for the update: {exc}".encode())
    try:
        store.update(text, base_iri=base_iri)
        store.flush()
    except SyntaxError as exc:
        from esfgraph.sparql_errors import explain

        return Reply(400, body=explain(str(exc), text).render(text).encode())
    except OSError as exc:
        return Reply(500, body=f"The update failed in the store: {exc}".encode())
    except (ValueError, RuntimeError) as exc:
        return Reply(400, body=f"The update was refused: {exc}".encode())
    return Reply(204)


def _limit_memory(megabytes: int | None) -> None:
    """Cap this process's data segment (heap and anonymous mappings) at `megabytes`.

    A query that needs more fails inside the worker (pyoxigraph aborts, Python raises
    MemoryError) instead of growing the server without bound; the worker is replaced.
    """
    if not megabytes:
        return
    try:
        import resource
    except ImportError:  # not on this OS
        return
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError) as exc:
        _LOG.warning("could not limit a query worker's memory: %s", exc)


def _worker_main(conn: Connection, store_root: str, parent: int | None = None,
                 memory_mb: int | None = None, nice: int = 0) -> None:
    """Worker process loop: open the store read-only, then answer jobs until the pipe closes.

    First of all the worker ties its life to the server's and gives up the network for good
    (esfgraph.sandbox), so no query it runs can open a connection, whatever the guard missed.

    Before each job the worker checks the store's `current` pointer: when a build has swapped
    in a new version, it opens that one (the old version is never written, so a query that is
    already running keeps a whole, consistent view).
    """
    from esfgraph.sandbox import deny_network, die_with_parent

    die_with_parent(parent)
    denial = deny_network()
    try:
        import pyoxigraph as ox

        from esfgraph import guard

        opened = resolve_store_path(store_root)
        store = ox.Store.read_only(str(opened))
        guard.check("ASK { ?s ?p ?o }")  # import and warm up the parser before the first job
        _limit_memory(memory_mb)
        if nice:
            os.nice(nice)
        conn.send(("ready", (os.getpid(), denial.effective, denial.describe())))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails clearly
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            latest = resolve_store_path(store_root)
            if latest != opened:
                store, opened = ox.Store.read_only(str(latest)), latest
        except (StoreError, OSError):
            pass  # keep answering from the version already open
        try:
            reply = execute(store, job)
        except MemoryError:
            reply = Reply(503, body=b"The query needs more memory than a query worker may use "
                                    b"(serve --worker-memory-mb); narrow it down.")
        except Exception as exc:  # noqa: BLE001 - never let one query kill the worker
            reply = Reply(500, body=f"Internal error: {type(exc).__name__}: {exc}".encode())
        conn.send(reply)


def _update_main(conn: Connection, store_path: str, text: str, parent: int | None = None,
                 base_iri: str | None = None) -> None:
    from esfgraph.sandbox import deny_network, die_with_parent

    die_with_parent(parent)
    deny_network()
    conn.send(run_update(store_path, text, base_iri))


# --------------------------------------------------------------------------- server side


#: The CPU niceness of workers that may run expensive queries: they yield the cores to the
#: server's event loop and the lookup worker, so a long scan cannot slow every answer down.
GENERAL_NICE = 10


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    role: str = "general"  # "lookup": provably cheap jobs only; "general": any job


async def _readable(conn: Connection) -> None:
    """Wait without a thread until `conn` has data (or is closed)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()

    def ready() -> None:
        if not fut.done():
            fut.set_result(None)

    loop.add_reader(fd, ready)
    try:
        await fut
    finally:
        loop.remove_reader(fd)


def resolve_store_path(path: str | os.PathLike[str]) -> Path:
    """The directory pyoxigraph should open: follows a `current` pointer when the store has one.

    Raises:
        StoreError: nothing usable at `path`.
    """
    root = Path(path)
    pointer = root / "current"
    if pointer.is_symlink() or pointer.is_dir():
        return pointer.resolve()
    if pointer.is_file():
        target = pointer.read_text(encoding="utf-8").strip()
        candidate = (root / target).resolve()
        if candidate.is_dir():
            return candidate
    if not root.is_dir():
        raise StoreError(f"{root}: no store here; build one first with `esfgraph build SOURCES`")
    return root


def check_store(path: str | os.PathLike[str]) -> Path:
    """Open the store read-only once, so a bad path fails before the server starts.

    Raises:
        StoreError: the directory is missing or is not a pyoxigraph store.
    """
    import pyoxigraph as ox

    resolved = resolve_store_path(path)
    try:
        ox.Store.read_only(str(resolved))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot open the store read-only ({exc})") from exc
    return resolved


class WorkerPool(ProcessKeeper):
    """A fixed number of query worker processes with a per-job timeout that kills the worker."""

    #: Updates run on the store itself (when the app allows them).
    accepts_updates = True

    def __init__(self, store_path: str | os.PathLike[str], size: int = 2,
                 timeout: float = 30.0, max_rows: int = 10000,
                 max_expensive_per_client: int = 1, memory_mb: int | None = 512) -> None:
        self.store_root = Path(store_path)
        self.size = max(1, size)
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_expensive_per_client = max(1, max_expensive_per_client)
        self.memory_mb = memory_mb
        # one worker is kept for provably cheap lookups (esfgraph.serve.lanes), which nothing
        # else can take; the others ("general", lower CPU priority) run anything
        self._idle: dict[str, asyncio.Queue[_Worker]] = {"lookup": asyncio.Queue(),
                                                         "general": asyncio.Queue()}
        super().__init__()
        self._update_lock = asyncio.Lock()
        self._clients = ClientLimiter(self.max_expensive_per_client)
        # digests of queries that crashed a worker: refused at once the next time
        self._crashers: BoundedCache[bytes, bool] = BoundedCache(1024)
        self.crashed = 0
        self.network: str | None = None

    # -- lifecycle
    def _roles(self) -> list[str]:
        if self.size < 2:
            return ["general"]
        return ["lookup"] + ["general"] * (self.size - 1)

    def _spawn(self, role: str = "general") -> _Worker:
        parent, child = _CTX.Pipe()
        nice = GENERAL_NICE if role == "general" and self.size >= 2 else 0
        process = _CTX.Process(target=_worker_main, args=(child, str(self.store_root), os.getpid(),
                                                       self.memory_mb, nice),
                               daemon=True, name=f"esfgraph-query-worker-{role}")
        process.start()
        child.close()
        worker = _Worker(process, parent, role)
        self._all.add(worker)
        return worker

    def _put(self, worker: _Worker) -> None:
        self._idle[worker.role].put_nowait(worker)

    async def _take(self, cheap: bool, limit: float) -> _Worker:
        """An idle worker: a general one for expensive jobs, the first free one for cheap ones.

        Raises:
            asyncio.TimeoutError: none became free within `limit` seconds.
        """
        general = self._idle["general"]
        if not cheap:
            return await asyncio.wait_for(general.get(), limit)
        lookup = self._idle["lookup"]
        for queue in (lookup, general):
            if not queue.empty():
                return queue.get_nowait()
        getters = [asyncio.ensure_future(q.get()) for q in (lookup, general)]
        try:
            done, _ = await asyncio.wait(getters, timeout=limit,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            for getter in getters:
                getter.cancel()
        got = [g.result() for g in getters if g.done() and not g.cancelled()]
        if not got:
            raise asyncio.TimeoutError
        for extra in got[1:]:  # both became free at once: keep one, give the other back
            self._put(extra)
        return got[0]

    async def _await_ready(self, worker: _Worker, limit: float = 60.0) -> None:
        try:
            await asyncio.wait_for(_readable(worker.conn), limit)
            status, detail = worker.conn.recv()
        except (asyncio.TimeoutError, EOFError, OSError) as exc:
            await self._kill(worker)
            raise StoreError(f"a query worker did not start ({type(exc).__name__})") from exc
        if status != "ready":
            await self._kill(worker)
            raise StoreError(f"{self.store_root}: cannot open the store read-only: {detail}")
        _pid, cut_off, description = detail
        if self.network != description:
            self.network = description
            (_LOG.info if cut_off else _LOG.warning)("%s", description)

    async def start(self) -> None:
        """Start every worker and wait until each has the store open.

        Raises:
            StoreError: the store cannot be opened.
        """
        workers = [self._spawn(role) for role in self._roles()]
        try:
            await asyncio.gather(*(self._await_ready(w) for w in workers))
        except StoreError:
            for worker in workers:
                await self._kill(worker)
            raise
        for worker in workers:
            self._put(worker)

    async def _respawn(self, old: _Worker) -> None:
        fresh = self._spawn(old.role)
        try:
            await self._await_ready(fresh)
        except StoreError as exc:
            _LOG.error("could not replace a query worker: %s (%d left)", exc, self.alive)
            return
        self._put(fresh)

    def version(self) -> str | None:
        """The store version directory answering now (the answer cache's key)."""
        try:
            return str(resolve_store_path(self.store_root))
        except Exception:  # noqa: BLE001 - no cache when the pointer cannot be read
            return None

    @property
    def alive(self) -> int:
        """How many worker processes exist (idle, busy or starting)."""
        return len(self._all)

    # -- jobs
    async def run(self, job: dict[str, Any], timeout: float | None = None, *,
                  cheap: bool = False, client: str | None = None) -> Reply:
        """Run one query job; a job that outlives `timeout` kills its worker (503 reply).

        Jobs that are not `cheap` (see esfgraph.serve.lanes) run only on the general workers
        (lower CPU priority), so the lookup worker is always there for cheap lookups; each
        `client` may run at most `max_expensive_per_client` expensive jobs at once; more wait
        in the client's own line briefly (esfgraph.serve.lanes.ClientLimiter), 429 beyond.
        """
        limit = self.timeout if timeout is None else timeout
        key = digest(job["query"]) if job.get("query") else None
        if key is not None and self._crashers.get(key):
            return Reply(400, body=b"This query crashed a query worker before and is refused: "
                                   b"simplify it (less nesting, fewer operators).")
        if cheap:
            return await self._run(job, limit, key=key, cheap=True)
        if client is None:
            return await self._run(job, limit, key=key)
        try:
            async with self._clients.admit(client) as ticket:
                return await self._run(job, limit, key=key, started=ticket.started)
        except ClientBusy as exc:
            return Reply(429, body=str(exc).encode())

    async def _run(self, job: dict[str, Any], limit: float, shown: float | None = None, *,
                   key: bytes | None = None, retried: bool = False, cheap: bool = False,
                   started: Callable[[], None] | None = None) -> Reply:
        shown = limit if shown is None else shown
        job = dict(job)
        job.setdefault("max_rows", self.max_rows)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            try:
                worker = await self._take(cheap, max(0.01, deadline - loop.time()))
            except asyncio.TimeoutError:
                which = "query workers" if cheap else "workers for long queries"
                return Reply(503, body=f"All {which} stayed busy for {shown:g} s; "
                                       "try again later.".encode())
            if worker.process.is_alive():
                break
            self._replace(worker)  # died while idle (killed from outside): not this job's fault
        if started is not None:
            started()  # the per-client line counts running time, not time spent queued
        try:
            worker.conn.send(job)
            await asyncio.wait_for(_readable(worker.conn), max(0.01, deadline - loop.time()))
            reply: Reply = worker.conn.recv()
        except asyncio.TimeoutError:
            self._replace(worker)
            return Reply(503, body=(f"The query was stopped after the {shown:g} s time limit. "
                                    "Narrow it down (add LIMIT, more specific patterns) "
                                    "or ask the operator for a longer --timeout.").encode())
        except asyncio.CancelledError:
            self._replace(worker)  # the client went away: free the worker now
            raise
        except (EOFError, OSError):
            await asyncio.to_thread(worker.process.join, 1)
            code = worker.process.exitcode
            self._replace(worker)
            if code is not None and -code in _CRASH_SIGNALS:
                # the query itself crashed the evaluator: remember the text (by digest)
                self.crashed += 1
                if key is not None:
                    self._crashers.get_or_make(key, lambda: True)
                return Reply(503, body=b"The query crashed its worker process (too deeply "
                                       b"nested, too large, or over the worker's memory limit?); "
                                       b"the worker was replaced and the server is fine. "
                                       b"Simplify the query; the same text is now refused.")
            if not retried and deadline - loop.time() > 0.05:
                # killed from outside (operator, OOM killer): not this query's fault, run it
                # once more on another worker
                return await self._run(job, deadline - loop.time(), shown, key=key,
                                       retried=True, cheap=cheap, started=started)
            return Reply(503, body=f"The query's worker process was stopped from outside "
                                   f"(exit {code}); try again.".encode())
        self._put(worker)
        return reply

    async def update(self, text: str, timeout: float | None = None,
                     base_iri: str | None = None) -> Reply:
        """Run a SPARQL Update exclusively: readers are stopped, then restarted after it."""
        limit = self.timeout if timeout is None else timeout
        async with self._update_lock:
            taken: list[_Worker] = []
            try:
                while len(taken) < self.alive or not taken:
                    taken.append(await self._take(True, limit))
            except asyncio.TimeoutError:
                for worker in taken:
                    self._put(worker)
                return Reply(503, body=b"The store is busy with queries; try the update later.")
            for worker in taken:
                await self._kill(worker)
            parent, child = _CTX.Pipe()
            path = str(resolve_store_path(self.store_root))
            process = _CTX.Process(target=_update_main, args=(child, path, text, os.getpid(), base_iri),
                                   daemon=True)
            process.start()
            child.close()
            try:
                await asyncio.wait_for(_readable(parent), limit)
                reply = parent.recv()
            except asyncio.TimeoutError:
                process.kill()
                reply = Reply(503, body=f"The update was stopped after {limit:g} s.".encode())
            except (EOFError, OSError):
                reply = Reply(500, body=b"The update process crashed.")
            await asyncio.to_thread(process.join, 5)
            parent.close()
            await self.start()
            return reply


__all__ = ["Reply", "WorkerPool", "check_store", "execute", "resolve_store_path", "run_update"]
