"""`esfgraph.build` and `esfgraph.remove`: write the store (the Python side of `esfgraph build`
and `esfgraph remove`), and `esfgraph.link_report`.

The keyword arguments mirror the command-line options (as pySHACL's `validate()` mirrors its
CLI): ``--store`` → ``store=``, ``--no-personal-data`` → ``personal_data=False``,
``--no-validate`` → ``validate=False``, ``--strict``, ``--full``, ``-j`` → ``jobs=``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Union

from esfgraph.config import Config, load_config

if TYPE_CHECKING:
    from esfgraph.link.report import LinkReport
    from esfgraph.pipeline import BuildReport, Progress
    from esfgraph.record import Record
    from esfgraph.store import SourceEntry

#: A config: a `Config`, the path of a YAML file, or None for ./esfgraph.yaml when present.
ConfigLike = Union[Config, str, "os.PathLike[str]", None]


def resolve_config(config: ConfigLike) -> Config:
    """A `Config` from what the caller gave (the same file rule as the CLI's ``--config``).

    Raises:
        ConfigError: the file cannot be read or has a bad value.
    """
    if isinstance(config, Config):
        return config
    return load_config(config)


def build(sources: Sequence[str | os.PathLike[str]], store: str | os.PathLike[str] | None = None,
          *, config: ConfigLike = None, personal_data: bool | None = None,
          validate: bool | None = None, strict: bool = False, full: bool = False,
          jobs: int | None = None, progress: Callable[[Progress], None] | None = None
          ) -> BuildReport:
    """Build (or update) the knowledge graph store from saved pages, like `esfgraph build`.

    The store then holds exactly these sources. When a compatible store exists only changed
    files are parsed again and removed files are dropped (``full=True`` starts afresh). The
    new store is swapped in only when the build completes, so a failed build leaves the old
    one whole. Rejected files do not stop the build: they are listed in the report.

    Args:
        sources: files and folders of saved project pages.
        store: the store directory (default: `store` in the config, ``.esfgraph/store``).
        config: a `Config`, a YAML file path, or None for ./esfgraph.yaml when present.
        personal_data: False leaves contact persons out (``--no-personal-data``); None
            follows the config.
        validate: False skips SHACL validation (``--no-validate``); None follows the config.
        strict: keep records with SHACL violations out (``--strict``).
        full: rebuild from nothing (``--full``).
        jobs: worker processes (``-j``; default all cores, small inputs run in-process).
        progress: called after each file with a `Progress` (``done``, ``total``,
            ``records_per_s``, ``eta_s``).

    Returns:
        A `BuildReport`: ``records``, ``mapped``, ``unchanged``, ``triples``,
        ``entities_by_class``, ``rejected`` and ``unreadable`` as (file, reason) pairs,
        ``warnings``, ``seconds``, ``build_id``, and ``summary()`` (what the CLI prints).

    Raises:
        StoreError: no pages found, or the store cannot be written (the old one is kept).
        ConfigError: the config file is bad.

    Example:
        >>> report = esfgraph.build(["seeds/"], store="/tmp/esf-store", validate=False)
        >>> report.records, report.rejected
        (5, [])
    """
    from esfgraph.pipeline import build as run_build

    cfg = resolve_config(config)
    return run_build(list(sources), cfg, store_path=store, personal_data=personal_data,
                     validate=validate, strict=strict, full=full, jobs=jobs, progress=progress)


def remove(sources: Sequence[str], store: str | os.PathLike[str] | None = None, *,
           config: ConfigLike = None) -> list[SourceEntry]:
    """Remove the records of sources (file path, file name, project slug or IRI) from the store.

    Like `esfgraph remove`: their record and personal graphs go, shared organisations stay
    while another record names them, and nothing changes when any name is not in the store.

    Returns:
        The removed entries (``name``, ``slug``, ``source``, ``graph``).

    Raises:
        StoreError: no store, or a name that is not in it.
    """
    from esfgraph.pipeline import remove_sources

    return remove_sources(list(sources), resolve_config(config), store_path=store)


def link_report(records: Iterable[Record], *, left_out: Iterable[str] = ()) -> LinkReport:
    """Count what links (municipalities, regions, organisations, foreign places) and what not.

    The work of `esfgraph link-report` on records from `read` or `read_each`: ``text()``,
    ``dumps()`` (JSON) and the unresolved names, so the alias tables can be extended. The
    counts are over the pages; when list rows (the ESF Council's list, Kohesio's) are among
    the records, ``sources`` lists where the sources of one project disagree, rows without a
    case number that may be a known project (never merged) and `left_out`, the reasons of rows
    a list repeated (all empty for pages alone).
    """
    from esfgraph.link import default_gazetteer
    from esfgraph.link.report import link_report as run
    from esfgraph.link.sources import sources_report

    records = list(records)
    pages = [r for r in records if not r.provenance.get("row")]
    report = run(pages, default_gazetteer())
    report.sources = sources_report(records, list(left_out))
    return report


__all__ = ["ConfigLike", "build", "link_report", "remove", "resolve_config"]
