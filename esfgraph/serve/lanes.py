"""Decide which queries are provably cheap lookups, so they get a worker nothing else can take.

A query is cheap only when a small parser accepts the whole text in this allowlisted fragment
of SPARQL and every triple pattern is anchored:

    [PREFIX p: <iri> | BASE <iri>]*
    SELECT [DISTINCT] (?v+ | *) | ASK | CONSTRUCT { triples } | DESCRIBE <iri>+ (no WHERE)
    [WHERE] { triples | OPTIONAL { ... } | GRAPH ?g|<iri> { ... } }  [LIMIT n] [OFFSET n]

Triples use IRIs, prefixed names, variables, `a` and plain literals; no FILTER, BIND, VALUES,
UNION, MINUS, sub-queries, property paths, aggregates, ORDER BY or dataset clauses. Anchored
means the pattern's subject is a constant or a variable bound by an anchored pattern (so the
evaluation walks outgoing edges from named resources, at most `MAX_HOPS` steps); or, as the only
pattern of the query, `?s <p> <object>` / `?s ?p <object>` (an incoming lookup, streamed and
stopped by the row cap; no DISTINCT). The cost of such a query is bounded by the out-degree of the named
resources, not by the size of the store. Anything else, including text the parser does not
understand, is "expensive": the safe side. No keyword decides anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from esfgraph.guard import BoundedCache, Token, digest, tokens

#: Longer texts are never classified cheap (and never tokenized on the event loop).
MAX_CHEAP_CHARS = 8000
#: Most triple patterns in a cheap query.
MAX_PATTERNS = 12
#: Most hops from a named resource.
MAX_HOPS = 2
#: An OFFSET above this makes any query expensive (the skipped rows are still read).
MAX_LIMIT = 10_000

_CONST = ("iri", "pname", "string", "number")


class _NotCheap(Exception):
    """The text leaves the allowlisted fragment."""


@dataclass
class _Pattern:
    subject: Token
    predicate: Token
    obj: Token


@dataclass
class _Parsed:
    patterns: list[_Pattern] = field(default_factory=list)
    template: bool = False
    describe_only: bool = False
    distinct: bool = False
    limit: int | None = None
    offset: int = 0


class _Parser:
    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.pos = 0
        self.out = _Parsed()

    def peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def word(self) -> str:
        tok = self.peek()
        return tok.text.upper() if tok is not None and tok.kind == "word" else ""

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or (kind and tok.kind != kind) or (
                text and tok.text.upper() != text.upper()):
            raise _NotCheap
        self.pos += 1
        return tok

    def query(self) -> _Parsed:
        while self.word() in ("PREFIX", "BASE"):
            if self.take("word").text.upper() == "PREFIX":
                self.take("pname")
            self.take("iri")
        form = self.word()
        self.take("word")
        if form == "SELECT":
            if self.word() in ("DISTINCT", "REDUCED"):
                self.take("word")
                self.out.distinct = True
            tok = self.peek()
            if tok is not None and tok.text == "*":
                self.take()
            else:
                self.take("var")
                while (tok := self.peek()) is not None and tok.kind == "var":
                    self.take()
        elif form == "CONSTRUCT":
            if self.word() != "WHERE":
                self.take(text="{")
                template = _Parser(self.toks)
                template.pos = self.pos
                template.triples_block()  # template patterns are not evaluated
                self.pos = template.pos
                self.take(text="}")
        elif form == "DESCRIBE":
            self.take("iri") if self.peek() and self.peek().kind == "iri" else self.take("pname")
            while (tok := self.peek()) is not None and tok.kind in ("iri", "pname"):
                self.take()
            if self.peek() is None:
                self.out.describe_only = True
                return self.out
        elif form != "ASK":
            raise _NotCheap
        if self.word() == "WHERE":
            self.take("word")
        self.group()
        while self.word() in ("LIMIT", "OFFSET"):
            which = self.take("word").text.upper()
            number = self.take("number").text
            if not number.isdigit():
                raise _NotCheap
            if which == "LIMIT":
                self.out.limit = int(number)
            else:
                self.out.offset = int(number)
        if self.peek() is not None:
            raise _NotCheap
        return self.out

    def group(self) -> None:
        self.take(text="{")
        while True:
            tok = self.peek()
            if tok is None:
                raise _NotCheap
            if tok.text == "}":
                self.take()
                return
            word = self.word()
            if word == "OPTIONAL":
                self.take()
                self.group()
            elif word == "GRAPH":
                self.take()
                if self.peek() is None or self.peek().kind not in ("iri", "pname", "var"):
                    raise _NotCheap
                self.take()
                self.group()
            else:
                self.triples_block()
            if self.peek() is not None and self.peek().text == ".":
                self.take()

    def term(self, allowed: tuple[str, ...]) -> Token:
        tok = self.peek()
        if tok is None:
            raise _NotCheap
        if tok.kind == "word" and tok.text in ("a",) and "a" in allowed:
            return self.take()
        if tok.kind == "word" and tok.text.lower() in ("true", "false") and "string" in allowed:
            return Token("string", self.take().text)
        if tok.kind not in allowed:
            raise _NotCheap
        term = self.take()
        if term.kind == "string":
            if "<" in term.text or term.text.startswith(("'''", '"""')):
                raise _NotCheap  # keep away from the `<'>` lexing trap and long strings
            nxt = self.peek()
            if nxt is not None and nxt.text.startswith("@"):
                self.take()  # a language tag (tokenized as other + word)
                if self.peek() is not None and self.peek().kind == "word":
                    self.take()
            elif nxt is not None and nxt.text == "^":
                self.take(text="^")
                self.take(text="^")
                if self.peek() is None or self.peek().kind not in ("iri", "pname"):
                    raise _NotCheap
                self.take()
        return term

    def triples_block(self) -> None:
        subject = self.term(("iri", "pname", "var"))
        while True:
            predicate = self.term(("iri", "pname", "var", "a"))
            while True:
                obj = self.term(("iri", "pname", "var", "string", "number"))
                self.out.patterns.append(_Pattern(subject, predicate, obj))
                if self.peek() is not None and self.peek().text == ",":
                    self.take()
                    continue
                break
            if self.peek() is not None and self.peek().text == ";":
                self.take()
                if self.peek() is not None and self.peek().text in (".", "}", ";"):
                    break
                continue
            break


