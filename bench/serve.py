"""Load test of `esfgraph serve` next to rdflib-endpoint, over the same synthetic data.

16 concurrent clients (asyncio + httpx) send, for a fixed time, a mix of
  * lookups (80 %): all facts of one random project, `SELECT ?p ?o WHERE { <project> ?p ?o }`
  * ready-made queries (20 %): a random `esfgraph/queries/*.rq` (parameters left unbound)
to each server in turn, and print requests per second, median and p99 latency per kind, and
errors (any non-200 answer or failed request). Both servers run on 127.0.0.1 in their own
processes; esfgraph with its default worker pool, rdflib-endpoint (vemonet/rdflib-endpoint,
`pip install rdflib-endpoint`, bench only) with an rdflib `Dataset(default_union=True)`.

The data is generated directly as quads in the shape of docs/DATA-MODEL.md (projects with
grants, budgets, dates, a region, a municipality, an owner and partners; organisations and
places shared across projects), deterministic from --seed. `--store PATH` benchmarks an
existing store (e.g. one built by `esfgraph build`) instead.

    python bench/serve.py                                   # 2,000 projects, 20 s each (~1 min)
    python bench/serve.py --projects 100000 --seconds 30    # the issue's size (rdflib needs GBs)
    python bench/serve.py --projects 100000 --seconds 30 --skip-rdflib
    python bench/serve.py --store .esfgraph/store --lookup-share 1.0 --skip-rdflib
    python bench/serve.py --projects 100000 --seconds 30 --skip-rdflib --client wrk

`--http` then measures, on the same esfgraph server, what HTTP itself costs and saves: one big
answer (`SELECT * … LIMIT 10000`, from the answer cache so no query work is timed) sent
identity, gzip and brotli (bytes on the wire, ms per request), and a client that revalidates
ready-made query answers with If-None-Match (304) against one that asks again (200). With
`--seconds 0` only these figures are taken.

    python bench/serve.py --skip-rdflib --seconds 0 --http

The default client is Python (httpx) and runs on the same machine: on 2 cores it takes much of
the CPU itself, so its figures are a floor for the server. `--client wrk` drives the same mix
with wrk (C; Debian: `apt-get install -y wrk`) and a generated Lua script, so the figure
measures the server; the client's own CPU time is printed for either client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from esfgraph.queries import list_queries

BASE = "https://w3id.org/esfgraph/"
ESF = "https://w3id.org/esfgraph/ontology#"
REGIONS = [("SE11", "Stockholm"), ("SE12", "Östra Mellansverige"), ("SE21", "Småland och öarna"),
           ("SE22", "Sydsverige"), ("SE23", "Västsverige"), ("SE31", "Norra Mellansverige"),
           ("SE32", "Mellersta Norrland"), ("SE33", "Övre Norrland")]
PHASES = ["forprojektering", "genomforande", "analys-och-planering"]


def _nt(term: str) -> str:
    return term if term.startswith(('"', "<")) else f"<{term}>"


def synthetic_nquads(projects: int, seed: int) -> bytes:
    """Deterministic N-Quads for `projects` projects (about 30 quads each plus shared data)."""
    rng = random.Random(seed)
    lines: list[str] = []

    def quad(s: str, p: str, o: str, g: str) -> None:
        lines.append(f"{_nt(s)} {_nt(p)} {_nt(o)} <{g}> .")

    ref = f"{BASE}graph/reference"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    pref = "http://www.w3.org/2004/02/skos/core#prefLabel"
    dec = "^^<http://www.w3.org/2001/XMLSchema#decimal>"
    date = "^^<http://www.w3.org/2001/XMLSchema#date>"
    for code, name in REGIONS:
        region = f"{BASE}id/region/{code}"
        quad(region, rdf_type, ESF + "Region", ref)
        quad(region, label, f'"{name}"@sv', ref)
    municipalities = [f"{BASE}id/municipality/{1000 + i}" for i in range(290)]
    for i, muni in enumerate(municipalities):
        quad(muni, rdf_type, ESF + "Municipality", ref)
        quad(muni, label, f'"Kommun {i}"@sv', ref)
        quad(muni, ESF + "region", f"{BASE}id/region/{REGIONS[i % len(REGIONS)][0]}", ref)
    orgs = max(10, projects // 3)
    entities = f"{BASE}graph/entities"
    for i in range(orgs):
        org = f"{BASE}id/org/org-{i}"
        quad(org, rdf_type, "http://www.w3.org/ns/org#Organization", entities)
        quad(org, pref, f'"Organisation {i}"@sv', entities)
        quad(org, label, f'"Organisation {i}"@sv', entities)
    for i in range(projects):
        slug = f"bench-{i:06d}"
        p = f"{BASE}id/project/{slug}"
        g = f"{BASE}graph/record/{slug}"
        year = 2008 + rng.randrange(14)
        month = 1 + rng.randrange(12)
        grant = rng.randrange(100_000, 30_000_000)
        for cls in (ESF + "Project", "https://schema.org/Project"):
            quad(p, rdf_type, cls, g)
        quad(p, "http://purl.org/dc/terms/title", f'"Projekt {i}"@sv', g)
        quad(p, label, f'"Projekt {i}"@sv', g)
        quad(p, ESF + "projectNumber", f'"{year}/{i:05d}"', g)
        quad(p, ESF + "phase", f"https://w3id.org/esfgraph/concept/phase/{rng.choice(PHASES)}", g)
        quad(p, "https://schema.org/startDate", f'"{year}-{month:02d}-01"{date}', g)
        quad(p, "https://schema.org/endDate", f'"{year + 2}-{month:02d}-28"{date}', g)
        quad(p, ESF + "esfGrantSEK", f'"{grant}"{dec}', g)
        quad(p, ESF + "totalBudgetSEK", f'"{grant * 2}"{dec}', g)
        quad(p, ESF + "euCofinancingRate", f'"0.5"{dec}', g)
        quad(p, ESF + "plannedParticipants",
             f'"{rng.randrange(10, 500)}"^^<http://www.w3.org/2001/XMLSchema#integer>', g)
        muni = rng.choice(municipalities)
        quad(p, ESF + "municipality", muni, g)
        quad(p, ESF + "region", f"{BASE}id/region/{REGIONS[rng.randrange(len(REGIONS))][0]}", g)
        quad(p, ESF + "owner", f"{BASE}id/org/org-{rng.randrange(orgs)}", g)
        for _ in range(rng.randrange(3)):
            quad(p, ESF + "partner", f"{BASE}id/org/org-{rng.randrange(orgs)}", g)
        quad(p, "http://purl.org/dc/terms/abstract",
             f'"Sammanfattning av projekt {i}: " "kompetensutveckling och arbete"@sv'
             .replace('" "', " "), g)
        grant_node = f"{p}/grant"
        quad(p, "https://schema.org/funding", grant_node, g)
        quad(grant_node, rdf_type, "https://schema.org/MonetaryGrant", g)
        quad(grant_node, ESF + "amountSEK", f'"{grant}"{dec}', g)
        quad(grant_node, "https://schema.org/funder", f"{BASE}id/org/svenska-esf-radet", g)
    return ("\n".join(lines) + "\n").encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen[bytes], limit: float = 1800) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({proc.returncode}): {url}")
        try:
            if httpx.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=5,
                         headers={"Accept": "application/sparql-results+json"}).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server did not come up: {url}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


RDFLIB_SERVER = textwrap.dedent("""
    import sys, uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint
    data, port = sys.argv[1], int(sys.argv[2])
    ds = Dataset(default_union=True)
    ds.parse(data, format="nquads")
    app = SparqlEndpoint(path="/sparql", graph=ds, public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
""")


@dataclass
class Results:
    """Latencies (s) per request kind and the error count of one run."""

    name: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"lookup": [], "ready-made": []})
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    client_cpu: float = 0.0


async def load(url: str, name: str, projects: list[str], queries: list[str], clients: int,
               seconds: float, seed: int, timeout: float, lookup_share: float = 0.8) -> Results:
    """Run `clients` concurrent clients for `seconds` against the endpoint at `url`."""
    results = Results(name, seconds)
    cpu0 = time.process_time()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Accept": "application/sparql-results+json"}
    async with httpx.AsyncClient(limits=limits, timeout=timeout, headers=headers) as http:
        deadline = time.monotonic() + seconds

        async def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < deadline:
                if rng.random() < lookup_share:
                    kind = "lookup"
                    query = f"SELECT ?p ?o WHERE {{ <{rng.choice(projects)}> ?p ?o }}"
                else:
                    kind, query = "ready-made", rng.choice(queries)
                started = time.perf_counter()
                try:
                    resp = await http.get(url, params={"query": query})
                    ok = resp.status_code == 200
                    why = str(resp.status_code)
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                if ok:
                    results.latencies[kind].append(time.perf_counter() - started)
                else:
                    results.errors += 1
                    results.error_kinds[f"{kind} {why}"] = results.error_kinds.get(
                        f"{kind} {why}", 0) + 1

        await asyncio.gather(*(client(n) for n in range(clients)))
    results.client_cpu = time.process_time() - cpu0
    return results


WRK_SCRIPT = """
math.randomseed(%(seed)d)
local function lines(path)
  local out = {}
  for line in io.lines(path) do table.insert(out, line) end
  return out
end
local lookups = lines("%(lookups)s")
local queries = lines("%(queries)s")
local share = %(share)f
local headers = {["Accept"] = "application/sparql-results+json"}
lookups_sent, readymade_sent = 0, 0  -- globals: read back with thread:get
request = function()
  if math.random() < share then
    lookups_sent = lookups_sent + 1
    return wrk.format("GET", "%(path)s?query=" .. lookups[math.random(#lookups)], headers)
  end
  readymade_sent = readymade_sent + 1
  return wrk.format("GET", "%(path)s?query=" .. queries[math.random(#queries)], headers)
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local e = summary.errors
  local lk, rm = 0, 0
  for _, t in ipairs(threads) do
    lk = lk + t:get("lookups_sent"); rm = rm + t:get("readymade_sent")
  end
  io.write(string.format(
    'WRK {"requests": %%d, "us": %%d, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, '
    .. '"lookups_sent": %%d, "readymade_sent": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    lk, rm))
end
"""


def load_wrk(url: str, name: str, projects: list[str], queries: list[str], clients: int,
             seconds: float, seed: int, timeout: float, lookup_share: float,
             work: Path) -> dict[str, float]:
    """Run wrk (one thread, `clients` connections) with a Lua mix; return its summary."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("--client wrk needs wrk on PATH (Debian: apt-get install -y wrk)")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    lookups = [quote(f"SELECT ?p ?o WHERE {{ <{p}> ?p ?o }}", safe="") for p in projects]
    script = work / f"mix-{name}.lua"
    (work / "lookups.txt").write_text("\n".join(lookups) + "\n")
    (work / "queries.txt").write_text(
        "\n".join([quote(q, safe="") for q in queries] or lookups[:1]) + "\n")
    script.write_text(WRK_SCRIPT % {
        "seed": seed, "share": lookup_share, "path": path, "lookups": work / "lookups.txt",
        "queries": work / "queries.txt"})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([wrk, "-t1", f"-c{clients}", f"-d{seconds:g}s", f"--timeout={timeout:g}s",
                          "-s", str(script), url.rsplit("/", 1)[0] + "/"],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"wrk failed: {out.stderr or out.stdout}")
    out = out.stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(ln for ln in out.splitlines() if ln.startswith("WRK "))
    stats = json.loads(line[4:])
    stats["client_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    stats["name"] = name
    return stats


def report_wrk(runs: list[dict[str, float]]) -> None:
    print()
    print(f"{'server':<16} {'client':<6} {'requests':>9} {'req/s':>8} {'median ms':>10} "
          f"{'p99 ms':>9} {'errors':>7}  client CPU")
    for r in runs:
        secs = r["us"] / 1e6
        errors = sum(r[k] for k in ("connect", "read", "write", "status", "timeout"))
        print(f"{r['name']:<16} {'wrk':<6} {r['requests']:>9} {r['requests'] / secs:>8.1f} "
              f"{r['p50'] / 1000:>10.1f} {r['p99'] / 1000:>9.1f} {errors:>7}  "
              f"{r['client_cpu']:.1f} s of {secs:.0f} s ({r['client_cpu'] / secs:.0%} of a core)")
        print(f"{'':<16} sent {r['lookups_sent']} lookups, {r['readymade_sent']} ready-made; "
              f"errors: status {r['status']}, timeout {r['timeout']}, "
              f"connect {r['connect']}, read {r['read']}, write {r['write']}")


def http_figures(url: str, queries: list[str], repeats: int) -> None:
    """Print the cost of compression and the gain of revalidation on one esfgraph server."""
    big = "SELECT * WHERE { ?s ?p ?o } LIMIT 10000"
    accept = {"Accept": "application/sparql-results+json"}
    with httpx.Client(timeout=120) as http:
        http.get(url, params={"query": big}, headers=accept)  # into the answer cache
        print(f"\ncompression of one {big!r} answer ({repeats} requests each, answer cached):")
        for coding in ("identity", "gzip", "br"):
            times, size = [], 0
            for _ in range(repeats):
                started = time.perf_counter()
                with http.stream("GET", url, params={"query": big},
                                 headers={**accept, "Accept-Encoding": coding}) as resp:
                    size = sum(len(chunk) for chunk in resp.iter_raw())
                times.append(time.perf_counter() - started)
            print(f"  {coding:<8} {size / 1000:8.1f} kB on the wire   median "
                  f"{statistics.median(times) * 1000:6.1f} ms   p90 {pct(times, 0.9):6.1f} ms")
        ready = [q for q in queries if "{{" not in q][:8] or [big]
        print(f"revalidation of {len(ready)} ready-made query answers, {repeats} rounds:")
        tags: dict[str, str] = {}
        for label, conditional in (("ask again (200)", False), ("revalidate (304)", True)):
            times, wire, statuses = [], 0, set()
            for _ in range(repeats):
                for text in ready:
                    headers = {**accept, "Accept-Encoding": "gzip, br"}
                    if conditional and text in tags:
                        headers["If-None-Match"] = tags[text]
                    started = time.perf_counter()
                    with http.stream("GET", url, params={"query": text}, headers=headers) as resp:
                        wire += sum(len(chunk) for chunk in resp.iter_raw())
                    times.append(time.perf_counter() - started)
                    statuses.add(resp.status_code)
                    if resp.headers.get("etag"):
                        tags[text] = resp.headers["etag"]
            print(f"  {label:<17} median {statistics.median(times) * 1000:6.1f} ms   p90 "
                  f"{pct(times, 0.9):6.1f} ms   {wire / len(times) / 1000:7.1f} kB per "
                  f"answer   statuses {sorted(statuses)}")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def report(runs: list[Results]) -> None:
    print()
    print(f"{'server':<16} {'kind':<11} {'requests':>9} {'req/s':>8} {'median ms':>10} "
          f"{'p99 ms':>9} {'errors':>7}")
    for run in runs:
        all_lat = run.latencies["lookup"] + run.latencies["ready-made"]
        for kind, lat in [("all", all_lat), *run.latencies.items()]:
            errors = run.errors if kind == "all" else sum(
                v for k, v in run.error_kinds.items() if k.startswith(kind))
            print(f"{run.name:<16} {kind:<11} {len(lat):>9} {len(lat) / run.seconds:>8.1f} "
                  f"{statistics.median(lat) * 1000 if lat else float('nan'):>10.1f} "
                  f"{pct(lat, 0.99):>9.1f} {errors:>7}")
        if run.error_kinds:
            print(f"{'':<16} errors: {run.error_kinds}")
        print(f"{'':<16} client (Python) CPU: {run.client_cpu:.1f} s of {run.seconds:g} s "
              f"({run.client_cpu / run.seconds:.0%} of a core)")
    if len(runs) == 2:
        a, b = runs
        ra = sum(map(len, a.latencies.values())) / a.seconds
        rb = sum(map(len, b.latencies.values())) / b.seconds
        if rb:
            print(f"\nthroughput ratio {a.name}/{b.name}: {ra / rb:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000, help="synthetic projects (2000)")
    parser.add_argument("--seconds", type=float, default=20, help="load time per server (20)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--workers", type=int, default=None, help="esfgraph query workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request")
    parser.add_argument("--store", type=Path, default=None,
                        help="benchmark an existing store instead of synthetic data")
    parser.add_argument("--skip-rdflib", action="store_true", help="esfgraph only")
    parser.add_argument("--lookup-share", type=float, default=0.8,
                        help="share of lookups in the mix (0.8; 1.0 = lookups only)")
    parser.add_argument("--warmup", type=float, default=0,
                        help="seconds of the same load before measuring, not counted (0)")
    parser.add_argument("--client", choices=("python", "wrk"), default="python",
                        help="load generator: python (httpx, default) or wrk (C, needs wrk)")
    parser.add_argument("--cache-mb", type=int, default=64,
                        help="esfgraph answer cache (0 = off, to measure raw query work)")
    parser.add_argument("--http", action="store_true",
                        help="also measure compression cost and revalidation gain")
    parser.add_argument("--repeats", type=int, default=30, help="requests per --http figure")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="esfgraph-bench-serve-"))
    data = work / "data.nq"
    started = time.perf_counter()
    if args.store:
        from esfgraph.serve.workers import resolve_store_path

        store_path = args.store
        source = ox.Store.read_only(str(resolve_store_path(store_path)))
        if not args.skip_rdflib:
            source.dump(str(data), format=ox.RdfFormat.N_QUADS)
        projects = [r["p"].value for r in source.query(
            f"SELECT ?p WHERE {{ ?p a <{ESF}Project> }}", use_default_graph_as_union=True)]
        del source
    else:
        data.write_bytes(synthetic_nquads(args.projects, args.seed))
        store_path = work / "store"
        store = ox.Store(str(store_path))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        projects = [f"{BASE}id/project/bench-{i:06d}" for i in range(args.projects)]
    quads = sum(1 for _ in open(data, "rb")) if data.exists() else "?"
    print(f"data: {len(projects)} projects, {quads} quads, prepared in "
          f"{time.perf_counter() - started:.1f} s ({work})")
    queries = [q.sparql for q in list_queries()]
    runs: list[Results] = []
    wrk_runs: list[dict[str, float]] = []

    def run_load(url: str, name: str) -> None:
        if args.warmup > 0:
            print(f"warming up {name} for {args.warmup:g} s (not counted) …")
            if args.client == "wrk":
                load_wrk(url, name, projects, queries, args.clients, args.warmup, args.seed + 1,
                         args.timeout, args.lookup_share, work)
            else:
                asyncio.run(load(url, name, projects, queries, args.clients, args.warmup,
                                 args.seed + 1, args.timeout, args.lookup_share))
        if args.client == "wrk":
            wrk_runs.append(load_wrk(url, name, projects, queries, args.clients, args.seconds,
                                     args.seed, args.timeout, args.lookup_share, work))
        else:
            runs.append(asyncio.run(load(url, name, projects, queries, args.clients,
                                         args.seconds, args.seed, args.timeout,
                                         args.lookup_share)))

    port = free_port()
    cmd = [sys.executable, "-m", "esfgraph", "serve", "--store", str(store_path),
           "--port", str(port), "--timeout", "30", "--cache-mb", str(args.cache_mb)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    proc = subprocess.Popen(cmd, cwd=work, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/sparql", proc)
        print(f"esfgraph serve up; {args.clients} clients for {args.seconds:g} s …")
        name = "esfgraph" if args.cache_mb else "esfgraph-nocache"
        if args.seconds > 0:
            run_load(f"http://127.0.0.1:{port}/sparql", name)
        if args.http:
            http_figures(f"http://127.0.0.1:{port}/sparql", queries, args.repeats)
    finally:
        stop(proc)

    if not args.skip_rdflib:
        try:
            import rdflib_endpoint  # noqa: F401
        except ImportError:
            print("rdflib-endpoint is not installed (pip install rdflib-endpoint); skipped")
        else:
            port = free_port()
            script = work / "rdflib_server.py"
            script.write_text(RDFLIB_SERVER)
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, str(script), str(data), str(port)],
                                    cwd=work, start_new_session=True)
            try:
                wait_until_up(f"http://127.0.0.1:{port}/sparql", proc)
                print(f"rdflib-endpoint up (loading took {time.perf_counter() - t0:.1f} s); "
                      f"{args.clients} clients for {args.seconds:g} s …")
                run_load(f"http://127.0.0.1:{port}/sparql", "rdflib-endpoint")
            finally:
                stop(proc)
    if wrk_runs:
        report_wrk(wrk_runs)
    elif runs:
        report(runs)


if __name__ == "__main__":
    main()
