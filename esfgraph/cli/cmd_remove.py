"""`esfgraph remove`: drop records from the store (a thin layer on esfgraph.remove)."""

from __future__ import annotations

import click

from esfgraph import EsfgraphError, remove
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("remove")
@click.argument("sources", nargs=-1, required=True)
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@config_option
def remove_command(sources: tuple[str, ...], store_path: str | None, config: Config) -> None:
    """Remove the records of SOURCES (file path, file name, project slug or IRI) from the store.

    Their record and personal graphs go; shared organisations stay while another record names
    them. Nothing changes when any name is not in the store.

    \b
    Example:
      esfgraph remove seeds/003_58e54e8db85e930c.txt
    """
    try:
        removed = remove(list(sources), store_path, config=config)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    for entry in removed:
        click.echo(f"removed {entry.name} ({entry.slug})", err=True)
