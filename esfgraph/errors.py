"""One error base class with small subclasses; messages say what, where and how to fix.

`EsfgraphError` is the documented name (``except esfgraph.EsfgraphError``); `EsfGraphError` is
the older spelling, kept as an alias of the same class so existing code keeps working.
"""

from __future__ import annotations


class EsfgraphError(Exception):
    """Base class of every error esfgraph reports to a user (no traceback in the CLI)."""


#: The older spelling of `EsfgraphError` (the same class), kept for compatibility.
EsfGraphError = EsfgraphError


class ParseError(EsfgraphError):
    """A page could not be read or is not a Projektbanken page."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class ConfigError(EsfgraphError):
    """The configuration file is missing a key, has a bad value or cannot be read."""


class StoreError(EsfgraphError):
    """The store cannot be opened, written or swapped."""


class QueryError(EsfgraphError):
    """A SPARQL query is malformed or not allowed; the message cites line and column."""


class QuerySyntaxError(QueryError):
    """The SPARQL text does not parse; `line` and `column` say where."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        self.line = line
        self.column = column
        super().__init__(message)


class ServiceNotAllowedError(QueryError):
    """The query calls a remote endpoint with SERVICE and that was not allowed."""


class ValidationError(EsfgraphError):
    """The SHACL validation could not run (not: the data does not conform)."""


class ExportError(EsfgraphError):
    """An export format or target is not supported."""


class LinkError(EsfgraphError):
    """A reference table is missing or malformed."""


class ReadOnlyError(StoreError):
    """A write was attempted on a read-only view of the store (rebuild with `esfgraph.build`)."""


class MissingExtraError(EsfgraphError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class NotAvailableError(EsfgraphError):
    """The operation needs a local store but the graph is a remote SPARQL endpoint."""


class ParseWarning(UserWarning):
    """A page was read but something in it deserves a look (`esfgraph parse` prints these)."""


class RejectedFileWarning(ParseWarning):
    """A file was not read as a page (only with ``read(..., errors="warn")``)."""


class SearchError(EsfgraphError):
    """A search or map parameter is not valid (the message says which and why)."""


class RemoteError(EsfgraphError):
    """A remote SPARQL or Graph Store server refused a request or could not be reached."""

    def __init__(self, url: str, message: str, status: int | None = None, body: str = "") -> None:
        self.url = url
        self.status = status
        self.body = body
        where = f"{url}: HTTP {status}" if status is not None else url
        excerpt = f" — server said: {body}" if body else ""
        super().__init__(f"{where}: {message}{excerpt}")


class HarvestError(EsfgraphError):
    """A harvest cannot start: a bad WHAT, an off-site URL, a folder that is not a harvest's."""
