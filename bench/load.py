"""Load test of `esfgraph serve`: many clients, mixed queries, errors by kind, server memory.

Builds a store from synthetic pages (bench/generate.py, built with esfgraph.pipeline.build),
starts `esfgraph serve` on 127.0.0.1 and runs N concurrent clients (asyncio + httpx) for a
fixed time. Each client picks at random:
  * a SPARQL lookup of one project (`SELECT ?p ?o WHERE { <project> ?p ?o }`),
  * the linked-data page of one project (`GET /id/project/…` as Turtle),
  * a ready-made query (`esfgraph/queries/*.rq`, parameters left unbound).
It prints requests per second, median and p99 latency per kind, and errors counted apart:
503 (time limit or every worker busy: the server protecting itself), other 5xx (server
errors: there should be none), other statuses and failed connections. Meanwhile the RSS of
the server's whole process tree (server plus query workers, from /proc) is sampled once a
second; start, max and end are printed ("flat" means max/start stays bounded).

    python bench/load.py                                    # 32 clients, 60 s, 10,000 records
    python bench/load.py --clients 4 --seconds 3 --records 200
    python bench/load.py --store .esfgraph/store --seconds 30

Library use (the smoke test in tests/test_hardening_server.py)::

    from bench.load import LoadSettings, run
    result = run(LoadSettings(clients=4, seconds=3, records=100))
    result.server_errors, result.timeouts, result.rss_mb
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.serve import free_port, stop  # one server start/stop for both benches

ESF = "https://w3id.org/esfgraph/ontology#"
KINDS = ("lookup", "entity", "ready-made")


@dataclass
class LoadSettings:
    """What to run: load shape, data size and server options."""

    clients: int = 32
    seconds: float = 60.0
    records: int = 10_000
    store: Path | None = None
    seed: int = 1
    lookup_share: float = 0.6
    entity_share: float = 0.2
    workers: int | None = None
    server_timeout: float = 30.0
    client_timeout: float = 60.0
    cache_mb: int = 64
    work_dir: Path | None = None
    quiet: bool = False


@dataclass
class LoadResult:
    """Latencies per kind, error counts by class, and the server's memory samples."""

    seconds: float
    records: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    timeouts: int = 0            # 503: the time limit, or no worker free for the whole limit
    server_errors: int = 0       # any other 5xx
    other_status: int = 0        # 4xx and anything else that is not 200
    transport_errors: int = 0    # connection refused/reset, client-side timeout
    error_kinds: dict[str, int] = field(default_factory=dict)
    timeout_at: list[float] = field(default_factory=list)  # seconds after the start, per 503
    rss_samples_mb: list[float] = field(default_factory=list)
    server_alive: bool = False
    build_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rss_mb(self) -> tuple[float, float, float]:
        """(start, max, end) RSS of the server process tree in MB."""
        s = self.rss_samples_mb or [0.0]
        return s[0], max(s), s[-1]

    def note(self, what: str) -> None:
        self.error_kinds[what] = self.error_kinds.get(what, 0) + 1


# ----------------------------------------------------------------------------- data


def build_store(records: int, seed: int, work: Path) -> tuple[Path, float]:
    """Synthetic pages → `esfgraph.pipeline.build` → a store; returns (store, seconds)."""
    from bench.generate import write_pages
    from esfgraph.pipeline import build

    pages = work / "pages"
    write_pages(pages, records, seed=seed, bad_rate=0.0)
    started = time.perf_counter()
    build([pages], store_path=work / "store", validate=False)
    return work / "store", time.perf_counter() - started


def project_iris(store: Path) -> list[str]:
    from esfgraph.store import Store

    return sorted(r["p"].value for r in Store(store).query(
        f"SELECT ?p WHERE {{ ?p a <{ESF}Project> }}"))


# ----------------------------------------------------------------------------- server


