"""`esfgraph.open` → `KnowledgeGraph`: one object for everything done with a built store.

A `KnowledgeGraph` is a local store directory (as written by `esfgraph build`) or a remote
SPARQL endpoint (as filled by `esfgraph push`). Every method is the Python side of a CLI
command and calls the same code: queries go through the same guard (size and nesting
limits, SERVICE refused unless allowed) and, on a local store, run in a forked child
without network; a remote endpoint waits at most `timeout` seconds per request.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from esfgraph.config import Config
from esfgraph.errors import (
    ConfigError,
    NotAvailableError,
    QueryError,
    SearchError,
    StoreError,
)
from esfgraph.library.building import ConfigLike, resolve_config
from esfgraph.library.changesets import Changes, History, is_on_disk
from esfgraph.library.results import QueryResult

if TYPE_CHECKING:
    from esfgraph.push import PushReport
    from esfgraph.queries import NamedQuery
    from esfgraph.query import ServiceNotAllowedError
    from esfgraph.store import Store
    from esfgraph.validate.report import ValidationReport

_XSD = "http://www.w3.org/2001/XMLSchema#"
_FORMS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}


def questions() -> tuple[NamedQuery, ...]:
    """The ready-made questions (`esfgraph query --list`) as `Question`s, sorted by name.

    Each has ``name``, ``title``, ``description``, ``sparql`` and ``params`` (each with
    ``name``, ``datatype`` and ``default``); run one with `KnowledgeGraph.question`.
    """
    from esfgraph.queries import list_queries

    return list_queries()


def _raw(value: Any) -> str:
    """A Python value as the text `--param NAME=VALUE` would give."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if type(value).__name__ == "URIRef":
        return f"<{value}>"
    return str(value)


def _typed(value: Any) -> Any:
    """A pyoxigraph term for a non-text Python value (None: bind it as text)."""
    import pyoxigraph as ox

    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if type(value).__name__ == "URIRef":
        return ox.NamedNode(str(value))
    if type(value).__name__ == "Literal":  # an rdflib Literal
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "boolean"), (int, "integer"), (Decimal, "decimal"), (float, "double"),
        (dt.datetime, "dateTime"), (dt.date, "date")]
    for kind, name in kinds:
        if isinstance(value, kind):
            return ox.Literal(_raw(value), datatype=ox.NamedNode(_XSD + name))
    return None


