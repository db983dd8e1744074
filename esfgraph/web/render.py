"""Rendering a page: the Jinja2 environment, the page language of a request, the response.

The explorer's pages and the change pages share one layout, one set of template helpers
(esfgraph.web.format, esfgraph.web.i18n) and one way of choosing the language, so the code that
renders them sits below both. The templates are shipped in esfgraph/explore/web/templates
(one directory, one layout); only this module reads them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from esfgraph.resources import package_path
from esfgraph.web import format as fmt
from esfgraph.web import i18n

#: Where the page templates are (package data of esfgraph.explore.web; a path, not an import).
TEMPLATES = ("explore", "web", "templates")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(package_path(*TEMPLATES))),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(t=i18n.t, money=fmt.money, amount=fmt.amount,
                       total_amount=fmt.total_amount, coverage=fmt.coverage,
                       number=fmt.number, percent=fmt.percent,
                       date=fmt.date, date_range=fmt.date_range, compact_money=fmt.compact_money,
                       local_name=fmt.local_name, link_text=fmt.link_text,
                       concept_label=fmt.concept_label, org_number=fmt.org_number,
                       short_date=fmt.short_date, urlencode=lambda pairs: urlencode(list(pairs)))
    return env


ENV = _environment()


def lang_of(request: Request) -> str:
    """The page language of a request (URL, cookie, Accept-Language, Swedish)."""
    return i18n.choose_lang(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE),
                            request.headers.get("accept-language"))


def switch_url(request: Request, lang: str) -> str:
    """The current URL with the other language."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    pairs.append(("lang", "en" if lang == "sv" else "sv"))
    return request.url.path + "?" + urlencode(pairs)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's language; `?lang=` is remembered in a cookie."""
    lang = lang_of(request)
    page = ENV.get_template(template).render(
        lang=lang, other_lang="en" if lang == "sv" else "sv", switch_url=switch_url(request, lang),
        path=request.url.path, **context)
    response = HTMLResponse(page, status_code=status, headers={"Vary": "Accept, Accept-Language, Cookie"})
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, request.query_params["lang"], max_age=365 * 86400,
                            samesite="lax")
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page (status and message) in the request's language."""
    return render(request, "error.html", status=status, status_code=status, message=message)


__all__ = ["ENV", "error_page", "lang_of", "render", "switch_url"]
