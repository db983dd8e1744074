"""The whole bank's way in, end to end: harvest a site that plays esf.se, build, harvest again.

From an empty folder, one harvest against the local site (tests/esf_site.py) and one build
give every page's record with the fields of its saved text, the page URL and fetch time in
the graph; a second harvest sends conditional requests and fetches only the page that
changed; the build after it shows the change in `diff`, on `/changes` and in the Atom feed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import esfgraph
from esfgraph.parse import parse_text
from tests.esf_site import EsfSite, case_path

#: Fast politeness for a local test site (the defaults are for esf.se: 1 request a second).
FAST = {"rate": 50.0, "timeout": 5.0, "max_pages": None}
WANTED = ["2018/00460", "2022/00877", "22-031-S07", "2019/00311", "2016/00123"]
CHANGED = case_path("2018/00460")


def _fields(record: esfgraph.Record) -> dict:
    """Every field but where it came from; text compared word by word (the fake site puts each
    line of a paragraph in a <p> of its own, so its line breaks are not the saved text's)."""
    out = dataclasses.asdict(record)
    for key in ("source", "provenance"):
        out.pop(key)
    out["description"] = " ".join((out["description"] or "").split())
    out["sections"] = {k: " ".join(v.split()) for k, v in out["sections"].items()}
    return out


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory):
    """Two harvests and two builds: before and after one page changed on the site."""
    root = tmp_path_factory.mktemp("bank")
    pages, store = root / "pages", root / "store"
    with EsfSite() as site:
        first = esfgraph.harvest(WANTED, base=site.base, out=pages, contact="t@example.org",
                                 **FAST)
        records = {r.provenance["url"]: r for r in esfgraph.read(pages)}
        texts = dict(site.texts)
        built = esfgraph.build([pages], store=store, validate=False, jobs=1)
        seen = len(site.requests())
        text = site.texts[CHANGED].replace("11 159 401", "11 259 401")
        assert text != site.texts[CHANGED]
        site.set_text(CHANGED, text)
        second = esfgraph.harvest([], base=site.base, out=pages, contact="t@example.org", **FAST)
        again = site.requests(seen)
        rebuilt = esfgraph.build([pages], store=store, validate=False, jobs=1)
        yield {"site": site.base, "first": first, "second": second, "again": again,
               "records": records, "texts": texts, "built": built, "rebuilt": rebuilt,
               "store": store, "pages": pages}


def test_one_harvest_and_one_build_give_every_page_its_saved_texts_record(bank) -> None:
    assert bank["first"].exit_code == 0, bank["first"].summary()
    assert len(bank["records"]) == len(WANTED)
    for url, record in bank["records"].items():
        path = url.removeprefix(bank["site"])
        want = parse_text(bank["texts"][path]).record
        assert _fields(record) == _fields(want), url
        assert record.provenance["kind"] == "page-html" and record.provenance["fetched_at"]
    assert bank["built"].mapped == len(WANTED) and not bank["built"].rejected


def test_the_graph_says_which_page_and_when(bank) -> None:
    kg = esfgraph.open(bank["store"])
    rows = list(kg.query("SELECT ?page ?when WHERE { ?file prov:wasDerivedFrom ?page ; "
                         "prov:generatedAtTime ?when FILTER(isIRI(?page)) }"))
    pages = {str(r["page"]) for r in rows}
    assert {bank["site"] + case_path(c) for c in WANTED} <= pages


def test_a_second_harvest_asks_conditionally_and_fetches_only_the_changed_page(bank) -> None:
    second, again = bank["second"], bank["again"]
    assert second.exit_code == 0, second.summary()
    page_requests = [r for r in again if "dnr=" in r.path]
    assert len(page_requests) == len(WANTED)
    assert all("If-None-Match" in r.headers or "if-none-match" in r.headers
               for r in page_requests)
    assert second.not_modified == len(WANTED) - 1
    assert second.changed == 1 and second.fetched == 1


def test_the_change_shows_in_diff_changes_page_and_atom_feed(bank) -> None:
    from esfgraph.serve import ServeSettings, create_app
    from tests.serve_fixtures.server import app_in_thread

    assert bank["rebuilt"].mapped == 1  # only the changed page was read again
    changes = esfgraph.what_changed("0", "1", store=bank["store"])  # the first logged build
    rendered = changes.render("text")
    assert "11 159 401" in rendered.replace("\u00a0", " ") or "11159401" in rendered
    assert "Motivera och Aktivera MOA" in rendered
    with app_in_thread(create_app(ServeSettings(store=str(bank["store"]), workers=1))) as client:
        data = client.get("/changes.json").json()
        money = [f for c in data["changes"] for f in c["fields"]
                 if f["field"] == "esfGrantSEK"]
        assert money and money[0]["old"] == ["11159401"] and money[0]["new"] == ["11259401"]
        atom = client.get("/changes.atom").text
        assert "Motivera och Aktivera MOA" in atom and "<feed" in atom
