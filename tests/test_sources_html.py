"""HTML pages: every layout in every markup gives the record its saved text gives.

Each seed and golden case text is written as HTML in several markups (tests/html_markups.py)
and read back through `esfgraph.sources.read_page`; the record must equal the text's, field by
field (only `source` and `provenance` differ).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esfgraph.parse import parse_text
from esfgraph.sources.html import decode_html, render_html
from esfgraph.sources.pages import is_html, read_page
from tests.html_markups import MARKUPS, _body, split_page, to_html

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted(ROOT.glob("seeds/*.txt")) + sorted(ROOT.glob("tests/cases/*/record.txt"))
OLD = ROOT / "seeds" / "000_d2ed1ed5029aa51d.txt"
NEW = ROOT / "seeds" / "003_58e54e8db85e930c.txt"
PLUS = ROOT / "tests" / "cases" / "esfplus-kalmar-shuffled" / "record.txt"


def _name(path: Path) -> str:
    return path.parent.name if path.name == "record.txt" else path.stem


@pytest.fixture(scope="module")
def wanted() -> dict[Path, dict]:
    """The record each text gives (the reference)."""
    out = {}
    for path in TEXTS:
        record = parse_text(path.read_text(encoding="utf-8"), str(path)).record
        assert record is not None
        out[path] = record.to_json()
    return out


def _fields(record_json: dict) -> dict:
    return {k: v for k, v in record_json.items() if k not in ("source", "provenance")}


def test_every_layout_is_covered() -> None:
    layouts = {parse_text(p.read_text(encoding="utf-8")).record.layout for p in TEXTS}
    assert layouts == {"2007-2013", "2014-2020", "2021-2027"}


@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("path", TEXTS, ids=_name)
def test_markup_gives_the_record_of_the_text(path: Path, markup: str, wanted) -> None:
    text = path.read_text(encoding="utf-8")
    main = TEXTS.index(path) % 2 == 0  # half the pages mark their content with <main>
    html = to_html(text, markup, main=main).encode("utf-8")
    result = read_page(f"page-{markup}.html", html)
    assert result.record is not None, [str(i) for i in result.issues]
    got = _fields(result.record.to_json())
    want = _fields(wanted[path])
    assert {k: got[k] for k in want if got[k] != want[k]} == {}
    assert result.record.provenance == {"kind": "page-html"}  # no sidecar: the kind only


def test_the_markups_really_differ() -> None:
    """Guard against a generator that writes one markup under seven names."""
    text = NEW.read_text(encoding="utf-8")
    pages = {m: to_html(text, m) for m in MARKUPS}
    assert len(set(pages.values())) == len(MARKUPS)
    assert "<dt>Region:</dt>" in pages["dl"] and "<th>Region:</th>" in pages["table"]
    old = to_html(OLD.read_text(encoding="utf-8"), "spans")
    assert "<span>Projektfas</span><span>Genomförande</span>" in old


def test_split_finds_labels_title_and_body() -> None:
    sp = split_page(OLD.read_text(encoding="utf-8"))
    assert sp.title == "Ung och aktiv" and not sp.colon
    assert ("Projektfas", "Genomförande") in sp.pairs
    assert "In English" in sp.pairs
    assert any(line.strip() == "• Ale" for line in sp.body)


# -- rendering -------------------------------------------------------------------------------


def test_rendering_drops_chrome_and_keeps_page_text() -> None:
    html = to_html(OLD.read_text(encoding="utf-8"), "dl", main=False)
    text = render_html(html)
    for chrome in ("Om ESF", "Personuppgifter", "Box 47141", "window.x", "var x",
                   "Vi använder kakor", "Acceptera", "Svenska ESF-rådet"):
        assert chrome not in text, chrome
    assert "Ung och aktiv" in text and "  • Ale" not in text and "• Ale" in text
    assert "ProjektfasGenomförande" in text.split("\n")


def test_chrome_holding_the_labels_is_kept() -> None:
    """An `aside` fact box or a `header` with the title is the page, not chrome."""
    html = ("<html><body><header><h1>Ung och aktiv</h1></header><aside><dl>"
            "<dt>Projektägare</dt><dd>Ale kommun</dd><dt>Projektfas</dt><dd>Genomförande</dd>"
            "<dt>Region</dt><dd>Västsverige</dd><dt>Projektperiod</dt>"
            "<dd>2014-02-17 till 2014-08-16</dd></dl></aside>"
            "<nav><a href='/'>Start</a></nav></body></html>")
    record = read_page("p.html", html.encode()).record
    assert record is not None
    assert (record.title, record.owner, record.phase, record.region) == (
        "Ung och aktiv", "Ale kommun", "Genomförande", "Västsverige")


def test_hidden_and_aria_hidden_parts_are_dropped() -> None:
    html = ('<html><body><div hidden>Dold text</div><p aria-hidden="true">Ikon</p>'
            '<p style="display: none">Osynlig</p><p>Synlig</p></body></html>')
    assert render_html(html).strip() == "Synlig"


def test_label_value_table_row_reads_on_one_line() -> None:
    """A two-cell row renders as the saved text has it, whatever the column widths."""
    html = ("<table><tr><td>Region:</td><td>Övre Norrland</td></tr>"
            "<tr><td>Projektägare:</td><td>Piteå kommun</td></tr></table>")
    assert render_html(html).split("\n")[:4] == [
        "Region:", "Övre Norrland", "Projektägare:", "Piteå kommun"]


def test_inline_spans_glue_a_2007_label_to_its_value() -> None:
    html = "<div><span>Projektfas</span><span>Genomförande</span></div>"
    assert render_html(html).strip() == "ProjektfasGenomförande"


def test_ordered_lists_and_line_breaks_render_like_a_browser() -> None:
    html = "<p>Ett<br>Två</p><ol><li>första</li><li>andra</li></ol>"
    assert [ln.strip() for ln in render_html(html).split("\n") if ln.strip()] == [
        "Ett", "Två", "1. första", "2. andra"]


def test_markup_quoted_as_text_is_kept_as_text() -> None:
    """`&lt;div&gt;` in a page is text a browser shows, not markup to reject."""
    text = NEW.read_text(encoding="utf-8").replace(
        "Motivera och Aktivera MOA", "Motivera <div> och <p> Aktivera <b> <i> <table>")
    result = read_page("q.html", to_html(text, "dl").encode())
    assert result.record is not None
    assert result.record.title == "Motivera <div> och <p> Aktivera <b> <i> <table>"


# -- what is HTML, and its encoding ----------------------------------------------------------


def test_html_is_sniffed_by_content_and_by_name() -> None:
    page = to_html(NEW.read_text(encoding="utf-8"), "dl").encode()
    assert is_html("page.txt", page) and is_html("saved", page)
    assert is_html("x.html", b"<p>Region:</p>") and not is_html("x.txt", b"<p>Region:</p>")
    assert not is_html("x.html", NEW.read_bytes())  # a text file named .html stays text
    assert read_page("x.html", NEW.read_bytes()).record.project_number == "2018/00460"


@pytest.mark.parametrize("declare", ["meta", "http-equiv", "content-type"])
def test_windows_1252_page_is_decoded_by_its_declaration(declare: str) -> None:
    html = to_html(NEW.read_text(encoding="utf-8"), "table", charset="windows-1252")
    if declare == "http-equiv":
        html = html.replace('<meta charset="windows-1252">', '<meta http-equiv="Content-Type" '
                            'content="text/html; charset=ISO-8859-1">')
    content_type = None
    if declare == "content-type":
        html = html.replace('<meta charset="windows-1252">', "")
        content_type = "text/html; charset=windows-1252"
    text, encoding, notes = decode_html(html.encode("cp1252"), content_type)
    assert encoding == "cp1252" and notes == [] and "Piteå kommun" in text


def test_undeclared_non_utf8_page_falls_back_to_windows_1252_with_a_warning() -> None:
    html = to_html(NEW.read_text(encoding="utf-8"), "dl").replace('<meta charset="utf-8">', "")
    result = read_page("p.html", html.encode("cp1252"))
    assert result.record.owner == "Piteå kommun, Samhällsbyggnad Kompetensförsörjning"
    assert any("Windows-1252" in i.message for i in result.warnings)


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF8, "utf-8"),
                                       (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_byte_order_mark_wins(bom: bytes, codec: str) -> None:
    html = to_html(NEW.read_text(encoding="utf-8"), "dl", charset="windows-1252")
    result = read_page("p.html", bom + html.encode(codec))
    assert result.record is not None and result.record.region == "Övre Norrland"


# -- not a project page ----------------------------------------------------------------------


def test_html_that_is_not_a_project_page_is_rejected_with_a_reason() -> None:
    html = b"<!DOCTYPE html><html><body><h1>Nyheter</h1><p>Inga projekt.</p></body></html>"
    result = read_page("news.html", html)
    assert result.record is None
    assert "HTML page with no Projektbanken labels" in result.errors[0].message


def test_empty_html_page_is_rejected() -> None:
    result = read_page("empty.html", b"<html><body>   </body></html>")
    assert result.record is None and result.errors


_TAGS = st.sampled_from(["p", "div", "dl", "dt", "dd", "table", "tr", "td", "th", "ul", "li",
                         "span", "b", "main", "nav", "header", "footer", "aside", "br", "h1"])
_BITS = st.one_of(_TAGS.map(lambda t: f"<{t}>"), _TAGS.map(lambda t: f"</{t}>"),
                  st.sampled_from(["Region:", "Projektägare", "Projektfas", "Övre Norrland",
                                   "Namn:", "2018/00460 - X", "&amp;", "<!--", "-->", "<?xml?>"]),
                  st.text(max_size=12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BITS, max_size=40))
def test_any_markup_soup_never_raises(bits: list[str]) -> None:
    result = read_page("soup.html", ("<html><body>" + "".join(bits)).encode("utf-8",
                                                                            "surrogatepass"))
    assert result.ok or result.errors
    for issue in result.issues:
        assert issue.source == "soup.html"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["x.html", "x.html.gz", "x.txt", "x.gz"]))
def test_any_bytes_never_raise(data: bytes, name: str) -> None:
    for blob in (data, b"\x1f\x8b" + data, b"<html>" + data):
        result = read_page(name, blob)
        assert result.ok or result.errors


def test_control_characters_in_html_do_not_stop_the_page() -> None:
    html = to_html(NEW.read_text(encoding="utf-8"), "dl").replace("<h1>", "<h1>\x00\x07", 1)
    assert read_page("p.html", html.encode()).record.title == "Motivera och Aktivera MOA"


# -- `Label: value` on one line in the text readers -------------------------------------------


@pytest.mark.parametrize("path", [p for p in TEXTS
                                  if split_page(p.read_text(encoding="utf-8")).colon], ids=_name)
def test_label_and_value_on_one_line_read_as_on_two(path: Path, wanted) -> None:
    sp = split_page(path.read_text(encoding="utf-8"))
    lines = ([*sp.preamble, "", sp.title or "", ""]
             + [p if isinstance(p, str) else f"{p[0]} {p[1]}".rstrip() for p in sp.pairs]
             + sp.body)
    one_line = "\n".join(lines)
    assert any(":" in ln and not ln.rstrip().endswith(":") for ln in lines)
    got = parse_text(one_line, str(path)).record
    assert _fields(got.to_json()) == _fields(wanted[path])


def test_unknown_label_on_one_line_is_kept_in_extra() -> None:
    text = PLUS.read_text(encoding="utf-8").replace("Tema:\nDigital delaktighet",
                                                    "Tema: Digital delaktighet")
    record = parse_text(text).record
    assert record.extra == {"Tema": "Digital delaktighet"}
    assert record.beneficiary_city == "Kalmar"  # the block went on after it


def test_wrapped_value_in_lower_case_is_not_taken_for_a_label() -> None:
    text = NEW.read_text(encoding="utf-8").replace(
        "Piteå kommun, Samhällsbyggnad Kompetensförsörjning\n",
        "Piteå kommun, Samhällsbyggnad\navd: Kompetensförsörjning\n")
    record = parse_text(text).record
    assert record.owner == "Piteå kommun, Samhällsbyggnad avd: Kompetensförsörjning"
    assert record.extra == {}


# -- markups written by hand, unlike the generated ones ---------------------------------------


def _hand(path: Path, facts: str, *, body_markup: Callable[[list[str]], str] | None = None,
          wrap: Callable[[str], str] = lambda s: s) -> bytes:
    """A page with a hand-written label block and the text's own title and body."""
    sp = split_page(path.read_text(encoding="utf-8"))
    body = (body_markup or _body)(sp.body)
    page = (f"<h1>{escape(sp.title)}</h1>\n{facts}\n<div class='text'>{body}</div>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
            + wrap(page) + "</body></html>").encode("utf-8")


