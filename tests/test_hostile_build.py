"""Hostile sources (issue 23, items 4 and 5): a symlink loop must not stop a build, and long
lists in the 2014-2020 layout must parse in linear time.

On the earlier main a symlink loop among the sources (`a -> b -> a`, or a file linking to
itself) raised RuntimeError out of `Path.resolve` and the build stored nothing; and a
partner list with blank lines between the items (5k items 1.8 s, 20k 27 s) or a value wrapped
over many lines (10k lines 16 s) took quadratic time in the layout reader.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from esfgraph.parse import parse_text
from esfgraph.store import Store
from tests.conftest import REPO, SEEDS

ENV = dict(os.environ, PYTHONPATH=str(REPO))
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
#: The 2014-2020 seed (`Label:` lines).
COLON_SEED = SEEDS / "003_58e54e8db85e930c.txt"


# ----------------------------------------------------------------------- symlink loops


@pytest.fixture(scope="module")
def looped_build(tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`esfgraph build` over the seeds plus a two-link loop and a self-link."""
    root = tmp_path_factory.mktemp("loops")
    pages = root / "pages"
    pages.mkdir()
    for name in SEED_NAMES:
        shutil.copy(SEEDS / name, pages / name)
    os.symlink("loop_b.txt", pages / "loop_a.txt")
    os.symlink("loop_a.txt", pages / "loop_b.txt")
    os.symlink("self.txt", pages / "self.txt")
    store = root / "store"
    proc = subprocess.run([sys.executable, "-m", "esfgraph", "build", str(pages), "--store",
                           str(store), "--no-validate"],
                          env=ENV, capture_output=True, text=True, timeout=300, check=False)
    return proc, store


def test_symlink_loop_is_reported_and_the_build_goes_on(looped_build):
    proc, store = looped_build
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, (proc.returncode, proc.stderr)  # documented: 1 = some unread
    for name in ("loop_a.txt", "loop_b.txt", "self.txt"):
        assert name in proc.stderr + proc.stdout, name
    assert "symbolic link loop" in proc.stderr + proc.stdout
    assert len(Store(store).sources()) == len(SEED_NAMES)


def test_resolve_source_names_a_loop_as_an_oserror(tmp_path: Path):
    from esfgraph.parse.api import resolve_source

    os.symlink("me", tmp_path / "me")
    with pytest.raises(OSError) as caught:
        resolve_source(tmp_path / "me")
    assert caught.value.filename == str(tmp_path / "me")
    assert "loop" in str(caught.value)
    assert resolve_source(tmp_path) == str(tmp_path.resolve())


# -------------------------------------------------------------------- linear layouts


def _best_seconds(make: Callable[[int, int], str], n: int, runs: int = 3) -> float:
    """The fastest of `runs` parses of fresh pages with `n` items (fresh: no cache hits)."""
    best = float("inf")
    for run in range(runs):
        text = make(n, run)
        started = time.perf_counter()
        parse_text(text)
        best = min(best, time.perf_counter() - started)
    return best


def _growth_ratio(make: Callable[[int, int], str], n: int) -> float:
    """Time for 4n items over time for n: about 4 when linear, 16 when quadratic (a wide
    margin, so a busy machine's noise cannot fail a linear reader)."""
    small = _best_seconds(make, n)
    # a quadratic reader already spends seconds here: fail without waiting for the rest
    assert small < 3.0, f"{n} items took {small:.1f} s"
    return _best_seconds(make, 4 * n) / max(small, 1e-3)


def _partners_page(n: int, run: int) -> str:
    head = COLON_SEED.read_text(encoding="utf-8")
    items = "".join(f"\nPartner {run}-{i} AB\n" for i in range(n))
    return head + "\n\nSamarbetspartners\n" + items


def _wrapped_value_page(n: int, run: int) -> str:
    lines = COLON_SEED.read_text(encoding="utf-8").split("\n")
    at = lines.index("Projektägare:") + 2
    wrapped = [f"avdelning {run}-{i}" for i in range(n)]
    return "\n".join(lines[:at] + wrapped + lines[at:])


def test_blank_separated_partner_list_parses_in_linear_time():
    """Plain items between blank lines: 4x the items may cost ~4x, not 16x (was 27 s at 20k)."""
    ratio = _growth_ratio(_partners_page, 4_000)
    assert ratio < 8, ratio
    record = parse_text(_partners_page(3, 0)).record
    assert record is not None and record.partners == [f"Partner 0-{i} AB" for i in range(3)]


def test_value_wrapped_over_many_lines_parses_in_linear_time():
    """A `Label:` value continued over n lines (was 16 s at 10k lines)."""
    ratio = _growth_ratio(_wrapped_value_page, 4_000)
    assert ratio < 8, ratio
    record = parse_text(_wrapped_value_page(2, 0)).record
    assert record is not None
    assert record.owner is not None and record.owner.endswith("avdelning 0-0 avdelning 0-1")




def test_a_page_replaced_by_a_symlink_loop_keeps_its_stored_record(tmp_path: Path):
    """An incremental build keeps what it cannot read (issue 17): a loop is no exception."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in SEED_NAMES[:2]:
        shutil.copy(SEEDS / name, pages / name)
    store = tmp_path / "store"
    from esfgraph.pipeline import build

    build([pages], store_path=store, jobs=1, validate=False)
    (pages / SEED_NAMES[0]).unlink()
    os.symlink(SEED_NAMES[0], pages / SEED_NAMES[0])  # now links to itself
    report = build([pages], store_path=store, jobs=1, validate=False)
    assert [source for source, _ in report.unreadable] == [str(pages / SEED_NAMES[0])]
    assert report.removed == []
    assert len(Store(store).sources()) == 2
