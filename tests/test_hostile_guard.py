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

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esfgraph import guard

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
         "<http://x/#a>", " ", "x", "ex:", "ex:a.", ".", "?", "?v", "@en", "_:b", "{", "}",
         "(", ")", "BIND(", " AS ?x)", " AS ?y)", "FILTER(", "SERVICE", "service", "LOAD",
         "S\\u0045RVICE", "1", "=", ";", ",", "^^", "x:", "\t", "a", "true"]
#: Contexts that may hide what stands between their two halves from one reader but not from
#: the other: {0} and {1} are line ends (plain or escaped), noise goes around them.
PAIRS = [
    ("BIND(1<'''>''' AS ?x) #{0}", "{1}BIND(''' ''' AS ?y)"),  # the attack
    ("BIND(1<'''>''' AS ?x) {0}", "{1}BIND(''' ''' AS ?y)"),
    ("BIND(1<'>' AS ?x) {0}", "{1}BIND('' AS ?y)"),
    ("#{0}", "{1}"),
    ("# '''{0}", "{1}'''"),
    ("BIND('''{0}", "{1}''' AS ?y)"),
    ('BIND("""{0}', '{1}""" AS ?y)'),
    ("BIND(<http://x/#a> AS ?w) #{0}", "{1}"),
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
