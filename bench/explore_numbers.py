"""What the explorer's numbers and downloads cost: search with the two new facets, whole downloads.

    python bench/explore_numbers.py STORE [--base STORE_BASE --base-code DIR] [--requests 100]

STORE is a store built with this code; STORE_BASE (optional) the same pages built with another
checkout of esfgraph (DIR, e.g. `git archive <commit> | tar -x -C DIR`), measured in a child
process with that code, so that the cost of the country and organisation facets (more facet
rows to load and count) shows side by side. Measured in-process (no HTTP): opening the index
(its arrays loaded), `SearchIndex.search` for facet-only, text and filtered requests (p50/p99
over `--requests` different requests, the answer cache cleared before each), and for this code
the whole download of every project as spreadsheet-safe CSV and as JSON (rows per second).
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r'''
import json, random, statistics, sys, time
from pathlib import Path
from esfgraph.explore.search import SearchParams, open_index
from esfgraph.store import current_version

store = Path(sys.argv[1]); requests = int(sys.argv[2])
started = time.perf_counter()
index = open_index(current_version(store))
out = {"open_s": time.perf_counter() - started, "projects": index.n}
words = ["ungdomar", "praktik", "nyanlända", "kvinnor", "coachning", "Göteborg", "Kiruna",
         "validering", "handledning", "utanförskap", "Tyskland", "språkstöd"]
everything = index.search(SearchParams(per_page=1))
regions = [f["value"] for f in everything["facets"]["region"]]
owners = [f["value"] for f in everything["facets"]["owner"]]

def timed(make):
    rng = random.Random(7)
    times = []
    for _ in range(requests):
        params = make(rng)
        index._results.clear(); index._cache.clear()
        t = time.perf_counter(); index.search(params); times.append(time.perf_counter() - t)
    times.sort()
    return [round(statistics.median(times) * 1000, 1),
            round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 1)]

out["facets"] = timed(lambda r: SearchParams(region=(r.choice(regions),)))
out["text"] = timed(lambda r: SearchParams(q=r.choice(words)))
out["owner"] = timed(lambda r: SearchParams(owner=(r.choice(owners),)))
if hasattr(index, "iter_items"):
    from esfgraph.csvsafe import csv_lines
    from esfgraph.explore.api import CSV_COLUMNS, csv_row, json_all
    head = index.search(SearchParams(per_page=1))
    t = time.perf_counter()
    size = sum(len(x) for x in csv_lines(CSV_COLUMNS, map(csv_row, index.iter_items(SearchParams()))))
    out["csv_all_s"] = time.perf_counter() - t; out["csv_all_mb"] = size / 1e6
    t = time.perf_counter()
    size = sum(len(x) for x in json_all(head, index.iter_items(SearchParams())))
    out["json_all_s"] = time.perf_counter() - t; out["json_all_mb"] = size / 1e6
    countries = [f["value"] for f in everything["facets"].get("country", [])]
    if countries:
        out["country"] = timed(lambda r: SearchParams(country=(r.choice(countries),)))
print(json.dumps(out))
'''


def measure(store: str, requests: int, code: str | None = None) -> dict[str, Any]:
    """Run the measurement in a child process (with another checkout's code when given)."""
    env = {**os.environ, "PYTHONPATH": code} if code else None
    done = subprocess.run([sys.executable, "-c", MEASURE, store, str(requests)], env=env,
                          capture_output=True, text=True, check=True,
                          cwd=code or str(ROOT))
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pair(r: dict[str, Any], key: str) -> str:
    return "/".join(str(x) for x in r[key]) if key in r else "–"


def _download(r: dict[str, Any], kind: str) -> str:
    if f"{kind}_all_s" not in r:
        return "–"
    seconds = r[f"{kind}_all_s"]
    return (f"{seconds:.2f} s, {r[f'{kind}_all_mb']:.1f} MB "
            f"({r['projects'] / seconds:,.0f} rows/s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--base", help="the same pages built with the other checkout")
    parser.add_argument("--base-code", help="that checkout's directory")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    rows = [("this code", measure(args.store, args.requests))]
    if args.base and args.base_code:
        rows.insert(0, ("base", measure(args.base, args.requests, args.base_code)))
    print(f"projects: {rows[-1][1]['projects']}")
    print("| code | open (s) | region facet p50/p99 ms | text p50/p99 | owner p50/p99 | "
          "country p50/p99 | all rows CSV | all rows JSON |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['open_s']:.2f} | {_pair(r, 'facets')} | {_pair(r, 'text')} | "
              f"{_pair(r, 'owner')} | {_pair(r, 'country')} | {_download(r, 'csv')} | "
              f"{_download(r, 'json')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
