"""The library of ready-made SPARQL queries shipped as `.rq` files in this folder.

Each file starts with comment lines that describe it:

    # title: ESF money and project count per region
    # description: Sums the ESF grant of every project by ESF region.
    # param: on_date xsd:date 2012-06-30   (optional; zero or more)

A parameter is a SPARQL variable (`?on_date`) that the runner binds before execution, so a query
file stays valid SPARQL on its own (unbound, it simply matches everything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from esfgraph.errors import QueryError
from esfgraph.resources import queries_dir

_HEADER = re.compile(r"^#\s*(title(?:@sv)?|description(?:@sv)?|param)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Param:
    """A query parameter: variable name, XSD datatype local name and default lexical value."""

    name: str
    datatype: str
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """One ready-made query: its name (file stem), title, description, parameters and text."""

    name: str
    title: str
    description: str
    sparql: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    #: The Swedish title and description (`# title@sv:` lines), for Swedish pages.
    title_sv: str = ""
    description_sv: str = ""

    def label(self, lang: str = "en") -> tuple[str, str]:
        """(title, description) in `lang` ("sv" or "en"; English where no Swedish is given)."""
        if lang == "sv" and self.title_sv:
            return self.title_sv, self.description_sv or self.description
        return self.title, self.description


def parse_query_file(path: Path) -> NamedQuery:
    """Read one `.rq` file and its header comments."""
    text = path.read_text(encoding="utf-8")
    title, description, params = path.stem, "", []
    title_sv = description_sv = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            title = value
        elif key == "title@sv":
            title_sv = value
        elif key == "description":
            description = f"{description} {value}".strip()
        elif key == "description@sv":
            description_sv = f"{description_sv} {value}".strip()
        else:
            parts = value.split()
            if len(parts) < 2:
                raise QueryError(f"{path}: a param line needs a name and a datatype: {line!r}")
            params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else None))
    return NamedQuery(path.stem, title, description, text, tuple(params), title_sv,
                      description_sv)


@lru_cache(maxsize=1)
def list_queries() -> tuple[NamedQuery, ...]:
    """All ready-made queries, sorted by name."""
    return tuple(parse_query_file(p) for p in sorted(queries_dir().glob("*.rq")))


def get_query(name: str) -> NamedQuery:
    """The ready-made query called `name`.

    Raises:
        QueryError: no such query (the message lists the names there are).
    """
    for query in list_queries():
        if query.name == name:
            return query
    names = ", ".join(q.name for q in list_queries()) or "(none)"
    raise QueryError(f"no ready-made query named {name!r}; known: {names}")
