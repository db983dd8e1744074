"""esfgraph: turn Swedish ESF Council project pages into a linked-data knowledge graph.

Stages, data flowing one way: parse → map → link → validate → store → serve / export.

The Python API is the handful of names below (``__all__``); their keyword arguments mirror
the command line's options, and the `esfgraph` command is a thin layer over them:

    >>> import esfgraph
    >>> esfgraph.build(["seeds/"], store="esf-store")
    >>> esfgraph.open("esf-store").question("money-per-region").to_pandas()

- `harvest`: esf.se's pages → a harvest folder (`esfgraph harvest`; the only network use).
- `read` / `read_each`: saved pages → `Record`s (`esfgraph parse`).
- `build` / `remove`: pages → the store (`esfgraph build`, `esfgraph remove`).
- `open` → `KnowledgeGraph`: query, ask, construct, describe, question, rdflib, search,
  map, validate, export, diff, history, push (`esfgraph query`, `validate`, `export`, ...).
- `what_changed`, `validate_files`, `questions`, `link_report`: the rest of the CLI's work.
- Errors: every error is an `EsfgraphError`; its message says what is wrong and the fix.

Anything not in ``__all__`` (every submodule) is internal and may change without notice.
"""

from __future__ import annotations

__version__ = "0.1.0"

from esfgraph.config import Config, load_config
from esfgraph.errors import (
    ConfigError,
    EsfGraphError,  # noqa: F401 - the older spelling, kept importable (not documented)
    EsfgraphError,
    ExportError,
    HarvestError,
    LinkError,
    MissingExtraError,
    NotAvailableError,
    ParseError,
    ParseWarning,
    QueryError,
    QuerySyntaxError,
    ReadOnlyError,
    RejectedFileWarning,
    RemoteError,
    SearchError,
    ServiceNotAllowedError,
    StoreError,
    ValidationError,
)
from esfgraph.library.building import build, link_report, remove
from esfgraph.library.changesets import CHANGE_FORMATS, Changes, History
from esfgraph.library.graph import (
    KnowledgeGraph,
    open,
    questions,
    validate_files,
    what_changed,
)
from esfgraph.library.harvesting import harvest
from esfgraph.library.reading import read, read_each
from esfgraph.library.results import QueryResult
from esfgraph.record import RECORD_KEYS, Record

#: Result types returned by the functions above (and the parser's), defined beside the code that fills them and
#: imported on first use, so that `import esfgraph` (and `esfgraph --help`) stays fast.
_LAZY = {"BuildReport": "esfgraph.pipeline", "Progress": "esfgraph.pipeline",
         "PushReport": "esfgraph.push", "ValidationReport": "esfgraph.validate.report",
         "LinkReport": "esfgraph.link.report", "Question": "esfgraph.queries",
         "Issue": "esfgraph.parse.result", "ParseResult": "esfgraph.parse.result",
         "HarvestReport": "esfgraph.sources.harvest"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        value = getattr(module, "NamedQuery" if name == "Question" else name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'esfgraph' has no attribute {name!r}")

__all__ = [
    "CHANGE_FORMATS",
    "RECORD_KEYS",
    "BuildReport",
    "Changes",
    "Config",
    "ConfigError",
    "EsfgraphError",
    "ExportError",
    "HarvestError",
    "HarvestReport",
    "History",
    "Issue",
    "KnowledgeGraph",
    "LinkError",
    "LinkReport",
    "MissingExtraError",
    "NotAvailableError",
    "ParseError",
    "ParseResult",
    "ParseWarning",
    "Progress",
    "PushReport",
    "QueryError",
    "QueryResult",
    "QuerySyntaxError",
    "Question",
    "ReadOnlyError",
    "Record",
    "RejectedFileWarning",
    "RemoteError",
    "SearchError",
    "ServiceNotAllowedError",
    "StoreError",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "build",
    "harvest",
    "link_report",
    "load_config",
    "open",
    "questions",
    "read",
    "read_each",
    "remove",
    "validate_files",
    "what_changed",
]
