"""Start a real `esfgraph serve` on 127.0.0.1 (free port) over the hand-written fixture data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pyoxigraph as ox

FIXTURE = Path(__file__).with_name("data.trig")
BASE = "https://w3id.org/esfgraph/"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class RunningServer:
    """A started server: its URL, process and store path."""

    url: str
    process: subprocess.Popen[bytes]
    store: Path

    def worker_pids(self) -> set[int]:
        """Pids of the server's child processes (the query workers and helpers)."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(stat.parent.name))
        return pids


def make_store(path: Path) -> Path:
    """A pyoxigraph store at `path` loaded with the fixture (closed again when returned)."""
    path.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def connection_listener(host: str = "127.0.0.1",
                        family: int = socket.AF_INET) -> tuple[socket.socket, list[bytes]]:
    """A TCP listener that records the first bytes of every connection it gets (to prove that
    a refused SERVICE or LOAD never connected anywhere)."""
    sock = socket.socket(family)
    sock.bind((host, 0))
    sock.listen(8)
    sock.settimeout(0.2)
    seen: list[bytes] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            seen.append(conn.recv(1024))
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return sock, seen


@contextmanager
def running_server(store: Path, *args: str, cwd: Path | None = None) -> Iterator[RunningServer]:
    """Run `esfgraph serve` until the block ends, then stop it (and its workers)."""
    port = free_port()
    cmd = [sys.executable, "-m", "esfgraph", "serve", "--store", str(store), "--port", str(port),
           *args]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(cmd, cwd=cwd or store.parent, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"esfgraph serve exited with {proc.returncode}:\n{out}")
            try:
                if httpx.get(url + "/sparql?query=ASK%7B%7D", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("esfgraph serve did not start within 60 s")
            time.sleep(0.2)
        yield RunningServer(url, proc, store)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@contextmanager
def app_in_thread(app: object) -> Iterator[httpx.Client]:
    """Serve an ASGI app with uvicorn in a thread of this process (lifespan included) and
    yield an httpx client pointed at it; stopped when the block ends."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning",  # type: ignore[arg-type]
                            access_log=False, http="h11", loop="asyncio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{config.port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(15)
