"""The harvest's append-only journal (`journal.jsonl`): what each run did, so a killed or
capped run can be continued without asking the site again.

One JSON object a line: `{"event": "start", "run", "at"}`, `{"event": "done", "run", "url",
"role", "outcome", "status", "reason", "found"}` after each URL is settled (page files are
written before the line, so a line means the files are there), and `{"event": "end", "run",
"at", "complete"}`. A run that has no `end`, or ended incomplete (--max-pages, a stop), is
continued by the next one: every URL it settled is replayed from here instead of fetched. A
line torn by a kill is skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO


def _now_iso() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Journal:
    """Read the unfinished runs of a journal, then append to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: dict[str, dict[str, Any]] = {}  # url -> its `done` line, unfinished runs
        self.skipped_lines = 0
        self._file: TextIO | None = None
        self.run = ""
        if path.exists():
            self._read()

    def _read(self) -> None:
        with self.path.open("r", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    self.skipped_lines += 1
                    continue
                if not isinstance(entry, dict):
                    self.skipped_lines += 1
                    continue
                if entry.get("event") == "done" and isinstance(entry.get("url"), str):
                    if entry.get("outcome") == "failed":  # nothing kept: the next run retries
                        self.pending.pop(entry["url"], None)
                    else:
                        self.pending[entry["url"]] = entry
                elif entry.get("event") == "end" and entry.get("complete") is True:
                    self.pending.clear()

    @property
    def resuming(self) -> bool:
        """True if an earlier run was cut short and this one continues it."""
        return bool(self.pending)

    def open(self, run: str, args: dict[str, Any]) -> None:
        """Start run `run`: append to the runs it continues, else start the journal afresh
        (a finished run leaves nothing to resume, and the journal must not grow forever)."""
        self.run = run
        needs_newline = False
        if not self.pending and self.path.exists():
            self.path.write_bytes(b"")
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                needs_newline = fh.read(1) != b"\n"
        self._file = self.path.open("a", encoding="utf-8")
        if needs_newline:
            self._file.write("\n")
        self._write({"event": "start", "at": _now_iso(), "resumes": len(self.pending), **args})

    def done(self, url: str, role: str, outcome: str, status: int | None = None,
             reason: str | None = None, found: list[list[str]] | None = None) -> None:
        """Record that `url` is settled."""
        entry: dict[str, Any] = {"event": "done", "url": url, "role": role, "outcome": outcome,
                                 "status": status, "reason": reason}
        if found is not None:
            entry["found"] = found
        self._write(entry)

    def end(self, complete: bool) -> None:
        """Record the end of the run and close the file."""
        self._write({"event": "end", "at": _now_iso(), "complete": complete})
        self.close()

    def close(self) -> None:
        """Close without an `end` line (the next run continues this one)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write(self, entry: dict[str, Any]) -> None:
        assert self._file is not None, "Journal.open() first"
        self._file.write(json.dumps({"run": self.run, **entry}, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
