"""Write a saved text page as HTML in several markups (for the HTML reader's tests and bench).

The text is split the way the layout readers see it (chrome and title, the label block, the
body), then each label and value is set out in one markup: `dl/dt/dd`, a table of label and
value cells, label and value blocks (a row of two divs, or flat paragraphs), inline spans (a
2007–2013 label glued to its value), or a bold label followed by its value on the same line.
Bullets become `ul/li`, headings `h2`, paragraphs `p` with `br` between their lines. Site
chrome (a header with navigation, a cookie dialog, scripts, a footer) surrounds the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from esfgraph.parse import labels as L
from esfgraph.parse.decode import clean_text
from esfgraph.parse.layouts import _BULLET_RE, COLON, NotAPage, _Page

MARKUPS = ("dl", "table", "div-rows", "flat-p", "spans", "inline-bold", "li-pairs")


@dataclass
class Split:
    """A text page cut where the layout readers cut it."""

    preamble: list[str]
    title: str | None
    pairs: list[tuple[str, str] | str]  # (label as printed, value) or a plain line
    body: list[str]
    colon: bool


def split_page(text: str) -> Split:
    """Cut a saved text page into preamble, title, labelled values and body."""
    lines = clean_text(text, html_ok=True).text.split("\n")
    page = _Page("\n".join(lines), "x")
    try:
        mode, start = page.find_block()
    except NotAPage:  # a heading-only (minimal) page: a title and text, no field block
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        first = nonblank[0] if nonblank else 0
        title = lines[first].strip() if nonblank else None
        return Split([], title, [], lines[first + 1:], False)
    found, end = page.read_colon_block(start) if mode == COLON else page.read_glued_block(start)
    before = [ln.strip() for ln in lines[:start] if ln.strip()]
    title = before[-1] if before and not L.is_preamble_chrome(before[-1]) else None
    preamble = before[:-1] if title else before
    at = {lab.line: lab for lab in found}
    pairs: list[tuple[str, str] | str] = []
    i = start
    while i < end:
        s = lines[i].strip()
        lab = at.get(i)
        if lab is None:
            if s:
                pairs.append(s)
            i += 1
            continue
        if mode == COLON:
            colon = s.index(":") + 1 if ":" in s else len(s)
            label, rest = s[:colon].strip(), s[colon:].strip()
            if rest:
                pairs.append((label, rest))
                i += 1
                continue
            j = i + 1
            value_lines = []
            while j < end and j not in at and lines[j].strip():
                value_lines.append(lines[j].strip())
                j += 1
            pairs.append((label, " ".join(value_lines)))
            i = j
            continue
        value = lab.value
        label = s[: len(s) - len(value)] if value and s.endswith(value) else s
        pairs.append((label, value))
        i += 1
    return Split(preamble, title, pairs, lines[end:], mode == COLON)


def _pair(markup: str, label: str, value: str) -> str:
    lab, val = escape(label), escape(value)
    if markup == "table":
        return f"<tr><th>{lab}</th><td>{val}</td></tr>"
    if markup == "dl":
        return f"<dt>{lab}</dt>\n<dd>{val}</dd>"
    if markup == "div-rows":
        return f'<div class="row"><div>{lab}</div>\n  <div>{val}</div></div>'
    if markup == "flat-p":
        return f"<p>{lab}</p>\n<p>{val}</p>" if value else f"<p>{lab}</p>"
    if markup == "spans":
        return f"<div><span>{lab}</span><span>{val}</span></div>"
    if markup == "li-pairs":
        return f"<li><span>{lab}</span> <span>{val}</span></li>"
    sep = " " if label.endswith(":") else ""
    return f"<p><strong>{lab}</strong>{sep}{val}</p>"


def _labels(markup: str, pairs: list[tuple[str, str] | str]) -> str:
    rows = []
    for p in pairs:
        if isinstance(p, str):
            rows.append(f'<tr><td colspan="2"><a href="/en">{escape(p)}</a></td></tr>'
                        if markup == "table" else
                        f'<li><a href="/en">{escape(p)}</a></li>' if markup == "li-pairs" else
                        f'<p><a href="/en">{escape(p)}</a></p>')
        else:
            rows.append(_pair(markup, *p))
    inner = "\n".join(rows)
    if markup == "table":
        return f'<table class="facts"><tbody>\n{inner}\n</tbody></table>'
    if markup == "dl":
        return f"<dl>\n{inner}\n</dl>"
    if markup == "li-pairs":
        return f'<ul class="facts">\n{inner}\n</ul>'
    return f'<div class="facts">\n{inner}\n</div>'


def _body(lines: list[str]) -> str:
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if not para:
            return
        if all(_BULLET_RE.match(ln) for ln in para) and all(ln.lstrip().startswith("•")
                                                            for ln in para):
            items = "".join(f"<li>{escape(_BULLET_RE.sub('', ln).strip())}</li>" for ln in para)
            out.append(f"<ul>{items}</ul>")
        elif len(para) == 1 and L.lookup_heading(para[0].strip()):
            out.append(f"<h2>{escape(para[0].strip())}</h2>")
        else:
            out.append("<p>" + "<br>\n".join(escape(ln.strip()) for ln in para) + "</p>")
        para.clear()

    for ln in lines:
        if ln.strip():
            para.append(ln)
        else:
            flush()
    flush()
    return "\n".join(out)


def to_html(text: str, markup: str, *, main: bool = True, charset: str = "utf-8") -> str:
    """A saved text page as an HTML page in one markup (see MARKUPS), with site chrome."""
    sp = split_page(text)
    chrome = "\n".join(f"<div>{escape(ln)}</div>" for ln in sp.preamble)
    head = (f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="{charset}">'
            f"<title>{escape(sp.title or '')} - Svenska ESF-rådet</title>"
            "<style>.row{display:flex}</style><script>var x = '<p>Region:</p>';</script>"
            "</head>\n<body>\n")
    banner = ('<header><a href="/">Svenska ESF-rådet</a><nav aria-label="Huvudmeny"><ul>'
              '<li><a href="/a">Om ESF</a></li><li><a href="/b">Projektbanken</a></li></ul>'
              '</nav><form role="search"><input name="q"><button>Sök</button></form></header>\n'
              '<div role="dialog" aria-label="Kakor"><p>Vi använder kakor.</p>'
              "<button>Acceptera</button></div>\n")
    title = f"<h1>{escape(sp.title)}</h1>\n" if sp.title else ""
    content = (f"{chrome}\n{title}{_labels(markup, sp.pairs)}\n{_body(sp.body)}")
    if main:
        content = f"<main>\n<article>\n{content}\n</article>\n</main>"
    footer = ('\n<footer><p>Svenska ESF-rådet, Box 47141, 100 74 Stockholm</p><ul>'
              '<li><a href="/k">Kontakt</a></li><li><a href="/p">Personuppgifter</a></li></ul>'
              "</footer>\n<script>window.x = 1;</script>\n</body></html>\n")
    return head + banner + content + footer
