"""A harvest folder as a source: pages as fetched (gzip) with their sidecars, in parse and build."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from esfgraph.cli import main
from esfgraph.parse import parse_text
from esfgraph.parse.api import iter_sources
from esfgraph.parse.decode import MAX_BYTES
from esfgraph.pipeline import build
from esfgraph.sources.pages import read_file, read_page, sidecar_path
from esfgraph.store import Store
from tests.html_markups import to_html

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "seeds" / "000_d2ed1ed5029aa51d.txt"
NEW = ROOT / "seeds" / "003_58e54e8db85e930c.txt"
PLUS = ROOT / "tests" / "cases" / "esfplus-vagen-in" / "record.txt"
BASE = "https://www.esf.se"
PROV = "http://www.w3.org/ns/prov#"
ESF = "https://w3id.org/esfgraph/ontology#"


def _meta(url: str, body: bytes, **over) -> dict:
    meta = {"url": url, "final_url": url, "status": 200, "fetched_at": "2026-12-01T10:00:00Z",
            "etag": '"v1-abc"', "last_modified": "Tue, 01 Dec 2026 09:00:00 GMT",
            "sha256": hashlib.sha256(body).hexdigest(),
            "content_type": "text/html; charset=utf-8", "gone": False, "gone_since": None}
    meta.update(over)
    return meta


def _page(pages: Path, key: str, text_file: Path, markup: str, **over) -> bytes:
    body = to_html(text_file.read_text(encoding="utf-8"), markup).encode("utf-8")
    (pages / f"{key}.html.gz").write_bytes(gzip.compress(body))
    url = over.pop("url", f"{BASE}/resultat/projektbanken/projekt/?dnr={key}")
    (pages / f"{key}.meta.json").write_text(json.dumps(_meta(url, body, **over)),
                                            encoding="utf-8")
    return body


@pytest.fixture(scope="module")
def harvest(tmp_path_factory) -> Path:
    """A harvest folder as the harvester writes it: three pages, their sidecars, a journal."""
    out = tmp_path_factory.mktemp("harvest")
    pages = out / "pages"
    pages.mkdir()
    (out / "harvest.json").write_text(json.dumps({
        "format": "esfgraph-harvest/1", "base": BASE, "created": "2026-12-01T09:59:00Z",
        "updated": "2026-12-01T10:01:00Z"}), encoding="utf-8")
    (out / "journal.jsonl").write_text('{"event": "fetched", "key": "2018-00460"}\n',
                                       encoding="utf-8")
    _page(pages, "2018-00460", NEW, "table")
    _page(pages, "2023-00147", PLUS, "dl", etag='W/"weak"')
    _page(pages, "ung-och-aktiv", OLD, "spans",
          url=f"{BASE}/Resultat/Projektbanken/Behallare-for-projekt/Vastsverige/Ung-och-aktiv/",
          last_modified=None, etag=None)
    return out


def test_bookkeeping_files_are_not_sources(harvest: Path) -> None:
    names = sorted(p.name for p in iter_sources([harvest]))
    assert names == ["2018-00460.html.gz", "2023-00147.html.gz", "ung-och-aktiv.html.gz"]


def test_sidecar_fills_the_provenance(harvest: Path) -> None:
    result = read_file(harvest / "pages" / "2018-00460.html.gz")
    assert result.record is not None and result.warnings == []
    body = gzip.decompress((harvest / "pages" / "2018-00460.html.gz").read_bytes())
    assert result.record.provenance == {
        "kind": "page-html", "url": f"{BASE}/resultat/projektbanken/projekt/?dnr=2018-00460",
        "final_url": f"{BASE}/resultat/projektbanken/projekt/?dnr=2018-00460",
        "fetched_at": "2026-12-01T10:00:00Z", "etag": '"v1-abc"',
        "last_modified": "Tue, 01 Dec 2026 09:00:00 GMT",
        "sha256": hashlib.sha256(body).hexdigest()}
    want = parse_text(NEW.read_text(encoding="utf-8")).record.to_json()
    got = result.record.to_json()
    for key in ("source", "provenance"):
        want.pop(key), got.pop(key)
    assert got == want


def test_sidecar_name() -> None:
    assert sidecar_path("out/pages/a.html.gz") == "out/pages/a.meta.json"
    assert sidecar_path("saved/Page.HTM") == "saved/Page.meta.json"


def test_build_reads_the_harvest_folder_with_provenance(harvest: Path, tmp_path: Path) -> None:
    report = build([harvest], store_path=tmp_path / "store", validate=True, strict=True)
    assert report.rejected == [] and report.records == 3
    assert not any("meta.json" in src or "journal" in src for src, _ in report.warnings)
    rows = Store(tmp_path / "store").query(f"""
        SELECT ?name ?page ?fetched ?etag ?modified WHERE {{
          ?p a <{ESF}Project> ; <{PROV}wasDerivedFrom> ?file .
          ?file <http://purl.org/dc/terms/identifier> ?name ; <{PROV}wasDerivedFrom> ?page ;
                <{PROV}generatedAtTime> ?fetched .
          OPTIONAL {{ ?file <{ESF}etag> ?etag }} OPTIONAL {{ ?file <{ESF}lastModified> ?modified }}
        }} ORDER BY ?name""")
    got = [tuple(None if t is None else t.value for t in row) for row in rows]
    assert got == [
        ("2018-00460.html.gz", f"{BASE}/resultat/projektbanken/projekt/?dnr=2018-00460",
         "2026-12-01T10:00:00Z", '"v1-abc"', "2026-12-01T09:00:00Z"),
        ("2023-00147.html.gz", f"{BASE}/resultat/projektbanken/projekt/?dnr=2023-00147",
         "2026-12-01T10:00:00Z", 'W/"weak"', "2026-12-01T09:00:00Z"),
        ("ung-och-aktiv.html.gz",
         f"{BASE}/Resultat/Projektbanken/Behallare-for-projekt/Vastsverige/Ung-och-aktiv/",
         "2026-12-01T10:00:00Z", None, None)]


def test_cli_parse_reads_a_harvested_page(harvest: Path) -> None:
    result = CliRunner().invoke(main, ["parse", str(harvest / "pages" / "2023-00147.html.gz")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["project_number"] == "2023/00147" and record["layout"] == "2021-2027"
    assert record["provenance"]["etag"] == 'W/"weak"'


def test_plain_html_without_sidecar_has_the_kind_only(tmp_path: Path) -> None:
    path = tmp_path / "saved.html"
    path.write_text(to_html(NEW.read_text(encoding="utf-8"), "div-rows"), encoding="utf-8")
    result = read_file(path)
    assert result.record.provenance == {"kind": "page-html"} and result.warnings == []


def test_text_page_keeps_an_empty_provenance() -> None:
    assert read_file(NEW).record.provenance == {}


@pytest.mark.parametrize("meta,warning,missing", [
    (b"{not json", "is not valid JSON", ["url", "fetched_at"]),
    (b"[1, 2]", "is not a JSON object", ["url"]),
    (json.dumps({"url": "javascript:alert(1)", "fetched_at": "yesterday"}).encode(),
     "is not an http(s) URL", ["url", "fetched_at"]),
    (json.dumps({"url": "https://[::1", "final_url": "https://ex%zz/"}).encode(),
     "is not an http(s) URL", ["url", "final_url"]),
    (json.dumps({"url": BASE + "/x", "fetched_at": "2026-12-01T10:00:00"}).encode(),
     "ISO 8601 time with a zone", ["fetched_at"]),
    (json.dumps({"url": BASE + "/x", "sha256": "0" * 64}).encode(),
     "sha256 does not match", []),
    (json.dumps({"url": BASE + "/x", "gone": True, "gone_since": "2026-11-30T00:00:00Z"}).encode(),
     "gone from the site (since 2026-11-30", []),
])
def test_a_bad_sidecar_is_a_warning_and_the_page_is_kept(tmp_path: Path, meta: bytes,
                                                         warning: str, missing: list[str]) -> None:
    body = to_html(NEW.read_text(encoding="utf-8"), "dl").encode()
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(body))
    (tmp_path / "p.meta.json").write_bytes(meta)
    result = read_file(tmp_path / "p.html.gz")
    assert result.record is not None and result.record.project_number == "2018/00460"
    assert any(warning in i.message for i in result.warnings), [
        i.message for i in result.warnings]
    for key in missing:
        assert key not in result.record.provenance
    assert result.record.provenance["kind"] == "page-html"


def test_corrupt_gzip_is_rejected_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.html.gz"
    path.write_bytes(gzip.compress(b"<html><body>" * 200)[:-12])  # the trailer cut off
    result = read_file(path)
    assert result.record is None and "not a valid gzip file" in result.errors[0].message


def test_gzip_that_unpacks_past_the_size_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b" " * (MAX_BYTES + 10), compresslevel=9))
    assert path.stat().st_size < 100_000
    result = read_file(path)
    assert result.record is None and "unpacks to more than 8 MB" in result.errors[0].message


def test_oversized_gzip_file_is_rejected_by_its_size() -> None:
    result = read_page("big.html.gz", b"\x1f\x8b" + b"\0" * MAX_BYTES)
    assert result.record is None and "larger than 8 MB" in result.errors[0].message


def test_gzipped_text_page_is_read_as_text() -> None:
    result = read_page("page.txt.gz", gzip.compress(NEW.read_bytes()))
    assert result.record.project_number == "2018/00460" and result.record.provenance == {}


def test_card_shows_where_the_page_was_fetched(harvest: Path, tmp_path: Path) -> None:
    from tests.serve_fixtures.server import running_server

    build([harvest], store_path=tmp_path / "store", validate=False)
    with running_server(tmp_path / "store", "--workers", "1") as srv:
        for lang, fetched in (("sv", "hämtad"), ("en", "fetched")):
            resp = httpx.get(f"{srv.url}/id/project/2018-00460?lang={lang}",
                             headers={"Accept": "text/html"}, timeout=30)
            assert resp.status_code == 200
            block = resp.text.split('<section class="source">', 1)[1].split("</section>", 1)[0]
            assert f'href="{BASE}/resultat/projektbanken/projekt/?dnr=2018-00460"' in block
            assert f'{fetched} <time datetime="2026-12-01T10:00:00Z">' in block
            assert "ETag <code>&#34;v1-abc&#34;</code>" in block


def test_a_refetch_that_only_updates_the_sidecar_updates_the_fetch_time(harvest: Path,
                                                                         tmp_path: Path) -> None:
    """A 304 leaves the page bytes alone but records a new fetch: the next build reads it."""
    import os
    import shutil

    out = tmp_path / "harvest"
    shutil.copytree(harvest, out)
    store = tmp_path / "store"
    build([out], store_path=store, validate=False)
    side = out / "pages" / "2018-00460.meta.json"
    meta = json.loads(side.read_text(encoding="utf-8"))
    meta["fetched_at"] = "2026-12-08T10:00:00Z"
    side.write_text(json.dumps(meta), encoding="utf-8")
    later = side.stat().st_mtime_ns + 5_000_000_000
    os.utime(side, ns=(later, later))
    again = build([out], store_path=store, validate=False)
    assert again.unchanged == 2 and again.rejected == []
    fetched = [row[0].value for row in Store(store).query(
        f"SELECT ?t WHERE {{ ?f <http://purl.org/dc/terms/identifier> '2018-00460.html.gz' ; "
        f"<{PROV}generatedAtTime> ?t }}")]
    assert fetched == ["2026-12-08T10:00:00Z"]
    third = build([out], store_path=store, validate=False)
    assert third.unchanged == 3
