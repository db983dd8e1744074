"""Hardening (issue 9, item 3): builds killed at random points, builds under a live server, full disks.

Each test compares the answers of the store before and after the accident: the previous
version must still answer exactly as before (or, when the build finished first, the new
version exactly as a clean build does), and no half-written version may be left behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from esfgraph.pipeline import build
from esfgraph.store import COMPLETE_FILE, Store
from tests.conftest import REPO, SEEDS
from tests.serve_fixtures.server import running_server

ESF = "https://w3id.org/esfgraph/ontology#"
BASE = "https://w3id.org/esfgraph/"
ENV = dict(os.environ, PYTHONPATH=str(REPO))
GENERATED = 120
#: Slugs of the five seed projects (docs/DATA-MODEL.md IRI rules), checked in every store.
SEED_PROJECTS = [
    f"{BASE}id/project/2018-00460",
    f"{BASE}id/project/ung-och-aktiv-genomforande-2014-02-17",
    f"{BASE}id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01",
]


def answers(store_path: Path) -> dict:
    """What a user would ask the store; equal dicts mean equal stores (build id aside)."""
    store = Store(store_path)
    projects = sorted(r["p"].value for r in store.query(
        f"SELECT ?p WHERE {{ ?p a <{ESF}Project> }}"))
    row = next(iter(store.query(f"SELECT (SUM(?g) AS ?t) WHERE {{ ?p <{ESF}esfGrantSEK> ?g }}")))
    return {"build": store.build_id, "quads": store.quads_count(), "projects": projects,
            "grant_total": int(row["t"].value), "sources": len(store.sources()),
            "graphs": len(store.named_graphs())}


def without_build(a: dict) -> dict:
    return {k: v for k, v in a.items() if k != "build"}


def build_cli(sources: list[Path], store: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "esfgraph", "build", *map(str, sources), "--store", str(store),
            "--no-validate", "-q", *extra]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 synthetic good pages (bench/generate.py), shared by the tests of this module."""
    from bench.generate import write_pages

    folder = tmp_path_factory.mktemp("generated")
    write_pages(folder, GENERATED, seed=11, bad_rate=0.0)
    return folder


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store of the five seeds (a template: tests copy it)."""
    root = tmp_path_factory.mktemp("seeds-store") / "store"
    build([SEEDS], store_path=root, validate=False)
    yield root


def copy_store(template: Path, to: Path) -> Path:
    shutil.copytree(template, to, symlinks=True)
    return to


# ----------------------------------------------------------------------------- SIGKILL


def test_build_killed_at_random_points_leaves_the_previous_store_whole(
        tmp_path, generated, seeds_store):
    """Five seeded kill points spread over a full rebuild; after each the store answers."""
    root = copy_store(seeds_store, tmp_path / "store")
    before = answers(root)
    assert before["sources"] == 5 and set(SEED_PROJECTS) <= set(before["projects"])
    cmd = build_cli([SEEDS, generated], root, "--full", "-j", "1")

    # a reference build in a copy tells how long the writing part takes and what it gives
    ref_root = copy_store(seeds_store, tmp_path / "ref")
    started = time.monotonic()
    build([SEEDS, generated], store_path=ref_root, validate=False, full=True, jobs=1)
    writing = max(time.monotonic() - started, 0.2)
    after = answers(ref_root)
    assert after["sources"] == 5 + GENERATED

    rng = random.Random(20261122)
    points = sorted(rng.uniform(0.0, 1.1) * writing for _ in range(5))
    killed_mid_build = 0
    for delay in points:
        current = answers(root)["build"]
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            _wait_for_new_version(proc, root, current)
            time.sleep(delay)
            finished_first = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        now = answers(root)
        if now["build"] == current:  # the kill came before the swap: nothing changed
            killed_mid_build += not finished_first
            assert without_build(now) == without_build(before), f"kill after {delay:.2f} s"
        else:  # the swap had happened: the new version is whole
            assert without_build(now) == without_build(after), f"kill after {delay:.2f} s"
        # whatever was current is complete; nothing else that is complete appeared
        complete = {p.name for p in root.glob("v-*") if (p / COMPLETE_FILE).exists()}
        assert f"v-{now['build']}" in complete
    assert killed_mid_build >= 2, f"only {killed_mid_build} of 5 kills hit a running build"
    # the next build still works and removes the leftovers of the killed ones
    build([SEEDS], store_path=root, validate=False, full=True)
    assert without_build(answers(root)) == without_build(before)
    assert all((p / COMPLETE_FILE).exists() for p in root.glob("v-*"))
    assert len(list(root.glob("v-*"))) <= 2


def _wait_for_new_version(proc: subprocess.Popen, root: Path, current: str) -> float:
    """Wait until the build has created its new version directory; returns that moment."""
    deadline = time.monotonic() + 120
    while True:
        if [p for p in root.glob("v-*") if p.name != f"v-{current}"]:
            return time.monotonic()
        if proc.poll() is not None:
            return time.monotonic()
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.005)


# ----------------------------------------------------------------------------- build + serve


def test_builds_while_serve_answers_never_break_a_query(tmp_path, generated, seeds_store):
    """Two builds swap the store under a live server; every query meanwhile answers 200."""
    root = copy_store(seeds_store, tmp_path / "store")
    count_query = f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{ESF}Project> }}"
    lookup = f"ASK {{ <{SEED_PROJECTS[0]}> <{ESF}esfGrantSEK> ?g }}"
    seen: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    # two clients from one address: each may run its expensive count at the same time
    with running_server(root, "--workers", "2", "--timeout", "20", "--cache-mb", "0",
                        "--max-expensive-per-client", "2") as srv:
        def ask() -> None:
            with httpx.Client(timeout=30) as http:
                while not stop.is_set():
                    for query in (count_query, lookup):
                        try:
                            resp = http.get(srv.url + "/sparql", params={"query": query})
                        except httpx.HTTPError as exc:
                            failures.append(f"{type(exc).__name__}: {exc}")
                            continue
                        if resp.status_code != 200:
                            failures.append(f"{resp.status_code}: {resp.text[:200]}")
                        elif query is count_query:
                            seen.append(int(resp.json()["results"]["bindings"][0]["n"]["value"]))
                        elif resp.json()["boolean"] is not True:
                            failures.append("a seed project lost its grant")

        clients = [threading.Thread(target=ask) for _ in range(2)]
        for thread in clients:
            thread.start()
        try:
            for sources, full in (([SEEDS, generated], False), ([SEEDS], True)):
                report = build(sources, store_path=root, validate=False, full=full, jobs=1)
                assert report.rejected == []
                time.sleep(0.3)  # let a few queries see this version
        finally:
            stop.set()
            for thread in clients:
                thread.join(60)
        assert failures == []
        assert srv.process.poll() is None
        final = httpx.get(srv.url + "/sparql", params={"query": count_query}, timeout=30)
        assert final.json()["results"]["bindings"][0]["n"]["value"] == "5"
    # the answers only ever moved through the versions that were built, in order
    steps = [n for i, n in enumerate(seen) if i == 0 or n != seen[i - 1]]
    assert steps == [5, 5 + GENERATED, 5], steps


# ----------------------------------------------------------------------------- full disk


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs as a full disk")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"mount is not permitted here: {proc.stderr.strip()}")


def _fill(disk: Path, leave: int) -> None:
    """Fill the file system at `disk` so that only about `leave` bytes stay free."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for block in (65536, 4096):  # unbuffered: nothing is left to fail at close
            try:
                while True:
                    os.write(fd, b"\0" * block)
            except OSError:
                pass
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(size - leave, 0))


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "16m")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


