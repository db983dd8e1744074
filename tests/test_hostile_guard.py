"""The guard and the engine read a query the same way, in linear time (issue 23, items 1-2).

On the earlier main the guard asked rdflib, whose comments end only at LF, while pyoxigraph
also ends them at CR: `BIND(1<'''>''' AS ?x) #<CR> SERVICE <…> {…} <LF> BIND(''' ''' AS ?y)`
passed the guard and only the kernel layer stopped the connection. Here a differential fuzzer
checks every guard verdict against pyoxigraph itself (a 127.0.0.1 listener tells whether the
engine read a SERVICE or LOAD), and the attack is refused by the guard alone (its own 403
message, not the kernel's "Permission denied"). The guard's tokenizer was quadratic (32 kB
of `a.a.a.` took 10 s); the doubling tests bound its growth.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esfgraph import guard
from esfgraph.errors import QueryError
from tests.serve_fixtures.server import REPO, make_store, running_server

# ------------------------------------------------------------------ the engine as oracle


class Listener:
    """A 127.0.0.1 TCP listener that counts connections and hangs up at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.count += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()
        self._thread.join(5)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    got = Listener()
    try:
        yield got
    finally:
        got.close()


def engine_connects(text: str, listener: Listener, *, update: bool = False) -> bool:
    """Whether pyoxigraph, running `text` on an empty store, opened a connection to us."""
    before = listener.count
    store = ox.Store()
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if isinstance(result, ox.QuerySolutions):
                list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    # the engine waits for an answer on every connection it opens, and the listener counts a
    # connection before it hangs up: when the engine is back, the count is complete
    return listener.count > before


def guard_refuses(text: str, *, update: bool = False) -> bool:
    try:
        guard.check(text, update=update)
    except guard.UnsafeQueryError:
        return True
    except guard.QueryTooComplexError:
        return True
    return False


# ------------------------------------------------------------------ the differential fuzzer

#: Pieces of text that open, close or break comments, strings, IRIs and escapes.
ATOMS = ["#", "\r", "\n", "\r\n", "'", "'''", '"', '"""', "\\", "\\u000D", "\\u000A",
         "\\u0027", "\\u0022", "\\u0023", "\\u003C", "<", ">", "1<", "<'''>", "<'>", "<a#>",
         "<http://127.0.0.1:9/#a>", " ", "x", "ex:", "ex:a.", ".", "?", "?v", "@en", "_:b", "{", "}",
         "(", ")", "BIND(", " AS ?x)", " AS ?y)", "FILTER(", "SERVICE", "service", "LOAD",
         "S\\u0045RVICE", "1", "=", ";", ",", "^^", "x:", "\t", "a", "true"]
#: Contexts that may hide what stands between their two halves from one reader but not from
#: the other: {0} and {1} are line ends (plain or escaped), noise goes around them.
PAIRS = [
    ("BIND(1<'''>''' AS ?x) #{0}", "{1}BIND(''' ''' AS ?y)"),  # the issue's attack
    ("BIND(1<'''>''' AS ?x) {0}", "{1}BIND(''' ''' AS ?y)"),
    ("BIND(1<'>' AS ?x) {0}", "{1}BIND('' AS ?y)"),
    ("#{0}", "{1}"),
    ("# '''{0}", "{1}'''"),
    ("BIND('''{0}", "{1}''' AS ?y)"),
    ('BIND("""{0}', '{1}""" AS ?y)'),
    ("BIND(<http://127.0.0.1:9/#a> AS ?w) #{0}", "{1}"),
    ("FILTER(?z < <a#>) BIND('''{0}", "{1}''' AS ?y)"),
    ("FILTER(1<<a#b> ) #{0}", "{1}"),
    ("BIND('''x\\''' AS ?q) #{0}", "{1}"),
    ("BIND('x\\' AS ?q) #{0}", "{1}' AS ?y)"),
    ("VALUES ?v {{ '''{0}", "{1}''' }}"),
    ("?s ex:p 'x'@en{0}", "{1}"),
    ("?s ex:a.b{0}", "{1}"),
    ("{0}", "{1}"),
]
#: Line ends, plain and escaped.
EOLS = ["\r", "\n", "\r\n", "\\u000D", "\\u000A", " ", "\n\r", ""]
noise = st.one_of(st.just(""), st.lists(st.sampled_from(ATOMS), max_size=2).map("".join))