def _anchored(parsed: _Parsed) -> bool:
    patterns = parsed.patterns
    if parsed.describe_only:
        return True
    if not patterns or len(patterns) > MAX_PATTERNS or parsed.offset > MAX_LIMIT:
        return False
    if len(patterns) == 1:
        only = patterns[0]
        if only.subject.kind in _CONST:
            return True
        if only.obj.kind in _CONST and only.obj.kind != "number" and not parsed.distinct:
            return True  # streamed: the row cap (or ASK's first match) stops it
    hops: dict[str, int] = {}
    pending = list(patterns)
    changed = True
    while pending and changed:
        changed = False
        for pattern in list(pending):
            subject = pattern.subject
            if subject.kind in _CONST:
                level = 0
            elif subject.kind == "var" and subject.text[1:] in hops:
                level = hops[subject.text[1:]]
            else:
                continue
            if level >= MAX_HOPS:
                return False
            for tok in (pattern.predicate, pattern.obj):
                if tok.kind == "var":
                    name = tok.text[1:]
                    hops[name] = min(hops.get(name, level + 1), level + 1)
            pending.remove(pattern)
            changed = True
    return not pending


_CHEAP: BoundedCache[bytes, bool] = BoundedCache(4096)


def is_cheap(text: str) -> bool:
    """True when `text` is a provably cheap lookup (see the module docstring)."""
    if len(text) > MAX_CHEAP_CHARS:
        return False
    return _CHEAP.get_or_make(digest(text), lambda: _classify(text))


def _classify(text: str) -> bool:
    try:
        return _anchored(_Parser(tokens(text)).query())
    except _NotCheap:
        return False


