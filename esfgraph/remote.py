"""A small client for SPARQL 1.1 Protocol and Graph Store Protocol servers (Oxigraph, Virtuoso, ...).

Uses only the standard library (`urllib`), so talking to a remote server adds no dependency.
Two ways to write a graph are supported: the Graph Store Protocol (`PUT ?graph=<iri>`, one request
per graph, preferred) and, when the server has no Graph Store URL, SPARQL Update
(`DROP SILENT GRAPH` then `INSERT DATA` in chunks).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Iterable

from esfgraph.errors import EsfGraphError, QueryError

#: Short format names → the media type asked for in `Accept`.
FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}

#: Media types a server may use for a graph result; asked for when a CONSTRUCT/DESCRIBE gets "json".
_GRAPH_FORMS = re.compile(r"\b(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)

#: Largest SPARQL Update body sent in one request by the update fallback (bytes of N-Triples).
DEFAULT_UPDATE_CHUNK = 512 * 1024


class RemoteError(EsfGraphError):
    """A remote SPARQL or Graph Store server refused a request or could not be reached."""

    def __init__(self, url: str, message: str, status: int | None = None, body: str = "") -> None:
        self.url = url
        self.status = status
        self.body = body
        where = f"{url}: HTTP {status}" if status is not None else url
        excerpt = f" — server said: {body}" if body else ""
        super().__init__(f"{where}: {message}{excerpt}")


@dataclass
class SelectResult:
    """The rows of a SELECT: variable names and, per row, a dict of SPARQL-JSON terms."""

    variables: list[str]
    rows: list[dict[str, dict[str, str]]] = field(default_factory=list)


def _excerpt(data: bytes, limit: int = 300) -> str:
    """A one-line excerpt of a server's error body, for messages."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", text)  # servers often answer errors in HTML
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_auth(auth: str | tuple[str, str] | None) -> tuple[str, str] | None:
    """Turn `user:pass` (or a pair) into a (user, password) pair; None stays None."""
    if auth is None or isinstance(auth, tuple):
        return auth
    user, sep, password = auth.partition(":")
    if not sep or not user:
        raise RemoteError("(auth)", "credentials must be given as user:password")
    return user, password


