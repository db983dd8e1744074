"""Find the layout of a page and read it: preamble and title, the label block, then the body.

All three layouts share one shape: site chrome and a title, a block of labelled values, then
free text. They differ in how a label meets its value: glued (`ProjektfasGenomförande`,
2007–2013) or `Label:` with the value on the next line (2014–2020, 2021–2027).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from esfgraph.parse import labels as L
from esfgraph.parse import normalise as N
from esfgraph.parse.result import Issue
from esfgraph.record import Record

GLUED = "glued"
COLON = "colon"

#: A 2014–2020 heading: `2018/00460 - Motivera och Aktivera MOA`.
_NUMBERED_TITLE_RE = re.compile(r"^(?P<num>\d{4}/\d{3,6})\s*[-–—:]\s*(?P<name>\S.*)$")
#: The heading of a page without a field block (a minimal record): a case number, a dash and
#: the title, `22-020-S04 - Title` (ESF+) or `2018/00460 - Title` (2014–2020).
_CASE_HEADING_RE = re.compile(
    r"^(?P<num>\d{2}-\d{3,4}-[A-Z]{1,2}\d{1,3}|\d{4}/\d{5})\s+[-–—]\s+(?P<name>\S.*)$")
#: An unknown glued label: a word run ending in a lower-case letter, glued to a value.
_UNKNOWN_GLUED_RE = re.compile(r"^(?P<label>[^\W\d_][\w\- ]{1,40}?[a-zåäöé])(?P<value>[A-ZÅÄÖ0-9].*)$")
_BULLET_RE = re.compile(r"^\s*(?:[•·▪◦●‣∙*]|[-–—](?=\s))\s*")
_HEADING_END_RE = re.compile(r"[.,:;!?…”\"')\]]$")
#: Titles longer than this are kept but reported.
LONG_TITLE = 300

_SIMPLE: dict[str, Callable[[str], object]] = {
    "title": N.clean,
    "project_number": N.clean,
    "case_number": N.clean,
    "specific_objective": N.parse_specific_objective,
    "phase": N.clean,
    "owner": N.dedupe_owner,
    "owner_org_number": N.parse_org_number,
    "contact_name": N.clean,
    "contact_email": N.clean_email,
    "contact_phone": N.clean,
    "esf_grant_sek": N.parse_amount,
    "total_budget_sek": N.parse_amount,
    "total_cost_sek": N.parse_amount,
    "eu_cofinancing_rate": N.parse_rate,
    "start_date": N.parse_date,
    "end_date": N.parse_date,
    "nuts2": N.parse_nuts2,
    "country": N.clean,
    "fund": N.clean,
    "programme_cci": N.clean,
    "intervention_type": N.clean,
    "planned_participants": N.parse_count,
    "beneficiary_postcode": N.parse_postcode,
    "beneficiary_city": N.clean,
    "beneficiary_address": N.clean,
    "child_poverty_theme": N.parse_bool,
    "strategic_importance": N.parse_bool,
}


class NotAPage(ValueError):
    """The text has no Projektbanken labels at all (reason in the message)."""


# Line classes. Label lines repeat from page to page ("Startdatum:", "ProjektfasGenomförande")
# and a page asks about the same line several times, so the answers are cached by text.


@lru_cache(maxsize=32768)
def _glued_strict(line: str) -> re.Match[str] | None:
    m = L.GLUED_LABEL_RE.match(line)
    if not m:
        return None
    found = L.lookup_label(m.group("label"))
    value = m.group("value")
    if found is None:
        return None
    if found[1] == "contact_email":
        return m if "@" in value else None
    return None if value[0].islower() else m


@lru_cache(maxsize=32768)
def _colon_label(s: str) -> tuple[str, str, str | None, str] | None:
    m = L.COLON_LABEL_RE.match(s)
    if m:
        found = L.lookup_label(m.group("label"))
        if found:
            return m.group("label"), found[0], found[1], m.group("value").strip()
    m = L.UNKNOWN_COLON_LABEL_RE.match(s)
    if m and len(m.group("label").split()) <= 6 and not L.lookup_heading(m.group("label")):
        printed = N.clean(m.group("label"))
        found = L.lookup_label(printed)
        if found:
            return printed, found[0], found[1], ""
        return printed, printed, None, ""
    m = L.UNKNOWN_INLINE_LABEL_RE.match(s)  # `Label: value` on one line (a table row, `dt`/`dd`)
    if m and len(m.group("label").split()) <= 6 and not L.lookup_heading(m.group("label")):
        printed = N.clean(m.group("label"))
        return printed, printed, None, m.group("value").strip()
    return None


@lru_cache(maxsize=32768)
def _known_colon_label(s: str) -> bool:
    m = L.COLON_LABEL_RE.match(s)
    return m is not None and L.lookup_label(m.group("label")) is not None


@dataclass
class _Label:
    """One label occurrence in the label block."""

    printed: str
    display: str
    field: str | None
    value: str
    line: int


class _Page:
    """Parse state of one page: the lines, the record being filled and the issues found."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        split = text.split("\n")
        self.lines = [ln.strip() for ln in split]
        self._raw = [ln.rstrip() for ln in split]
        self.n = len(self.lines)
        self.issues: list[Issue] = []
        self.record = Record(source=source, layout="2014-2020")
        self.value_line: dict[str, int] = {}  # field → line its value came from
        self.heading_case: str | None = None  # an ESF+ heading's case number, `22-031-S07 - …`
        self.seen: dict[str, int] = {}
        self.labels_used: set[str] = set()
        self._label_after: dict[int, int | None] = {}  # memo of `_label_follows`

    # -- issues --------------------------------------------------------------------------
    def warn(self, message: str, line: int | None = None) -> None:
        """Record a warning (0-based line index → 1-based line number)."""
        self.issues.append(Issue(self.source, "warning", message,
                                 None if line is None else line + 1))

    # -- line classes --------------------------------------------------------------------
    def glued_strict(self, i: int) -> re.Match[str] | None:
        """A glued label line that can start a label block (value looks like a value)."""
        return _glued_strict(self.lines[i])

    @staticmethod
    def colon_label(s: str) -> tuple[str, str, str | None, str] | None:
        """(printed, display, field or None, inline value) when the line is a `Label:` line."""
        return _colon_label(s)

    @staticmethod
    def known_colon_label(s: str) -> bool:
        """True for a `Label:` line whose label is in the table."""
        return _known_colon_label(s)

    def next_nonblank(self, i: int) -> int | None:
        """Index of the first non-blank line at or after i."""
        while i < self.n:
            if self.lines[i]:
                return i
            i += 1
        return None

    # -- layout --------------------------------------------------------------------------
    def find_block(self) -> tuple[str, int]:
        """Return (mode, index of the first label line); raise NotAPage when there is none."""
        glued_run = glued_single = colon_first = None
        colon_count = 0
        for i in range(self.n):
            s = self.lines[i]
            if not s:
                continue
            if colon_first is None or colon_count < 2:
                if self.known_colon_label(s):
                    colon_count += 1
                    if colon_first is None:
                        colon_first = i
            if glued_run is None and self.glued_strict(i):
                if glued_single is None:
                    glued_single = i
                if self._another_strict_in_paragraph(i):
                    glued_run = i
            if glued_run is not None and colon_count >= 2:
                break
        glued = glued_run if glued_run is not None else glued_single
        colon = colon_first if colon_count >= 2 or glued is None else None
        if colon is not None and (glued is None or colon <= glued or glued_run is None):
            return COLON, colon
        if glued is not None:
            return GLUED, glued
        raise NotAPage(f"no Projektbanken labels found (lines such as '{L.EXAMPLE_LABEL}X' or "
                       f"'{L.EXAMPLE_LABEL}:'); this does not look like a project page")

    def _another_strict_in_paragraph(self, i: int) -> bool:
        """True when the run of non-blank lines holding line i has another glued label line."""
        j = i + 1
        while j < self.n and self.lines[j]:
            if self.glued_strict(j):
                return True
            j += 1
        return False

    # -- preamble ------------------------------------------------------------------------
    def read_preamble(self, start: int, mode: str) -> None:
        """Title: the last line before the labels that is not site chrome."""
        candidates = [i for i in range(start) if self.lines[i]
                      and not L.is_preamble_chrome(self.lines[i])]
        if not candidates:
            return
        title_i = candidates[-1]
        for i in candidates[:-1]:
            self.warn(f"ignored a line before the title that is not known site chrome: "
                      f"{_short(self.lines[i])!r}", i)
        title = N.clean(self.lines[title_i])
        m = _NUMBERED_TITLE_RE.match(title) if mode == COLON else None
        if m:
            self.record.project_number = m.group("num")
            self.value_line["project_number"] = title_i
            title = m.group("name").strip()
        elif mode == COLON and (c := _CASE_HEADING_RE.match(title)) is not None:
            # ESF+ headings are `<case number> - <name>`: the number is no part of the title
            self.heading_case = c.group("num")
            title = c.group("name").strip()
        self.record.title = title
        self.value_line["title"] = title_i
        if len(title) > LONG_TITLE:
            self.warn(f"title is {len(title)} characters long; kept as printed, but check "
                      "that the page text is intact", title_i)

    # -- label block ---------------------------------------------------------------------
    def read_glued_block(self, start: int) -> tuple[list[_Label], int]:
        """Read `LabelValue` lines until the first blank line not followed by another label."""
        found: list[_Label] = []
        i = start
        while i < self.n:
            s = self.lines[i]
            if not s:
                k = self.next_nonblank(i)
                if k is not None and self.glued_strict(k) and not L.lookup_heading(self.lines[k]):
                    i = k
                    continue
                break
            if L.is_chrome(s):
                i += 1
                continue
            bare = L.lookup_label(s.rstrip(":").strip())
            m = L.GLUED_LABEL_RE.match(s)
            c = L.COLON_LABEL_RE.match(s)
            if bare:
                found.append(_Label(s.rstrip(":").strip(), bare[0], bare[1], "", i))
            elif c and L.lookup_label(c.group("label")):
                disp, fld = L.lookup_label(c.group("label"))  # type: ignore[misc]
                found.append(_Label(c.group("label"), disp, fld, c.group("value").strip(), i))
            elif m and L.lookup_label(m.group("label")) and not self._longer_label(m, s):
                disp, fld = L.lookup_label(m.group("label"))  # type: ignore[misc]
                found.append(_Label(m.group("label"), disp, fld, m.group("value").strip(), i))
            else:
                u = _UNKNOWN_GLUED_RE.match(s)
                if u:
                    found.append(_Label(u.group("label"), N.clean(u.group("label")), None,
                                        u.group("value").strip(), i))
                else:
                    found.append(_Label(s, N.clean(s), None, "", i))
            i += 1
        return found, i

    @staticmethod
    def _longer_label(m: re.Match[str], line: str) -> bool:
        """True when a known label is only the start of a longer unknown one.

        `KontaktpersonerAnna Berg` is the unknown label `Kontaktpersoner`, not `Kontaktperson`
        with the value `erAnna Berg`: a value that starts in lower case, followed later by an
        upper-case start, gives the longer label away (e-mail values start in lower case).
        """
        value = m.group("value")
        if not value[0].islower() or "@" in value:
            return False
        u = _UNKNOWN_GLUED_RE.match(line)
        return u is not None and len(u.group("label")) > len(m.group("label").strip())

    def read_colon_block(self, start: int) -> tuple[list[_Label], int]:
        """Read `Label:` / value lines (order free, values may be empty) until free text starts."""
        found: list[_Label] = []
        wrapped: dict[int, list[str]] = {}  # index in `found` → its value's lines
        i = start
        while i < self.n:
            s = self.lines[i]
            if not s:
                k = self.next_nonblank(i)
                if k is not None and self.known_colon_label(self.lines[k]):
                    i = k
                    continue
                break
            if L.is_chrome(s):
                i += 1
                continue
            lab = self.colon_label(s)
            if lab is None:
                if found and found[-1].value and self._label_follows(i):
                    # a value wrapped over two lines; joined at the end (`+=` per line is
                    # quadratic in the value's length)
                    wrapped.setdefault(len(found) - 1, [found[-1].value]).append(s)
                    i += 1
                    continue
                break
            printed, display, fld, inline = lab
            if inline:
                found.append(_Label(printed, display, fld, inline, i))
                i += 1
                continue
            nxt = self.lines[i + 1] if i + 1 < self.n else ""
            if nxt and self.colon_label(nxt) is None and not L.is_chrome(nxt):
                found.append(_Label(printed, display, fld, nxt, i))
                i += 2
            else:
                found.append(_Label(printed, display, fld, "", i))
                i += 1
        for k, parts in wrapped.items():
            found[k].value = " ".join(parts)
        return found, i

    def _label_follows(self, i: int) -> bool:
        """True when a known `Label:` line comes before the next blank line (value continues).

        Every line passed on the way shares the answer, so it is remembered for them: asked
        once per wrapped line, a rescan made a 10k-line value take 16 s (quadratic).
        """
        if i in self._label_after:
            return self._label_after[i] is not None
        j = i + 1
        passed = [i]
        found: int | None = None
        while j < self.n and self.lines[j]:
            if j in self._label_after:
                found = self._label_after[j]  # j is a non-label line of the same paragraph
                break
            if self.known_colon_label(self.lines[j]):
                found = j
                break
            passed.append(j)
            j += 1
        for k in passed:
            self._label_after[k] = found
        return found is not None

    # -- values --------------------------------------------------------------------------
    def apply(self, found: list[_Label]) -> None:
        """Convert each labelled value into its field; unknown labels go to `extra`."""
        rec = self.record
        last_nonblank = self.next_nonblank_rev()
        for lab in found:
            self.labels_used.add(lab.display)
            if lab.field is None:
                if lab.display in rec.extra:
                    self.warn(f"label {lab.display!r} repeated; kept the first value", lab.line)
                    continue
                rec.extra[lab.display] = N.clean(lab.value)
                self.warn(f"unknown label {lab.display!r} kept in extra "
                          f"(value {_short(lab.value)!r})", lab.line)
                continue
            if not lab.value.strip():
                if lab.line >= last_nonblank:
                    self.warn(f"label {lab.display!r} at the end of the file has no value "
                              "(the page may be truncated)", lab.line)
                continue
            if lab.field in self.seen:
                key = self._keep_repeat(lab)
                self.warn(f"label {lab.display!r} repeated (first on line "
                          f"{self.seen[lab.field] + 1}); kept the first value, the other "
                          f"{_short(N.clean(lab.value))!r} in extra[{key!r}]", lab.line)
                continue
            self.seen[lab.field] = lab.line
            self.set_field(lab)

    def _keep_repeat(self, lab: _Label) -> str:
        """Keep a repeated label's value in `extra` under `Label (2)`, `Label (3)` …"""
        n = 2
        while f"{lab.display} ({n})" in self.record.extra:
            n += 1
        key = f"{lab.display} ({n})"
        self.record.extra[key] = N.clean(lab.value)
        return key

    def next_nonblank_rev(self) -> int:
        """Index of the last non-blank line."""
        for i in range(self.n - 1, -1, -1):
            if self.lines[i]:
                return i
        return -1

    def set_field(self, lab: _Label) -> None:
        """Convert one value; on a bad value warn (file, line, label, value) and leave it empty."""
        rec = self.record
        fld = lab.field
        assert fld is not None
        try:
            if fld == "period":
                start, end = N.split_period(lab.value)
                self.value_line["period"] = lab.line
                for name, printed in (("start_date", start), ("end_date", end)):
                    try:
                        setattr(rec, name, N.parse_date(printed))
                        self.value_line[name] = lab.line
                    except N.ValueProblem as exc:
                        self._bad_value(lab, printed, str(exc))
                return
            if fld == "programme_area":
                code, label = N.parse_programme_area(lab.value)
                rec.programme_area, rec.programme_area_label = code, label
            elif fld == "region":
                rec.region = N.parse_region(lab.value)
            elif fld == "title":
                value = N.clean(lab.value)
                if rec.title and value != rec.title:
                    self.warn(f"the name label says {value!r} but the heading says "
                              f"{_short(rec.title)!r}; kept the name label", lab.line)
                rec.title = value
            elif fld == "project_number" and rec.project_number:
                value = N.clean(lab.value)
                if value != rec.project_number:
                    self.warn(f"{lab.display} {value!r} differs from the number in the "
                              f"heading {rec.project_number!r}; kept {value!r}", lab.line)
                rec.project_number = value
            else:
                setattr(rec, fld, _SIMPLE[fld](lab.value))
            self.value_line[fld] = lab.line
        except N.ValueProblem as exc:
            self._bad_value(lab, lab.value, str(exc))

    def _bad_value(self, lab: _Label, value: str, reason: str) -> None:
        """Keep a value that does not normalise verbatim in `extra` (under its printed label).

        Nothing on a page is lost: the typed field stays empty (a wrong number is worse than
        none), the text as printed goes to `extra[label]`, and the mapping marks it as an
        unnormalised value of the known field.
        """
        printed = N.clean(lab.value)
        if lab.display not in self.record.extra:
            self.record.extra[lab.display] = printed
        self.warn(f"{lab.display}: value {_short(N.clean(value))!r} {reason}; field left empty, "
                  f"value kept as printed in extra[{lab.display!r}]", lab.line)

    # -- body ----------------------------------------------------------------------------
    def read_body(self, start: int, mode: str) -> None:
        """Text after the labels: sections under headings, bullet lists, free description."""
        rec = self.record
        body = [("" if L.is_chrome(s) else s) for s in self.lines[start:]]
        raw = self._raw[start:]  # inner spacing kept, right end trimmed
        m = len(body)

        def heading_at(j: int) -> tuple[str, str | None] | None:
            s = body[j]
            if not s or not ((j == 0 or not body[j - 1]) and (j + 1 >= m or not body[j + 1])):
                return None
            known = L.lookup_heading(s)
            if known:
                return known
            # inside a list, a plain line is an item unless the list uses bullets (a flag kept
            # while the chunk grows: rescanning it per line made 20k blank-separated items 27 s)
            in_list = current is not None and current[1] is not None and not bulleted
            if mode == GLUED and not in_list and self._unknown_heading(body, j):
                return (N.clean(s), None)
            return None

        current: tuple[str, str | None] | None = None
        chunk: list[str] = []
        bulleted = False  # some line of `chunk` starts with a bullet
        chunk_line = start
        # the items of each list field so far: a set keeps de-duplication linear (a list
        # lookup per item made 100k bullet items take 97 s); the list keeps the order
        listed: dict[str, set[str]] = {}

        def flush() -> None:
            if current is None:
                text = _join_text(chunk)
                if text:
                    rec.description = text if rec.description is None else (
                        rec.description + "\n\n" + text)
                return
            heading, list_field = current
            if list_field:
                items = getattr(rec, list_field)
                seen = listed.get(list_field)
                if seen is None:
                    seen = listed[list_field] = set(items)
                for ln in chunk:
                    item = N.clean(_BULLET_RE.sub("", ln))
                    if item and item not in seen:
                        seen.add(item)
                        items.append(item)
                return
            text = _join_text(chunk)
            if not text:
                return
            if heading in rec.sections:
                self.warn(f"section {heading!r} appears twice; joined both texts", chunk_line)
                rec.sections[heading] += "\n\n" + text
            else:
                rec.sections[heading] = text

        for j, s in enumerate(body):
            head = heading_at(j)
            if head is not None:
                flush()
                current, chunk, chunk_line, bulleted = head, [], start + j, False
                continue
            chunk.append(raw[j] if s else "")
            bulleted = bulleted or bool(s and _BULLET_RE.match(raw[j]))
        flush()
        if mode == GLUED and not rec.sections and not rec.municipalities and not any(body):
            self.warn("nothing after the labels (no text sections, no municipality list); "
                      "the page may be truncated")

    def _unknown_heading(self, body: list[str], j: int) -> bool:
        """A short title-like line alone between blank lines, followed by its own text."""
        s = body[j]
        if len(s) > 60 or len(s.split()) > 6 or not s[0].isupper() or not s[0].isalpha():
            return False
        if _HEADING_END_RE.search(s) or _BULLET_RE.match(s) or L.lookup_label(s):
            return False
        k = j + 1
        while k < len(body) and not body[k]:
            k += 1
        if k >= len(body):
            return False
        return L.lookup_heading(body[k]) is None and not _BULLET_RE.match(body[k])


