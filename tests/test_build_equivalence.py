"""The build's exact output is pinned: speed work on the build must not change one quad.

The fixture `tests/data/build_equivalence.nq.gz` was recorded from the build before the
per-record CPU work (issue 8): the seeds plus 300 generated pages (seed 7, 1 % damaged), built
with SOURCE_DATE_EPOCH set, dumped as sorted N-Quads with the temporary folder replaced by
``@TMP@``. Rejected files and their reasons are pinned too (first lines of the fixture, as
``# rejected`` comments). To re-record after an intended change of the output::

    ESFGRAPH_RECORD_EQUIVALENCE=1 .venv/bin/pytest tests/test_build_equivalence.py
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from esfgraph.pipeline import build
from esfgraph.store import Store
from tests.conftest import REPO, SEEDS

FIXTURE = REPO / "tests" / "data" / "build_equivalence.nq.gz"
PAGES = 300
SEED = 7


def _dump(tmp_path: Path, jobs: int) -> list[str]:
    """Build seeds + generated pages into a fresh store; sorted N-Quads plus rejections."""
    from bench.generate import write_pages

    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    write_pages(pages / "generated", PAGES, seed=SEED)
    store_dir = tmp_path / "store"
    report = build([pages], store_path=store_dir, validate=False, full=True, jobs=jobs)
    tmp = str(tmp_path)
    lines = sorted(f"# rejected {Path(src).name}: {why}".replace(tmp, "@TMP@")
                   for src, why in report.rejected)
    store = Store(store_dir)
    text = ox.serialize(store.iter_quads(), None, ox.RdfFormat.N_QUADS).decode("utf-8")
    quads = sorted(line.replace(tmp, "@TMP@") for line in text.splitlines() if line)
    # the build id names the version folder only; make sure it never leaks into the graph
    assert not any(store.build_id in q for q in quads)
    return lines + quads


@pytest.fixture()
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z


def test_build_output_is_unchanged(tmp_path: Path, fixed_time: None) -> None:
    got = _dump(tmp_path, jobs=2)
    if os.environ.get("ESFGRAPH_RECORD_EQUIVALENCE"):
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(FIXTURE, "wb", mtime=0) as fh:
            fh.write(("\n".join(got) + "\n").encode("utf-8"))
    want = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    assert len(got) == len(want)
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    assert (missing, extra) == ([], [])
    assert got == want
    # real content, not an empty store: 305 records minus the damaged pages
    assert sum(1 for q in got if "/graph/record/" in q.rsplit(" ", 2)[-2]) > 10_000
    assert 1 <= sum(1 for q in got if q.startswith("# rejected")) <= 20