def _same(path: Path, html: bytes, wanted) -> None:
    result = read_page("hand.html", html)
    assert result.record is not None, [str(i) for i in result.issues]
    got = _fields(result.record.to_json())
    want = _fields(wanted[path])
    assert {k: (got[k], want[k]) for k in want if got[k] != want[k]} == {}


def test_aspnet_page_with_nested_label_blocks_and_a_trailing_cookie_banner(wanted) -> None:
    """The whole page in a <form>; each label and value in their own nested blocks; breadcrumbs
    before the title; a cookie banner without any role after the content."""
    path = ROOT / "tests" / "cases" / "esfplus-vagen-in" / "record.txt"
    pairs = [p for p in split_page(path.read_text(encoding="utf-8")).pairs if not isinstance(p, str)]
    facts = "<div class='facts'>" + "".join(
        f"<div class='item'><div class='label'><span>{escape(a)}</span></div>"
        f"<div class='value'><p>{escape(b)}</p></div></div>" for a, b in pairs) + "</div>"

    def wrap(page: str) -> str:
        return ("<form id='aspnetForm'><ol class='crumbs'><li><a href='/'>Start</a></li>"
                "<li><a href='/p'>Projektbanken</a></li></ol>" + page
                + "<div class='cc'><p>Vi använder kakor (cookies) för att förbättra "
                "webbplatsen.</p><button>Jag förstår</button></div></form>")

    _same(path, _hand(path, facts, wrap=wrap), wanted)


