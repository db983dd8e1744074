"""A store for the explorer tests: the seeds plus the hand-written pages in tests/explore_pages/.

The pages are realistic project pages (2014–2020 and 2021–2027 layouts) on topics the seeds
lack, written for the relevance test: each has words whose inflected and compound forms a
Swedish search must find.
"""

from __future__ import annotations

from pathlib import Path

from esfgraph.config import Config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PAGES = ROOT / "tests" / "explore_pages"


def build_explore_store(store: Path, *sources: Path) -> Path:
    """Build a store (explorer index included) from `sources` (default: seeds + pages)."""
    from esfgraph.pipeline import build

    build([str(s) for s in (sources or (SEEDS, PAGES))], Config(), store_path=store,
          validate=False, jobs=1)
    return store


def version_of(store: Path) -> Path:
    """The current version directory of a store."""
    from esfgraph.store import current_version

    version = current_version(store)
    assert version is not None
    return version


def project(slug: str) -> str:
    """The IRI of a project."""
    return f"https://w3id.org/esfgraph/id/project/{slug}"
