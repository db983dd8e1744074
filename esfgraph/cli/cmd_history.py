"""`esfgraph history`: every recorded change of one project (esfgraph.changes.history)."""

from __future__ import annotations

import click

import esfgraph
from esfgraph import CHANGE_FORMATS, EsfgraphError
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("history")
@click.argument("project")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@click.option("-f", "--format", "fmt", type=click.Choice(CHANGE_FORMATS[:3]), default="text",
              show_default=True, help="Report format.")
@click.option("--no-personal-data", is_flag=True, help="Leave contact-detail changes out.")
@config_option
def history_command(project: str, store_path: str | None, fmt: str, no_personal_data: bool,
                    config: Config) -> None:
    """List every recorded change of PROJECT, oldest first, with its build and time.

    PROJECT is a project IRI, slug, project number (2018/00460) or source file. The log
    starts with the store's first build: changes before it are not known.

    \b
    Examples:
      esfgraph history 2018/00460
      esfgraph history seeds/001_2d5da21fc0f8f90a.txt --format json
    """
    try:
        history = esfgraph.open(store_path, config=config).history(
            project, personal_data=not no_personal_data)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    click.echo(history.render(fmt), nl=False)
