"""The explorer's data endpoints: /projects.json, /projects.csv, /map.json and /map.csv.

`all=1` on /projects.json and /projects.csv streams every matching project (not one page):
the order is computed once, the rows are written as they are read.

They answer from the search index of the store version being served (esfgraph.explore.search),
never with a SPARQL aggregate per request. With `serve --endpoint` the index is built from the
remote at start (esfgraph.explore.remote_index); until it is ready they answer 503 with
Retry-After, as for a store whose index is being built. Bad parameters get 400 with the
reason, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from esfgraph.csvsafe import csv_lines
from esfgraph.explore.search import BadSearch, SearchIndex, SearchParams, open_index

#: Item keys written to /projects.csv, in order (the snippet is HTML: left out). A missing
#: amount is an empty cell; list keys (countries) are joined with "; ".
CSV_COLUMNS = ("iri", "title", "projectNumber", "caseNumber", "period", "phase", "phaseLabel",
               "owner", "ownerLabel", "ownerOrgNumber", "esfGrantSEK", "totalBudgetSEK",
               "startDate", "endDate", "region", "regionLabel", "countries", "countryLabels")
#: Columns of /map.csv (one row per place with projects, then the projects with no place).
MAP_CSV_COLUMNS = ("level", "code", "label", "projects", "projectsWithGrant", "esfGrantSEK")
#: Rows per SQLite read of a whole download.
STREAM_BATCH = 500
BUILDING_REMOTE = ("The search index of this server is being built from the remote SPARQL "
                   "endpoint; try again in a minute.")

_building: dict[str, threading.Thread] = {}
_building_lock = threading.Lock()


class IndexUnavailable(Exception):
    """No search index can answer now (no store, being built, or its build failed)."""

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
        IndexUnavailable: no store, or the index is being built (retry later); with
            `serve --endpoint`, built from the remote (or that build failed: retried later).
    """
    if getattr(settings, "endpoint", None):
        from esfgraph.explore import remote_index

        index, error = remote_index.status(settings)
        if index is not None:
            return index
        raise IndexUnavailable(error or BUILDING_REMOTE, retry_after=30)
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
    or start building it when missing, so the first request does not wait for either.

    Not with an endpoint: an app made by `create_app` reads the remote only when the explorer
    is first used (`esfgraph serve` starts that build at once, esfgraph.library.serving)."""
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
        if wants_all(request):
            return await streamed(request, "json")
        result = await searched(request)
        if isinstance(result, Response):
            return result
        return JSONResponse(result, headers={"Vary": "Accept-Language"})

    async def projects_csv(request: Request) -> Response:
        if wants_all(request):
            return await streamed(request, "csv")
        result = await searched(request)
        if isinstance(result, Response):
            return result
        return Response(to_csv(result["items"]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="projects.csv"',
                                 "Vary": "Accept-Language"})

    async def streamed(request: Request, kind: str) -> Response:
        """Every matching project, streamed (`all=1`): the totals first, then the rows."""
        got = await answer(request)
        if isinstance(got, Response):
            return got
        index, params, lang = got
        try:  # the totals (and any index error) before the response starts
            head = await asyncio.to_thread(index.search, params.with_(page=1, per_page=1),
                                           lang)
        except sqlite3.Error as exc:
            return _error(503, f"The search index cannot be read ({exc}); rebuild the store.")
        items = index.iter_items(params, lang, STREAM_BATCH)
        headers = {"Vary": "Accept-Language", "X-Total-Count": str(head["total"])}
        if kind == "csv":
            headers["Content-Disposition"] = 'attachment; filename="projects.csv"'
            body = _guarded(csv_lines(CSV_COLUMNS, map(csv_row, items)), "csv")
            return StreamingResponse(_in_thread(body), media_type="text/csv; charset=utf-8",
                                     headers=headers)
        headers["Content-Disposition"] = 'attachment; filename="projects.json"'
        return StreamingResponse(_in_thread(_guarded(json_all(head, items), "json")),
                                 media_type="application/json", headers=headers)

    async def aggregate(request: Request, metric: str) -> dict[str, Any] | Response:
        """The map's answer for a request (/map.json and /map.csv), or the error response."""
        got = await answer(request)
        if isinstance(got, Response):
            return got
        index, params, lang = got
        level = request.query_params.get("level", "municipality")
        try:
            return await asyncio.to_thread(index.map_aggregate, level, metric, params, lang)
        except BadSearch as exc:
            return _error(400, str(exc))
        except sqlite3.Error as exc:
            return _error(503, f"The search index cannot be read ({exc}); rebuild the store.")

    async def map_csv(request: Request) -> Response:
        result = await aggregate(request, "grant")
        if isinstance(result, Response):
            return result
        lang, level = request_lang(request), request.query_params.get("level", "municipality")
        return Response("".join(csv_lines(MAP_CSV_COLUMNS, map_rows(result, lang))),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="map-{level}.csv"',
                                 "Vary": "Accept-Language"})

    async def map_json(request: Request) -> Response:
        result = await aggregate(request, request.query_params.get("metric", "grant"))
        if isinstance(result, Response):
            return result
        return JSONResponse(result, headers={"Vary": "Accept-Language"})

    return [Route("/projects.json", projects_json, methods=["GET"]),
            Route("/projects.csv", projects_csv, methods=["GET"]),
            Route("/map.json", map_json, methods=["GET"]),
            Route("/map.csv", map_csv, methods=["GET"])]


