"""Tests of bench/generate.py: synthetic pages that look real and whose truth matches the text."""

from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import (
    BAD_KINDS,
    COUNTIES,
    REGION_VARIANTS,
    generate_pages,
    load_municipalities,
    main,
    write_pages,
)
from esfgraph.record import CANONICAL_REGIONS, LAYOUTS, RECORD_KEYS

SEP = "[ \u00a0\u202f]"
AMOUNT = rf"(\d{{1,3}}(?:{SEP}\d{{3}})*)(?: kr)?"

LABELS_2014 = {
    "Namn", "Region", "Projektägare", "Projektnummer", "Diarienummer", "Planerat antal deltagare",
    "Projektperiod", "Total projektbudget", "Beviljat ESF-stöd", "Total Kostnader",
    "Kontaktperson", "E-post", "Specifikt mål", "Programområde", "Unionens medfinansieringsgrad",
    "Interventionstyp", "Stödmottagare postnr", "Stödmottagarens address",
}
LABELS_2021 = {
    "Land som berörs", "Berörd fond", "Program CCI", "Diarienummer",
    "Projektägare organisationsnummer", "Projektägare", "Namn", "Startdatum", "Slutdatum",
    "Unionens medfinansieringsgrad", "Programområde", "Specifikt mål",
    "Sekundärtema - Motverka barnfattigdom", "Region", "NUTS-2 kod", "Stödmottagare postnr",
    "Stödmottagare ort", "Interventionstyp", "Antal deltagare", "Insats av strategisk betydelse",
    "Projektnummer",
}
GLUED_2007 = (
    "Programområde", "Projektfas", "Projektägare", "Kontaktperson", "E-post", "Telefonnummer",
    "Beviljat ESF-stöd", "Total projektbudget", "Projektperiod", "Region",
)
SECTION_HEADINGS = {
    "Sammanfattning", "Bakgrund", "Syfte", "Målsättning",
    "Tillgänglighet för personer med funktionsnedsättning", "Jämställdhetsintegrering",
    "Transnationellt samarbete",
}


@pytest.fixture(scope="module")
def raw_pages() -> list[tuple[str, str, dict]]:
    """300 good pages of all layouts (seed 11), as generated."""
    return list(generate_pages(300, 11, bad_rate=0))


@pytest.fixture(scope="module")
def pages(raw_pages) -> list[tuple[str, str, dict]]:
    """The same pages in NFC, so their text can be compared with the (NFC) truth."""
    return [(name, unicodedata.normalize("NFC", text), truth) for name, text, truth in raw_pages]


def test_a_few_pages_are_saved_in_nfd(raw_pages) -> None:
    nfd = [text for _, text, _ in raw_pages if unicodedata.normalize("NFC", text) != text]
    assert 1 <= len(nfd) <= 20
    assert all(unicodedata.is_normalized("NFD", text) for text in nfd)


def _amount(text: str) -> int:
    return int(re.sub(SEP, "", text.removesuffix(" kr")))


def _label_block(text: str) -> list[tuple[str, str | None]]:
    """(label, value or None) pairs of a `Label:` page, read independently of the parser."""
    lines = text.split("\n")
    block = lines[2:lines.index("", 2)]
    pairs: list[tuple[str, str | None]] = []
    for line in block:
        if line.endswith(":"):
            pairs.append((line[:-1], None))
        else:
            assert pairs and pairs[-1][1] is None, f"value without a label: {line!r}"
            pairs[-1] = (pairs[-1][0], line)
    return pairs


# ---- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_identical_pages_and_truth() -> None:
    first = list(generate_pages(120, 5))
    second = list(generate_pages(120, 5))
    assert first == second


def test_different_seed_gives_different_pages() -> None:
    a = [text for _, text, _ in generate_pages(30, 5)]
    b = [text for _, text, _ in generate_pages(30, 6)]
    assert sum(x != y for x, y in zip(a, b)) >= 29


def test_a_short_run_is_a_prefix_of_a_long_run() -> None:
    short = list(generate_pages(20, 8))
    long = list(generate_pages(60, 8))
    assert long[:20] == short


def test_written_files_are_byte_identical(tmp_path: Path) -> None:
    size_a = write_pages(tmp_path / "a", 80, seed=3, bad_rate=0.2)
    assert main(["--count", "80", "--seed", "3", "--out", str(tmp_path / "b"),
                 "--bad-rate", "0.2"]) == 0
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    files_b = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert files_a == files_b == [f"gen_{i:07d}.txt" for i in range(1, 81)]
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert size_a == sum((tmp_path / "a" / n).stat().st_size for n in files_a)


