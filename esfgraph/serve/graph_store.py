"""SPARQL 1.1 Graph Store HTTP Protocol, read-only, at `/rdf-graph-store`.

Tools that want one named graph as a file (Oxigraph server and Fuseki offer the same) ask
`GET /rdf-graph-store?graph=<iri>` or `?default`, with the RDF format chosen by the Accept
header. Writing is never offered here: PUT, POST, DELETE and PATCH answer 405 with `Allow`, and
changes go through SPARQL Update on /sparql when the operator enables it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from esfgraph.serve import protocol

PATH = "/rdf-graph-store"
ALLOW = "GET, HEAD, OPTIONS"
#: Trusted templates: `{{g}}` is replaced by a validated IRI (see workers.execute).
NAMED_GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH {{g}} { ?s ?p ?o } }"
DEFAULT_GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def graph_target(pairs: list[tuple[str, str]]) -> str | None:
    """The graph IRI a request names (None for the default graph).

    Raises:
        protocol.ProtocolError: neither or both of `graph` and `default`, or several `graph`.
    """
    graphs = [value for key, value in pairs if key == "graph"]
    default = any(key == "default" for key, _ in pairs)
    if default and graphs or len(graphs) > 1:
        raise protocol.ProtocolError("Name one graph: either ?graph=<IRI> or ?default.")
    if not default and not graphs:
        raise protocol.ProtocolError("Say which graph: ?graph=<IRI> for a named graph or "
                                     "?default for the default graph (the union of all graphs).")
    if graphs and (not graphs[0] or any(c in graphs[0] for c in '<>"{}|^`\\ \n\t')):
        raise protocol.ProtocolError(f"Not a graph IRI: {graphs[0]!r}.")
    return graphs[0] if graphs else None


def graph_store_routes(engine: Any, max_rows: int, truncated_header: str,
                       graph_type_for: Callable[[Request], str | None]) -> list[Route]:
    """The routes of the read-only Graph Store Protocol over `engine` (a serve Backend)."""

    async def read(request: Request) -> Response:
        try:
            graph = graph_target(list(request.query_params.multi_items()))
        except protocol.ProtocolError as exc:
            return _text(exc.status, str(exc))
        media = graph_type_for(request)
        if media is None:
            return _text(406, "This graph is not available in the format asked for (Accept "
                              "header or format=). Available: "
                              + ", ".join(protocol.GRAPH_TYPES) + ".")
        job: dict[str, Any] = {"trusted": True, "graph_type": media}
        if graph is None:
            job["query"] = DEFAULT_GRAPH_QUERY
        else:
            job["query"], job["bind"] = NAMED_GRAPH_QUERY, {"g": graph}
        client = request.client.host if request.client else None
        reply = await engine.run(job, client=client)
        if reply.status != 200:
            return _text(reply.status, reply.message.rstrip("\n"))
        if graph is not None and reply.count == 0:
            return _text(404, f"There is no graph <{graph}> (or it is empty).")
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers[truncated_header] = f"graph capped at {max_rows} triples"
        return Response(reply.body, media_type=reply.media_type, headers=headers)

    async def refuse(request: Request) -> Response:
        return _text(405, "This Graph Store is read-only (GET and HEAD); change data with "
                          "SPARQL Update on /sparql when the server allows it.",
                     {"Allow": ALLOW})

    async def options(request: Request) -> Response:
        # the same methods the Allow header of a 405 names (CORS preflights never get here:
        # the CORS middleware answers them)
        return Response(status_code=204, headers={"Allow": ALLOW})

    return [Route(PATH, read, methods=["GET", "HEAD"]),
            Route(PATH, options, methods=["OPTIONS"]),
            Route(PATH, refuse, methods=["PUT", "POST", "DELETE", "PATCH"])]


__all__ = ["ALLOW", "PATH", "graph_store_routes", "graph_target"]
