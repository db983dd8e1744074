"""robots.txt, read with Protego (a maintained parser: wildcards, Allow/Disallow precedence,
Crawl-delay and Sitemap lines as search engines read them).

RFC 9309 §2.3.1: a robots.txt that answers 4xx means no rules (everything allowed); one that
cannot be reached (5xx, network error) means everything is disallowed, so the harvest stops
rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protego import Protego

from esfgraph.sources.harvest.fetch import Fetcher

AGENT = "esfgraph"


@dataclass
class Robots:
    """The rules for esfgraph on one host."""

    rules: Protego | None  # None: no robots.txt (4xx), everything allowed
    unreachable: str | None = None  # why robots.txt could not be read: everything disallowed
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str) -> bool:
        """May esfgraph fetch `url`?"""
        if self.unreachable:
            return False
        return self.rules is None or bool(self.rules.can_fetch(url, AGENT))

    def crawl_delay(self) -> float | None:
        """Seconds between requests the site asks for, if it says."""
        if self.rules is None:
            return None
        delay = self.rules.crawl_delay(AGENT)
        return float(delay) if delay else None


def load_robots(fetcher: Fetcher, url: str) -> Robots:
    """Fetch and parse robots.txt at `url` (redirects within the site are followed)."""
    resp = fetcher.get(url)
    if resp.error is None and resp.status == 200:
        text = resp.body.decode("utf-8", errors="replace")
        rules = Protego.parse(text)
        return Robots(rules, sitemaps=list(rules.sitemaps))
    if resp.status is not None and 400 <= resp.status < 500 and resp.status != 429:
        return Robots(None)
    reason = resp.error or f"HTTP {resp.status}"
    return Robots(None, unreachable=f"robots.txt could not be read ({reason})")