def start_server(store: Path, settings: LoadSettings, cwd: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "esfgraph", "serve", "--store", str(store), "--port",
           str(port), "--timeout", str(settings.server_timeout), "--cache-mb",
           str(settings.cache_mb)]
    if settings.workers:
        cmd += ["--workers", str(settings.workers)]
    proc = subprocess.Popen(cmd, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(REPO)))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"esfgraph serve exited early with {proc.returncode}")
        try:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit("esfgraph serve did not come up within 300 s")


def tree_rss_mb(root_pid: int) -> float:
    """RSS of a process and all its descendants (from /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1] is the parent pid
        rss[pid] = int(fields[21]) * page                    # fields[21] is rss in pages
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / 1e6


class MemorySampler(threading.Thread):
    """Samples the server tree's RSS once a second until stopped."""

    def __init__(self, pid: int, into: list[float]) -> None:
        super().__init__(daemon=True)
        self.pid, self.into, self.stopped = pid, into, threading.Event()

    def run(self) -> None:
        while True:
            self.into.append(tree_rss_mb(self.pid))
            if self.stopped.wait(1.0):
                self.into.append(tree_rss_mb(self.pid))
                return


# ----------------------------------------------------------------------------- load


async def drive(url: str, projects: list[str], queries: list[str], settings: LoadSettings,
                result: LoadResult) -> None:
    """Run the clients until the time is up; fill `result`."""
    began = time.monotonic()
    deadline = began + settings.seconds

    async def client(n: int) -> None:
        rng = random.Random(settings.seed * 1000 + n)
        # one connection pool per client, each from its own loopback address: the server
        # limits expensive queries per client address, and 32 users are 32 addresses, not one
        # (127.0.0.0/8 is all loopback on Linux)
        address = f"127.0.{(n + 2) // 250}.{(n + 2) % 250 + 1}"
        async with httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(local_address=address),
                timeout=settings.client_timeout) as http:
            await one_client(n, rng, http)

    async def one_client(n: int, rng: random.Random, http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < settings.lookup_share:
                kind = "lookup"
                request = http.get(url + "/sparql", params={
                    "query": f"SELECT ?p ?o WHERE {{ <{rng.choice(projects)}> ?p ?o }}"},
                    headers={"Accept": "application/sparql-results+json"})
            elif roll < settings.lookup_share + settings.entity_share:
                kind = "entity"
                path = rng.choice(projects).split("/id/", 1)[1]
                request = http.get(f"{url}/id/{path}", headers={"Accept": "text/turtle"})
            else:
                kind = "ready-made"
                request = http.get(url + "/sparql", params={"query": rng.choice(queries)},
                                   headers={"Accept": "application/sparql-results+json"})
            started = time.perf_counter()
            try:
                resp = await request
            except httpx.HTTPError as exc:
                result.transport_errors += 1
                result.note(f"{kind} {type(exc).__name__}")
                continue
            status = resp.status_code
            if status == 200:
                result.latencies[kind].append(time.perf_counter() - started)
                continue
            if status == 503:
                result.timeouts += 1
                result.timeout_at.append(time.monotonic() - began)
            elif status >= 500:
                result.server_errors += 1
            else:
                result.other_status += 1
            why = ""
            if status == 503:  # the server says which: a query over the limit, or a queue
                why = " time limit" if "stopped after" in resp.text else " workers busy"
            result.note(f"{kind} {status}{why}")

    await asyncio.gather(*(client(n) for n in range(settings.clients)))


def run(settings: LoadSettings) -> LoadResult:
    """Prepare the data, start the server, run the load, stop the server; return the figures."""
    from esfgraph.queries import list_queries

    work = settings.work_dir or Path(tempfile.mkdtemp(prefix="esfgraph-bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if settings.quiet else (lambda *a: print(*a, flush=True))
    build_seconds = 0.0
    if settings.store is not None:
        store = settings.store
    else:
        say(f"building a store of {settings.records} synthetic records in {work} …")
        store, build_seconds = build_store(settings.records, settings.seed, work)
        say(f"built in {build_seconds:.1f} s")
    projects = project_iris(store)
    if not projects:
        raise SystemExit(f"no projects in {store}")
    queries = [q.sparql for q in list_queries()]
    result = LoadResult(settings.seconds, len(projects), build_seconds=build_seconds)
    proc, url = start_server(store, settings, work)
    sampler = MemorySampler(proc.pid, result.rss_samples_mb)
    try:
        say(f"esfgraph serve up at {url}; {settings.clients} clients for {settings.seconds:g} s …")
        sampler.start()
        asyncio.run(drive(url, projects, queries, settings, result))
        sampler.stopped.set()
        sampler.join(10)
        try:
            ok = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            result.server_alive = ok.status_code == 200 and proc.poll() is None
        except httpx.HTTPError:
            result.server_alive = False
    finally:
        sampler.stopped.set()
        stop(proc)
    return result


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


def report(result: LoadResult, settings: LoadSettings) -> str:
    """The figures as a plain-text table."""
    lines = [f"{result.records} projects, {settings.clients} clients, {result.seconds:g} s",
             f"{'kind':<11} {'ok':>8} {'req/s':>8} {'median ms':>10} {'p99 ms':>9}"]
    everything = [x for v in result.latencies.values() for x in v]
    for kind, lat in [("all", everything), *result.latencies.items()]:
        median = statistics.median(lat) * 1000 if lat else float("nan")
        lines.append(f"{kind:<11} {len(lat):>8} {len(lat) / result.seconds:>8.1f} "
                     f"{median:>10.1f} {pct(lat, 0.99):>9.1f}")
    lines.append(f"errors: 5xx other than 503: {result.server_errors}; 503 (time limit / busy): "
                 f"{result.timeouts}; other status: {result.other_status}; failed requests: "
                 f"{result.transport_errors}")
    if result.error_kinds:
        lines.append(f"  by kind: {dict(sorted(result.error_kinds.items()))}")
    if result.timeout_at:
        at = sorted(result.timeout_at)
        lines.append(f"  503 answers came {at[0]:.0f}–{at[-1]:.0f} s after the start "
                     f"(median {statistics.median(at):.0f} s)")
    start, top, end = result.rss_mb
    lines.append(f"server RSS (process tree, {len(result.rss_samples_mb)} samples, 1/s): "
                 f"start {start:.0f} MB, max {top:.0f} MB, end {end:.0f} MB, "
                 f"max/start {top / start if start else float('nan'):.2f}")
    trace = result.rss_samples_mb[::10]
    lines.append("  RSS every 10 s (MB): " + " ".join(f"{x:.0f}" for x in trace))
    lines.append(f"server alive after the run: {'yes' if result.server_alive else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/load.py --clients 32 "
                                            "--seconds 60 --records 10000")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--seconds", type=float, default=60, help="duration of the load (60)")
    parser.add_argument("--records", type=int, default=10_000,
                        help="synthetic records to build (10000)")
    parser.add_argument("--store", type=Path, default=None,
                        help="load an existing store instead of building one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="server query workers")
    parser.add_argument("--timeout", type=float, default=30, help="server query time limit (30)")
    parser.add_argument("--cache-mb", type=int, default=64, help="server answer cache (64)")
    parser.add_argument("--lookup-share", type=float, default=0.6,
                        help="share of SPARQL lookups (0.6)")
    parser.add_argument("--entity-share", type=float, default=0.2,
                        help="share of entity pages (0.2); the rest are ready-made queries")
    args = parser.parse_args(argv)
    settings = LoadSettings(clients=args.clients, seconds=args.seconds, records=args.records,
                            store=args.store, seed=args.seed, workers=args.workers,
                            server_timeout=args.timeout, cache_mb=args.cache_mb,
                            lookup_share=args.lookup_share, entity_share=args.entity_share)
    result = run(settings)
    print(report(result, settings))
    return 0 if result.server_errors == 0 and result.server_alive else 1


if __name__ == "__main__":
    sys.exit(main())
