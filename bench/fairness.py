"""Fairness and memory under hostile load: does a cheap lookup stay fast whatever others send?

Builds (or takes) a store, starts `esfgraph serve` on 127.0.0.1 and runs, for each mix, 200
clients for 60 s (defaults) plus one probe. Every client has its own loopback source address
(127.0.0.2, 127.0.0.3, …), so the server's per-client limits see 200 clients, not one. A
client of cheap lookups or aggregates sends a request, waits for the answer, thinks 1–5 s
(`--think`) and goes again: 200 people at work offer about 65 requests a second, under what
this 2-core machine serves while it also runs the load generator (about 80–130 cheap lookups a
second through HTTP, measured side by side with the previous main). The expensive and flood
clients send back to back. The probe (its own address) sends a distinct cheap lookup of a
project every 100 ms (a comment makes each text new, so no answer comes from the cache) and its
latencies are the figure that matters:

  cheap        all 200 clients send cheap lookups (one project's triples)
  aggregates   180 cheap + 20 clients sending the ready-made GROUP BY queries, uncached
  expensive    180 cheap + 20 clients sending cross products with a FILTER (no aggregate word)
  flood        196 cheap + 4 clients sending distinct 400 kB `ASK {}` queries, back to back
  dashboard    180 cheap + 20 dashboards: each sends 8 ready-made GROUP BY queries at once
               (uncached), waits for all, thinks; the per-client line should let them pass
               (429 counts them when it does not)

Printed per mix: the probe's p50/p99 (ms) and failures, the clients' requests and 503/429
counts, and the RSS of the server's process tree (start, max, growth).

    python bench/fairness.py                               # 10,000 records, all four mixes
    python bench/fairness.py --mixes flood --seconds 20 --records 2000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import (
    LoadSettings,
    MemorySampler,
    build_store,
    pct,
    project_iris,
    start_server,
)
from bench.serve import stop

MIXES = ("cheap", "aggregates", "expensive", "flood", "dashboard")
JSON = {"Accept": "application/sparql-results+json"}
EXPENSIVE = ("ASK {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
             'FILTER(STR(?c)=CONCAT(STR(?f),STR(?i),"{n}")) }}')


@dataclass
class MixResult:
    """What one mix measured."""

    mix: str
    probe_ms: list[float] = field(default_factory=list)
    probe_failures: int = 0
    requests: int = 0
    status: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0
    rss_mb: list[float] = field(default_factory=list)

    def line(self) -> str:
        start = self.rss_mb[0] if self.rss_mb else float("nan")
        top = max(self.rss_mb) if self.rss_mb else float("nan")
        return (f"{self.mix:<11} probe p50 {pct(self.probe_ms, 0.5):7.1f} ms  p99 "
                f"{pct(self.probe_ms, 0.99):7.1f} ms  ({len(self.probe_ms)} ok, "
                f"{self.probe_failures} failed) | clients: {self.requests} requests, "
                f"503: {self.status.get(503, 0)}, 429: {self.status.get(429, 0)}, other non-200: "
                f"{sum(v for k, v in self.status.items() if k not in (200, 429, 503))}, "
                f"failed: {self.transport_errors} | RSS start {start:.0f} MB, max {top:.0f} MB, "
                f"growth {top - start:+.0f} MB")


def _client(n: int) -> httpx.AsyncClient:
    address = f"127.0.{(n + 2) // 250}.{(n + 2) % 250 + 1}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(transport=transport, timeout=120)


async def _drive(url: str, mix: str, clients: int, seconds: float, projects: list[str],
                 queries: list[str], result: MixResult, seed: int,
                 think: tuple[float, float] = (1.0, 5.0)) -> None:
    deadline = time.monotonic() + seconds
    special = {"cheap": 0, "aggregates": 20, "expensive": 20, "flood": 4, "dashboard": 20}[mix]

    async def client(n: int) -> None:
        rng = random.Random(seed * 7919 + n)
        kind = mix if n < special else "cheap"
        async with _client(n) as http:
            count = 0
            while time.monotonic() < deadline:
                count += 1
                if kind == "dashboard":
                    panel = [http.post(url + "/sparql", headers=JSON, data={
                        "query": queries[i % len(queries)] + f"\n# dashboard {n}-{count}-{i}"})
                        for i in range(8)]
                    for got in await asyncio.gather(*panel, return_exceptions=True):
                        if isinstance(got, httpx.Response):
                            result.status[got.status_code] = result.status.get(
                                got.status_code, 0) + 1
                        else:
                            result.transport_errors += 1
                        result.requests += 1
                    await asyncio.sleep(rng.uniform(*think))
                    continue
                if kind == "cheap":
                    req = http.get(url + "/sparql", headers=JSON, params={
                        "query": f"SELECT ?p ?o WHERE {{ <{rng.choice(projects)}> ?p ?o }}"})
                elif kind == "aggregates":
                    text = rng.choice(queries) + f"\n# client {n} request {count}"
                    req = http.post(url + "/sparql", headers=JSON, data={"query": text})
                elif kind == "expensive":
                    text = EXPENSIVE.format(n=f"{n}-{count}")
                    req = http.post(url + "/sparql", headers=JSON, data={"query": text})
                else:
                    text = f"ASK {{}} # {n}-{count} " + "x" * 400_000
                    req = http.post(url + "/sparql", headers={
                        **JSON, "Content-Type": "application/sparql-query"}, content=text)
                try:
                    resp = await req
                    result.status[resp.status_code] = result.status.get(resp.status_code, 0) + 1
                except httpx.HTTPError:
                    result.transport_errors += 1
                result.requests += 1
                if kind == "cheap" or kind == "aggregates":
                    await asyncio.sleep(rng.uniform(*think))

    async def probe() -> None:
        rng = random.Random(seed)
        async with _client(clients + 10) as http:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                text = f"SELECT ?p ?o WHERE {{ <{rng.choice(projects)}> ?p ?o }} # probe {n}"
                started = time.perf_counter()
                try:
                    resp = await http.get(url + "/sparql", params={"query": text}, headers=JSON)
                    if resp.status_code == 200:
                        result.probe_ms.append(time.perf_counter() - started)
                    else:
                        result.probe_failures += 1
                except httpx.HTTPError:
                    result.probe_failures += 1
                await asyncio.sleep(0.1)

    await asyncio.gather(probe(), *(client(n) for n in range(clients)))


def run_mix(store: Path, mix: str, args: argparse.Namespace, projects: list[str],
            queries: list[str], work: Path) -> MixResult:
    """Start a fresh server, run one mix, stop the server."""
    settings = LoadSettings(workers=args.workers, server_timeout=args.timeout,
                            cache_mb=args.cache_mb)
    proc, url = start_server(store, settings, work)
    result = MixResult(mix)
    sampler = MemorySampler(proc.pid, result.rss_mb)
    try:
        sampler.start()
        asyncio.run(_drive(url, mix, args.clients, args.seconds, projects, queries, result,
                           args.seed, args.think))
    finally:
        sampler.stopped.set()
        sampler.join(10)
        stop(proc)
    return result


def main(argv: list[str] | None = None) -> int:
    from esfgraph.queries import list_queries

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mixes", default=",".join(MIXES), help="comma-separated mixes")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--cache-mb", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=lambda v: tuple(float(x) for x in v.split(",")),
                        default=(1.0, 5.0), help="think time MIN,MAX in seconds (1,5)")
    args = parser.parse_args(argv)
    mixes = [m for m in args.mixes.split(",") if m]
    unknown = set(mixes) - set(MIXES)
    if unknown:
        parser.error(f"unknown mix {sorted(unknown)}; choose from {', '.join(MIXES)}")
    work = Path(tempfile.mkdtemp(prefix="esfgraph-bench-fair-"))
    store = args.store
    if store is None:
        print(f"building {args.records} synthetic records in {work} …", flush=True)
        store, took = build_store(args.records, args.seed, work)
        print(f"built in {took:.1f} s", flush=True)
    projects = project_iris(store)
    queries = [q.sparql for q in list_queries() if not q.params]
    offered = args.clients / (sum(args.think) / 2)
    print(f"{len(projects)} projects; {args.clients} clients + 1 probe, {args.seconds:g} s "
          f"per mix, think time {args.think[0]:g}-{args.think[1]:g} s (about {offered:.0f} "
          "requests/s offered by the thinking clients); target: probe p99 <= 200 ms, "
          "RSS growth <= 200 MB", flush=True)
    failed = False
    for mix in mixes:
        result = run_mix(store, mix, args, projects, queries, work)
        print(result.line(), flush=True)
        growth = (max(result.rss_mb) - result.rss_mb[0]) if result.rss_mb else 0
        failed |= pct(result.probe_ms, 0.99) > 200 or growth > 200
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
