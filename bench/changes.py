"""What change tracking costs: a 1 %-changed rebuild with and without the log, and `diff`.

    python bench/changes.py                      # 100 000 pages, 1 % changed
    python bench/changes.py --count 5000         # quick look

Steps (pages from bench/generate.py, seed 1, reused with bench/build.py's work folder):
1. a full build of the pages into store A (not part of the comparison, printed);
2. 1 % of the pages get another grant amount (every 100th page that prints one);
3. two copies of A are rebuilt incrementally from the changed pages, one with
   ESFGRAPH_CHANGE_LOG=0 (no log) and one with the log, alternating the order over
   `--repeat` rounds; each runs in a child process whose tree's peak RSS is sampled;
4. `esfgraph diff A B` (two stores, 1 % of records differ) in a child process.
Printed: wall time and peak memory of each, the log's overhead in per cent, the number of
change sets the log holds and the diff found. Targets (issue 16): overhead ≤ 10 %, diff ≤ 20 s.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.build import PeakSampler, ensure_pages

GRANT = re.compile(r"(Beviljat ESF-stöd:?\s*)(\d[\d \xa0\u202f.,']*\d)")


def change_pages(folder: Path, share: float = 0.01) -> int:
    """Raise the grant by 1 000 kr on `share` of the pages, in place, spread over the folder
    (a page whose grant is not printed is skipped and the next one taken); returns pages
    changed. In place: the store's source keys are the page paths."""
    paths = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    changed = 0
    for n, path in enumerate(paths):
        if changed >= (n + 1) * share:
            continue
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        match = GRANT.search(text)
        if not match:
            continue
        value = int(re.sub(r"\D", "", match.group(2))) + 1000
        text = text[:match.start(2)] + str(value) + text[match.end(2):]
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        changed += 1
    return changed


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[dict[str, Any], int]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(ROOT), env={**os.environ, **(env or {})})
    sampler = PeakSampler(proc.pid)
    out, err = proc.communicate()
    peak = sampler.stop()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"child {args} failed ({proc.returncode}):\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), peak


def child(argv: list[str]) -> int:
    """The measured work, in a child process (argv: kind, then paths)."""
    kind = argv[0]
    if kind == "build":
        from esfgraph.pipeline import build

        started = time.perf_counter()
        report = build([argv[1]], store_path=argv[2], validate=False, full=argv[3] == "full")
        seconds = time.perf_counter() - started
        log = report.changes
        print(json.dumps({"seconds": seconds, "mapped": report.mapped,
                          "changes": log.total if log is not None else 0,
                          "log_seconds": log.seconds if log is not None else 0.0}))
        return 0
    from esfgraph.changes.diff import diff_paths

    started = time.perf_counter()
    found = diff_paths(argv[1], argv[2])
    print(json.dumps({"seconds": time.perf_counter() - started, "changes": len(found)}))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--child":
        return child(args[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the two rebuilds")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(),
                                                          "esfgraph-bench"))
    opts = parser.parse_args(args)
    work = Path(opts.workdir)
    work.mkdir(parents=True, exist_ok=True)
    generated = ensure_pages(work, opts.count)
    changed_pages = work / f"changes-pages-{opts.count}"
    shutil.rmtree(changed_pages, ignore_errors=True)
    shutil.copytree(generated, changed_pages)
    store_a = work / f"changes-store-{opts.count}"
    shutil.rmtree(store_a, ignore_errors=True)
    full, full_peak = run_child(["build", str(changed_pages), str(store_a), "full"])
    print(f"full build of {opts.count} pages: {full['seconds']:.1f} s, "
          f"peak {full_peak / 2**20:,.0f} MB", flush=True)
    n = change_pages(changed_pages)
    print(f"changed the grant on {n} pages ({n / opts.count:.1%})", flush=True)
    results: dict[str, list[tuple[float, int]]] = {"without log": [], "with log": []}
    stores: dict[str, Path] = {}
    log_steps: list[float] = []
    for round_ in range(opts.repeat):
        order = ["without log", "with log"] if round_ % 2 == 0 else ["with log", "without log"]
        for label in order:
            store = work / f"changes-store-{opts.count}-{label.replace(' ', '-')}"
            shutil.rmtree(store, ignore_errors=True)
            shutil.copytree(store_a, store, symlinks=True)
            env = {"ESFGRAPH_CHANGE_LOG": "0" if label == "without log" else "1"}
            answer, peak = run_child(["build", str(changed_pages), str(store), "incremental"],
                                     env)
            results[label].append((answer["seconds"], peak))
            if label == "with log":
                log_steps.append(answer["log_seconds"])
            stores[label] = store
            print(f"  {label}: {answer['seconds']:.1f} s, peak {peak / 2**20:,.0f} MB, "
                  f"{answer['mapped']} mapped, {answer['changes']} change sets "
                  f"(log step {answer['log_seconds']:.2f} s)", flush=True)
    best = {k: min(s for s, _ in v) for k, v in results.items()}
    peaks = {k: max(p for _, p in v) for k, v in results.items()}
    overhead = (best["with log"] - best["without log"]) / best["without log"] * 100
    diff, diff_peak = run_child(["diff", str(store_a), str(stores["with log"])])
    print()
    print(f"| what | wall (best of {opts.repeat}) | peak memory |")
    print("|---|---|---|")
    for label in ("without log", "with log"):
        print(f"| incremental rebuild, {n} of {opts.count} pages changed, {label} | "
              f"{best[label]:.1f} s | {peaks[label] / 2**20:,.0f} MB |")
    print(f"| `diff` of two {opts.count}-record stores, {diff['changes']} projects differ | "
          f"{diff['seconds']:.1f} s | {diff_peak / 2**20:,.0f} MB |")
    step = min(log_steps)
    print(f"\nlog overhead: {overhead:+.1f} % between the two rebuilds (noisy under load); "
          f"the log step itself: {step:.2f} s = {step / best['with log'] * 100:.1f} % of the "
          f"rebuild (target ≤ 10 %); diff: {diff['seconds']:.1f} s (target ≤ 20 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
