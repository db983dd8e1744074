"""The build's choice between duplicates: the same project in two files, one is kept.

Harvests and hand-saved folders overlap, so one project often comes in two files (a page saved
twice, an old and a new copy). The build keeps one record per project slug, chosen by rules that
do not depend on the order in which files arrive, and reports the other file, naming both.
`esfgraph.pipeline` calls `keep_duplicate` for every record it is about to store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from esfgraph.errors import EsfGraphError
from esfgraph.pipeline_spool import Spooled, SpoolLoads
from esfgraph.store import StoreWriter

if TYPE_CHECKING:  # the pipeline's own types (it calls this module, never the other way)
    from esfgraph.pipeline import BuildReport, _Result


@dataclass
class Kept:
    """The record stored for a project slug in this run (to settle a duplicate later)."""

    key: str
    source: str
    completeness: tuple[int, int]
    mtime_ns: int
    spooled: Spooled | None


def file_completeness(source: str) -> tuple[int, int]:
    """Completeness of a page stored by an earlier build (parsed again; (−1, 0) if unreadable)."""
    from esfgraph.sources.pages import read_file

    try:
        parsed = read_file(source)
    except (OSError, EsfGraphError):
        return (-1, 0)
    return parsed.record.completeness() if parsed.record is not None else (-1, 0)


def keep_duplicate(result: _Result, key: str, writer: StoreWriter, report: BuildReport,
                   slugs: dict[str, Kept] | None, spool: SpoolLoads | None) -> bool:
    """Settle the same project in two files: True when `result` is to be stored.

    The more complete record wins (more fields present, then more list items), then the newer
    file, then the first path in sort order, so the outcome does not depend on the order in
    which files arrive. The loser is reported as rejected, naming both files; a loser already
    stored by this run is taken out again (left out of its spool file, or its graphs removed).
    """
    assert result.encoded is not None
    slug = result.encoded.slug
    kept = slugs.get(slug) if slugs is not None else None
    if kept is not None and kept.key == key:
        return True
    if kept is not None:
        other_source, other_rank = kept.source, (kept.completeness, kept.mtime_ns)
        entry = None
    else:
        entry = writer.manifest.source_by_slug(slug) if writer.incremental or slugs is None \
            else None
        if entry is None or entry.source == key:
            return True
        other_source, other_rank = entry.source, (file_completeness(entry.source),
                                                  entry.mtime_ns)
    new_rank = (result.completeness, result.mtime_ns)
    new_wins = new_rank > other_rank or (new_rank == other_rank and key < (
        kept.key if kept is not None else other_source))
    if new_rank[0] != other_rank[0]:
        why = "more complete: {} fields and {} list items against {} and {}".format(
            *(new_rank[0] if new_wins else other_rank[0]),
            *(other_rank[0] if new_wins else new_rank[0]))
    elif new_rank[1] != other_rank[1]:
        why = "equally complete, newer file"
    else:
        why = "equally complete and as new, first in path order"
    winner, loser = (result.source, other_source) if new_wins else (other_source, result.source)
    report.rejected.append((loser, (f"the same project ({slug}) is also in {winner}; kept "
                                    f"{winner} ({why}) and left out {loser}")))
    report.duplicates.append(loser)
    if not new_wins:
        return False
    if kept is not None:  # stored by this run: take it out again
        old = writer.manifest.source_by_slug(slug)
        shared = writer.manifest.shared_of(slug) if old is not None else ""
        if spool is not None and kept.spooled is not None and spool.pending(kept.spooled.file):
            spool.leave_out(kept.spooled, shared)
            if old is not None:
                writer.manifest.remove_source(old)
        elif old is not None:
            writer.remove_entry(old)
            if spool is not None:
                spool.orphans.update(shared.splitlines(keepends=True))
            else:  # checked at the end: a later record may rely on them
                report.left_out_shared.update(shared.splitlines(keepends=True))
        report.mapped -= 1
    return True


__all__ = ["Kept", "file_completeness", "keep_duplicate"]
