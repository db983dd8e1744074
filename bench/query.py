"""Ready-made queries on N synthetic records: the pyoxigraph store beside rdflib's in-memory engine.

    python bench/query.py --count 10000
    python bench/query.py --count 100000 --rdflib-runs 1        # rdflib takes minutes here
    python bench/query.py --count 10000 --pages /tmp/pages10k  # reuse generated pages
    python bench/query.py --store /tmp/s100k --reuse --rdflib-runs 0  # time an existing store

Steps: generate pages (bench/generate.py), build the store with the real pipeline (parse, map,
link, store; no SHACL), load the same quads (exported as N-Quads) into an rdflib Dataset whose
default graph is the union, then run every ready-made query on both. Prints, per query: the
store's first run (cold, no cache), its median over --runs, the cached answer (result cache),
rdflib's median and the ratio rdflib / store. Two extra rows show the data-model choice of
amounts as plain typed literals on the project: money per region summed from
`esf:esfGrantSEK` versus through the grant and amount nodes (schema:funding/schema:amount/
schema:value). Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from esfgraph.pipeline import build
from esfgraph.queries import list_queries
from esfgraph.query import bind_params, inject_values, run_query
from esfgraph.store import Store

#: The model comparison: one aggregate over the direct literal, one through the nodes.
EXTRA = {
    "(model) region sum via esf:esfGrantSEK": """
        PREFIX esf: <https://w3id.org/esfgraph/ontology#>
        SELECT ?region (SUM(?g) AS ?total) WHERE {
          ?p esf:region ?region ; esf:esfGrantSEK ?g } GROUP BY ?region""",
    "(model) region sum via grant nodes": """
        PREFIX esf: <https://w3id.org/esfgraph/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?region (SUM(?g) AS ?total) WHERE {
          ?p esf:region ?region ; schema:funding ?grant .
          ?grant schema:amount ?amount . ?amount schema:value ?g } GROUP BY ?region""",
    # the same two sums written like the ready-made queries (one subquery per pattern)
    "(model) same, esfGrantSEK, hash joins": """
        PREFIX esf: <https://w3id.org/esfgraph/ontology#>
        SELECT ?region (SUM(?g) AS ?total) WHERE {
          { SELECT ?p ?region WHERE { ?p esf:region ?region } }
          { SELECT ?p ?g WHERE { ?p esf:esfGrantSEK ?g } } } GROUP BY ?region""",
    "(model) same, grant nodes, hash joins": """
        PREFIX esf: <https://w3id.org/esfgraph/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?region (SUM(?g) AS ?total) WHERE {
          { SELECT ?p ?region WHERE { ?p esf:region ?region } }
          { SELECT ?p ?grant WHERE { ?p schema:funding ?grant } }
          { SELECT ?grant ?amount WHERE { ?grant schema:amount ?amount } }
          { SELECT ?amount ?g WHERE { ?amount schema:value ?g } } } GROUP BY ?region""",
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f}" if seconds < 10 else f"{seconds:8.1f}s"


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def _rdflib_child(dataset, text: str, runs: int, conn) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        list(dataset.query(text))
        times.append(time.perf_counter() - began)
    conn.send(statistics.median(times))


def rdflib_median(dataset, text: str, runs: int, limit: float) -> float | None:  # type: ignore[no-untyped-def]
    """rdflib's median in a forked child (shares the loaded data), given up after `limit` s."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rdflib_child, args=(dataset, text, runs, child))
    proc.start()
    ready = parent.poll(limit)
    result = parent.recv() if ready else None
    if proc.is_alive():
        proc.kill()
    proc.join()
    return result


