"""Explorer search speed: the search index beside the SPARQL aggregate that answers the same.

    python bench/explore.py                          # 10 000 pages
    python bench/explore.py --counts 10000,100000    # both sizes (100k: the builds take long)
    python bench/explore.py --counts 10000 --no-build-compare   # queries only
    python bench/explore.py --engines /tmp/x/store-10000        # FTS5 vs tantivy (pip install tantivy)
    python bench/explore.py --judged                 # precision/recall@10 of the judged set only

For each count: pages are generated (bench/generate.py, seed 1, no bad pages; reused when
already there), then `esfgraph build` runs twice in child processes on the same pages, once
with the explorer index (the default) and once without (ESFGRAPH_EXPLORE_INDEX=0): the wall
time difference is the index's share of the build. Then, server-side (the calls the endpoints
make, result turned into JSON, no HTTP), four kinds of request:

  text        a text search (one or two Swedish words from the generator's vocabulary, or a
              municipality name), all ten facets counted, first page of 20 with snippets
  text+2      the same with two facets selected (a region and a programme period)
  facets      no text: the facet counts, sums and first page of everything (or of one region)
  map         /map.json by municipality (ESF grant) under no filter or one region

each measured three ways: cold (a freshly opened index per request: loading its arrays
included; the OS file cache stays warm), uncached (index open, every request new) and
cached (the same requests again: answered from the index's result cache).
p50 and p99 in milliseconds. Beside them the SPARQL aggregate a server without the index
would run for the same answer (count and sums; for `facets` one facet only), a few runs each.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 1
WORDS = ("ungdomar", "unga vuxna", "långtidsarbetslösa", "nyanlända", "funktionsnedsättning",
         "kvinnor", "äldre arbetslösa", "försörjningsstöd", "sjukskrivna", "utrikes födda",
         "vården", "coachning", "arbetsträning", "praktik", "validering", "mentorskap",
         "språkstöd", "motiverande samtal", "kartläggning", "kompetensutveckling",
         "handledning", "samverkansmodeller", "egen försörjning", "anställningsbarhet",
         "självkänsla", "Försäkringskassan", "socialtjänsten", "civilsamhället",
         "samordningsförbundet", "vuxenutbildningen", "Bryssel", "Skottland", "Helsingfors",
         "Kiruna", "Haparanda", "Lomma", "Säffle", "Jokkmokk", "Umeå", "Malmö", "Göteborg",
         "ungdomar Norrbotten", "nyanlända kvinnor", "praktik handledning", "metodutveckling",
         "utanförskap", "arbetsgivarna", "studie- och yrkesvägledning", "Tyskland",
         "näringslivet")
REGIONS = ("SE11", "SE12", "SE21", "SE22", "SE23", "SE31", "SE32", "SE33")
PERIODS = ("2007-2013", "2014-2020", "2021-2027")
ESF = "https://w3id.org/esfgraph/"


def pages_for(work: Path, count: int) -> Path:
    """The generated pages of `count` (made once)."""
    from bench.generate import write_pages

    folder = work / f"pages-{count}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {count} pages into {folder}", file=sys.stderr)
        write_pages(str(folder), count, seed=SEED, bad_rate=0)
        done.write_text("ok\n")
    return folder


def timed_build(pages: Path, store: Path, *, index: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of a full `esfgraph build` in a child.

    CPU time (user + system of the child and its workers, sampled from /proc every 0.2 s by
    bench/build.py's sampler) depends much less than wall time on what else the machine runs.
    """
    from bench.build import PeakSampler

    shutil.rmtree(store, ignore_errors=True)
    env = dict(os.environ, ESFGRAPH_EXPLORE_INDEX="1" if index else "0")
    exe = Path(sys.executable).with_name("esfgraph")
    started = time.monotonic()
    proc = subprocess.Popen([str(exe), "build", str(pages), "--store", str(store),
                             "--no-validate", "-q"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    sampler = PeakSampler(proc.pid)
    proc.wait()
    sampler.stop()
    return time.monotonic() - started, sampler.cpu_seconds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    at = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[at]


def requests(kind: str, rng: random.Random, n: int) -> list[dict[str, Any]]:
    """`n` distinct request parameter sets of one kind."""
    from esfgraph.explore.search import SearchParams

    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(out) < n:
        word = rng.choice(WORDS)
        region, period = rng.choice(REGIONS), rng.choice(PERIODS)
        if kind == "text":
            params = SearchParams(q=word)
        elif kind == "text+2":
            params = SearchParams(q=word, region=(region,), period=(period,))
        elif kind == "facets":
            params = SearchParams(region=(region,)) if len(out) % 2 else SearchParams(
                page=len(out) + 1)
        else:
            params = SearchParams(region=(region,)) if len(out) % 2 else SearchParams(
                start_from=2007 + len(out) % 15)
        key = repr(params)
        if key in seen:
            if len(seen) >= 40 or kind in ("facets", "map"):
                seen.clear()  # few distinct ones exist: allow repeats of the parameter set
            continue
        seen.add(key)
        out.append({"params": params})
    return out


def run(index: Any, kind: str, params: Any) -> None:
    if kind == "map":
        json.dumps(index.map_aggregate("municipality", "grant", params))
    else:
        json.dumps(index.search(params))


def measure(version: Path, kind: str, rng: random.Random, n: int, cold_n: int
            ) -> dict[str, list[float]]:
    from esfgraph.explore.index import index_path
    from esfgraph.explore.search import SearchIndex

    todo = requests(kind, rng, n)
    times: dict[str, list[float]] = {"cold": [], "uncached": [], "cached": []}
    for req in todo[:cold_n]:
        started = time.perf_counter()
        fresh = SearchIndex(index_path(version))
        run(fresh, kind, req["params"])
        times["cold"].append((time.perf_counter() - started) * 1000)
        fresh.close()
    index = SearchIndex(index_path(version))
    for req in todo:
        index._results.clear()  # uncached: no answer and no text match kept
        index._cache.clear()
        index._text_queries.clear()
        started = time.perf_counter()
        run(index, kind, req["params"])
        times["uncached"].append((time.perf_counter() - started) * 1000)
    for req in todo:
        started = time.perf_counter()
        run(index, kind, req["params"])
        times["cached"].append((time.perf_counter() - started) * 1000)
    index.close()
    return times


def sparql_for(kind: str) -> str:
    """The SPARQL aggregate a server without the index would run for the same answer."""
    head = ("PREFIX esf: <https://w3id.org/esfgraph/ontology#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
    text = ('?p dcterms:title ?t . OPTIONAL { ?p dcterms:abstract ?a } '
            'FILTER(REGEX(LCASE(CONCAT(?t, " ", COALESCE(?a, ""))), "(^|\\\\W)nyanländ"))')
    if kind == "text":
        where = text
    elif kind == "text+2":
        where = (text + f" ?p esf:region <{ESF}id/region/SE33> ; "
                 f"esf:programmingPeriod <{ESF}concept/period/2014-2020> .")
    elif kind == "facets":
        return (head + "SELECT ?r (COUNT(?p) AS ?n) (SUM(?g) AS ?grant) WHERE { "
                "?p a esf:Project ; esf:region ?r . OPTIONAL { ?p esf:esfGrantSEK ?g } } "
                "GROUP BY ?r")
    else:
        return (head + "SELECT ?m (COUNT(?p) AS ?n) (SUM(?g) AS ?grant) WHERE { "
                "?p a esf:Project ; esf:municipality ?m . OPTIONAL { ?p esf:esfGrantSEK ?g } } "
                "GROUP BY ?m")
    return (head + "SELECT (COUNT(?p) AS ?n) (SUM(?g) AS ?grant) WHERE { ?p a esf:Project . "
            + where + " OPTIONAL { ?p esf:esfGrantSEK ?g } }")


def measure_sparql(store: Path, kind: str, runs: int) -> list[float]:
    from esfgraph.store import Store

    s = Store(store)
    query = sparql_for(kind)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        list(s.query(query))
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench(count: int, work: Path, *, compare_builds: bool, n: int, cold_n: int,
          sparql_runs: int, out: Callable[[str], None], builds: int = 1) -> None:
    from esfgraph.explore.index import index_path
    from esfgraph.store import current_version

    pages = pages_for(work, count)
    store = work / f"store-{count}"
    out(f"\n## {count:,} pages".replace(",", " "))
    if compare_builds or not (store / "current").exists():
        plain = work / f"store-{count}-noindex"
        rounds = builds if compare_builds else 1
        walls: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(rounds):  # alternate, so a load change hits both alike
            for index in ((True, False) if compare_builds else (True,)):
                wall, cpu = timed_build(pages, store if index else plain, index=index)
                walls[index].append(wall)
                cpus[index].append(cpu)
        shutil.rmtree(plain, ignore_errors=True)
        w1, c1 = statistics.median(walls[True]), statistics.median(cpus[True])
        out(f"build with the explorer index: {w1:7.1f} s wall, {c1:7.1f} s CPU "
            f"(median of {rounds})")
        if compare_builds:
            w0, c0 = statistics.median(walls[False]), statistics.median(cpus[False])
            out(f"build without it:              {w0:7.1f} s wall, {c0:7.1f} s CPU")
            out(f"index share of the build:      {100 * (w1 - w0) / w0:+7.1f} % wall, "
                f"{100 * (c1 - c0) / c0:+6.1f} % CPU")
    version = current_version(store)
    assert version is not None, f"no store at {store}"
    size = index_path(version).stat().st_size
    db_size = sum(p.stat().st_size for p in (version / "db").rglob("*") if p.is_file())
    out(f"index size: {size / 1e6:.1f} MB (the store's database: {db_size / 1e6:.1f} MB)")
    out("")
    out("| request | cold p50 | cold p99 | uncached p50 | uncached p99 | cached p50 | "
        "cached p99 | SPARQL aggregate p50 (max) |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|")
    rng = random.Random(SEED)
    for kind in ("text", "text+2", "facets", "map"):
        t = measure(version, kind, rng, n, cold_n)
        sp = measure_sparql(store, kind, sparql_runs)
        cells = [f"{percentile(t[k], p):.1f}" for k in ("cold", "uncached", "cached")
                 for p in (50, 99)]
        out(f"| {kind} | " + " | ".join(cells)
            + f" | {statistics.median(sp):.0f} ({max(sp):.0f}) |")


def engines(store: Path, out: Callable[[str], None]) -> None:
    """SQLite FTS5 (what esfgraph uses) against tantivy on the same texts and words.

    Both index the texts of the explorer index of `store` (title, organisations, places,
    description and sections). FTS5 as the index has it (unicode61, detail=column), Snowball
    stems searched as prefixes
    (`ungdom*`). tantivy: simple tokenizer, lower case, its Swedish Snowball stemmer at index
    and query time (exact stems). Timed: indexing, and per word the matching ids and the
    best 20 by BM25. Then the relevance queries of tests/test_explore_relevance.py over the
    seeds and tests/explore_pages/ with each engine: recall at 10.
    """
    import sqlite3
    import tempfile

    import tantivy

    from esfgraph.explore.index import body_text, index_path
    from esfgraph.explore.search import SearchIndex, SearchParams, query_words, stem
    from esfgraph.store import current_version

    version = current_version(store)
    assert version is not None
    src = sqlite3.connect(index_path(version))
    docs = [(*row[:4], body_text(row[4])) for row in src.execute(
        "SELECT id, title, actors, places, body FROM docs")]
    out(f"\n## engines on {len(docs)} projects' texts ({sum(len(d[4]) for d in docs) / 1e6:.0f}"
        " MB of text)")
    words = [w for w in WORDS]

    def fts5_index(rows: list[tuple]) -> tuple[sqlite3.Connection, float]:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, actors, places, body, "
                   "tokenize='unicode61 remove_diacritics 0', detail='column')")
        started = time.perf_counter()
        db.executemany("INSERT INTO fts(rowid, title, actors, places, body) VALUES "
                       "(?, ?, ?, ?, ?)", rows)
        db.commit()
        return db, time.perf_counter() - started

    def tantivy_index(rows: list[tuple], folder: str) -> tuple[Any, float]:
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.stemmer("swedish")).build())
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True)
        for name in ("title", "actors", "places", "body"):
            builder.add_text_field(name, tokenizer_name="sv")
        index = tantivy.Index(builder.build(), path=folder)
        index.register_tokenizer("sv", analyzer)
        started = time.perf_counter()
        writer = index.writer(heap_size=200_000_000)
        for pid, title, actors, places, body in rows:
            writer.add_document(tantivy.Document(id=pid, title=title, actors=actors,
                                                 places=places, body=body))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return index, time.perf_counter() - started

    def fts5_query(db: sqlite3.Connection, q: str) -> tuple[int, list[int]]:
        expr = " AND ".join(f'"{stem(w)}" *' for w in query_words(q))
        ids = db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,)).fetchall()
        top = db.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 8, 3, 2, 1)"
                         " LIMIT 20", (expr,)).fetchall()
        return len(ids), [r for (r,) in top]

    def tantivy_query(index: Any, q: str) -> tuple[int, list[int]]:
        text = " AND ".join(query_words(q))
        query = index.parse_query(text, ["title", "actors", "places", "body"],
                                  field_boosts={"title": 8.0, "actors": 3.0, "places": 2.0})
        searcher = index.searcher()
        result = searcher.search(query, 20, count=True)
        n, hits = result.count, result.hits
        return n, [searcher.doc(addr)["id"][0] for _, addr in hits]

    with tempfile.TemporaryDirectory() as folder:
        fdb, ft = fts5_index(docs)
        tix, tt = tantivy_index(docs, folder)
        tsize = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
        fsize = sum(r[0] for r in fdb.execute("SELECT SUM(LENGTH(block)) FROM fts_data"))
        out(f"indexing: FTS5 {ft:.1f} s ({fsize / 1e6:.0f} MB of index pages), "
            f"tantivy {tt:.1f} s ({tsize / 1e6:.0f} MB)")
        def fts5_all(db: sqlite3.Connection, q: str) -> int:
            expr = " AND ".join(f'"{stem(w)}" *' for w in query_words(q))
            return len(db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,)).fetchall())

        def tantivy_all(index: Any, q: str) -> int:
            # the facet counts need every match's project id, not only the best 20
            query = index.parse_query(" AND ".join(query_words(q)),
                                      ["title", "actors", "places", "body"])
            searcher = index.searcher()
            hits = searcher.search(query, max(1, searcher.num_docs)).hits
            return len([searcher.doc(addr)["id"][0] for _, addr in hits])

        rows = []
        for name, run_one, handle in (("FTS5", fts5_query, fdb), ("tantivy", tantivy_query, tix),
                                      ("FTS5, all matching ids", fts5_all, fdb),
                                      ("tantivy, all matching ids", tantivy_all, tix)):
            times = []
            for w in words:
                started = time.perf_counter()
                run_one(handle, w)
                times.append((time.perf_counter() - started) * 1000)
            rows.append(f"{name}: p50 {percentile(times, 50):.1f} ms, p99 "
                        f"{percentile(times, 99):.1f} ms per query"
                        + ("" if "all" in name else " (count + best 20 by BM25)"))
        for row in rows:
            out(row)
    # relevance: the test's queries over seeds + hand-written pages
    sys.path.insert(0, str(ROOT))
    from tests.explore_store import build_explore_store, project
    from tests.test_explore_relevance import QUERIES

    with tempfile.TemporaryDirectory() as folder:
        small = build_explore_store(Path(folder) / "store")
        v = current_version(small)
        ours = SearchIndex(index_path(v))
        small_docs = [(*row[:4], body_text(row[4])) for row in sqlite3.connect(
            index_path(v)).execute("SELECT id, title, actors, places, body FROM docs")]
        iri = dict(sqlite3.connect(index_path(v)).execute("SELECT id, iri FROM projects"))
        os.makedirs(folder + "/t")
        tix, _ = tantivy_index(small_docs, folder + "/t")
        scores = {"esfgraph (FTS5, word keys, compounds)": 0, "tantivy (stems)": 0}
        wanted = 0
        for q, expected, _ in QUERIES:
            wanted += len(expected)
            got = [i["iri"] for i in ours.search(SearchParams(q=q, per_page=10))["items"]]
            scores["esfgraph (FTS5, word keys, compounds)"] += sum(
                project(e) in got for e in expected)
            _, top = tantivy_query(tix, q)
            got_t = [iri[i] for i in top[:10]]
            scores["tantivy (stems)"] += sum(project(e) in got_t for e in expected)
        for name, found in scores.items():
            out(f"relevance, {name}: recall@10 {found}/{wanted} = {found / wanted:.2f}")


