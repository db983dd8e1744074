"""`esfgraph link-report`: what links and what does not (a thin layer on esfgraph.link.report)."""

from __future__ import annotations

from pathlib import Path

import click

from esfgraph.cli._group import fail, main
from esfgraph.errors import EsfGraphError


@main.command("link-report")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def link_report_command(sources: tuple[str, ...], as_json: bool) -> None:
    """Count municipalities, regions, organisations and foreign places that link, and list the rest.

    Parses the pages (default: the `seeds/` folder), resolves every municipality, region,
    owner, partner, co-financier and transnational contact, and prints linked/unresolved
    counts followed by every unresolved name, so the alias tables in esfgraph/data/ can be
    extended. Rejected files are reported on stderr.

    \b
    Examples:
      esfgraph link-report
      esfgraph link-report pages/ --json > link-report.json
    """
    from esfgraph.link import default_gazetteer
    from esfgraph.link.report import link_report
    from esfgraph.sources.pages import read_paths

    paths = list(sources)
    if not paths:
        if not Path("seeds").is_dir():
            fail("no sources given and no seeds/ folder here: name files or folders of saved "
                 "pages, e.g. `esfgraph link-report pages/`")
        paths = ["seeds"]
    records = []
    try:
        for result in read_paths(paths):
            if result.record is None:
                reasons = "; ".join(i.message for i in result.issues if i.severity == "error")
                click.echo(f"skipped {result.source}: {reasons or 'rejected'}", err=True)
            else:
                records.append(result.record)
        report = link_report(records, default_gazetteer())
    except EsfGraphError as exc:
        fail(str(exc))
        return
    click.echo(report.dumps() if as_json else report.to_text(), nl=False)
