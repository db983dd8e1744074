"""Hardening (issue 9, item 1): one build over the whole nasty corpus together with the seeds.

`tests/test_parse_bad_input.py` proves each bad file on its own through the parser; here they
all go through `esfgraph build` at once (as a subprocess, so a traceback would show on stderr),
next to the five good seeds, and the store must keep every good page while every bad file gets
a message naming it. The nasty pages made here have their own project numbers, so they are
judged on their damage and not turned away as copies of a seed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esfgraph.store import Store
from tests.conftest import REPO, SEEDS

BAD = REPO / "tests" / "data" / "bad"
ESF = "https://w3id.org/esfgraph/ontology#"
BASE = "https://w3id.org/esfgraph/"
ENV = dict(os.environ, PYTHONPATH=str(REPO))
TEMPLATE = (SEEDS / "003_58e54e8db85e930c.txt").read_text(encoding="utf-8")
#: The five seed pages and a fact of each that must come through untouched.
SEED_GRANTS = {
    "2018-00460": 11_159_401,
    "ung-och-aktiv-genomforande-2014-02-17": 450_000,
    "vaga-valja-vag-vvv-forprojektering-2009-08-01": 620_800,
}


def page(number: int, **changes: str) -> str:
    """The 2014–2020 seed page as project 2099/<number> with labels' values replaced."""
    text = TEMPLATE.replace("2018/00460", f"2099/{number:05d}")
    text = text.replace("Motivera och Aktivera MOA", f"Hardening test {number}")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def nasty_pages() -> dict[str, tuple[bytes, str]]:
    """File name -> (bytes, a word the message about it must contain)."""
    pages: dict[str, tuple[bytes, str]] = {
        "utf16-bom.txt": (page(1).encode("utf-16"), ""),  # must parse cleanly
        "crlf.txt": (page(2).replace("\n", "\r\n").encode("utf-8"), ""),
        "repeated-labels.txt": (
            page(3, **{"Region:\nÖvre Norrland": "Region:\nÖvre Norrland\nRegion:\nStockholm"}
                 ).encode("utf-8"), "repeated"),
        "huge-amount.txt": (page(4, **{"Beviljat ESF-stöd:\n11 159 401":
                                       "Beviljat ESF-stöd:\n12 000 000 000 000 000 kr"}
                                 ).encode("utf-8"), "12 000 000 000 000 000"),
        "negative-amount.txt": (page(5, **{"Beviljat ESF-stöd:\n11 159 401":
                                           "Beviljat ESF-stöd:\n-5 kr"}).encode("utf-8"),
                                "-5"),
        "impossible-date.txt": (page(6, **{"2019-03-01 - 2022-03-04": "2014-02-30 - 2015-01-01"}
                                     ).encode("utf-8"), "2014-02-30"),
        "end-before-start.txt": (page(7, **{"2019-03-01 - 2022-03-04":
                                            "2022-03-04 - 2019-03-01"}).encode("utf-8"),
                                 "before"),
        "long-title.txt": (page(8, **{"Namn:\nHardening test 8": "Namn:\n" + "Lång titel " * 910,
                                      "2099/00008 - Hardening test 8":
                                          "2099/00008 - " + "Lång titel " * 910}
                                ).encode("utf-8"), "title"),
        "control-chars.txt": (page(9, **{"Piteå kommun": "Pite\x07å kom\x1bmun\x00"}
                                       ).encode("utf-8"), "control"),
        # the label block is the end of the page and its last label has no value
        "label-at-eof.txt": (page(10).split("\nSpecifikt mål:")[0].encode("utf-8")
                             + "\nSpecifikt mål:".encode(), "Specifikt mål"),
    }
    return pages


def _write_corpus(folder: Path) -> dict[str, str]:
    """Seeds + tests/data/bad/* + the pages above + a 50 MB file; returns name -> keyword."""
    folder.mkdir()
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    expected: dict[str, str] = {}
    for bad in sorted(BAD.iterdir()):
        shutil.copy(bad, folder / f"zz-bad-{bad.name}")
        # older than the seeds: of two equally complete copies the newer file wins
        os.utime(folder / f"zz-bad-{bad.name}", ns=(1_000_000_000, 1_000_000_000))
        expected[f"zz-bad-{bad.name}"] = ""
    for name, (data, word) in nasty_pages().items():
        (folder / f"nasty-{name}").write_bytes(data)
        expected[f"nasty-{name}"] = word
    with open(folder / "nasty-50mb.txt", "wb") as handle:
        handle.write(TEMPLATE.encode("utf-8"))
        line = ("Projektägare:\nPiteå kommun " + "x" * 90 + "\n").encode("utf-8")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line * 1000)
    expected["nasty-50mb.txt"] = "larger than"
    return expected


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("corpus")
    expected = _write_corpus(tmp / "pages")
    proc = subprocess.run(
        [sys.executable, "-m", "esfgraph", "build", str(tmp / "pages"), "--store",
         str(tmp / "store"), "--no-validate", "-j", "2"],
        env=ENV, capture_output=True, text=True, timeout=300, check=False)
    return proc, expected, tmp / "store"


