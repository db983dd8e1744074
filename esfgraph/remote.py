"""A small client for SPARQL 1.1 Protocol and Graph Store Protocol servers (Oxigraph, Virtuoso, ...).

Uses only the standard library (`urllib`), so talking to a remote server adds no dependency.
Two ways to write a graph are supported: the Graph Store Protocol (`PUT ?graph=<iri>`, one request
per graph, preferred) and, when the server has no Graph Store URL, SPARQL Update
(`DROP SILENT GRAPH` then `INSERT DATA` in chunks).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from esfgraph.errors import QueryError, RemoteError

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

#: Largest SPARQL Update body sent in one request by the update fallback (bytes of N-Triples).
DEFAULT_UPDATE_CHUNK = 512 * 1024


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
        #: The last authentication challenge per server (scheme, parameters), so that later
        #: requests carry credentials up front instead of being refused once each.
        self._challenges: dict[str, tuple[str, dict[str, str]]] = {}
        self._nonce_count = 0
        # `serve --endpoint` sends requests from several threads: the Digest counter (nc)
        # must never repeat for one nonce, so it is taken under a lock
        self._nonce_lock = threading.Lock()
        self._opener = urllib.request.build_opener()

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
        """Send one request; return the body or raise a RemoteError naming URL and status.

        With credentials, a 401 challenge (Basic or Digest) is answered once and remembered,
        so later requests are authenticated up front: a large PUT is then sent only once, and
        is not cut off by a server that refuses it before reading the body (Virtuoso does).
        """
        where = url.split("?")[0]
        try:
            return self._send(method, url, body, headers or {})
        except urllib.error.HTTPError as exc:
            error = exc
            if exc.code == 401 and self.auth and self._remember_challenge(url, exc):
                try:
                    return self._send(method, url, body, headers or {})
                except urllib.error.HTTPError as again:
                    error = again
                except (urllib.error.URLError, OSError) as again:
                    raise RemoteError(where, f"{what} failed ({again})") from None
            detail = _excerpt(error.read() or b"")
            hint = {401: "authentication failed; check --auth user:password",
                    403: "not allowed; the user needs update rights on this server",
                    404: "no such endpoint; check the URL"}.get(error.code, f"{what} failed")
            raise RemoteError(where, hint, error.code, detail) from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if self.auth and body and self._key(url) not in self._challenges and isinstance(
                    reason, (BrokenPipeError, ConnectionResetError)):
                # The server refused the body before it was sent whole (a 401 for want of
                # credentials): fetch its challenge with a request without body, then resend.
                self._prime(url)
                return self._request(method, url, body, headers, what)
            raise RemoteError(where, f"cannot reach the server ({reason})") from None
        except OSError as exc:
            raise RemoteError(where, f"{what} failed ({exc})") from None

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        """One HTTP exchange, with credentials when the server has asked for them before."""
        headers = dict(headers)
        authorization = self._authorization(method, url)
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with self._opener.open(request, timeout=self.timeout) as response:
            return response.read()

    def _prime(self, url: str) -> None:
        """Ask the server for its authentication challenge with a GET without a body."""
        try:
            self._send("GET", url.split("?")[0], None, {})
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                self._remember_challenge(url, exc)
        except (urllib.error.URLError, OSError):
            pass

    @staticmethod
    def _key(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _remember_challenge(self, url: str, error: urllib.error.HTTPError) -> bool:
        """Keep a Basic or Digest challenge from a 401; False when there is none to answer."""
        offered = error.headers.get_all("WWW-Authenticate") or []
        for header in sorted(offered, key=lambda h: not h.lower().startswith("digest")):
            scheme, _, rest = header.partition(" ")
            scheme = scheme.lower()
            if scheme not in ("basic", "digest"):
                continue
            params = urllib.request.parse_keqv_list(
                urllib.request.parse_http_list(rest)) if rest.strip() else {}
            previous = self._challenges.get(self._key(url))
            if previous == (scheme, params) and scheme == "basic":
                return False  # the same challenge again: the credentials are wrong
            if previous and scheme == "digest" and previous[1].get("nonce") == params.get("nonce"):
                return False
            with self._nonce_lock:
                self._challenges[self._key(url)] = (scheme, params)
                self._nonce_count = 0
            return True
        return False

    def _authorization(self, method: str, url: str) -> str | None:
        """The Authorization header for a request, from the remembered challenge."""
        if not self.auth:
            return None
        challenge = self._challenges.get(self._key(url))
        if challenge is None:
            return None
        user, password = self.auth
        scheme, params = challenge
        if scheme == "basic":
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return f"Basic {token}"
        algorithm = params.get("algorithm", "MD5").upper()
        digest = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(algorithm)
        if digest is None:
            raise RemoteError(url.split("?")[0], f"unsupported Digest algorithm {algorithm}")

        def h(text: str) -> str:
            return digest(text.encode("utf-8")).hexdigest()

        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        ha1 = h(f"{user}:{realm}:{password}")
        ha2 = h(f"{method}:{uri}")
        fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"',
                  f"algorithm={algorithm}"]
        qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
        if "auth" in qops:
            with self._nonce_lock:
                self._nonce_count += 1
                nc = f"{self._nonce_count:08x}"
            cnonce = secrets.token_hex(8)
            response = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = h(f"{ha1}:{nonce}:{ha2}")
        fields.append(f'response="{response}"')
        if "opaque" in params:
            fields.append(f'opaque="{params["opaque"]}"')
        return "Digest " + ", ".join(fields)

    # -- queries ---------------------------------------------------------------------------------

    def query(self, sparql: str, accept: str = FORMATS["json"]) -> bytes:
        """Run a SPARQL query (POST, form-encoded) and return the raw response body.

        Form encoding rather than `application/sparql-query`: Virtuoso 7.2 leaves a direct
        POST of the query unanswered until the client times out.
        """
        body = urllib.parse.urlencode({"query": sparql}).encode("ascii")
        return self._request("POST", self.query_url, body,
                             {"Content-Type": "application/x-www-form-urlencoded",
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

    Every triple with a blank node goes into the first request, as an `INSERT {...} WHERE {}`
    template, so that a blank node is not split across requests (each request would mint a
    different node for the same label).
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
        if i == 0 and with_bnodes:
            # A template with blank nodes (Virtuoso refuses them in INSERT DATA); the one
            # empty solution of WHERE {} mints one fresh node per label, as INSERT DATA would.
            insert = f"INSERT {{ GRAPH <{graph_iri}> {{\n{body}\n}} }} WHERE {{}}"
        else:
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

_MASK = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                   r'|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}]*>|#[^\n]*')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)


def _masked(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked out (for keyword searches)."""
    return _MASK.sub(lambda m: " " * len(m.group(0)), sparql)


