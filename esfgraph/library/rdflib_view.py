"""A read-only rdflib `Dataset` backed by the store itself (no copy into memory).

Built on oxrdflib's `OxigraphStore` (rdflib's store plugin over pyoxigraph) opened on the
store version's database with ``pyoxigraph.Store.read_only``: triple patterns are answered
by the database, and SPARQL given to ``dataset.query()`` as text runs in pyoxigraph, so
existing rdflib code works on a store of any size. Every write raises `ReadOnlyError`:
the store changes only through `esfgraph.build` (which keeps the change log and the search
index in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from esfgraph.errors import ReadOnlyError

_WHY = ("the rdflib view of an esfgraph store is read-only; change the store with "
        "esfgraph.build() (or copy what you need into an rdflib Graph: g = Graph(); g += ...)")


def _store_class() -> type:
    from oxrdflib import OxigraphStore

    class ReadOnlyOxigraphStore(OxigraphStore):  # type: ignore[misc]
        """oxrdflib's store on a read-only pyoxigraph database; writes raise."""

        def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
            raise ReadOnlyError(_WHY)

        add = addN = remove = update = remove_graph = destroy = _refuse

        def add_graph(self, graph: Any) -> None:
            """rdflib "adds" a graph just to name it (Dataset.graphs() does so for the
            default graph): a no-op for the default graph or one that exists, else refused."""
            import pyoxigraph as ox
            from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

            name = getattr(graph, "identifier", graph)
            if name == DATASET_DEFAULT_GRAPH_ID:
                return
            if isinstance(name, str) and self._inner.contains_named_graph(
                    ox.NamedNode(str(name))):
                return
            self._refuse()

        def open(self, configuration: str, create: bool = False) -> NoReturn:
            raise ReadOnlyError(_WHY)

    return ReadOnlyOxigraphStore


def read_only_dataset(db_path: Path, prefixes: dict[str, str]) -> Any:
    """An rdflib `Dataset` over the pyoxigraph database at `db_path` (default graph = union)."""
    import pyoxigraph as ox
    from rdflib import Dataset, URIRef

    store = _store_class()(store=ox.Store.read_only(str(db_path)))
    dataset = Dataset(store=store, default_union=True)
    for prefix, namespace in prefixes.items():
        store.bind(prefix, URIRef(namespace))
    return dataset


__all__ = ["read_only_dataset"]
