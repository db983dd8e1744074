"""HTTP validators and freshness for every GET answer: ETag, Last-Modified, Cache-Control, 304.

A served store version is never written once it is current (esfgraph.store swaps in a new
directory; an update through /sparql bumps the app's `generation`), so the same request on the
same version always gets the same answer. The ETag is therefore derived from the request and the
version alone, *before* the handler runs: a client revalidating with `If-None-Match` gets its 304
without the query being evaluated, the page rendered or a worker taken, and without counting
against any per-client limit. What makes two requests the same representation is everything the
handlers negotiate on: scheme, host, path and query string, Accept, the content coding chosen
from Accept-Encoding, Accept-Language and Cookie (the explorer's language); never the method
(GET and HEAD share validators).

The same middleware adds `Retry-After` to every 429 and 503 that has none, so a client always
learns when to come back.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from esfgraph.guard import BoundedCache
from esfgraph.serve.compression import coding_for

#: Seconds a client or proxy may reuse an answer without asking again. A new build can be
#: swapped in at any time, so this stays short; after it, revalidation is one cheap 304.
DEFAULT_MAX_AGE = 60
#: Seconds to wait before retrying, per status, when the handler did not say.
RETRY_AFTER = {429: 2, 503: 5}
#: Request headers that select a representation (the key of the ETag besides the URL).
KEY_HEADERS = ("accept", "accept-language", "cookie")
#: Response headers a 304 must repeat from the 200 it stands for (RFC 9110 15.4.5).
REPLAYED = ("cache-control", "content-location", "vary", "link")
#: Vary of every validated answer (handlers add theirs, e.g. Accept-Language).
BASE_VARY = ("Accept", "Accept-Encoding")


@dataclass(frozen=True)
class Version:
    """What the answers depend on: an opaque token and when that data was last changed."""

    token: str
    modified: float


def etag_for(version: Version, scope: Scope) -> str:
    """The strong ETag of the answer to `scope` on `version` (quoted, as sent)."""
    headers = Headers(scope=scope)
    parts = [version.token, scope.get("scheme", "http"), headers.get("host", ""),
             scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"),
             coding_for(headers.get("accept-encoding"))]
    parts += [headers.get(name, "").strip() for name in KEY_HEADERS]
    digest = hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"),
                             digest_size=16).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag.removeprefix("W/")


def none_match(header: str, etag: str) -> bool:
    """Whether an If-None-Match value names `etag` (weak comparison, RFC 9110 13.1.2)."""
    return any(_opaque(tag) == etag for tag in header.split(",")[:64])


def not_modified_since(header: str, modified: float, now: float | None = None) -> bool:
    """Whether an If-Modified-Since date is at or after `modified` (seconds resolution).

    An invalid date, or one later than the server's clock, is ignored (RFC 9110 13.1.3).
    """
    try:
        since = parsedate_to_datetime(header.strip()).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if since > (time.time() if now is None else now):
        return False
    return int(modified) <= since


def _merge_vary(current: str | None, extra: tuple[str, ...]) -> str:
    names = [n.strip() for n in (current or "").split(",") if n.strip()]
    for name in extra:
        if name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return ", ".join(names)


class HttpCaching:
    """ASGI middleware: validators, freshness and 304 on GET/HEAD; Retry-After on 429/503.

    Args:
        version: what the answers depend on now (None: no validators, e.g. a remote endpoint
            that can change at any time).
        max_age: the Cache-Control max-age of validated answers.
        skip: path prefixes left alone (static files carry their own validators).
    """

    def __init__(self, app: ASGIApp, version: Callable[[], Version | None],
                 max_age: int = DEFAULT_MAX_AGE, skip: tuple[str, ...] = ("/static",)) -> None:
        self.app = app
        self.version = version
        self.max_age = max_age
        self.skip = skip
        # headers of recent 200s by ETag, repeated on their 304s (bounded)
        self._replay: BoundedCache[str, tuple[tuple[bytes, bytes], ...]] = BoundedCache(4096)
        self.not_modified = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        version = None
        if scope["method"] in ("GET", "HEAD") and not path.startswith(self.skip):
            version = self.version()
        if version is None:
            await self.app(scope, receive, self._retry_after(send))
            return
        etag = etag_for(version, scope)
        headers = Headers(scope=scope)
        if_none = headers.get("if-none-match")
        if_since = headers.get("if-modified-since")
        # If-Modified-Since counts only without If-None-Match (RFC 9110 13.2.2)
        if (none_match(if_none, etag) if if_none is not None
                else if_since is not None and not_modified_since(if_since, version.modified)):
            await self._send_304(send, etag, version)
            return
        # `If-None-Match: *` matches any current representation: only the handler knows
        # whether there is one (a 200), so its answer becomes the 304
        star = if_none is not None and if_none.strip() == "*"
        await self.app(scope, receive, self._validated(send, etag, version, star))

    def _send_304_headers(self, etag: str, version: Version) -> list[tuple[bytes, bytes]]:
        replay = self._replay.get(etag)
        if replay is None:
            replay = ((b"cache-control", self._cache_control().encode()),
                      (b"vary", ", ".join(BASE_VARY).encode()))
        return [(b"etag", etag.encode()),
                (b"last-modified", formatdate(version.modified, usegmt=True).encode()),
                *replay]

    async def _send_304(self, send: Send, etag: str, version: Version) -> None:
        self.not_modified += 1
        await send({"type": "http.response.start", "status": 304,
                    "headers": self._send_304_headers(etag, version)})
        await send({"type": "http.response.body", "body": b""})

    def _cache_control(self) -> str:
        return f"public, max-age={self.max_age}"

    def _validated(self, send: Send, etag: str, version: Version, star: bool = False) -> Send:
        retry_send = self._retry_after(send)
        swallow = False

        async def wrapped(message: Message) -> None:
            nonlocal swallow
            if swallow:
                return  # the body of a 200 turned 304
            if star and message["type"] == "http.response.start" and message["status"] == 200:
                swallow = True
                self.not_modified += 1
                await send({"type": "http.response.start", "status": 304,
                            "headers": self._send_304_headers(etag, version)})
                await send({"type": "http.response.body", "body": b""})
                return
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if "set-cookie" not in headers and "etag" not in headers:
                    headers["ETag"] = etag
                    headers["Last-Modified"] = formatdate(version.modified, usegmt=True)
                    if "cache-control" not in headers:
                        headers["Cache-Control"] = self._cache_control()
                    headers["Vary"] = _merge_vary(headers.get("vary"), BASE_VARY)
                    replay = tuple((k, v) for k, v in headers.raw if k.decode() in REPLAYED)
                    self._replay.get_or_make(etag, lambda: replay)
                message = {**message, "headers": headers.raw}
            await retry_send(message)

        return wrapped

    @staticmethod
    def _retry_after(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in RETRY_AFTER:
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if "retry-after" not in headers:
                    headers["Retry-After"] = str(RETRY_AFTER[message["status"]])
                    message = {**message, "headers": headers.raw}
            await send(message)

        return wrapped


def store_version(token: Callable[[], str | None], path: Callable[[], str | None],
                  generation: Callable[[], tuple[str, float]]) -> Callable[[], Version | None]:
    """A `version` callable for `HttpCaching` over a store served by this process.

    Args:
        token: the backend's version (the store's version directory).
        path: the directory whose modification time is the build time.
        generation: (marker, time) of the last change made through this server (an update);
            ("", 0.0) when there was none.
    """
    from esfgraph import __version__

    def current() -> Version | None:
        base = token()
        if base is None:
            return None
        marker, changed = generation()
        built = 0.0
        where = path()
        if where:
            try:
                built = os.stat(where).st_mtime
            except OSError:
                built = 0.0
        return Version(f"{__version__}\x00{base}\x00{marker}", max(built, changed, _CODE_TIME))

    return current


def _code_time() -> float:
    """When this esfgraph was installed: a newer program may render the same data differently."""
    import esfgraph

    try:
        return os.stat(esfgraph.__file__).st_mtime
    except OSError:
        return time.time()


_CODE_TIME = _code_time()


__all__ = ["BASE_VARY", "DEFAULT_MAX_AGE", "RETRY_AFTER", "HttpCaching", "Version", "etag_for",
           "none_match", "not_modified_since", "store_version"]
