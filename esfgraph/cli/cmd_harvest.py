"""`esfgraph harvest`: fetch Projektbanken pages into a folder that `build` reads."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import click

from esfgraph import EsfgraphError as EsfGraphError
from esfgraph.cli._group import fail, main


def _read_from(path: str) -> list[str]:
    """WHAT lines of a --from file (`-` is stdin); blank lines and `#` comments skipped."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"--from {path}: cannot be read ({exc})") from exc
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@main.command("harvest")
@click.argument("what", nargs=-1)
@click.option("--from", "from_file", metavar="FILE", default=None,
              help="Read case numbers, URLs or paths from FILE, one a line (`-`: stdin).")
@click.option("--discover", is_flag=True,
              help="Find pages: sitemap.xml, Projektbanken's list pages, and case numbers "
                   "tried year by year.")
@click.option("--base", metavar="URL", default=None,
              help="The site (default: the folder's, else https://www.esf.se); a mirror or a "
                   "local server can stand in.")
@click.option("--out", "out", metavar="DIR", default="pages", show_default=True,
              help="The harvest folder (created; a second harvest into it updates it).")
@click.option("--rate", type=float, default=1.0, show_default=True, metavar="REQ_PER_S",
              help="At most this many requests a second (with jitter, never faster).")
@click.option("--max-pages", type=click.IntRange(min=0), default=None, metavar="N",
              help="Stop after N page requests; the next harvest continues where this stopped.")
@click.option("--contact", metavar="EMAIL", default=None,
              help="Your e-mail or URL, sent in the User-Agent so the site can reach you.")
@click.option("--refresh", is_flag=True,
              help="Fetch every page again (no If-None-Match / If-Modified-Since).")
@click.option("--miss-run", type=click.IntRange(min=1), default=100, show_default=True,
              metavar="N", help="With --discover: about N case numbers in a row without a page "
                                "end a year's enumeration.")
@click.option("--series", "series", multiple=True, metavar="YEAR",
              help="With --discover: enumerate only this year (2018, 2022; 22 for 22-CCC-SNN "
                   "only). Repeatable.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              metavar="SECONDS", help="Read timeout of a request.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def harvest_command(what: tuple[str, ...], from_file: str | None, discover: bool,
                    base: str | None, out: str, rate: float, max_pages: int | None,
                    contact: str | None, refresh: bool, miss_run: int, series: tuple[str, ...],
                    timeout: float, quiet: bool) -> None:
    """Fetch project pages of esf.se's Projektbanken into a folder, politely and resumably.

    WHAT is a case number (2018/00460, 22-025-S02), a page URL or a path on the site. With no
    WHAT, the pages already in --out are checked again (conditional requests: unchanged
    pages cost a 304). robots.txt is obeyed; a killed harvest continues where it stopped.
    Exit code 0 all fine, 1 some pages failed, 2 usage error.

    \b
    Example (the whole bank: tens of thousands of requests, hours at the default rate; see
    docs/guide/sources-harvest.md):
      esfgraph harvest --discover --contact you@example.org --out pages/
      esfgraph build pages/
    \b
    Example (two pages):
      esfgraph harvest 2018/00460 22-025-S02 --out pages/
    """
    from esfgraph import harvest

    items = list(what) + (_read_from(from_file) if from_file else [])
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=0, desc="harvest", unit="url", file=sys.stderr, dynamic_ncols=True,
                   leave=True)

    def progress(done: int, total: int, url: str) -> None:
        assert bar is not None
        bar.total = max(total, done)
        bar.n = done
        parts = urlsplit(url)
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        bar.set_postfix_str(where if len(where) <= 60 else "…" + where[-59:], refresh=False)
        bar.refresh()

    try:
        report = harvest(items, base=base, out=out, rate=rate, max_pages=max_pages,
                         contact=contact, refresh=refresh, discover=discover,
                         miss_run=miss_run, series=list(series), timeout=timeout,
                         progress=progress if bar is not None else None)
    except EsfGraphError as exc:
        fail(str(exc))
        return
    except KeyboardInterrupt:
        click.echo("\nInterrupted: run the same command again to continue where it stopped.",
                   err=True)
        raise SystemExit(130) from None
    finally:
        if bar is not None:
            bar.close()
    click.echo(report.summary(), err=True)
    if not contact and not quiet:
        click.echo("tip: add --contact EMAIL so the site's operators can reach you about this "
                   "harvest (it goes in the User-Agent)", err=True)
    if report.exit_code:
        raise SystemExit(report.exit_code)
