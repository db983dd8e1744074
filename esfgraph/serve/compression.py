"""Compress answers above a size threshold with brotli or gzip, as the client's Accept-Encoding asks.

The compressing itself is done by maintained middleware: brotli-asgi's `BrotliResponder` and
Starlette's `GZipResponder` (both compress a streamed answer chunk by chunk, so a streaming
answer still streams). This module only chooses between them by reading Accept-Encoding with its
q-values (brotli-asgi's own front door picks `br` whenever the two letters appear, `br;q=0`
included), and `coding_for` is the same choice the HTTP validators (esfgraph.serve.conditional)
key their ETags on, so a gzip and a brotli representation never share a strong ETag.
"""

from __future__ import annotations

from brotli_asgi import BrotliResponder, Mode
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Receive, Scope, Send

#: Answers smaller than this go out uncompressed: below about a kilobyte the headers and the
#: compressor's start-up cost more than the bytes saved.
MINIMUM_SIZE = 1024
#: brotli quality 4: a 2.3 MB SPARQL JSON answer became 75.6 kB (gzip level 6: 76.3 kB) in
#: 7.5 ms (gzip: 11.6 ms; bench/serve.py --http); 11, brotli's default, is for static files
#: compressed once and costs tens of times more.
BROTLI_QUALITY = 4
#: gzip level: Starlette's default (9) costs twice the CPU of 6 for 1-2 % smaller answers.
GZIP_LEVEL = 6
#: Codings offered, preferred first when the client weighs them equally.
CODINGS = ("br", "gzip")


def coding_for(accept_encoding: str | None) -> str:
    """The content coding to answer with: "br", "gzip" or "identity" (RFC 9110 12.5.3)."""
    weights: dict[str, float] = {}
    for part in (accept_encoding or "").split(",")[:32]:
        name, *params = [p.strip() for p in part.split(";")]
        name = name.lower()
        if not name:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if not 0.0 <= q <= 1.0:  # NaN fails the comparison too
            q = 0.0
        weights[name] = q
    best, best_q = "identity", 0.0
    for coding in CODINGS:
        q = weights.get(coding, weights.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


class Compression:
    """ASGI middleware: brotli or gzip for answers of at least `minimum_size` bytes."""

    def __init__(self, app: ASGIApp, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = coding_for(Headers(scope=scope).get("accept-encoding"))
        if coding == "br":
            responder: ASGIApp = BrotliResponder(self.app, BROTLI_QUALITY, Mode.text, 22, 0,
                                                 self.minimum_size)
        elif coding == "gzip":
            responder = GZipResponder(self.app, self.minimum_size, compresslevel=GZIP_LEVEL)
        else:
            responder = self.app
        await responder(scope, receive, send)


__all__ = ["BROTLI_QUALITY", "CODINGS", "GZIP_LEVEL", "MINIMUM_SIZE", "Compression", "coding_for"]
