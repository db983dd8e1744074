"""`esfgraph validate`: check RDF files or the store against the SHACL shapes."""

from __future__ import annotations

import sys

import click

import esfgraph
from esfgraph import EsfgraphError, validate_files
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Validate a store directory (default when no FILE is given: the configured store).")
@click.option("--shapes", "shapes_dir", type=click.Path(exists=True), default=None,
              help="Directory (or file) of SHACL shapes in Turtle (default: the shapes shipped with esfgraph).")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="text for people; turtle or json (JSON-LD) for the standard sh:ValidationReport.")
@click.option("--allow-warnings", is_flag=True,
              help="Conform (exit 0) when the only problems are warnings.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes to use (default: all cores).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of stdout.")
@config_option
def validate_command(files: tuple[str, ...], store_path: str | None, shapes_dir: str | None, fmt: str,
                     allow_warnings: bool, jobs: int | None, output: str | None, config: Config) -> None:
    """Check the graph against the SHACL shapes and report problems in plain words.

    Exit status: 0 conforms, 1 does not conform, 2 error. FILES are RDF files
    (.ttl, .trig, .nq, .nt, .jsonld; format from the extension); they are validated
    as one graph, so include the reference data (places, concepts) they link to.

    \b
    Examples:
      esfgraph validate                          # the store in esfgraph.yaml
      esfgraph validate --store .esfgraph/store --format turtle
      esfgraph validate export.trig --allow-warnings
    """
    if files and store_path:
        fail("give either FILE... or --store, not both")
    try:
        if files:
            _, report = validate_files(files, shapes=shapes_dir, jobs=jobs,
                                       allow_warnings=allow_warnings)
        else:
            _, report = esfgraph.open(store_path, config=config).validate(
                shapes=shapes_dir, jobs=jobs, allow_warnings=allow_warnings)
    except EsfgraphError as exc:
        fail(str(exc))
        return
    text = {"text": report.to_text, "turtle": report.to_turtle, "json": report.to_json}[fmt]()
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    if fmt != "text" or output:
        counts = report.counts()
        summary = ", ".join(f"{n} {w}(s)" for w, n in sorted(counts.items())) or "no problems"
        click.echo(f"{'Conforms' if report.conforms else 'Does not conform'}: {summary}.", err=True)
    sys.exit(0 if report.conforms else 1)
