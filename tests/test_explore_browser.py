"""The explorer in a real headless Chromium (Debian's package) driven by Playwright: what a
person sees on the landing page, a search with two filters, a card of each programme period,
an organisation page, a municipality page and the map. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tests.serve_fixtures.server import running_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing (install it with scripts/install-browser.sh; CI does)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = REPO / "docs" / "screenshots"
NBSP = "\u00a0"
CARDS = {  # one project of each programme period
    "2007-2013": "/id/project/vaga-valja-vag-vvv-forprojektering-2009-08-01",
    "2014-2020": "/id/project/2018-00460",
    "2021-2027": "/id/project/2022-00877",  # its case number (issue 22)
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The seeds plus a hand-written 2021–2027 page, built by `esfgraph build` (with the index)."""
    from esfgraph.cli import main

    store = tmp_path_factory.mktemp("explore-browser") / "store"
    result = CliRunner().invoke(main, ["build", str(REPO / "seeds"),
                                       str(REPO / "tests/cases/esfplus-vagen-in/record.txt"),
                                       "--store", str(store), "--no-validate", "-j", "1", "-q"])
    assert result.exit_code in (0, 1), result.output
    with running_server(store, "--timeout", "20", "--workers", "2") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright  # a test dependency; never `playwright install`

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab (English UI) that may only talk to the server; JS errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []
    context.route("**/*", lambda route: (
        route.continue_() if route.request.url.startswith(server.url)
        else (outside.append(route.request.url), route.abort())))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert outside == [], f"the page tried to reach other hosts: {outside}"
    assert errors == [], f"errors in the browser console: {errors}"


