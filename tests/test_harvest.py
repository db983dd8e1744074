"""`esfgraph harvest` against a real local server that plays esf.se (tests/esf_site.py).

The server's request log is the witness: robots.txt obeyed, the rate kept, one request at a
time, the User-Agent, conditional requests on a second harvest, nothing fetched twice after a
resume. One discovery harvest is shared by most tests (module fixtures) to keep the cost low.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esfgraph import __version__
from esfgraph.cli import main
from esfgraph.errors import HarvestError
from esfgraph.sources.harvest import META_KEYS, harvest
from esfgraph.sources.harvest.discover import (
    CallSeries,
    YearSeries,
    parse_sitemap,
    read_links,
)
from esfgraph.sources.harvest.fetch import parse_retry_after
from esfgraph.sources.harvest.journal import Journal
from esfgraph.sources.harvest.site import Site
from tests.esf_site import OLD, EsfSite, case_path

RATE = 20.0
JITTER = 0.25
FAST = {"rate": RATE, "jitter": JITTER, "timeout": 0.3, "connect_timeout": 2.0, "retries": 1,
        "backoff": 0.05, "max_bytes": 100_000}
CONTACT = "test@example.org"

LIVE_PAGES = {  # what the first discovery harvest must store: key -> path on the site
    "dnr-2018-00460": case_path("2018/00460"),
    "dnr-2022-00877": case_path("2022/00877"),
    "dnr-2019-00311": case_path("2019/00311"),  # after a 429
    "dnr-2016-00123": case_path("2016/00123"),  # after a 503; linked only from a script
    "dnr-2018-00001": case_path("2018/00001"),  # enumeration
    "dnr-2018-00002": case_path("2018/00002"),
    "dnr-2018-00004": case_path("2018/00004"),
    "dnr-22-001-S01": case_path("22-001-S01"),
    "dnr-22-001-S02": case_path("22-001-S02"),
    "dnr-22-002-S01": case_path("22-002-S01"),
}
OLD_PAGES = {  # 2007–2013 pages: path as linked -> path that serves the body
    OLD + "Vastsverige/Ung-och-aktiv/": OLD + "Vastsverige/Ung-och-aktiv/",
    OLD + "Vastsverige/Mojligheter-del-2/": OLD + "Vastsverige/Mojligheter-del-2/",
    OLD + "Ostra-Mellansverige/Visioncenter/": OLD + "Ostra-Mellansverige/Visioncenter/",
    OLD + "Ostra-Mellansverige/Vaga-Valja-Vag/":  # redirected within the site
        "/sv/resultat/projektbanken/behallare-for-projekt/ostra-mellansverige/vaga-valja-vag/",
}


def _expected_keys(site: EsfSite) -> dict[str, str]:
    """What a discovery harvest of `site` must store: key -> the path that serves the body."""
    expected = dict(LIVE_PAGES)
    for linked, served in OLD_PAGES.items():
        expected[_key(site, linked)] = served
    return expected


def _key(site: EsfSite, path: str) -> str:
    return Site.key(Site(site.base).canonical(site.base + path))


def _meta(out: Path, key: str) -> dict:
    return json.loads((out / "pages" / f"{key}.meta.json").read_text(encoding="utf-8"))


def _body(out: Path, key: str) -> bytes:
    return gzip.decompress((out / "pages" / f"{key}.html.gz").read_bytes())


# -- shared harvests ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sites():
    """The site, and a second server standing for "another host" (its log must stay empty)."""
    with EsfSite() as other, EsfSite() as site:
        site.other = other.base
        yield site, other


@pytest.fixture(scope="module")
def first(sites, tmp_path_factory):
    """A discovery harvest from an empty folder."""
    site, _ = sites
    out = tmp_path_factory.mktemp("first") / "pages"
    mark = len(site.log)
    report = harvest(base=site.base, out=out, discover=True, miss_run=3, series=["2018", "22"],
                     contact=CONTACT, **FAST)
    return SimpleNamespace(report=report, out=out, log=site.requests(mark))


@pytest.fixture(scope="module")
def second(sites, first):
    """The site changes one page and drops another; a plain re-harvest of the folder."""
    site, _ = sites
    site.set_text(case_path("2018/00460"), "2018/00460 - Motivera och Aktivera MOA\n\nNy text.")
    site.remove(OLD + "Vastsverige/Mojligheter-del-2/")
    mark = len(site.log)
    report = harvest(base=site.base, out=first.out, **FAST)
    return SimpleNamespace(report=report, log=site.requests(mark))


@pytest.fixture(scope="module")
def third(sites, first, second):
    """--refresh after the second harvest."""
    site, _ = sites
    mark = len(site.log)
    report = harvest(out=first.out, refresh=True, **FAST)  # base taken from the folder
    return SimpleNamespace(report=report, log=site.requests(mark))


# -- units -------------------------------------------------------------------------------------
def test_case_numbers_paths_and_urls_resolve_against_the_base() -> None:
    site = Site("http://127.0.0.1:8000")
    assert site.resolve("2018/00460") == \
        "http://127.0.0.1:8000/resultat/projektbanken/projekt/?dnr=2018/00460"
    assert site.resolve(" 22-025-s02 ") == \
        "http://127.0.0.1:8000/resultat/projektbanken/projekt/?dnr=22-025-S02"
    assert site.resolve("/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/X/") == \
        "http://127.0.0.1:8000/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/X/"
    assert site.resolve("http://127.0.0.1:8000/resultat/projektbanken/projekt/?dnr=2018%2F00460"
                        "#top") == site.resolve("2018/00460")
    esf = Site("https://www.esf.se")
    assert esf.resolve("https://esf.se/sv/resultat/projektbanken/projekt/?dnr=2018/00460") == \
        "https://www.esf.se/resultat/projektbanken/projekt/?dnr=2018/00460"
    for bad in ("http://127.0.0.1:8001/x", "https://evil.example/resultat/", "ftp://esf.se/",
                "hello", "2018/460"):
        with pytest.raises(HarvestError):
            site.resolve(bad)


def test_folder_keys() -> None:
    site = Site("https://www.esf.se")
    assert Site.key(site.resolve("2018/00460")) == "dnr-2018-00460"
    assert Site.key(site.resolve("22-025-S02")) == "dnr-22-025-S02"
    url = site.resolve("/Resultat/Projektbanken/Behallare-for-projekt/Östra-Mellansverige/Våga/")
    sha = hashlib.sha1(url.encode()).hexdigest()[:8]
    assert Site.key(url) == f"resultat-projektbanken-behallare-for-projekt-ostra-mellansverige-vaga-{sha}"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_any_what_resolves_on_the_site_or_is_refused(text: str) -> None:
    site = Site("https://www.esf.se")
    try:
        url = site.resolve(text)
    except HarvestError:
        return
    assert site.within(url)
    assert re.fullmatch(r"[A-Za-z0-9-]{1,100}", Site.key(url))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_list_page_gives_only_links_on_the_site(html: str) -> None:
    site = Site("https://www.esf.se")
    links = read_links(site, "https://www.esf.se/resultat/projektbanken/", html)
    assert all(site.is_project_page(u) for u in links.projects)
    assert all(site.within(u) for u in links.lists)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.text(max_size=40))
def test_any_sitemap_or_retry_after_is_read_or_refused(body: bytes, header: str) -> None:
    try:
        kind, locs = parse_sitemap(body, 10_000)
        assert kind in ("urlset", "index") and all(isinstance(u, str) for u in locs)
    except ValueError:
        pass
    wait = parse_retry_after(header, now=0.0)
    assert wait is None or wait >= 0


_JOURNAL_VALUES = st.one_of(st.text(max_size=10), st.booleans(), st.none(),
                            st.lists(st.text(max_size=5), max_size=3))
_JOURNAL_LINES = st.one_of(st.text(max_size=60), st.dictionaries(
    st.sampled_from(["event", "url", "outcome", "found", "complete"]), _JOURNAL_VALUES,
    max_size=4))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(_JOURNAL_LINES, max_size=8))
def test_any_journal_is_read_without_crashing(tmp_path_factory, lines: list) -> None:
    path = tmp_path_factory.mktemp("j") / "journal.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines),
                    encoding="utf-8")
    journal = Journal(path)
    assert all(isinstance(url, str) for url in journal.pending)


def test_a_tampered_folder_or_journal_sends_nothing_off_the_site(sites, first, tmp_path) -> None:
    site, other = sites
    out = tmp_path / "h"
    harvest(["2018/00001", "2018/00002"], base=site.base, out=out, **FAST)
    meta = _meta(out, "dnr-2018-00001")
    meta["url"] = other.base + "/stolen/"
    (out / "pages" / "dnr-2018-00001.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    again = harvest(base=site.base, out=out, **FAST)  # revisits the folder
    assert again.keys == ["dnr-2018-00002"]
    with (out / "journal.jsonl").open("a", encoding="utf-8") as fh:  # an unfinished run
        fh.write(json.dumps({"event": "done", "url": site.base + "/resultat/projektbanken/",
                             "outcome": "list", "found": [["page", other.base + "/x/"]]}) + "\n")
    replayed = harvest(["/resultat/projektbanken/"], base=site.base, out=out, **FAST)
    assert replayed.resumed == 1
    assert other.log == []


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("²") is None  # regression: "²".isdigit() is True, float("²") fails
    assert parse_retry_after(None) is None


def test_sitemaps_plain_gzipped_index_and_garbage() -> None:
    urlset = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://'
              b'www.esf.se/a </loc></url><url><loc>https://www.esf.se/b</loc></url></urlset>')
    assert parse_sitemap(urlset, 10_000) == ("urlset", ["https://www.esf.se/a",
                                                        "https://www.esf.se/b"])
    assert parse_sitemap(gzip.compress(urlset), 10_000)[1] == ["https://www.esf.se/a",
                                                                "https://www.esf.se/b"]
    index = b"<sitemapindex><sitemap><loc>https://www.esf.se/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index, 10_000) == ("index", ["https://www.esf.se/s1.xml"])
    for bad in (b"<html><body>not a sitemap</body></html>", b"\x1f\x8bnot gzip", b"<urlset>",
                gzip.compress(b"<urlset>" + b" " * 20_000 + b"</urlset>")):
        with pytest.raises(ValueError):
            parse_sitemap(bad, 10_000)


def _mock_fetcher(handler, **politeness):
    import httpx

    from esfgraph.sources.harvest.fetch import Fetcher, Politeness

    site = Site("https://www.esf.se")
    return Fetcher(Politeness(rate=1000, retries=0, **politeness), within=site.within,
                   allowed=lambda url: "/admin/" not in url,
                   transport=httpx.MockTransport(handler))


def test_fetcher_refuses_what_it_must_not_follow() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/big":
            return httpx.Response(200, headers={"Content-Length": "10000000"}, content=b"")
        if path.startswith("/loop"):
            return httpx.Response(302, headers={"Location": f"/loop{len(path)}"})
        if path == "/nowhere":
            return httpx.Response(301)
        if path == "/to-admin":
            return httpx.Response(301, headers={"Location": "/admin/x"})
        if path == "/to-www":
            return httpx.Response(301, headers={"Location": "https://esf.se/ok"})
        return httpx.Response(200, content=b"<p>ok</p>")

    fetcher = _mock_fetcher(handler, max_bytes=1000)
    try:
        assert "size cap (10000000 > 1000" in fetcher.get("https://www.esf.se/big").error
        assert fetcher.get("https://www.esf.se/loop").error == "more than 5 redirects"
        assert "without a Location" in fetcher.get("https://www.esf.se/nowhere").error
        refused = fetcher.get("https://www.esf.se/to-admin")
        assert refused.refused and "robots.txt disallows" in refused.error
        moved = fetcher.get("https://www.esf.se/to-www")  # www or not: one site
        assert (moved.error, moved.final_url, moved.body) == (None, "https://esf.se/ok",
                                                              b"<p>ok</p>")
        assert "not on the site" in fetcher.get("https://evil.example/").error
    finally:
        fetcher.close()


def _run_series(series, present: set[str]) -> list[str]:
    tried = []
    while (case := series.next()) is not None:
        tried.append(case)
        series.record(case in present)
    return tried


def test_a_year_series_ends_after_its_run_of_misses() -> None:
    tried = _run_series(YearSeries(2018, 3), {"2018/00001", "2018/00002", "2018/00004"})
    assert tried == [f"2018/{n:05d}" for n in range(1, 8)]


def test_a_call_series_ends_calls_then_the_year() -> None:
    s = CallSeries(22, 30)  # a call ends after 3 misses, the year after 2 empty calls
    tried = _run_series(s, {"22-001-S01", "22-001-S03", "22-002-S01"})
    assert tried[:7] == ["22-001-S01", "22-001-S02", "22-001-S03", "22-001-S04", "22-001-S05",
                         "22-001-S06", "22-002-S01"]
    assert tried[-1] == "22-004-S03" and len(tried) == 7 + 3 + 3 + 3
    assert s.hits == 3


def test_journal_skips_a_torn_line_and_retries_failures(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(
        '{"run": "a", "event": "done", "url": "u1", "outcome": "new"}\n'
        '{"run": "a", "event": "end", "complete": true}\n'
        '{"run": "b", "event": "done", "url": "u2", "outcome": "new"}\n'
        '{"run": "b", "event": "done", "url": "u3", "outcome": "failed"}\n'
        '{"run": "b", "event": "do', encoding="utf-8")
    journal = Journal(path)
    assert set(journal.pending) == {"u2"} and journal.skipped_lines == 1
    journal.open("c", {})
    journal.end(complete=True)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["event"] == "end" and json.loads(lines[-2])["event"] == "start"
    assert Journal(path).pending == {}


# -- the first harvest -------------------------------------------------------------------------
def test_first_harvest_stores_every_project_page_as_fetched(sites, first) -> None:
    site, _ = sites
    expected = _expected_keys(site)
    assert sorted(first.report.keys) == sorted(expected)
    files = sorted(p.name for p in (first.out / "pages").iterdir())
    assert files == sorted([f"{k}.html.gz" for k in expected] + [f"{k}.meta.json" for k in expected])
    for key, served in expected.items():
        meta = _meta(first.out, key)
        body = _body(first.out, key)
        assert tuple(meta) == META_KEYS
        assert body == site.pages[served].body  # exactly as fetched
        assert meta["sha256"] == hashlib.sha256(body).hexdigest()
        assert meta["status"] == 200 and meta["gone"] is False and meta["gone_since"] is None
        assert meta["etag"] == site.pages[served].etag
        assert meta["last_modified"] == site.pages[served].last_modified
        assert meta["content_type"] == "text/html; charset=utf-8"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["fetched_at"])
        assert meta["final_url"] == site.base + served
    info = json.loads((first.out / "harvest.json").read_text(encoding="utf-8"))
    assert info["format"] == "esfgraph-harvest/1" and info["base"] == site.base + "/"
    assert not list(first.out.rglob("*.tmp"))


def test_robots_txt_is_obeyed_and_nothing_off_the_site_is_requested(sites, first) -> None:
    site, other = sites
    paths = [r.path for r in first.log]
    assert paths[0] == "/robots.txt"
    assert not [p for p in paths if "Hemligt" in p or p.startswith("/admin/")]
    assert first.report.robots == [site.base + OLD + "Stockholm/Hemligt/"]
    assert other.log == []  # neither the off-site link nor the off-site redirect was followed
    assert not [p for p in paths if p.startswith("/om-oss/")]  # not a Projektbanken page


def test_rate_one_connection_and_user_agent(first) -> None:
    log = sorted(first.log, key=lambda r: r.start)
    # the server stamps a request when its thread gets the CPU, so one stamp can be late by
    # a scheduling delay on a busy machine: check spans of 4 gaps (tolerating 50 ms of it)
    # and that no gap is a burst (an unlimited client sends within a millisecond or two)
    least = (1 / RATE) * (1 - JITTER)
    spans = [(b.start - a.start, a.path, b.path) for a, b in zip(log, log[4:])]
    assert min(spans)[0] >= 4 * least, min(spans)
    gaps = [(b.start - a.start, a.path, b.path) for a, b in itertools.pairwise(log)]
    assert min(gaps)[0] >= least / 8, min(gaps)
    quick = [r for r in log if "Langsam" not in r.path]  # the client gave up on the slow one
    assert all(a.end <= b.start for a, b in itertools.pairwise(quick)), "two requests at once"
    assert {r.headers.get("user-agent") for r in log} == {f"esfgraph/{__version__} (+{CONTACT})"}
    assert not any("if-none-match" in r.headers for r in log)


def test_retry_after_is_honoured_on_429_and_503(first) -> None:
    too_many = [r.start for r in first.log if r.path.endswith("dnr=2019/00311")]
    assert len(too_many) == 2 and too_many[1] - too_many[0] >= 0.9  # 1 s, less stamp noise
    busy = [r for r in first.log if r.path.endswith("dnr=2016/00123")]
    assert len(busy) == 2
    assert "dnr-2019-00311" in first.report.keys and "dnr-2016-00123" in first.report.keys


def test_failures_are_reported_with_reasons_and_exit_1(sites, first) -> None:
    site, _ = sites
    failed = {url.removeprefix(site.base + OLD): why for url, why in first.report.failed}
    assert set(failed) == {"Stockholm/Flyttat/", "Stockholm/Trasig/", "Stockholm/Langsam/",
                           "Stockholm/Jattestor/"}
    assert "redirect off the site" in failed["Stockholm/Flyttat/"]
    assert "HTTP 503 after 2 tries" == failed["Stockholm/Trasig/"]
    assert "timed out" in failed["Stockholm/Langsam/"]
    assert "size cap" in failed["Stockholm/Jattestor/"]
    assert len([r for r in first.log if r.path.endswith("Stockholm/Trasig/")]) == 2
    assert first.report.missing == [(site.base + case_path("2017/09999"),
                                     "HTTP 404 (found via discovery)")]
    assert first.report.exit_code == 1
    summary = first.report.summary()
    assert "refused by robots 1, failed 4, not found 1" in summary
    assert "enumeration: 2018/NNNNN tried 7, found 3; 22-CCC-SNN tried 15, found 3" in summary


def test_discovery_says_what_it_could_not_read(sites, first) -> None:
    site, _ = sites
    notes = "\n".join(first.report.notes)
    assert f"list page {site.base}/resultat/projektbanken/projekt/ not read (HTTP 404)" in notes
    assert "dnr-2018-00005" not in first.report.keys  # the site's 200 "not found" page


def test_a_page_under_two_urls_is_fetched_and_stored_once(first, plain_site, tmp_path) -> None:
    served = OLD_PAGES[OLD + "Ostra-Mellansverige/Vaga-Valja-Vag/"]
    assert [r.path for r in first.log].count(served) == 1  # linked and in the sitemap
    report = harvest([served, OLD + "Ostra-Mellansverige/Vaga-Valja-Vag/"],
                     base=plain_site.base, out=tmp_path / "h", **FAST)
    assert (report.new, report.duplicates, report.keys) == (1, 1, [_key(plain_site, served)])
    assert "duplicates: 1 URLs redirected" in report.summary()
    assert len(list((tmp_path / "h" / "pages").glob("*.html.gz"))) == 1


def test_a_changed_site_degrades_to_fewer_pages_said_so(tmp_path) -> None:
    with EsfSite(markup_changed=True) as site:
        report = harvest(base=site.base, out=tmp_path / "h", discover=True, miss_run=3,
                         series=["2018", "22"], **FAST)
    notes = "\n".join(report.notes)
    assert f"sitemap {site.base}/sitemap.xml could not be read" in notes
    assert f"list page {site.base}/resultat/projektbanken/ links to no project page" in notes
    assert "enumeration found no case number in 2 series" in notes
    assert "discovery found no project page at all" in notes
    assert report.exit_code == 1 and report.keys == []
    assert "note: discovery found no project page at all" in report.summary()


# -- second harvest, --refresh -----------------------------------------------------------------
def test_second_harvest_sends_conditional_requests_and_counts_304s(sites, first, second) -> None:
    site, _ = sites
    pages = [r for r in second.log if r.path != "/robots.txt"]
    assert len(pages) == 15  # 14 pages, one of them behind a redirect
    assert all("if-none-match" in r.headers and "if-modified-since" in r.headers for r in pages)
    r = second.report
    assert (r.not_modified, r.changed, r.new, r.newly_gone, r.failed) == (12, 1, 0, 1, [])
    assert r.exit_code == 0
    assert b"Ny text." in _body(first.out, "dnr-2018-00460")
    assert _meta(first.out, "dnr-2018-00460")["etag"] == site.pages[case_path("2018/00460")].etag
    gone_key = _key(site, OLD + "Vastsverige/Mojligheter-del-2/")
    meta = _meta(first.out, gone_key)
    assert meta["gone"] is True and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                                 meta["gone_since"])
    assert b"Ulricehamn" in _body(first.out, gone_key)  # reported, not deleted
    assert r.gone == [site.base + OLD + "Vastsverige/Mojligheter-del-2/"]


def test_refresh_fetches_everything_again(sites, first, second, third) -> None:
    pages = [r for r in third.log if r.path != "/robots.txt"]
    assert len(pages) == 15  # 14 pages, one of them behind a redirect
    assert not any("if-none-match" in r.headers or "if-modified-since" in r.headers
                   for r in pages)
    r = third.report
    assert (r.same, r.changed, r.new, len(r.gone), r.newly_gone) == (13, 0, 0, 1, 0)


# -- resume ------------------------------------------------------------------------------------
CASES = ["2018/00460", "2022/00877", "2018/00001", "2018/00002", "2018/00004", "22-001-S01"]


@pytest.fixture()
def plain_site():
    with EsfSite() as site:
        yield site


def _page_requests(log) -> list[str]:
    return [r.path for r in log if r.path != "/robots.txt"]


def test_max_pages_then_a_second_run_continues_without_refetching(plain_site, tmp_path) -> None:
    out = tmp_path / "h"
    one = harvest(CASES, base=plain_site.base, out=out, max_pages=2, **FAST)
    assert one.new == 2 and one.exit_code == 0 and "--max-pages 2" in (one.stopped or "")
    mark = len(plain_site.log)
    two = harvest(CASES, base=plain_site.base, out=out, **FAST)
    assert two.resumed == 2 and two.new == 6 and two.complete
    asked = _page_requests(plain_site.requests(mark))
    assert asked == [case_path(c) for c in CASES[2:]]
    assert len(_page_requests(plain_site.log)) == len(CASES)  # each page fetched once


def test_a_killed_run_continues_where_it_stopped(plain_site, tmp_path) -> None:
    out = tmp_path / "h"

    def kill_after_three(done: int, total: int, url: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvest(CASES, base=plain_site.base, out=out, progress=kill_after_three, **FAST)
    journal = (out / "journal.jsonl").read_text(encoding="utf-8")
    assert '"event": "end"' not in journal
    with (out / "journal.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"run": "x", "event": "done", "url": "ht')  # torn by the kill
    report = harvest(CASES, base=plain_site.base, out=out, **FAST)
    assert report.resumed == 3 and report.new == 6 and report.exit_code == 0
    assert sorted(_page_requests(plain_site.log)) == sorted(case_path(c) for c in CASES)


@pytest.fixture()
def quick_site():
    """A site whose Retry-After is 0 (for tests where the wait is not the point)."""
    with EsfSite(retry_after=0) as site:
        yield site


def test_a_killed_discovery_continues_without_asking_again(first, quick_site, tmp_path) -> None:
    plain_site = quick_site
    out = tmp_path / "h"
    options = {"base": plain_site.base, "out": out, "discover": True, "miss_run": 3,
               "series": ["2018", "22"], **FAST, "rate": 50.0}

    def kill_after_twenty(done: int, total: int, url: str) -> None:
        if done == 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvest(progress=kill_after_twenty, **options)
    mark = len(plain_site.log)
    before = set(_page_requests(plain_site.log))
    report = harvest(**options)
    again = set(_page_requests(plain_site.requests(mark))) & before
    failed = {url.removeprefix(plain_site.base) for url, _ in report.failed}
    assert again and again <= failed, again  # only failures are asked again
    assert report.resumed >= 15, report.resumed
    assert sorted(report.keys) == sorted(_expected_keys(plain_site))  # as in one go
    assert report.series == first.report.series


# -- the command line --------------------------------------------------------------------------
def _cli(*args: str):
    return CliRunner().invoke(main, ["harvest", *args])


def test_cli_refuses_other_hosts_and_bad_folders_with_exit_2(plain_site, tmp_path) -> None:
    result = _cli("http://elsewhere.example/resultat/", "--base", plain_site.base,
                  "--out", str(tmp_path / "h"))
    assert result.exit_code == 2 and "not on the site" in result.output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    result = _cli("2018/00460", "--base", plain_site.base, "--out", str(foreign))
    assert result.exit_code == 2 and "not a harvest folder" in result.output
    result = _cli("--base", plain_site.base, "--out", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "nothing to harvest" in result.output
    assert plain_site.log == []  # no request before the arguments are sound
    assert not (tmp_path / "h").exists()


def test_cli_harvests_from_a_file_and_exits_0_or_1(plain_site, tmp_path) -> None:
    listing = tmp_path / "wanted.txt"
    listing.write_text(f"# wanted\n2018/00460\n\n{OLD}Vastsverige/Ung-och-aktiv/\n",
                       encoding="utf-8")
    out = tmp_path / "h"
    result = _cli("--from", str(listing), "--base", plain_site.base, "--out", str(out),
                  "--rate", "20", "--contact", CONTACT, "-q")
    assert result.exit_code == 0, result.output
    assert "fetched 2 (2 new, 0 changed)" in result.output
    assert (out / "pages" / "dnr-2018-00460.html.gz").exists()
    result = _cli("2017/09999", "--out", str(out), "--rate", "20")  # with the progress bar
    assert result.exit_code == 1
    assert "HTTP 404: no such page" in result.output
    assert "tip: add --contact EMAIL" in result.output


# -- stopping politely -------------------------------------------------------------------------
def test_unreadable_robots_txt_means_nothing_is_fetched(tmp_path) -> None:
    with EsfSite(robots_status=503) as site:
        report = harvest(CASES, base=site.base, out=tmp_path / "h", **FAST)
        assert [r.path for r in site.log] == ["/robots.txt", "/robots.txt"]  # one retry
    assert report.exit_code == 1 and "RFC 9309" in (report.stopped or "")
    assert report.new == 0


def test_a_missing_robots_txt_allows_everything(tmp_path) -> None:
    with EsfSite(robots_status=404) as site:
        report = harvest([OLD + "Stockholm/Hemligt/"], base=site.base, out=tmp_path / "h", **FAST)
    assert report.new == 1 and report.exit_code == 0


def test_crawl_delay_of_robots_txt_is_read() -> None:
    from protego import Protego

    from esfgraph.sources.harvest.robots import Robots

    robots = Robots(Protego.parse("User-agent: esfgraph\nCrawl-delay: 5\nDisallow: /x/\n"))
    assert robots.crawl_delay() == 5.0
    assert not robots.allowed("https://www.esf.se/x/1") and robots.allowed("https://www.esf.se/y")


def test_a_long_retry_after_stops_the_run_and_the_next_run_continues(plain_site, tmp_path) -> None:
    out = tmp_path / "h"
    wanted = ["2018/00460", "2019/00311", "2022/00877"]  # 2019/00311 answers 429 first
    one = harvest(wanted, base=plain_site.base, out=out, max_wait=0.5, **FAST)
    assert one.exit_code == 1 and "wait 1 s (Retry-After)" in (one.stopped or "")
    assert case_path("2022/00877") not in _page_requests(plain_site.log)
    two = harvest(wanted, base=plain_site.base, out=out, **FAST)
    assert (two.resumed, two.new, two.exit_code) == (1, 3, 0)
    assert _page_requests(plain_site.log).count(case_path("2018/00460")) == 1


def test_retry_after_holds_for_the_next_url_when_retries_are_spent(plain_site, tmp_path) -> None:
    report = harvest(["2019/00311", "2018/00460"], base=plain_site.base, out=tmp_path / "h",
                     **{**FAST, "retries": 0})
    assert report.failed == [(plain_site.base + case_path("2019/00311"), "HTTP 429 after 1 tries")]
    log = {r.path: r.start for r in plain_site.log}
    assert log[case_path("2018/00460")] - log[case_path("2019/00311")] >= 0.9


def test_a_site_that_keeps_failing_stops_the_run(tmp_path) -> None:
    wanted = [f"2018/{n:05d}" for n in range(1, 13)]
    with EsfSite(down=True) as site:
        one = harvest(wanted, base=site.base, out=tmp_path / "h", **{**FAST, "retries": 0})
        assert one.exit_code == 1 and "10 requests failed in a row" in (one.stopped or "")
        assert len(_page_requests(site.log)) == 10  # not the 11th and 12th
        site.down = False
        two = harvest(wanted, base=site.base, out=tmp_path / "h", **FAST)
    assert two.resumed == 0  # failures are tried again: now 4 pages and 8 unknown numbers
    assert {why for _, why in two.failed} == {"HTTP 404: no such page"}
    # 00005 is the site's 200 "not found" page: asked for by name, it is stored as asked
    assert sorted(two.keys) == ["dnr-2018-00001", "dnr-2018-00002", "dnr-2018-00004",
                                "dnr-2018-00005"]


def test_httpx_and_the_harvester_stay_in_their_room(repo_root) -> None:
    """httpx and the harvest package are imported nowhere but the harvester, its command and
    the public `esfgraph.harvest` (which imports it only when called)."""
    offenders = []
    for path in (repo_root / "esfgraph").rglob("*.py"):
        rel = path.relative_to(repo_root).as_posix()
        if rel.startswith("esfgraph/sources/harvest/") or rel in (
                "esfgraph/cli/cmd_harvest.py", "esfgraph/library/harvesting.py"):
            continue  # the harvester, its command and its public door (esfgraph.harvest)
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import httpx|from httpx|from esfgraph\.sources\.harvest)", text, re.MULTILINE):
            offenders.append(rel)
    assert offenders == []


def test_import_esfgraph_loads_no_http_client() -> None:
    """`import esfgraph` (the CLI, serve, the notebooks) loads neither httpx nor the harvester."""
    import subprocess
    import sys

    code = ("import sys, esfgraph; esfgraph.harvest; "
            "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('esfgraph.sources.harvest')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
