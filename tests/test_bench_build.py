"""Smoke run of bench/build.py: it builds, runs the baseline and prints the table (no timing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_build_prints_the_table(tmp_path: Path) -> None:
    work = tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "build.py"), "--counts", "200",
         "--baseline-max-count", "100", "--stages", "50", "--workdir", str(work)],
        capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "| pages | esfgraph records/s | wall | CPU (tree) | peak memory (tree) |" in out
    (row,) = [line for line in out.splitlines() if line.startswith("| 200 |")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 10
    assert float(cells[1].replace(",", "")) > 0  # records/s
    assert re.fullmatch(r"[\d,.]+ s", cells[2])
    cpu = re.fullmatch(r"([\d,]+) s \(([\d.]+) ms/record\)", cells[3])
    assert cpu and float(cpu.group(2)) > 0  # the workers' CPU time was seen
    assert re.fullmatch(r"[\d,]+ MB", cells[4]) and int(cells[4][:-3].replace(",", "")) > 10
    assert re.fullmatch(r"[\d,]+ MB", cells[5])
    # the baseline was capped at 100 of the 200 pages: the row says so and extrapolates
    assert "(first 100 pages)" in cells[6] and cells[7].startswith("not run (extrapolated")
    assert cells[9].endswith("×")
    # the build stored every good page (1 % of generated pages are bad on purpose)
    built = re.search(r"esfgraph build 200: (\d+) records", out)
    assert built and 190 <= int(built.group(1)) <= 200
    assert "| read + SHA-256 + parse (worker) |" in out and "| map incl. link (worker) |" in out
    assert "| bulk load of the spool files (parent, pyoxigraph) |" in out
    assert not (work / "store-200").exists()  # cleaned up without --keep


def test_tree_rss_counts_a_child_process() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.build import tree_rss

    child = subprocess.Popen([sys.executable, "-c",
                              "import time; b = bytes(range(256)) * (2**18); time.sleep(30)"])
    try:
        import time

        deadline = time.time() + 20
        alone = tree_rss(child.pid)
        while alone < 60 * 2**20 and time.time() < deadline:
            time.sleep(0.1)
            alone = tree_rss(child.pid)
        assert alone >= 60 * 2**20
        assert tree_rss(os.getpid()) >= alone  # the child is in this process's tree
    finally:
        child.kill()
        child.wait()