def test_dl_with_div_groups_and_a_table_with_a_header_row(wanted) -> None:
    path = NEW
    pairs = [p for p in split_page(path.read_text(encoding="utf-8")).pairs if not isinstance(p, str)]
    half = len(pairs) // 2
    dl = "<dl>" + "".join(f"<div><dt>{escape(a)}</dt><dd>{escape(b)}</dd></div>"
                          for a, b in pairs[:half]) + "</dl>"
    table = ("<table><thead><tr><th>Uppgift</th><th>Värde</th></tr></thead><tbody>"
             + "".join(f"<tr><td><strong>{escape(a)}</strong></td><td>{escape(b)}</td></tr>"
                       for a, b in pairs[half:]) + "</tbody></table>")
    _same(path, _hand(path, dl + table), wanted)


def test_2007_labels_in_bold_runs_with_line_breaks_and_numbered_municipalities(wanted) -> None:
    """One paragraph of `<b>Label</b>value<br>` runs; sections as dt/dd; municipalities in <ol>."""
    path = OLD
    sp = split_page(path.read_text(encoding="utf-8"))
    runs = "<br>\n".join(f"<b>{escape(p[0])}</b>{escape(p[1])}" if not isinstance(p, str)
                         else f"<a href='/en'>{escape(p)}</a>" for p in sp.pairs)

    def body(lines: list[str]) -> str:
        html = _body(lines)
        html = html.replace("<ul>", "<ol>").replace("</ul>", "</ol>")
        return html.replace("<h2>Sammanfattning</h2>", "<dl><dt>Sammanfattning</dt><dd>", 1
                            ).replace("</p>\n<h2>Bakgrund</h2>", "</p></dd></dl>\n<h2>Bakgrund</h2>", 1)

    html = _hand(path, f"<p class='facts'>{runs}</p>", body_markup=body)
    assert b"<dt>Sammanfattning</dt>" in html and b"<ol><li>Ale</li></ol>" in html
    _same(path, html, wanted)


