"""The build pipeline and `esfgraph build` / `esfgraph remove`: seeds, incremental, parallel, kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from esfgraph.cli import main
from esfgraph.config import Config
from esfgraph.errors import StoreError
from esfgraph.pipeline import build, remove_sources
from esfgraph.store import Store
from tests.conftest import REPO, SEEDS

ESF = "https://w3id.org/esfgraph/ontology#"
BASE = "https://w3id.org/esfgraph/"


def grant_total(store: Store) -> int:
    row = next(iter(store.query(f"SELECT (SUM(?g) AS ?t) WHERE {{ ?p <{ESF}esfGrantSEK> ?g }}")))
    return int(row["t"].value) if row["t"] is not None else 0


SEED_TOTAL = 450_000 + 556_922 + 221_114 + 11_159_401 + 620_800


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    shutil.copytree(SEEDS, folder)
    return folder


def test_build_seeds(tmp_path, seeds_copy):
    report = build([seeds_copy], store_path=tmp_path / "store", validate=False)
    assert report.rejected == []
    assert report.records == 5 and report.mapped == 5 and not report.incremental
    store = Store(tmp_path / "store")
    assert grant_total(store) == SEED_TOTAL
    assert report.triples == store.quads_count()  # the dataset description counted too
    assert report.entities_by_class[f"{ESF}Project"] == 5
    graphs = store.named_graphs()
    assert len([g for g in graphs if g.startswith(store.names.record_prefix)]) == 5
    assert store.names.vocabulary in graphs and store.names.dataset in graphs
    # the dataset description counts what is there
    row = next(iter(store.query(
        "SELECT ?t ?d WHERE { <https://w3id.org/esfgraph/dataset> "
        "<http://rdfs.org/ns/void#triples> ?t ; <http://rdfs.org/ns/void#documents> ?d }")))
    assert int(row["t"].value) == report.triples and int(row["d"].value) == 5
    # no triple sits in two graphs, so the union never double counts
    dupes = list(store.query("SELECT ?s WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } "
                             "FILTER(STR(?a) < STR(?b)) } LIMIT 5", union=False))
    assert dupes == []


def _count_graph(store: Store, graph: str) -> int:
    row = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))
    return int(row["n"].value)


def test_build_is_reproducible_with_source_date_epoch(tmp_path, seeds_copy, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dumps = []
    for name in ("a", "b"):
        build([seeds_copy], store_path=tmp_path / name, validate=False)
        import pyoxigraph as ox

        data = Store(tmp_path / name).dump(ox.RdfFormat.N_QUADS)
        dumps.append(sorted(data.splitlines()))
    assert dumps[0] == dumps[1]


def test_incremental_rebuild_touches_only_changed_sources(tmp_path, seeds_copy):
    store_path = tmp_path / "store"
    build([seeds_copy], store_path=store_path, validate=False)
    first = Store(store_path).build_id
    again = build([seeds_copy], store_path=store_path, validate=False)
    assert again.incremental and again.unchanged == 5 and again.mapped == 0
    assert Store(store_path).build_id != first
    # change one page's grant: only that record is mapped again
    page = seeds_copy / "000_d2ed1ed5029aa51d.txt"
    text = page.read_text(encoding="utf-8")
    assert "Beviljat ESF-stöd450\u00a0000 kr" in text  # a no-break space on the page
    page.write_text(text.replace("Beviljat ESF-stöd450\u00a0000 kr",
                                 "Beviljat ESF-stöd460\u00a0000 kr"), encoding="utf-8")
    changed = build([seeds_copy], store_path=store_path, validate=False)
    assert changed.mapped == 1 and changed.unchanged == 4
    assert grant_total(Store(store_path)) == SEED_TOTAL + 10_000
    # a page that disappears from the sources is dropped with its graphs
    (seeds_copy / "003_58e54e8db85e930c.txt").unlink()
    shrunk = build([seeds_copy], store_path=store_path, validate=False)
    assert len(shrunk.removed) == 1 and shrunk.records == 4
    store = Store(store_path)
    assert grant_total(store) == SEED_TOTAL + 10_000 - 11_159_401
    assert f"{BASE}graph/record/2018-00460" not in store.named_graphs()
    assert f"{BASE}graph/personal/2018-00460" not in store.named_graphs()
    # --full starts afresh and gives the same content
    full = build([seeds_copy], store_path=store_path, validate=False, full=True)
    assert not full.incremental and full.mapped == 4 and full.triples == shrunk.triples


def test_remove_source_drops_record_and_personal_graphs(tmp_path, seeds_copy):
    store_path = tmp_path / "store"
    build([seeds_copy], store_path=store_path, validate=False)
    removed = remove_sources(["003_58e54e8db85e930c.txt"], store_path=store_path)
    assert [e.slug for e in removed] == ["2018-00460"]
    store = Store(store_path)
    assert len(store.sources()) == 4
    assert not any("2018-00460" in g for g in store.named_graphs())
    assert grant_total(store) == SEED_TOTAL - 11_159_401
    # the owner organisation of that project alone is gone from the entities graph too
    assert not bool(store.query(
        f"ASK {{ ?o ?p ?x FILTER(STRSTARTS(STR(?o), '{BASE}id/org/pitea-kommun/')) }}"))
    with pytest.raises(StoreError, match="not in the store"):
        remove_sources(["nope.txt"], store_path=store_path)


def test_no_personal_data_build(tmp_path, seeds_copy):
    build([seeds_copy], store_path=tmp_path / "s", validate=False, personal_data=False)
    store = Store(tmp_path / "s")
    assert not any(store.names.is_personal(g) for g in store.named_graphs())
    assert not bool(store.query("ASK { ?p <https://schema.org/email> ?e }"))
    # switching personal data back on is not an incremental update: everything is re-mapped
    report = build([seeds_copy], store_path=tmp_path / "s", validate=False)
    assert not report.incremental
    assert bool(Store(tmp_path / "s").query("ASK { ?p <https://schema.org/email> ?e }"))


def test_rejected_files_are_reported_and_the_rest_stored(tmp_path, seeds_copy):
    (seeds_copy / "empty.txt").write_text("", encoding="utf-8")
    (seeds_copy / "dup.txt").write_bytes((seeds_copy / "003_58e54e8db85e930c.txt").read_bytes())
    report = build([seeds_copy], store_path=tmp_path / "s", validate=False)
    reasons = {Path(s).name: r for s, r in report.rejected}
    assert set(reasons) == {"empty.txt", "dup.txt"} or set(reasons) == {
        "empty.txt", "003_58e54e8db85e930c.txt"}
    assert any("same project" in r for r in reasons.values())
    assert report.records == 5


def test_cli_build_exit_codes_and_summary(tmp_path, seeds_copy):
    runner = CliRunner()
    store = str(tmp_path / "s")
    ok = runner.invoke(main, ["build", str(seeds_copy), "--store", store, "--no-validate", "-q"])
    assert ok.exit_code == 0, ok.output
    (seeds_copy / "empty.txt").write_text("", encoding="utf-8")
    bad = runner.invoke(main, ["build", str(seeds_copy), "--store", store, "--no-validate"])
    assert bad.exit_code == 1
    assert "REJECTED" in bad.output and "empty.txt" in bad.output
    none = runner.invoke(main, ["build", "--store", store])
    assert none.exit_code == 2 and "no sources" in none.output
    rm = runner.invoke(main, ["remove", "--store", store, "000_d2ed1ed5029aa51d.txt"])
    assert rm.exit_code == 0, rm.output
    assert len(Store(store).sources()) == 4
    missing = runner.invoke(main, ["remove", "--store", store, "zzz.txt"])
    assert missing.exit_code == 2 and "not in the store" in missing.output


def _generated_pages(folder: Path, count: int) -> Path:
    from bench.generate import write_pages

    write_pages(folder, count, seed=3, bad_rate=0.0)
    return folder


def test_parallel_build_equals_in_process_build(tmp_path):
    pages = _generated_pages(tmp_path / "pages", 80)
    serial = build([pages], store_path=tmp_path / "serial", validate=False, jobs=1)
    parallel = build([pages], store_path=tmp_path / "par", validate=False, jobs=2)
    assert serial.records == parallel.records > 70
    assert serial.triples == parallel.triples
    assert sorted(serial.rejected) == sorted(parallel.rejected)
    import pyoxigraph as ox

    a = sorted(Store(tmp_path / "serial").dump(ox.RdfFormat.N_QUADS).splitlines())
    b = sorted(Store(tmp_path / "par").dump(ox.RdfFormat.N_QUADS).splitlines())
    strip = [x for x in a if b"dateTime" not in x]
    assert strip == [x for x in b if b"dateTime" not in x]


def test_progress_callback_sees_every_record(tmp_path, seeds_copy):
    seen = []
    build([seeds_copy], store_path=tmp_path / "s", validate=False, progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3, 4, 5]
    assert seen[-1].total == 5 and seen[-1].eta_s == 0


def test_build_killed_midway_leaves_previous_store_queryable(tmp_path, seeds_copy):
    store_path = tmp_path / "store"
    build([seeds_copy], store_path=store_path, validate=False)
    before = Store(store_path).build_id
    pages = _generated_pages(tmp_path / "many", 1500)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "esfgraph", "build", str(pages), "--store", str(store_path),
         "--no-validate", "--full", "-j", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 60
        # wait until the new version's database exists, then let the build load records for
        # a while (1500 pages take several seconds) and kill it
        while True:
            assert proc.poll() is None, "the build finished before it could be killed"
            assert time.monotonic() < deadline
            new = [p for p in store_path.glob("v-*") if p.name != f"v-{before}"]
            if new and (new[0] / "db" / "CURRENT").exists():
                break
            time.sleep(0.05)
        time.sleep(1.5)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    store = Store(store_path)
    assert store.build_id == before
    assert grant_total(store) == SEED_TOTAL
    assert len(store.sources()) == 5
    # the next build cleans the half-written version away
    build([seeds_copy], store_path=store_path, validate=False)
    assert len(list(store_path.glob("v-*"))) == 2


def test_config_store_path_is_used(tmp_path, seeds_copy, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = build([seeds_copy], Config(store=str(tmp_path / "cfg-store")), validate=False)
    assert report.store_path == str(tmp_path / "cfg-store")
    assert Store(tmp_path / "cfg-store").sources()


def test_validation_call_point_strict_keeps_violating_records_out(tmp_path, seeds_copy,
                                                                   monkeypatch):
    from esfgraph import pipeline

    def fake(mapped):
        return ["grant: fake violation"] if mapped.slug == "2018-00460" else []

    monkeypatch.setattr(pipeline, "_validation_messages", fake)
    lax = build([seeds_copy], store_path=tmp_path / "lax", validate=True)
    assert lax.records == 5
    assert [(Path(s).name, m) for s, m in lax.warnings if "SHACL" in m] == [
        ("003_58e54e8db85e930c.txt", "SHACL: grant: fake violation")]
    strict = build([seeds_copy], store_path=tmp_path / "strict", validate=True, strict=True)
    assert strict.records == 4
    assert [Path(s).name for s, _ in strict.rejected] == ["003_58e54e8db85e930c.txt"]
    assert "SHACL violations" in strict.rejected[0][1]


def test_real_validation_of_the_seeds_finds_no_violation(tmp_path, seeds_copy):
    report = build([seeds_copy], store_path=tmp_path / "s", validate=True, strict=True)
    assert report.validated
    assert report.rejected == [] and report.records == 5


def test_an_empty_folder_is_refused_and_the_store_kept(tmp_path, seeds_copy):
    build([seeds_copy], store_path=tmp_path / "s", validate=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StoreError, match="no pages found"):
        build([empty], store_path=tmp_path / "s", validate=False)
    assert len(Store(tmp_path / "s").sources()) == 5


def test_a_page_that_becomes_unreadable_leaves_the_store(tmp_path, seeds_copy):
    store_path = tmp_path / "s"
    build([seeds_copy], store_path=store_path, validate=False)
    (seeds_copy / "000_d2ed1ed5029aa51d.txt").write_text("", encoding="utf-8")
    report = build([seeds_copy], store_path=store_path, validate=False)
    assert report.incremental and [Path(s).name for s, _ in report.rejected] == [
        "000_d2ed1ed5029aa51d.txt"]
    store = Store(store_path)
    assert len(store.sources()) == 4
    assert grant_total(store) == SEED_TOTAL - 450_000


def test_parallel_workers_use_the_parents_build_time(tmp_path, monkeypatch):
    """Regression: forkserver workers kept the environment of the moment the fork server
    started, so SOURCE_DATE_EPOCH set later never reached them (seen as a CI-only failure)."""
    pages = _generated_pages(tmp_path / "pages", 80)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build([pages], store_path=tmp_path / "first", validate=False, jobs=2)  # fork server starts
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    build([pages], store_path=tmp_path / "second", validate=False, jobs=2, full=True)
    times = {q.object.value for q in Store(tmp_path / "second").iter_quads()
             if q.predicate.value == "http://www.w3.org/ns/prov#generatedAtTime"}
    assert times == {"2026-01-01T00:00:00Z"}


def test_spooled_build_with_rotation_and_duplicates_equals_in_process_build(tmp_path,
                                                                            monkeypatch):
    """Workers write spool files (rotated every few records here); a project that comes twice
    is left out of the load, and shared lines only it had are removed again."""
    import pyoxigraph as ox

    from esfgraph import pipeline_spool

    pages = _generated_pages(tmp_path / "pages" / "a", 80)
    unique = "Enbart Dubblettens Ägarbolag AB"
    for page in sorted(pages.glob("*.txt")):  # a `Label:` page: the owner is the next line
        lines = page.read_text(encoding="utf-8").splitlines()
        if "Projektägare:" in lines:
            lines[lines.index("Projektägare:") + 1] = unique
            break
    twin = "\n".join(lines) + "\n"
    dup = tmp_path / "pages" / "b"
    dup.mkdir()
    (dup / "zz_twin.txt").write_text(twin, encoding="utf-8")
    os.utime(dup / "zz_twin.txt", ns=(1, 1))  # older, equally complete: the twin is left out
    monkeypatch.setattr(pipeline_spool, "SPOOL_BYTES", 40_000)  # a new spool file every few records
    serial = build([tmp_path / "pages"], store_path=tmp_path / "serial", validate=False, jobs=1)
    spooled = build([tmp_path / "pages"], store_path=tmp_path / "par", validate=False, jobs=2)
    assert any("the same project" in why for _, why in spooled.rejected)
    assert sorted(serial.rejected) == sorted(spooled.rejected)
    assert serial.triples == spooled.triples
    a = sorted(Store(tmp_path / "serial").dump(ox.RdfFormat.N_QUADS).splitlines())
    b = sorted(Store(tmp_path / "par").dump(ox.RdfFormat.N_QUADS).splitlines())
    assert [x for x in a if b"dateTime" not in x] == [x for x in b if b"dateTime" not in x]
    assert not any(unique.encode() in x for x in b)
    version = next(p for p in (tmp_path / "par").iterdir() if p.name.startswith("v-"))
    assert not (version / "spool").exists()  # spool files are gone once loaded
