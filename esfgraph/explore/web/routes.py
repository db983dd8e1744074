"""The explorer's routes: landing page, /projects, /map, /query and the HTML of entity IRIs.

Each handler gathers data (search index or SPARQL through the app's backend), then renders one
Jinja2 template. Bad input never gives a 500: a bad search parameter is a 400 page naming it,
an unknown IRI a 404 page, a failing backend its own status with its message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from esfgraph.explore.web import abroad, charts, graphdata, topo
from esfgraph.resources import package_path
from esfgraph.web import format as fmt
from esfgraph.web import i18n, statements
from esfgraph.web.render import error_page, lang_of, render
from esfgraph.web.results import results_html

_LOG = logging.getLogger("esfgraph.explore")

PLACE_KINDS = ("municipality", "county", "region")
LANDING_TTL = 60.0  # seconds a landing page's figures are reused when the store has no version


def runner(request: Request) -> graphdata.Runner:
    """Run a trusted page query through the app's backend (embedded workers or remote)."""
    backend = request.app.state.backend

    async def run(query: str, bind: dict[str, str]) -> list[graphdata.Row]:
        reply = await backend.run({"query": query, "trusted": True, "want": "rows",
                                   "bind": bind})
        if reply.status != 200:
            raise graphdata.GraphUnavailable(reply.status, reply.message)
        return reply.rows or []

    return run


def search_index(request: Request) -> Any | None:
    """The search index of the store version being served, or None (remote store, no store,
    or being built: `request.state.index_note` then says which, in the engine's words)."""
    from esfgraph.explore.api import IndexUnavailable, index_for, version_dir

    settings, backend = request.app.state.settings, request.app.state.backend
    cache: dict[Path, Any] = request.app.state.__dict__.setdefault("_explore_indexes", {})
    version = None if settings.endpoint else version_dir(backend)
    if version is not None and version in cache:
        return cache[version]
    try:
        index = index_for(settings, backend)
    except IndexUnavailable as exc:
        request.state.index_note = str(exc)
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable index: the page says so
        _LOG.warning("search index of %s unusable: %s", version, exc)
        request.state.index_note = f"The search index cannot be read ({exc})."
        return None
    if version is not None:
        for old in cache.values():
            old.close()
        cache.clear()
        cache[version] = index
    return index


def _error(request: Request, status: int, message: str) -> HTMLResponse:
    return error_page(request, status, message)


# --------------------------------------------------------------------------- pages


async def landing(request: Request) -> Response:
    """`/`: search box, headline figures, three charts, ways onward."""
    lang = lang_of(request)
    state = request.app.state.__dict__.setdefault("_explore_landing", {})
    backend = request.app.state.backend
    version = backend.version()
    key = (version, lang)
    hit = state.get(key)
    if hit is None or (version is None and time.monotonic() - hit[0] > LANDING_TTL):
        try:
            data = await graphdata.landing(runner(request), request.app.state.settings.base_iri,
                                           lang)
        except graphdata.GraphUnavailable as exc:
            return _error(request, exc.status, str(exc))
        state.clear() if len(state) > 8 else None
        state[key] = hit = (time.monotonic(), data)
    data = hit[1]
    return render(request, "landing.html", data=data,
                  year_chart=charts.bars(data["years"], "esfGrantSEK", lang),
                  region_chart=charts.bars(data["regions"], "esfGrantSEK", lang),
                  area_chart=charts.bars(
                      [{**a, "label": fmt.concept_label(a["iri"], a["label"], lang)
                        if a.get("iri") else a["label"]} for a in data["areas"]],
                      "esfGrantSEK", lang))