def test_corpus_build_has_no_traceback_and_exit_code_one(corpus_build):
    proc, _, _ = corpus_build
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1, proc.stderr[-3000:]  # files were rejected, the rest stored


def test_every_good_page_is_in_the_store(corpus_build):
    proc, _, root = corpus_build
    store = Store(root)
    for slug, grant in SEED_GRANTS.items():
        rows = list(store.query(
            f"SELECT ?g WHERE {{ <{BASE}id/project/{slug}> <{ESF}esfGrantSEK> ?g }}"))
        assert [int(r["g"].value) for r in rows] == [grant], slug
    seeds = {s.name for s in store.sources()} & {p.name for p in SEEDS.iterdir()}
    # a seed is stored unless a copy that holds more of the page replaced it (the more
    # complete record wins); the build then names both files
    proc, _, _ = corpus_build
    replaced = {p.name for p in SEEDS.iterdir()
                if f"left out {root.parent / 'pages' / p.name}" in proc.stderr}
    assert replaced <= {"003_58e54e8db85e930c.txt"}  # only by the copy with one more label
    assert seeds == {p.name for p in SEEDS.iterdir()} - replaced
    projects = {r["p"].value for r in store.query(f"SELECT ?p WHERE {{ ?p a <{ESF}Project> }}")}
    assert len(projects) >= 5


def test_every_bad_file_gets_a_message_naming_it(corpus_build):
    proc, expected, _ = corpus_build
    lines = proc.stderr.splitlines()
    for name, word in expected.items():
        about = [line for line in lines if f"/{name}" in line]
        if word == "":  # a good page in odd clothes, or a copy of a seed: any message is fine
            continue
        assert about, f"no message names {name}"
        assert any(word.lower() in line.lower() for line in about), (name, about)
    for name in [n for n, w in expected.items() if n.startswith("zz-bad-")]:
        assert any(f"/{name}" in line for line in lines), f"no message names {name}"


def test_the_nasty_pages_never_store_a_wrong_fact(corpus_build):
    """Damaged values are left out (a wrong number is worse than none); the rest is kept."""
    _, _, root = corpus_build
    store = Store(root)

    def value(number: int, prop: str) -> list[str]:
        iri = f"{BASE}id/project/2099-{number:05d}"
        return [r["v"].value for r in store.query(f"SELECT ?v WHERE {{ <{iri}> <{ESF}{prop}> ?v }}")]

    for number in (1, 2, 3, 7, 8, 9, 10):  # odd but readable pages keep the good grant
        assert value(number, "esfGrantSEK") == ["11159401"], number
    assert value(4, "esfGrantSEK") == []   # 12 000 000 000 000 000 kr
    assert value(5, "esfGrantSEK") == []   # -5 kr
    assert value(4, "totalBudgetSEK") == ["23775692"]
    assert value(6, "startDate") == []     # 2014-02-30 is no date
    names = {r["n"].value for r in store.query(
        f"SELECT ?n WHERE {{ <{BASE}id/project/2099-00009> <{ESF}owner> ?o . "
        "?o <http://www.w3.org/2000/01/rdf-schema#label> ?n }")}
    assert names == {"Samhällsbyggnad Kompetensförsörjning"}  # the unit of "Piteå kommun"
    owners = {r["n"].value for r in store.query(
        "SELECT ?n WHERE { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?n "
        "FILTER(REGEX(?n, '[\\u0000-\\u001f]')) }")}
    assert owners == set(), "a control character reached the store"


def test_a_huge_file_is_never_read_into_memory(tmp_path):
    """A 4 GB (sparse) file in the folder is turned away by its size, not read whole."""
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEEDS / "003_58e54e8db85e930c.txt", pages)
    with open(pages / "huge.txt", "wb") as handle:
        handle.truncate(4 * 1024 ** 3)
    script = (
        "import resource, sys\n"
        "from esfgraph.pipeline import build\n"
        "report = build([sys.argv[1]], store_path=sys.argv[2], validate=False)\n"
        "print(report.records, len(report.rejected), "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(pages), str(tmp_path / "store")],
                          env=ENV, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records, rejected, max_rss_kb = map(int, proc.stdout.split())
    assert (records, rejected) == (1, 1)
    assert max_rss_kb < 1024 * 1024, f"the build used {max_rss_kb // 1024} MB"


# ----------------------------------------------------------------------------- byte-level fuzzing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000) | st.builds(
    lambda cut, junk, at: TEMPLATE.encode("utf-8")[:cut] + junk + TEMPLATE.encode("utf-8")[at:],
    st.integers(0, 3200), st.binary(max_size=64), st.integers(0, 3200)))
def test_any_bytes_in_a_file_give_a_result_not_an_exception(data: bytes) -> None:
    """The text-level fuzzing (test_parse_properties.py) starts after decoding; this starts
    at the bytes on disk, through `parse_file`, as a build reads them."""
    from esfgraph.parse import parse_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.txt"
        path.write_bytes(data)
        result = parse_file(path)
    assert result.ok or result.errors
    for issue in result.issues:
        assert issue.source == str(path) and issue.severity in ("error", "warning")
        assert issue.message.strip()
