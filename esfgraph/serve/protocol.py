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
#: A client that names only the result format of the other query forms (rdflib's SPARQLStore
#: with returnFormat="json" runs a CONSTRUCT with Accept: application/sparql-results+json) gets
#: the same family: JSON-LD for JSON, RDF/XML for XML, and back. Used only when nothing in the
#: Accept header fits the query form, so an explicit choice always wins.
RESULTS_TO_GRAPH: dict[str, str] = {
    "application/sparql-results+json": "application/ld+json",
    "application/sparql-results+xml": "application/rdf+xml",
}
GRAPH_TO_RESULTS: dict[str, str] = {
    "application/ld+json": "application/sparql-results+json",
    "application/rdf+xml": "application/sparql-results+xml",
}
#: `format=` (also `output=`, `results=`) values → (result type, graph type). Clients send them
#: beside or instead of an Accept header; SPARQLWrapper sends `format=xml` for CONSTRUCT too, so
#: a value means the matching format of each query form: `xml` is SPARQL results XML for SELECT
#: and ASK and RDF/XML for CONSTRUCT and DESCRIBE, `json` is SPARQL JSON or JSON-LD.
FORMAT_PARAM: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "ttl": (None, "text/turtle"), "turtle": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"), "json-ld": (None, "application/ld+json"),
    "rdf": (None, "application/rdf+xml"), "rdfxml": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"),
}
#: Parameters some clients use for the format (Virtuoso `format`, sparqler `output`, `results`).
FORMAT_KEYS = ("format", "output", "results")


def format_choice(value: str) -> tuple[str | None, str | None]:
    """(result type, graph type) a `format=` value asks for; a media type counts as itself."""
    value = value.strip().lower()
    if value in FORMAT_PARAM:
        return FORMAT_PARAM[value]
    media = value.split(";", 1)[0].strip()
    results = RESULTS_ALIASES.get(media, media)
    graph = GRAPH_ALIASES.get(media, media)
    if media in ("application/json", "application/xml", "text/xml"):
        return results, graph  # ambiguous alone: the query form decides
    return (results if results in RESULTS_TYPES else None,
            graph if graph in GRAPH_TYPES else None)


def choose_types(accept: str | None, formats: list[str]) -> tuple[str | None, str | None]:
    """The result type (SELECT, ASK) and graph type (CONSTRUCT, DESCRIBE) to answer with.

    The first `format=` value that names a format for a query form wins for that form; a form
    no `format=` value covers is negotiated from the Accept header.
    """
    results: str | None = None
    graph: str | None = None
    for value in formats:
        r_type, g_type = format_choice(value)
        results = results or r_type
        graph = graph or g_type
    ranges = parse_accept(accept)
    if results is None:
        results = (negotiate(ranges, RESULTS_TYPES, RESULTS_ALIASES)
                   or negotiate(ranges, RESULTS_TYPES, GRAPH_TO_RESULTS))
    if graph is None:
        graph = (negotiate(ranges, GRAPH_TYPES, GRAPH_ALIASES)
                 or negotiate(ranges, GRAPH_TYPES, RESULTS_TO_GRAPH))
    return results, graph


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


def not_acceptable(form: str | None, accept: str | None) -> str:
    """The one 406 message of a query, for GET and POST alike: what was asked, what exists.

    `form` is SELECT, ASK, CONSTRUCT or DESCRIBE when known (None: before the query is read,
    when no format of either kind fits).
    """
    results = ", ".join(RESULTS_TYPES)
    graphs = ", ".join(GRAPH_TYPES)
    if form in ("SELECT", "ASK"):
        offered = results
    elif form in ("CONSTRUCT", "DESCRIBE", "CONSTRUCT/DESCRIBE"):
        offered = graphs
    else:
        offered = f"{results} (SELECT, ASK); {graphs} (CONSTRUCT, DESCRIBE)"
    what = f"a {form} result" if form else "a query result"
    return (f"No acceptable format for {what} (Accept: {(accept or '').strip() or '*/*'}); "
            f"available: {offered}. Send one of them in Accept or as format=.")


