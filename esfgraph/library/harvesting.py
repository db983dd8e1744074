"""`esfgraph.harvest`: the public door to the harvester (esfgraph.sources.harvest).

A thin wrapper so that `import esfgraph` does not load the HTTP client: the harvester is the
only part of esfgraph that opens network connections, and only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from esfgraph.sources.harvest import HarvestReport


def harvest(what: Iterable[str] = (), *, out: str | Path = "pages", base: str | None = None,
            rate: float = 1.0, max_pages: int | None = None, contact: str | None = None,
            refresh: bool = False, discover: bool = False, miss_run: int = 100,
            series: Sequence[str] | None = None, timeout: float = 30.0,
            progress: Callable[[int, int, str], None] | None = None) -> HarvestReport:
    """Fetch Projektbanken pages of esf.se (or `base`) into a harvest folder, politely.

    The work of `esfgraph harvest`; `esfgraph.build([out])` reads the folder. robots.txt is
    obeyed, at most `rate` requests a second go out on one connection, a second harvest into
    the same folder sends conditional requests, and a killed harvest continues where it
    stopped.

    Args:
        what: case numbers (`2018/00460`, `22-025-S02`), page URLs or paths on the site. With
            none and no `discover`, the pages already in the folder are checked again.
        out: the harvest folder (created when missing).
        base: the site (default: the folder's, else https://www.esf.se).
        rate: at most this many requests a second.
        max_pages: stop after this many page requests; the next run continues.
        contact: an e-mail or URL for the User-Agent, so the site can reach you.
        refresh: fetch every page again, without conditional requests.
        discover: find pages through sitemaps, list pages and case-number enumeration.
        miss_run: about this many fruitless requests end an enumerated series.
        series: enumerate only these years (`2018`, `22`); default every year.
        timeout: seconds to wait for a page.
        progress: called as progress(settled, known, url) after every URL.

    Returns:
        A `HarvestReport`: fetched, unchanged (304), gone, refused by robots.txt and failed
        pages with reasons; `exit_code` as the command's.

    Raises:
        HarvestError: before any request, for a bad WHAT, an off-site URL or a foreign folder.
    """
    from esfgraph.sources.harvest import harvest as run

    return run(what, base=base, out=out, rate=rate, max_pages=max_pages, contact=contact,
               refresh=refresh, discover=discover, miss_run=miss_run, series=series,
               timeout=timeout, progress=progress)


__all__ = ["harvest"]