async def query_page(request: Request) -> Response:
    """`/query`: the SPARQL editor (filled from `?query=` and run at once when given)."""
    from esfgraph.namespaces import PREFIXES

    settings = request.app.state.settings
    text = request.query_params.get("query", "")
    if len(text) > settings.max_request_bytes:
        return _error(request, 414, f"The query is longer than {settings.max_request_bytes} bytes.")
    pairs = list(request.query_params.multi_items())
    graphs = [(k, v) for k, v in pairs if k in ("default-graph-uri", "named-graph-uri")]
    results, status = "", 200
    answer = getattr(request.app.state, "answer", None)
    if text.strip() and answer is not None:
        # rendered here, so a shared link shows its answer without JavaScript
        reply, _ = await answer(request, text, [v for k, v in graphs if k[0] == "d"],
                                [v for k, v in graphs if k[0] == "n"],
                                "application/sparql-results+json", "text/turtle")
        if reply is None:
            return Response(status_code=499)
        note = f"results capped at {settings.max_rows} rows" if reply.truncated else None
        results = results_html(reply.status, reply.media_type or "", reply.body or b"",
                               settings.base_iri, note)
        if reply.status == 429 or reply.status >= 500:
            status = reply.status  # passing trouble: never cached or revalidated as the answer
    return render(request, "query.html", status=status, query=text, base_iri=settings.base_iri,
                  prefixes=sorted(PREFIXES.items()), graphs=graphs, results=Markup(results))


def _search_params(request: Request) -> Any:
    from esfgraph.explore.search import SearchParams

    return SearchParams.from_query(list(request.query_params.multi_items()))