def media_type_of(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower case ('' when absent or malformed)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media if media.count("/") == 1 else ""


#: Parameters naming the dataset: of a query (2.1.4) and of an update (2.2.3).
DATASET_KEYS = ("default-graph-uri", "named-graph-uri", "using-graph-uri",
                "using-named-graph-uri")


class ProtocolError(ValueError):
    """A request the SPARQL 1.1 Protocol does not allow (answered with `status`)."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class SparqlRequest:
    """The operation and dataset of one protocol request."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    #: `using-graph-uri` / `using-named-graph-uri` were given (only valid with an update).
    using: bool = False
    #: `default-graph-uri` / `named-graph-uri` were given (only valid with a query).
    dataset: bool = False

    @property
    def format(self) -> str | None:
        """The first `format=` (or `output=`, `results=`) value, if any."""
        return self.formats[0] if self.formats else None


def from_pairs(pairs: list[tuple[str, str]]) -> SparqlRequest:
    """Build a request from decoded URL or form parameters.

    Raises:
        ProtocolError: more than one `query` or `update`, both, or dataset parameters of the
            other operation (SPARQL 1.1 Protocol 2.1 and 2.2).
    """
    req = SparqlRequest()
    for key, value in pairs:
        if key in ("query", "update"):
            if req.query is not None or req.update is not None:
                raise ProtocolError("Send exactly one `query` or one `update` per request "
                                    f"(a second `{key}` parameter was found).")
            if key == "query":
                req.query = value
            else:
                req.update = value
        elif key in DATASET_KEYS:
            (req.named_graphs if "named" in key else req.default_graphs).append(value)
            if key.startswith("using"):
                req.using = True
            else:
                req.dataset = True
        elif key in FORMAT_KEYS and value:
            req.formats.append(value)
    return req


def charset_of(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type header, lower case (None when absent)."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """Decode an urlencoded body (UTF-8; invalid bytes replaced, never an exception)."""
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


__all__ = [
    "DATASET_KEYS",
    "FORMAT_KEYS",
    "FORMAT_PARAM",
    "FORM_TYPE",
    "GRAPH_ALIASES",
    "GRAPH_TO_RESULTS",
    "GRAPH_TYPES",
    "HTML_TYPE",
    "QUERY_TYPE",
    "RESULTS_ALIASES",
    "RESULTS_TO_GRAPH",
    "RESULTS_TYPES",
    "UPDATE_TYPE",
    "MediaRange",
    "ProtocolError",
    "SparqlRequest",
    "apply_using",
    "charset_of",
    "choose_types",
    "format_choice",
    "from_pairs",
    "media_type_of",
    "negotiate",
    "not_acceptable",
    "parse_accept",
    "parse_form",
    "prefers_html",
    "quality",
]


def apply_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Add `using-graph-uri` / `using-named-graph-uri` to each DELETE/INSERT … WHERE operation.

    SPARQL 1.1 Protocol 2.2.3: the parameters act as USING / USING NAMED clauses; an operation
    that has its own USING or WITH beside them is an error. The text is rebuilt from its tokens
    (whitespace and comments dropped), which only happens when the parameters are present.

    Raises:
        ProtocolError: a bad graph IRI, or USING/WITH in the update as well as the parameters.
    """
    from esfgraph import guard

    for iri in [*default_graphs, *named_graphs]:
        if not iri or any(c in iri for c in '<>"{}|^`\\ \n\t'):
            raise ProtocolError(f"Not a graph IRI: {iri!r}.")
    clause = " ".join([f"USING <{g}>" for g in default_graphs]
                      + [f"USING NAMED <{g}>" for g in named_graphs])
    out: list[str] = []
    depth = 0
    operation: list[str] = []  # upper-cased words of the current operation at depth 0
    for token in guard.tokens(update):
        text = token.text
        word = text.upper() if token.kind == "word" else ""
        if depth == 0 and word in ("USING", "WITH"):
            raise ProtocolError("The update names its dataset with USING or WITH and the request "
                                "with using-graph-uri / using-named-graph-uri: send only one "
                                "(SPARQL 1.1 Protocol 2.2.3).")
        if depth == 0 and word == "WHERE" and operation[:1] in (["INSERT"], ["DELETE"]) \
                and operation[-1:] != ["DELETE"]:
            out.append(clause)
        if text in ("{", "(", "["):
            depth += 1
        elif text in ("}", ")", "]"):
            depth = max(0, depth - 1)
        if depth == 0 and text == ";":
            operation = []
        elif depth == 0 and word and word not in ("PREFIX", "BASE"):
            operation.append(word)
        out.append(text)
    return " ".join(out)
