"""One error base class with small subclasses; messages say what, where and how to fix."""

from __future__ import annotations


class EsfGraphError(Exception):
    """Base class of every error esfgraph reports to a user (no traceback in the CLI)."""


class ParseError(EsfGraphError):
    """A page could not be read or is not a Projektbanken page."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class ConfigError(EsfGraphError):
    """The configuration file is missing a key, has a bad value or cannot be read."""


class StoreError(EsfGraphError):
    """The store cannot be opened, written or swapped."""


class QueryError(EsfGraphError):
    """A SPARQL query is malformed or not allowed; the message cites line and column."""


class ValidationError(EsfGraphError):
    """The SHACL validation could not run (not: the data does not conform)."""


class ExportError(EsfGraphError):
    """An export format or target is not supported."""


class LinkError(EsfGraphError):
    """A reference table is missing or malformed."""


class HarvestError(EsfGraphError):
    """A harvest cannot start: a bad WHAT, an off-site URL, a folder that is not a harvest's."""
