"""Hardening (issue 9, item 2): attacks on a real `esfgraph serve` that test_serve_protocol lacks.

tests/test_serve_protocol.py already proves: SERVICE to a listener on 127.0.0.1 (five
spellings), FROM <file:///etc/passwd>, LOAD over HTTP with and without the token, updates
without the token, a 10 MB form body, 20,000 nested braces, the cross-product stopped at the
time limit while lookups answer, 1000 idle connections, malformed Accept/Content-Type, and
path traversal on /id, /data and /static. This module adds what is left: SERVICE to other
loopback hosts and names, file IRIs in the protocol's dataset parameters, LOAD of a local
file with a valid token, updates over GET, a chunked body with no length, an over-long query
string, huge headers, bad percent-encoding, nesting just under the cap, and script in a
scraped page reaching the entity page.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from esfgraph.pipeline import build
from tests.conftest import SEEDS
from tests.serve_fixtures.server import (
    RunningServer,
    connection_listener,
    make_store,
    running_server,
)

ASK_ALL = "ASK { ?s ?p ?o }"
SECRET = "hardening-secret-4711"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local Turtle file an attacker would like the server to read."""
    path = tmp_path_factory.mktemp("secret") / "secret.ttl"
    path.write_text(f'<urn:x:leak> <urn:x:says> "{SECRET}" .\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = make_store(tmp_path_factory.mktemp("hardening-serve") / "store")
    with running_server(store, "--timeout", "5", "--workers", "2", "--enable-update",
                        "--update-token", "t0ken") as srv:
        yield srv


def get(srv: RunningServer, query: str, **params: str) -> httpx.Response:
    return httpx.get(srv.url + "/sparql", params={"query": query, **params}, timeout=30)


def still_up(srv: RunningServer) -> bool:
    resp = get(srv, ASK_ALL)
    return resp.status_code == 200 and resp.json()["boolean"] is True


def leaked(srv: RunningServer) -> bool:
    resp = get(srv, f'ASK {{ ?s ?p "{SECRET}" }}')
    assert resp.status_code == 200
    return resp.json()["boolean"]


# ----------------------------------------------------------------------------- SERVICE, FROM, LOAD


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host,family,shown", [
    ("127.0.0.2", socket.AF_INET, "127.0.0.2"),          # another host on the loopback range
    ("127.0.0.1", socket.AF_INET, "localhost"),          # a name, not an address
    ("::1", socket.AF_INET6, "[::1]"),                   # IPv6
])
def test_service_to_other_hosts_is_refused_and_nothing_connects(server, host, family, shown):
    if family == socket.AF_INET6 and not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    sock, seen = connection_listener(host, family)
    url = f"http://{shown}:{sock.getsockname()[1]}/sparql"
    try:
        responses = [
            get(server, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
            get(server, f"SELECT * WHERE {{ ?s ?p ?o . FILTER EXISTS {{ SERVICE <{url}> "
                        "{ ?s ?p ?o } } }"),
            get(server, f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{url}> "
                        "{ ?a ?b ?c } } } }"),
        ]
        time.sleep(0.3)
    finally:
        sock.close()
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert seen == []
    assert still_up(server)


def test_file_iris_in_the_dataset_parameters_read_nothing(server, secret_file):
    iri = secret_file.as_uri()
    for params in ({"default-graph-uri": iri}, {"named-graph-uri": iri}):
        resp = get(server, "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                   **params)
        assert resp.status_code == 200
        assert SECRET not in resp.text
    resp = get(server, f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []
    resp = get(server, f"DESCRIBE <{iri}>")
    assert resp.status_code == 200 and SECRET not in resp.text
    assert not leaked(server)


def test_load_of_a_local_file_is_refused_even_with_the_token(server, secret_file):
    auth = {"Authorization": "Bearer t0ken"}
    # (each refusal restarts the workers, as any update does: keep the list short)
    for update in (f"LOAD SILENT <{secret_file.as_uri()}> INTO GRAPH <urn:x:g>",
                   f"INSERT DATA {{ <urn:x:a> <urn:x:b> 'c' }} ; LOAD <{secret_file.as_uri()}>"):
        resp = httpx.post(server.url + "/sparql", data={"update": update}, headers=auth,
                          timeout=60)
        assert resp.status_code == 403, (update, resp.text)
    resp = get(server, f"LOAD <{secret_file.as_uri()}>")  # an update in the query parameter
    assert resp.status_code in (400, 403)
    assert not leaked(server)
    assert get(server, "ASK { <urn:x:a> ?p ?o }").json()["boolean"] is False  # all or nothing
    assert still_up(server)


def test_an_update_over_get_is_never_run(server):
    """The protocol allows updates only by POST; a GET (say, a link) must not change data."""
    resp = httpx.get(server.url + "/sparql", timeout=60,
                     params={"update": "INSERT DATA { <urn:x:get> <urn:x:p> 'v' }"},
                     headers={"Authorization": "Bearer t0ken"})
    assert resp.status_code in (400, 403, 405)
    assert get(server, "ASK { <urn:x:get> ?p ?o }").json()["boolean"] is False


# ----------------------------------------------------------------------------- request sizes


def _raw(srv: RunningServer, data: bytes, read_limit: int = 65536) -> bytes:
    """Send bytes as they are and return what the server answers (until it closes)."""
    parts = urlsplit(srv.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        try:
            sock.sendall(data)
        except OSError:  # the server may close early on an oversized request
            pass
        chunks = []
        try:
            while sum(map(len, chunks)) < read_limit:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def test_a_chunked_body_without_length_is_cut_at_the_limit(server):
    """No Content-Length to refuse up front: the body must still be cut while reading."""
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40))  # 2.6 MB
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer = _raw(server, head + b"5\r\nASK {\r\n" + body + b"0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert still_up(server)


def test_an_over_long_query_string_is_refused(server):
    answer = _raw(server, b"GET /sparql?query=ASK%7B%7D%23" + b"x" * 1_100_000
                  + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"414"), answer[:200]
    assert still_up(server)


def test_huge_and_many_headers_do_not_hurt(server):
    huge = httpx.get(server.url + "/sparql", params={"query": ASK_ALL}, timeout=30,
                     headers={"Cookie": "a=" + "b" * 200_000})
    assert huge.status_code in (400, 413, 431) or huge.status_code == 200
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(5000))
    answer = _raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + many
                  + b"Connection: close\r\n\r\n")
    assert answer == b"" or answer.split(b" ")[1][:1] in (b"2", b"4")
    assert still_up(server)


@pytest.mark.parametrize("raw_query", ["%ff%fe%fd", "ASK%7B%3Fs%20%3Fp%20%22%c3%28%22%7D",
                                       "%00ASK%7B%7D", "%", "%zz", "ASK%7B%7D&query=ASK%7B%7D"])
def test_bad_percent_encoding_is_a_client_error(server, raw_query):
    answer = _raw(server, f"GET /sparql?query={raw_query} HTTP/1.1\r\nHost: x\r\n"
                          "Connection: close\r\n\r\n".encode())
    status = int(answer.split(b" ")[1])
    assert status in (200, 400), answer[:300]
    assert still_up(server)


@pytest.mark.parametrize("opening,closing", [("(", ")"), ("{ ", "} "), ("[ ", "] ")])
def test_nesting_just_under_the_cap_never_kills_a_worker(server, opening, closing):
    depth = 250
    if opening == "(":
        query = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * depth + "true" + ")" * depth + ") }"
    elif opening == "{ ":
        query = "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth
    else:
        query = "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * depth + "1 " + "] " * depth + "}"
    before = server.worker_pids()
    resp = httpx.post(server.url + "/sparql", data={"query": query}, timeout=60)
    assert resp.status_code in (200, 400), resp.text[:300]
    assert resp.status_code != 500
    assert still_up(server)
    assert server.worker_pids() == before, "a worker died on a nested query"


