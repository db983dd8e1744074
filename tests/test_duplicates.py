"""The same project in two files: the more complete record is kept, whatever the file order.

A truncated copy (partners, co-financiers, municipalities and contacts abroad cut off) once
shadowed the complete page because the first file read won.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from esfgraph import pipeline
from esfgraph.parse import parse_file
from esfgraph.pipeline import build
from esfgraph.store import Store
from tests.conftest import SEEDS

SEED = SEEDS / "004_9d0b371948660b7f.txt"   # Flen page: partners, co-financiers, contacts abroad
PROJECT = "https://w3id.org/esfgraph/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01"


def _truncated(text: str) -> str:
    """The page cut off inside its text: everything after the summary is missing."""
    return text[: text.index("Bakgrund")]


def _partners(store_path: Path) -> int:
    rows = Store(store_path).query(
        f"SELECT (COUNT(?o) AS ?n) WHERE {{ <{PROJECT}> <https://w3id.org/esfgraph/ontology#partner> ?o }}")
    return int(next(iter(rows))[0].value)


def _pages(folder: Path, truncated_name: str, complete_name: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    text = SEED.read_text(encoding="utf-8")
    complete = folder / complete_name
    complete.write_text(text, encoding="utf-8")
    cut = folder / truncated_name
    cut.write_text(_truncated(text), encoding="utf-8")
    os.utime(complete, ns=(1_000_000_000, 1_000_000_000))  # the truncated copy is newer
    return cut, complete


def test_completeness_counts_fields_and_list_items() -> None:
    full = parse_file(SEED).record
    assert full is not None
    fields, items = full.completeness()
    assert fields >= 10 and items >= 5


@pytest.mark.parametrize("names", [("a_cut.txt", "b_full.txt"), ("b_cut.txt", "a_full.txt")])
@pytest.mark.parametrize("jobs", [1, 2])
def test_more_complete_record_wins_in_any_order(tmp_path, monkeypatch, names, jobs) -> None:
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 1)  # jobs=2: workers and spool files
    cut, complete = _pages(tmp_path / "pages", *names)
    store = tmp_path / "store"
    report = build([tmp_path / "pages"], store_path=store, validate=False, jobs=jobs)
    assert report.records == 1
    [(loser, why)] = report.rejected
    assert loser == str(cut)
    assert str(complete) in why and str(cut) in why and "more complete" in why
    assert _partners(store) == 1
    sources = Store(store).query(
        f"SELECT ?src WHERE {{ <{PROJECT}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?src }}")
    assert [str(r[0].value).rsplit("/", 1)[1] for r in sources] == [complete.name]


def test_equally_complete_newer_file_wins(tmp_path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    old, new = folder / "a.txt", folder / "b.txt"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("Per Norén", "Per Norén (ny)"), encoding="utf-8")
    os.utime(old, ns=(1_000_000_000, 1_000_000_000))
    report = build([folder], store_path=tmp_path / "s", validate=False, jobs=1)
    [(loser, why)] = report.rejected
    assert loser == str(old) and "newer file" in why


def test_incremental_build_replaces_a_stored_truncated_copy(tmp_path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (folder / "cut.txt").write_text(_truncated(text), encoding="utf-8")
    store = tmp_path / "store"
    build([folder], store_path=store, validate=False, jobs=1)
    assert _partners(store) == 0
    (folder / "full.txt").write_text(text, encoding="utf-8")
    report = build([folder], store_path=store, validate=False, jobs=1)
    assert report.incremental
    assert [Path(s).name for s, _ in report.rejected] == ["cut.txt"]
    assert _partners(store) == 1
    again = build([folder], store_path=store, validate=False, jobs=1)  # stable on a rebuild
    assert _partners(store) == 1 and [Path(s).name for s, _ in again.rejected] in ([], ["cut.txt"])
