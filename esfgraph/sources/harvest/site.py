"""The site being harvested: what a case number, a path or a URL means on it, and what is ours.

Every WHAT resolves against the base URL, so a mirror or a local test server stands in for
esf.se. Project pages are recognised by their URL alone (the two schemes in the formats note):
`/resultat/projektbanken/projekt/?dnr=<case>` and the 2007–2013 container paths
`/Resultat/Projektbanken/Behallare-for-projekt/<Region>/<Slug>/`, with or without `/sv/` and in
any letter case. A URL's folder key is derived from it here, and only here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit, urlunsplit

from esfgraph.errors import HarvestError

#: 2014–2020 and some ESF+ case numbers: year / five digits (`2018/00460`).
OLD_CASE = re.compile(r"(20\d\d)/(\d{5})")
#: ESF+ case numbers: two-digit year, call, `S` and project (`22-025-S02`).
NEW_CASE = re.compile(r"(\d\d)-(\d{3})-([Ss])(\d{2})")
PROJECT_PATH = "resultat/projektbanken/projekt/"
_PROJECT_RE = re.compile(r"^/(?:sv/)?resultat/projektbanken/projekt/?$", re.IGNORECASE)
_CONTAINER_RE = re.compile(r"^/(?:sv/)?resultat/projektbanken/behallare-for-projekt/[^/]+/[^/]+/?$",
                           re.IGNORECASE)
_REGION_RE = re.compile(r"^/(?:sv/)?resultat/projektbanken/behallare-for-projekt(?:/[^/]+)?/?$", re.IGNORECASE)
_BANK_RE = re.compile(r"^/(?:sv/)?resultat/projektbanken(?:/|$)", re.IGNORECASE)
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def normalise_case(text: str) -> str | None:
    """Return the case number in canonical form (`22-025-S02`), or None if `text` is none."""
    text = text.strip()
    if OLD_CASE.fullmatch(text):
        return text
    m = NEW_CASE.fullmatch(text)
    if m:
        return f"{m[1]}-{m[2]}-S{m[4]}"
    return None


def case_key(case: str) -> str:
    """The folder key of a case-number page: `dnr-2018-00460`, `dnr-22-025-S02`."""
    return "dnr-" + case.replace("/", "-")


@dataclass(frozen=True)
class Site:
    """One site (scheme, host, port and path prefix) that a harvest may talk to."""

    base: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HarvestError(f"--base {self.base!r}: give an http(s) URL such as "
                               "https://www.esf.se")
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        object.__setattr__(self, "base", urlunsplit((parts.scheme, parts.netloc, path, "", "")))

    # -- what belongs to the site ---------------------------------------------------------------
    @property
    def _parts(self):  # type: ignore[no-untyped-def]
        return urlsplit(self.base)

    def _hosts(self) -> set[str]:
        host = (self._parts.hostname or "").lower()
        bare = host.removeprefix("www.")
        return {bare, "www." + bare} if "." in bare and not bare.replace(".", "").isdigit() else {host}

    def within(self, url: str) -> bool:
        """True if `url` is on this site: same host (with or without www), port and path prefix."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        base = self._parts
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in self._hosts():
            return False
        default = {"http": 80, "https": 443}
        if parts.scheme == base.scheme:
            if (port or default[parts.scheme]) != (base.port or default[base.scheme]):
                return False
        elif not (base.scheme == "http" and parts.scheme == "https" and port in (None, 443)):
            return False  # an upgrade to https on its usual port is the same site; else not
        return (parts.path or "/").startswith(base.path)

    def robots_url(self) -> str:
        """`/robots.txt` at the root of the host (robots rules are per host, not per path)."""
        base = self._parts
        return urlunsplit((base.scheme, base.netloc, "/robots.txt", "", ""))

    def sitemap_url(self) -> str:
        """The conventional sitemap location under the base."""
        return urljoin(self.base, "sitemap.xml")

    # -- turning WHAT into URLs -----------------------------------------------------------------
    def case_url(self, case: str) -> str:
        """The page URL of a case number (`/` kept readable in the query, as esf.se prints it)."""
        return urljoin(self.base, PROJECT_PATH) + "?dnr=" + quote(case, safe="/-")

    def resolve(self, what: str) -> str:
        """Turn a case number, a path or a URL on the site into a canonical page URL.

        Raises:
            HarvestError: `what` is none of those, or an absolute URL on another host.
        """
        text = what.strip()
        case = normalise_case(text)
        if case:
            return self.case_url(case)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
            if not self.within(text):
                raise HarvestError(f"{what!r} is not on the site {self.base} (only pages of the "
                                   "site are harvested; use --base to harvest another site)")
            return self.canonical(text)
        if text.startswith("/"):
            return self.canonical(urljoin(self.base, text.lstrip("/")))
        raise HarvestError(f"{what!r} is not a case number (2018/00460, 22-025-S02), a page URL "
                           "or a path starting with /")

    def canonical(self, url: str) -> str:
        """One spelling per page: base scheme and host, no fragment, case-number query normalised."""
        parts = urlsplit(url)
        base = self._parts
        case = self.case_of(url)
        if case:
            return self.case_url(case)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

    # -- what a URL is --------------------------------------------------------------------------
    @staticmethod
    def case_of(url: str) -> str | None:
        """The case number of a `?dnr=` project page URL, else None."""
        parts = urlsplit(url)
        if not _PROJECT_RE.match(_local_path(parts.path)):
            return None
        for name, value in parse_qsl(parts.query):
            if name.lower() == "dnr":
                return normalise_case(unquote(value))
        return None

    def is_project_page(self, url: str) -> bool:
        """True for a `?dnr=` page or a 2007–2013 container page of the site."""
        if not self.within(url):
            return False
        return bool(self.case_of(url)) or bool(_CONTAINER_RE.match(_local_path(urlsplit(url).path)))

    def is_bank_page(self, url: str) -> bool:
        """True for any Projektbanken page of the site (lists, regions, search, projects)."""
        return self.within(url) and bool(_BANK_RE.match(_local_path(urlsplit(url).path)))

    @staticmethod
    def is_region_list(url: str) -> bool:
        """True for the 2007–2013 container index or a region's list of projects."""
        return bool(_REGION_RE.match(_local_path(urlsplit(url).path)))

    @staticmethod
    def key(url: str) -> str:
        """The folder key of a page URL (see the folder contract in folder.py)."""
        case = Site.case_of(url)
        if case:
            return case_key(case)
        path = unicodedata.normalize("NFKD", unquote(urlsplit(url).path)).encode("ascii", "ignore")
        slug = _SLUG_RE.sub("-", path.decode("ascii").lower()).strip("-")[:80].strip("-") or "page"
        return f"{slug}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}"


def _local_path(path: str) -> str:
    """The path with a mirror's prefix ignored for classification (`/mirror/resultat/...`)."""
    m = re.search(r"/(?:sv/)?resultat/projektbanken", path, re.IGNORECASE)
    return path[m.start():] if m else path
