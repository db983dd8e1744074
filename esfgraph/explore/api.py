"""The explorer's data endpoints: /projects.json, /projects.csv and /map.json.

They answer from the search index of the store version being served (esfgraph.explore.search),
never with a SPARQL aggregate per request. With `serve --endpoint` there is no local index:
they answer 503 with a message saying so. Bad parameters get 400 with the reason, as JSON.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from esfgraph.explore.search import BadSearch, SearchIndex, SearchParams, open_index

#: Item keys written to /projects.csv, in order (the snippet is HTML: left out).
CSV_COLUMNS = ("iri", "title", "projectNumber", "caseNumber", "period", "phase", "phaseLabel",
               "owner", "ownerLabel", "esfGrantSEK", "totalBudgetSEK", "startDate", "endDate",
               "region", "regionLabel")
NO_INDEX_REMOTE = ("The search and map data need the local search index, which exists only "
                   "when serving a local store (esfgraph serve --store); this server answers "
                   "from a remote SPARQL endpoint. Use the SPARQL endpoint at /sparql instead.")

_building: dict[str, threading.Thread] = {}
_building_lock = threading.Lock()


class IndexUnavailable(Exception):
    """No search index can answer now (remote store, no store, or being built)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def version_dir(backend: Any) -> Path | None:
    """The store version directory being served (the backend's version is its `db` folder)."""
    version = backend.version() if backend is not None else None
    if not version:
        return None
    path = Path(version)
    if path.name == "db":
        path = path.parent
    return path if path.is_dir() else None


def index_for(settings: Any, backend: Any) -> SearchIndex:
    """The search index of the version being served; a missing one is built in the background.

    Raises:
        IndexUnavailable: remote store, no store, or the index is being built (retry later).
    """
    if getattr(settings, "endpoint", None):
        raise IndexUnavailable(NO_INDEX_REMOTE)
    version = version_dir(backend)
    if version is None:
        raise IndexUnavailable("No store is being served; build one with `esfgraph build`.")
    index = open_index(version)
    if index is not None:
        return index
    _start_build(version)
    raise IndexUnavailable("The search index of this store is being built (it was missing); "
                           "try again in a minute.", retry_after=30)


def _start_build(version: Path) -> None:
    """Build a missing index once per version, in a thread (the server keeps answering)."""
    from esfgraph.explore.index import ensure_index

    key = str(version)
    with _building_lock:
        thread = _building.get(key)
        if thread is not None and thread.is_alive():
            return

        def run() -> None:
            try:
                ensure_index(version)
            except Exception as exc:  # noqa: BLE001 - reported; the next request retries
                print(f"esfgraph: building the explorer index of {version} failed: {exc}",
                      file=sys.stderr)

        thread = threading.Thread(target=run, name="esfgraph-explore-index", daemon=True)
        _building[key] = thread
        thread.start()


def request_lang(request: Request) -> str:
    """`lang` parameter, else the first of sv/en in Accept-Language, else Swedish."""
    lang = request.query_params.get("lang")
    if lang in ("sv", "en"):
        return lang
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("sv", "en"):
            return code
    return "sv"


def _error(status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def warm_up(settings: Any, backend: Any) -> None:
    """Open the served version's index (its arrays load in about a second at 100k projects),
    or start building it when missing, so the first request does not wait for either."""
    if getattr(settings, "endpoint", None):
        return
    try:
        version = version_dir(backend)
        if version is not None and open_index(version) is None:
            _start_build(version)
    except Exception as exc:  # noqa: BLE001 - the first request reports the problem
        print(f"esfgraph: the explorer index could not be opened: {exc}", file=sys.stderr)


def data_routes(settings: Any, backend: Any) -> list[Route]:
    """The Starlette routes of the explorer's data endpoints (see the README's Data API).

    Also opens (or starts building) the search index in a thread at once: `serve` builds a
    missing index at start, with a message on stderr.
    """
    threading.Thread(target=warm_up, args=(settings, backend), daemon=True,
                     name="esfgraph-explore-warm-up").start()

    async def answer(request: Request) -> tuple[SearchIndex, SearchParams, str] | Response:
        try:
            params = SearchParams.from_query(list(request.query_params.multi_items()))
        except BadSearch as exc:
            return _error(400, str(exc))
        try:
            index = await asyncio.to_thread(index_for, settings, backend)
        except IndexUnavailable as exc:
            return _error(503, str(exc), exc.retry_after)
        return index, params, request_lang(request)

    async def searched(request: Request) -> dict[str, Any] | Response:
        """The search result for the request's parameters, or the error response."""
        got = await answer(request)
        if isinstance(got, Response):
            return got
        index, params, lang = got
        try:
            return await asyncio.to_thread(index.search, params, lang)
        except sqlite3.Error as exc:
            return _error(503, f"The search index cannot be read ({exc}); rebuild the store.")

    async def projects_json(request: Request) -> Response:
        result = await searched(request)
        if isinstance(result, Response):
            return result
        return JSONResponse(result, headers={"Vary": "Accept-Language"})

    async def projects_csv(request: Request) -> Response:
        result = await searched(request)
        if isinstance(result, Response):
            return result
        return Response(to_csv(result["items"]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="projects.csv"',
                                 "Vary": "Accept-Language"})

    async def map_json(request: Request) -> Response:
        got = await answer(request)
        if isinstance(got, Response):
            return got
        index, params, lang = got
        level = request.query_params.get("level", "municipality")
        metric = request.query_params.get("metric", "grant")
        try:
            result = await asyncio.to_thread(index.map_aggregate, level, metric, params, lang)
        except BadSearch as exc:
            return _error(400, str(exc))
        except sqlite3.Error as exc:
            return _error(503, f"The search index cannot be read ({exc}); rebuild the store.")
        return JSONResponse(result, headers={"Vary": "Accept-Language"})

    return [Route("/projects.json", projects_json, methods=["GET"]),
            Route("/projects.csv", projects_csv, methods=["GET"]),
            Route("/map.json", map_json, methods=["GET"])]


def to_csv(items: list[dict[str, Any]]) -> str:
    """Search items as CSV: a header row, one row per item, CSV_COLUMNS."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(["" if item.get(c) is None else item[c] for c in CSV_COLUMNS])
    return out.getvalue()


__all__ = ["CSV_COLUMNS", "IndexUnavailable", "data_routes", "index_for", "request_lang",
           "to_csv", "version_dir", "warm_up"]
