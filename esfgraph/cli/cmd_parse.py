"""`esfgraph parse`: print the typed records of saved pages as JSON (a thin layer on esfgraph.read_each)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from esfgraph import ParseResult, read_each
from esfgraph.cli._group import main


def _dump(results_json: list[dict], fmt: str, single: bool, out: IO[str]) -> None:
    """Write records: json (one object for one file, else a list) or jsonl (one a line)."""
    if fmt == "jsonl":
        for obj in results_json:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    if single:
        if results_json:
            out.write(json.dumps(results_json[0], ensure_ascii=False, indent=2) + "\n")
        return
    out.write(json.dumps(results_json, ensure_ascii=False, indent=2) + "\n")


@main.command("parse")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json",
              show_default=True, help="json: one object for one file, else a list; "
                                      "jsonl: one object a line.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the records here instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings (errors still shown).")
def parse_command(paths: tuple[str, ...], fmt: str, output: IO[str], quiet: bool) -> None:
    """Parse Projektbanken pages (files or folders) into records printed as JSON.

    A page may be saved text, HTML (as fetched, or saved from a browser as "HTML only"), or
    gzip of either; a harvest folder's pages are read with their metadata (`*.meta.json`).

    A list file (CSV/XLSX of the ESF Council's project list or Kohesio's list of
    operations) gives one record per row, each with its `provenance` (file and row).

    Warnings and rejected files are reported on stderr, each line naming the file. Only
    regular files are read (FIFOs, sockets and devices are rejected unopened); a folder that
    cannot be listed is reported as rejected. Exit code 0 when every file was parsed, 1 when
    any file was rejected (the others are still printed).

    \b
    Examples:
      esfgraph parse seeds/003_58e54e8db85e930c.txt
      esfgraph parse seeds/ --format jsonl > records.jsonl
      esfgraph parse pages/pages/2018-00460.html.gz
      esfgraph parse lista.xlsx --format jsonl
    """
    # one page prints one object; a list file prints a list (one record per row)
    single = len(paths) == 1 and Path(paths[0]).is_file()
    records: list[dict] = []
    rejected = 0
    total = 0
    result: ParseResult
    for result in read_each(paths):
        total += 1
        for issue in result.issues:
            if issue.severity == "error" or not quiet:
                click.echo(str(issue), err=True)
        if result.record is None:
            rejected += 1
            continue
        if result.record.provenance.get("row"):
            single = False  # a row of a list file
        records.append(result.record.to_json())
        if fmt == "jsonl":  # stream: a million pages need not sit in memory
            _dump(records, fmt, single, output)
            records.clear()
    if fmt == "json":
        _dump(records, fmt, single, output)
    output.flush()
    if total == 0:
        click.echo("Error: no files found under the given paths", err=True)
        sys.exit(2)
    if rejected:
        click.echo(f"{rejected} of {total} file(s) rejected", err=True)
        sys.exit(1)