def queries() -> list[tuple[str, str, dict]]:
    out = []
    for q in list_queries():
        out.append((q.name, q.sparql, bind_params({}, q.params)))
    out += [(name, text, {}) for name, text in EXTRA.items()]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="example: python bench/query.py --count 10000")
    parser.add_argument("--count", type=int, default=10000, help="synthetic records (10000)")
    parser.add_argument("--runs", type=int, default=5, help="store runs per query (5)")
    parser.add_argument("--rdflib-runs", type=int, default=3, help="rdflib runs (3; 0 skips)")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0,
                        help="give rdflib up after this many seconds per query (120)")
    parser.add_argument("--pages", default=None, help="folder of pages to reuse / create")
    parser.add_argument("--store", default=None, help="store folder (default: a temp dir)")
    parser.add_argument("--jobs", type=int, default=None, help="build workers (all cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="query the existing store at --store instead of building one")
    parser.add_argument("--no-export", action="store_true", help="skip the export timings")
    args = parser.parse_args(argv)

    if args.reuse and not args.store:
        parser.error("--reuse needs --store")
    work = Path(tempfile.mkdtemp(prefix="esfgraph-bench-"))
    pages = Path(args.pages) if args.pages else work / "pages"
    if not args.reuse and (not pages.exists() or not any(pages.iterdir())):
        from bench.generate import write_pages

        t = timed(lambda: write_pages(pages, args.count, seed=1, bad_rate=0.0))
        print(f"generated {args.count} pages in {t:.1f} s", file=sys.stderr)
    store_path = Path(args.store) if args.store else work / "store"
    report = None

    def do_build() -> None:
        nonlocal report
        report = build([pages], store_path=store_path, validate=False, full=True, jobs=args.jobs)

    if args.reuse:
        store = Store(store_path)
        counted = store.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a "
                                 "<https://w3id.org/esfgraph/ontology#Project> }",
                                 use_default_graph_as_union=True)
        records = int(next(iter(counted))["n"].value)
        triples = store.quads_count()
        print(f"store: reusing {store_path} ({triples} quads)", file=sys.stderr)
    else:
        t_build = timed(do_build)
        assert report is not None
        records, triples = report.records, report.triples
        print(f"store: built {records} records, {triples} triples in {t_build:.1f} s "
              f"({records / t_build:,.0f} records/s)", file=sys.stderr)
        store = Store(store_path)

    dataset = None
    if args.rdflib_runs > 0:
        import pyoxigraph as ox
        import rdflib

        nq = work / "all.nq"
        store.dump(ox.RdfFormat.N_QUADS, str(nq))
        dataset = rdflib.Dataset(default_union=True)
        t_load = timed(lambda: dataset.parse(str(nq), format="nquads"))
        print(f"rdflib: loaded {len(dataset)} quads in {t_load:.1f} s", file=sys.stderr)

    header = (f"{'query':44} {'first ms':>9} {'median ms':>9} {'cached ms':>9} "
              f"{'rdflib ms':>9} {'ratio':>7}")
    print(f"\n{records} records, {triples} triples; store runs={args.runs}, "
          f"rdflib runs={args.rdflib_runs}\n")
    print(header)
    print("-" * len(header))
    for name, sparql, params in queries():
        first = timed(lambda: run_query(store, sparql, params=params, fmt="json",
                                        use_cache=False))
        runs = [timed(lambda: run_query(store, sparql, params=params, fmt="json",
                                        use_cache=False)) for _ in range(args.runs)]
        run_query(store, sparql, params=params, fmt="json")  # fill the cache
        cached = statistics.median(
            timed(lambda: run_query(store, sparql, params=params, fmt="json"))
            for _ in range(max(args.runs, 3)))
        med = statistics.median(runs)
        if dataset is not None:
            rmed = rdflib_median(dataset, inject_values(sparql, params), args.rdflib_runs,
                                 args.rdflib_timeout)
            if rmed is None:
                tail = f"{'>' + str(int(args.rdflib_timeout)) + 's':>9} {'-':>7}"
            else:
                tail = f"{_ms(rmed)} {rmed / med:6.1f}x"
        else:
            tail = f"{'-':>9} {'-':>7}"
        print(f"{name:44} {_ms(first)} {_ms(med)} {_ms(cached)} {tail}")
    print("\nfirst = cold run without cache; median over --runs without cache; cached = answer "
          "from the result cache (same store version); ratio = rdflib median / store median.")

    if args.no_export:
        return 0
    from esfgraph.export import FORMATS, export

    print(f"\nexport of {records} records ({store.quads_count()} quads):")
    for fmt in FORMATS:
        target = work / f"export.{fmt}"
        t = timed(lambda: export(store, fmt, target))
        size = target.stat().st_size / 1e6
        print(f"  {fmt:8} {t:7.2f} s  {size:8.1f} MB  {t / records * 1e6:7.1f} µs/record")
        target.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
