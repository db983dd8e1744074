"""Parser: golden records for every case folder, plus the value normalisers one by one."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest

from esfgraph.parse import Issue, ParseResult, iter_sources, parse_file, parse_paths, parse_text
from esfgraph.parse import labels as L
from esfgraph.parse import normalise as N
from esfgraph.record import CANONICAL_REGIONS, RECORD_KEYS, Record

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "tests" / "cases").iterdir()
               if (p / "record.txt").is_file() and (p / "expected.json").is_file())
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _expected(case: Path) -> dict:
    return json.loads((case / "expected.json").read_text(encoding="utf-8"))


def test_every_seed_has_a_golden_case() -> None:
    stems = {c.name for c in CASES}
    assert SEEDS, "no seeds found"
    for seed in SEEDS:
        assert seed.stem in stems, f"seed {seed.name} has no tests/cases/{seed.stem}/expected.json"
        assert (ROOT / "tests" / "cases" / seed.stem / "record.txt").read_bytes() == seed.read_bytes()


def test_cases_cover_all_three_layouts() -> None:
    layouts = {_expected(c)["layout"] for c in CASES}
    assert layouts == {"2007-2013", "2014-2020", "2021-2027"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_record(case: Path) -> None:
    expected = _expected(case)
    result = parse_file(case / "record.txt")
    assert result.record is not None, [str(i) for i in result.issues]
    got = result.record.to_json()
    assert list(got) == list(RECORD_KEYS)
    assert got["source"] == str(case / "record.txt")
    keys = [k for k in expected if k != "issues"]
    assert set(keys) == set(RECORD_KEYS) - {"source"}, "expected.json must list every field"
    for key in keys:
        assert got[key] == expected[key], f"{case.name}: field {key}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_issues(case: Path) -> None:
    """Each case lists the warnings it should raise (by text); seeds raise none."""
    wanted = _expected(case)["issues"]
    issues = parse_file(case / "record.txt").issues
    assert len(issues) == len(wanted), [str(i) for i in issues]
    for fragment, issue in zip(wanted, issues):
        assert fragment in issue.message
        assert issue.severity == "warning"


def test_seed_000_fields_read_off_the_page() -> None:
    rec = parse_file(ROOT / "seeds" / "000_d2ed1ed5029aa51d.txt").record
    assert rec is not None
    assert rec.title == "Ung och aktiv"
    assert (rec.programme_area, rec.programme_area_label) == ("2", "Ökat arbetskraftsutbud")
    assert rec.esf_grant_sek == 450000 and rec.total_budget_sek == 450000
    assert (rec.start_date, rec.end_date) == (dt.date(2014, 2, 17), dt.date(2014, 8, 16))
    assert rec.sections["Sammanfattning"].startswith("”Ung och Aktiv”\n\n")
    # the heading-less numbered list stays inside its section
    assert "\n1undersöka hur ser ungdomarnas" in rec.sections["Sammanfattning"]
    assert "\n6hur man fångar upp de som har särskilda behov\n" in rec.sections["Sammanfattning"]
    assert rec.municipalities == ["Ale"]  # the file ends without a newline


def test_banner_is_not_the_title() -> None:
    rec = parse_file(ROOT / "seeds" / "002_ed19341546b216d7.txt").record
    assert rec is not None
    assert rec.title == "Visioncenter"
    assert "Webbinarium" not in json.dumps(rec.to_json(), ensure_ascii=False)
    assert rec.partners == ["Individ och Familjeomsorg", "Individ och Familjeomsorgen"]


def test_chrome_never_lands_in_the_record() -> None:
    for seed in SEEDS:
        dumped = json.dumps(parse_file(seed).record.to_json(), ensure_ascii=False)
        for chrome in ("Logotyp på utskrifter", "In English", "Stäng", "covid-19  ",
                       "Mer information och anmälan"):
            assert chrome not in dumped, (seed.name, chrome)


def test_record_json_round_trip() -> None:
    for seed in SEEDS:
        rec = parse_file(seed).record
        assert Record.from_json(json.loads(json.dumps(rec.to_json()))) == rec


def test_parse_text_matches_parse_file() -> None:
    seed = SEEDS[0]
    by_text = parse_text(seed.read_text(encoding="utf-8"), str(seed))
    assert by_text.record == parse_file(seed).record
    assert parse_text("Projektägare: X\nRegion: Stockholm\n").record.source == "<text>"


def test_parse_paths_and_iter_sources(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_bytes(SEEDS[3].read_bytes())
    (tmp_path / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "notes.md").write_text("nothing here")
    sources = list(iter_sources([tmp_path]))
    assert [p.relative_to(tmp_path).as_posix() for p in sources] == ["a.txt", "b/z.txt", "notes.md"]
    results = list(parse_paths([tmp_path, SEEDS[1]]))
    assert [r.ok for r in results] == [True, True, False, True]
    assert isinstance(results[0], ParseResult) and isinstance(results[2].issues[0], Issue)
    assert results[2].errors[0].source.endswith("notes.md")


def test_parse_file_missing_or_directory(tmp_path: Path) -> None:
    missing = parse_file(tmp_path / "nope.txt")
    assert missing.record is None and "not found" in missing.issues[0].message
    folder = parse_file(tmp_path)
    assert folder.record is None and "directory" in folder.issues[0].message


def test_parser_does_not_import_rdflib() -> None:
    import subprocess
    code = ("import sys, esfgraph.parse; from esfgraph.parse import parse_file; "
            "parse_file(sys.argv[1]); print('rdflib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(SEEDS[0])], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_swedish_labels_only_in_label_table() -> None:
    pkg = ROOT / "esfgraph" / "parse"
    for module in pkg.glob("*.py"):
        if module.name == "labels.py":
            continue
        text = module.read_text(encoding="utf-8")
        for word in ("Projektägare", "Beviljat", "Projektperiod", "Sammanfattning", "Kommun"):
            assert not re.search(rf"['\"]{word}", text), (module.name, word)


# -- 2007–2013 details ------------------------------------------------------------------------

OLD_PAGE = """Logotyp på utskrifter