_MORE = {
    "b-br": lambda a, b: f"<strong>{a}</strong><br>{b}<br>",
    "p-br": lambda a, b: f"<p>{a}<br>{b}</p>",
    "h4-div": lambda a, b: f"<section><h4>{a}</h4><div>{b}</div></section>",
    "label-span": lambda a, b: f"<label>{a}</label> <span>{b}</span><br>",
    "dt-p": lambda a, b: f"<dl><dt><p>{a}</p></dt><dd><p>{b}</p></dd></dl>",
}


@pytest.mark.parametrize("markup", sorted(_MORE))
@pytest.mark.parametrize("path", [OLD, NEW, PLUS], ids=_name)
def test_more_markups_written_by_hand(path: Path, markup: str, wanted) -> None:
    """Label and value as a browser shows them on two lines, however the markup got there."""
    sp = split_page(path.read_text(encoding="utf-8"))
    facts = "".join(_MORE[markup](escape(p[0]), escape(p[1])) if not isinstance(p, str)
                    else f"<p>{escape(p)}</p>" for p in sp.pairs)
    _same(path, _hand(path, f"<section>{facts}</section>"), wanted)


def test_bare_labels_are_glued_in_the_label_block_only() -> None:
    """`Telefon` alone on a line in the text below the labels stays text, unglued."""
    html = ("<h1>T</h1><p><b>Projektfas</b><br>Genomförande<br><b>Region</b><br>Västsverige</p>"
            "<h2>Sammanfattning</h2><p>Ring oss<br>Telefon<br>0303-12 34 56</p>")
    assert render_html(html).split("\n") == [
        "T", "", "ProjektfasGenomförande", "RegionVästsverige", "", "Sammanfattning", "",
        "Ring oss", "Telefon", "0303-12 34 56", ""]


