"""An HTML page → the text a browser shows, in the lines the layout readers know.

The saved text pages are what a browser-like rendering of esf.se gives (block elements on their
own lines, list items as `  • item`, inline elements run together), so an HTML page is rendered
the same way (inscriptis, which lays out blocks, inline runs, tables and lists like a browser)
and handed to the same layout readers. The markup of esf.se is not known, so nothing here looks
at CSS classes: site chrome is dropped by element kind and ARIA role, and a label with its value
(`dt`/`dd`, a table row of two cells, two blocks, two spans) is written as the saved text has it:
`Label:` then the value on the next line, or a label glued to its value (2007–2013).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

import lxml.html
from inscriptis import Inscriptis
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.html_properties import Display
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_element import HtmlElement
from lxml import etree

from esfgraph.parse import labels as L
from esfgraph.parse.decode import MAX_BYTES, DecodeError

#: Elements that never hold page text.
_NO_TEXT = ("script", "style", "noscript", "template", "svg", "math", "canvas", "iframe",
            "object", "embed", "video", "audio", "button", "input", "select", "textarea",
            "dialog", "head", "link", "meta", "base", "map")
#: Elements and ARIA roles of site chrome (dropped unless they hold the page's own text).
_CHROME_TAGS = frozenset({"nav", "aside"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "dialog",
                           "alertdialog", "complementary", "menu", "menubar", "toolbar",
                           "alert", "status", "tablist"})
#: `header`/`footer` are the page's banner and footer only outside these (as in ARIA).
_SECTIONING = frozenset({"article", "main", "section", "aside", "nav"})
_CELLS = ("td", "th")
#: Where chrome may be: the attributes that can mark it (an XPath over attributes runs in C,
#: five times quicker than a predicate on every element, and far quicker than Python).
_CHROME_ATTRS = etree.XPath("//@role|//@hidden|//@aria-hidden|//@style")
_CONSENT_RE = re.compile(r"\bkakor\b|\bcookies?\b|\bsamtycke|\bconsent\b", re.IGNORECASE)
_BANNER_MAX = 800
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_CT_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Control characters lxml refuses (a browser shows nothing for them either).
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: A short label-like phrase ending in a colon (`Tema:`) for labels the table does not know.
_COLON_PHRASE_RE = re.compile(r"^[^\W\d_][^:.!?]{0,58}:$")
#: Words a label has at most (longer text is a sentence, not a label).
_LABEL_WORDS = 6


def _css() -> dict[str, HtmlElement]:
    """inscriptis' strict profile with the browser's block layout of `dt` and `dd`."""
    css = dict(CSS_PROFILES["strict"])
    for tag in ("dt", "dd"):
        css[tag] = HtmlElement(tag, display=Display.block)
    return css


_CONFIG = ParserConfig(css=_css(), display_images=False, display_links=False)


# -- decoding ------------------------------------------------------------------------------


def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset (Latin-1 means Windows-1252, as browsers read it)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # `rot13`, `base64`: codecs, but not a page's character set
    return "cp1252" if info.name in ("latin-1", "iso8859-1", "ascii") else info.name


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str, list[str]]:
    """Bytes of an HTML page → (text, encoding, notes).

    The encoding is the BOM's, else the HTTP `Content-Type` charset, else `<meta charset>`,
    else UTF-8; bytes that are not valid in it are read as Windows-1252 (with a note).
    """
    if len(data) > MAX_BYTES:
        raise DecodeError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                          "a project page is far smaller")
    notes: list[str] = []
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name, notes
            except UnicodeDecodeError as exc:
                raise DecodeError(f"file starts with a {name} byte order mark but is not "
                                  f"valid {name}: {exc.reason} at byte {exc.start}") from exc
    declared = None
    if content_type:
        m = _CT_CHARSET_RE.search(content_type)
        declared = _codec(m.group(1)) if m else None
    if declared is None:
        m = _META_CHARSET_RE.search(data[:4096])
        declared = _codec(m.group(1).decode("ascii", "replace")) if m else None
    if declared in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        declared = None  # a meta tag readable as ASCII cannot be UTF-16: the tag is wrong
    encoding = declared or "utf-8"
    try:
        return data.decode(encoding), encoding, notes
    except UnicodeDecodeError:
        pass
    said = f"declared {encoding}" if declared else "no charset declared"
    notes.append(f"page is not valid {encoding} ({said}); decoded as Windows-1252")
    return data.decode("cp1252", errors="replace"), "cp1252", notes


# -- the tree ------------------------------------------------------------------------------


def _text(el: etree._Element) -> str:
    """An element's text on one line (whitespace runs collapsed, as a browser shows it)."""
    return " ".join(el.text_content().split())


