"""`esfgraph diff`: what changed between two stores, folders or builds (esfgraph.changes)."""

from __future__ import annotations

import sys

import click

from esfgraph import CHANGE_FORMATS, EsfgraphError, what_changed
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store whose change log holds the builds OLD and NEW name (default: "
                   "`store` in esfgraph.yaml, .esfgraph/store).")
@click.option("-f", "--format", "fmt", type=click.Choice(CHANGE_FORMATS), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the report to a file instead of stdout.")
@click.option("--no-personal-data", is_flag=True,
              help="Leave contact details out of the comparison.")
@config_option
def diff_command(old: str, new: str, store_path: str | None, fmt: str, output: click.File,
                 no_personal_data: bool, config: Config) -> None:
    """Show what changed from OLD to NEW; exit 0 when equal, 1 when different (like diff).

    OLD and NEW are two stores, two folders (or files) of saved pages, or two builds of one
    store named by their number in its change log (0 = before the first) or by ISO date (the
    last build on or before that day). The report
    lists new projects, removed projects, then field changes grouped as money, dates and
    phase, organisations, places and text; amounts show old, new and the difference in kronor
    and per cent.

    \b
    Examples:
      esfgraph diff old-store/ .esfgraph/store
      esfgraph diff pages-october/ pages-november/ --format csv -o changes.csv
      esfgraph diff 2026-10-01 2026-11-28 --format json
      esfgraph diff 0 1 --format csv
    """
    try:
        changes = what_changed(old, new, store=store_path, config=config,
                               personal_data=not no_personal_data)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    output.write(changes.render(fmt))
    sys.exit(1 if changes else 0)
