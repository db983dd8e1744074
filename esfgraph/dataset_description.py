"""The DCAT + VoID description of a graph (the `graph/dataset` named graph) and its counts.

Built at the end of every build, and again by an export that leaves graphs out (the personal
data under `--no-personal-data`): every count an export carries describes that export, not the
store it came from (issue 22: an export without personal data claimed the full store's triples
and persons).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING

import pyoxigraph as ox

from esfgraph import __version__

if TYPE_CHECKING:  # a build hands its writer in; this module never opens a store
    from esfgraph.store import StoreWriter

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _int(n: int) -> str:
    return f'"{n}"^^<{_XSD}integer>'


def class_slug(iri: str) -> str:
    """The local name of a class partition: `schema-project` for schema:Project."""
    from esfgraph.namespaces import PREFIXES

    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return re.sub(r"[^a-z0-9]+", "-", f"{prefix}-{iri[len(ns):]}".lower()).strip("-")
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()[:12]


def describe(store: ox.Store, base: str, dataset_graph: str, documents: int, when: dt.datetime,
             personal_prefix: str | None = None) -> tuple[str, int, dict[str, int]]:
    """The description's N-Triples text, the triple count it states and the entities by class.

    Counts cover every graph of `store` but the description itself and, when
    `personal_prefix` is given, the graphs whose IRI starts with it (left out of the export).
    `void:triples` includes the description's own triples, so it equals what is written.
    """
    excluded = f"<{dataset_graph}>"
    skip = f" && !STRSTARTS(STR(?g), {_lit(personal_prefix)})" if personal_prefix else ""
    if personal_prefix is None:
        # len() counts in the store's own code: much faster than COUNT(*) over every quad
        old = sum(1 for _ in store.quads_for_pattern(None, None, None,
                                                     ox.NamedNode(dataset_graph)))
        triples = len(store) - old
    else:
        triples = sum(1 for q in store.quads_for_pattern(None, None, None, None)
                      if not _left_out(q.graph_name, dataset_graph, personal_prefix))
    classes: dict[str, int] = {}
    for row in store.query(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              GRAPH ?g {{ ?s a ?c }} FILTER(?g != {excluded}{skip}) }} GROUP BY ?c"""):
        classes[row["c"].value] = int(row["n"].value)
    entities = int(next(iter(store.query(
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }}
              FILTER(?g != {excluded}{skip}) }}""")))["n"].value)
    ds = f"<{base}dataset>"
    build = f"<{base}dataset/build>"
    software = f"<{base}dataset/software>"
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    scope = ("every triple in the store" if personal_prefix is None
             else "every triple of this export (personal data left out)")
    lines = [
        f"{ds} {_RDF_TYPE} <{_DCAT}Dataset>",
        f"{ds} {_RDF_TYPE} <{_VOID}Dataset>",
        f'{ds} <{_DCT}title> "ESF projects in Sweden (Projektbanken) as linked data"@en',
        f'{ds} <{_DCT}title> "ESF-projekt i Sverige (Projektbanken) som länkade data"@sv',
        f'{ds} <{_DCT}modified> "{stamp}"^^<{_XSD}dateTime>',
        f"{ds} <{_VOID}triples> TRIPLES",
        (f'{ds} <{_DCT}description> "void:triples counts {scope}, this '
         f'description included; void:entities and the class partitions count the typed '
         f'resources of every graph except this description (the vocabulary included)."@en'),
        f"{ds} <{_VOID}entities> {_int(entities)}",
        f"{ds} <{_VOID}classes> {_int(len(classes))}",
        f"{ds} <{_VOID}documents> {_int(documents)}",
        f"{ds} <{_PROV}wasGeneratedBy> {build}",
        f"{build} {_RDF_TYPE} <{_PROV}Activity>",
        f'{build} <{_PROV}endedAtTime> "{stamp}"^^<{_XSD}dateTime>',
        f"{build} <{_PROV}wasAssociatedWith> {software}",
        f"{software} {_RDF_TYPE} <{_PROV}SoftwareAgent>",
        f'{software} <{_RDFS}label> "esfgraph {__version__}"',
        f'{software} <https://schema.org/softwareVersion> "{__version__}"',
    ]
    for cls, n in sorted(classes.items()):
        part = f"<{base}dataset/class/{class_slug(cls)}>"
        lines += [f"{ds} <{_VOID}classPartition> {part}", f"{part} <{_VOID}class> <{cls}>",
                  f"{part} <{_VOID}entities> {_int(n)}"]
    triples += len(lines)  # each line is one distinct triple of the description
    text = "".join(f"{line} .\n" for line in lines).replace(
        f"<{_VOID}triples> TRIPLES", f"<{_VOID}triples> {_int(triples)}", 1)
    return text, triples, classes


def write_dataset_graph(writer: StoreWriter) -> tuple[int, dict[str, int]]:
    """Write the DCAT + VoID description with counts; returns (triples, entities by class).

    Called at the end of a build and of `esfgraph remove`, on the new version before the swap.
    """
    from esfgraph.mapping import build_time

    writer.flush()
    text, triples, classes = describe(writer.ox, writer.names.base, writer.names.dataset,
                                      len(writer.manifest.sources()), build_time())
    writer.replace_graph_text(writer.names.dataset, text)
    return triples, classes


def built_at(store: ox.Store, base: str, dataset_graph: str) -> dt.datetime | None:
    """When the stored description says the build ended (an export keeps that time)."""
    for q in store.quads_for_pattern(ox.NamedNode(f"{base}dataset"),
                                     ox.NamedNode(f"{_DCT}modified"), None,
                                     ox.NamedNode(dataset_graph)):
        try:
            return dt.datetime.strptime(q.object.value, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.timezone.utc)
        except ValueError:
            return None
    return None


def _left_out(graph: object, dataset_graph: str, personal_prefix: str) -> bool:
    if not isinstance(graph, ox.NamedNode):
        return False
    return graph.value == dataset_graph or graph.value.startswith(personal_prefix)


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["built_at", "class_slug", "describe", "write_dataset_graph"]
