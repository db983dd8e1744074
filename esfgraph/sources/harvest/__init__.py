"""Harvesting esf.se: the only part of esfgraph that opens network connections.

`harvest()` fetches Projektbanken pages into a harvest folder (format in `folder.py`) that
`build` reads. Politeness (robots.txt, rate, one connection, Retry-After, backoff, size cap,
in-site redirects only) is in `fetch.py` and `robots.py`; finding pages in `discover.py`;
resuming in `journal.py`.
"""

from esfgraph.sources.harvest.folder import FORMAT, META_KEYS
from esfgraph.sources.harvest.run import DEFAULT_BASE, HarvestReport, harvest

__all__ = ["DEFAULT_BASE", "FORMAT", "META_KEYS", "HarvestReport", "harvest"]