#: Pages with labels the table does not know, first, in the middle and last in the block.
_UNKNOWN = {
    "2007-middle": (OLD, "KontaktpersonJerry Brattåsen\n",
                    "KontaktpersonJerry Brattåsen\nKontaktpersonerAnna Berg\nWebbplatswww.ale.se\n"),
    "2007-last": (ROOT / "seeds" / "004_9d0b371948660b7f.txt", "RegionÖstra Mellansverige\n",
                  "RegionÖstra Mellansverige\nSamverkanOrganisationer i Flen\n"),
    "2014-last": (NEW, "Specifikt mål:\n2.1\n", "Specifikt mål:\n2.1\nTema:\nDigital delaktighet\n"),
    "esfplus-middle": (ROOT / "tests" / "cases" / "esfplus-vagen-in" / "record.txt", "Region:\n",
                       "Tema:\nDigital delaktighet\nRegion:\n"),
}


@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("case", sorted(_UNKNOWN))
def test_unknown_labels_in_every_markup(case: str, markup: str) -> None:
    path, old, new = _UNKNOWN[case]
    text = path.read_text(encoding="utf-8").replace(old, new)
    want = parse_text(text).record
    assert want.extra and all(k in new for k in want.extra)  # the case is what it says
    got = read_page("u.html", to_html(text, markup, main=markup != "table").encode()).record
    assert _fields(got.to_json()) == _fields(want.to_json())


def test_menu_inside_a_kept_header_is_still_dropped() -> None:
    """A page-level header kept for its title must not shield the menu inside it."""
    html = ("<body><header><nav><a href='/'>Start</a> <a href='/om'>Om oss</a></nav>"
            "<h1>Ung och aktiv</h1></header><p>ProjektfasGenomförande</p></body>")
    assert [ln for ln in render_html(html).split("\n") if ln] == [
        "Ung och aktiv", "ProjektfasGenomförande"]


def test_page_saved_from_a_browser_as_html_only(tmp_path: Path) -> None:
    """Chrome's "HTML only": a `saved from url` comment first, CRLF line ends, a .htm name."""
    html = to_html(NEW.read_text(encoding="utf-8"), "table", charset="windows-1252")
    html = ("<!-- saved from url=(0064)https://www.esf.se/resultat/projektbanken/projekt/"
            "?dnr=2018/00460 -->\n" + html).replace("\n", "\r\n")
    path = tmp_path / "Motivera och Aktivera MOA - Svenska ESF-rådet.htm"
    path.write_bytes(html.encode("cp1252"))
    from esfgraph.sources.pages import read_file

    result = read_file(path)
    assert result.record is not None and result.record.provenance == {"kind": "page-html"}
    assert result.record.owner == "Piteå kommun, Samhällsbyggnad Kompetensförsörjning"
