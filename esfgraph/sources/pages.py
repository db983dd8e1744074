"""One project page from any of its forms: saved text, HTML, gzip, and a harvest's sidecar.

The one reader `parse`, `build` and `link-report` call for a page file. It picks the way in by
the bytes (and the name): gzip is unpacked (within the size cap), HTML (`.html`/`.htm`, or
markup sniffed at the start) is rendered as a browser lays it out (`esfgraph.sources.html`),
anything else goes to the saved-text parser. A harvested page (`pages/<key>.html.gz`) has its
metadata beside it (`pages/<key>.meta.json`); that sidecar fills `Record.provenance`: the page
URL, when it was fetched and the HTTP validators.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from esfgraph.parse.api import (
    SIDECAR_SUFFIX,
    parse_bytes,
    parse_decoded,
    parse_paths,
    read_or_rejected,
)
from esfgraph.parse.decode import (
    MAX_BYTES,
    DecodeError,
    NotARegularFile,
    clean_text,
    looks_like_html,
)
from esfgraph.parse.decode import read_file as read_bytes
from esfgraph.parse.result import Issue, ParseResult

#: `Record.provenance["kind"]` of a page read from HTML.
KIND_HTML = "page-html"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_PAGE_SUFFIXES = tuple(s + ".gz" for s in _HTML_SUFFIXES) + _HTML_SUFFIXES + (".gz",)
_GZIP_MAGIC = b"\x1f\x8b"
#: A sidecar is a few hundred bytes; anything past this is not one.
_SIDECAR_MAX = 64 * 1024
#: An IRI a graph may hold: http(s), no spaces or characters RDF forbids in an IRI.
_URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$", re.IGNORECASE)
_VALIDATOR_MAX = 512


def _rejected(source: str, reason: str) -> ParseResult:
    return ParseResult(source, None, [Issue(source, "error", reason)])


def has_sidecar_name(path: str) -> bool:
    """True for a file that may have a sidecar: HTML or gzip (a harvest's `<key>.html.gz`)."""
    return path.lower().endswith(_PAGE_SUFFIXES)


def sidecar_mtime_ns(path: str) -> int | None:
    """When a page's sidecar last changed (None without one): a new fetch time re-reads it."""
    if not has_sidecar_name(path):
        return None
    try:
        return os.stat(sidecar_path(path)).st_mtime_ns
    except OSError:
        return None


def sidecar_path(path: str) -> str:
    """Where a page's metadata sits: `pages/<key>.html.gz` → `pages/<key>.meta.json`."""
    low = path.lower()
    for suffix in _PAGE_SUFFIXES:
        if low.endswith(suffix):
            return path[: len(path) - len(suffix)] + SIDECAR_SUFFIX
    return os.path.splitext(path)[0] + SIDECAR_SUFFIX


def _gunzip(data: bytes) -> bytes:
    """Unpack gzip bytes, refusing more than MAX_BYTES of output (a page is a few kilobytes)."""
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
    try:
        body = unpack.decompress(data, MAX_BYTES + 1)
    except zlib.error as exc:
        raise DecodeError(f"is not a valid gzip file ({exc})") from exc
    if len(body) > MAX_BYTES:
        raise DecodeError(f"unpacks to more than {MAX_BYTES // (1024 * 1024)} MB; "
                          "a project page is far smaller")
    if not unpack.eof:
        raise DecodeError("is not a valid gzip file (it ends too early: the download or copy "
                          "may have been cut off)")
    return body


def is_html(path: str, body: bytes) -> bool:
    """True when a page's bytes are HTML: by markup at the start, or an HTML name and any tag."""
    head = body[:4096]
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(name, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    if looks_like_html(text):
        return True
    low = path.lower().removesuffix(".gz")
    return low.endswith(_HTML_SUFFIXES) and re.search(r"<[A-Za-z!/]", text) is not None


def _utc(value: Any) -> str | None:
    """An ISO 8601 time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None  # a time without a zone is ambiguous: never guess an hour
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_sidecar(path: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The harvest metadata of a page (None when it has none) and problems found in it."""
    side = sidecar_path(path)
    try:
        data = read_bytes(side)
    except FileNotFoundError:
        return None, []
    except (OSError, NotARegularFile) as exc:
        why = f"cannot be read ({exc.strerror or exc})"
        return None, [f"sidecar {side} {why}; the page is read without its URL and fetch time"]
    if len(data) > _SIDECAR_MAX:
        return None, [f"sidecar {side} is larger than {_SIDECAR_MAX // 1024} kB; ignored"]
    try:
        meta = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = f"is not valid JSON ({exc})"
        return None, [f"sidecar {side} {why}; the page is read without its URL and fetch time"]
    if not isinstance(meta, dict):
        return None, [f"sidecar {side} is not a JSON object; ignored"]
    return meta, []


def _rdf_iri(url: str) -> bool:
    """True when RDF accepts the URL as an IRI (a bad one would cost the record in the build)."""
    from esfgraph.errors import EsfGraphError
    from esfgraph.nt import checked_iri

    try:
        checked_iri(url)
    except EsfGraphError:
        return False
    return True


def provenance_from(meta: dict[str, Any] | None, body_sha256: str, kind: str,
                    side: str) -> tuple[dict[str, str], list[str]]:
    """`Record.provenance` from a sidecar: only values of the right shape are kept."""
    prov = {"kind": kind}
    notes: list[str] = []
    if meta is None:
        return prov, notes
    for key in ("url", "final_url"):
        value = meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, str) and _URL_RE.match(value.strip()) and _rdf_iri(value.strip()):
            prov[key] = value.strip()
        else:
            notes.append(f"sidecar {side}: {key} {str(value)[:80]!r} is not an http(s) URL; "
                         "left out")
    fetched = _utc(meta.get("fetched_at"))
    if fetched:
        prov["fetched_at"] = fetched
    elif meta.get("fetched_at"):
        notes.append(f"sidecar {side}: fetched_at {str(meta['fetched_at'])[:40]!r} is not an "
                     "ISO 8601 time with a zone; left out")
    for key in ("etag", "last_modified"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= _VALIDATOR_MAX:
            prov[key] = value.strip()
    prov["sha256"] = body_sha256
    claimed = meta.get("sha256")
    if isinstance(claimed, str) and claimed and claimed.lower() != body_sha256:
        notes.append(f"sidecar {side}: sha256 does not match the page (the page changed after "
                     "it was fetched, or the sidecar belongs to another page); kept the page's "
                     "own hash")
    if meta.get("gone"):
        since = meta.get("gone_since") or "an unknown time"
        notes.append(f"the page is gone from the site (since {since}); the record is from "
                     f"the copy fetched {prov.get('fetched_at', 'earlier')}")
    status = meta.get("status")
    if isinstance(status, int) and not 200 <= status < 300 and status != 304:
        notes.append(f"the page was fetched with HTTP status {status}")
    return prov, notes


def _parse_html(body: bytes, source: str, content_type: str | None) -> ParseResult:
    """Render an HTML page's bytes and parse the text with the layout readers."""
    from esfgraph.sources.html import (  # lxml: only when HTML comes
        decode_html,
        render_html,
    )

    text, _encoding, notes = decode_html(body, content_type)
    rendered = render_html(text)
    decoded = clean_text(rendered, "html", html_ok=True)
    decoded.notes[:0] = [(n, None) for n in notes]
    result = parse_decoded(decoded, source)
    for issue in result.issues:
        if issue.severity == "error" and "no Projektbanken labels" in issue.message:
            issue.message = f"HTML page with {issue.message}"
    return result


def read_page(path: str, data: bytes) -> ParseResult:
    """Parse one page file's bytes, whatever its form (text, HTML, gzip; see module doc).

    Problems come back as issues, never as exceptions. Line numbers of an HTML page's
    warnings count lines of its rendered text.
    """
    source = os.fspath(path)
    if len(data) > MAX_BYTES:
        return _rejected(source, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                                 "a project page is a few kilobytes")
    try:
        body = _gunzip(data) if data[:2] == _GZIP_MAGIC else data
        meta, side_notes = read_sidecar(source) if has_sidecar_name(source) else (None, [])
        html = is_html(source, body) or (
            meta is not None and "html" in str(meta.get("content_type") or "").lower()
            and re.search(rb"<[A-Za-z!/]", body[:4096]) is not None)
        if html:
            content_type = meta.get("content_type") if meta else None
            result = _parse_html(body, source,
                                 content_type if isinstance(content_type, str) else None)
        else:
            result = parse_bytes(body, source)
    except DecodeError as exc:
        return _rejected(source, str(exc))
    except Exception as exc:  # noqa: BLE001 - one page must never stop a run over many
        return _rejected(source, f"the page could not be read ({type(exc).__name__}: {exc}); "
                                 "it was skipped, please report it with the file")
    if result.record is not None and (html or meta is not None):
        prov, notes = provenance_from(meta, hashlib.sha256(body).hexdigest(),
                                      KIND_HTML if html else "page-text", sidecar_path(source))
        result.record.provenance = prov
        side_notes.extend(notes)
    result.issues.extend(Issue(source, "warning", n) for n in side_notes)
    return result


def read_file(path: str | os.PathLike[str]) -> ParseResult:
    """Read and parse one page file (see `read_page`); a file that cannot be read is rejected."""
    source = os.fspath(path)
    data = read_or_rejected(source, walker="read_paths")
    return data if isinstance(data, ParseResult) else read_page(source, data)


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ParseResult]:
    """Every page file named or under the folders named, one result each (see `parse_paths`)."""
    return parse_paths(paths, reader=read_file)
