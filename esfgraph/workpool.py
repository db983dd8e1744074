"""An ordered process map that fails fast when a worker dies.

Why not `concurrent.futures.ProcessPoolExecutor`: all its workers send results through one
shared pipe guarded by one lock. A worker killed (OOM killer, operator) in the middle of sending
leaves a half-written message in that pipe and the lock held: the executor's manager thread
waits forever for the rest of the message and the other workers wait forever for the lock, so
the build hangs instead of failing (seen about once in five killed-worker runs on CPython 3.11).
Here each worker has a pipe of its own: a dead worker's pipe ends (EOF) and its process
sentinel fires, and nothing the others need is left locked.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: How long a worker may take to leave after being told to (seconds), before it is killed.
STOP_GRACE = 5.0


class WorkerDied(RuntimeError):
    """A worker process ended before its work was done (killed, out of memory, crashed)."""


def _serve(conn: Connection, fn: Callable[[Any], Any],
           initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """Worker loop: run `fn` over each chunk received; None ends the loop."""
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, chunk = message
        try:
            conn.send((index, True, [fn(item) for item in chunk]))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
            conn.send((index, False, f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], initializer: Any,
                 initargs: tuple[Any, ...]) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child, fn, initializer, initargs),
                                   daemon=True)
        self.process.start()
        child.close()  # the parent keeps no copy of the child's end: a dead child means EOF


def ordered_map(fn: Callable[[T], R], items: Sequence[T], *, jobs: int, ctx: Any,
                initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = (), chunksize: int = 16,
                singles: Sequence[T] = ()) -> Iterator[R]:
    """`map(fn, [*singles, *items])` over `jobs` worker processes, results in that order.

    `singles` go first, one per task (big jobs, such as a list file of thousands of rows, so
    that two of them run on two cores); `items` go `chunksize` to a task.

    Raises `WorkerDied` as soon as a worker ends unasked (the other workers are killed), and
    RuntimeError when `fn` raised in a worker. Closing the iterator early stops the workers.
    """
    chunks = [[one] for one in singles]
    chunks += [items[i:i + chunksize] for i in range(0, len(items), chunksize)]
    results: queue.Queue[tuple[str, Any, Any]] = queue.Queue()
    stop = threading.Event()
    workers = [_Worker(ctx, fn, initializer, initargs) for _ in range(max(1, min(jobs,
                                                                             len(chunks))))]

    def dispatch() -> None:
        todo = iter(enumerate(chunks))
        outstanding = 0
        try:
            for worker in workers:
                outstanding += _give(worker, todo)
            while outstanding and not stop.is_set():
                by_handle: dict[Any, _Worker] = {}
                for worker in workers:
                    by_handle[worker.conn] = worker
                    by_handle[worker.process.sentinel] = worker
                for ready in wait(list(by_handle), timeout=0.5):
                    worker = by_handle[ready]
                    if ready is worker.process.sentinel and not worker.conn.poll():
                        raise WorkerDied(_death(worker))
                    try:
                        index, ok, value = worker.conn.recv()
                    except (EOFError, OSError) as exc:
                        raise WorkerDied(_death(worker)) from exc
                    if not ok:
                        results.put(("error", index, value))
                        return
                    outstanding -= 1
                    results.put(("ok", index, value))
                    outstanding += _give(worker, todo)
        except WorkerDied as exc:
            results.put(("died", None, str(exc)))
        except BaseException as exc:  # noqa: BLE001 - never leave the consumer waiting
            results.put(("error", None, f"{type(exc).__name__}: {exc}"))
        else:
            results.put(("done", None, None))

    thread = threading.Thread(target=dispatch, name="esfgraph-workpool", daemon=True)
    thread.start()
    pending: dict[int, list[R]] = {}
    next_index = 0
    clean = False
    try:
        while next_index < len(chunks):
            kind, index, value = results.get()
            if kind == "died":
                raise WorkerDied(value)
            if kind == "error":
                raise RuntimeError(f"a worker failed: {value}")
            if kind == "done":
                break
            pending[index] = value
            while next_index in pending:
                yield from pending.pop(next_index)
                next_index += 1
        clean = next_index >= len(chunks)
    finally:
        stop.set()
        thread.join(timeout=STOP_GRACE)
        _stop(workers, graceful=clean)


def _give(worker: _Worker, todo: Iterator[tuple[int, Sequence[Any]]]) -> int:
    """Send the next chunk to an idle worker; 1 if one was sent."""
    nxt = next(todo, None)
    if nxt is None:
        return 0
    try:
        worker.conn.send(nxt)
    except OSError as exc:  # the worker is gone (its end of the pipe is closed)
        raise WorkerDied(_death(worker)) from exc
    return 1


def _death(worker: _Worker) -> str:
    worker.process.join(timeout=1)
    code = worker.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return f"worker process {worker.process.pid} ended ({how})"


def _stop(workers: list[_Worker], graceful: bool) -> None:
    """End every worker: politely after a clean run, at once after a failure."""
    for worker in workers:
        if graceful and worker.process.is_alive():
            try:
                worker.conn.send(None)
            except OSError:
                pass
        else:
            worker.process.kill()
    for worker in workers:
        worker.process.join(timeout=STOP_GRACE if graceful else 1)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=1)
        worker.conn.close()


__all__ = ["WorkerDied", "ordered_map"]