def test_cli_rejects_unknown_layout(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--count", "3", "--out", str(tmp_path), "--layouts", "1995-1999"])
    assert exc.value.code == 2
    assert "1995-1999" in capsys.readouterr().err


# ---- layouts and labels ----------------------------------------------------------------------


def test_every_layout_appears_and_truth_has_the_parse_keys(pages) -> None:
    counts = collections.Counter(truth["layout"] for _, _, truth in pages)
    assert set(counts) == set(LAYOUTS)
    assert min(counts.values()) >= 60
    for name, _, truth in pages:
        assert list(truth) == [*RECORD_KEYS, "bad"]
        assert truth["source"] == name
        assert truth["bad"] is None


def test_layouts_option_restricts_the_layouts() -> None:
    got = {t["layout"] for _, _, t in generate_pages(40, 2, layouts=("2021-2027",))}
    assert got == {"2021-2027"}
    with pytest.raises(ValueError, match="1995"):
        list(generate_pages(1, 2, layouts=("1995",)))


def test_2007_pages_have_chrome_glued_labels_sections_and_bullets(pages) -> None:
    for _, text, truth in (p for p in pages if p[2]["layout"] == "2007-2013"):
        lines = text.split("\n")
        assert lines[0] == "Logotyp på utskrifter"
        title_at = lines.index(truth["title"])
        chrome = [line for line in lines[1:title_at] if line]
        assert all(line.startswith(("Information med", "Uppdaterad information", "Stäng",
                                    "Mer information")) or re.match(r"\d+ \w+ - ", line)
                   for line in chrome), chrome
        glued = lines[title_at + 2:title_at + 12]
        assert [g[:len(label)] for g, label in zip(glued, GLUED_2007)] == list(GLUED_2007)
        assert not any(line.endswith(":") and line[:-1] in LABELS_2014 for line in lines)
        assert lines[title_at + 12] == "In English"
        headings = [line for line in lines if line in SECTION_HEADINGS]
        assert headings[0] == "Sammanfattning" and set(headings) == set(truth["sections"])
        kommun = lines.index("Kommun")
        assert [b.removeprefix("  \u2022 ") for b in lines[kommun + 2:]] == truth["municipalities"]
        assert text == text.rstrip("\n")  # the saved pages end without a newline


def test_label_pages_use_only_their_layouts_labels(pages) -> None:
    seen_empty = collections.Counter()
    for _, text, truth in (p for p in pages if p[2]["layout"] != "2007-2013"):
        heading = text.split("\n", 1)[0]
        assert re.fullmatch(r"\d{4}/\d{5} - .+", heading), heading
        assert heading == f"{truth['project_number']} - {truth['title']}"
        pairs = _label_block(text)
        labels = [label for label, _ in pairs]
        allowed = LABELS_2014 if truth["layout"] == "2014-2020" else LABELS_2021
        assert set(labels) <= allowed
        assert len(labels) == len(set(labels))
        assert pairs[-1][1] is not None  # an empty last value would swallow the free text
        seen_empty.update(label for label, value in pairs if value is None)
        if truth["layout"] == "2021-2027":
            assert not {"Beviljat ESF-stöd", "Total projektbudget", "Kontaktperson"} & set(labels)
            assert truth["esf_grant_sek"] is None and truth["contact_name"] is None
    assert seen_empty, "some labels must be printed with an empty value"


def test_label_order_varies(pages) -> None:
    orders = {tuple(label for label, _ in _label_block(text))
              for _, text, truth in pages if truth["layout"] == "2014-2020"}
    assert len(orders) > 50


# ---- truth against the page text (independent of the real parser) ------------------------------


def _check_truth_against_text(text: str, truth: dict) -> None:
    layout = truth["layout"]
    if layout == "2007-2013":
        grant = re.search(rf"^Beviljat ESF-stöd{AMOUNT}$", text, re.M)
        budget = re.search(rf"^Total projektbudget{AMOUNT}$", text, re.M)
        period = re.search(r"^Projektperiod(\d{4}-\d\d-\d\d) till (\d{4}-\d\d-\d\d)$", text, re.M)
        assert grant and budget and period
        assert _amount(grant.group(1)) == truth["esf_grant_sek"]
        assert _amount(budget.group(1)) == truth["total_budget_sek"]
        assert (period.group(1), period.group(2)) == (truth["start_date"], truth["end_date"])
        return
    values = dict(_label_block(text))
    if layout == "2014-2020":
        assert _amount(values["Beviljat ESF-stöd"]) == truth["esf_grant_sek"]
        assert _amount(values["Total projektbudget"]) == truth["total_budget_sek"]
        cost = values.get("Total Kostnader")
        assert (_amount(cost) if cost else None) == truth["total_cost_sek"]
        start, end = values["Projektperiod"].split(" - ")
    else:
        start, end = values["Startdatum"], values["Slutdatum"]
        rate = values.get("Unionens medfinansieringsgrad")
        if rate:
            assert int(rate.rstrip("%")) / 100 == truth["eu_cofinancing_rate"]
        number = values.get("Projektägare organisationsnummer")
        if number:
            assert number.replace("-", "") == truth["owner_org_number"]
    assert (start, end) == (truth["start_date"], truth["end_date"])
    assert values["Projektnummer"] == truth["project_number"]
    assert values["Namn"] == truth["title"]


def test_truth_matches_amounts_and_dates_on_the_page(pages) -> None:
    separators = collections.Counter()
    for _, text, truth in pages:
        _check_truth_against_text(text, truth)
        separators.update(ch for ch in " \u00a0\u202f" if re.search(rf"\d{ch}\d{{3}}", text))
    assert set(separators) == {" ", "\u00a0", "\u202f"}


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_truth_matches_page_for_any_seed(seed: int) -> None:
    for _, text, truth in generate_pages(12, seed, bad_rate=0):
        _check_truth_against_text(unicodedata.normalize("NFC", text), truth)
        assert dt.date.fromisoformat(truth["start_date"]) < dt.date.fromisoformat(truth["end_date"])


def test_dates_and_amounts_are_plausible(pages) -> None:
    for _, _, truth in pages:
        if truth["esf_grant_sek"] is not None:
            assert 10_000 <= truth["esf_grant_sek"] <= truth["total_budget_sek"]
        start = dt.date.fromisoformat(truth["start_date"])
        first_year = int(truth["layout"][:4])
        assert first_year <= start.year <= first_year + 7


def test_project_numbers_and_2007_identities_are_unique() -> None:
    numbers, keys = [], []
    for _, _, t in generate_pages(3000, 4, bad_rate=0):
        if t["project_number"]:
            numbers.append(t["project_number"])
        else:
            keys.append((t["title"].casefold(), t["phase"], t["start_date"]))
    assert len(numbers) == len(set(numbers)) and len(keys) == len(set(keys))


# ---- organisations and places ------------------------------------------------------------------


def test_municipalities_are_real_and_regions_fit_their_county(pages) -> None:
    table = {name: county for _, name, _, county in load_municipalities()}
    variants = {v for vs in REGION_VARIANTS.values() for v in vs}
    for _, text, truth in pages:
        assert truth["region"] in CANONICAL_REGIONS
        place = (truth["municipalities"] or [truth["beneficiary_city"]])[0]
        if place is None:
            continue
        assert place in table
        if truth["region"] != "Nationellt":
            assert truth["region"] == COUNTIES[table[place]][2]
            assert all(table[m] == table[place] for m in truth["municipalities"])
        if truth["layout"] == "2007-2013":
            lines = text.split("\n")
            region_line = lines[lines.index("In English") - 1].removeprefix("Region")
        else:
            region_line = dict(_label_block(text))["Region"]
        assert region_line == truth["region"] or region_line in variants


def test_partners_and_cofinanciers_recur_across_pages(pages) -> None:
    counts = collections.Counter(
        org for _, _, t in pages for org in set(t["partners"]) | set(t["cofinanciers"]))
    assert counts.most_common(1)[0][1] >= 10
    assert len(counts) >= 50
    owners = {t["owner"] for _, _, t in pages}
    assert any(o.endswith(" kommun") for o in owners)
    assert any(", " in o and "kommun" in o for o in owners)
    assert any(o.endswith(" AB") for o in owners)


def test_org_numbers_are_luhn_valid(pages) -> None:
    def luhn_ok(number: str) -> bool:
        total = 0
        for i, ch in enumerate(number):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return total % 10 == 0

    numbers = [t["owner_org_number"] for _, _, t in pages if t["owner_org_number"]]
    assert numbers and all(len(n) == 10 and luhn_ok(n) for n in numbers)


def test_transnational_section_varies(pages) -> None:
    texts = [t["sections"]["Transnationellt samarbete"] for _, _, t in pages
             if t["layout"] == "2007-2013"]
    assert "Inte aktuellt i detta projekt." in texts
    assert any(place in text for text in texts for place in ("Bryssel", "Tyskland", "Finland"))


# ---- bad pages ---------------------------------------------------------------------------------


def test_bad_rate_zero_gives_no_bad_pages() -> None:
    for _, text, truth in generate_pages(400, 21, bad_rate=0):
        assert truth["bad"] is None and len(text) > 500


def test_every_bad_kind_is_damaged_as_labelled() -> None:
    kinds = collections.Counter()
    for _, text, truth in generate_pages(200, 21, bad_rate=1.0):
        kind = truth["bad"]
        kinds[kind] += 1
        if kind == "empty":
            assert not text.strip()
        elif kind == "binary":
            data = text.encode("utf-8", "surrogateescape")
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        elif kind == "truncated":
            assert text and not text.isspace()
            assert "\nKommun\n" not in text
            assert truth["description"] is None or truth["description"] not in text
        elif kind == "impossible-date":
            assert re.search(r"\d{4}-(02-30|04-31|13-01|00-10)", text)
        else:  # end-before-start: the two dates are swapped on the page
            start, end = truth["start_date"], truth["end_date"]
            assert (f"{end} till {start}" in text or f"{end} - {start}" in text
                    or f"Startdatum:\n{end}\n" in text), text[:600]
    assert set(kinds) == set(BAD_KINDS)


def test_default_bad_rate_is_about_one_percent() -> None:
    bad = sum(1 for _, _, t in generate_pages(3000, 2) if t["bad"])
    assert 10 <= bad <= 60


# ---- against the real parser -------------------------------------------------------------------

HAS_PARSER = importlib.util.find_spec("esfgraph.parse") is not None
COMPARED = (
    "layout", "title", "project_number", "case_number", "programme_area", "specific_objective",
    "phase", "owner", "owner_org_number", "contact_name", "contact_email", "contact_phone",
    "esf_grant_sek", "total_budget_sek", "total_cost_sek", "eu_cofinancing_rate", "start_date",
    "end_date", "region", "nuts2", "planned_participants", "beneficiary_postcode",
    "beneficiary_city", "child_poverty_theme", "strategic_importance", "municipalities",
    "cofinanciers", "partners",
)


@pytest.mark.skipif(not HAS_PARSER, reason="esfgraph.parse is not importable yet")
def test_parser_recovers_the_truth_of_300_good_pages(tmp_path: Path) -> None:
    from esfgraph.parse import parse_file

    truths = {name: truth for name, _, truth in generate_pages(300, 17, bad_rate=0)}
    write_pages(tmp_path, 300, 17, bad_rate=0)
    mismatches = []
    for name, truth in truths.items():
        result = parse_file(tmp_path / name)
        assert result.record is not None, (name, result.issues)
        got = result.record.to_json()
        mismatches += [(name, key, truth[key], got[key]) for key in COMPARED
                       if got[key] != truth[key]]
        assert set(got["sections"]) == set(truth["sections"]), name
    assert not mismatches, mismatches[:10]


@pytest.mark.skipif(not HAS_PARSER, reason="esfgraph.parse is not importable yet")
def test_parser_flags_bad_pages(tmp_path: Path) -> None:
    from esfgraph.parse import parse_file

    write_pages(tmp_path, 120, 23, bad_rate=1.0)
    for name, _, truth in generate_pages(120, 23, bad_rate=1.0):
        result = parse_file(tmp_path / name)
        if truth["bad"] in ("empty", "binary"):
            assert result.record is None, name
        elif truth["bad"] in ("impossible-date", "end-before-start"):
            assert any(i.severity == "warning" for i in result.issues), (name, truth["bad"])


def test_embedded_fallback_list_agrees_with_the_real_table(monkeypatch, tmp_path: Path) -> None:
    import bench.generate as generate
    import esfgraph.resources

    real = {(code, name, county) for code, name, _, county in load_municipalities()}
    monkeypatch.setattr(esfgraph.resources, "data_path", lambda name: tmp_path / name)
    fallback = load_municipalities()
    assert len(fallback) == len(generate._EMBEDDED_MUNICIPALITIES)
    if len(real) > len(fallback):  # the real table is present: every fallback row must be in it
        assert {(c, n, k) for c, n, _, k in fallback} <= real
    assert {org for _, _, org, _ in fallback} >= {"Flens kommun", "Piteå kommun", "Ale kommun"}