Stäng

Cookies: vi använder kakor på den här webbplatsen.

In English

Testprojekt

ProgramområdeProgramområde 1 Kompetensutveckling för sysselsatta
ProjektfasGenomförande
ProjektägareLunds kommun, Arbetsmarknadsavdelningen, Lunds kommun, Arbetsmarknadsavdelningen
FinansieringsformStatlig
Beviljat ESF-stöd1\u202f234\u00a0567 kr
Total projektbudget2 000 000
Projektperiod2010-01-01 till 2011-12-31
RegionSkåne-Blekinge
In English

Sammanfattning

Första stycket.

Andra stycket
med två rader.

Arbetsmetoder

Text under en okänd rubrik.

Samarbetspartners

  • Region Skåne
  • Region Skåne
  • Lunds universitet

Kommun

  • Lund
  • Malmö"""


def test_old_layout_details() -> None:
    result = parse_text(OLD_PAGE, "old.txt")
    rec = result.record
    assert rec is not None and rec.layout == "2007-2013"
    assert rec.title == "Testprojekt"
    assert rec.programme_area == "1"
    assert rec.programme_area_label == "Kompetensutveckling för sysselsatta"
    assert rec.owner == "Lunds kommun, Arbetsmarknadsavdelningen"
    assert rec.esf_grant_sek == 1234567 and rec.total_budget_sek == 2000000
    assert rec.region == "Sydsverige"
    assert rec.sections == {
        "Sammanfattning": "Första stycket.\n\nAndra stycket\nmed två rader.",
        "Arbetsmetoder": "Text under en okänd rubrik.",
    }
    assert rec.partners == ["Region Skåne", "Lunds universitet"]
    assert rec.municipalities == ["Lund", "Malmö"]
    assert rec.extra == {"Finansieringsform": "Statlig"}
    warnings = [i.message for i in result.issues]
    assert len(warnings) == 1 and "unknown label 'Finansieringsform'" in warnings[0]
    assert result.issues[0].line == 14


def test_short_quote_line_is_not_a_heading() -> None:
    rec = parse_file(SEEDS[0]).record
    assert "”Ung och Aktiv”" not in rec.sections


# -- normalisers ------------------------------------------------------------------------------

@pytest.mark.parametrize("printed, value", [
    ("450 000 kr", 450000), ("450\u00a0000 kr", 450000), ("1\u202f651\u202f477 kr", 1651477),
    ("2\u2009256\u2009150", 2256150), ("23 775 692", 23775692), ("23775692", 23775692),
    ("450 000,00 kr", 450000), ("0 kr", 0), ("1.651.477 SEK", 1651477), ("999 kronor", 999),
])
def test_amounts(printed: str, value: int) -> None:
    assert N.parse_amount(printed) == value


@pytest.mark.parametrize("printed", ["-5 kr", "−5", "12 000 000 000 000 000 kr", "abc",
                                     "45 00 kr", "12,50 kr", ""])
def test_bad_amounts(printed: str) -> None:
    with pytest.raises(N.ValueProblem):
        N.parse_amount(printed)


@pytest.mark.parametrize("printed, value", [
    ("50%", 0.5), ("50 %", 0.5), ("62,5%", 0.625), ("62.5 %", 0.625), ("100%", 1.0),
    ("0,5", 0.5), ("33,3%", 0.333), ("50\u00a0%", 0.5),
])
def test_rates(printed: str, value: float) -> None:
    assert N.parse_rate(printed) == value


@pytest.mark.parametrize("printed", ["150%", "-5%", "hälften"])
def test_bad_rates(printed: str) -> None:
    with pytest.raises(N.ValueProblem):
        N.parse_rate(printed)


def test_dates_and_periods() -> None:
    assert N.parse_date("2019-03-01") == dt.date(2019, 3, 1)
    for bad in ("2014-02-30", "2014-13-01", "1 mars 2019"):
        with pytest.raises(N.ValueProblem):
            N.parse_date(bad)
    assert N.split_period("2014-02-17 till 2014-08-16") == ("2014-02-17", "2014-08-16")
    assert N.split_period("2019-03-01 - 2022-03-04") == ("2019-03-01", "2022-03-04")
    assert N.split_period("2019-03-01\u00a0–\u00a02022-03-04") == ("2019-03-01", "2022-03-04")
    with pytest.raises(N.ValueProblem):
        N.split_period("mars 2019")


@pytest.mark.parametrize("printed, canonical", [
    ("Småland och Öarna", "Småland och öarna"), ("Småland & Öarna", "Småland och öarna"),
    ("ESF Nationellt", "Nationellt"), ("Nationellt", "Nationellt"),
    ("Skåne-Blekinge", "Sydsverige"), ("Skåne - Blekinge", "Sydsverige"),
    ("Sydsverige", "Sydsverige"), ("ÖVRE NORRLAND", "Övre Norrland"),
    ("O?vre Norrland", "Övre Norrland"), ("Va?stsverige", "Västsverige"),
    ("Östra  Mellansverige", "Östra Mellansverige"), ("Stockholm", "Stockholm"),
    ("Mellersta Norrland", "Mellersta Norrland"), ("Norra Mellansverige", "Norra Mellansverige"),
])
def test_regions(printed: str, canonical: str) -> None:
    assert canonical in CANONICAL_REGIONS
    assert N.parse_region(printed) == canonical


def test_every_canonical_region_maps_to_itself() -> None:
    for name in CANONICAL_REGIONS:
        assert N.parse_region(name) == name


def test_unknown_region_is_kept_in_extra() -> None:
    result = parse_text("Titel\n\nProjektägare:\nX\nRegion:\nAtlantis\n", "r.txt")
    assert result.record.region is None
    assert result.record.extra == {"Region": "Atlantis"}
    assert any("Atlantis" in i.message for i in result.issues)


@pytest.mark.parametrize("printed, owner", [
    ("Piteå kommun, Samhällsbyggnad, Piteå kommun, Samhällsbyggnad", "Piteå kommun, Samhällsbyggnad"),
    ("Arbetsförmedlingen, Arbetsförmedlingen", "Arbetsförmedlingen"),
    ("Flens kommun, AU-Centrum", "Flens kommun, AU-Centrum"),
    ("Lunds kommun", "Lunds kommun"),
])
def test_owner_printed_twice(printed: str, owner: str) -> None:
    assert N.dedupe_owner(printed) == owner


def test_small_converters() -> None:
    assert N.parse_org_number("212000-2627") == "2120002627"
    assert N.parse_org_number("16 212000-2627") == "162120002627"
    with pytest.raises(N.ValueProblem):
        N.parse_org_number("12345")
    assert N.parse_postcode("941 85") == "94185"
    assert N.parse_nuts2("se 33") == "SE33"
    assert N.parse_bool("Ja") is True and N.parse_bool("NEJ") is False
    with pytest.raises(N.ValueProblem):
        N.parse_bool("Kanske")
    assert N.parse_count("1\u00a0200") == 1200
    assert N.parse_programme_area("A") == ("A", None)
    assert N.parse_programme_area("Programområde 2 Ökat arbetskraftsutbud") == (
        "2", "Ökat arbetskraftsutbud")
    assert N.parse_programme_area("Ökat arbetskraftsutbud") == (None, "Ökat arbetskraftsutbud")
    assert N.parse_specific_objective("A2A") == "A2A"
    assert N.parse_specific_objective("2.1 Ökade övergångar") == "2.1"
    assert N.clean_email(" mailto:a@b.se ") == "a@b.se"
    assert N.clean("Go\u0308teborg\u00a0 stad") == "Göteborg stad"


def test_label_lookup_tolerates_lost_diacritics() -> None:
    for printed in ("Projektägare", "PROJEKTÄGARE", "Projekta?gare", "Projektagare",
                    "Projekt?gare", "Projekta\u0308gare"):
        assert L.lookup_label(printed) == ("Projektägare", "owner"), printed
    assert L.lookup_label("Sekundärtema – Motverka barnfattigdom") == (
        "Sekundärtema - Motverka barnfattigdom", "child_poverty_theme")
    assert L.lookup_label("Kaffe") is None


def test_nfc_everywhere() -> None:
    page = ("Go\u0308teborgsprojektet\n\nProjekta\u0308gare:\nGo\u0308teborgs Stad\n"
            "Region:\nVa\u0308stsverige\n")
    rec = parse_text(page).record
    assert rec.title == "Göteborgsprojektet" and rec.owner == "Göteborgs Stad"
    assert rec.region == "Västsverige"


def test_list_items_without_bullets_are_not_headings() -> None:
    page = ("Titel\n\nProjektägareX AB\nProjektperiod2010-01-01 till 2010-02-01\n"
            "RegionStockholm\n\nKommun\n\nSolna\n\nSundbyberg\n\nSamarbetspartners\n\n"
            "  • Y AB\n\nÖvrigt\n\nText efter listan.")
    rec = parse_text(page).record
    assert rec.municipalities == ["Solna", "Sundbyberg"]
    assert rec.partners == ["Y AB"]
    assert rec.sections == {"Övrigt": "Text efter listan."}


def test_longer_unknown_glued_label_is_not_cut_into_a_known_one() -> None:
    page = ("Titel\n\nProjektägareX AB\nKontaktpersonerAnna Berg\n"
            "Projektperiod2010-01-01 till 2010-02-01\nRegionStockholm\nProjektfasgenomförande\n\n"
            "Kommun\n\n  • Solna")
    result = parse_text(page, "p.txt")
    rec = result.record
    assert rec.title == "Titel" and rec.owner == "X AB"
    assert rec.contact_name is None and rec.extra == {"Kontaktpersoner": "Anna Berg"}
    assert rec.phase == "genomförande"  # a lower-case value of a known label is still read
    assert [i.line for i in result.issues] == [4]


def test_programme_area_values() -> None:
    assert N.parse_programme_area("Positiv utveckling") == (None, "Positiv utveckling")
    assert N.parse_programme_area("PO 2 Ökat") == ("2", "Ökat")
    assert N.parse_programme_area("A - Stärkt") == ("A", "Stärkt")


def test_colon_labels_with_inline_values_and_wrapped_value() -> None:
    page = ("2019/00001 - Projekt X\n\nProjektägare: Y kommun\nRegion: Stockholm\n"
            "Stödmottagarens address:\nStorgatan 1\n114 55 Stockholm\nProjektperiod: "
            "2019-01-01 - 2020-01-01\n\nFri text.")
    rec = parse_text(page).record
    assert rec.owner == "Y kommun" and rec.region == "Stockholm"
    assert rec.beneficiary_address == "Storgatan 1 114 55 Stockholm"
    assert rec.end_date == dt.date(2020, 1, 1) and rec.description == "Fri text."


def test_name_label_differing_from_heading_is_reported() -> None:
    page = "2019/00001 - Projekt X\n\nNamn:\nProjekt Y\nProjektägare:\nZ\nRegion:\nStockholm\n"
    result = parse_text(page)
    assert result.record.title == "Projekt Y"
    assert any("heading says" in i.message for i in result.issues)


def test_free_text_right_after_the_last_value_is_description() -> None:
    page = ("2019/00001 - Projekt X\n\nProjektägare:\nY kommun\nRegion:\nStockholm\n"
            "Specifikt mål:\n2.1\nUnga ska få jobb.\nProblem:\nFör få jobb.\n")
    rec = parse_text(page).record
    assert rec.specific_objective == "2.1"
    assert rec.description == "Unga ska få jobb.\nProblem:\nFör få jobb."


def test_title_from_name_label_when_no_heading() -> None:
    page = "Logotyp på utskrifter\n\nNamn:\nProjekt Y\nProjektägare:\nZ\nRegion:\nStockholm\n"
    result = parse_text(page)
    assert result.record.title == "Projekt Y" and result.record.project_number is None
    assert not any("title" in i.message for i in result.issues)
    headless = parse_text("ProjektägareX AB\nRegionStockholm\nProjektperiod2010-01-01 till 2010-02-01\n\nKommun\n\n  • Solna")
    assert headless.record.title is None
    assert any("no title" in i.message for i in headless.issues)


def test_source_strings_come_in_the_order_of_sorted_paths(tmp_path):
    """The build lists a million files as strings; the order must stay that of sorted Paths."""
    from esfgraph.parse.api import iter_source_strings

    for rel in ["a/b.txt", "a-b/c.txt", "a/z.txt", "a/E/a.txt", "b.txt", "a/.h/x.txt",
                "A/q.txt", "a b/x.txt", "a/b/c/d.txt", "a/.hidden.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    got = list(iter_source_strings([tmp_path, str(tmp_path / "b.txt")]))
    walked = [p for p in tmp_path.rglob("*") if p.is_file()
              and not any(part.startswith(".") for part in p.relative_to(tmp_path).parts)]
    assert got == [str(p) for p in sorted(walked)] + [str(tmp_path / "b.txt")]
    assert "a/.h/x.txt" not in "".join(got) and ".hidden" not in "".join(got)
