"""The one HTTP client of esfgraph: polite, bounded, and blind to what the pages mean.

Politeness as settings with safe defaults, as scrapy does it: one connection, at most `rate`
requests a second with upward jitter (never faster than asked), `Retry-After` honoured on 429 and
503 (seconds or HTTP-date), exponential backoff with a bounded retry count on errors, connect and
read timeouts plus a whole-request deadline, a size cap enforced while streaming, and redirects
followed by hand, only within the site and only where robots.txt allows. httpx is the client:
one `Client` with `max_connections=1` gives the single connection, per-phase timeouts and
streaming without writing a connection pool by hand.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from esfgraph import __version__

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5


def user_agent(contact: str | None) -> str:
    """`esfgraph/<version> (+<contact>)`: names the tool, its version and whom to write to."""
    return f"esfgraph/{__version__} (+{contact})" if contact else f"esfgraph/{__version__}"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone accepts "²"
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RateLimiter:
    """At most `rate` requests a second: each gap is 1/rate stretched by up to `jitter`."""

    def __init__(self, rate: float, jitter: float = 0.25,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self.jitter = jitter
        self._sleep = sleep
        self._next = 0.0

    def slow_down(self, interval: float) -> None:
        """Never go faster than `interval` seconds a request (robots.txt Crawl-delay)."""
        self.interval = max(self.interval, interval)

    def defer(self, seconds: float) -> None:
        """Send nothing for `seconds` (a Retry-After or a backoff)."""
        self._next = max(self._next, time.monotonic() + seconds)

    def wait(self) -> None:
        """Block until the next request may start, then book the one after it."""
        delay = self._next - time.monotonic()
        if delay > 0:
            self._sleep(delay)
        self._next = time.monotonic() + self.interval * (1.0 + random.uniform(0.0, self.jitter))


@dataclass
class Response:
    """What came back for one URL after redirects and retries (or why nothing usable did)."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None  # set when the fetch failed: timeout, cap, off-site redirect, …
    refused: bool = False  # a redirect led to a path robots.txt disallows
    wait_too_long: float | None = None  # the server asked us to wait longer than we will


@dataclass
class Politeness:
    """The knobs of `Fetcher`; the defaults are the CLI's."""

    rate: float = 1.0
    jitter: float = 0.25
    contact: str | None = None
    connect_timeout: float = 10.0
    timeout: float = 30.0  # read timeout, and 2× this is the deadline of a whole response
    max_bytes: int = 5_000_000
    retries: int = 3
    backoff: float = 2.0  # first backoff in seconds, doubled per retry
    max_wait: float = 600.0  # a Retry-After longer than this stops the harvest instead


class Fetcher:
    """GET pages of one site over one connection, politely (see the module docstring)."""

    def __init__(self, politeness: Politeness, within: Callable[[str], bool],
                 allowed: Callable[[str], bool] = lambda url: True,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.p = politeness
        self.within = within
        self.allowed = allowed
        self.limiter = RateLimiter(politeness.rate, politeness.jitter)
        self.requests = 0
        self.client = httpx.Client(
            headers={"User-Agent": user_agent(politeness.contact),
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                     "Accept-Language": "sv,en;q=0.5"},
            timeout=httpx.Timeout(politeness.timeout, connect=politeness.connect_timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=False, transport=transport)

    def close(self) -> None:
        """Close the connection."""
        self.client.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET `url`, following in-site redirects, retrying what may pass; never raises on HTTP."""
        if not self.within(url):  # the callers check too; this is the last line of defence
            return Response(url, url, error=f"{url} is not on the site (not requested)")
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            resp = self._get_with_retries(current, headers or {})
            resp.url = url
            if resp.error or resp.status not in REDIRECTS:
                return resp
            location = resp.headers.get("location")
            if not location:
                resp.error = f"HTTP {resp.status} redirect without a Location"
                return resp
            target = urljoin(current, location)
            if not self.within(target):
                resp.error = f"redirect off the site to {target} (not followed)"
                return resp
            if not self.allowed(target):
                resp.error = f"redirect to {target}, which robots.txt disallows (not followed)"
                resp.refused = True
                return resp
            current = target
        return Response(url, current, error=f"more than {MAX_REDIRECTS} redirects")

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        attempt = 0
        while True:
            self.limiter.wait()
            self.requests += 1
            resp = self._get_once(url, headers)
            retry_after = None
            if resp.status in (429, 503):
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
            transient = resp.error is not None and resp.status is None  # timeout, network
            if not (transient or resp.status in (429, 500, 502, 503, 504)):
                return resp
            if retry_after is not None and retry_after > self.p.max_wait:
                resp.wait_too_long = retry_after
                resp.error = f"HTTP {resp.status}: the site asks us to wait {retry_after:.0f} s"
                return resp
            if retry_after is not None:  # honoured for the next request, whichever URL it is
                self.limiter.defer(retry_after)
            if attempt >= self.p.retries:
                if resp.error is None:
                    resp.error = f"HTTP {resp.status} after {attempt + 1} tries"
                else:
                    resp.error += f" (after {attempt + 1} tries)"
                return resp
            delay = retry_after if retry_after is not None else \
                self.p.backoff * (2 ** attempt) * random.uniform(1.0, 1.25)
            self.limiter.defer(delay)
            attempt += 1

    def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        deadline = time.monotonic() + 2 * self.p.timeout + self.p.connect_timeout
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                out = Response(url, str(r.url), r.status_code,
                               {k.lower(): v for k, v in r.headers.items()})
                if r.status_code != 200:
                    return out
                length = r.headers.get("content-length", "")
                if length.isascii() and length.isdigit() and int(length) > self.p.max_bytes:
                    out.error = f"larger than the size cap ({length} > {self.p.max_bytes} bytes)"
                    return out
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > self.p.max_bytes:
                        out.error = f"larger than the size cap ({self.p.max_bytes} bytes; aborted)"
                        return out
                    if time.monotonic() > deadline:
                        out.error = "timed out (the response took too long to arrive)"
                        out.status = None
                        return out
                    chunks.append(chunk)
                out.body = b"".join(chunks)
                return out
        except httpx.TimeoutException as exc:
            return Response(url, url, error=f"timed out ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            return Response(url, url, error=f"{type(exc).__name__}: {exc}")
        except (OSError, ValueError) as exc:  # a broken socket or a malformed header
            return Response(url, url, error=f"{type(exc).__name__}: {exc}")