#: Seconds a client's expensive query may have been running on a worker before the same
#: client's next one gets 429 instead of waiting for it.
CLIENT_WAIT = 2.0
#: Expensive queries of one client that may wait in its line at once (429 beyond at once).
CLIENT_QUEUE = 32


class ClientBusy(Exception):
    """The client's own expensive queries kept its share busy (answered 429 + Retry-After)."""


class Ticket:
    """One admitted query of a client; `started()` marks when it got a worker."""

    def __init__(self, state: _ClientState) -> None:
        self.state = state
        self.started_at: float | None = None

    def started(self) -> None:
        """The query now runs on a worker: its real cost starts counting."""
        if self.started_at is None:
            self.started_at = asyncio.get_running_loop().time()
            self.state.wake()


class _ClientState:
    def __init__(self) -> None:
        self.holders: list[Ticket] = []
        self.waiting: list[object] = []  # first come, first served
        self.changed = asyncio.Event()

    def wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class ClientLimiter:
    """Per-client admission of expensive queries, counting what they really cost.

    A client (peer address) runs at most `running` expensive queries at once; more wait in the
    client's own line, first come first served. A waiting query gets 429 only when the query
    holding the client's slot has been *running on a worker* for `wait` seconds (time spent
    waiting for a free worker behind other clients costs the client nothing). Queries that take
    milliseconds (a dashboard's eight small GROUP BY, sent in parallel) therefore all pass, one
    after the other, even on a busy server, while a client whose query runs long gets 429 for
    the next one and cannot take a second worker from everybody else. At most `queue` queries
    of one client wait at once.
    """

    def __init__(self, running: int = 1, wait: float = CLIENT_WAIT,
                 queue: int = CLIENT_QUEUE) -> None:
        self.running = max(1, running)
        self.wait = wait
        self.queue = queue
        self._clients: dict[str, _ClientState] = {}

    @asynccontextmanager
    async def admit(self, client: str) -> AsyncIterator[Ticket]:
        """Hold one of `client`'s slots for the block; call `started()` on the ticket when the
        query gets its worker.

        Raises:
            ClientBusy: the slot's holder ran `wait` seconds, or the line is full.
        """
        state = self._clients.setdefault(client, _ClientState())
        if len(state.waiting) >= self.queue:
            raise ClientBusy(self._message())
        me = object()
        state.waiting.append(me)
        ticket = Ticket(state)
        loop = asyncio.get_running_loop()
        try:
            while len(state.holders) >= self.running or state.waiting[0] is not me:
                ran = [loop.time() - t.started_at for t in state.holders if t.started_at]
                if len(state.holders) >= self.running and ran and max(ran) >= self.wait:
                    raise ClientBusy(self._message())
                changed = state.changed
                left = self.wait - max(ran) if ran else None
                try:
                    await asyncio.wait_for(changed.wait(), left)
                except asyncio.TimeoutError:
                    pass  # the holder has now run `wait` seconds: checked at the loop's top
        except BaseException:
            state.waiting.remove(me)
            state.wake()  # the next in line may be first now
            self._forget(client, state)
            raise
        state.waiting.remove(me)
        state.holders.append(ticket)
        try:
            yield ticket
        finally:
            state.holders.remove(ticket)
            state.wake()
            self._forget(client, state)

    def _forget(self, client: str, state: _ClientState) -> None:
        if not state.holders and not state.waiting and self._clients.get(client) is state:
            del self._clients[client]

    def _message(self) -> str:
        return (f"Your earlier expensive query has been running for {self.wait:g} s or more "
                f"(one client runs {self.running} at a time; the next waits while the earlier "
                "one is quick). Try again when it has finished, or narrow it down; lookups of "
                "named resources are not limited.")

    def busy(self, client: str) -> int:
        """Expensive queries of `client` running or waiting now."""
        state = self._clients.get(client)
        return len(state.holders) + len(state.waiting) if state else 0


__all__ = ["CLIENT_QUEUE", "CLIENT_WAIT", "MAX_CHEAP_CHARS", "ClientBusy", "ClientLimiter",
           "Ticket", "is_cheap"]
