"""SPARQL 1.1 Protocol details in one place: media types, content negotiation, request parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

#: Result formats of SELECT and ASK, preferred first: media type → internal format name.
RESULTS_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: Aliases some clients send for the same result formats.
RESULTS_ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: Graph formats of CONSTRUCT and DESCRIBE (and of entity data), preferred first.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
GRAPH_ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
#: File-extension style `format=` values accepted as an override of the Accept header.
FORMAT_PARAM: dict[str, str] = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
    "turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
}
#: Media types of a POSTed query or update.
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
HTML_TYPE = "text/html"


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        """Whether this range covers `media_type` (wildcards allowed)."""
        main, _, sub = media_type.partition("/")
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))

    @property
    def specificity(self) -> int:
        """2 for type/subtype, 1 for type/*, 0 for */*."""
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header leniently: malformed entries are skipped, never an error.

    An absent or entirely unusable header means `*/*`.
    """
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")[:64]):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if media == "*":
            media = "*/*"
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or " " in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0 or q != q:  # also rejects NaN
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, order))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives `media_type` (most specific matching range wins)."""
    best: MediaRange | None = None
    for rng in ranges:
        if rng.matches(media_type) and (best is None or rng.specificity > best.specificity):
            best = rng
    return best.q if best else 0.0


def negotiate(ranges: list[MediaRange], offered: dict[str, str],
              aliases: dict[str, str] | None = None) -> str | None:
    """Pick the offered media type the client prefers (ties: server order); None if none fits."""
    scored: list[tuple[float, int, str]] = []
    for rank, media_type in enumerate(offered):
        q = quality(ranges, media_type)
        for alias, target in (aliases or {}).items():
            if target == media_type:
                for rng in ranges:
                    if rng.specificity == 2 and f"{rng.type}/{rng.subtype}" == alias:
                        q = max(q, rng.q)
        if q > 0:
            scored.append((-q, rank, media_type))
    return min(scored)[2] if scored else None


def prefers_html(ranges: list[MediaRange], other: dict[str, str]) -> bool:
    """True when the client explicitly asks for HTML at least as much as any `other` type."""
    html_q = max((r.q for r in ranges if r.specificity == 2 and r.type == "text"
                  and r.subtype == "html"), default=0.0)
    if html_q <= 0:
        return False
    best_other = max((quality(ranges, t) for t in other), default=0.0)
    explicit_other = any(r.specificity == 2 and r.matches(t) for r in ranges for t in other)
    return html_q >= best_other or not explicit_other


def media_type_of(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower case ('' when absent or malformed)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media if media.count("/") == 1 else ""


@dataclass
class SparqlRequest:
    """The operation and dataset of one protocol request."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


def from_pairs(pairs: list[tuple[str, str]]) -> SparqlRequest:
    """Build a request from decoded URL or form parameters."""
    req = SparqlRequest()
    for key, value in pairs:
        if key == "query":
            req.query = value
        elif key == "update":
            req.update = value
        elif key in ("default-graph-uri", "using-graph-uri"):
            req.default_graphs.append(value)
        elif key in ("named-graph-uri", "using-named-graph-uri"):
            req.named_graphs.append(value)
        elif key == "format":
            req.format = value
    return req


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """Decode an urlencoded body (UTF-8; invalid bytes replaced, never an exception)."""
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


__all__ = [
    "FORMAT_PARAM", "FORM_TYPE", "GRAPH_ALIASES", "GRAPH_TYPES", "HTML_TYPE", "MediaRange",
    "QUERY_TYPE", "RESULTS_ALIASES", "RESULTS_TYPES", "SparqlRequest", "UPDATE_TYPE",
    "from_pairs", "media_type_of", "negotiate", "parse_accept", "parse_form", "prefers_html",
    "quality",
]
