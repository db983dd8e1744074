"""The HTTP middleware of `serve` on its own (no server process): compression keeps a streamed
answer streaming, Accept-Encoding and the validators are read as the RFCs say, and the
per-client line lets cheap queries through in turn."""

from __future__ import annotations

import asyncio
import gzip

import brotli
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from esfgraph.serve import lanes
from esfgraph.serve.compression import Compression, coding_for
from esfgraph.serve.conditional import (
    HttpCaching,
    Version,
    none_match,
    not_modified_since,
)

CHUNK = b"row,value\n" * 400  # 4 kB, well above the compression threshold


async def _chunks():
    for _ in range(5):
        yield CHUNK
        await asyncio.sleep(0)


def _app() -> Starlette:
    async def stream(request):
        return StreamingResponse(_chunks(), media_type="text/csv")

    async def small(request):
        return PlainTextResponse("ok")

    async def busy(request):
        return PlainTextResponse("busy", status_code=503)

    return Starlette(routes=[Route("/stream", stream), Route("/small", small),
                             Route("/busy", busy)])


def _call(app, path: str, headers: dict[str, str], method: str = "GET") -> list[dict]:
    """Run one request through `app`; the ASGI messages it sent, in order."""
    sent: list[dict] = []
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [(k.lower().encode(), v.encode())
                                              for k, v in headers.items()],
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5),
             "http_version": "1.1", "root_path": ""}
    done = False

    async def receive():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _headers(messages: list[dict]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in messages[0]["headers"]}


def test_a_streamed_answer_is_compressed_chunk_by_chunk():
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        messages = _call(Compression(_app()), "/stream", {"Accept-Encoding": coding})
        assert _headers(messages)["content-encoding"] == coding
        bodies = [m for m in messages if m["type"] == "http.response.body"]
        # still a stream: several body messages, not one buffered answer
        assert len(bodies) >= 5 and bodies[0]["more_body"]
        assert decode(b"".join(m["body"] for m in bodies)) == CHUNK * 5


def test_small_and_identity_answers_stay_plain():
    messages = _call(Compression(_app()), "/small", {"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in _headers(messages)
    messages = _call(Compression(_app()), "/stream", {"Accept-Encoding": "identity"})
    assert "content-encoding" not in _headers(messages)


@given(st.text(max_size=80))
def test_any_accept_encoding_gives_a_known_coding(header):
    assert coding_for(header) in ("br", "gzip", "identity")


def test_accept_encoding_weights():
    assert coding_for("gzip, deflate, br, zstd") == "br"
    assert coding_for("br;q=0, gzip") == "gzip"
    assert coding_for("gzip;q=1, br;q=0.9") == "gzip"
    assert coding_for("*;q=0") == "identity"
    assert coding_for("br;q=nan") == "identity"
    assert coding_for(None) == "identity"


def test_if_none_match_and_if_modified_since_are_read_leniently():
    assert none_match('"a", W/"b"', '"b"') and none_match('"x" , "a"', '"a"')
    assert not none_match('"ab"', '"a"') and not none_match("", '"a"')
    later = 2_000_000_000.0  # the server's clock in these checks (2033)
    assert not_modified_since("Sat, 05 Dec 2026 01:00:00 GMT", 1796432400.0, now=later)
    assert not not_modified_since("Sat, 05 Dec 2026 01:00:00 GMT", 1796432401.0, now=later)
    assert not not_modified_since("yesterday", 0.0)
    # a date later than the server's clock is invalid, so ignored (RFC 9110 13.1.3)
    assert not not_modified_since("Fri, 01 Jan 9999 00:00:00 GMT", 0.0)


def test_every_429_and_503_says_when_to_retry():
    app = HttpCaching(_app(), version=lambda: Version("v1", 0.0))
    messages = _call(app, "/busy", {})
    assert messages[0]["status"] == 503 and _headers(messages)["retry-after"].isdigit()


def test_a_revalidation_is_answered_without_the_handler():
    calls = []

    async def handler(scope, receive, send):
        calls.append(scope["path"])
        await PlainTextResponse("hello")(scope, receive, send)

    app = HttpCaching(handler, version=lambda: Version("v1", 1000.0))
    first = _call(app, "/x", {})
    etag = _headers(first)["etag"]
    second = _call(app, "/x", {"If-None-Match": etag})
    assert second[0]["status"] == 304 and calls == ["/x"]
    star = _call(app, "/x", {"If-None-Match": "*"})
    assert star[0]["status"] == 304 and all(not m.get("body") for m in star[1:])
    # a new store version: the old tag no longer matches
    newer = HttpCaching(handler, version=lambda: Version("v2", 2000.0))
    assert _call(newer, "/x", {"If-None-Match": etag})[0]["status"] == 200


def test_a_clients_small_queries_pass_in_turn_and_a_long_one_gets_the_next_429():
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        limiter = lanes.ClientLimiter(running=1, wait=0.3)

        async def query(seconds: float, queued: float = 0.0) -> str:
            try:
                async with limiter.admit("10.0.0.1") as ticket:
                    await asyncio.sleep(queued)  # waiting for a free worker: costs nothing
                    ticket.started()
                    await asyncio.sleep(seconds)
                    return "ok"
            except lanes.ClientBusy:
                return "429"

        dashboard = await asyncio.gather(*(query(0.01) for _ in range(8)))
        busy_server = await asyncio.gather(query(0.01, queued=0.6), query(0.01))
        long_one = await asyncio.gather(query(0.8), query(0.01))
        return list(dashboard), list(busy_server), list(long_one)

    dashboard, busy_server, long_one = asyncio.run(scenario())
    assert dashboard == ["ok"] * 8
    assert busy_server == ["ok", "ok"]
    assert long_one == ["ok", "429"]
