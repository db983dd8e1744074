"""`esfgraph build`: parse, map and load pages into the store (a thin layer on esfgraph.build)."""

from __future__ import annotations

import sys

import click

from esfgraph import EsfgraphError, build
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("build")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@config_option
@click.option("--no-personal-data", is_flag=True,
              help="Leave contact persons out (no personal graphs are written).")
@click.option("--strict", is_flag=True, help="Keep records with SHACL violations out.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (faster).")
@click.option("--full", is_flag=True,
              help="Rebuild from nothing instead of updating only changed files.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: all cores).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def build_command(sources: tuple[str, ...], store_path: str | None, config: Config,
                  no_personal_data: bool, strict: bool, no_validate: bool, full: bool,
                  jobs: int | None, quiet: bool) -> None:
    """Build the knowledge graph store from project pages and the official project lists.

    SOURCES are files or folders of pages (saved text, HTML, gzip), a harvest folder written
    by `esfgraph harvest`, and the ESF Council's project list or Kohesio's list of operations
    (CSV or XLSX, recognised by their headers; one record per row, records with one case
    number are one project). The store then holds exactly these sources. When a compatible store exists only changed
    files are parsed again and removed files are dropped (use --full to start afresh). The new
    store is swapped in only when the build completes, so an interrupted build leaves the old
    one whole. Only regular files are read: FIFOs, sockets and devices are reported and
    skipped. A file that cannot be read or a folder that cannot be listed keeps the records
    stored for it. Exit code 0, or 1 when files were rejected (not a page; with --strict, SHACL
    violations) or could not be read (the others are still stored). A file left out because
    another holds a more complete copy of the same project is reported (DUPLICATE) and is no
    failure.

    \b
    Examples:
      esfgraph build seeds/
      esfgraph build pages/ lista.xlsx kohesio_SE.csv
      esfgraph build pages/ --store /data/esf-store --no-personal-data --strict
    """
    srcs = list(sources) or list(config.extra.get("sources") or [])
    if not srcs:
        fail("no sources given: name files or folders of saved pages, e.g. `esfgraph build "
             "seeds/` (or set `sources:` in esfgraph.yaml)")
    bar = None

    def progress(p) -> None:  # type: ignore[no-untyped-def]
        nonlocal bar
        if quiet or p.total < 2:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=p.total, unit="rec", file=sys.stderr, dynamic_ncols=True,
                       desc="building")
        bar.update(1)

    try:
        report = build(srcs, store_path, config=config,
                       personal_data=False if no_personal_data else None,
                       validate=False if no_validate else None, strict=strict, full=full,
                       jobs=jobs, progress=progress)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    finally:
        if bar is not None:
            bar.close()
    if not quiet:
        click.echo(report.summary(), err=True)
    sys.exit(1 if report.failed or report.unreadable else 0)
