"""Processes the server kills on a time limit and replaces in the background.

Why a room of its own: the query workers (esfgraph.serve.workers) and the guard processes of
`serve --endpoint` (esfgraph.serve.guard_pool) live the same life: started from a fork server,
killed when a job overruns or the server stops, and replaced without making the request that
killed them wait. What differs is how a fresh one is started and made ready (`_respawn`).
"""

from __future__ import annotations

import asyncio
from typing import Any


class ProcessKeeper:
    """The set of live processes (`_all`), their background replacements and the kill count.

    A kept item has a `process` (multiprocessing.Process) and a `conn` (its pipe end).
    """

    def __init__(self) -> None:
        self._all: set[Any] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self.killed = 0

    async def close(self) -> None:
        """Stop every process."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        for got in list(self._all):
            await self._kill(got)

    async def _kill(self, got: Any) -> None:
        self._all.discard(got)
        if got.process.is_alive():
            got.process.kill()
        await asyncio.to_thread(got.process.join, 5)
        got.conn.close()

    def _replace(self, got: Any) -> None:
        """Kill `got` and start a fresh one in the background."""
        self.killed += 1

        async def replace() -> None:
            await self._kill(got)
            if not self._closing:
                await self._respawn(got)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, old: Any) -> None:
        """Start a fresh process in place of `old`, wait until it is ready, make it idle."""
        raise NotImplementedError


__all__ = ["ProcessKeeper"]