def judged(out: Callable[[str], None]) -> None:
    """Precision and recall at 10 of the judged search set (tests/data/judged/search.yaml).

    Over the seeds, tests/explore_pages/ and tests/search_pages/; the relevant projects of
    each query were judged by hand (tests/test_explore_judged_search.py asserts the same).
    """
    import tempfile

    sys.path.insert(0, str(ROOT))
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import PAGES, SEEDS, build_explore_store, version_of
    from tests.judged import Score, load

    items = load("search.yaml")
    with tempfile.TemporaryDirectory() as folder:
        store = build_explore_store(Path(folder) / "store", SEEDS, PAGES,
                                    ROOT / "tests" / "search_pages")
        index = open_index(version_of(store))
        assert index is not None
        score = Score()
        for item in items:
            got = {i["caseNumber"] or i["title"]
                   for i in index.search(SearchParams(q=item["q"], per_page=10))["items"]}
            score.add(got, set(item["relevant"][:10]))
        index.close()
    out(f"\n## judged search set: {len(items)} queries over {SEEDS.name}/, explore_pages/, "
        f"search_pages/\nprecision@10 {score.precision:.3f}  recall@10 {score.recall:.3f}  "
        f"(true {score.true_pos}, false {score.false_pos}, missed {score.false_neg})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="10000", help="comma-separated page counts")
    parser.add_argument("--work", default="/tmp/esfgraph-bench-explore",
                        help="folder for pages and stores (reused)")
    parser.add_argument("--no-build-compare", action="store_true",
                        help="skip the two timed builds (reuse the store when there)")
    parser.add_argument("--requests", type=int, default=200, help="requests per kind")
    parser.add_argument("--cold", type=int, default=10, help="cold requests per kind")
    parser.add_argument("--sparql-runs", type=int, default=5)
    parser.add_argument("--builds", type=int, default=2,
                        help="timed builds with and without the index (alternating)")
    parser.add_argument("--judged", action="store_true",
                        help="only the judged search set's precision and recall at 10")
    parser.add_argument("--engines", metavar="STORE", default=None,
                        help="compare FTS5 and tantivy on the texts of this store, then stop")
    args = parser.parse_args(argv)
    if args.engines:
        engines(Path(args.engines), lambda line: print(line, flush=True))
        return 0
    judged(lambda line: print(line, flush=True))
    if args.judged:
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for count in (int(c) for c in args.counts.split(",")):
        bench(count, work, compare_builds=not args.no_build_compare, n=args.requests,
              cold_n=args.cold, sparql_runs=args.sparql_runs, builds=args.builds,
              out=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
