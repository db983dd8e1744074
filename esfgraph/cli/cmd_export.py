"""`esfgraph export`: write the graph in an RDF format (a thin layer on KnowledgeGraph.export)."""

from __future__ import annotations

import sys

import click

import esfgraph
from esfgraph import EsfgraphError
from esfgraph.cli._group import Config, config_option, fail, main


@main.command("export")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["turtle", "json-ld", "nt", "nq", "trig", "xml"]),
              help="turtle, json-ld, nt (N-Triples), nq (N-Quads), trig or xml (RDF/XML). "
                   "turtle, json-ld, nt and xml write the union of the graphs as plain triples "
                   "(JSON-LD in its default graph, so any JSON-LD reader loads it all); nq and "
                   "trig keep the named graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
@click.option("--graph", "graph", default=None, metavar="IRI",
              help="Export one named graph only.")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: `store` in esfgraph.yaml, .esfgraph/store).")
@click.option("--no-personal-data", is_flag=True, help="Leave out contact persons.")
@config_option
def export_command(fmt: str, output: str | None, graph: str | None, store_path: str | None,
                   no_personal_data: bool, config: Config) -> None:
    """Export the whole knowledge graph, or one named graph, in an RDF format.

    \b
    Examples:
      esfgraph export --format turtle -o esf.ttl
      esfgraph export --format nq --no-personal-data > esf.nq
      esfgraph export --format turtle --graph https://w3id.org/esfgraph/graph/reference
    """
    try:
        esfgraph.open(store_path, config=config).export(
            fmt, output if output else sys.stdout.buffer, graph=graph,
            personal_data=not no_personal_data)
    except EsfgraphError as exc:
        fail(str(exc))


