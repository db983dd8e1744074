"""The build's spool: workers write each record's N-Quads to files, the parent bulk-loads them.

It exists so that a parallel build never pushes quad text through a pipe: a worker appends a
record's quads to its own spool file and sends back only where they are (`Spooled`); the
parent loads each finished file by path once every record in it has arrived (`SpoolLoads`),
leaving out records it rejected. `esfgraph.pipeline` decides what is stored; this module only
moves the bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from esfgraph.store import StoreWriter

#: A worker starts a new spool file after this many bytes. The parent bulk-loads whole files:
#: 32 MB is about 100k quads, which pyoxigraph's bulk loader holds in about 130 MB.
SPOOL_BYTES = 32 * 1024 * 1024
#: Shared-entity lines a worker remembers to skip repeats (about 250 bytes each).
SPOOL_SEEN_MAX = 200_000


@dataclass
class Spooled:
    """Where a worker wrote a record's N-Quads: file, byte range, and a file it finished."""

    file: str
    offset: int
    length: int
    #: bytes of the record's own quads at `offset` (its new shared-entity lines follow)
    own_length: int
    #: (previous file, records written to it) when this record opened a new file
    finished: tuple[str, int] | None = None


class Spool:
    """A worker's append-only N-Quads files: each record goes in whole; files rotate.

    Workers write the quads themselves so that the text never crosses a pipe and the parent
    bulk-loads finished files by path (the bytes never pass through Python there either).
    """

    def __init__(self, folder: str, max_bytes: int = SPOOL_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.fd: int | None = None
        self.name = ""
        self.size = self.count = self.serial = 0
        self.seen: set[str] = set()

    def new_shared(self, text: str) -> str:
        """The shared-entity lines of `text` this worker has not written lately.

        Half of a record's quads describe shared entities (the funder, organisations, places,
        concepts) and most repeat from record to record. The store keeps a quad once however
        often it is loaded, so repeats are only wasted work: they are dropped here. The set is
        bounded (cleared when full), so memory stays flat; a line written again after a clear
        is harmless.
        """
        seen = self.seen
        if len(seen) > SPOOL_SEEN_MAX:
            seen.clear()
        out = []
        for line in text.splitlines(keepends=True):
            if line not in seen:
                seen.add(line)
                out.append(line)
        return "".join(out)

    def write(self, own: bytes, shared: bytes) -> Spooled:
        """Append one record's own and shared lines; raises OSError when the disk refuses."""
        finished = None
        if self.fd is not None and self.size >= self.max_bytes:
            os.close(self.fd)
            finished = (self.name, self.count)
            self.fd = None
        if self.fd is None:
            self.serial += 1
            self.name = f"w{os.getpid()}-{self.serial}.nq"
            self.fd = os.open(os.path.join(self.folder, self.name),
                              os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self.size = self.count = 0
        offset = self.size
        data = own + shared
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(data)
        self.count += 1
        return Spooled(self.name, offset, len(data), len(own), finished)


class SpoolLoads:
    """Parent side of the spool: loads each worker file once every record in it has arrived.

    A record stored from a spool file counts as received; one rejected by the parent (the same
    project from two files) also counts, and its own quads are left out of the load. Its shared
    lines stay (workers skip repeats, so a later record may rely on them) and are checked at
    the end: those no stored record has are removed again.
    """

    def __init__(self, writer: StoreWriter, folder: Path) -> None:
        self.writer = writer
        self.folder = folder
        self.expected: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.skips: dict[str, list[tuple[int, int]]] = {}
        self.orphans: set[str] = set()

    def arrived(self, spooled: Spooled, keep: bool, shared: str) -> None:
        """Note one record of a file (kept or left out); load files that are complete."""
        if spooled.finished is not None:
            name, count = spooled.finished
            self.expected[name] = count
            self._maybe_load(name)
        self.received[spooled.file] = self.received.get(spooled.file, 0) + 1
        if not keep:
            self.leave_out(spooled, shared)
        self._maybe_load(spooled.file)

    def pending(self, name: str) -> bool:
        """True while a spool file waits for records (not loaded yet)."""
        return name in self.received

    def leave_out(self, spooled: Spooled, shared: str) -> None:
        """Leave a record's own quads out of its (not yet loaded) file; check its shared lines."""
        self.skips.setdefault(spooled.file, []).append((spooled.offset, spooled.own_length))
        self.orphans.update(shared.splitlines(keepends=True))

    def _maybe_load(self, name: str) -> None:
        if self.received.get(name, -1) == self.expected.get(name):
            self._load(name)

    def _load(self, name: str) -> None:
        self.received.pop(name, None)
        self.expected.pop(name, None)
        self.writer.load_nquads_file(self.folder / name, self.skips.pop(name, []))

    def finish(self) -> None:
        """Every task is done: the files still open hold all their records; load them."""
        for name in sorted(self.received):
            self._load(name)
        if self.orphans:
            self.writer.drop_unused_shared(self.orphans)


__all__ = ["SPOOL_BYTES", "SPOOL_SEEN_MAX", "Spool", "SpoolLoads", "Spooled"]