def _known_label(text: str) -> bool:
    """True for text that is a label of the label table, with or without its colon."""
    if len(text) > 62 or not text:
        return False
    bare = text.rstrip(":").strip()
    return bool(bare) and ":" not in bare and L.lookup_label(bare) is not None


#: Label words folded, to tell cheaply whether a part of a page may hold labels (the text is
#: folded the quick way: case, Swedish diacritics, lost letters; a full fold is too slow here).
_LABEL_KEYS = tuple(sorted({L.fold(label) for labels in L.FIELD_LABELS.values()
                            for label in labels}, key=len, reverse=True))
_QUICK = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "?": "",
                        "\ufffd": "", "\u00a0": " ", "–": "-", "—": "-"})


def _label_hits(el: etree._Element, enough: int) -> int:
    """How many label words the text of `el` holds (counting stops at `enough`).

    A quick over-count (a word in a sentence counts too) that lets the exact per-element
    check run only where labels may be: a 150-link menu is passed over in one string search.
    """
    text = el.text_content().casefold().translate(_QUICK)
    hits = 0
    for key in _LABEL_KEYS:
        hits += text.count(key)
        if hits >= enough:
            break
    return hits


def _label_elements(el: etree._Element, enough: int) -> int:
    """How many elements under `el` hold exactly a known label (counting stops at `enough`)."""
    count = 0
    for e in el.iter():
        if isinstance(e.tag, str) and len(e) <= 3:
            text = _text(e)
            if _known_label(text) and not any(_known_label(_text(c)) for c in _elements(e)):
                count += 1
                if count >= enough:
                    break
    return count


def _label_like(text: str) -> bool:
    """A known label, or a short phrase ending in a colon (a label the table does not know)."""
    if _known_label(text):
        return True
    return (_COLON_PHRASE_RE.match(text) is not None and len(text.split()) <= _LABEL_WORDS
            and L.lookup_heading(text.rstrip(":")) is None)


def _short_phrase(text: str) -> bool:
    """A capitalised phrase short enough to be a label (for a label the table does not know)."""
    return (0 < len(text) <= 62 and len(text.split()) <= _LABEL_WORDS and text[0].isupper()
            and not text.endswith((".", "!", "?", ",", ";")))


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _only_elements(el: etree._Element) -> bool:
    """True when an element has no text of its own outside its child elements."""
    if (el.text or "").strip():
        return False
    return all(not (c.tail or "").strip() for c in el)


