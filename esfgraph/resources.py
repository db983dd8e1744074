"""Locate files shipped in the package (ontology, shapes, data tables, queries, static assets).

`ontology/` and `shapes/` live at the top of the repository and are symlinked into the package
so they ship in the wheel; `importlib.resources` finds them both in a checkout and installed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def package_path(*parts: str) -> Path:
    """Return the filesystem path of a resource inside the installed `esfgraph` package."""
    root = resources.files("esfgraph")
    return Path(str(root.joinpath(*parts)))


def ontology_dir() -> Path:
    """Directory holding the OWL ontology and SKOS concept schemes (Turtle)."""
    return package_path("ontology")


def shapes_dir() -> Path:
    """Directory holding the SHACL shapes (Turtle)."""
    return package_path("shapes")


def data_path(name: str) -> Path:
    """Path of a reference table in `esfgraph/data/` (municipalities, regions, aliases)."""
    return package_path("data", name)


def queries_dir() -> Path:
    """Directory of the ready-made SPARQL queries (`*.rq`)."""
    return package_path("queries")
