"""A local web server that plays esf.se's Projektbanken, for tests that fetch pages.

Real HTTP on 127.0.0.1, port 0, in a thread. It serves both URL schemes (`?dnr=` case-number
pages and 2007–2013 `Behallare-for-projekt/<Region>/<Slug>/` pages) with bodies that wrap the
texts of `seeds/` and `tests/cases/` in simple HTML, robots.txt with a disallowed path, a
sitemap index, a list page with pagination, and the awkward answers a harvester must survive:
404 for unknown case numbers, a 200 "not found" page, 429 and 503 with Retry-After (seconds,
HTTP-date), a 503 that never ends, redirects within and off the site, a slow page, an
oversized page, ETag/Last-Modified with 304. Every request is logged (time, path, headers) so a
test can check what the client did. Other tests may import it:

    with EsfSite() as site:
        site.base  # http://127.0.0.1:PORT
        site.texts  # path -> the saved text its HTML wraps
        site.requests()  # the log
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BANK = "/resultat/projektbanken/"
PROJECT = "/resultat/projektbanken/projekt/"
OLD = "/Resultat/Projektbanken/Behallare-for-projekt/"
LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"


def seed_text(name: str) -> str:
    """The text of a seed page (`000`…`004`) or a test case (`esfplus-vagen-in`)."""
    if name[:3].isdigit():
        return next((REPO / "seeds").glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    return (REPO / "tests" / "cases" / name / "record.txt").read_text(encoding="utf-8")


def wrap(text: str, title: str = "Projektbanken") -> bytes:
    """Simple HTML around a saved text: the first real line as <h1>, every other as <p>."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    return (f"<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(title)}</title></head><body><main>\n{body}</main></body></html>\n"
            ).encode()


def case_path(case: str) -> str:
    """The path and query of a case-number page, as the server keys it."""
    return f"{PROJECT}?dnr={case}"


@dataclass
class Logged:
    """One request as the server saw it."""

    start: float
    end: float
    path: str
    headers: dict[str, str]
    port: int


