"""`harvest()`: fetch Projektbanken pages into a harvest folder, politely and resumably.

The loop settles one URL at a time: a page (asked for, found, or already in the folder), a
sitemap, a list page, or a case number tried by enumeration. Each settled URL is one journal
line, so a run cut short (killed, --max-pages, the site asking for a long pause) is continued
by the next run without a request for what it already settled. What each URL means comes from
`site.py`, how it is fetched from `fetch.py`, what it links to from `discover.py`, and where it
goes from `folder.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from esfgraph.errors import HarvestError
from esfgraph.sources.harvest.discover import (
    Series,
    default_series,
    page_text,
    parse_sitemap,
    read_links,
)
from esfgraph.sources.harvest.fetch import Fetcher, Politeness, Response
from esfgraph.sources.harvest.folder import Folder
from esfgraph.sources.harvest.journal import Journal
from esfgraph.sources.harvest.robots import Robots, load_robots
from esfgraph.sources.harvest.site import Site

DEFAULT_BASE = "https://www.esf.se"
#: Where discovery starts reading links (relative to the base); a missing one is only a note.
DEFAULT_LISTS = ("resultat/projektbanken/", "resultat/projektbanken/projekt/",
                 "Resultat/Projektbanken/Behallare-for-projekt/")
MAX_LIST_PAGES = 5000  # a trap of endless pagination ends here (and says so)
MAX_SITEMAPS = 1000
MAX_FAILURES_IN_A_ROW = 10  # the site is down or refusing us: stop, do not hammer it
HITS = frozenset({"new", "changed", "same", "unchanged", "gone"})
STORED = frozenset({"new", "changed", "same", "unchanged"})
HTML_TYPES = ("text/html", "application/xhtml+xml")

Progress = Callable[[int, int, str], None]


@dataclass
class HarvestReport:
    """What a harvest did: counts, and every URL that did not go well with the reason."""

    base: str = ""
    out: str = ""
    requests: int = 0
    new: int = 0
    changed: int = 0
    same: int = 0  # fetched again (200) with the body unchanged
    not_modified: int = 0  # 304 to a conditional request
    gone: list[str] = field(default_factory=list)
    newly_gone: int = 0
    robots: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # linked but not there
    misses: int = 0  # enumerated case numbers with no page (expected)
    duplicates: int = 0  # URLs that redirected to a page already stored (not stored twice)
    resumed: int = 0  # settled by an earlier, interrupted run: not requested again
    keys: list[str] = field(default_factory=list)  # pages in the folder this run saw alive
    series: list[tuple[str, int, int]] = field(default_factory=list)  # (series, tried, found)
    notes: list[str] = field(default_factory=list)  # discovery found less than it should
    stopped: str | None = None  # why the run ended early (None: it finished)
    stopped_badly: bool = False  # the stop is a problem (not --max-pages)
    empty_discovery: bool = False

    @property
    def fetched(self) -> int:
        """Bodies downloaded and written (new or changed)."""
        return self.new + self.changed

    @property
    def unchanged(self) -> int:
        """Pages found as they were (304, or 200 with the same body)."""
        return self.not_modified + self.same

    @property
    def complete(self) -> bool:
        """True if the run settled everything it set out to."""
        return self.stopped is None

    @property
    def exit_code(self) -> int:
        """0 all fine, 1 something failed (or discovery found nothing, or a bad stop)."""
        return 1 if self.failed or self.stopped_badly or self.empty_discovery else 0

    def summary(self, limit: int = 20) -> str:
        """The human summary the CLI prints: counts, then reasons, then notes."""
        lines = [f"harvest of {self.base} into {self.out}: {self.requests} requests"]
        lines.append(
            f"fetched {self.fetched} ({self.new} new, {self.changed} changed), "
            f"unchanged {self.unchanged} ({self.not_modified} not modified), "
            f"gone {len(self.gone)} ({self.newly_gone} newly), "
            f"refused by robots {len(self.robots)}, failed {len(self.failed)}, "
            f"not found {len(self.missing)}")

        def block(title: str, rows: Sequence[str]) -> None:
            for row in rows[:limit]:
                lines.append(f"  {title}: {row}")
            if len(rows) > limit:
                lines.append(f"  {title}: … and {len(rows) - limit} more (see journal.jsonl)")

        block("failed", [f"{url}: {why}" for url, why in self.failed])
        block("refused by robots.txt", self.robots)
        block("gone (kept, marked gone)", self.gone)
        block("not found", [f"{url}: {why}" for url, why in self.missing])
        if self.series:
            lines.append("enumeration: " + "; ".join(
                f"{name} tried {tried}, found {hits}" for name, tried, hits in self.series))
        if self.duplicates:
            lines.append(f"duplicates: {self.duplicates} URLs redirected to a page already "
                         "stored under another URL (not stored twice)")
        if self.resumed:
            lines.append(f"resumed: {self.resumed} URLs settled before the interruption were "
                         "not requested again")
        for note in self.notes:
            lines.append(f"note: {note}")
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        return "\n".join(lines)


class _Stop(Exception):
    """End the run early; the journal lets the next run continue."""

    def __init__(self, reason: str, badly: bool) -> None:
        super().__init__(reason)
        self.badly = badly


def harvest(what: Iterable[str] = (), *, base: str | None = None, out: str | Path = "pages",
            rate: float = 1.0, max_pages: int | None = None, contact: str | None = None,
            refresh: bool = False, discover: bool = False, miss_run: int = 100,
            series: Sequence[str] | None = None, timeout: float = 30.0,
            connect_timeout: float = 10.0, max_bytes: int = 5_000_000, retries: int = 3,
            backoff: float = 2.0, max_wait: float = 600.0, jitter: float = 0.25,
            list_pages: Sequence[str] = DEFAULT_LISTS,
            progress: Progress | None = None) -> HarvestReport:
    """Harvest project pages of `base` into the folder `out` (see folder.py for its format).

    Args:
        what: case numbers (`2018/00460`, `22-025-S02`), page URLs or paths on the site. With
            none and no `discover`, the pages already in the folder are checked again.
        base: the site (default: the folder's, else https://www.esf.se).
        rate: at most this many requests a second (robots.txt's Crawl-delay can slow it).
        max_pages: stop after this many page requests; the next run continues.
        contact: an e-mail or URL for the User-Agent, so the site can reach you.
        refresh: fetch every page again, without conditional requests.
        discover: find pages through sitemaps, list pages and case-number enumeration.
        miss_run: about this many fruitless requests end an enumerated series.
        series: enumerate only these years (`2018`, `2022`, `22`); default every year.
        progress: called as progress(settled, known, url) after every URL.

    Raises:
        HarvestError: before any request, for a bad WHAT, an off-site URL or a foreign folder.
    """
    if rate <= 0:
        raise HarvestError("--rate must be above 0 requests a second")
    if max_pages is not None and max_pages < 0:
        raise HarvestError("--max-pages cannot be negative")
    if miss_run < 1:
        raise HarvestError("--miss-run must be at least 1")
    for year in series or ():
        if not re.fullmatch(r"(?:20)?\d\d", str(year)):
            raise HarvestError(f"--series {year!r}: give a year as 2018 or 22")
    root = Path(out)
    folder = Folder(root, base=Site(base).base if base else None)
    site = Site(base or folder.base or DEFAULT_BASE)
    targets = [site.resolve(w) for w in what]
    revisit = [site.canonical(url) for url in folder.page_urls() if site.within(url)] \
        if folder.pages.exists() and (discover or not targets) else []
    if not targets and not discover and not revisit:
        raise HarvestError("nothing to harvest: give case numbers, URLs or paths, --from FILE, "
                           "or --discover")
    folder.create(site.base)
    journal = Journal(folder.journal_path)
    report = HarvestReport(base=site.base, out=str(root))
    politeness = Politeness(rate=rate, jitter=jitter, contact=contact, timeout=timeout,
                            connect_timeout=connect_timeout, max_bytes=max_bytes,
                            retries=retries, backoff=backoff, max_wait=max_wait)
    fetcher = Fetcher(politeness, within=site.within)
    run = _Run(site, folder, journal, fetcher, report, refresh, max_pages, progress)
    journal.open(uuid.uuid4().hex[:12], {"base": site.base, "discover": discover,
                                         "refresh": refresh, "asked": len(targets)})
    finished = False
    try:
        try:
            run.start(discover)
            for url in targets:
                run.enqueue(url, "page", "asked")
            for url in revisit:
                run.enqueue(url, "page", "folder")
            if discover:
                run.enqueue(site.sitemap_url(), "sitemap", "discovery")
                for path in list_pages:
                    run.enqueue(site.canonical(site.resolve("/" + path.lstrip("/"))), "list",
                                "discovery")
            run.drain()
            if discover:
                this_year = dt.datetime.now(dt.timezone.utc).year
                run.enumerate(default_series(this_year, miss_run, list(series or []) or None))
                run.check_discovery()
        except _Stop as stop:
            report.stopped, report.stopped_badly = str(stop), stop.badly
        report.requests = fetcher.requests
        journal.end(complete=report.complete)
        finished = True
    finally:
        if not finished:
            journal.close()  # no `end` line: the next run continues this one
        fetcher.close()
        folder.write_info()
        folder.close()
    return report


class _Run:
    """The state of one harvest run (the queue, what is settled, the counters)."""

    def __init__(self, site: Site, folder: Folder, journal: Journal, fetcher: Fetcher,
                 report: HarvestReport, refresh: bool, max_pages: int | None,
                 progress: Progress | None) -> None:
        self.site, self.folder, self.journal, self.fetcher = site, folder, journal, fetcher
        self.report, self.refresh, self.max_pages, self.progress = report, refresh, max_pages, progress
        self.queue: deque[tuple[str, str, str]] = deque()
        self.queued: set[str] = set()
        self.settled: dict[str, str] = {}
        self.page_requests = 0
        self.failures_in_a_row = 0
        self.lists_read = 0
        self.sitemaps_read = 0
        self.robots = Robots(None)
        self.found_pages: set[str] = set()  # project pages discovery found (any outcome)

    # -- setup and queue ------------------------------------------------------------------------
    def start(self, discover: bool) -> None:
        """Read robots.txt (one request, also on a resumed run: the rules may have changed)."""
        self.robots = load_robots(self.fetcher, self.site.robots_url())
        if self.robots.unreachable:
            raise _Stop(f"{self.robots.unreachable}; robots rules unknown means nothing may be "
                        "fetched (RFC 9309); run again later", badly=True)
        self.fetcher.allowed = self.robots.allowed
        delay = self.robots.crawl_delay()
        if delay and delay > self.fetcher.limiter.interval:
            self.fetcher.limiter.slow_down(delay)
            self.report.notes.append(f"robots.txt asks for {delay:g} s between requests; obeyed")
        for url in self.robots.sitemaps if discover else ():
            if self.site.within(url):
                self.enqueue(self.site.canonical(url), "sitemap", "discovery-robots")

    def enqueue(self, url: str, role: str, origin: str) -> None:
        """Add `url` to the queue once (never a URL off the site, whatever a file says)."""
        if url not in self.queued and self.site.within(url):
            self.queued.add(url)
            self.queue.append((url, role, origin))

    def drain(self) -> None:
        """Settle everything in the queue (settling a list or sitemap may add more)."""
        while self.queue:
            url, role, origin = self.queue.popleft()
            self.visit(url, role, origin)

    def _tick(self, url: str) -> None:
        if self.progress is not None:
            done = len(self.settled)
            self.progress(done, done + len(self.queue), url)

    # -- one URL --------------------------------------------------------------------------------
    def visit(self, url: str, role: str, origin: str) -> str:
        """Settle `url` (or replay how an interrupted run settled it); return the outcome."""
        if url in self.settled:
            return self.settled[url]
        if role in ("page", "probe") and origin.startswith("discovery"):
            self.found_pages.add(url)
        entry = self.journal.pending.pop(url, None)
        if entry is not None:
            outcome = self._replay(url, entry)
            self.report.resumed += 1
        else:
            outcome = self._settle(url, role, origin)
        self.settled[url] = outcome
        self._tick(url)
        return outcome

    def _replay(self, url: str, entry: dict) -> str:
        outcome = str(entry.get("outcome"))
        for pair in entry.get("found") or []:
            if isinstance(pair, list) and len(pair) == 2:
                self.enqueue(str(pair[1]), str(pair[0]), "discovery")
        self._count(url, outcome, str(entry.get("reason") or ""), Site.key(url))
        return outcome

    def _count(self, url: str, outcome: str, reason: str, key: str) -> None:
        r = self.report
        if outcome == "new":
            r.new += 1
        elif outcome == "changed":
            r.changed += 1
        elif outcome == "same":
            r.same += 1
        elif outcome == "unchanged":
            r.not_modified += 1
        elif outcome in ("gone", "newly-gone"):
            r.gone.append(url)
            r.newly_gone += outcome == "newly-gone"
        elif outcome == "robots":
            r.robots.append(url)
        elif outcome == "failed":
            r.failed.append((url, reason))
        elif outcome == "missing":
            r.missing.append((url, reason))
        elif outcome == "miss":
            r.misses += 1
        elif outcome == "alias":
            r.duplicates += 1
        if outcome in ("new", "changed", "same", "unchanged"):
            r.keys.append(key)

    def _settle(self, url: str, role: str, origin: str) -> str:
        if not self.robots.allowed(url):
            return self._done(url, role, "robots", None, "disallowed by robots.txt")
        if role in ("page", "probe"):
            return self._page(url, role, origin)
        if role == "sitemap":
            return self._sitemap(url)
        return self._list(url)

    def _done(self, url: str, role: str, outcome: str, status: int | None, reason: str | None,
              found: list[list[str]] | None = None) -> str:
        self._count(url, outcome, reason or "", Site.key(url))
        self.journal.done(url, role, "gone" if outcome == "newly-gone" else outcome, status,
                          reason, found)
        return "gone" if outcome == "newly-gone" else outcome

    def _fetch(self, url: str, headers: dict[str, str] | None = None) -> Response:
        resp = self.fetcher.get(url, headers)
        if resp.wait_too_long is not None:
            raise _Stop(f"the site asked us to wait {resp.wait_too_long:.0f} s (Retry-After); "
                        "run again later to continue", badly=True)
        if resp.error and (resp.status is None or resp.status >= 500 or resp.status == 429):
            self.failures_in_a_row += 1
            if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                raise _Stop(f"{MAX_FAILURES_IN_A_ROW} requests failed in a row (last: "
                            f"{resp.error}); the site may be down or refusing us; run again "
                            "later to continue", badly=True)
        else:
            self.failures_in_a_row = 0
        return resp

    # -- pages ----------------------------------------------------------------------------------
    def _page(self, url: str, role: str, origin: str) -> str:
        if self.max_pages is not None and self.page_requests >= self.max_pages:
            raise _Stop(f"--max-pages {self.max_pages} reached; run again to continue",
                        badly=False)
        key = Site.key(url)
        meta = self.folder.meta(key)
        headers: dict[str, str] = {}
        conditional = meta is not None and not self.refresh and self.folder.has_body(key)
        if conditional and meta is not None:
            if meta.get("etag"):
                headers["If-None-Match"] = str(meta["etag"])
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = str(meta["last_modified"])
        self.page_requests += 1
        resp = self._fetch(url, headers)
        if resp.refused:
            return self._done(url, role, "robots", resp.status, resp.error)
        if resp.error:
            return self._done(url, role, "failed", resp.status, resp.error)
        status = resp.status
        alias = self._alias(url, resp.final_url) if status in (200, 304) else None
        if alias is not None and self.settled.get(alias) in STORED:
            return self._done(url, role, "alias", status, f"the same page as {alias}")
        if status == 304:
            if not headers:
                return self._done(url, role, "failed", status, "HTTP 304 to a plain request")
            self.folder.mark_back(key)
            self._claim(alias, url)
            return self._done(url, role, "unchanged", status, None)
        if status in (404, 410):
            if meta is not None:
                newly = self.folder.mark_gone(key)
                return self._done(url, role, "newly-gone" if newly else "gone", status,
                                  f"HTTP {status}")
            if role == "probe":
                return self._done(url, role, "miss", status, None)
            if origin == "asked":
                return self._done(url, role, "failed", status, f"HTTP {status}: no such page")
            return self._done(url, role, "missing", status, f"HTTP {status} (found via {origin})")
        if status != 200:
            return self._done(url, role, "failed", status, f"HTTP {status}")
        ctype = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            return self._done(url, role, "failed", status, f"not an HTML page ({ctype})")
        if role == "probe" and not _mentions_case(resp, Site.case_of(url)):
            # an answer 200 for a case number the page never names is the site's "not found"
            # page: storing thousands of those would be worse than missing one odd page
            return self._done(url, role, "miss", status, "page does not name its case number")
        change = self.folder.store(key, url, resp.final_url, status, resp.body, resp.headers)
        self._claim(alias, url)
        return self._done(url, role, change, status, None)

    def _alias(self, url: str, final_url: str) -> str | None:
        """The project-page URL that `url` redirected to, if it is another one."""
        if final_url == url or not self.site.within(final_url):
            return None
        final = self.site.canonical(final_url)
        return final if final != url and self.site.is_project_page(final) else None

    def _claim(self, alias: str | None, url: str) -> None:
        """`url` was stored from `alias`: settle `alias` so its body is not fetched twice
        (esf.se redirects the 2007–2013 paths to lower-case `/sv/` ones; both get linked)."""
        if alias is not None and alias not in self.settled:
            self.settled[alias] = "alias"
            self.journal.done(alias, "page", "alias", None, f"the same page as {url}")

    # -- discovery ------------------------------------------------------------------------------
    def _sitemap(self, url: str) -> str:
        self.sitemaps_read += 1
        if self.sitemaps_read > MAX_SITEMAPS:
            return self._done(url, "sitemap", "skipped", None, "too many sitemaps")
        resp = self._fetch(url)
        if resp.error or resp.status != 200:
            why = resp.error or f"HTTP {resp.status}"
            self.report.notes.append(f"no sitemap read at {url} ({why})")
            return self._done(url, "sitemap", "sitemap", resp.status, why, [])
        try:
            kind, locs = parse_sitemap(resp.body, self.fetcher.p.max_bytes)
        except ValueError as exc:
            self.report.notes.append(f"sitemap {url} could not be read ({exc}); discovery went "
                                     "on without it")
            return self._done(url, "sitemap", "sitemap", resp.status, str(exc), [])
        found: list[list[str]] = []
        for loc in locs:
            if not self.site.within(loc):
                continue
            loc = self.site.canonical(loc)
            if kind == "index":
                found.append(["sitemap", loc])
            elif self.site.is_project_page(loc):
                found.append(["page", loc])
            elif self.site.is_bank_page(loc) and self.site.is_region_list(loc):
                found.append(["list", loc])
        if kind == "urlset" and locs and not any(r == "page" for r, _ in found):
            self.report.notes.append(f"sitemap {url} lists {len(locs)} URLs but no project page")
        for role, loc in found:
            self.enqueue(loc, role, "discovery")
        return self._done(url, "sitemap", "sitemap", resp.status, None, found)

    def _list(self, url: str) -> str:
        self.lists_read += 1
        if self.lists_read > MAX_LIST_PAGES:
            if self.lists_read == MAX_LIST_PAGES + 1:
                self.report.notes.append(f"stopped reading list pages after {MAX_LIST_PAGES}")
            return self._done(url, "list", "skipped", None, "too many list pages")
        resp = self._fetch(url)
        if resp.error or resp.status != 200:
            why = resp.error or f"HTTP {resp.status}"
            self.report.notes.append(f"list page {url} not read ({why})")
            return self._done(url, "list", "list", resp.status, why, [])
        links = read_links(self.site, url, page_text(resp.body, resp.headers.get("content-type")))
        found = [["page", u] for u in links.projects] + [["list", u] for u in links.lists]
        if not links.projects and not links.lists:
            self.report.notes.append(f"list page {url} links to no project page (has the "
                                     "site's markup changed?)")
        for role, loc in found:
            self.enqueue(loc, role, "discovery")
        return self._done(url, "list", "list", resp.status, None, found)

    def enumerate(self, series: list[Series]) -> None:
        """Try case numbers series by series until each one's run of misses ends it."""
        for s in series:
            while (case := s.next()) is not None:
                outcome = self.visit(self.site.case_url(case), "probe", "enumeration")
                s.record(outcome in HITS)
            self.report.series.append((s.name, s.tried, s.hits))
        if series and not any(s.hits for s in series):
            self.report.notes.append(f"enumeration found no case number in {len(series)} series "
                                     "(has the site's URL scheme changed?)")

    def check_discovery(self) -> None:
        """Say so loudly when discovery found no project page at all."""
        if not self.found_pages and not self.report.keys:
            self.report.empty_discovery = True
            self.report.notes.append("discovery found no project page at all: no sitemap, list "
                                     "page or case number led to one")


def _mentions_case(resp: Response, case: str | None) -> bool:
    if not case:
        return True
    text = page_text(resp.body, resp.headers.get("content-type"))
    return case in text or case.replace("/", "-") in text or case.lower() in text.lower()
