"""The changes pages of `esfgraph serve`: /changes (HTML), .json, .csv and an Atom feed.

Filters (all optional, all in the URL so a filtered page can be bookmarked): ``since`` and
``until`` (ISO dates, inclusive), ``region`` (code such as SE33 or IRI), ``organisation``
(IRI or ``id/org/...`` path), ``kind`` (money, dates-phase, organisations, places, text,
other, added, removed, restored), ``project`` (IRI) and ``page``. A bad value is a 400 naming
it, never a 500. The data comes through the app's backend (embedded workers or a remote
endpoint), like every explorer page, and the HTML is rendered with the explorer's layout
through esfgraph.web (below both: neither imports the other).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from esfgraph.changes import report
from esfgraph.changes.atom import atom_feed
from esfgraph.changes.log import (
    LogFilter,
    LoggedChange,
    Row,
    details_query,
    fill_details,
    labels_from,
    labels_query,
    list_query,
    value_iris,
)
from esfgraph.csvsafe import csv_line
from esfgraph.store import GraphNames
from esfgraph.web.render import error_page, lang_of, render

PAGE_SIZE = 50
FEED_SIZE = 100
#: Change sets fetched per step of a whole download (`all=1`), streamed as they come.
DOWNLOAD_BATCH = 500
FILTERS = ("since", "until", "region", "organisation", "kind", "project")


class BadParameter(ValueError):
    """A query parameter of /changes that cannot be used."""


def parse_filter(params: Any, *, limit: int = PAGE_SIZE) -> tuple[LogFilter, int]:
    """The LogFilter and page number of a request's query parameters.

    Raises:
        BadParameter: a date, page or kind that is not valid (message names it).
    """
    flt = LogFilter(limit=limit)
    for name in ("since", "until"):
        value = (params.get(name) or "").strip()
        if value:
            try:
                setattr(flt, name, dt.date.fromisoformat(value))
            except ValueError as exc:
                raise BadParameter(f"{name}={value!r} is not a date (YYYY-MM-DD)") from exc
    for name in ("region", "organisation", "project"):
        value = (params.get(name) or "").strip()
        if value:
            if any(c in value for c in '<>"{}|\\^` \n'):
                raise BadParameter(f"{name}={value!r} is not a code or IRI")
            setattr(flt, name, value)
    kind = (params.get("kind") or "").strip()
    if kind:
        from esfgraph.changes.model import KINDS

        if kind not in KINDS + ("added", "removed", "restored"):
            raise BadParameter(f"kind={kind!r}: use one of "
                               + ", ".join(KINDS + ("added", "removed", "restored")))
        flt.kind = kind
    page_text = (params.get("page") or "1").strip()
    if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
        raise BadParameter(f"page={page_text!r} is not a page number")
    page = int(page_text)
    flt.offset = (page - 1) * limit
    return flt, page


async def _rows(request: Request, query: str) -> list[Row]:
    reply = await request.app.state.backend.run({"query": query, "trusted": True,
                                                 "want": "rows", "max_rows": 100_000})
    if reply.status != 200:
        raise _Unavailable(reply.status, reply.message or "the store did not answer")
    return reply.rows or []


class _Unavailable(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def fetch(request: Request, flt: LogFilter, lang: str = "sv"
                ) -> tuple[list[LoggedChange], bool]:
    """The change sets of one page and whether another page follows."""
    names = GraphNames(request.app.state.settings.base_iri)
    wanted = LogFilter(**{**flt.__dict__, "limit": flt.limit + 1})
    try:
        rows = await _rows(request, list_query(names, wanted))
    except ValueError as exc:  # an IRI the query cannot hold
        raise BadParameter(str(exc)) from exc
    found: dict[str, LoggedChange] = {}
    for row in rows[:flt.limit]:
        cs = row["cs"][1]
        found[cs] = LoggedChange(cs, row["build"][1], row["when"][1], row["project"][1],
                                 row["status"][1])
    if found:
        fill_details(await _rows(request, details_query(list(found))), found, names,
                     getattr(request.app.state.settings, "personal_data", True))
        iris = value_iris(found.values())
        predicates = {pred for c in found.values() for pred, _, _ in c.removals + c.additions}
        if iris or predicates:
            # values by their label, fields by the ontology's label in the page's language
            labels = labels_from(await _rows(request, labels_query(iris | predicates)), lang)
            for c in found.values():
                c.labels = {i: labels[i] for i in value_iris([c]) if i in labels}
                c.field_labels = {p: labels[p] for p in predicates if p in labels}
    return list(found.values()), len(rows) > flt.limit


def field_name(change: Any, labels: dict[str, str], lang: str) -> str:
    """A changed field for people: the ontology's label (`beviljat ESF-stöd (kr)`), else the
    page's own word for common outside terms (`titel`), else the property's local name."""
    from esfgraph.web.i18n import TEXT, t

    label = labels.get(change.predicate)
    if label:
        return label
    key = f"changes.field.{change.field}"
    return t(key, lang) if key in TEXT else change.field


def localized_field_line(change: Any, labels: dict[str, str], field_labels: dict[str, str],
                         lang: str) -> tuple[str, str]:
    """`beviljat ESF-stöd (kr): 556 922 → 600 000 kr (+43 078 kr, +7,7 %)` in the page's
    language: the field by its label, numbers in the page's format. Returned as (field, rest)
    so that the page can mark the values (data, in Swedish) apart from the field's name."""
    from esfgraph.web import format as fmt

    line = report.field_line(change, labels)
    rest = line[len(change.field):]
    if change.delta is not None or change.predicate.endswith("SEK"):
        unit = "kr" if lang == "sv" else "SEK"
        # digit groups of the report ("556 922") with the page's no-break space and unit
        rest = rest.replace(" kr", f"{fmt.NBSP}{unit}")
        rest = re.sub(r"(?<=\d) (?=\d{3}\b)", fmt.NBSP, rest)
        if lang == "sv":
            rest = re.sub(r"(?<=\d)\.(?=\d)", ",", rest)
        rest = rest.replace(" %)", f"{fmt.NBSP}%)")
    return field_name(change, field_labels, lang), rest


