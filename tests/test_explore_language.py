"""One language per page: every page kind of the explorer and the changes pages, fetched from a
running server in Swedish and in English, must show no visible word of the other language, no raw
IRI, no property name (`esfGrantSEK`, `hasUnit`), no datatype (`xsd:`) and no untranslated UI
key (`abroad.Ja`).

Visible text is the text outside <script>/<style> plus the title, alt, aria-label and placeholder
attributes. Quoted data (project titles, organisation names, the project texts) is in the data's
language: templates mark it with a `lang` attribute and the checker skips elements whose `lang`
differs from the page's. RDF shown on purpose (<code>, <pre>, <textarea> and elements marked
`data-rdf`, such as the statements table) is skipped too.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from esfgraph.web import i18n
from tests.serve_fixtures.server import RunningServer, running_server
from tests.test_changes import base_pages, edit_pages

REPO = Path(__file__).resolve().parent.parent

#: Frequent English function words and UI words that never belong on a Swedish page (English
#: place names included: Swedish pages say Belgien, Bryssel, Köpenhamn).
ENGLISH = frozenset(["the", "and", "of", "with", "from", "by", "was", "were", "is", "are", "this", "that", "these", "none", "other", "removed", "changed", "added", "restored", "money", "abstract", "projects", "project", "download", "show", "search", "searches", "grant", "grants", "places", "dates", "phase", "organisations", "fields", "contact", "details", "previous", "next", "page", "pages", "rows", "row", "results", "result", "query", "queries", "answered", "request", "failed", "chart", "description", "owner", "owners", "units", "largest", "municipality", "municipalities", "county", "counties", "sweden", "belgium", "brussels", "denmark", "copenhagen", "germany", "norway", "antwerp", "ghent", "helsinki"])

#: Frequent Swedish function words and UI words that never belong on an English page.
SWEDISH = frozenset(["och", "att", "som", "inte", "eller", "för", "från", "med", "av", "på", "är", "var", "den", "det", "de", "ett", "en", "har", "projekt", "kronor", "kr", "ladda", "visa", "sök", "sökning", "ändringar", "ändrad", "ändrat", "tidigare", "uppgift", "saknas", "alla", "sida", "nästa", "föregående", "tillagd", "tillagt", "borttagen", "borttaget", "pengar", "rader", "rad", "fråga", "frågor", "belopp", "beskrivning", "bakgrund", "syfte", "mål", "målgrupp", "ägare", "kommuner", "totalt", "stöd", "beviljat", "belgien", "bryssel", "köpenhamn", "danmark", "tyskland", "norge", "sverige"])

IRI = re.compile(r"\b(?:https?|urn|mailto):[^\s]+", re.IGNORECASE)
PROPERTY = re.compile(r"\b[a-z]+(?:[A-Z][a-z]*)+[A-Z]*\b")  # esfGrantSEK, hasUnit
DATATYPE = re.compile(r"\bxsd:\w*")
UI_KEY = re.compile(r"\b(?:{})\.[A-Za-z_.-]+".format("|".join(
    sorted({k.split(".")[0] for k in i18n.TEXT if "." in k}, key=len, reverse=True))))
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
HIDDEN = {"script", "style", "code", "pre", "textarea"}
ATTRS = ("title", "alt", "aria-label", "placeholder")


class VisibleText(HTMLParser):
    """Collects (text, where) of the visible text in the page's own language."""

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.found: list[tuple[str, str]] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _where(self, tag: str) -> str:
        return "/".join(t for t, _ in self.stack[-4:]) + ("/" + tag if tag else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "").split("-")[0]
        skip = (self._skipped() or tag in HIDDEN or "data-rdf" in values
                or (tag != "html" and bool(lang) and lang != self.page_lang))
        if not skip:
            for name in ATTRS:
                if values.get(name):
                    self.found.append((values[name] or "", f"{self._where(tag)}@{name}"))
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed <p>, <li>
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipped():
            self.found.append((data.strip(), self._where("")))


def problems(html: str, lang: str) -> list[str]:
    """Every visible string of `html` that is in the other language or is raw RDF."""
    parser = VisibleText(lang)
    parser.feed(html)
    parser.close()
    wrong = ENGLISH if lang == "sv" else SWEDISH
    out = []
    for text, where in parser.found:
        for pattern, what in ((IRI, "raw IRI"), (DATATYPE, "datatype"),
                              (PROPERTY, "property name"), (UI_KEY, "UI key")):
            for m in pattern.finditer(text):
                out.append(f"{what} {m.group(0)!r} in {where}: {text[:90]!r}")
        words = {w.casefold() for w in WORD.findall(text)}
        for w in sorted(words & wrong):
            out.append(f"{'English' if lang == 'sv' else 'Swedish'} word {w!r} in {where}: "
                       f"{text[:90]!r}")
    return out


# --------------------------------------------------------------------------- the checker itself