class RemoteEndpoint:
    """A SPARQL server reached over HTTP: query, list graphs, and replace whole named graphs.

    Args:
        query_url: the SPARQL query endpoint (e.g. `http://127.0.0.1:7878/query`).
        update_url: the SPARQL Update endpoint, when the server has a separate one
            (Oxigraph: `/update`); Virtuoso accepts updates on its query URL.
        graph_store_url: the Graph Store Protocol endpoint (Oxigraph: `/store`,
            Virtuoso: `/sparql-graph-crud-auth`); preferred for writing graphs.
        auth: `user:password` or a pair, for HTTP Basic or Digest authentication
            (the server's challenge decides which).
        timeout: seconds to wait for each request.
    """

    def __init__(self, query_url: str, *, update_url: str | None = None,
                 graph_store_url: str | None = None,
                 auth: str | tuple[str, str] | None = None, timeout: float = 60) -> None:
        for url in (query_url, update_url, graph_store_url):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise RemoteError(url, "not an http(s) URL; give e.g. http://127.0.0.1:7878/query")
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.auth = parse_auth(auth)
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if self.auth:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (query_url, update_url, graph_store_url):
                if url:
                    manager.add_password(None, url, *self.auth)
            # The server's 401 challenge picks the scheme: Digest (Virtuoso) or Basic.
            handlers += [urllib.request.HTTPDigestAuthHandler(manager),
                         urllib.request.HTTPBasicAuthHandler(manager)]
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return (f"RemoteEndpoint({self.query_url!r}, update_url={self.update_url!r}, "
                f"graph_store_url={self.graph_store_url!r})")

    @property
    def identity(self) -> str:
        """A string naming where graphs are written (for the push state file)."""
        return f"{self.graph_store_url or ''}|{self.update_url or self.query_url}"

    # -- HTTP ------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None, what: str = "request") -> bytes:
        """Send one request; return the body or raise a RemoteError naming URL and status."""
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = _excerpt(exc.read() or b"")
            hint = {401: "authentication failed; check --auth user:password",
                    403: "not allowed; the user needs update rights on this server",
                    404: "no such endpoint; check the URL"}.get(exc.code, f"{what} failed")
            raise RemoteError(url.split("?")[0], hint, exc.code, detail) from None
        except urllib.error.URLError as exc:
            raise RemoteError(url.split("?")[0], f"cannot reach the server ({exc.reason})") from None
        except ValueError as exc:  # urllib: an auth challenge in a scheme it does not speak
            raise RemoteError(url.split("?")[0], f"{what} failed ({exc})") from None
        except (TimeoutError, OSError) as exc:
            raise RemoteError(url.split("?")[0], f"{what} failed ({exc})") from None

    # -- queries ---------------------------------------------------------------------------------

    def query(self, sparql: str, accept: str = FORMATS["json"]) -> bytes:
        """Run a SPARQL query (POST application/sparql-query) and return the raw response body."""
        return self._request("POST", self.query_url, sparql.encode("utf-8"),
                             {"Content-Type": "application/sparql-query; charset=utf-8",
                              "Accept": accept}, what="query")

    def select(self, sparql: str) -> SelectResult:
        """Run a SELECT and return its rows parsed from SPARQL 1.1 Query Results JSON."""
        data = self.query(sparql, FORMATS["json"])
        try:
            doc = json.loads(data)
            return SelectResult(list(doc["head"].get("vars", [])),
                                list(doc["results"]["bindings"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise RemoteError(self.query_url, f"the answer is not SPARQL results JSON ({exc})",
                              body=_excerpt(data)) from None

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (POST application/sparql-update) on the update URL."""
        url = self.update_url or self.query_url
        self._request("POST", url, sparql.encode("utf-8"),
                      {"Content-Type": "application/sparql-update; charset=utf-8"}, what="update")

    def list_graphs(self) -> list[str]:
        """IRIs of the non-empty named graphs on the server, sorted."""
        result = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"]["value"] for row in result.rows if "g" in row)

    def graph_counts(self, graphs: Iterable[str] | None = None) -> dict[str, int]:
        """Number of triples per named graph on the server (only `graphs` when given)."""
        if graphs is None:
            sparql = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        else:
            values = " ".join(f"<{g}>" for g in graphs)
            sparql = ("SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { " + values
                      + " } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {}
        for row in self.select(sparql).rows:
            counts[row["g"]["value"]] = int(row["n"]["value"])
        return counts

    # -- writing graphs --------------------------------------------------------------------------

    def put_graph(self, graph_iri: str, ntriples: bytes, *,
                  chunk_bytes: int = DEFAULT_UPDATE_CHUNK) -> None:
        """Replace the named graph `graph_iri` with the given N-Triples.

        Uses the Graph Store Protocol when a graph store URL is set, else SPARQL Update.
        """
        _check_iri(graph_iri)
        if self.graph_store_url:
            url = _with_query(self.graph_store_url, {"graph": graph_iri})
            self._request("PUT", url, ntriples,
                          {"Content-Type": "application/n-triples; charset=utf-8"},
                          what=f"PUT of graph <{graph_iri}>")
            return
        for sparql in update_requests(graph_iri, ntriples, chunk_bytes=chunk_bytes):
            self.update(sparql)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph from the server (no error when it is not there)."""
        _check_iri(graph_iri)
        if self.graph_store_url:
            url = _with_query(self.graph_store_url, {"graph": graph_iri})
            try:
                self._request("DELETE", url, what=f"DELETE of graph <{graph_iri}>")
            except RemoteError as exc:
                if exc.status != 404:
                    raise
            return
        self.update(f"DROP SILENT GRAPH <{graph_iri}>")


def _with_query(url: str, params: dict[str, str]) -> str:
    """Append query parameters to a URL that may already have some."""
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _check_iri(iri: str) -> None:
    """Refuse a graph IRI that would break out of `<...>` in SPARQL."""
    if not iri or _BAD_IRI_CHARS.search(iri):
        raise RemoteError("(graph)", f"not a valid graph IRI: {iri!r}")


def update_requests(graph_iri: str, ntriples: bytes, *,
                    chunk_bytes: int = DEFAULT_UPDATE_CHUNK) -> list[str]:
    """SPARQL Update requests that replace one graph: DROP, then INSERT DATA in chunks.

    Every triple with a blank node goes into the first INSERT so that a blank node is not
    split across requests (each request would mint a different node for the same label).
    """
    lines = [line for line in ntriples.decode("utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    with_bnodes = [line for line in lines if "_:" in line and _has_bnode(line)]
    plain = [line for line in lines if not ("_:" in line and _has_bnode(line))]
    chunks: list[list[str]] = [with_bnodes] if with_bnodes else []
    current: list[str] = []
    size = 0
    for line in plain:
        if current and size + len(line) > chunk_bytes:
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append(current)
    requests = []
    for i, chunk in enumerate(chunks):
        body = "\n".join(chunk)
        insert = f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}"
        requests.append(f"DROP SILENT GRAPH <{graph_iri}> ;\n{insert}" if i == 0 else insert)
    if not requests:
        requests.append(f"DROP SILENT GRAPH <{graph_iri}>")
    return requests


_TOKEN = re.compile(r'<[^>\s]*>|"(?:[^"\\]|\\.)*"|(_:\S+)')


def _has_bnode(line: str) -> bool:
    """Whether an N-Triples line has a blank node term (not `_:` inside an IRI or literal)."""
    return any(m.group(1) for m in _TOKEN.finditer(line))


# -- queries for the CLI ------------------------------------------------------------------------

def accept_for(fmt: str, sparql: str) -> str:
    """The Accept header for an output format name (or a media type given as is)."""
    if "/" in fmt:
        return fmt
    key = fmt.lower()
    if key not in FORMATS:
        raise QueryError(f"unknown output format {fmt!r}; use one of {', '.join(sorted(FORMATS))}")
    if key == "json" and _GRAPH_FORMS.search(_strip_comments(sparql)):
        return FORMATS["jsonld"]
    if key == "xml" and _GRAPH_FORMS.search(_strip_comments(sparql)):
        return FORMATS["rdfxml"]
    return FORMATS[key]


def _strip_comments(sparql: str) -> str:
    """The query text without `#` comment lines (a header may mention CONSTRUCT)."""
    return "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))


_SPARQL_TOKEN = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*)'
    r'|(?P<var>[?$][A-Za-z_0-9\u00b7-\uffff]+)')


def bind_variables(sparql: str, bindings: dict[str, str]) -> str:
    """Replace each `?name` / `$name` with a SPARQL term (e.g. `"2012-06-30"^^xsd:date`).

    Strings, IRIs and comments are left alone. This is how a ready-made query's parameters
    are bound on a remote server, which has no `substitutions=` like pyoxigraph.
    """
    if not bindings:
        return sparql

    def replace(match: re.Match[str]) -> str:
        var = match.group("var")
        if var and var[1:] in bindings:
            return bindings[var[1:]]
        return match.group(0)

    return _SPARQL_TOKEN.sub(replace, sparql)


def run_remote_query(endpoint: RemoteEndpoint | str, sparql: str, fmt: str = "json", *,
                     bindings: dict[str, str] | None = None) -> bytes:
    """Run a query on a remote server and return the answer in `fmt` (for `query`/`serve`).

    Args:
        endpoint: a RemoteEndpoint, or the query URL of one.
        sparql: the query text.
        fmt: json, xml, csv, tsv (SELECT/ASK) or turtle, nt, jsonld, rdfxml (CONSTRUCT),
            or a media type.
        bindings: variable name → SPARQL term text, for a ready-made query's parameters.

    Raises:
        RemoteError: the server refused the query (400 with its message) or is unreachable.
        QueryError: the format name is unknown.
    """
    if isinstance(endpoint, str):
        endpoint = RemoteEndpoint(endpoint)
    sparql = bind_variables(sparql, bindings or {})
    return endpoint.query(sparql, accept_for(fmt, sparql))


__all__ = [
    "DEFAULT_UPDATE_CHUNK", "FORMATS", "RemoteEndpoint", "RemoteError", "SelectResult",
    "accept_for", "bind_variables", "parse_auth", "run_remote_query", "update_requests",
]
