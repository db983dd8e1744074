"""`esfgraph link-report`: what links and what does not (a thin layer on esfgraph.link.report)."""

from __future__ import annotations

import json
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
    from esfgraph.link import default_gazetteer
    from esfgraph.link.report import link_report
    from esfgraph.link.sources import sources_report
    from esfgraph.sources.records import read_sources

    paths = list(sources)
    if not paths:
        if not Path("seeds").is_dir():
            fail("no sources given and no seeds/ folder here: name files or folders of saved "
                 "pages, e.g. `esfgraph link-report pages/`")
        paths = ["seeds"]
    records = []
    left_out: list[str] = []
    try:
        for got in read_sources(paths):
            records += got.records
            for reason in got.refused:
                if "repeated in this list" in reason:
                    left_out.append(reason)
                else:
                    click.echo(f"skipped {got.source}: {reason}", err=True)
        pages = [r for r in records if not r.provenance.get("row")]
        report = link_report(pages, default_gazetteer())
        compared = sources_report(records, left_out)
    except EsfGraphError as exc:
        fail(str(exc))
        return
    if as_json:
        data = report.to_json()
        data["sources"] = compared.to_json()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text() + "\n" + compared.to_text(), nl=False)
