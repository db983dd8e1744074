"""`esfgraph parse`: JSON / JSONL output, messages on stderr naming the file, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from esfgraph.cli import main
from esfgraph.record import RECORD_KEYS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_NEW = SEEDS / "003_58e54e8db85e930c.txt"
BAD = ROOT / "tests" / "data" / "bad"


def _run(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr into output by default
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, ["parse", *args], catch_exceptions=False)


def test_one_file_prints_one_object() -> None:
    result = _run(str(SEED_NEW))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert list(data) == list(RECORD_KEYS)
    assert data["project_number"] == "2018/00460"
    assert data["esf_grant_sek"] == 11159401
    assert data["start_date"] == "2019-03-01"
    assert data["owner"] == "Piteå kommun, Samhällsbyggnad Kompetensförsörjning"  # not \\u-escaped
    assert "Piteå" in result.stdout
    assert result.stderr == ""


def test_folder_prints_a_list() -> None:
    result = _run(str(SEEDS))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [Path(d["source"]).name for d in data] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert {d["layout"] for d in data} == {"2007-2013", "2014-2020"}


def test_two_files_print_a_list() -> None:
    files = sorted(SEEDS.glob("*.txt"))[:2]
    data = json.loads(_run(*map(str, files)).stdout)
    assert isinstance(data, list) and len(data) == 2


def test_jsonl_one_object_a_line() -> None:
    result = _run(str(SEEDS), "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    records = [json.loads(line) for line in lines]
    assert all(list(r) == list(RECORD_KEYS) for r in records)
    assert records[0]["title"] == "Ung och aktiv"


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    result = _run(str(SEEDS), "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5


def test_rejected_file_exit_1_others_still_printed(tmp_path: Path) -> None:
    """HTML is read since issue 20; HTML that is not a project page is still rejected."""
    shutil.copy(SEED_NEW, tmp_path / "good.txt")
    shutil.copy(BAD / "page.html", tmp_path / "page.html")
    shutil.copy(BAD.parent / "html" / "not-a-project.html", tmp_path / "news.html")
    shutil.copy(BAD / "empty.txt", tmp_path / "empty.txt")
    result = _run(str(tmp_path))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [Path(d["source"]).name for d in data] == ["good.txt", "page.html"]
    assert data[1]["title"] == "Ung och aktiv" and data[1]["provenance"] == {"kind": "page-html"}
    err = result.stderr
    assert (f"{tmp_path / 'news.html'}: error: HTML page with no Projektbanken labels found"
            in err)
    assert f"{tmp_path / 'empty.txt'}: error: file is empty" in err
    assert "2 of 4 file(s) rejected" in err
    assert "Traceback" not in err


def test_warnings_name_the_file_but_exit_0() -> None:
    path = BAD / "impossible-date.txt"
    result = _run(str(path))
    assert result.exit_code == 0
    assert f"{path}:17: warning: Projektperiod: value '2014-02-30'" in result.stderr
    assert json.loads(result.stdout)["start_date"] is None
    quiet = _run(str(path), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_single_rejected_file_prints_nothing() -> None:
    result = _run(str(BAD / "random.txt"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no Projektbanken labels found" in result.stderr


def test_missing_path_is_a_usage_error() -> None:
    result = _run("does/not/exist.txt")
    assert result.exit_code == 2


def test_bad_format_is_a_usage_error() -> None:
    assert _run(str(SEED_NEW), "--format", "xml").exit_code == 2


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["parse", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "esfgraph parse seeds/" in result.output


@pytest.mark.skipif(shutil.which("esfgraph") is None and not (ROOT / ".venv/bin/esfgraph").exists(),
                    reason="console script not installed")
def test_console_script_end_to_end() -> None:
    exe = shutil.which("esfgraph") or str(ROOT / ".venv/bin/esfgraph")
    proc = subprocess.run([exe, "parse", str(SEEDS), str(BAD / "binary.bin"), "--format", "jsonl"],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 5
    assert "binary.bin: error: file is binary" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_python_dash_m_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "esfgraph", "parse", str(SEED_NEW)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["region"] == "Övre Norrland"
