"""How long `serve --endpoint` takes to build the explorer's search index from the remote.

    python bench/explore_remote.py                   # 2 000 generated pages
    python bench/explore_remote.py --counts 2000,10000

For each count: pages are generated (bench/generate.py, as bench/explore.py does; reused when
there), built into a store (`esfgraph build`, no validation), pushed to a real `oxigraph serve`
on 127.0.0.1 (the binary of the `oxigraph` package), then esfgraph.explore.remote_index reads
the remote back and writes the index: requests, quads, read and index seconds, and whether the
index answers as the local store's does (total and sum of everything). Figures only.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.explore import pages_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one(count: int, work: Path) -> None:
    from esfgraph.explore.index import index_path
    from esfgraph.explore.remote_index import build_index
    from esfgraph.explore.search import SearchIndex, SearchParams
    from esfgraph.push import push
    from esfgraph.remote import RemoteEndpoint
    from esfgraph.store import current_version

    pages = pages_for(work, count)
    store = work / f"store-{count}"
    if not store.exists() or current_version(store) is None:
        shutil.rmtree(store, ignore_errors=True)
        exe = Path(sys.executable).with_name("esfgraph")
        subprocess.run([str(exe), "build", str(pages), "--store", str(store), "--no-validate",
                        "-q"], check=False, stdout=subprocess.DEVNULL)
    binary = Path(sys.executable).with_name("oxigraph")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([str(binary), "serve", "--location", f"{tmp}/data", "--bind",
                                 f"127.0.0.1:{port}", "--union-default-graph"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            started = time.monotonic()
            pushed = push(store, RemoteEndpoint(base + "/query", update_url=base + "/update",
                                                graph_store_url=base + "/store", timeout=300))
            push_s = time.monotonic() - started
            started = time.monotonic()
            report = build_index(RemoteEndpoint(base + "/query", timeout=300),
                                 "https://w3id.org/esfgraph/", Path(tmp) / "index")
            total_s = time.monotonic() - started
            everything = SearchParams.from_query([])
            there = SearchIndex(index_path(Path(tmp) / "index" / "version")).search(everything)
            here = SearchIndex(index_path(current_version(store))).search(everything)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    same = (there["total"], there["esfGrantSEK"]) == (here["total"], here["esfGrantSEK"])
    print(f"{count:>7} pages: {report.projects} projects, {report.graphs} graphs, "
          f"{report.quads} quads in {report.requests} requests; read {report.read_seconds:.1f} s "
          f"(of which waiting for the remote {report.remote_seconds:.1f} s), "
          f"index {report.index_seconds:.1f} s, total {total_s:.1f} s "
          f"(push took {push_s:.1f} s, {len(pushed.sent)} graphs); same as local: {same}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="2000", help="comma-separated page counts")
    parser.add_argument("--work", default="/tmp/esfgraph-bench-explore",
                        help="where pages and stores are kept (shared with bench/explore.py)")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for count in (int(c) for c in args.counts.split(",")):
        one(count, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
