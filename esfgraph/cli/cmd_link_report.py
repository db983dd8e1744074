"""`esfgraph link-report`: what links and what does not (a thin layer on esfgraph.link_report)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from esfgraph import EsfgraphError, link_report, read_each
from esfgraph.cli._group import fail, main


@main.command("link-report")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def link_report_command(sources: tuple[str, ...], as_json: bool) -> None:
    """Count municipalities, regions, organisations and foreign places that link, and list the rest.

    Parses the pages (default: the `seeds/` folder), resolves every municipality, region,
    owner, partner, co-financier and transnational contact, and prints linked/unresolved
    counts followed by every unresolved name, so the alias tables in esfgraph/data/ can be
    extended. Rejected files are reported on stderr. With the official lists among the
    sources (CSV/XLSX of the ESF Council's list or Kohesio's), it also lists where the
    sources of one project disagree, rows without a case number that may be a known project
    (never merged), and rows left out because a list repeats a case number.

    \b
    Examples:
      esfgraph link-report
      esfgraph link-report pages/ --json > link-report.json
      esfgraph link-report pages/ lista.xlsx kohesio_SE.csv
    """
    paths = list(sources)
    if not paths:
        if not Path("seeds").is_dir():
            fail("no sources given and no seeds/ folder here: name files or folders of saved "
                 "pages, e.g. `esfgraph link-report pages/`")
        paths = ["seeds"]
    records = []
    left_out: list[str] = []
    try:
        for result in read_each(paths):
            if result.record is None:
                reasons = "; ".join(i.message for i in result.issues if i.severity == "error")
                if "repeated in this list" in reasons:
                    left_out.append(reasons)
                else:
                    click.echo(f"skipped {result.source}: {reasons or 'rejected'}", err=True)
            else:
                records.append(result.record)
        report = link_report(records, left_out=left_out)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.text(), nl=False)