def test_the_checker_finds_each_kind_of_mistake():
    page = ('<html lang="sv"><head><title>Ändringar</title></head><body>'
            '<p>Belopp: 5 kr</p><span class="status">removed</span>'
            '<li>esfGrantSEK: 1 → 2</li><p>Se https://w3id.org/esfgraph/id/x</p>'
            '<p>"5"^^xsd:decimal</p><a class="chip" aria-label="ta bort abroad.Ja">x</a>'
            '<h2 lang="en">The Project</h2><code>https://ok/</code><div data-rdf>hasUnit</div>'
            '<script>var removed = 1;</script></body></html>')
    found = "\n".join(problems(page, "sv"))
    assert "'removed'" in found and "esfGrantSEK" in found and "https://w3id.org" in found
    assert "xsd:decimal" in found and "abroad.Ja" in found
    assert "Project" not in found and "https://ok/" not in found and "hasUnit" not in found
    assert len(problems(page, "sv")) == 5
    english = '<html lang="en"><body><p>11 projekt och 5 kr</p><p lang="sv">Unga och äldre</p>'
    assert {p.split(" in ")[0] for p in problems(english, "en")} == {
        "Swedish word 'projekt'", "Swedish word 'och'", "Swedish word 'kr'"}


# --------------------------------------------------------------------------- every page

P = "/id/project/"
PAGES = [
    "/",
    "/projects?q=unga",
    "/projects?q=ungdomar&period=2007-2013&abroad=true",
    "/projects?region=SE12&period=2007-2013",
    # an owner filter on an organisation that owns nothing itself: its chip showed the IRI
    "/projects?owner=https://w3id.org/esfgraph/id/org/flens-kommun",
    "/map",
    "/map?level=region&metric=projects&abroad=true",
    P + "vaga-valja-vag-vvv-genomforande-2009-08-01",  # 2007–2013, contacts abroad
    P + "mojligheter-del-2-genomforande-2009-08-15",  # 2007–2013
    P + "2018-00460",  # 2014–2020
    P + "2023-00147",  # 2021–2027
    "/id/org/pitea-kommun",
    "/id/org/flens-kommun/au-centrum",
    "/id/municipality/1440",
    "/id/county/14",
    "/id/region/SE33",
    "/id/place/BE",  # a country abroad
    "/id/place/BE-brussels",  # a city abroad
    "/changes",
    "/changes?kind=money",
    "/query",
    "/id/project/no-such-project",
    "/no-such-page",
    "/projects?page=0",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """Seeds (one page edited between two builds, so /changes has entries) and an ESF+ page."""
    from esfgraph.pipeline import build

    root = tmp_path_factory.mktemp("language")
    pages = base_pages(REPO / "seeds", root / "pages")
    shutil.copy(REPO / "tests/cases/esfplus-vagen-in/record.txt", pages / "esfplus.txt")
    build([pages], store_path=root / "store", validate=False, jobs=1)
    edit_pages(pages)
    build([pages], store_path=root / "store", validate=False, jobs=1)
    with running_server(root / "store", "--workers", "2", "--timeout", "20") as srv:
        yield srv


def fetch(srv: RunningServer, path: str, lang: str) -> httpx.Response:
    sep = "&" if "?" in path else "?"
    return httpx.get(f"{srv.url}{path}{sep}lang={lang}", headers={"accept": "text/html"},
                     timeout=60)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_speaks_one_language(server, path, lang):
    resp = fetch(server, path, lang)
    assert resp.status_code in (200, 400, 404), (path, resp.status_code)
    assert resp.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in resp.text
    found = problems(resp.text, lang)
    assert not found, f"{len(found)} strings in the wrong language or raw RDF:\n" + \
        "\n".join(found)


def test_places_abroad_numbers_and_dates_follow_the_page_language(server):
    vvv = P + "vaga-valja-vag-vvv-genomforande-2009-08-01"
    sv, en = fetch(server, vvv, "sv").text, fetch(server, vvv, "en").text
    assert ">Bryssel</a> (<a href=\"/id/place/BE\" lang=\"sv\">Belgien</a>)" in sv
    assert ">Brussels</a>" in en and ">Bryssel</a>" not in en
    assert "<h3>Sammanfattning</h3>" in sv and "<h3>Summary</h3>" in en  # not "Abstract"
    org = fetch(server, "/id/org/arbetsintegrerande-foreningen-steget", "sv").text
    assert '<dd data-field="orgNumber" data-value="8024815566">802481-5566</dd>' in org
    changes = fetch(server, "/changes", "sv").text
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT[^\"]*\">\d{1,2}\xa0[a-zåäö]+\.? \d{4}",
                     changes)
    assert "+7,7\xa0%" in changes and "+7.7\xa0%" in fetch(server, "/changes", "en").text
    chip = fetch(server, "/projects?abroad=true", "sv").text
    assert 'class="chip"' in chip and ">Ja ✕</a>" in chip


def test_changes_json_names_fields_for_the_card_history(server):
    """The card's History (filled by history.js) showed `esfGrantSEK` and raw concept IRIs."""
    sv_phase = "projektfas: Förprojektering → Genomförande"
    for lang, grant, phase in (("sv", "beviljat ESF-stöd (kr)", sv_phase),
                               ("en", "ESF grant (SEK)", "phase: ")):
        data = httpx.get(f"{server.url}/changes.json?lang={lang}", timeout=60).json()
        fields = {f["field"]: f for c in data["changes"] for f in c["fields"]}
        assert fields["esfGrantSEK"]["label"] == grant
        assert fields["esfGrantSEK"]["text"].startswith(grant + ": 556\xa0922 → 600\xa0000")
        assert fields["phase"]["text"].startswith(phase) and "https://" not in fields["phase"]["text"]
