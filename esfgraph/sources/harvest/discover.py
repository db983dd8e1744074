"""Finding project pages: sitemaps, links on Projektbanken's list pages, and case-number series.

Each way is independent and each reports what it found, so a change of the site's markup makes
one of them find less (and say so in the summary) instead of crashing the harvest or ending it
empty. Links are read twice over: from `href`s (an HTML parser that tolerates any markup) and by
a plain-text search for `?dnr=` URLs (which survives links written by scripts or data
attributes). Nothing here opens a connection: `run.py` fetches, this module reads.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from esfgraph.sources.harvest.site import Site

_DNR_IN_TEXT = re.compile(
    r"""(?:https?://[^\s"'<>]+?)?/(?:sv/)?resultat/projektbanken/projekt/?\?dnr=[0-9A-Za-z/%-]+""",
    re.IGNORECASE)
_PAGE_PARAM = re.compile(r"^(p|page|pagenumber|pageindex|sida|start|offset|skip|from)$", re.IGNORECASE)
_GZIP_MAGIC = b"\x1f\x8b"


# -- sitemaps --------------------------------------------------------------------------------
def parse_sitemap(body: bytes, max_bytes: int) -> tuple[str, list[str]]:
    """Read a sitemap or sitemap index (plain or gzipped): ("urlset" | "index", locations).

    Raises:
        ValueError: not a sitemap (unreadable XML, another root element, too large unpacked).
    """
    if body[:2] == _GZIP_MAGIC:
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, max_bytes + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(f"bad gzip: {exc}") from exc
        if len(body) > max_bytes:
            raise ValueError(f"larger than {max_bytes} bytes unpacked")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ValueError(f"not XML ({exc})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"root element <{kind}>, not <urlset> or <sitemapindex>")
    locs = [el.text.strip() for el in root.iter() if _local(el.tag) == "loc" and el.text
            and el.text.strip()]
    return ("index" if kind == "sitemapindex" else "urlset"), locs


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


# -- links on list pages ---------------------------------------------------------------------
class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "href" or name.startswith("data-") and "/" in value):
                if tag == "base" and name == "href":
                    self.base = value
                else:
                    self.hrefs.append(value)


def page_text(body: bytes, content_type: str | None = None) -> str:
    """The body as text (charset from the header, else UTF-8, never failing)."""
    m = re.search(r"charset=([\w.-]+)", content_type or "", re.IGNORECASE)
    try:
        return body.decode(m[1] if m else "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


@dataclass
class Links:
    """What one list page points to: project pages, and further list pages."""

    projects: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)


def read_links(site: Site, page_url: str, html: str) -> Links:
    """Project-page links and list pagination on a list or search page (site-internal only)."""
    parser = _Hrefs()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001, S110 - HTMLParser is lenient; whatever it still raises,
        pass  # the regex below reads the same page
    base = urljoin(page_url, parser.base) if parser.base else page_url
    candidates = [urljoin(base, href.strip()) for href in parser.hrefs]
    candidates += [urljoin(base, m[0].replace("&amp;", "&")) for m in _DNR_IN_TEXT.finditer(html)]
    out, seen = Links(), set()
    for url in candidates:
        url = url.split("#", 1)[0]
        if not site.within(url):
            continue
        url = site.canonical(url)
        if url in seen:
            continue
        seen.add(url)
        if site.is_project_page(url):
            out.projects.append(url)
        elif site.is_bank_page(url) and (is_pagination(page_url, url) or site.is_region_list(url)):
            out.lists.append(url)
    return out


def is_pagination(page_url: str, url: str) -> bool:
    """True if `url` is `page_url` with only a page-number parameter changed."""
    a, b = urlsplit(page_url), urlsplit(url)
    if a.path.rstrip("/").lower() != b.path.rstrip("/").lower():
        return False
    qa, qb = dict(parse_qsl(a.query)), dict(parse_qsl(b.query))
    changed = {k for k in qa.keys() | qb.keys() if qa.get(k) != qb.get(k)}
    return bool(changed) and all(_PAGE_PARAM.match(k) and (qb.get(k) or "0").isdigit()
                                 for k in changed)


# -- case-number series ----------------------------------------------------------------------
class Series:
    """Case numbers tried one after another until a run of misses says the series has ended.

    `next()` gives the next case number (None when done); `record(hit)` tells how it went.
    """

    name: str
    tried: int = 0
    hits: int = 0

    def next(self) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def record(self, hit: bool) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class YearSeries(Series):
    """`YYYY/NNNNN`, 00001 upwards, ended by `miss_run` misses in a row."""

    def __init__(self, year: int, miss_run: int) -> None:
        self.name = f"{year}/NNNNN"
        self.year, self.miss_run = year, miss_run
        self.number, self.misses, self.tried, self.hits = 0, 0, 0, 0

    def next(self) -> str | None:
        if self.misses >= self.miss_run or self.number >= 99999:
            return None
        self.number += 1
        return f"{self.year}/{self.number:05d}"

    def record(self, hit: bool) -> None:
        self.tried += 1
        self.hits += hit
        self.misses = 0 if hit else self.misses + 1


class CallSeries(Series):
    """`YY-CCC-SNN` of one year: calls 001 upwards, projects S01 upwards within each call.

    One knob, `miss_run`, scales both stop rules so that about `miss_run` fruitless requests end
    a year: a call ends after max(3, miss_run // 10) misses in a row, the year after
    max(2, miss_run // 20) calls in a row without a project.
    """

    def __init__(self, yy: int, miss_run: int) -> None:
        self.name = f"{yy:02d}-CCC-SNN"
        self.yy = yy
        self.call_misses = max(3, miss_run // 10)
        self.empty_calls = max(2, miss_run // 20)
        self.call, self.project = 1, 0
        self.misses_in_call, self.hits_in_call, self.empty_in_row = 0, 0, 0
        self.tried, self.hits = 0, 0

    def next(self) -> str | None:
        if self.misses_in_call >= self.call_misses or self.project >= 99:
            self.empty_in_row = 0 if self.hits_in_call else self.empty_in_row + 1
            self.call += 1
            self.project, self.misses_in_call, self.hits_in_call = 0, 0, 0
        if self.empty_in_row >= self.empty_calls or self.call > 999:
            return None
        self.project += 1
        return f"{self.yy:02d}-{self.call:03d}-S{self.project:02d}"

    def record(self, hit: bool) -> None:
        self.tried += 1
        self.hits += hit
        self.hits_in_call += hit
        self.misses_in_call = 0 if hit else self.misses_in_call + 1


def default_series(this_year: int, miss_run: int, only: list[str] | None = None) -> list[Series]:
    """Every series to enumerate: `YYYY/NNNNN` for 2014 up to this year (ESF+ pages use it
    too) and `YY-CCC-SNN` for 21 up to this year's YY; `only` keeps the years named in it."""
    out: list[Series] = []
    for year in range(2014, this_year + 1):
        if not only or str(year) in only:
            out.append(YearSeries(year, miss_run))
    for yy in range(21, min(this_year, 2029) % 100 + 1):
        if not only or f"{yy:02d}" in only or str(2000 + yy) in only:
            out.append(CallSeries(yy, miss_run))
    return out
