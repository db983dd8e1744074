"""Run the SPARQL guard where it can be cut off, for the server's remote-endpoint mode.

With `serve --endpoint` there are no query workers: every query goes to the remote server.
The guard used to run in the main process's thread pool, where a slow check cannot be stopped
(eight 400 kB requests from one client once made every later query answer 504). Here it runs
in a few small processes: a check that outlives its time limit kills its process (a fresh one
is started) and the client gets 503, so no text can hold the server. The guard is linear in
the text (esfgraph.guard), so this is the second line; the processes also give up the
network (esfgraph.sandbox) since they read untrusted text.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from esfgraph.serve.keeper import ProcessKeeper
from esfgraph.serve.workers import Reply

_CTX = multiprocessing.get_context("spawn")
_LOG = logging.getLogger("esfgraph.serve")


def _guard_main(conn: Connection, parent: int | None, update_note: str) -> None:
    """Guard process loop: answer (shape, refusal) for each job until the pipe closes."""
    from esfgraph.sandbox import deny_network, die_with_parent
    from esfgraph.serve.workers import screen

    die_with_parent(parent)
    deny_network()
    screen({"query": "ASK { ?s ?p ?o }"}, update_note)  # import and warm up before jobs
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(screen(job, update_note))
        except Exception as exc:  # noqa: BLE001 - a guard bug must refuse, not hang
            conn.send((None, Reply(400, body=f"The query could not be checked: "
                                             f"{type(exc).__name__}".encode())))


@dataclass(eq=False)
class _Process:
    process: Any
    conn: Connection


class GuardPool(ProcessKeeper):
    """`size` guard processes; `screen` runs esfgraph.serve.workers.screen in one of them."""

    def __init__(self, size: int = 2, update_note: str = "updates are not forwarded") -> None:
        self.size = max(1, size)
        self.update_note = update_note
        super().__init__()
        self._idle: asyncio.Queue[_Process] = asyncio.Queue()

    def _spawn(self) -> _Process:
        parent, child = _CTX.Pipe()
        process = _CTX.Process(target=_guard_main, args=(child, os.getpid(), self.update_note),
                               daemon=True, name="esfgraph-guard")
        process.start()
        child.close()
        got = _Process(process, parent)
        self._all.add(got)
        return got

    async def _ready(self, got: _Process, limit: float = 60.0) -> bool:
        from esfgraph.serve.workers import _readable

        try:
            await asyncio.wait_for(_readable(got.conn), limit)
            return got.conn.recv() == "ready"
        except (asyncio.TimeoutError, EOFError, OSError):
            await self._kill(got)
            return False

    async def start(self) -> None:
        """Start the processes and wait until each is ready."""
        fresh = [self._spawn() for _ in range(self.size)]
        for got, ok in zip(fresh, await asyncio.gather(*(self._ready(g) for g in fresh))):
            if ok:
                self._idle.put_nowait(got)

    async def _respawn(self, old: _Process) -> None:
        fresh = self._spawn()
        if await self._ready(fresh):
            self._idle.put_nowait(fresh)
        else:
            _LOG.error("could not replace a guard process (%d left)", len(self._all))

    async def screen(self, job: dict[str, Any], limit: float) -> tuple[Any, Reply | None]:
        """(the query's shape, None), or (None, the refusal); 503 when the check overran."""
        from esfgraph.serve.workers import _readable

        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            got = await asyncio.wait_for(self._idle.get(), limit)
        except asyncio.TimeoutError:
            return None, Reply(503, body=f"All query checkers stayed busy for {limit:g} s; "
                                         "try again later.".encode())
        try:
            got.conn.send({"query": job["query"], "trusted": job.get("trusted", False)})
            await asyncio.wait_for(_readable(got.conn), max(0.01, deadline - loop.time()))
            answer: tuple[Any, Reply | None] = got.conn.recv()
        except asyncio.TimeoutError:
            self._replace(got)
            return None, Reply(503, body=(f"Checking the query took longer than {limit:g} s; "
                                          "it was stopped. Send a shorter query.").encode())
        except asyncio.CancelledError:
            self._replace(got)  # the client went away: stop the check now
            raise
        except (EOFError, OSError):
            self._replace(got)
            return None, Reply(503, body=b"The query checker stopped; try again.")
        self._idle.put_nowait(got)
        return answer


__all__ = ["GuardPool"]
