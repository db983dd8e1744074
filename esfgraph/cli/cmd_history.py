"""`esfgraph history`: every recorded change of one project (esfgraph.changes.history)."""

from __future__ import annotations

import click

from esfgraph.changes.report import FORMATS
from esfgraph.cli._group import Config, config_option, fail, main
from esfgraph.errors import EsfGraphError


@main.command("history")
@click.argument("project")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS[:3]), default="text",
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
    from esfgraph.changes.history import project_history
    from esfgraph.changes.report import field_line, render

    root = store_path or str(config.store_path())
    try:
        iri, changes = project_history(root, project,
                                       personal_data=config.personal_data
                                       and not no_personal_data)
    except EsfGraphError as exc:
        fail(str(exc))
        return
    if fmt != "text":
        click.echo(render(changes, fmt), nl=False)
        return
    click.echo(f"History of {iri}: {len(changes)} recorded change(s)")
    for c in changes:
        click.echo(f"\n{c.when}  build {c.build_id}  {c.status}  {c.title}")
        for f in c.fields:
            click.echo(f"    {f.kind:<13} {field_line(f)}")
