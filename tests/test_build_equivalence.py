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


# -- the shortcuts behind the speed-up keep their contracts --------------------------------


def _mapped_with(extra: tuple) -> object:
    from rdflib import URIRef

    from esfgraph.mapping import map_record
    from esfgraph.parse import parse_file

    mapped = map_record(parse_file(min(SEEDS.glob("*.txt"))).record, sha256="0" * 64)
    project = URIRef(f"https://w3id.org/esfgraph/id/project/{mapped.slug}")
    if extra:
        mapped.quads.append((project, *extra, mapped.graph))
    return mapped


@pytest.mark.parametrize("bad", ["https://x.example/a b", "https://x.example/{y}", "no-scheme",
                                 "https://x.example/%zz"])
def test_encode_record_rejects_a_bad_iri_as_the_parser_would(bad: str) -> None:
    from rdflib import URIRef

    from esfgraph.errors import StoreError
    from esfgraph.store import check_nquads, encode_record

    with pytest.raises(SyntaxError):  # what pyoxigraph's N-Quads parser says of the same IRI
        list(ox.parse(f"<{bad}> <http://p.example/> <http://o.example/> .\n".encode(),
                      ox.RdfFormat.N_QUADS))
    mapped = _mapped_with((URIRef("https://w3id.org/esfgraph/ontology#x"), URIRef(bad)))
    with pytest.raises(StoreError, match="not valid RDF"):
        encode_record(mapped, "https://w3id.org/esfgraph/")
    with pytest.raises(StoreError):  # asked twice: a bad IRI is never cached as good
        encode_record(mapped, "https://w3id.org/esfgraph/")
    good = encode_record(_mapped_with((URIRef("https://w3id.org/esfgraph/ontology#x"),
                                       URIRef("https://x.example/ok"))),
                         "https://w3id.org/esfgraph/")
    check_nquads(good.own_nquads)
    check_nquads(good.shared_nquads)
    assert "<https://x.example/ok>" in good.own_nquads


def test_encode_record_rejects_a_bad_language_tag() -> None:
    from rdflib import Literal, URIRef

    from esfgraph.errors import StoreError
    from esfgraph.store import encode_record

    mapped = _mapped_with((URIRef("https://w3id.org/esfgraph/ontology#x"),
                           Literal("text", lang="abcdefghi")))
    with pytest.raises(StoreError, match="language tag"):
        encode_record(mapped, "https://w3id.org/esfgraph/")


def test_shared_nquads_text_matches_the_shared_lines() -> None:
    from esfgraph.store import encode_record

    encoded = encode_record(_mapped_with(()), "https://w3id.org/esfgraph/")
    assert encoded.shared
    assert encoded.shared_nquads == "".join(f"{t} <{g}> .\n" for g, t in encoded.shared)


def test_source_key_with_folder_cache_equals_path_resolve(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from esfgraph.pipeline import _source_key

    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("x", encoding="utf-8")
    (real / "target.txt").write_text("y", encoding="utf-8")
    (tmp_path / "linkdir").symlink_to(real)
    (real / "link.txt").symlink_to(real / "target.txt")
    monkeypatch.chdir(tmp_path)
    folders: dict[str, str] = {}
    for path in ["real/a.txt", "linkdir/a.txt", "real/link.txt", "real/../real/a.txt",
                 str(real / "a.txt"), "real/missing.txt"]:
        assert _source_key(path, folders) == str(Path(path).resolve()), path
    assert _source_key("real/link.txt", folders).endswith("target.txt")


def test_batched_manifest_rows_are_seen_by_every_read(tmp_path: Path) -> None:
    from esfgraph.store import Manifest, SourceEntry

    manifest = Manifest(tmp_path / "m.sqlite")
    entry = SourceEntry("/p/a.txt", "a.txt", "0" * 64, 1, 2, "slug-a", "g", "pg")
    line = '<https://s.example/> <https://p.example/> "x"'
    manifest.add_source(entry, [("https://g.example/e", line)])
    assert manifest.source_by_slug("slug-a") == entry
    assert manifest.source_by_key("/p/a.txt") == entry
    assert list(manifest.shared_nquads()) == [
        '<https://s.example/> <https://p.example/> "x" <https://g.example/e> .\n']
    manifest.remove_source(entry)
    assert manifest.sources() == []
    manifest.close()