def _query_string(params: Any, **override: Any) -> str:
    pairs = [(k, params.get(k)) for k in FILTERS if params.get(k)]
    pairs = [(k, v) for k, v in pairs if k not in override]
    pairs += [(k, str(v)) for k, v in override.items() if v not in (None, "")]
    return urlencode(pairs)


def _error(request: Request, status: int, message: str, fmt: str) -> Response:
    if fmt == "html":
        return error_page(request, status, message)
    return PlainTextResponse(message + "\n", status_code=status)


async def _handle(request: Request, fmt: str) -> Response:
    try:
        flt, page = parse_filter(request.query_params,
                                 limit=FEED_SIZE if fmt == "atom" else PAGE_SIZE)
        if fmt in ("json", "csv") and request.query_params.get("all") in ("1", "true"):
            return await _download_all(request, flt, fmt, lang_of(request))
        changes, more = await fetch(request, flt, lang_of(request))
    except BadParameter as exc:
        return _error(request, 400, str(exc), fmt)
    except _Unavailable as exc:
        return _error(request, exc.status, str(exc), fmt)
    if fmt == "json":
        following = (f"/changes.json?{_query_string(request.query_params, page=page + 1)}"
                     if more else None)
        items = report.records(changes)
        lang = lang_of(request)
        for item, change in zip(items, changes):  # the field and its change for people
            names = getattr(change, "field_labels", {})
            for record, field in zip(item["fields"], change.fields):
                label, rest = localized_field_line(field, change.labels, names, lang)
                record["label"], record["text"] = label, label + rest
        return JSONResponse({"page": page, "next": following, "changes": items})
    if fmt == "csv":
        return Response(report.render_csv(changes), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="changes.csv"'})
    if fmt == "atom":
        self_url = str(request.url)
        body = atom_feed(changes, self_url=self_url,
                         site=str(request.base_url).rstrip("/"),
                         title=_feed_title(request.query_params))
        return Response(body, media_type="application/atom+xml; charset=utf-8")
    params = request.query_params
    lang = lang_of(request)
    return render(request, "changes.html", changes=changes, page=page, more=more,
                  filters={k: params.get(k) or "" for k in FILTERS},
                  kinds=report.KIND_TITLES,
                  field_line=lambda f, c: localized_field_line(
                      f, c.labels, getattr(c, "field_labels", {}), lang),
                  href=lambda iri: _local(iri, request.app.state.settings.base_iri),
                  prev_url=(f"/changes?{_query_string(params, page=page - 1)}"
                            if page > 1 else None),
                  next_url=f"/changes?{_query_string(params, page=page + 1)}" if more else None,
                  feed_url=f"/changes.atom?{_query_string(params)}",
                  json_url=f"/changes.json?{_query_string(params, page=page)}",
                  csv_url=f"/changes.csv?{_query_string(params, page=page)}",
                  all_json_url=f"/changes.json?{_query_string(params, all=1)}",
                  all_csv_url=f"/changes.csv?{_query_string(params, all=1)}")


async def _download_all(request: Request, flt: LogFilter, fmt: str, lang: str) -> Response:
    """Every change set of the filter as CSV or JSON, streamed in pages of DOWNLOAD_BATCH.

    The first page is fetched before the response starts, so a bad filter or an unavailable
    store still answers with its status; a failure later ends the body with a note line.
    """
    flt.limit, flt.offset = DOWNLOAD_BATCH, 0
    first, more = await fetch(request, flt, lang)

    async def pages() -> AsyncIterator[list[LoggedChange]]:
        nonlocal more
        yield first
        offset = 0
        while more:
            offset += DOWNLOAD_BATCH
            batch = LogFilter(**{**flt.__dict__, "offset": offset})
            got, more = await fetch(request, batch, lang)
            yield got

    async def csv_body() -> AsyncIterator[str]:
        header = True
        try:
            async for changes in pages():
                yield report.render_csv(changes, header=header)
                header = False
        except (BadParameter, _Unavailable) as exc:
            yield csv_line([f"# incomplete: {exc}"])

    async def json_body() -> AsyncIterator[str]:
        yield '{"page": null, "next": null, "changes": ['
        sep = ""
        try:
            async for changes in pages():
                for item in report.records(changes):
                    yield sep + json.dumps(item, ensure_ascii=False)
                    sep = ","
        except (BadParameter, _Unavailable) as exc:
            yield ('], "error": ' + json.dumps(str(exc)) + "}")
            return
        yield "]}"

    if fmt == "csv":
        return StreamingResponse(csv_body(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition":
                                          'attachment; filename="changes.csv"'})
    return StreamingResponse(json_body(), media_type="application/json")


def _local(iri: str, base: str) -> str:
    """The page of an IRI on this server when it is under the base IRI."""
    return "/" + iri[len(base):] if iri.startswith(base) and len(iri) > len(base) else iri


def _feed_title(params: Any) -> str:
    parts = [f"{k} {params.get(k)}" for k in ("region", "organisation", "kind", "project")
             if params.get(k)]
    return "ESF project changes" + (" – " + ", ".join(parts) if parts else "")


async def changes_html(request: Request) -> Response:
    return await _handle(request, "html")


async def changes_json(request: Request) -> Response:
    return await _handle(request, "json")


async def changes_csv(request: Request) -> Response:
    return await _handle(request, "csv")


async def changes_atom(request: Request) -> Response:
    return await _handle(request, "atom")


async def history_js(request: Request) -> Response:
    from esfgraph.resources import package_path

    path = package_path("changes", "static", "history.js")
    return Response(path.read_text(encoding="utf-8"), media_type="text/javascript",
                    headers={"Cache-Control": "max-age=3600"})


def change_routes() -> list[BaseRoute]:
    """The routes to put in front of the catch-all entity route of the app."""
    return [Route("/changes", changes_html, methods=["GET"]),
            Route("/changes.json", changes_json, methods=["GET"]),
            Route("/changes.csv", changes_csv, methods=["GET"]),
            Route("/changes.atom", changes_atom, methods=["GET"]),
            Route("/changes/history.js", history_js, methods=["GET"])]


__all__ = ["change_routes", "parse_filter"]
