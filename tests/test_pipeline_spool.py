"""esfgraph.pipeline_spool: workers' files rotate with whole records; the parent loads a file
only once every record in it has arrived, leaving out the records it rejected."""

from __future__ import annotations

from pathlib import Path

from esfgraph.pipeline_spool import Spool, Spooled, SpoolLoads


def test_spool_keeps_records_whole_and_rotates_after_max_bytes(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path), max_bytes=10)
    a = spool.write(b"own-a\n", b"sh\n")  # 9 bytes: under the cap, the file stays open
    b = spool.write(b"own-b\n", b"")  # 15 bytes: the next record opens a new file
    c = spool.write(b"own-c\n", b"sh2\n")
    assert (a.file, a.offset, a.length, a.own_length, a.finished) == (a.file, 0, 9, 6, None)
    assert (b.file, b.offset, b.finished) == (a.file, 9, None)
    assert c.file != a.file and c.offset == 0
    assert c.finished == (a.file, 2)  # the finished file and how many records it holds
    first = (tmp_path / a.file).read_bytes()
    assert first[a.offset:a.offset + a.own_length] == b"own-a\n"
    assert first[b.offset:b.offset + b.length] == b"own-b\n"
    assert (tmp_path / c.file).read_bytes() == b"own-c\nsh2\n"


def test_spool_drops_shared_lines_it_wrote_already() -> None:
    spool = Spool("unused")
    assert spool.new_shared("<a> <b> <c> .\n<d> <e> <f> .\n") == "<a> <b> <c> .\n<d> <e> <f> .\n"
    assert spool.new_shared("<d> <e> <f> .\n<g> <h> <i> .\n") == "<g> <h> <i> .\n"


class _Loads:
    """Records what SpoolLoads asks the store writer to do."""

    def __init__(self) -> None:
        self.loaded: list[tuple[str, list[tuple[int, int]]]] = []
        self.dropped: set[str] = set()

    def load_nquads_file(self, path: Path, skip: list[tuple[int, int]]) -> None:
        self.loaded.append((path.name, skip))

    def drop_unused_shared(self, lines: set[str]) -> None:
        self.dropped |= lines


def test_spool_loads_waits_for_every_record_and_leaves_out_rejected_ones(tmp_path) -> None:
    writer = _Loads()
    loads = SpoolLoads(writer, tmp_path)  # type: ignore[arg-type]
    loads.arrived(Spooled("w1.nq", 0, 9, 6), keep=True, shared="")
    loads.arrived(Spooled("w1.nq", 9, 12, 6), keep=False, shared="<s> <p> <o> .\n")
    assert writer.loaded == [] and loads.pending("w1.nq")  # w1 may still grow
    # the worker's next record opened w2 and says w1 holds two records: w1 is complete
    loads.arrived(Spooled("w2.nq", 0, 5, 5, finished=("w1.nq", 2)), keep=True, shared="")
    assert writer.loaded == [("w1.nq", [(9, 6)])]  # only the rejected record's own quads
    assert not loads.pending("w1.nq") and loads.pending("w2.nq")
    loads.finish()
    assert writer.loaded[-1] == ("w2.nq", [])
    assert writer.dropped == {"<s> <p> <o> .\n"}  # checked against the stored records
