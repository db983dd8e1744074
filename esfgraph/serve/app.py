"""The Starlette application: SPARQL 1.1 Protocol, query page, VoID, linked-data pages.

The one composer of the web app: it mounts the protocol (this package), the explorer
(esfgraph.explore) and the change pages (esfgraph.changes.web). Nothing below imports it; what
the parts share lives in esfgraph.web and esfgraph.serve.settings.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator
from urllib.parse import quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from esfgraph import guard
from esfgraph.explore.api import data_routes
from esfgraph.explore.web.routes import entity_html, explorer_routes
from esfgraph.jsonld import load_context
from esfgraph.resources import package_path
from esfgraph.serve import lanes, pages, protocol
from esfgraph.serve.backend import Backend, make_backend
from esfgraph.serve.cache import ResultCache
from esfgraph.serve.compression import Compression
from esfgraph.serve.conditional import HttpCaching, store_version
from esfgraph.serve.graph_store import graph_store_routes
from esfgraph.serve.settings import ServeSettings
from esfgraph.serve.workers import Reply
from esfgraph.web import statements
from esfgraph.web.security import SecurityHeaders

TRUNCATED_HEADER = "X-Esfgraph-Truncated"
#: Where the shipped JSON-LD context is served (entity JSON-LD refers to it by this URL).
CONTEXT_PATH = "/context.jsonld"
CACHE_HEADER = "X-Esfgraph-Cache"


class _LeaderGone(Exception):
    """The request computing a shared answer was cancelled before it had one."""


class _TooLarge(Exception):
    """The request body is over the configured limit."""


class _ClientGone(Exception):
    """The client closed the connection while its query ran (the query was cancelled)."""


async def _until_disconnected(request: Request) -> None:
    """Return when the client closes the connection (the body has been read already)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def _unless_gone(request: Request, work: Any) -> Any:
    """Await `work`, but cancel it as soon as the client disconnects (raises `_ClientGone`).

    Cancelling a worker-pool job kills and replaces its worker, so a query nobody waits for
    stops using a core within a moment instead of running to the time limit.
    """
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        watcher.cancel()
        raise
    if task.done():
        watcher.cancel()
        return task.result()
    task.cancel()
    try:
        await task
    except BaseException:  # noqa: BLE001 - cancelled on purpose; its own error is moot
        pass
    raise _ClientGone


def static_dir() -> str:
    """Directory of the query page's assets (shipped in the package)."""
    return str(package_path("serve", "static"))


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers=headers)


def _not_available(what: str, offered: dict[str, str], *extra: str) -> str:
    """The one 406 message: what cannot be given and every format that can (`format=` values
    take the short names of esfgraph.serve.protocol.FORMAT_PARAM too)."""
    return (f"{what} is not available in the format asked for (Accept header or format=). "
            "Available: " + ", ".join([*extra, *offered]) + ".")