#: Free bytes left on the disk when the build starts: the write fails at different steps
#: (opening the new database, its options file, the first bulk load, the write-ahead log).
FREE_BYTES = [0, 64 * 1024, 256 * 1024, 3 * 1024 * 1024, 5 * 1024 * 1024]


@pytest.mark.parametrize("free", FREE_BYTES)
def test_full_disk_during_a_build_is_a_clear_error_and_keeps_the_store(
        small_disk, generated, seeds_store, free):
    root = copy_store(seeds_store, small_disk / "store")
    before = answers(root)
    _fill(small_disk, free)
    proc = subprocess.run(build_cli([SEEDS, generated], root, "--full", "-j", "1"), env=ENV,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    message = proc.stderr.lower()
    assert "no space left" in message or "disk is full" in message, proc.stderr
    assert str(root) in proc.stderr, "the message must name the store path"
    assert without_build(answers(root)) == without_build(before)
    # no half-written version stays behind (the failed one is removed, not just left out)
    assert [p.name for p in root.glob("v-*")] == [f"v-{before['build']}"]
    assert not list(root.glob(".current.*"))
    # once there is room again a build works
    (small_disk / "filler").unlink()
    build([SEEDS], store_path=root, validate=False, full=True)
    assert without_build(answers(root)) == without_build(before)


FSIZE_SCRIPT = """
import resource, signal, sys
from esfgraph.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG instead
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
main()
"""


def test_file_size_limit_during_a_build_is_a_clear_error_and_keeps_the_store(
        tmp_path, generated, seeds_store):
    """The same failure without root: RLIMIT_FSIZE makes every large write fail (EFBIG)."""
    root = copy_store(seeds_store, tmp_path / "store")
    before = answers(root)
    cmd = build_cli([SEEDS, generated], root, "--full", "-j", "1")
    cmd[1:3] = ["-c", FSIZE_SCRIPT, str(256 * 1024)]
    proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    message = proc.stderr.lower()
    assert "file too large" in message or "failed" in message, proc.stderr
    assert str(root) in proc.stderr, "the message must name the store path"
    assert without_build(answers(root)) == without_build(before)
    assert [p.name for p in root.glob("v-*")] == [f"v-{before['build']}"]


def test_a_manifest_write_error_is_a_store_error_and_removes_the_new_version(
        tmp_path, seeds_store):
    """Regression: sqlite's "database or disk is full" used to escape as a traceback."""
    import sqlite3

    from esfgraph.errors import StoreError
    from esfgraph.store import SourceEntry, open_writer

    root = copy_store(seeds_store, tmp_path / "store")
    before = answers(root)
    with pytest.raises(StoreError) as caught, open_writer(root, BASE, incremental=True) as writer:
        writer.manifest.db.close()  # every later manifest write fails inside sqlite
        writer.manifest.add_source(SourceEntry("x", "x", "0", 0, 0, "x", "g", "p"), [])
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    assert str(root) in str(caught.value) and "previous version is unchanged" in str(caught.value)
    assert without_build(answers(root)) == without_build(before)
    assert [p.name for p in root.glob("v-*")] == [f"v-{before['build']}"]


# ----------------------------------------------------------------------------- a dead worker


def _descendants(pid: int) -> list[int]:
    """Processes under `pid` (from /proc), children first."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        kids = [c for c, parent in parents.items() if parent == p]
        found.extend(kids)
        todo.extend(kids)
    return found


def test_a_build_worker_killed_midway_fails_the_build_instead_of_hanging(tmp_path, seeds_store):
    """A worker killed by the OOM killer (SIGKILL here) ends the build with a clear error; the
    previous store stays. (A multiprocessing.Pool would lose the task and wait forever.)"""
    from bench.generate import write_pages

    pages = tmp_path / "pages"
    write_pages(pages, 3000, seed=12, bad_rate=0.0)
    store = copy_store(seeds_store, tmp_path / "store")
    before = answers(store)
    proc = subprocess.Popen(build_cli([pages], store, "--full", "-j", "2"), env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        victim = None
        while victim is None and time.monotonic() < deadline and proc.poll() is None:
            spooling = any((v / "spool").is_dir() and any((v / "spool").iterdir())
                           for v in store.glob("v-*"))
            if spooling:  # workers are writing: kill the one that started last
                workers = [p for p in _descendants(proc.pid) if "forkserver" in
                           Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
                victim = max(workers) if len(workers) >= 2 else None
            time.sleep(0.05)
        assert victim is not None, "the build finished before a worker could be killed"
        os.kill(victim, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)  # a hang fails here
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, (out, err)
    assert "build worker process died" in err and "Traceback" not in err
    assert answers(store) == before
    assert [v.name for v in store.glob("v-*") if not (v / COMPLETE_FILE).exists()] == []