def wants_all(request: Request) -> bool:
    """True for a whole download (`all=1`, `all=true`)."""
    return request.query_params.get("all", "").lower() in ("1", "true", "yes")


def csv_row(item: dict[str, Any]) -> list[Any]:
    """One item as CSV cells (CSV_COLUMNS): None empty, lists joined with "; "."""
    return ["; ".join(v) if isinstance(v := item.get(c), list) else v for c in CSV_COLUMNS]


def to_csv(items: Iterable[dict[str, Any]]) -> str:
    """Search items as spreadsheet-safe CSV: a header row, one row per item, CSV_COLUMNS."""
    return "".join(csv_lines(CSV_COLUMNS, map(csv_row, items)))


def json_all(head: dict[str, Any], items: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The JSON of a whole download, piece by piece: the totals of `head`, then every item."""
    keep = ("total", "projectsWithGrant", "esfGrantSEK", "projectsWithBudget",
            "totalBudgetSEK")
    yield json.dumps({k: head[k] for k in keep}, ensure_ascii=False)[:-1] + ', "items": ['
    sep = ""
    for item in items:
        yield sep + json.dumps(item, ensure_ascii=False)
        sep = ","
    yield "]}"


def map_rows(result: dict[str, Any], lang: str) -> Iterator[list[Any]]:
    """The rows of /map.csv: every place with projects (by label), then the unplaced ones."""
    level = result["level"]
    for code, entry in sorted(result["values"].items(), key=lambda kv: kv[1]["label"]):
        yield [level, code, entry["label"], entry["projects"], entry["projectsWithGrant"],
               entry["esfGrantSEK"] if entry["projectsWithGrant"] else None]
    rest = result.get("unplaced") or {}
    if rest.get("projects"):
        from esfgraph.web.i18n import t

        label = t("map.unplaced", lang)
        yield [level, "", label, rest["projects"], rest["projectsWithGrant"],
               rest["esfGrantSEK"] if rest["projectsWithGrant"] else None]


def _guarded(chunks: Iterator[str], kind: str) -> Iterator[str]:
    """The pieces of a download; when the index fails midway (the status is sent by then) the
    body ends with a line that says the file is incomplete, never silently short."""
    try:
        yield from chunks
    except sqlite3.Error as exc:
        note = f"incomplete: the search index could not be read ({exc})"
        if kind == "csv":
            from esfgraph.csvsafe import csv_line

            yield csv_line([f"# {note}"])
        else:
            yield '], "error": ' + json.dumps(note) + "}"


def _take(chunks: Iterator[str], size: int) -> str:
    """Up to `size` pieces of `chunks`, joined ("" at the end)."""
    out = []
    for piece in chunks:
        out.append(piece)
        if len(out) >= size:
            break
    return "".join(out)


async def _in_thread(chunks: Iterator[str], size: int = STREAM_BATCH) -> Any:
    """An async iterator over a blocking one, `size` pieces per step in a worker thread
    (the SQLite reads), so a long download never holds the event loop."""
    while True:
        text = await asyncio.to_thread(_take, chunks, size)
        if not text:
            return
        yield text


__all__ = ["CSV_COLUMNS", "MAP_CSV_COLUMNS", "IndexUnavailable", "csv_row", "data_routes",
           "index_for", "json_all", "map_rows", "request_lang", "to_csv", "version_dir",
           "warm_up"]
