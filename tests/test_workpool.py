"""esfgraph.workpool: ordered results, and a killed worker fails the map at once (no hang)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from esfgraph.workpool import WorkerDied, ordered_map

CTX = multiprocessing.get_context("forkserver")


def _square(x: int) -> int:
    return x * x


def _slow_pid(x: int) -> int:
    time.sleep(0.01)
    return os.getpid()


def _boom(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


def _big(x: int) -> bytes:
    """A result larger than a pipe buffer, so a kill can land in the middle of sending it."""
    return bytes(1 << 20)


def test_results_come_in_input_order() -> None:
    got = list(ordered_map(_square, list(range(200)), jobs=2, ctx=CTX, chunksize=7))
    assert got == [x * x for x in range(200)]


def test_an_exception_in_a_worker_is_raised_with_its_message() -> None:
    with pytest.raises(RuntimeError, match="ValueError: seven"):
        list(ordered_map(_boom, list(range(20)), jobs=2, ctx=CTX, chunksize=3))


def test_a_worker_killed_while_sending_fails_the_map_instead_of_hanging() -> None:
    """The regression: a ProcessPoolExecutor hung forever about once in five such kills."""
    for _ in range(3):
        results = ordered_map(_big, list(range(400)), jobs=2, ctx=CTX, chunksize=4)
        first = next(results)
        assert len(first) == 1 << 20
        children = multiprocessing.active_children()
        victims = [p for p in children if p.name.startswith("ForkServerProcess")] or children
        t0 = time.monotonic()
        os.kill(victims[-1].pid, signal.SIGKILL)
        with pytest.raises(WorkerDied, match="killed by signal 9"):
            for _ in results:
                pass
        assert time.monotonic() - t0 < 60


def test_closing_early_stops_the_workers() -> None:
    results = ordered_map(_slow_pid, list(range(100)), jobs=2, ctx=CTX, chunksize=2)
    pids = {next(results) for _ in range(3)}
    results.close()
    for pid in pids:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {pid} still alive")
