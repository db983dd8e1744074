"""Bad input: each case gives a clear message naming the file; nothing raises; others still parse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from esfgraph.parse import ParseResult, parse_file, parse_paths, parse_text
from esfgraph.parse.decode import MAX_BYTES

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
SEED_OLD = ROOT / "seeds" / "000_d2ed1ed5029aa51d.txt"
SEED_NEW = ROOT / "seeds" / "003_58e54e8db85e930c.txt"


def _messages(result: ParseResult, severity: str | None = None) -> list[str]:
    return [i.message for i in result.issues if severity is None or i.severity == severity]


def _rejected(name: str, reason: str) -> ParseResult:
    path = BAD / name
    result = parse_file(path)
    assert result.record is None
    assert len(result.errors) == 1, [str(i) for i in result.issues]
    err = result.errors[0]
    assert err.source == str(path)
    assert str(path) in str(err)
    assert reason in err.message
    return result


def test_empty_file() -> None:
    _rejected("empty.txt", "empty")
    _rejected("whitespace-only.txt", "empty")


def test_binary_file() -> None:
    _rejected("binary.bin", "binary")


def test_html_page_is_not_read_by_the_text_parser() -> None:
    """esfgraph.parse reads saved text; HTML goes through esfgraph.sources (its message says so)."""
    result = _rejected("page.html", "HTML page")
    assert "esfgraph.sources.read_page" in result.errors[0].message


def test_random_text_has_no_labels() -> None:
    result = _rejected("random.txt", "no Projektbanken labels found")
    assert "not look like a project page" in result.errors[0].message


def test_latin1_file_is_decoded() -> None:
    result = parse_file(BAD / "latin1.txt")
    reference = parse_file(SEED_NEW).record
    assert result.record is not None
    got = result.record.to_json()
    want = reference.to_json()
    got.pop("source"), want.pop("source")
    assert got == want
    assert result.record.owner == "Piteå kommun, Samhällsbyggnad Kompetensförsörjning"
    assert any("not UTF-8" in m for m in _messages(result, "warning"))


def test_windows_1252_file_with_bullets() -> None:
    rec = parse_file(BAD / "cp1252.txt").record
    assert rec is not None and rec.title == "Våga Välja Väg (VVV)"
    assert rec.cofinanciers == ["Arbetsförmedling Flen", "Flens kommun, AU-Centrum"]


@pytest.mark.parametrize("name", ["utf16-bom.txt", "utf8-bom.txt"])
def test_bom_files_parse(name: str) -> None:
    result = parse_file(BAD / name)
    assert result.issues == []
    assert result.record.title == "Motivera och Aktivera MOA"
    assert result.record.esf_grant_sek == 11159401


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16le.txt"
    path.write_bytes(SEED_NEW.read_text(encoding="utf-8").encode("utf-16-le"))
    assert parse_file(path).record.project_number == "2018/00460"


def test_crlf_line_ends() -> None:
    result = parse_file(BAD / "crlf.txt")
    reference = parse_file(SEED_OLD).record
    assert result.issues == []
    assert result.record.sections == reference.sections
    assert result.record.municipalities == ["Ale"]
    assert "\r" not in str(result.record.to_json())


def test_truncated_page_keeps_what_is_there() -> None:
    result = parse_file(BAD / "truncated.txt")
    rec = result.record
    assert rec is not None
    assert rec.title == "Ung och aktiv" and rec.contact_name == "Jerry Brattåsen"
    assert rec.region is None and rec.start_date is None
    assert any("truncated" in m for m in _messages(result, "warning"))


def test_impossible_date() -> None:
    result = parse_file(BAD / "impossible-date.txt")
    rec = result.record
    assert rec.start_date is None and rec.end_date == dt.date(2014, 8, 16)
    (warning,) = result.warnings
    assert "Projektperiod" in warning.message and "2014-02-30" in warning.message
    assert str(BAD / "impossible-date.txt") in str(warning) and warning.line == 17


def test_end_before_start() -> None:
    result = parse_file(BAD / "end-before-start.txt")
    (warning,) = result.warnings
    assert "before start date" in warning.message
    assert result.record.start_date == dt.date(2022, 3, 4)


def test_control_characters_are_removed() -> None:
    result = parse_file(BAD / "control-chars.txt")
    assert result.record.title == "Ung och aktiv"
    assert result.record.region == "Västsverige"
    (warning,) = result.warnings
    assert "control character" in warning.message and warning.line == 7


def test_very_long_title() -> None:
    title = "Projekt " + "x" * 10_000
    text = SEED_OLD.read_text(encoding="utf-8").replace("Ung och aktiv\n", title + "\n", 1)
    result = parse_text(text, "long.txt")
    assert result.record.title == title.strip()
    assert any("characters long" in m for m in _messages(result))
    assert result.record.esf_grant_sek == 450000


def test_repeated_label_keeps_the_first() -> None:
    result = parse_file(BAD / "repeated-labels.txt")
    assert result.record.contact_name == "Ylva Lindström"
    (warning,) = result.warnings
    assert "repeated" in warning.message and "Anna Andersson" in warning.message


def test_label_without_value_at_end_of_file() -> None:
    result = parse_file(BAD / "label-at-eof.txt")
    assert result.record.region is None and result.record.owner == "Piteå kommun"
    assert any("end of the file has no value" in m for m in _messages(result))


def test_glued_label_without_value_at_end_of_file() -> None:
    text = "Titel\n\nProjektägareX AB\nProjektperiod2010-01-01 till 2010-02-01\nRegion"
    result = parse_text(text, "eof.txt")
    assert result.record.owner == "X AB" and result.record.region is None
    assert any("'Region' at the end" in m for m in _messages(result))


def test_absurd_amount() -> None:
    result = parse_file(BAD / "huge-amount.txt")
    assert result.record.esf_grant_sek is None
    assert result.record.total_budget_sek == 450000
    (warning,) = result.warnings
    assert "Beviljat ESF-stöd" in warning.message and "12 000 000 000 000 000" in warning.message


def test_negative_amount() -> None:
    result = parse_file(BAD / "negative-amount.txt")
    assert result.record.total_budget_sek is None and result.record.esf_grant_sek == 450000
    (warning,) = result.warnings
    assert "negative" in warning.message and "-5 kr" in warning.message


def test_lost_diacritics_still_parse() -> None:
    result = parse_file(BAD / "lost-diacritics.txt")
    rec = result.record
    assert rec.owner == "Go?teborgsregionen"  # kept as printed, never guessed
    assert rec.region == "Västsverige" and rec.esf_grant_sek == 450000
    assert any("lost diacritics" in m for m in _messages(result))


def test_unknown_label_kept_in_extra() -> None:
    result = parse_file(BAD / "unknown-label.txt")
    assert result.record.extra == {"Samverkansparter": "Arbetsförmedlingen"}
    assert result.record.specific_objective == "2.1"
    (warning,) = result.warnings
    assert "unknown label 'Samverkansparter'" in warning.message


def test_oversized_file_is_rejected_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.write(SEED_OLD.read_bytes())
        fh.write(b"a" * (MAX_BYTES + 10))
    result = parse_file(path)
    assert result.record is None and "larger than" in result.errors[0].message


def test_bad_files_do_not_stop_a_run() -> None:
    results = list(parse_paths([BAD, SEED_OLD]))
    by_name = {Path(r.source).name: r for r in results}
    assert by_name[SEED_OLD.name].ok
    assert {n for n, r in by_name.items() if not r.ok} == {
        "empty.txt", "whitespace-only.txt", "binary.bin", "page.html", "random.txt"}
    for r in results:
        for issue in r.issues:
            assert issue.source == r.source and issue.severity in ("error", "warning")


@pytest.mark.parametrize("text", [
    "", "\x00\x01", "<html><body>x</body></html>", ":", "Region:", "Projektägare",
    "\n\n\n", "•", "Namn:\n", "2018/00460 - X", "ProjektägareX\n" * 3, "Region:\n" * 50,
])
def test_odd_text_never_raises(text: str) -> None:
    result = parse_text(text, "odd.txt")
    assert isinstance(result, ParseResult)
    assert result.ok or result.errors


def test_utf8_read_as_latin1_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "mojibake.txt"
    path.write_text(SEED_NEW.read_text(encoding="utf-8").encode("utf-8").decode("cp1252"),
                    encoding="utf-8")
    result = parse_file(path)
    assert result.record.owner == "Piteå kommun, Samhällsbyggnad Kompetensförsörjning"
    assert result.record.region == "Övre Norrland"
    assert any("repaired" in m for m in _messages(result, "warning"))
