"""Benchmark: esfgraph's validator against whole-graph pySHACL on synthetic records.

Usage: .venv/bin/python bench/validate.py [--sizes 1000,10000,100000] [--pyshacl-max 10000]

Both validators get the same synthetic records (docs/DATA-MODEL.md shape, 1 in 50 with a
planted error) plus the reference places and concepts. esfgraph starts from the records' quads
(what `esfgraph build` has in hand); pySHACL gets a ready rdflib Graph of the union (building
it is not timed). pySHACL runs above --pyshacl-max are extrapolated linearly from the largest
measured size and marked as such. Results of both are compared wherever both ran.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from esfgraph.validate import (
    default_jobs,
    pyshacl_graph_report,
    results_from_report_graph,
    validate_records,
)
from esfgraph.validate import synthetic as syn


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the pool workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--pyshacl-max", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    jobs = args.jobs or default_jobs()
    sizes = [int(x) for x in args.sizes.split(",")]
    reference = syn.reference_graph()
    print(f"cores available: {default_jobs()}, jobs: {jobs}, load average at start: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows = []
    per_record = None
    for n in sizes:
        t = time.perf_counter()
        records = syn.synthetic_records(n, errors=True, error_every=50, seed=1)
        quads = sum(len(r.quads) for r in records)
        gen = time.perf_counter() - t
        t, c = time.perf_counter(), _cpu()
        ours = validate_records(records, reference, jobs=jobs)
        ours_s, ours_cpu = time.perf_counter() - t, _cpu() - c
        t, c = time.perf_counter(), _cpu()
        ours1 = validate_records(records, reference, jobs=1)
        ours1_s, ours1_cpu = time.perf_counter() - t, _cpu() - c
        assert Counter(r.key() for r in ours.results) == Counter(r.key() for r in ours1.results)
        if n <= args.pyshacl_max:
            graph = syn.to_graph(records, reference)
            t, c = time.perf_counter(), _cpu()
            theirs = results_from_report_graph(pyshacl_graph_report(graph))
            py_s, py_cpu = time.perf_counter() - t, _cpu() - c
            same = Counter(r.key() for r in ours.results) == Counter(r.key() for r in theirs)
            per_record = py_s / n
            py_text, same_text = f"{py_s:.1f} ({py_cpu:.1f} CPU)", "yes" if same else "NO"
            del graph
        else:
            py_s = per_record * n if per_record else float("nan")
            py_text, same_text = f"~{py_s:.0f}*", "n/a"
        rows.append((n, quads, len(ours.results), f"{ours_s:.1f} ({ours_cpu:.1f} CPU)",
                     f"{ours1_s:.1f} ({ours1_cpu:.1f} CPU)", py_text, py_s / ours_s, same_text))
        print(f"  {n} records: {quads} quads generated in {gen:.1f} s; esfgraph {ours_s:.1f} s "
              f"({jobs} jobs), {ours1_s:.1f} s (1 job); pySHACL {py_text} s; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        del records
    print()
    print(f"| records | quads | results | esfgraph, {jobs} jobs: wall s (CPU s) | esfgraph, 1 job: wall s (CPU s) "
          "| pySHACL whole graph: wall s (CPU s) | speed-up (wall) | same results |")
    print("|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for n, quads, res, o2, o1, py, ratio, same in rows:
        print(f"| {n:,} | {quads:,} | {res:,} | {o2} | {o1} | {py} | {ratio:.0f}× | {same} |")
    if any(n > args.pyshacl_max for n in sizes):
        print(f"\n* pySHACL not run above {args.pyshacl_max:,} records: extrapolated linearly from the "
              "largest measured size (its cost per record does not fall with size).")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