def shot(tab, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_landing_page(page, server):
    page.goto(server.url + "/")
    assert page.inner_text("h1") == "ESF projects in Sweden"
    figures = page.locator(".figure strong").all_inner_texts()
    assert figures[0] == "6" and figures[1].endswith("SEK")
    periods = page.locator("table.periods tbody tr")
    assert periods.count() == 3
    assert periods.nth(2).locator("td").all_inner_texts()[1:] == ["1", "not stated"]  # ESF+: no amount, not 0
    assert page.locator("figure.chart").count() == 3
    assert page.locator("svg.bars rect.bar").count() >= 7
    regions = page.locator("figure.chart").nth(1).locator("text.label").all_text_contents()
    assert regions[0] == "Övre Norrland"  # the largest grant first
    shot(page, "landing")
    page.fill("#q", "ungdomar")
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects?q=ungdomar*")
    assert page.locator("li.hit").count() >= 1


def test_search_with_two_filters(page, server):
    page.goto(server.url + "/projects?q=unga")
    before = int(page.get_attribute("p.summary", "data-total"))
    page.check("fieldset[data-facet=period] input[value='2007-2013']")
    page.check("fieldset[data-facet=region] input[value='SE12']")
    page.click("aside.facets button[type=submit]")
    page.wait_for_url("**region=SE12*")
    assert "period=2007-2013" in page.url and "q=unga" in page.url
    total = int(page.get_attribute("p.summary", "data-total"))
    assert 0 < total < before
    titles = page.locator("li.hit h2").all_inner_texts()
    assert len(titles) == total and set(titles) <= {"Våga Välja Väg (VVV)", "Visioncenter"}
    assert page.locator("li.hit mark").count() >= 1  # highlighted words
    chips = page.locator("p.selected a.chip").all_inner_texts()
    assert any("Östra Mellansverige" in c for c in chips)
    shot(page, "search")
    # the URL is the state: reloading gives the same page, a chip removes its filter
    page.reload()
    assert int(page.get_attribute("p.summary", "data-total")) == total
    page.click("p.selected a.chip:has-text('Östra Mellansverige')")
    assert "region=SE12" not in page.url


@pytest.mark.parametrize("period", sorted(CARDS))
def test_project_card_of_each_period(page, server, period):
    page.goto(server.url + CARDS[period])
    assert period.replace("-", "–") in page.inner_text(".kicker")
    if period == "2021-2027":  # ESF+ pages print no budget: the card shows none
        assert page.locator("[data-field=esfGrantSEK]").count() == 0
        assert page.inner_text("[data-field=fund]") == "European Social Fund Plus"
        assert page.inner_text("[data-field=projectNumber]") == "2023/00147"
    else:
        grant = page.inner_text("[data-field=esfGrantSEK]")
        assert grant.endswith(f"{NBSP}SEK") and grant[0].isdigit()
    owner = page.locator("[data-field=owner] a").first
    assert owner.is_visible()
    assert page.locator("svg.locator .marked path").count() >= 1
    assert not page.locator("details.statements table").first.is_visible()  # collapsed
    shot(page, f"card-{period}")
    page.click("details.statements summary")
    assert page.locator("details.statements table.facts").first.locator("tbody tr").count() > 10
    if period == "2007-2013":
        contacts = page.locator("ul.contacts li")
        assert contacts.count() >= 2 and "Brussels" in page.inner_text("ul.contacts")
        for i in range(contacts.count()):  # each contact abroad with the sentence it came from
            assert "Bryssel" in contacts.nth(i).locator("blockquote.evidence").inner_text()
    if period == "2014-2020":
        assert grant == f"11{NBSP}159{NBSP}401{NBSP}SEK"
        assert "Piteå kommun" in page.inner_text("[data-field=owner]")
    owner.click()
    page.wait_for_selector("h1")
    assert "/id/org/" in page.url


def test_organisation_page(page, server):
    page.goto(server.url + "/id/org/flens-kommun/au-centrum")
    assert page.inner_text("h1") == "AU-Centrum"
    assert "Flens kommun" in page.inner_text(".kicker")
    assert page.inner_text("[data-field=esfGrantOwner]").splitlines() == [
        f"620{NBSP}800{NBSP}SEK", "1 project, 1 of them with a stated grant"]
    assert page.locator("section[data-role=owner] tbody tr").count() == 1
    copartners = page.locator("text=Works together with").locator("xpath=..").inner_text()
    assert "JES" in copartners and "Arbetsförmedlingen Flen" in copartners  # its prefLabel (issue 22)
    assert page.locator("svg.bars rect.bar").count() == 1
    shot(page, "organisation")


def test_municipality_page(page, server):
    page.goto(server.url + "/id/municipality/1440")
    assert page.inner_text("h1") == "Ale"
    assert page.get_attribute("[data-field=projects]", "data-value") == "1"
    assert "Ung och aktiv" in page.inner_text("section[data-role=projects]")
    assert page.locator("svg.locator .marked path").count() == 1
    assert "Who's On First" in page.inner_text(".attribution")
    shot(page, "municipality")


def test_map(page, server):
    page.goto(server.url + "/map")
    shapes = page.locator("svg.map a.area path")
    assert shapes.count() == 290
    coloured = page.locator("svg.map path:not(.q0)")
    assert 1 <= coloured.count() <= 6
    legend = page.locator(".legend li")
    assert legend.count() >= 2
    fills = {page.locator(".legend li rect").nth(i).evaluate("e => getComputedStyle(e).fill")
             for i in range(legend.count())}
    assert len(fills) == legend.count()  # each class its own colour
    assert "Who's On First" in page.inner_text("figcaption.attribution")
    ale = page.locator("svg.map a[data-code='1440'] path")
    title = ale.locator("title").text_content()
    assert title == f"Ale kommun: 450{NBSP}000{NBSP}SEK"
    shot(page, "map", full=True)
    page.locator("svg.map a[data-code='1440']").focus()  # keyboard reaches an area
    assert page.inner_text("#map-info") == f"Ale kommun: 450{NBSP}000{NBSP}SEK"
    page.keyboard.press("Enter")
    page.wait_for_url("**/id/municipality/1440")
    assert page.inner_text("h1") == "Ale"


def test_map_by_region_follows_the_search_filters(page, server):
    page.goto(server.url + "/map?level=region&metric=projects&period=2014-2020")
    assert page.locator("svg.map a.area").count() == 8
    assert "Programming period: Programming period 2014–2020" in page.inner_text("p.filters")
    page.hover("svg.map a[data-code='SE33'] path")
    assert page.inner_text("#map-info") == "Övre Norrland: 1"
    assert page.locator("svg.map path:not(.q0)").count() == 1  # only Övre Norrland
    page.click("svg.map a[data-code='SE33']")
    page.wait_for_url("**/id/region/SE33")
    assert page.inner_text("h1") == "Övre Norrland"


def test_phone_width(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    tab = context.new_page()
    tab.goto(server.url + CARDS["2014-2020"])
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the card scrolls sideways on a phone ({width}px)"
    assert tab.inner_text("[data-field=esfGrantSEK]") == f"11{NBSP}159{NBSP}401{NBSP}kr"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip"
    shot(tab, "card-phone")
    context.close()


def test_html_in_the_search_box_is_shown_as_text_and_never_runs(page, server):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    attack = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    page.goto(server.url + "/projects?q=" + quote(attack))
    assert page.input_value("#q") == attack
    assert page.locator("img[src=x]").count() == 0 and dialogs == []


def test_phone_search_has_filters_before_results_and_a_skip_link(browser, server):
    """At 390 px the filters are a closed "Filter" button above the results (they used to come
    after all 20 results), a skip link reaches the results in three key presses, and the
    landing page neither scrolls sideways nor cuts a chart label off."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    tab = context.new_page()
    try:
        for path in ("/id/region/SE33", "/id/municipality/1440", "/id/org/pitea-kommun"):
            tab.goto(server.url + path + "?lang=sv")  # tables of owners and projects fit
            assert tab.evaluate("document.documentElement.scrollWidth") <= 390, path
        tab.goto(server.url + "/?lang=sv")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        cut = tab.evaluate("""() => [...document.querySelectorAll('svg.bars text')].filter(t => {
            const b = t.getBBox(), vb = t.ownerSVGElement.viewBox.baseVal;
            return b.x < 0 || b.x + b.width > vb.width; }).map(t => t.textContent)""")
        assert cut == [], f"chart labels cut off: {cut}"
        tab.goto(server.url + "/projects?q=unga&lang=sv")
        button = tab.locator("summary.filter-button")
        first_hit = tab.locator("li.hit").first
        assert button.is_visible() and button.inner_text() == "Filter"
        assert button.bounding_box()["y"] < first_hit.bounding_box()["y"]
        assert not tab.locator("fieldset[data-facet=period]").is_visible()  # closed on a phone
        shot(tab, "search-phone")
        tab.keyboard.press("Tab")
        tab.keyboard.press("Tab")
        assert tab.evaluate("document.activeElement.textContent") == "Hoppa till resultaten"
        tab.keyboard.press("Enter")
        assert tab.evaluate("document.activeElement.id") == "results"
        for presses in range(1, 16):  # from the results, Tab reaches the first hit soon
            tab.keyboard.press("Tab")
            if tab.evaluate("!!document.activeElement.closest('li.hit')"):
                break
        else:
            raise AssertionError("15 Tab presses after the skip link do not reach a result")
        assert presses <= 10, presses
        button.click()
        assert tab.locator("fieldset[data-facet=period]").is_visible()
        tab.check("fieldset[data-facet=period] input[value='2007-2013']")
        tab.click("aside.facets button[type=submit]")
        tab.wait_for_url("**period=2007-2013*")
        assert tab.locator("p.selected a.chip").count() == 1
    finally:
        context.close()