async def projects(request: Request) -> Response:
    """`/projects`: full-text search with facets; every state is a URL."""
    from esfgraph.explore.search import FACETS, SORTS, BadSearch

    lang = lang_of(request)
    index = search_index(request)
    if index is None:
        return render(request, "projects.html", noindex=True, params=None, result=None,
                      status=200, index_note=getattr(request.state, "index_note", ""))
    try:
        params = _search_params(request)
        result = await asyncio.to_thread(index.search, params, lang)
    except BadSearch as exc:
        return _error(request, 400, str(exc))
    base = request.app.state.settings.base_iri
    for item in result.get("items", []):
        item["href"] = graphdata.link(item.get("iri") or "", base) or item.get("iri")
    pages_total = max(1, -(-int(result["total"]) // max(1, params.per_page)))
    named = await _iri_labels(request, {v for name in FACETS for v in getattr(params, name)}
                              | {f["value"] for facet in result["facets"].values()
                                 for f in facet if f["label"] == f["value"]}, lang)
    for facet in result["facets"].values():  # a filter value is shown by name, never as an IRI
        for f in facet:
            f["label"] = named.get(f["value"], f["label"])
    selected = []
    for name in FACETS:
        labels = {**named, **{f["value"]: f["label"] for f in result["facets"].get(name, [])}}
        for val in getattr(params, name):
            rest = tuple(v for v in getattr(params, name) if v != val)
            label = (i18n.t(f"abroad.{val}", lang) if name == "abroad" else
                     fmt.concept_label(val, labels.get(val), lang, name)
                     if name in ("programme_area", "specific_objective") else labels.get(val, val))
            selected.append({"facet": name, "label": label,
                             "remove": _url("/projects", params.with_(**{name: rest}, page=1))})
    dym = result.get("didYouMean")
    return render(request, "projects.html", noindex=False, params=params, result=result,
                  did_you_mean_url=_url("/projects", params.with_(q=dym, page=1)) if dym else None,
                  facets=FACETS, sorts=SORTS, selected=selected, pages_total=pages_total,
                  prev_url=_url("/projects", params.with_(page=params.page - 1))
                  if params.page > 1 else None,
                  next_url=_url("/projects", params.with_(page=params.page + 1))
                  if params.page < pages_total else None,
                  query_pairs=params.to_query(),
                  all_pairs=[(k, v) for k, v in params.to_query()
                             if k not in ("page", "per_page")] + [("all", "1")],
                  sparql_url="/query?" + urlencode({"query": result.get("sparql") or ""}),
                  map_url=_url("/map", params.with_(page=1)))


LABEL_QUERY = graphdata.PREFIXES + ("SELECT ?label WHERE { VALUES ?s { {{s}} } ?s "
                                     + graphdata.LABEL + " ?label }")


async def _iri_labels(request: Request, values: set[str], lang: str) -> dict[str, str]:
    """Labels of the IRIs among filter values that the search index has no name for (an
    organisation that owns nothing itself, say), read from the graph; at most 20 look-ups."""
    run, out = runner(request), {}
    base = request.app.state.settings.base_iri
    for iri in sorted(v for v in values if v.startswith(base))[:20]:
        try:
            rows = await run(LABEL_QUERY, {"s": iri})
        except (graphdata.GraphUnavailable, ValueError):
            continue
        labels = graphdata.Labels()
        for row in rows:
            labels.add(iri, row, "label")
        if labels.seen.get(iri):
            out[iri] = labels.get(iri, lang)
    return out


def _url(path: str, params: Any) -> str:
    pairs = params.to_query()
    return path + ("?" + urlencode(pairs) if pairs else "")


async def map_page(request: Request) -> Response:
    """`/map`: a choropleth by municipality, county or region, following the search filters."""
    from esfgraph.explore.search import BadSearch

    lang = lang_of(request)
    level = request.query_params.get("level", "municipality")
    metric = request.query_params.get("metric", "grant")
    if level not in topo.LEVEL_OBJECTS:
        return _error(request, 400, f"Unknown map level {level!r}: use municipality, county "
                                    "or region.")
    if metric not in ("grant", "projects"):
        return _error(request, 400, f"Unknown map measure {metric!r}: use grant or projects.")
    index = search_index(request)
    if index is None:
        return render(request, "map.html", noindex=True, level=level, metric=metric,
                      layer=None, index_note=getattr(request.state, "index_note", ""))
    try:
        params = _search_params(request)
        data = await asyncio.to_thread(index.map_aggregate, level, metric, params, lang)
    except BadSearch as exc:
        return _error(request, 400, str(exc))
    values = data.get("values", {})
    layer = topo.layer(level)
    bounds = charts.breaks(v.get("value") or 0 for v in values.values())
    show = (lambda v: fmt.money(v, lang)) if metric == "grant" else (lambda v: fmt.number(v, lang))
    areas = []
    for area in layer.areas:
        entry = values.get(area.code) or {}
        amount = entry.get("value") or 0
        areas.append({"code": area.code, "name": entry.get("label") or area.name,
                      "path": area.path, "cls": charts.colour_class(amount, bounds),
                      "text": (fmt.MISSING[lang] if metric == "grant" and entry.get("projects")
                               and not entry.get("projectsWithGrant") else show(amount)),
                      "projects": entry.get("projects") or 0,
                      "grant": entry.get("esfGrantSEK") or 0,
                      "granted": entry.get("projectsWithGrant") or 0,
                      "href": f"/id/{level}/{area.code}"})
    drawn = {a["code"] for a in areas}
    # values the map cannot draw ("Nationellt" at region level), and projects with no place
    # at this level: in the table, never left out without a word
    extra = [{"code": code, "name": i18n.t("map.national", lang) if code == "national"
              else entry.get("label") or code, "projects": entry.get("projects") or 0,
              "grant": entry.get("esfGrantSEK") or 0,
              "granted": entry.get("projectsWithGrant") or 0,
              "href": f"/id/{level}/{code}" if code != "national" else None}
             for code, entry in values.items() if code not in drawn]
    for area in areas:  # projects there, none states its grant: not "no projects", not 0 kr
        if metric == "grant" and area["projects"] and not area["granted"]:
            area["cls"] = "na"
    unplaced = dict(data.get("unplaced") or {})
    if unplaced.get("projects"):
        extra.append({"code": "", "name": i18n.t("map.unplaced", lang),
                      "projects": unplaced["projects"], "grant": unplaced["esfGrantSEK"],
                      "granted": unplaced["projectsWithGrant"], "href": None})
    filters = [(k, v) for k, v in params.to_query()
               if k not in ("page", "per_page", "sort", "order")]
    filter_labels = await _filter_labels(index, params, filters, lang) if filters else []
    return render(request, "map.html", noindex=False, level=level, metric=metric, layer=layer,
                  areas=areas, legend=charts.legend(bounds, metric, lang) + (
                      [{"cls": "na", "text": fmt.MISSING[lang]}]
                      if any(a["cls"] == "na" for a in areas) else []),
                  hidden=filters, filter_labels=filter_labels, search_url=_url("/projects", params.with_(page=1)),
                  table=sorted(areas, key=lambda a: a["name"]) + extra,
                  not_drawn=sum(e["projects"] for e in extra),
                  csv_pairs=[*filters, ("level", level), ("lang", lang)])


async def _filter_labels(index: Any, params: Any, filters: list[tuple[str, str]],
                         lang: str) -> list[str]:
    """The map's active filters in words ("Region: Övre Norrland"), labels from the index."""
    try:
        result = await asyncio.to_thread(index.search, params.with_(page=1, per_page=1), lang)
    except Exception:  # noqa: BLE001 - the words are a courtesy; codes are shown instead
        result = {"facets": {}}
    out = []
    for key, val in filters:
        labels = {f["value"]: f["label"] for f in result.get("facets", {}).get(key, [])}
        name = i18n.t("facet." + key, lang) if "facet." + key in i18n.TEXT else key
        shown = i18n.t(f"abroad.{val}", lang) if key == "abroad" else labels.get(val, val)
        out.append(f"{name}: {shown}")
    return out


# --------------------------------------------------------------------------- entity pages


def _locator(highlight: dict[str, list[str]]) -> dict[str, Any]:
    """A small map of Sweden (county outlines) with some areas filled in."""
    base_layer = topo.layer("county", 180)
    marked = []
    for level, codes in highlight.items():
        wanted = set(codes)
        marked += [a for a in topo.layer(level, 180).areas if a.code in wanted]
    return {"layer": base_layer, "marked": marked}


async def _statements(request: Request, iri: str, lang: str) -> Markup:
    base = request.app.state.settings.base_iri
    run = runner(request)
    out = await run(statements.OUTGOING_QUERY, {"s": iri})
    inc = await run(statements.INCOMING_QUERY, {"s": iri})
    outgoing = statements.facts_from_rows(out, "p", "o", "label", "g")
    incoming = statements.facts_from_rows(inc, "p", "x", "label", None)
    # the statement table keeps its technical English headings (RDF terms) in both languages
    return Markup(statements.statements_html(base, outgoing, incoming))


def _kind_of(path: str) -> str | None:
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "id":
        if parts[1] == "project" and len(parts) == 3:
            return "project"
        if parts[1] == "org":
            return "org"
        if parts[1] in PLACE_KINDS and len(parts) == 3:
            return parts[1]
        if parts[1] == "place" and len(parts) == 3:
            return "abroad"
    return None


async def entity_html(request: Request, iri: str, path: str) -> Response | None:
    """The explorer page of an entity IRI (card, organisation, place), or None when the
    explorer has no page for this kind of IRI (the plain statements page is used then)."""
    kind = _kind_of(path)
    if kind is None:
        return None
    lang = lang_of(request)
    base = request.app.state.settings.base_iri
    run = runner(request)
    try:
        if kind == "project":
            data = await graphdata.project_card(run, iri, base, lang)
        elif kind == "org":
            data = await graphdata.org_page(run, iri, base, lang)
        elif kind == "abroad":
            data = await abroad.abroad_page(run, iri, base, lang)
        else:
            data = await graphdata.place_page(run, iri, kind, base, lang)
        if data is None:
            return render(request, "notfound.html", status=404, iri=iri)
        statements = await _statements(request, iri, lang)
    except graphdata.GraphUnavailable as exc:
        return _error(request, exc.status, str(exc))
    data_path = "/data/" + path.lstrip("/")
    if kind == "project":
        related, has_index = [], False
        index = search_index(request)
        if index is not None:
            try:
                related = await asyncio.to_thread(index.related, iri, 6, lang)
                for item in related:
                    item["href"] = graphdata.link(item.get("iri") or "", base)
                has_index = True
            except Exception as exc:  # noqa: BLE001 - related projects are an extra
                _LOG.warning("related projects of %s: %s", iri, exc)
        highlight = ({"municipality": [m["code"] for m in data["municipalities"]]}
                     if data["municipalities"] else
                     {"region": [r["code"] for r in data["regions"]]})
        return render(request, "project.html", card=data, statements=statements,
                      data_path=data_path, related=related, has_index=has_index,
                      locator=_locator(highlight))
    if kind == "org":
        return render(request, "org.html", org=data, statements=statements, data_path=data_path,
                      year_chart=charts.bars(
                          [{"label": y["year"], **y} for y in data["years"]], "esfGrantSEK", lang))
    if kind == "abroad":
        search = [("country", data["code"])] if data["code"] else []
        return render(request, "abroad.html", place=data, statements=statements,
                      data_path=data_path,
                      search_url="/projects?" + urlencode(search) if search else None,
                      download_pairs=[*search, ("all", "1")] if search else None)
    return render(request, "place.html", place=data, statements=statements, data_path=data_path,
                  year_chart=charts.bars([{"label": y["year"], **y} for y in data["years"]],
                                         "esfGrantSEK", lang),
                  locator=_locator({kind: [data["code"]]}),
                  search_url=f"/projects?{urlencode({kind: data['code']})}",
                  download_pairs=[(kind, data["code"]), ("all", "1")],
                  map_url=f"/map?level={kind}")


OWNER_CSV_COLUMNS = ("owner", "ownerLabel", "unitOf", "projects", "projectsWithGrant",
                     "esfGrantSEK")


async def owners_csv(request: Request) -> Response:
    """`/owners.csv?region=SE23` (or `municipality=`, `county=`): every owner of the place's
    projects, bodies with their units rolled up, each body followed by its units' shares;
    spreadsheet-safe, a missing sum an empty cell."""
    from esfgraph.csvsafe import csv_text

    chosen = [(k, request.query_params[k]) for k in PLACE_KINDS if request.query_params.get(k)]
    if len(chosen) != 1 or not re.fullmatch(r"[A-Za-z0-9]{1,12}", chosen[0][1]):
        return Response("Give one place: region=SE23, county=14 or municipality=1440.\n",
                        status_code=400, media_type="text/plain; charset=utf-8")
    kind, code = chosen[0]
    iri = f"{request.app.state.settings.base_iri}id/{kind}/{code}"
    try:
        rows = await graphdata.place_owner_table(runner(request), iri, kind, lang_of(request))
    except graphdata.GraphUnavailable as exc:
        return Response(str(exc) + "\n", status_code=exc.status,
                        media_type="text/plain; charset=utf-8")
    body = csv_text(OWNER_CSV_COLUMNS, (
        [r["owner"], r["label"], r["unitOf"], r["projects"], r["granted"],
         r["esfGrantSEK"] if str(r["granted"]) != "0" else None] for r in rows))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="owners-{kind}-{code}.csv"'})


def explorer_routes() -> list[BaseRoute]:
    """The explorer's routes, to be placed before the catch-all entity route."""
    return [
        Route("/", landing, methods=["GET"]),
        Route("/query", query_page, methods=["GET"]),
        Route("/projects", projects, methods=["GET"]),
        Route("/map", map_page, methods=["GET"]),
        Route("/owners.csv", owners_csv, methods=["GET"]),
        Mount("/explore-static", app=StaticFiles(
            directory=str(package_path("explore", "web", "static"))), name="explore-static"),
    ]


__all__ = ["entity_html", "explorer_routes"]
