"""N-Triples term text: escaping, checked IRIs and language tags, literals.

The build writes N-Quads text straight from the mapping (no rdflib terms on the hot path), so
this is the one place that decides how a term is spelled. Every IRI and language tag is checked
once per distinct value with pyoxigraph (the parser the store uses), so the text always parses:
a bad IRI rejects its record instead of failing a whole batch.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from esfgraph.errors import StoreError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: `<iri>` text of IRIs checked before (predicates, classes, shared entities, ...).
_IRI_CACHE: dict[str, str] = {}
_IRI_CACHE_MAX = 200_000
#: Language tags already checked (a handful: "sv", "en").
_LANG_OK: set[str] = set()
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPES = {"n": "\n", "r": "\r", '"': '"', "\\": "\\", "t": "\t"}


def escape(text: str) -> str:
    """Escape a literal's lexical form for N-Triples (backslash, quote, CR, LF)."""
    # chained str.replace runs in C and is much faster than translate() on long texts
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def unescape(text: str) -> str:
    """Undo `escape` (and the other ECHAR escapes a parser may meet)."""
    if "\\" not in text:
        return text
    return _UNESCAPE.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(0)), text)


def checked_iri(iri: str) -> str:
    """`<iri>`, after checking once that pyoxigraph accepts it (as the N-Quads parser would).

    Raises:
        StoreError: the IRI is not valid (never cached, so asking again raises again).
    """
    cached = _IRI_CACHE.get(iri)
    if cached is None:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise StoreError(f"the mapped triples are not valid RDF: bad IRI <{iri}> ({exc})"
                             ) from exc
        cached = f"<{iri}>"
        if len(_IRI_CACHE) < _IRI_CACHE_MAX:
            _IRI_CACHE[iri] = cached
    return cached


def iri_text(iri: str) -> str:
    """`<iri>` for an IRI (the cached common case inline, `checked_iri` for new ones)."""
    return _IRI_CACHE.get(iri) or checked_iri(iri)


def checked_lang(tag: str) -> str:
    """The tag, after checking once that pyoxigraph accepts it."""
    if tag not in _LANG_OK:
        try:
            ox.Literal("x", language=tag)
        except ValueError as exc:
            raise StoreError(f"the mapped triples are not valid RDF: bad language tag "
                             f"{tag!r} ({exc})") from exc
        _LANG_OK.add(tag)
    return tag


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal's N-Triples text: `"text"`, `"text"@lang` or `"text"^^<datatype>`."""
    body = f'"{escape(text)}"'
    if lang:
        return f"{body}@{checked_lang(lang)}"
    if datatype and datatype != XSD_STRING:
        return f"{body}^^{iri_text(datatype)}"
    return body


def split_literal(nt: str) -> tuple[str, str | None, str | None]:
    """(lexical form, language, datatype) of a literal's N-Triples text made by `literal`."""
    end = nt.rfind('"')
    lexical = unescape(nt[1:end])
    rest = nt[end + 1:]
    if rest.startswith("@"):
        return lexical, rest[1:], None
    if rest.startswith("^^<"):
        return lexical, None, rest[3:-1]
    return lexical, None, None


__all__ = ["XSD_STRING", "checked_iri", "checked_lang", "escape", "iri_text", "literal",
           "split_literal", "unescape"]