def query_form(sparql: str) -> str:
    """`select`, `ask`, `construct` or `describe`: the form of a query (by its first keyword)."""
    match = _FORM.search(_masked(sparql))
    if not match:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    return match.group(1).lower()


def with_prefixes(sparql: str, prefixes: dict[str, str]) -> str:
    """Declare the prefixes the query uses but does not declare (a server knows none of ours).

    They go on the first line, so a server's error line numbers are off by one at most.
    """
    masked = _masked(sparql)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(masked)}
    used = [p for p in prefixes if p not in declared and re.search(rf"(?<![\w.-]){re.escape(p)}:", masked)]
    if not used:
        return sparql
    return " ".join(f"PREFIX {p}: <{prefixes[p]}>" for p in used) + "\n" + sparql


def accept_for(fmt: str, form: str) -> str:
    """The Accept header for a graph result (`construct`/`describe`) in format `fmt`."""
    if form in ("construct", "describe"):
        graph_types = {"turtle": FORMATS["turtle"], "nt": FORMATS["nt"],
                       "json-ld": FORMATS["jsonld"], "xml": FORMATS["rdfxml"]}
        if fmt not in graph_types:
            raise QueryError(f"a {form.upper()} result cannot be written as {fmt!r}; "
                             f"use one of {', '.join(graph_types)}")
        return graph_types[fmt]
    return FORMATS["json"]


def run_remote_query(endpoint: RemoteEndpoint | str, sparql: str, fmt: str | None = "json", *,
                     params: Mapping[str, Any] | None = None, tty: bool = False) -> bytes:
    """Run a query on a remote server; the answer comes out as `esfgraph query` writes it locally.

    SELECT and ASK results are fetched as SPARQL JSON and formatted by
    `esfgraph.query.format_result` (so `table`, `csv`, `json`, ... look the same as with the
    embedded store); CONSTRUCT and DESCRIBE results are the server's own serialisation.
    The usual prefixes (esf:, schema:, ...) are declared when the query uses them.

    Args:
        endpoint: a RemoteEndpoint, or the query URL of one.
        sparql: the query text.
        fmt: table, json, csv, tsv, xml (SELECT/ASK); turtle, nt, json-ld, xml
            (CONSTRUCT/DESCRIBE); None picks the local defaults.
        params: variable name → pyoxigraph term (from `esfgraph.query.bind_params`), written
            into the query as a VALUES block the way the local runner does.
        tty: the output goes to a terminal (the default format is then `table`).

    Raises:
        RemoteError: the server refused the query (its message is included) or is unreachable.
        QueryError: the format does not fit the query form.
    """
    import pyoxigraph

    from esfgraph.namespaces import PREFIXES
    from esfgraph.query import format_result, inject_values

    if isinstance(endpoint, str):
        endpoint = RemoteEndpoint(endpoint)
    sparql = with_prefixes(inject_values(sparql, dict(params or {})), PREFIXES)
    form = query_form(sparql)
    if form in ("construct", "describe"):
        return endpoint.query(sparql, accept_for(fmt or "turtle", form))
    data = endpoint.query(sparql, FORMATS["json"])
    try:
        result = pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(endpoint.query_url, f"the answer is not SPARQL results JSON ({exc})",
                          body=_excerpt(data)) from None
    if fmt == "json":
        return data
    return format_result(result, fmt, tty=tty).data


__all__ = [
    "DEFAULT_UPDATE_CHUNK", "FORMATS", "RemoteEndpoint", "RemoteError", "SelectResult",
    "accept_for", "parse_auth", "query_form", "run_remote_query", "update_requests",
    "with_prefixes",
]