@dataclass
class Page:
    """A page body with its validators."""

    body: bytes
    etag: str = ""
    last_modified: str = LAST_MODIFIED

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class EsfSite:
    """The fake site; `start()` / `stop()` or use it as a context manager."""

    other: str = "http://127.0.0.1:9"  # an off-site base (tests pass a second server's)
    retry_after: int = 1
    robots_status: int = 200
    markup_changed: bool = False  # sitemap, list pages and URLs of a redesigned site
    down: bool = False  # every page answers 503 (robots.txt still answers)
    slow_seconds: float = 1.5
    pages: dict[str, Page] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.base = ""
        seeds = {
            case_path("2018/00460"): seed_text("003"),
            case_path("2022/00877"): seed_text("esfplus-vagen-in"),
            case_path("22-031-S07"): seed_text("esfplus-kalmar-shuffled"),
            case_path("2019/00311"): seed_text("esf2014-orgs-zero-cost"),
            case_path("2016/00123"): seed_text("esf2014-shuffled-empty"),
            OLD + "Vastsverige/Ung-och-aktiv/": seed_text("000"),
            OLD + "Vastsverige/Mojligheter-del-2/": seed_text("001"),
            OLD + "Ostra-Mellansverige/Visioncenter/": seed_text("002"),
            "/sv/resultat/projektbanken/behallare-for-projekt/ostra-mellansverige/vaga-valja-vag/":
                seed_text("004"),
            OLD + "Stockholm/Hemligt/": "Hemligt\nRobots.txt says no.",
        }
        # numbers for enumeration: 2018/00001, 00002, 00004; 22-001-S01, S02; 22-002-S01
        template = seed_text("003")
        for case in ("2018/00001", "2018/00002", "2018/00004"):
            seeds[case_path(case)] = template.replace("2018/00460", case)
        for case in ("22-001-S01", "22-001-S02", "22-002-S01"):
            seeds[case_path(case)] = f"{case} - Projekt {case}\n\nDiarienummer:\n{case}\n"
        # a 200 page for an unknown number: the site's own "not found" page
        seeds[case_path("2018/00005")] = "Projektet hittades inte\nSök igen."
        #: the saved text each page wraps (path and query -> text), for tests that compare a
        #: harvested page's record with the record of its text
        self.texts = dict(seeds)
        self.pages = {path: Page(wrap(text)) for path, text in seeds.items()}

    # -- control -------------------------------------------------------------------------------
    def set_text(self, path: str, text: str) -> None:
        """Change a page (a new body, a new ETag, a later Last-Modified)."""
        with self._lock:
            self.texts[path] = text
            self.pages[path] = Page(wrap(text), last_modified="Tue, 01 Dec 2026 10:00:00 GMT")

    def remove(self, path: str) -> None:
        """Take a page off the site (404 from now on)."""
        with self._lock:
            self.pages.pop(path, None)
            self.texts.pop(path, None)

    def requests(self, since: int = 0) -> list[Logged]:
        """The log from index `since` on."""
        with self._lock:
            return list(self.log[since:])

    def start(self) -> EsfSite:
        """Serve on 127.0.0.1, port 0, in a daemon thread."""
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> EsfSite:  # noqa: PYI034 - Python 3.10 has no typing.Self
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- content -------------------------------------------------------------------------------
    def robots(self) -> bytes:
        return (f"User-agent: *\nDisallow: {OLD}Stockholm/Hemligt/\nDisallow: /admin/\n\n"
                f"Sitemap: {self.base}/sitemap.xml\n").encode()

    def sitemap_index(self) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{self.base}'
                f'/sitemap-projekt.xml</loc></sitemap></sitemapindex>\n').encode()

    def sitemap(self) -> bytes:
        locs = [case_path("2018/00460"), case_path("2022/00877"), case_path("2019/00311"),
                OLD + "Stockholm/Hemligt/", "/om-oss/", case_path("2017/09999"),
                ("/sv/resultat/projektbanken/behallare-for-projekt/ostra-mellansverige/"
                 "vaga-valja-vag/")]  # where an old path of the list page redirects to
        items = "".join(f"<url><loc>{self.base}{html.escape(p)}</loc></url>" for p in locs)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>\n').encode()

    def list_page(self, page: int) -> bytes:
        links = {
            1: [OLD + "Vastsverige/Ung-och-aktiv/", OLD + "Vastsverige/Mojligheter-del-2/",
                OLD + "Stockholm/Hemligt/", "/om-oss/kontakt/", f"{self.other}/elsewhere/",
                OLD + "Ostra-Mellansverige/Vaga-Valja-Vag/", OLD + "Stockholm/Flyttat/",
                BANK + "?page=2"],
            2: [OLD + "Ostra-Mellansverige/Visioncenter/", OLD + "Stockholm/Trasig/",
                OLD + "Stockholm/Langsam/", OLD + "Stockholm/Jattestor/",
                BANK + "?page=1", BANK + "?page=2&sort=title"],
        }[page]
        anchors = "".join(f'<li><a href="{html.escape(u)}">{html.escape(u)}</a></li>'
                          for u in links)
        # one project linked only from a script, as a site might render its search results
        script = ('<script>var next = "/resultat/projektbanken/projekt/?dnr=2016/00123";'
                  "</script>") if page == 2 else ""
        return (f"<html><body><h1>Projektbanken</h1><ul>{anchors}</ul>{script}</body></html>"
                ).encode()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client hanging up is no error


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: EsfSite
    _end: float = 0.0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        start = self._end = time.monotonic()
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with self.site._lock:
                self.site.log.append(Logged(start, max(self._end, start), self.path,
                                            {k.lower(): v for k, v in self.headers.items()},
                                            self.client_address[1]))

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._end = time.monotonic()  # taken before the log lock: the client may go on now

    def _route(self) -> None:
        site = self.site
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query))
        key = path + (f"?dnr={query['dnr']}" if "dnr" in query else "")
        with site._lock:
            site.hits[key] = site.hits.get(key, 0) + 1
            nth = site.hits[key]
            page = site.pages.get(key)
        if path == "/robots.txt":
            return self._send(site.robots_status, site.robots(), ctype="text/plain")
        if site.down and path != "/robots.txt":
            return self._send(503, b"down for maintenance")
        if site.markup_changed and path in ("/sitemap.xml", BANK):
            return self._send(200, b"<html><body><div class='cards' data-src='api'>Ny "
                                   b"webbplats</div></body></html>")
        if site.markup_changed and "dnr" in query:
            return self._send(404, b"<html><body>Sidan finns inte</body></html>")
        if path == "/sitemap.xml":
            return self._send(200, site.sitemap_index(), ctype="application/xml")
        if path == "/sitemap-projekt.xml":
            return self._send(200, site.sitemap(), ctype="application/xml")
        if path == BANK and "dnr" not in query:
            n = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
            return self._send(200, site.list_page(min(max(n, 1), 2)))
        if key == case_path("2019/00311") and nth == 1:
            return self._send(429, b"slow down", {"Retry-After": str(site.retry_after)})
        if key == case_path("2016/00123") and nth == 1:
            when = email.utils.formatdate(time.time() + site.retry_after, usegmt=True)
            return self._send(503, b"busy", {"Retry-After": when})
        if key == OLD + "Stockholm/Trasig/":
            return self._send(503, b"down")
        if key == OLD + "Ostra-Mellansverige/Vaga-Valja-Vag/":
            return self._send(301, b"", {"Location": "/sv/resultat/projektbanken/behallare-for-"
                                                     "projekt/ostra-mellansverige/vaga-valja-vag/"})
        if key == OLD + "Stockholm/Flyttat/":
            return self._send(302, b"", {"Location": f"{site.other}/flyttat/"})
        if key == OLD + "Stockholm/Langsam/":
            time.sleep(site.slow_seconds)
            return self._send(200, wrap("Långsam\nKom fram till slut."))
        if key == OLD + "Stockholm/Jattestor/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for _ in range(300):
                self.wfile.write(b"<p>" + b"x" * 1000 + b"</p>\n")
            self._end = time.monotonic()
            return None
        if page is None:
            return self._send(404, b"<html><body>Sidan finns inte</body></html>")
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        validators = {"ETag": page.etag, "Last-Modified": page.last_modified}
        if inm is not None:
            if inm == page.etag:
                return self._send(304, b"", validators)
        elif ims is not None:
            since = email.utils.parsedate_to_datetime(ims)
            if since >= email.utils.parsedate_to_datetime(page.last_modified):
                return self._send(304, b"", validators)
        return self._send(200, page.body, validators)