def bind(params: Mapping[str, Any], declared: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Bind Python values to query variables, by the rules of `esfgraph query --param`.

    Text is read as on the command line (``<...>`` is an IRI, a declared datatype is
    checked); other values keep their type: int → xsd:integer, Decimal → xsd:decimal,
    float → xsd:double, bool → xsd:boolean, date → xsd:date, datetime → xsd:dateTime,
    an rdflib URIRef or Literal as itself.

    Raises:
        QueryError: a value that does not fit its declared type, or an unknown name.
    """
    from esfgraph.query import bind_params

    bound = bind_params({k: _raw(v) for k, v in params.items()}, declared)
    if not declared:
        for name, value in params.items():
            term = None if isinstance(value, str) else _typed(value)
            if term is not None:
                bound[name] = term
    return bound


class KnowledgeGraph:
    """A built esfgraph store, or a remote SPARQL endpoint holding one; see `esfgraph.open`.

    Attributes:
        path: the store directory (None for a remote endpoint).
        endpoint: the SPARQL query URL (None for a local store).
        config: the settings in force (base IRI, personal data, ...).
    """

    def __init__(self, path: Path | None, endpoint: str | None, config: Config, *,
                 auth: str | None = None, timeout: float = 60.0) -> None:
        self.path = path
        self.endpoint = endpoint
        self.config = config
        self._auth = auth
        self._timeout = timeout
        self._store: Store | None = None

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.endpoint or self.path}>"

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the open database (also done when the object is garbage collected)."""
        self._store = None

    # -- internals ---------------------------------------------------------------------------

    def _local(self, what: str) -> Path:
        if self.path is None:
            raise NotAvailableError(
                f"{what} needs a local store, and this graph is the remote endpoint "
                f"{self.endpoint}; open the store directory with esfgraph.open(PATH) instead "
                "(or use query/ask/construct/describe/question, which work remotely)")
        return self.path

    @property
    def _opened(self) -> Store:
        """The open local store: the current version (a new build is picked up); internal."""
        if self._store is None or self._store.is_stale():
            from esfgraph.store import Store

            self._store = Store(self._local("the store object"))
        return self._store

    def _runner(self, sparql: str, bound: dict[str, Any], allow_service: bool,
                cache: bool) -> Callable[[str | None, bool], tuple[bytes, str]]:
        if self.endpoint is not None:
            return self._remote_runner(sparql, bound, allow_service)
        store = self._opened

        def run(fmt: str | None, tty: bool) -> tuple[bytes, str]:
            from esfgraph.query import ServiceNotAllowedError, run_query

            try:
                out = run_query(store, sparql, params=bound, fmt=fmt, tty=tty,
                                allow_service=allow_service, use_cache=cache)
            except ServiceNotAllowedError as exc:
                raise _service_error(exc) from None
            return out.data, out.form

        return run

    def _remote_runner(self, sparql: str, bound: dict[str, Any], allow_service: bool
                       ) -> Callable[[str | None, bool], tuple[bytes, str]]:
        def run(fmt: str | None, tty: bool) -> tuple[bytes, str]:
            from esfgraph.query import ServiceNotAllowedError, check_query
            from esfgraph.remote import RemoteEndpoint, query_form, run_remote_query

            try:
                check_query(sparql, allow_service=allow_service)
            except ServiceNotAllowedError as exc:
                raise _service_error(exc) from None
            remote = RemoteEndpoint(self.endpoint or "", auth=self._auth, timeout=self._timeout)
            data = run_remote_query(remote, sparql, fmt, params=bound, tty=tty)
            return data, _FORMS[query_form(sparql)]

        return run

    # -- SPARQL ------------------------------------------------------------------------------

    def query(self, sparql: str, *, allow_service: bool = False, cache: bool = True,
              **params: Any) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all named graphs.

        The prefixes esf:, schema:, org:, skos:, dcterms:, xsd:, ... are predeclared, as on
        the CLI. Nothing runs until the result is used.

        Args:
            sparql: the query text.
            allow_service: let SERVICE clauses call other endpoints (``--allow-service``).
            cache: answer a repeated query on an unchanged store from the result cache
                (False: ``--no-cache``).
            **params: variables to bind (``--param``), e.g. ``on_date=date(2012, 6, 30)``;
                see `bind` for how values are typed.

        Returns:
            A `QueryResult`: iterate it for dicts, or ``to_pandas()``, ``to_polars()``,
            ``to_csv()``, ``serialize(format)``.

        Raises:
            QuerySyntaxError: the query does not parse (line and column in the message).
            ServiceNotAllowedError: SERVICE without ``allow_service=True``.
            QueryError: over the guard's limits, or the evaluation failed.
            RemoteError: the remote endpoint refused the query or cannot be reached.
        """
        return QueryResult(self._runner(sparql, bind(params), allow_service, cache), sparql)

    def question(self, name: str, *, allow_service: bool = False, cache: bool = True,
                 **params: Any) -> QueryResult:
        """Run a ready-made question by name (`esfgraph query --name NAME`); see `questions()`.

        Example:
            >>> kg.question("money-per-region").to_pandas()

        Raises:
            QueryError: no question of that name (the message lists them), or a parameter
                it does not take or of the wrong type.
        """
        from esfgraph.queries import get_query

        named = get_query(name)
        bound = bind(params, named.params)
        return QueryResult(self._runner(named.sparql, bound, allow_service, cache),
                           named.sparql)

    def ask(self, sparql: str, *, allow_service: bool = False, **params: Any) -> bool:
        """Run an ASK query and return its answer.

        Raises:
            QueryError: the query is not an ASK query (or fails as in `query`).
        """
        result = self.query(sparql, allow_service=allow_service, **params)
        if result.form != "ask":
            raise QueryError("ask() needs an ASK query; use query() for SELECT and "
                             "construct() for CONSTRUCT")
        return bool(result)

    def construct(self, sparql: str, *, allow_service: bool = False, **params: Any) -> Any:
        """Run a CONSTRUCT query and return its triples as an `rdflib.Graph`.

        Raises:
            QueryError: the query is not a CONSTRUCT or DESCRIBE query.
        """
        return self._graph(sparql, "construct", allow_service, params)

    def describe(self, sparql_or_iri: str, **params: Any) -> Any:
        """Run a DESCRIBE query (or describe one IRI) and return an `rdflib.Graph`.

        Example:
            >>> kg.describe("https://w3id.org/esfgraph/id/project/2018-00460")
        """
        text = sparql_or_iri.strip()
        if "://" in text and " " not in text and "{" not in text:
            text = f"DESCRIBE <{text.strip('<>')}>"
        return self._graph(text, "describe", False, params)

    def _graph(self, sparql: str, method: str, allow_service: bool,
               params: Mapping[str, Any]) -> Any:
        import rdflib

        result = self.query(sparql, allow_service=allow_service, **params)
        if result.form != "graph":
            raise QueryError(f"{method}() needs a CONSTRUCT or DESCRIBE query; use query() "
                             "for SELECT and ask() for ASK")
        graph = rdflib.Graph()
        graph.parse(data=result.serialize("nt"), format="nt")
        from esfgraph.namespaces import PREFIXES

        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        return graph

    def rdflib(self) -> Any:
        """A read-only `rdflib.Dataset` over the store, without copying it into memory.

        Its default graph is the union of the named graphs; triple patterns and SPARQL
        given as text are answered by the store's database, so rdflib code runs on a
        store of any size. Writes raise `ReadOnlyError`.

        Raises:
            NotAvailableError: a remote endpoint (use rdflib's SPARQLStore for one).
        """
        from esfgraph.library.rdflib_view import read_only_dataset
        from esfgraph.namespaces import PREFIXES

        self._local("rdflib()")
        return read_only_dataset(self._opened.db_path, PREFIXES)

    # -- explorer data -----------------------------------------------------------------------

    def _index(self) -> Any:
        from esfgraph.explore.index import IndexError_, ensure_index
        from esfgraph.explore.search import open_index

        self._local("search() and map()")
        version = self._opened.version
        index = open_index(version)
        if index is None:
            try:
                ensure_index(version, quiet=True)
            except (IndexError_, OSError) as exc:
                raise StoreError(f"{version}: the search index cannot be built ({exc}); "
                                 "rebuild the store with esfgraph.build()") from exc
            index = open_index(version)
        if index is None:
            raise StoreError(f"{version}: this store has no search index; rebuild it with "
                             "esfgraph.build()")
        return index

    def _search_params(self, q: str, facets: Mapping[str, Any]) -> Any:
        from esfgraph.explore.search import _INT_FIELDS, FACETS, BadSearch, SearchParams

        known = set(FACETS) | set(_INT_FIELDS) | {"sort", "order"}
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for key, value in facets.items():
            if key not in known:
                raise SearchError(f"unknown search parameter {key!r}; known: "
                                  f"{', '.join(sorted(known))}")
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            pairs.extend((key, _raw(v)) for v in values)
        try:
            return SearchParams.from_query(pairs)
        except BadSearch as exc:
            raise SearchError(str(exc)) from None

    def search(self, q: str = "", *, lang: str = "sv", **facets: Any) -> dict[str, Any]:
        """Search the projects: the same answer as the explorer's ``/projects.json``.

        Args:
            q: search words (Swedish stemming, as in the explorer).
            lang: ``"sv"`` or ``"en"`` for the labels.
            **facets: the URL parameters of ``/projects.json``: ``period``, ``region``
                (NUTS code), ``county``, ``municipality`` (SCB code), ``programme_area``,
                ``specific_objective``, ``phase``, ``owner``, ``owner_type``, ``abroad``
                (``True``/``False``), ``start_from``, ``start_to``, ``grant_min``,
                ``grant_max``, ``sort``, ``order``, ``page``, ``per_page``. A list gives
                alternatives (OR); facets combine with AND.

        Returns:
            The ``/projects.json`` object: ``total``, ``items``, ``facets``, ...

        Raises:
            SearchError: an unknown or bad parameter (the message says which).
        """
        import sqlite3

        params = self._search_params(q, facets)
        try:
            return self._index().search(params, lang)
        except sqlite3.Error as exc:
            raise StoreError(f"the search index cannot be read ({exc}); rebuild the "
                             "store") from exc

    def map(self, level: str = "municipality", metric: str = "grant", q: str = "", *,
            lang: str = "sv", **facets: Any) -> dict[str, Any]:
        """Money or projects per place: the same answer as the explorer's ``/map.json``.

        Args:
            level: ``"municipality"``, ``"county"`` or ``"region"``.
            metric: ``"grant"`` (ESF kronor) or ``"projects"`` (a count), as ``/map.json``.
            q, lang, facets: as in `search`.

        Raises:
            SearchError: an unknown level or metric, or a bad search parameter.
        """
        import sqlite3

        from esfgraph.explore.search import BadSearch

        params = self._search_params(q, facets)
        try:
            return self._index().map_aggregate(level, metric, params, lang)
        except BadSearch as exc:
            raise SearchError(str(exc)) from None
        except sqlite3.Error as exc:
            raise StoreError(f"the search index cannot be read ({exc}); rebuild the "
                             "store") from exc

    # -- checks, copies and changes ----------------------------------------------------------

    def validate(self, *, shapes: str | os.PathLike[str] | None = None, jobs: int | None = None,
                 allow_warnings: bool = False) -> tuple[bool, ValidationReport]:
        """Check the store against the SHACL shapes, like `esfgraph validate` (and pySHACL).

        Args:
            shapes: a directory or Turtle file of shapes (default: those shipped).
            jobs: processes to use (default: all cores).
            allow_warnings: conform when the only problems are warnings.

        Returns:
            ``(conforms, report)``; the report has ``results``, ``counts()``, ``to_text()``,
            ``to_turtle()`` and ``to_json()`` (the standard sh:ValidationReport).

        Raises:
            ValidationError: the validation could not run (not: the data does not conform).
        """
        from esfgraph.validate import validate_quads
        from esfgraph.validate.sources import quads_from_store

        quads = quads_from_store(self._local("validate()"))
        report = validate_quads([quads], shapes, jobs=jobs, allow_warnings=allow_warnings)
        return report.conforms, report

    def export(self, format: str, path: str | os.PathLike[str] | IO[bytes] | None = None, *,
               graph: str | None = None, personal_data: bool = True) -> bytes | None:
        """Write the graph in an RDF format, like `esfgraph export`.

        Args:
            format: ``turtle``, ``json-ld``, ``nt`` or ``xml`` (the union of the graphs as
                plain triples), ``nq`` or ``trig`` (named graphs kept).
            path: a file path or a binary stream; None returns the bytes.
            graph: one named graph IRI only.
            personal_data: False leaves out contact persons.

        Raises:
            ExportError: an unknown format, or a graph that is not in the store.
        """
        from esfgraph.export import export

        self._local("export()")
        if path is None:
            buffer = io.BytesIO()
            export(self._opened, format, buffer, graph=graph, personal_data=personal_data)
            return buffer.getvalue()
        export(self._opened, format, path, graph=graph, personal_data=personal_data)
        return None

    def diff(self, other: KnowledgeGraph | str | os.PathLike[str], *,
             personal_data: bool | None = None) -> Changes:
        """What changed from this store to `other` (like `esfgraph diff THIS OTHER`).

        Args:
            other: another `KnowledgeGraph`, a store directory, or a folder (or file) of
                saved pages.
            personal_data: False leaves contact details out of the comparison.

        Returns:
            `Changes`: one item per new, removed or changed project (empty when equal);
            ``render(format)`` gives the CLI's report.
        """
        theirs = other.path if isinstance(other, KnowledgeGraph) else other
        if theirs is None:
            raise NotAvailableError("diff() compares local stores or folders; a remote "
                                    "endpoint cannot be compared")
        return what_changed(self._local("diff()"), theirs, config=self.config,
                            personal_data=personal_data)

    def diff_builds(self, old: str | int, new: str | int, *,
                    personal_data: bool | None = None) -> Changes:
        """What changed between two builds in this store's change log.

        `old` and `new` are build numbers (0 = before the first build) or ISO dates (the
        last build on or before that day), as in `esfgraph diff 0 1`.
        """
        return what_changed(str(old), str(new), store=self._local("diff_builds()"),
                            config=self.config, personal_data=personal_data)

    def history(self, project: str, *, personal_data: bool | None = None) -> History:
        """Every recorded change of one project, oldest first (`esfgraph history`).

        Args:
            project: a project IRI, slug, project number (``2018/00460``) or source file.
            personal_data: False leaves contact-detail changes out.

        Raises:
            StoreError: the project is not in the store.
        """
        from esfgraph.changes.history import project_history

        personal = self.config.personal_data and personal_data is not False
        iri, changes = project_history(self._local("history()"), project,
                                       personal_data=personal)
        return History(iri, changes)

    def push(self, endpoint: str, *, update: str | None = None, graph_store: str | None = None,
             auth: str | None = None, graphs: Sequence[str] | None = None,
             personal_data: bool = True, adopt: bool = False, resume: bool = True,
             timeout: float = 60.0, progress: Callable[[int, int], None] | None = None
             ) -> PushReport:
        """Copy the store onto a SPARQL server, named graph by named graph (`esfgraph push`).

        Args:
            endpoint: the server's SPARQL query URL (``--endpoint``).
            update: its SPARQL Update URL, when not the query URL (``--update``).
            graph_store: its Graph Store Protocol URL (``--graph-store``); preferred.
            auth: ``"user:password"`` for HTTP Basic or Digest auth.
            graphs: push only these named graphs.
            personal_data: False leaves out (and drops remotely) the personal-data graphs.
            adopt: send nothing; record the graphs already on the server with equal counts.
            resume: False sends every graph again (``--no-resume``).
            timeout: seconds to wait for each request.
            progress: called with (done, total) after each graph.

        Returns:
            A `PushReport` (``sent``, ``skipped``, ``dropped``, ``mismatches``, ``ok``,
            ``summary()``).

        Raises:
            RemoteError: the server refused a request or cannot be reached.
        """
        from esfgraph.push import push
        from esfgraph.remote import RemoteEndpoint

        remote = RemoteEndpoint(endpoint, update_url=update, graph_store_url=graph_store,
                                auth=auth, timeout=timeout)
        return push(self._local("push()"), remote, resume=resume,
                    graphs=list(graphs) if graphs else None, progress=progress,
                    personal_data=personal_data, adopt=adopt)

    def serve(self, host: str | None = None, port: int | None = None, *,
              timeout: float | None = None, workers: int | None = None,
              max_rows: int | None = None, cache_mb: int = 64, cache_ttl: float = 60,
              max_expensive_per_client: int = 1, worker_memory_mb: int = 512,
              enable_update: bool = False, update_token: str | None = None,
              allow_unsandboxed_workers: bool = False,
              announce: Callable[[str], None] | None = None) -> None:
        """Serve the graph over HTTP until interrupted (`esfgraph serve`); blocks.

        The SPARQL endpoint at /sparql, the query page, linked-data pages and the explorer.
        Read-only and safe by default: SERVICE and LOAD are refused, every query has a time
        limit and runs in a worker process without network. A remote endpoint is served
        by forwarding every query to it (read-only).

        Args:
            host, port: where to listen (default from the config: 127.0.0.1:8000).
            timeout: seconds a query may run (default 30, from the config).
            workers: query worker processes (default: CPU count, at least 2).
            max_rows: cap on result rows / triples (default 10000).
            cache_mb: memory for cached answers (0 turns the cache off).
            cache_ttl: for a remote endpoint, seconds a cached answer is reused.
            max_expensive_per_client: queries not provably cheap one client may run at once.
            worker_memory_mb: memory each query worker may use (0: no limit).
            enable_update, update_token: accept SPARQL Update with this bearer token.
            allow_unsandboxed_workers: start even where the query workers cannot be cut off
                from the network (no seccomp): the operator accepts the risk.
            announce: called with each start-up message (default: printed on stderr).

        Raises:
            StoreError: the store cannot be opened; ConfigError: bad update settings, or no
                network isolation for the workers without `allow_unsandboxed_workers`.
        """
        from esfgraph.library.serving import _stderr, serve_graph

        serve_graph(self, host, port, timeout=timeout, workers=workers, max_rows=max_rows,
                    cache_mb=cache_mb, cache_ttl=cache_ttl,
                    max_expensive_per_client=max_expensive_per_client,
                    worker_memory_mb=worker_memory_mb, enable_update=enable_update,
                    update_token=update_token,
                    allow_unsandboxed_workers=allow_unsandboxed_workers,
                    announce=announce or _stderr)


def _service_error(exc: ServiceNotAllowedError) -> ServiceNotAllowedError:
    """The guard's message, with the Python spelling of the fix."""
    from esfgraph.query import ServiceNotAllowedError

    return ServiceNotAllowedError(str(exc).replace(
        "add --allow-service", "pass allow_service=True (on the CLI: --allow-service)"))


def open(store: str | os.PathLike[str] | None = None, *,
         endpoint: str | None = None, config: ConfigLike = None, auth: str | None = None,
         timeout: float = 60.0) -> KnowledgeGraph:
    """Open a built store, or a remote SPARQL endpoint, as a `KnowledgeGraph`.

    Args:
        store: a store directory (as written by `esfgraph.build`), or the ``http(s)://``
            query URL of a SPARQL endpoint (e.g. after `esfgraph push`); None opens the
            configured store (``.esfgraph/store`` by default).
        endpoint: the query URL of a SPARQL endpoint, said explicitly (``--endpoint``);
            give either `store` or `endpoint`.
        config: a `Config`, a YAML file path, or None for ./esfgraph.yaml when present.
        auth: ``"user:password"`` for a remote endpoint (HTTP Basic or Digest).
        timeout: seconds to wait for a remote endpoint per request.

    Raises:
        StoreError: there is no store at the path.
        RemoteError: an endpoint URL that is not http(s), or credentials not user:password.
        ConfigError: the config file is bad.

    Example:
        >>> kg = esfgraph.open(".esfgraph/store")
        >>> kg.question("money-per-region").to_pandas()
    """
    cfg = resolve_config(config)
    if endpoint is not None and store is not None:
        raise ConfigError("give either a store path or endpoint=URL, not both")
    target = os.fspath(store) if store is not None else str(cfg.store_path())
    if endpoint is not None or "://" in target:
        from esfgraph.remote import RemoteEndpoint

        url = endpoint if endpoint is not None else target
        RemoteEndpoint(url, auth=auth, timeout=timeout)  # a bad URL or auth fails here
        return KnowledgeGraph(None, url, cfg, auth=auth, timeout=timeout)
    path = Path(target)
    if not path.is_dir():
        raise StoreError(f"{path}: no store here; build one first with `esfgraph build "
                         "SOURCES`")
    return KnowledgeGraph(path, None, cfg)


#: `open` under a name that does not hide the builtin, for use inside the package.
open_graph = open


def what_changed(old: str | os.PathLike[str], new: str | os.PathLike[str], *,
                 store: str | os.PathLike[str] | None = None, config: ConfigLike = None,
                 personal_data: bool | None = None) -> Changes:
    """What changed from OLD to NEW: the work of `esfgraph diff OLD NEW`.

    OLD and NEW are two stores, two folders (or files) of saved pages, or two builds of
    one store named by their number in its change log (0 = before the first) or by ISO
    date (the last build on or before that day; `store` names the store, default the
    configured one).

    Returns:
        `Changes` (empty when equal); ``render(format)`` gives the CLI's report.

    Raises:
        StoreError: an operand that is neither a path, a build number nor a date.
    """
    from esfgraph.changes.diff import diff_builds, diff_paths

    cfg = resolve_config(config)
    personal = cfg.personal_data and personal_data is not False
    heading = f"esfgraph diff {os.fspath(old)} {os.fspath(new)}"
    if is_on_disk(old) or is_on_disk(new):
        changes = diff_paths(os.fspath(old), os.fspath(new), cfg, personal_data=personal)
    else:
        root = os.fspath(store) if store is not None else str(cfg.store_path())
        changes = diff_builds(root, os.fspath(old), os.fspath(new))
        if not personal:
            for c in changes:
                c.removals = [s for s in c.removals if not s[2]]
                c.additions = [s for s in c.additions if not s[2]]
    return Changes(changes, heading=heading, base=cfg.base_iri)


def validate_files(files: Iterable[str | os.PathLike[str]], *,
                   shapes: str | os.PathLike[str] | None = None, jobs: int | None = None,
                   allow_warnings: bool = False) -> tuple[bool, ValidationReport]:
    """Check RDF files against the SHACL shapes (`esfgraph validate FILE...`).

    The files (.ttl, .trig, .nq, .nt, .jsonld; format from the extension) are validated
    as one graph, so include the reference data they link to. Returns ``(conforms,
    report)`` as `KnowledgeGraph.validate` does.

    Raises:
        ValidationError: a file cannot be read, or the validation could not run.
    """
    from esfgraph.validate import validate_quads
    from esfgraph.validate.sources import quads_from_files

    quads = quads_from_files(list(files))
    report = validate_quads([quads], shapes, jobs=jobs, allow_warnings=allow_warnings)
    return report.conforms, report


__all__ = ["KnowledgeGraph", "bind", "open", "open_graph", "questions", "validate_files",
           "what_changed"]