def _drop(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    if el.getparent() is not None:
        el.drop_tree()


def _is_hidden(el: etree._Element) -> bool:
    return (el.get("hidden") is not None or el.get("aria-hidden", "").lower() == "true"
            or _HIDDEN_STYLE_RE.search(el.get("style", "")) is not None)


def _holds_page_text(el: etree._Element, h1_line: set[etree._Element]) -> bool:
    """True when chrome holds the page's own text: the first `h1`, or a label block (3+ labels).

    Such an element is kept, so an `aside` fact box or a `header` with the title stays.
    """
    if el in h1_line:
        return True
    return _label_hits(el, 3) >= 3 and _label_elements(el, 3) >= 3


def _chrome(el: etree._Element) -> bool:
    """Site chrome by element kind and ARIA role (never by CSS class)."""
    tag = el.tag.lower()
    if tag in _CHROME_TAGS or _is_hidden(el):
        return True
    if (el.get("role") or "").strip().lower() in _CHROME_ROLES:
        return True
    return tag in ("header", "footer") and not any(
        a.tag in _SECTIONING or (a.get("role") or "").lower() == "main"
        for a in el.iterancestors() if isinstance(a.tag, str))


def _consent_banners(root: etree._Element) -> list[etree._Element]:
    """Cookie banners: the largest short block around a button that speaks of cookies.

    They carry no role or element kind of their own, often sit after the content (where their
    text would end up in the description), and always have a button to accept.
    """
    found = []
    for button in root.iter("button"):
        banner = None
        for anc in button.iterancestors():
            if anc.tag in ("body", "html", "main", "article"):
                break
            text = _text(anc)
            if len(text) > _BANNER_MAX:
                break
            if _CONSENT_RE.search(text):
                banner = anc
        if banner is not None:
            found.append(banner)
    return found


def _drop_chrome(root: etree._Element) -> None:
    """Drop what is not page text: scripts, forms' controls, hidden parts, navigation, banners."""
    banners = _consent_banners(root)
    for el in list(root.iter(*_NO_TEXT, etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    h1 = next(root.iter("h1"), None)
    h1_line = {h1, *h1.iterancestors()} if h1 is not None else set()
    marked = {attr.getparent() for attr in _CHROME_ATTRS(root)}
    doomed = banners + [el for el in (*root.iter("nav", "aside", "header", "footer"), *marked)
                        if isinstance(el.tag, str) and _chrome(el)]
    dropped: set[etree._Element] = set()
    for el in doomed:
        if el.getparent() is None or any(a in dropped for a in el.iterancestors()):
            continue  # gone with an ancestor already
        if not _holds_page_text(el, h1_line):  # kept chrome (a header with the title) is
            _drop(el)                          # still searched: its menu goes
            dropped.add(el)


def _content_root(root: etree._Element) -> etree._Element:
    """The page's main content when it is marked (`main`, role=main) and holds the labels."""
    mains = root.xpath("//main|//*[@role='main' or @role='MAIN' or @role='Main']")
    if len(mains) != 1:
        return root
    main = mains[0]
    if not _label_elements(main, 1):  # labels come early in the content: a short walk
        return root
    h1 = next(root.iter("h1"), None)
    if h1 is not None and not any(a is main for a in h1.iterancestors()):
        main.insert(0, _block(_text(h1), "h1"))  # a title above the main content
    return main


# -- labels and values ---------------------------------------------------------------------


#: Marks the blocks written for a label and its value (never rendered: inscriptis ignores it).
_PAIR = "data-esfgraph-pair"


def _block(text: str, tag: str = "div", pair: bool = False) -> etree._Element:
    el = lxml.html.Element(tag)
    el.text = text
    if pair:
        el.set(_PAIR, "")
    return el


def _value_text(el: etree._Element) -> str:
    """A value element's text on one line (line breaks and blocks inside become spaces)."""
    for br in el.iter("br"):
        br.tail = " " + (br.tail or "")
    return _text(el)


def _pair_blocks(label: str, value: str) -> list[etree._Element]:
    """A label and its value as the saved text prints them.

    `Label:` takes its value on the next line (2014–2020, 2021–2027); a label without a colon
    is glued to its value on one line (2007–2013), as inline elements are in a browser.
    """
    if label.endswith(":"):
        return [_block(label, pair=True)] + ([_block(value, pair=True)] if value else [])
    return [_block(label + value, pair=True)]


def _replace(first: etree._Element, last: etree._Element | None,
             blocks: list[etree._Element]) -> None:
    """Put `blocks` where `first` (and `last`, its following sibling) were."""
    parent = first.getparent()
    assert parent is not None
    index = parent.index(first)
    tail = (last if last is not None else first).tail
    if last is not None:
        parent.remove(last)
    parent.remove(first)
    for k, b in enumerate(blocks):
        parent.insert(index + k, b)
    if blocks:
        blocks[-1].tail = tail
        after = blocks[-1].getnext()
        if after is not None and after.tag == "br" and not (tail or "").strip():
            _drop(after)  # the pair is a block already: a <br> after it is no extra line


def _pairs_in_dl(dt: etree._Element) -> None:
    """`dt` / `dd` (also wrapped in a `div`, as HTML allows): a term and its description.

    A term is a label unless it is a section heading (`Sammanfattning`), which becomes a
    heading with its text as a paragraph, or a long phrase, which is left as the browser shows
    it.
    """
    nxt = dt.getnext()
    dd = nxt if nxt is not None and nxt.tag == "dd" else None
    term = _text(dt)
    if L.lookup_heading(term):
        dt.tag = "h2"
        if dd is not None:
            dd.tag = "p"
        return
    if not _label_like(term) and (len(term.split()) > _LABEL_WORDS or len(term) > 62):
        return
    _replace(dt, dd, _pair_blocks(term, _value_text(dd) if dd is not None else ""))


def _table_rows(table: etree._Element) -> list[etree._Element]:
    return [tr for tr in table.iter("tr")
            if next((a for a in tr.iterancestors("table")), None) is table]


def _pairs_in_table(table: etree._Element) -> None:
    """A table of label and value cells becomes label/value lines (other rows: their cells)."""
    rows = _table_rows(table)
    cells = [[c for c in _elements(tr) if c.tag in _CELLS] for tr in rows]
    if not rows or any(len(c) > 2 for c in cells):
        return
    if not any(len(c) == 2 and _known_label(_text(c[0])) for c in cells):
        return
    blocks: list[etree._Element] = []
    for tr, row in zip(rows, cells):
        if all(c.tag == "th" for c in row) and not _label_like(_text(row[0])) and (
                len(row) > 1 or tr.getparent().tag == "thead"):
            continue  # a header row (`Uppgift | Värde`), not a label and its value
        if len(row) == 2 and (_label_like(_text(row[0])) or row[0].tag == "th"
                              or _short_phrase(_text(row[0]))):
            blocks.extend(_pair_blocks(_text(row[0]), _value_text(row[1])))
        elif row and any(_text(c) for c in row):
            blocks.append(_block(" ".join(_text(c) for c in row)))
    wrapper = lxml.html.Element("div")
    wrapper.extend(blocks)
    _replace(table, None, [wrapper])


def _starts_with_label(el: etree._Element | None) -> bool:
    """True for an element that is, or starts with, a known label (or a pair written here)."""
    if el is None:
        return False
    if el.get(_PAIR) is not None or _known_label(_text(el)):
        return True
    first = _elements(el)[:1]
    return bool(first) and not (el.text or "").strip() and _known_label(_text(first[0]))


def _label_soon(kids: list[etree._Element], start: int, ahead: int = 3) -> bool:
    """True when one of the next few siblings starts with a known label (the run goes on).

    A line of site chrome counts too: 2007–2013 pages end their labels with `In English`.
    """
    return any(_starts_with_label(kids[j]) or L.is_chrome(_text(kids[j]))
               for j in range(start, min(start + ahead, len(kids))))


def _inline_pair(el: etree._Element, in_run: bool,
                 more: Callable[[], bool] = lambda: False) -> tuple[str, str] | None:
    """(label, value) of a block that starts with a label, then its value.

    The label is a first element (`<p><b>Region:</b> Västsverige</p>`) or the block's own text
    up to a line break (`<p>Region:<br>Västsverige</p>`). Inside a run of labels, a short
    phrase is a label the table does not know when the block is a row of two elements, or when
    `more` labels follow it.
    """
    first = _elements(el)[:1]
    if not first or el.tag in ("ul", "ol", "dl", "table"):
        return None
    own = " ".join((el.text or "").split())
    if own and not (first[0].tag == "br" and (first[0].tail or "").strip()):
        return None
    label = own or _text(first[0])
    row = not own and len(el) == 2 and _only_elements(el)  # `<div><div>L</div><div>V</div></div>`
    if not (_known_label(label) or (in_run and (_label_like(label) or (
            _short_phrase(label) and not L.is_chrome(label) and (row or more()))))):
        return None
    whole = _value_text(el)
    if not whole.startswith(label):
        return None
    return label, whole[len(label):].strip()


def _pairs_in_children(parent: etree._Element) -> None:
    """Label and value as sibling elements (`<p>Region:</p><p>Västsverige</p>`, two spans …).

    A known label starts a run; inside a run, a short phrase ending in a colon is a label too.
    A container of exactly two elements with a label first (a row) is a pair as well.
    """
    kids = _elements(parent)
    # a row of exactly two elements: its first may be a label the table does not know
    k, in_run = 0, len(kids) == 2 and _only_elements(parent)
    while k < len(kids):
        el = kids[k]
        if el.tag in ("dl", "table", "ul", "ol") or len(_elements(el)) > 3:
            in_run = False
            k += 1
            continue
        text = _text(el)
        known = _known_label(text)
        inline = None if known else _inline_pair(
            el, in_run, lambda kids=kids, k=k: _label_soon(kids, k + 1))
        if inline is not None:  # `<p><b>Region:</b> Västsverige</p>`
            blocks = _pair_blocks(*inline)
            _replace(el, None, blocks)
            in_run = True
            kids = _elements(parent)
            k = kids.index(blocks[-1]) + 1
            continue
        # an unknown label without a colon, between known ones: `<p>Webbplats</p><p>…</p><p>Region…`
        between = (in_run and not _elements(el) and _short_phrase(text)
                   and not L.is_chrome(text) and _label_soon(kids, k + 1))
        if not (known or (in_run and _label_like(text)) or between) or (el.tail or "").strip():
            in_run = False
            k += 1
            continue
        nxt = kids[k + 1] if k + 1 < len(kids) else None
        if nxt is not None and nxt.tag == "br":  # `<b>Label</b><br>value`: lines already
            in_run = True
            k += 1
            continue
        value = None
        if nxt is not None and not _label_like(_text(nxt)) and nxt.tag not in (
                "h1", "h2", "dl", "table", "ul", "ol"):
            value = nxt
        blocks = _pair_blocks(text, _value_text(value) if value is not None else "")
        _replace(el, value, blocks)
        in_run = True
        kids = _elements(parent)
        k = kids.index(blocks[-1]) + 1


def _mark_pairs(root: etree._Element) -> None:
    """Write every label with its value as the saved text prints them (see `_pair_blocks`)."""
    for dt in list(root.iter("dt")):
        if dt.getparent() is not None:
            _pairs_in_dl(dt)
    for table in reversed(list(root.iter("table"))):  # inner tables first
        if table.getparent() is not None:
            _pairs_in_table(table)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.getparent() is not None and len(el) >= 2:
            _pairs_in_children(el)


def _after_list_heading(el: etree._Element) -> bool:
    """True for a list right after a list heading (`Kommun`, `Samarbetspartners`)."""
    prev = el.getprevious()
    if prev is None:
        return False
    found = L.lookup_heading(_text(prev)) if len(prev) <= 3 else None
    return found is not None and found[1] is not None


def _bullets(root: etree._Element) -> None:
    """Items of unordered lists as `  • item` lines (what the saved text pages show).

    A numbered list under a list heading gets bullets too: its numbers are not part of the
    municipality or partner names.
    """
    for ul in [*root.iter("ul"), *(ol for ol in root.iter("ol") if _after_list_heading(ol))]:
        for li in _elements(ul):
            if li.tag != "li":
                continue
            li.tag = "div"
            text = _text(li)
            first = _elements(li)[:1]
            if not text or L.is_chrome(text) or li.find(f".//*[@{_PAIR}]") is not None or (
                    first and _label_like(_text(first[0]))) or _known_label(
                    text.split(":")[0] + ":") and ":" in text:
                continue  # a label and its value set out as a list item: no bullet
            li.text = "\u2022 " + (li.text or "").lstrip()
        ul.tag = "div"


# -- the whole page ------------------------------------------------------------------------


def parse_html(text: str) -> etree._Element:
    """Parse HTML text into a tree (lxml's HTML parser, forgiving as browsers are)."""
    text = _XML_DECL_RE.sub("", text, count=1)
    if _XML_FORBIDDEN_RE.search(text):  # (str.translate would cost 2 ms on a 60 kB page)
        text = _XML_FORBIDDEN_RE.sub("", text)
    if not text.strip():
        raise DecodeError("file is empty")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise DecodeError(f"cannot be read as HTML ({exc})") from exc


def render_tree(root: etree._Element) -> str:
    """Render a parsed page as the saved text pages have it (the tree is changed in place)."""
    _drop_chrome(root)
    body = root.find("body")
    content = _content_root(body if body is not None else root)
    _mark_pairs(content)
    _bullets(content)
    text = Inscriptis(content, _CONFIG).get_text()
    return _glue_bare_labels([line.rstrip() for line in text.split("\n")])


def _glue_bare_labels(lines: list[str]) -> str:
    """Glue a label without a colon to the value on the next line (`Projektfas` / `Genomförande`).

    Whatever the markup put between them (`<b>Projektfas</b><br>Genomförande`, blocks the
    pairing did not see), a 2007–2013 label reads glued to its value, as the saved text has it.
    """
    out: list[str] = []
    i, seen_label = 0, False
    while i < len(lines):
        s = lines[i].strip()
        if not s and seen_label and not _label_line(_next_nonblank(lines, i)):
            out.extend(lines[i:])  # the label block has ended: the body is left as it is
            break
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (s and nxt and not s.endswith(":") and _known_label(s) and not _label_like(nxt)
                and not L.lookup_heading(nxt) and not L.is_chrome(nxt)):
            out.append(s + nxt)
            seen_label = True
            i += 2
            continue
        seen_label = seen_label or _label_line(s)
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _next_nonblank(lines: list[str], i: int) -> str:
    for line in lines[i:]:
        if line.strip():
            return line.strip()
    return ""


def _label_line(s: str) -> bool:
    """A line that starts with a known label (glued, with a colon, or alone)."""
    return bool(s) and (L.COLON_LABEL_RE.match(s) is not None or _known_label(s)
                        or L.GLUED_LABEL_RE.match(s) is not None)


def render_html(text: str) -> str:
    """HTML text → the page's text as a browser lays it out, chrome dropped (see module doc)."""
    return render_tree(parse_html(text))
