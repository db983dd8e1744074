"""Build speed: the streaming pipeline beside a plain single-process rdflib baseline.

    python bench/build.py                                  # 10 000 and 100 000 pages
    python bench/build.py --counts 10000,100000,1000000    # the full run (1M pages: ~3.6 GB)
    python bench/build.py --counts 2000 --stages 500       # quick look, with per-stage costs

For each count: pages are generated into a work folder first (bench/generate.py, seed 1; not
timed, reused when already there), then `esfgraph.pipeline.build` runs with validation off in
a child process (parse, map, link, store; all cores). Then the baseline runs on the same pages
in another child: parse, map into ONE in-memory rdflib Dataset, serialise it to N-Quads, one
process. The baseline is capped (--baseline-max-count, --baseline-max-seconds): beyond the cap
its rate is measured on the first pages and the row says "not run (extrapolated ...)".

Printed per count: records stored per second, wall time of the build call (interpreter start
excluded), peak memory of the whole process tree (sum of the RSS of the child and all its
descendants, sampled every 0.2 s from /proc; shared pages are counted in every process, so
this overstates), store size on disk, and the same for the baseline, with the speed-up.
`--stages N` also prints the cost of each stage in ms/record, measured in one process on the
first N pages. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 1

# --------------------------------------------------------------------------------------------
# Memory of a process tree, from /proc
# --------------------------------------------------------------------------------------------

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Sum of the resident memory (bytes) of `pid` and all its descendants.

    When `cpu` is given, it is updated with each process's CPU seconds (user + system).
    """
    kids = _children_map()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
            if cpu is not None:
                with open(f"/proc/{p}/stat", "rb") as fh:
                    fields = fh.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
                cpu[p] = (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(kids.get(p, ()))
    return total


class PeakSampler:
    """Samples `tree_rss(pid)` in a thread: `.peak` is the highest sum seen, `.cpu_seconds`
    the CPU time of the tree (each process as last seen, so up to one interval short)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid, self.cpu))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _run_child(args: list[str], timeout: float | None = None) -> tuple[dict[str, Any], int]:
    """Run `bench/build.py --child ...`: its JSON answer (plus the tree's CPU seconds) and the
    tree's peak RSS."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(ROOT))
    sampler = PeakSampler(proc.pid)
    out, err = proc.communicate(timeout=timeout)
    peak = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"child {' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    answer = json.loads(out.strip().splitlines()[-1])
    answer["cpu_seconds"] = sampler.cpu_seconds
    return answer, peak


def du(path: Path) -> int:
    """Bytes on disk under `path` (allocated blocks, like du)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                pass
    return total


# --------------------------------------------------------------------------------------------
# Children: the measured work
# --------------------------------------------------------------------------------------------


def child_build(pages: str, store: str, jobs: int | None) -> dict[str, Any]:
    """esfgraph's build, validation off, all cores."""
    from esfgraph.config import Config
    from esfgraph.pipeline import build

    started = time.perf_counter()
    report = build([pages], Config(), store_path=store, validate=False, full=True, jobs=jobs)
    seconds = time.perf_counter() - started
    return {"records": report.mapped, "rejected": len(report.rejected),
            "triples": report.triples, "seconds": seconds}


def _sorted_pages(pages: str, limit: int | None = None) -> list[Path]:
    files = sorted(Path(pages).glob("*.txt"))
    return files[:limit] if limit else files


def child_baseline(pages: str, out: str, max_count: int, max_seconds: float) -> dict[str, Any]:
    """Plain rdflib: parse, map into one in-memory Dataset, serialise to N-Quads, one process."""
    from rdflib import Dataset

    from esfgraph.config import Config
    from esfgraph.link import default_gazetteer
    from esfgraph.mapping import map_record
    from esfgraph.parse import parse_file

    config = Config()
    started = time.perf_counter()
    gazetteer = default_gazetteer()
    ds = Dataset()
    records = seen = 0
    for path in _sorted_pages(pages, max_count):
        seen += 1
        try:
            parsed = parse_file(path)
        except Exception:  # noqa: BLE001 - a bad page is skipped, as the build rejects it
            continue
        if parsed.record is None or any(i.severity == "error" for i in parsed.issues):
            continue
        mapped = map_record(parsed.record, config, gazetteer)
        graphs: dict[Any, Any] = {}  # a Graph object per named graph, made once per record
        for s, p, o, g in mapped.quads:
            graph = graphs.get(g)
            if graph is None:
                graph = graphs[g] = ds.graph(g)
            graph.add((s, p, o))
        records += 1
        if time.perf_counter() - started > max_seconds:
            break
    triples = len(ds)
    ds.serialize(destination=out, format="nquads")
    seconds = time.perf_counter() - started
    return {"records": records, "pages": seen, "triples": triples, "seconds": seconds,
            "bytes": os.path.getsize(out)}


def child_stages(pages: str, count: int) -> dict[str, Any]:
    """ms/record of each stage of a pooled build, run one after the other in one process."""
    from esfgraph.config import Config
    from esfgraph.link import default_gazetteer
    from esfgraph.mapping import map_record
    from esfgraph.parse import parse_bytes
    from esfgraph.parse.decode import read_file
    from esfgraph.pipeline import finish_graphs
    from esfgraph.pipeline_spool import Spool
    from esfgraph.store import SourceEntry, encode_record, open_writer

    config = Config()
    t = time.perf_counter()
    gaz = default_gazetteer()
    gaz.find_foreign("x")
    gaz.resolve_org("Ale kommun")
    setup = time.perf_counter() - t
    files = _sorted_pages(pages, count)
    times: dict[str, float] = {}
    records = []
    t = time.perf_counter()
    for path in files:
        data = read_file(str(path))
        parsed = parse_bytes(data, str(path))
        if parsed.record is not None and not any(i.severity == "error" for i in parsed.issues):
            records.append((path, parsed.record, hashlib.sha256(data).hexdigest()))
    times["read + SHA-256 + parse (worker)"] = time.perf_counter() - t
    t = time.perf_counter()
    mapped = [(path, map_record(record, config, gaz, sha256=sha)) for path, record, sha in records]
    times["map incl. link (worker)"] = time.perf_counter() - t
    t = time.perf_counter()
    for _path, record, _sha in records:
        gaz.find_foreign_in_record(record)
    times["  of which find_foreign_in_record"] = time.perf_counter() - t
    t = time.perf_counter()
    encoded = [(path, encode_record(m, config.base_iri)) for path, m in mapped]
    times["encode to N-Quads (worker)"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        spool_dir = Path(tmp) / "spool"
        spool_dir.mkdir()
        spool = Spool(str(spool_dir))
        t = time.perf_counter()
        for _path, e in encoded:
            spool.write(e.own_nquads.encode("utf-8"),
                        spool.new_shared(e.shared_nquads).encode("utf-8"))
        times["spool write (worker)"] = time.perf_counter() - t
        writer_cm = open_writer(Path(tmp) / "store", config.base_iri, incremental=False)
        writer = writer_cm.__enter__()
        t = time.perf_counter()
        for path, e in encoded:
            writer.add_record(e, SourceEntry(str(path), path.name, "0" * 64, 0, 0, e.slug,
                                             e.graph, e.personal_graph), spooled=True)
        writer.manifest.write_pending()
        times["manifest rows (parent)"] = time.perf_counter() - t
        t = time.perf_counter()
        for spooled in sorted(spool_dir.iterdir()):
            writer.load_nquads_file(spooled)
        writer.flush()
        times["bulk load of the spool files (parent, pyoxigraph)"] = time.perf_counter() - t
        t = time.perf_counter()
        finish_graphs(writer, config)
        writer_cm.__exit__(None, None, None)
        times["finish: vocabulary, reference, dataset graph, commit"] = time.perf_counter() - t
    n = max(len(records), 1)
    return {"records": len(records), "setup_s": setup,
            "ms_per_record": {k: v * 1000 / n for k, v in times.items()}}


# --------------------------------------------------------------------------------------------
# Parent: generate, run, print the table
# --------------------------------------------------------------------------------------------


def ensure_pages(workdir: Path, count: int) -> Path:
    """Generated pages for `count` (reused when a finished folder exists)."""
    from bench.generate import write_pages

    folder = workdir / f"pages-{count}-seed{SEED}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        size = write_pages(folder, count, seed=SEED)
        done.write_text(str(size))
        print(f"  generated {count} pages ({size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t:.0f} s (not timed)", flush=True)
    return folder


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", default="10000,100000",
                    help="page counts, comma or space separated (default 10000,100000)")
    ap.add_argument("--jobs", type=int, default=None, help="build workers (default: all cores)")
    ap.add_argument("--workdir", default=None, help="folder for pages and stores (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep generated pages and stores")
    ap.add_argument("--baseline-max-count", type=int, default=10000,
                    help="pages the rdflib baseline runs at most (default 10000)")
    ap.add_argument("--baseline-max-seconds", type=float, default=600,
                    help="seconds the rdflib baseline runs at most (default 600)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the rdflib baseline")
    ap.add_argument("--stages", type=int, default=0, metavar="N",
                    help="also print ms/record per stage on the first N pages")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        if kind == "build":
            answer = child_build(rest[0], rest[1], int(rest[2]) or None)
        elif kind == "baseline":
            answer = child_baseline(rest[0], rest[1], int(rest[2]), float(rest[3]))
        else:
            answer = child_stages(rest[0], int(rest[1]))
        print(json.dumps(answer))
        return 0

    counts = [int(c) for c in args.counts.replace(",", " ").split()]
    own_tmp = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="esfgraph-bench-build-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench/build.py: counts {counts}, {os.cpu_count()} cores, work folder {workdir}",
          flush=True)
    rows = []
    baselines: dict[int, dict[str, Any]] = {}  # pages run → result (a prefix serves larger counts)
    try:
        for count in counts:
            pages = ensure_pages(workdir, count)
            store = workdir / f"store-{count}"
            shutil.rmtree(store, ignore_errors=True)
            result, peak = _run_child(["--child", "build", str(pages), str(store),
                                       str(args.jobs or 0)])
            result.update(peak=peak, store_bytes=du(store), count=count)
            print(f"  esfgraph build {count}: {result['records']} records in "
                  f"{result['seconds']:.1f} s", flush=True)
            if not args.keep:
                shutil.rmtree(store, ignore_errors=True)
            base = None
            if not args.no_baseline:
                n = min(count, args.baseline_max_count)
                base = baselines.get(n)
                if base is None:
                    out = workdir / f"baseline-{n}.nq"
                    base, bpeak = _run_child(["--child", "baseline", str(pages), str(out), str(n),
                                              str(args.baseline_max_seconds)])
                    base["peak"] = bpeak
                    out.unlink(missing_ok=True)
                    baselines[n] = base
                    print(f"  rdflib baseline: {base['records']} records in "
                          f"{base['seconds']:.1f} s", flush=True)
            rows.append((result, base))
            if args.stages and count == counts[0]:
                stages, _ = _run_child(["--child", "stages", str(pages), str(args.stages)])
                rows[-1] = (result, base, stages)
            if not args.keep and count != counts[-1]:
                shutil.rmtree(pages, ignore_errors=True)
    finally:
        if own_tmp and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(render(rows))
    return 0


def render(rows: list[tuple]) -> str:
    """The result table (Markdown) and, when measured, the per-stage costs."""
    head = ("| pages | esfgraph records/s | wall | CPU (tree) | peak memory (tree) "
            "| store on disk | rdflib baseline records/s | baseline wall | baseline peak "
            "| speed-up |")
    lines = [head, "|" + "---|" * 10]
    stages = None
    for row in rows:
        result, base = row[0], row[1]
        if len(row) > 2:
            stages = row[2]
        rate = result["records"] / max(result["seconds"], 1e-9)
        cpu_ms = result.get("cpu_seconds", 0) * 1000 / max(result["records"], 1)
        cells = [f"{result['count']:,}", f"{rate:,.0f}", f"{result['seconds']:,.1f} s",
                 f"{result.get('cpu_seconds', 0):,.0f} s ({cpu_ms:.1f} ms/record)",
                 _mb(result["peak"]), _mb(result["store_bytes"])]
        if base is None:
            cells += ["not run", "", "", ""]
        else:
            brate = base["records"] / max(base["seconds"], 1e-9)
            if base["pages"] >= result["count"]:
                cells += [f"{brate:,.0f}", f"{base['seconds']:,.1f} s", _mb(base["peak"])]
            else:
                est = result["records"] / max(brate, 1e-9)
                cells += [f"{brate:,.0f} (first {base['pages']:,} pages)",
                          f"not run (extrapolated ~{est:,.0f} s)",
                          f"{_mb(base['peak'])} at {base['pages']:,} pages"]
            cells.append(f"{rate / max(brate, 1e-9):.1f}×")
        lines.append("| " + " | ".join(cells) + " |")
    if stages:
        lines += ["", f"Per stage, one process, {stages['records']} records "
                  f"(gazetteer and place index set up once: {stages['setup_s']:.2f} s):", "",
                  "| stage | ms/record |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in stages["ms_per_record"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