def _short(text: str, limit: int = 60) -> str:
    """Shorten a value for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join_text(lines: list[str]) -> str:
    """Paragraphs as printed: trailing spaces and blank-line runs collapsed, ends trimmed."""
    out: list[str] = []
    for ln in lines:
        if ln.strip():
            out.append(ln)
        elif out and out[-1] != "":
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _minimal_page(page: _Page) -> tuple[Record, list[Issue]] | None:
    """A page with a `<case number> - <title>` heading but no field block: a minimal record of
    its case number, title and description (with a warning), or None when there is no such
    heading. Real pages of this shape exist (issue 22); dropping them lost their text."""
    for i, line in enumerate(page.lines):
        if not line or L.is_preamble_chrome(line):
            continue
        m = _CASE_HEADING_RE.match(N.clean(line))
        if m is None:
            return None  # the first line that is not site chrome must be the heading
        rec = page.record
        rec.case_number = m.group("num")
        rec.title = m.group("name").strip()
        page.value_line["case_number"] = page.value_line["title"] = i
        rec.layout = "2021-2027" if "-" in rec.case_number else "2014-2020"
        page.read_body(i + 1, COLON)
        if not rec.description and not rec.sections:
            return None  # a heading alone is no record
        page.warn(f"no field block (no labels such as '{L.EXAMPLE_LABEL}:'): kept as a "
                  "minimal record of the heading's case number and title and the page's text", i)
        return rec, page.issues
    return None


def parse_page(text: str, source: str) -> tuple[Record, list[Issue]]:
    """Parse one page's cleaned text; raise NotAPage when it has no labels."""
    page = _Page(text, source)
    try:
        mode, start = page.find_block()
    except NotAPage:
        minimal = _minimal_page(page)
        if minimal is None:
            raise
        return minimal
    page.read_preamble(start, mode)
    if mode == GLUED:
        found, end = page.read_glued_block(start)
    else:
        found, end = page.read_colon_block(start)
    page.apply(found)
    page.read_body(end, mode)
    rec = page.record
    if page.heading_case and not rec.case_number:  # the page prints no Diarienummer line
        rec.case_number = page.heading_case
    elif page.heading_case and rec.case_number != page.heading_case:
        page.warn(f"case number {rec.case_number!r} differs from the number in the heading "
                  f"{page.heading_case!r}; kept {rec.case_number!r}",
                  page.value_line.get("case_number"))
    used_fields = {lab.field for lab in found if lab.field and lab.value.strip()}
    if mode == GLUED:
        rec.layout = "2007-2013"
    elif (used_fields & L.ESF_PLUS_FIELDS or page.labels_used & L.ESF_PLUS_LABELS
          or (rec.programme_area or "").isalpha()):
        rec.layout = "2021-2027"
    elif used_fields & L.OLD_PERIOD_FIELDS:
        rec.layout = "2007-2013"
    else:
        rec.layout = "2014-2020"
    if not rec.title:
        page.warn("no title: no line before the labels and no name label (the top of the "
                  "page may be missing)")
    if rec.start_date and rec.end_date and rec.end_date < rec.start_date:
        page.warn(f"end date {rec.end_date.isoformat()} is before start date "
                  f"{rec.start_date.isoformat()}; kept both as printed",
                  page.value_line.get("end_date"))
    all_labels = {fld for lab in found if (fld := lab.field)}
    missing = [L.FIELD_LABELS[f][0] for f in L.EXPECTED_FIELDS[rec.layout]
               if f not in all_labels and not (f == "period" and "start_date" in all_labels)]
    if missing:
        page.warn(f"no {', '.join(missing)} label found; the page may be truncated or "
                  "incomplete")
    if N.has_lost_diacritics(text):
        m = re.search(r"\S*(?:[A-Za-z]\?[a-zåäö]|\ufffd)\S*", text)
        word = m.group(0) if m else "?"
        line = text.count("\n", 0, m.start()) if m else None
        page.warn(f"text has lost diacritics (e.g. {_short(word, 40)!r}); labels and regions "
                  "are still recognised, values are kept as printed", line)
    return rec, page.issues
