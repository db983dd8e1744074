"""A hand-written stand-in for a remote SPARQL endpoint: answers what a test sets, records requests."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class StandIn:
    """What the stand-in answers (status, type, body, delay) and the requests it has seen."""

    url: str = ""
    status: int = 200
    content_type: str = "application/sparql-results+json"
    body: bytes = b'{"head":{},"boolean":true}'
    delay: float = 0.0
    #: (user, password): requests without these Basic credentials get a 401 challenge.
    basic: tuple[str, str] | None = None
    requests: list[dict[str, object]] = field(default_factory=list)


@contextmanager
def standin_endpoint() -> Iterator[StandIn]:
    """Run a stand-in SPARQL endpoint on 127.0.0.1 (free port) until the block ends."""
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, params: dict[str, list[str]]) -> None:
            state.requests.append({"method": self.command, "params": params,
                                   "accept": self.headers.get("Accept", ""),
                                   "authorization": self.headers.get("Authorization")})
            if state.basic:
                token = base64.b64encode(":".join(state.basic).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", state.content_type)
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)
            except OSError:
                pass  # the client gave up waiting

        def do_GET(self) -> None:
            self._answer(parse_qs(urlsplit(self.path).query))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            self._answer(parse_qs(raw))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
