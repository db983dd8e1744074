"""Sources: what reading a page as HTML costs beside reading its saved text (and the list hook).

    python bench/sources.py                 # every seed and golden case, seven markups
    python bench/sources.py --rounds 20     # steadier figures

Each saved text page (seeds/, tests/cases/*/record.txt) is written as HTML in the seven markups
of tests/html_markups.py, in two weights: as generated (a small header, a cookie dialog, a
footer: about 5-15 kB), and "site-sized", with the chrome a real site carries around the
content (a 150-link menu, inline scripts and styles, a footer of link lists: about 60 kB).
Then, in one process, `esfgraph.sources.read_page` reads every page from memory: the text,
then each HTML form (and one gzip form); each is the best of --rounds rounds of CPU time of
this process (`time.process_time`: on a machine shared with other jobs, wall time measures the
neighbours more than the code). Printed per form:
ms per page, the time rendering adds to the text path (target: at most 2 ms a page) and the
ratio. Figures only: nothing is asserted.

The list reader's benchmark (a 10 000-row list, target at most 5 s) lives in
bench/sources_lists.py; `run_list_benchmark` below calls its `bench_lists()` when it is there.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from esfgraph.sources.pages import read_page
from tests.html_markups import MARKUPS, to_html

TARGET_MS = 2.0


def texts() -> list[tuple[str, bytes]]:
    """The saved text pages: seeds and golden cases."""
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "cases").glob("*/record.txt"))
    return [(str(p), p.read_bytes()) for p in paths]


def site_sized(html: str) -> str:
    """The same page with the chrome a real site has: a long menu, scripts, styles, link lists."""
    menu = "".join(f'<li><a href="/meny/{i}">Menyval {i} om ESF och projekt</a>'
                   f'<ul><li><a href="/meny/{i}/a">Underval</a></li></ul></li>'
                   for i in range(150))
    script = "<script>" + "var a = {'x': [1, 2, 3]};\n" * 400 + "</script>"
    style = "<style>" + ".c { color: #123; margin: 0 1px; }\n" * 400 + "</style>"
    links = "".join(f'<div><h3>Rubrik {i}</h3><ul>' + "".join(
        f'<li><a href="/f/{i}/{j}">Länk {j}</a></li>' for j in range(12)) + "</ul></div>"
        for i in range(8))
    html = html.replace("</head>", style + script + "</head>", 1)
    html = html.replace("<body>", f'<body><nav aria-label="Meny"><ul>{menu}</ul></nav>', 1)
    return html.replace("</body>", f'<footer role="contentinfo">{links}</footer>{script}'
                                    "</body>", 1)


def best_ms(pages: list[tuple[str, bytes]], rounds: int) -> float:
    """Best-of-`rounds` milliseconds per page for reading every page once."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for name, data in pages:
            result = read_page(name, data)
            if result.record is None:
                raise SystemExit(f"{name}: not read: {[str(i) for i in result.issues]}")
        best = min(best, (time.process_time() - started) / len(pages) * 1000)
    return best


def run_list_benchmark() -> None:
    """The list readers' benchmark (bench/sources_lists.py): a 10,000-row list of each kind."""
    try:
        from bench.sources_lists import bench_lists  # type: ignore[import-not-found]
    except ImportError:
        print("list benchmark not available")
        return
    got = bench_lists()
    print(f"reading a {got['rows']:,}-row list (target <= {got['target_s']:.0f} s each)")
    for name in ("esf_csv", "esf_xlsx", "kohesio_csv"):
        r = got[name]
        print(f"  {name:<12} {r['seconds']:>7.2f} s  {r['rows_per_s']:>9,} rows/s  "
              f"{r['records']:>7,} records  {r['bytes'] / 1e6:>6.1f} MB")


def main(argv: list[str] | None = None) -> None:
    """Print the text and HTML paths side by side, then run the list benchmark hook."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7, help="best of N rounds (default 7)")
    args = ap.parse_args(argv)
    pages = texts()
    forms: list[tuple[str, list[tuple[str, bytes]], float]] = []
    text_ms = best_ms(pages, args.rounds)
    forms.append(("saved text", pages, 0.0))
    sizes: Callable[[list[tuple[str, bytes]]], float] = (
        lambda ps: statistics.mean(len(d) for _, d in ps) / 1024)
    rows = [("saved text", sizes(pages), text_ms)]
    for weight in ("generated", "site-sized"):
        for markup in MARKUPS:
            html = []
            for name, data in pages:
                page = to_html(data.decode("utf-8"), markup)
                if weight == "site-sized":
                    page = site_sized(page)
                html.append((name.replace(".txt", f".{markup}.html"), page.encode("utf-8")))
            rows.append((f"HTML {markup} ({weight})", sizes(html), best_ms(html, args.rounds)))
            if markup == "dl":
                packed = [(n + ".gz", gzip.compress(d)) for n, d in html]
                rows.append((f"HTML {markup} ({weight}, .html.gz)", sizes(html),
                             best_ms(packed, args.rounds)))
    print(f"{len(pages)} pages, best of {args.rounds} rounds; target: HTML adds "
          f"<= {TARGET_MS:.0f} ms a page\n")
    print(f"{'form':<38} {'kB/page':>8} {'ms/page':>8} {'added ms':>9} {'ratio':>6}")
    for label, kb, ms in rows:
        added = ms - text_ms
        flag = "" if label == "saved text" or added <= TARGET_MS else "  over target"
        print(f"{label:<38} {kb:>8.1f} {ms:>8.2f} {added:>9.2f} {ms / text_ms:>6.2f}{flag}")
    html_rows = [r for r in rows if r[0] != "saved text"]
    worst = max(html_rows, key=lambda r: r[2])
    print(f"\nworst HTML form: {worst[0]}, adds {worst[2] - text_ms:.2f} ms a page")
    print("\n-- lists --")
    run_list_benchmark()


if __name__ == "__main__":
    main()