def test_a_very_long_entity_path_is_a_clean_answer(server):
    answer = _raw(server, b"GET /id/" + b"a/" * 50_000 + b" HTTP/1.1\r\nHost: x\r\n"
                  b"Accept: text/html\r\nConnection: close\r\n\r\n")
    assert answer == b"" or answer.split(b" ")[1][:1] == b"4"
    assert still_up(server)


# ----------------------------------------------------------------------------- scraped input


def test_script_in_a_scraped_page_is_escaped_on_the_entity_page(tmp_path):
    """A page saved from the web is untrusted: its text must never become live HTML."""
    pages = tmp_path / "pages"
    pages.mkdir()
    evil = "<img src=x onerror=alert(1)>"  # (a <script> page is turned away as HTML)
    text = (SEEDS / "003_58e54e8db85e930c.txt").read_text(encoding="utf-8")
    text = text.replace("Motivera och Aktivera MOA", f"Motivera {evil}")
    text = text.replace("Piteå kommun, Samhällsbyggnad Kompetensförsörjning",
                        "Piteå kommun, \"><svg onload=alert(2)>")
    text = text.replace("ylva.lindstrom@pitea.se", "javascript:alert(3)")
    (pages / "evil.txt").write_text(text, encoding="utf-8")
    shutil.copy(SEEDS / "000_d2ed1ed5029aa51d.txt", pages)
    report = build([pages], store_path=tmp_path / "store", validate=False)
    assert report.rejected == [] and report.records == 2
    with running_server(tmp_path / "store", "--workers", "2") as srv:
        resp = httpx.get(srv.url + "/id/project/2018-00460", headers={"Accept": "text/html"},
                         timeout=30)
        assert resp.status_code == 200
        body = resp.text
        assert "Motivera" in body
        assert "<img src=x" not in body and "<svg onload" not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body
        assert 'href="javascript:' not in body.lower()
        # the same text is data for an RDF client, unchanged
        turtle = httpx.get(srv.url + "/data/id/project/2018-00460", timeout=30).text
        assert evil in turtle


# ----------------------------------------------------------------------------- load (smoke)


def test_load_smoke_has_no_server_errors_and_the_server_survives(tmp_path):
    """A short run of bench/load.py (the real figures are in docs/guide/hardening.md)."""
    from bench.load import LoadSettings, report, run

    settings = LoadSettings(clients=4, seconds=3, records=60, work_dir=tmp_path, quiet=True,
                            workers=2)
    result = run(settings)
    text = report(result, settings)
    assert result.records == 60
    assert result.requests > 20, text
    assert all(result.latencies[kind] for kind in ("lookup", "entity", "ready-made")), text
    assert result.server_errors == 0 and result.transport_errors == 0, text
    assert result.other_status == 0, text
    assert result.server_alive, text
    start = result.rss_mb[0]
    assert len(result.rss_samples_mb) >= 3 and start > 0, text