@st.composite
def surroundings(draw: st.DrawFn) -> tuple[str, str]:
    """Text to put before and after a SERVICE clause or a LOAD operation."""
    opener, closer = draw(st.sampled_from(PAIRS))
    first, second = draw(st.sampled_from(EOLS)), draw(st.sampled_from(EOLS))
    before = draw(noise) + opener.format(first, second) + draw(noise)
    after = draw(noise) + closer.format(first, second) + draw(noise)
    return before, after


def _service_query(port: int, before: str, after: str) -> str:
    return (f"PREFIX ex: <http://127.0.0.1:{port}/ns#> PREFIX x: <http://127.0.0.1:{port}/x#>\n"
            f"SELECT * WHERE {{ BIND(1 AS ?z) {before} SERVICE <http://127.0.0.1:{port}/s> "
            f"{{ ?s ?p ?o }} {after} }}")


def _load_update(port: int, before: str, after: str) -> str:
    return (f"PREFIX ex: <http://127.0.0.1:{port}/ns#>\n"
            f"INSERT DATA {{ <urn:a> <urn:b> 'c' }} ; {before} LOAD <http://127.0.0.1:{port}/d> "
            f"{after}")


FUZZ = settings(max_examples=1500, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(around=surroundings())
def test_guard_and_engine_agree_on_service(listener: Listener, around: tuple[str, str]):
    """Whenever pyoxigraph reads a SERVICE (and calls it), the guard refused the text."""
    text = _service_query(listener.port, *around)
    connected = engine_connects(text, listener)
    assert guard_refuses(text) or not connected, f"the guard let through a SERVICE: {text!r}"


@FUZZ
@given(around=surroundings())
def test_guard_and_engine_agree_on_load(listener: Listener, around: tuple[str, str]):
    text = _load_update(listener.port, *around)
    connected = engine_connects(text, listener, update=True)
    assert guard_refuses(text, update=True) or not connected, (
        f"the guard let through a LOAD: {text!r}")


# ------------------------------------------------------------ the issue's attack, end to end


def attacks(port: int) -> dict[str, tuple[str, bool]]:
    """The issue's query (CR and `\\u000D` variants) and its update forms: name -> (text,
    is an update)."""
    url = f"http://127.0.0.1:{port}/x"
    query = ("SELECT * WHERE { BIND(1<'''>''' AS ?x) #{eol} SERVICE <" + url
             + "> {?s ?p ?o} \n BIND(''' ''' AS ?y) }")
    update = ("INSERT { <urn:a> <urn:b> ?x } WHERE { BIND(1<'''>''' AS ?x) #{eol} SERVICE <"
              + url + "> {?s ?p ?o} \n BIND(''' ''' AS ?y) }")
    load = "INSERT DATA { <urn:a> <urn:b> 'c' } ; #{eol} LOAD <" + url + "> \n"
    out = {}
    for eol_name, eol in (("cr", "\r"), ("escaped-cr", "\\u000D")):
        out[f"query-{eol_name}"] = (query.replace("{eol}", eol), False)
        out[f"update-{eol_name}"] = (update.replace("{eol}", eol), True)
        out[f"load-{eol_name}"] = (load.replace("{eol}", eol), True)
    return out


def test_the_issues_attack_reaches_the_network_without_a_guard(listener: Listener):
    """The CR variants really call out when nothing but pyoxigraph reads them (so the tests
    below test something): this is what the kernel layer alone stopped on the earlier main."""
    for name in ("query-cr", "update-cr", "load-cr"):
        text, update = attacks(listener.port)[name]
        assert engine_connects(text, listener, update=update), name


@pytest.mark.parametrize("name", sorted(attacks(1)))
def test_the_guard_alone_refuses_the_issues_attack(name: str):
    text, update = attacks(1)[name]
    with pytest.raises(guard.UnsafeQueryError):
        guard.check(text, update=update)


def test_a_prefix_that_starts_with_a_keyword_is_refused(listener: Listener):
    """pyoxigraph needs no space after a keyword: `service:a {…}` is SERVICE + `:a`."""
    text = (f"PREFIX : <http://127.0.0.1:{listener.port}/> PREFIX service: <x:> "
            "SELECT * { service:a {?s ?p ?o} }")
    assert engine_connects(text, listener)
    with pytest.raises(guard.UnverifiableQueryError):
        guard.check(text)
    for fine in ("SELECT ?service WHERE { ?service ?p 'LOAD' } # SERVICE",
                 "PREFIX ex: <http://e/> SELECT * { ?s ex:serviceType ?loaded }",
                 "ASK { ?s ?p ?o } # load it\r\n"):
        guard.check(fine)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from esfgraph.pipeline import build

    path = tmp_path_factory.mktemp("hostile-guard") / "store"
    build([REPO / "seeds"], store_path=path, jobs=1, validate=False)
    return path


def test_cli_query_refuses_the_issues_attack(built_store: Path):
    from click.testing import CliRunner

    from esfgraph.cli import main

    got = Listener()
    try:
        for name, (text, update) in attacks(got.port).items():
            if update:
                continue
            result = CliRunner().invoke(main, ["query", "--store", str(built_store),
                                               "--format", "json", text])
            assert result.exit_code == 2, (name, result.output)
            assert "--allow-service" in result.output  # the guard's refusal, not the kernel's
            assert "Permission denied" not in result.output
        assert got.count == 0
    finally:
        got.close()


def test_serve_refuses_the_issues_attack_with_the_guards_403(tmp_path_factory):
    token = "t0ken"
    store = make_store(tmp_path_factory.mktemp("hostile-serve") / "store")
    got = Listener()
    try:
        with running_server(store, "--workers", "2", "--enable-update", "--update-token",
                            token) as server:
            for name, (text, update) in attacks(got.port).items():
                data = {"update": text} if update else {"query": text}
                resp = httpx.post(server.url + "/sparql", data=data, timeout=30,
                                  headers={"Authorization": f"Bearer {token}",
                                           "Accept": "application/sparql-results+json"})
                assert resp.status_code == 403, (name, resp.status_code, resp.text)
                # the guard's words: the kernel layer would have said "Permission denied"
                assert ("cannot be shown to stay local" in resp.text
                        or "is not allowed here" in resp.text), (name, resp.text)
        assert got.count == 0
    finally:
        got.close()


# ------------------------------------------------------------- serve fails closed


def _serve(store: Path, monkeypatch, *extra: str):
    from click.testing import CliRunner

    from esfgraph import sandbox, serve
    from esfgraph.cli import main

    started: list[object] = []
    monkeypatch.setattr(sandbox, "probe", lambda: sandbox.NetworkDenial(
        False, False, "seccomp() failed: Invalid argument"))
    monkeypatch.setattr(serve, "run_server", lambda settings, **kw: started.append(settings))
    result = CliRunner().invoke(main, ["serve", "--store", str(store), "--port", "0", *extra])
    return result, started


def test_serve_refuses_to_start_without_the_kernel_layer(tmp_path, monkeypatch):
    store = make_store(tmp_path / "store")
    result, started = _serve(store, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "--allow-unsandboxed-workers" in result.output
    assert "seccomp() failed" in result.output
    assert started == []


def test_serve_starts_without_the_kernel_layer_when_the_operator_accepts(tmp_path, monkeypatch):
    store = make_store(tmp_path / "store")
    result, started = _serve(store, monkeypatch, "--allow-unsandboxed-workers")
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and len(started) == 1


# ------------------------------------------------------------- linear on hostile input


def _best(work: Callable[[str], object], text: str, runs: int = 3) -> float:
    best = float("inf")
    gc.collect()  # start each size with the same heap (a busy collector is noise here)
    for _ in range(runs):
        guard._SHAPES._items.clear()  # time the work, not the cache
        started = time.perf_counter()
        work(text)
        best = min(best, time.perf_counter() - started)
    return best


def _check(text: str) -> None:
    try:
        guard.check(text)
    except QueryError:
        pass


def _explain(text: str) -> None:
    from esfgraph.sparql_errors import explain

    try:
        ox.Store().query(text, prefixes={"ex": "http://e/"})
    except SyntaxError as exc:
        explain(str(exc), text, {"ex": "http://e/"})


HOSTILE = {
    "a.a.": lambda n: "SELECT * WHERE { " + "a." * (n // 2) + " }",
    "a.a. with load": lambda n: "SELECT * WHERE { " + "a." * (n // 2) + " } # load",
    "unclosed long strings": lambda n: "ASK { " + "'''\\'" * (n // 5) + "} # load",
    "unclosed IRIs": lambda n: "ASK { " + "<a" * (n // 2) + "} # service",
    "names": lambda n: "ASK { " + "ex:a ex:b ex:c . " * (n // 17) + " FILTER( }",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_guard_and_error_explanation_are_linear(name: str):
    """Four times a hostile 32 kB text may cost four times the work, not sixteen (the guard
    took 10.6 s for 32 kB of `a.a.`; naming an error rescanned the text per name)."""
    make = HOSTILE[name]
    for work in (_check, _explain):
        small = _best(work, make(32_000))
        assert small < 3.0, (name, work.__name__, small)  # quadratic: fail without waiting
        # four times the text: linear work grows about 4×, quadratic 16×; the wide bound
        # keeps a busy machine's noise (best of 3 runs each) from failing a linear reader
        ratio = _best(work, make(128_000)) / max(small, 0.002)
        assert ratio < 8, (name, work.__name__, small, ratio)


# ------------------------------------------------- endpoint mode: a guard that can be cut off


def test_endpoint_mode_cuts_off_a_slow_check_and_limits_each_client():
    """In `serve --endpoint` the guard ran in an uncancellable thread with no per-client limit
    (eight 400 kB requests from one client made every later query 504 for an hour); now a
    check that overruns kills its guard process (503) and the next query is checked by a
    fresh one, and a client's second expensive query gets 429 as in store mode."""
    from esfgraph.serve.remote_backend import RemoteBackend

    silent = socket.socket()  # a remote that takes the request and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
    big = "SELECT * WHERE { " + "a." * 400_000 + " } # load"  # ~0.4 s of checking

    async def go() -> tuple[int, bytes, int, int, int]:
        backend = RemoteBackend(url, timeout=2.0, guard_processes=1)
        await backend.start()
        try:
            slow = await backend.run({"query": big}, timeout=0.05)
            job = {"query": "SELECT * WHERE { ?s ?p ?o }",
                   "results_type": "application/sparql-results+json"}
            first = asyncio.ensure_future(backend.run(job, timeout=1.5, client="10.0.0.1"))
            await asyncio.sleep(0.3)
            second = await backend.run(job, timeout=1.5, client="10.0.0.1")
            other = await backend.run({"query": "ASK { SERVICE <http://x/> {} }"}, timeout=5)
            return (slow.status, slow.body, second.status, (await first).status,
                    other.status)
        finally:
            await backend.close()

    try:
        slow, body, second, first, other = asyncio.run(go())
    finally:
        silent.close()
    assert slow == 503 and b"longer than" in body
    assert second == 429
    assert first == 504  # the silent remote: only the remote wait ran out
    assert other == 403  # a fresh guard process answers after the killed one


@pytest.mark.parametrize("keyword", ["ſERVICE", "SERVıCE", "ＳERVICE", "SERVİCE", "SeRvIcE",
                                     "service"])
def test_case_and_lookalike_letters_agree_with_the_engine(listener: Listener, keyword: str):
    """pyoxigraph matches keywords ASCII-case-insensitively; look-alike letters are no keyword."""
    text = (f"SELECT * {{ BIND(1 AS ?z) {keyword} <http://127.0.0.1:{listener.port}/> "
            "{ ?s ?p ?o } }")
    assert guard_refuses(text) == engine_connects(text, listener)


def _service_update(port: int, before: str, after: str) -> str:
    return (f"PREFIX ex: <http://127.0.0.1:{port}/ns#> PREFIX x: <http://127.0.0.1:{port}/x#>\n"
            f"INSERT {{ <urn:a> <urn:b> ?z }} WHERE {{ BIND(1 AS ?z) {before} SERVICE "
            f"<http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} {after} }}")


@FUZZ
@given(around=surroundings())
def test_guard_and_engine_agree_on_service_in_updates(listener: Listener,
                                                      around: tuple[str, str]):
    text = _service_update(listener.port, *around)
    connected = engine_connects(text, listener, update=True)
    assert guard_refuses(text, update=True) or not connected, (
        f"the guard let through a SERVICE in an update: {text!r}")