def _reply_response(reply: Reply, max_rows: int, cache: str | None = None) -> Response:
    if reply.status != 200:
        return _text(reply.status, reply.message)
    headers = {"Vary": "Accept"}
    if cache:
        headers[CACHE_HEADER] = cache
    if reply.truncated:
        headers[TRUNCATED_HEADER] = f"results capped at {max_rows} rows"
    return Response(reply.body, status_code=200, media_type=reply.media_type, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes:
    """Read the body, stopping as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query{update_lang} ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML>, <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV>, <http://www.w3.org/ns/formats/Turtle>,
        <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD>,
        <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    dcterms:description "{description}" ;
    sh:declare {declarations} ;
    sd:defaultDataset [ a sd:Dataset ;
        dcterms:description "The default graph is the union of all named graphs (unless the request names a dataset with default-graph-uri / named-graph-uri or the query with FROM / FROM NAMED)." ;
        sd:defaultGraph [ a sd:Graph ] ;
        void:sparqlEndpoint <{endpoint}> ;
        dcterms:source <{dataset}> ] .
"""


def service_turtle(settings: ServeSettings, endpoint: str, updates: bool) -> str:
    """The SPARQL service description: only what this server really does, with its limits.

    The predeclared prefixes are listed with SHACL's `sh:declare` (the usual way to publish
    prefixes of an endpoint); SERVICE and LOAD are refused, so no federated-query feature.
    """
    from esfgraph.namespaces import PREFIXES

    description = (
        "esfgraph SPARQL endpoint. "
        + ("Read-write: SPARQL Update needs the update token. " if updates else "Read-only. ")
        + "SERVICE and LOAD are refused. The prefixes listed with sh:declare are predeclared "
        "(a query's own PREFIX wins). Relative IRIs resolve against this endpoint's URL. "
        f"Limits: a query stops after {settings.timeout:g} s (503); answers are capped at "
        f"{settings.max_rows} rows or triples (header {TRUNCATED_HEADER}); requests up to "
        f"{settings.max_request_bytes} bytes (413 beyond). Read-only SPARQL 1.1 Graph Store "
        "Protocol at /rdf-graph-store.")
    declarations = ",\n        ".join(
        f'[ sh:prefix "{name}" ; sh:namespace "{ns}"^^xsd:anyURI ]'
        for name, ns in sorted(PREFIXES.items()))
    return SERVICE_DESCRIPTION.format(
        endpoint=endpoint, dataset=f"{settings.base_iri}dataset", description=description,
        declarations=declarations, update_lang=", sd:SPARQL11Update" if updates else "")


VOID_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
CONSTRUCT {
  ?s ?p ?o .
  {{ds}} a void:Dataset, dcat:Dataset ; void:sparqlEndpoint {{endpoint}} ; void:uriSpace ?space ;
      void:rootResource {{ds}} .
} WHERE {
  { GRAPH {{dsgraph}} { ?s ?p ?o } } UNION { BIND(STR({{base}}) AS ?space) }
}"""


def _serialize_graph(turtle: str, media_type: str) -> bytes:
    """Re-serialize a small Turtle document in another RDF format (main process, tiny input)."""
    labels: dict[str, ox.BlankNode] = {}

    def stable(term: Any) -> Any:
        # the parser names blank nodes at random; numbered in order of appearance, the same
        # description is the same bytes every time (its ETag is a strong one)
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term.value, ox.BlankNode(f"b{len(labels)}"))
        return term

    triples = [ox.Triple(stable(t.subject), t.predicate, stable(t.object))
               for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/rdf+xml": ox.RdfFormat.RDF_XML}[media_type]
    return ox.serialize(triples, format=fmt) or b""


def create_app(settings: ServeSettings, backend: Backend | None = None) -> Starlette:
    """Build the ASGI app; the backend (worker pool or remote) starts and stops with its lifespan.

    Raises:
        RemoteError: `settings.endpoint` or `settings.auth` is malformed.
    """
    engine = backend if backend is not None else make_backend(settings)
    cache = ResultCache(settings.cache_bytes)
    # identical queries already running (same store version, text, dataset and format): a
    # burst of the same ready-made query costs one evaluation, the others wait for its answer
    inflight: dict[bytes, asyncio.Future[Reply]] = {}
    base = settings.base_iri
    # (marker, time) of the last change made through this server. With updates allowed, the
    # data may have changed in place before this process started: ETags do not outlive it.
    generation: list[Any] = [f"start-{time.time_ns()}" if settings.enable_update else "", 0.0]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await engine.start()
        app.state.backend = engine
        try:
            yield
        finally:
            await engine.close()

    def graph_type_for(request: Request, default: str = "text/turtle") -> str | None:
        """The RDF format to answer with; None (a 406) when `format=` or Accept names none."""
        fmt = request.query_params.get("format")
        if fmt:  # an explicit choice: a format this resource cannot give is an error
            return protocol.format_choice(fmt)[1]
        ranges = protocol.parse_accept(request.headers.get("accept"))
        if all(r.specificity == 0 for r in ranges):
            return default
        return protocol.negotiate(ranges, protocol.GRAPH_TYPES, protocol.GRAPH_ALIASES)

    async def sparql(request: Request) -> Response:
        try:
            req = await _protocol_request(request)
        except _TooLarge:
            return _text(413, f"The request is larger than {settings.max_request_bytes} bytes.")
        except ClientDisconnect:
            return _text(400, "The client went away.")
        except protocol.ProtocolError as exc:
            return _text(exc.status, str(exc))
        if isinstance(req, Response):
            return req
        if req.update is not None:
            if request.method != "POST":  # SPARQL 1.1 Protocol 2.2: a link must never write
                return _text(400, "SPARQL Update must be sent with POST (update=… as a form "
                                  "or an application/sparql-update body), never with GET.")
            return await run_update(request, req)
        if req.query is None:
            return service_description(request)
        if not req.query.strip():
            return _text(400, "The `query` parameter is empty.")
        accept = request.headers.get("accept")
        if request.method == "GET" and not req.formats and protocol.prefers_html(
                protocol.parse_accept(accept), {**protocol.RESULTS_TYPES, **protocol.GRAPH_TYPES}):
            # a browser following a shared link: the query page fills the query and runs it
            # the whole query string as sent: default-graph-uri, named-graph-uri and format
            # (repeated ones too) keep the page asking the same question
            return RedirectResponse("/query?" + request.url.query, status_code=303,
                                    headers={"Vary": "Accept"})
        results_type, graph_type = protocol.choose_types(accept, req.formats)
        if results_type is None and graph_type is None:
            return _text(406, protocol.not_acceptable(None, accept))
        if req.using:
            return _text(400, "using-graph-uri and using-named-graph-uri belong to an update; "
                              "a query names its dataset with default-graph-uri and "
                              "named-graph-uri.")
        reply, state = await answer(request, req.query, req.default_graphs, req.named_graphs,
                                    results_type, graph_type)
        if reply is None:
            return Response(status_code=499)
        return _reply_response(reply, settings.max_rows, state)

    async def answer(request: Request, query: str, default_graphs: list[str],
                     named_graphs: list[str], results_type: str | None,
                     graph_type: str | None) -> tuple[Reply | None, str | None]:
        """Answer one query from the cache, a running twin or the backend.

        Returns (reply, cache state "hit"/"miss"/None); reply None when the client went away.
        Shared by /sparql and the query page's server-side rendering.
        """
        job = {"query": query, "default_graphs": default_graphs,
               "base_iri": endpoint_iri(request, "/sparql"),
               "named_graphs": named_graphs, "results_type": results_type,
               "graph_type": graph_type, "accept": request.headers.get("accept", "")}
        version = engine.version()
        # a digest, not the text: a flood of distinct 400 kB queries must not pile up in keys
        key = guard.digest("\x00".join([version or "", query, *default_graphs, "\x01",
                                        *named_graphs, results_type or "",
                                        graph_type or "", job["base_iri"] or ""]))
        cached = cache.get(key) if version else None
        if cached is not None:
            return cached, "hit"
        shared = inflight.get(key) if version and cache.max_bytes > 0 else None
        if shared is not None:
            try:  # the same query is already running: wait for its answer instead of a rerun
                return await asyncio.shield(shared), "hit"
            except _LeaderGone:
                pass  # its client went away (its worker was killed): run it ourselves
        if version and cache.max_bytes > 0 and key not in inflight:
            flight: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
            inflight[key] = flight
        else:
            flight = None
        try:
            cheap = lanes.is_cheap(query) and not default_graphs and not named_graphs
            client = request.client.host if request.client else None
            reply = await _unless_gone(request, engine.run(job, cheap=cheap, client=client))
        except _ClientGone:
            if flight is not None:
                flight.set_exception(_LeaderGone())
                flight.exception()
            return None, None
        except BaseException:
            if flight is not None:
                flight.set_exception(_LeaderGone())
                flight.exception()  # mark retrieved: nobody may be waiting
            raise
        finally:
            if flight is not None:
                inflight.pop(key, None)
        if flight is not None:
            flight.set_result(reply)
        if version:
            cache.put(key, reply)
        return reply, "miss" if version else None

    def endpoint_iri(request: Request, path: str | None = None) -> str | None:
        """This endpoint's URL as the base IRI of a query (None when the Host makes it invalid)."""
        url = request.url if path is None else request.url.replace(path=path)
        iri = str(url.replace(query="", fragment=""))
        try:
            ox.NamedNode(iri)
        except ValueError:
            return None
        return iri

    async def _protocol_request(request: Request) -> protocol.SparqlRequest | Response:
        limit = settings.max_request_bytes
        if request.method in ("GET", "HEAD"):
            if len(request.url.query) > limit:
                return _text(414, f"The query string is longer than {limit} bytes; use POST.")
            return protocol.from_pairs(list(request.query_params.multi_items()))
        media = protocol.media_type_of(request.headers.get("content-type"))
        url_pairs = list(request.query_params.multi_items())
        if media == protocol.FORM_TYPE:
            body = await _read_body(request, limit)
            return protocol.from_pairs(url_pairs + protocol.parse_form(body))
        if media in (protocol.QUERY_TYPE, protocol.UPDATE_TYPE):
            charset = protocol.charset_of(request.headers.get("content-type"))
            if charset not in (None, "utf-8", "utf8"):
                return _text(415, f"The {media} body must be UTF-8 (SPARQL 1.1 Protocol 2.1.3); "
                                  f"got charset={charset}.")
            body = await _read_body(request, limit)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return _text(400, "The request body is not UTF-8.")
            req = protocol.from_pairs(url_pairs)
            req.query, req.update = (text, None) if media == protocol.QUERY_TYPE else (None, text)
            return req
        return _text(415, "Send the query as application/x-www-form-urlencoded "
                          "(query=…), application/sparql-query or application/sparql-update; "
                          f"got Content-Type {request.headers.get('content-type', '(none)')!r}.")

    async def run_update(request: Request, req: protocol.SparqlRequest) -> Response:
        if not engine.accepts_updates:
            return _text(403, (await engine.update(req.update or "")).message)
        if not settings.enable_update or not settings.update_token:
            return _text(403, "This endpoint is read-only: SPARQL Update is disabled "
                              "(start the server with --enable-update and --update-token).")
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(token.encode(), settings.update_token.encode()):
            return _text(403, "SPARQL Update needs the header `Authorization: Bearer <token>` "
                              "with the server's update token.")
        if not (req.update or "").strip():
            return _text(400, "The update is empty.")
        if req.dataset:
            return _text(400, "default-graph-uri and named-graph-uri belong to a query; an "
                              "update names its dataset with using-graph-uri and "
                              "using-named-graph-uri.")
        if req.default_graphs or req.named_graphs:
            try:
                req.update = protocol.apply_using(req.update or "", req.default_graphs,
                                                  req.named_graphs)
            except protocol.ProtocolError as exc:
                return _text(exc.status, str(exc))
        try:  # refuse LOAD/SERVICE before any worker is stopped (parse off the event loop)
            await asyncio.to_thread(guard.check, req.update or "", update=True)
        except guard.UnsafeQueryError as exc:
            return _text(403, str(exc))
        except guard.QueryTooComplexError as exc:
            return _text(400, str(exc))
        # relative IRIs in the update resolve against the endpoint (the Protocol allows it)
        reply = await engine.update(req.update or "", base_iri=endpoint_iri(request))
        cache.clear()
        # the data may have changed in place: every ETag handed out so far is stale
        generation[:] = [f"update-{time.time_ns()}", time.time()]
        if reply.status == 204:
            return Response(status_code=204)
        return _text(reply.status, reply.message)

    def service_description(request: Request) -> Response:
        ranges = protocol.parse_accept(request.headers.get("accept"))
        if protocol.prefers_html(ranges, protocol.GRAPH_TYPES):
            return RedirectResponse("/query", status_code=303)
        media = graph_type_for(request)
        if media is None:
            return _text(406, _not_available("The service description", protocol.GRAPH_TYPES))
        endpoint = str(request.url.replace(query="", fragment=""))
        turtle = service_turtle(settings, endpoint,
                                settings.enable_update and engine.accepts_updates)
        return Response(_serialize_graph(turtle, media), media_type=media,
                        headers={"Vary": "Accept"})

    async def void(request: Request) -> Response:
        media = graph_type_for(request)
        if media is None:
            return _text(406, _not_available("VoID", protocol.GRAPH_TYPES))
        endpoint = str(request.url.replace(path="/sparql", query="", fragment=""))
        reply = await engine.run({
            "query": VOID_QUERY, "trusted": True, "graph_type": media,
            "bind": {"ds": f"{base}dataset", "dsgraph": f"{base}graph/dataset",
                     "endpoint": endpoint, "base": base}})
        return _reply_response(reply, settings.max_rows)

    async def queries_json(request: Request) -> Response:
        from esfgraph.queries import list_queries
        from esfgraph.web.render import lang_of

        lang = lang_of(request)  # ?lang=, the cookie, then Accept-Language, as the pages
        try:
            items = [{"name": q.name, "title": q.label(lang)[0], "description": q.label(lang)[1],
                      "sparql": q.sparql} for q in list_queries()]
        except Exception as exc:  # noqa: BLE001 - a broken .rq must not break the page
            return JSONResponse({"error": str(exc)}, status_code=500)
        return JSONResponse(items)

    def entity_iri(path: str) -> str | None:
        """The IRI for a server path, or None when it cannot be a valid IRI."""
        iri = base + quote(path.lstrip("/"), safe="/:@!$&'()*+,;=-._~%")
        try:
            ox.NamedNode(iri)
        except ValueError:
            return None
        return iri

    async def entity_rdf(request: Request, iri: str, media: str, path: str) -> Response:
        reply = await engine.run({"query": pages.DESCRIBE_QUERY, "trusted": True,
                                  "graph_type": media, "bind": {"s": iri},
                                  "jsonld_context": context_url(request)}, cheap=True)
        if reply.status != 200:
            return _reply_response(reply, settings.max_rows)
        if reply.count == 0:
            return _text(404, f"Nothing in this graph is called <{iri}>.")
        return Response(reply.body, media_type=reply.media_type,
                        headers={"Vary": "Accept", "Content-Location": f"/data/{path}",
                                 "Link": f'<{iri}>; rel="describes"'})

    def context_url(request: Request) -> str:
        return str(request.url.replace(path=CONTEXT_PATH, query="", fragment=""))

    async def jsonld_context(request: Request) -> Response:
        """The shipped JSON-LD context that entity JSON-LD names by URL."""
        return Response(json.dumps(load_context(), ensure_ascii=False, indent=1),
                        media_type="application/ld+json",
                        headers={"Cache-Control": "public, max-age=86400"})

    async def data(request: Request) -> Response:
        path = request.path_params["path"]
        iri = entity_iri(path)
        if iri is None:
            return _text(404, "Not a valid resource path.")
        if request.query_params.get("format") and graph_type_for(request) is None:
            # ?format=csv names a format no graph has: say so rather than send Turtle
            return _text(406, _not_available("This resource", protocol.GRAPH_TYPES))
        # /data/ is always data: a browser's Accept (text/html) gets Turtle, never the page
        media = graph_type_for(request) or "text/turtle"
        return await entity_rdf(request, iri, media, path)

    async def moved(iri: str) -> Response | None:
        """303 from a project's IRI before issue 22 to its IRI now (owl:sameAs in the graph)."""
        reply = await engine.run({"query": pages.MOVED_QUERY, "trusted": True, "want": "rows",
                                  "bind": {"s": iri}}, cheap=True)
        rows = reply.rows or [] if reply.status == 200 else []
        new = rows[0]["new"][1] if rows and "new" in rows[0] else None
        if not new:
            return None
        target = "/" + new[len(base):] if new.startswith(base) else new
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

    async def entity(request: Request) -> Response:
        path = request.path_params["path"]
        iri = entity_iri(path)
        ranges = protocol.parse_accept(request.headers.get("accept"))
        wants_html = protocol.prefers_html(ranges, protocol.GRAPH_TYPES)
        if iri is None:
            return _text(404, "Not a valid resource path.")
        if path.startswith("id/project/"):
            redirect = await moved(iri)
            if redirect is not None:
                return redirect
        if not wants_html:
            media = graph_type_for(request)
            if media is None:
                return _text(406, _not_available("This resource", protocol.GRAPH_TYPES,
                                                 "text/html"))
            return await entity_rdf(request, iri, media, path)
        explored = await entity_html(request, iri, path)
        if explored is not None:
            return explored
        # both are bounded by the resource's own edges (incoming capped by LIMIT): cheap lane
        out = await engine.run({"query": statements.OUTGOING_QUERY, "trusted": True, "want": "rows",
                                "bind": {"s": iri}}, cheap=True)
        inc = await engine.run({"query": statements.INCOMING_QUERY, "trusted": True, "want": "rows",
                                "bind": {"s": iri}}, cheap=True)
        for reply in (out, inc):
            if reply.status != 200:
                return _reply_response(reply, settings.max_rows)
        outgoing = statements.facts_from_rows(out.rows or [], "p", "o", "label", "g")
        incoming = statements.facts_from_rows(inc.rows or [], "p", "x", "label", None)
        headers = {"Vary": "Accept"}
        if not outgoing and not incoming:  # the explorer's 404, in the request's language
            from esfgraph.web.render import render

            return render(request, "notfound.html", status=404, iri=iri)
        page = pages.entity_page(iri, base, outgoing, incoming, f"/data/{path}")
        return HTMLResponse(page, headers=headers)

    from esfgraph.changes.web import change_routes  # /changes, .json, .csv, .atom

    routes = [
        *data_routes(settings, engine),
        *explorer_routes(),
        *change_routes(),

        Route("/sparql", sparql, methods=["GET", "POST"]),
        *graph_store_routes(engine, settings.max_rows, TRUNCATED_HEADER, graph_type_for),
        Route("/queries.json", queries_json, methods=["GET"]),
        Route(CONTEXT_PATH, jsonld_context, methods=["GET"]),
        Route("/.well-known/void", void, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=static_dir()), name="static"),
        Route("/data/{path:path}", data, methods=["GET"]),
        Route("/{path:path}", entity, methods=["GET"]),
    ]
    def current_version() -> str | None:
        return None if settings.endpoint else engine.version()

    version = store_version(current_version, current_version, lambda: tuple(generation))
    # outermost first: security headers and CORS on everything (304s included), then the
    # validators (a 304 before any handler runs), then compression of what the handlers send
    middleware = [Middleware(SecurityHeaders),
                  Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["*"],
                             expose_headers=[TRUNCATED_HEADER, CACHE_HEADER, "ETag",
                                             "Last-Modified", "Retry-After"],
                             max_age=86400),
                  Middleware(HttpCaching, version=version, max_age=settings.http_max_age),
                  Middleware(Compression)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    app.state.answer = answer
    return app


__all__ = ["CACHE_HEADER", "ServeSettings", "TRUNCATED_HEADER", "create_app", "static_dir"]
