"""The official lists as sources: reading (CSV, XLSX, messy cells) and a build with the pages.

One store of seeds + both lists is built once for the module and questioned many ways; a
second store without the Kohesio list shows that euro never reaches a kronor total.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.config import Config
from esfgraph.iri import Iris
from esfgraph.sources.lists import ListError, cells, read_list, read_list_file
from esfgraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
LISTS = ROOT / "tests" / "data" / "lists"
ESF_CSV = LISTS / "esf-projektlista.csv"
KOHESIO_CSV = LISTS / "kohesio_SE.csv"
SEED_2018 = ROOT / "seeds" / "003_58e54e8db85e930c.txt"
BASE = "https://w3id.org/esfgraph/"
PREFIXES = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
PREFIX schema: <https://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


def rows_of(read):
    return {r.row: r for r in read.rows}


# ------------------------------------------------------------------------------ reading


@pytest.fixture(scope="module")
def esf_read():
    return read_list_file(ESF_CSV)


def test_esf_list_rows_read_the_messy_cells(esf_read):
    assert (esf_read.kind, esf_read.fmt) == ("esf-list", "CSV")
    rows = rows_of(esf_read)
    r = rows[3].record
    assert r.case_number == "23-017-S01" and r.layout == "2021-2027"
    assert r.total_budget_sek == 4973906  # no-break spaces between the thousands
    assert r.eu_cofinancing_rate == pytest.approx(0.9)
    assert r.sections["Sammanfattning"] == ("Insatsen hjälper unga vuxna till arbete.\n\n"
                                            "Andra stycket.")
    assert r.extra["Summary (en)"] == "The operation helps young adults."
    assert r.extra["Kommentar"] == "granskad"  # an unknown column is kept
    assert r.owner == "UPPSALA KOMMUN" and r.owner_org_number == "2120003005"
    assert r.provenance == {"kind": "esf-list", "file": str(ESF_CSV), "row": "3"}
    assert "EU contribution (SEK)" not in r.extra  # an empty cell is no value
    # 2014–2020: the case number is what the page prints as Projektnummer
    old = rows[2].record
    assert (old.layout, old.case_number, old.project_number) == \
        ("2014-2020", "2018/00460", "2018/00460")


def test_a_bad_cell_is_a_warning_naming_file_row_and_column_and_the_row_is_kept(esf_read):
    row = rows_of(esf_read)[5]
    assert row.record is not None and row.record.start_date is None
    assert row.warnings == [("esf-projektlista.csv row 5, column 'Startdatum / Start date': "
                            "'2023-02-30' is not a calendar date (day is out of range for "
                            "month); kept as text")]
    r = row.record
    assert r.extra["Startdatum / Start date"] == "2023-02-30"
    assert (r.total_budget_sek, r.eu_cofinancing_rate, r.end_date) == \
        (1200000, pytest.approx(0.85), dt.date(2024, 12, 31))
    assert r.extra["EU contribution (SEK)"] == "1020000"
    assert r.sections["Sammanfattning"] == "Ren text utan HTML & entitet"


def test_a_missing_column_is_reported_once_per_file(esf_read):
    missing = [w for w in esf_read.warnings if "is missing" in w]
    assert len(missing) == 2
    assert any("'Stödmottagarens land / Beneficiary country'" in w for w in missing)
    assert not any("is missing" in w for row in esf_read.rows for w in row.warnings)


def test_a_repeated_case_number_keeps_the_more_complete_row(esf_read):
    rows = rows_of(esf_read)
    assert rows[4].record is None and rows[3].record is not None
    assert rows[4].rejected == ("esf-projektlista.csv row 4: case number 23-017-S01 is "
                                "repeated in this list; kept row 3 (more complete)")


def test_a_repeated_case_number_of_equal_rows_keeps_the_first(tmp_path):
    text = ESF_CSV.read_text(encoding="utf-8-sig").splitlines()
    data = "\n".join([text[0], text[2], text[2]]).encode("utf-8")
    read = read_list(data, "twice.csv")
    assert [r.record is not None for r in read.rows] == [True, False]
    assert "kept row 2 (equally complete, first in the file)" in read.rows[1].rejected


def _records(read) -> list[dict]:
    out = []
    for row in read.rows:
        data = row.record.to_json() if row.record else {"rejected": "repeated" in row.rejected}
        data.pop("source", None)
        data.pop("provenance", None)
        out.append(data)
    return out


def test_tab_separated_windows_1252_reads_as_the_csv(esf_read, tmp_path):
    rows = list(csv.reader(io.StringIO(ESF_CSV.read_text(encoding="utf-8-sig")), delimiter=";"))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "lista.tsv"
    path.write_bytes(buf.getvalue().replace("\u00a0", " ").encode("cp1252"))
    read = read_list_file(path)
    assert read.kind == "esf-list"
    assert _records(read) == _records(esf_read)


def test_xlsx_with_typed_cells_reads_as_the_csv(esf_read, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(csv.reader(io.StringIO(ESF_CSV.read_text(encoding="utf-8-sig")), delimiter=";"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Projektbanken export 2026-12-01"])  # a title row above the header
    sheet.append(rows[0])
    for row in rows[1:]:
        typed: list[object] = list(row)
        if row[0] == "23-017-S01" and row[7]:
            typed[7] = 4973906  # a number cell
            typed[8] = 0.9  # a percentage cell holds the fraction
            typed[12] = dt.datetime(2023, 9, 4)  # a date cell
        sheet.append(typed)
    path = tmp_path / "lista.xlsx"
    book.save(path)
    read = read_list_file(path)
    assert (read.kind, read.fmt) == ("esf-list", "XLSX")
    assert _records(read) == _records(esf_read)
    # the row numbers are the sheet's (the title row is row 1)
    assert [r.row for r in read.rows][:2] == [3, 4]


def test_kohesio_rows():
    read = read_list_file(KOHESIO_CSV)
    assert read.kind == "kohesio" and read.warnings == []
    rows = rows_of(read)
    r = rows[2].record
    assert (r.case_number, r.layout, r.start_date, r.end_date) == \
        ("23-017-S01", "2021-2027", dt.date(2023, 9, 4), dt.date(2025, 8, 31))
    assert r.eu_cofinancing_rate == pytest.approx(0.4)
    assert r.intervention_type == "117"  # written 117.0
    assert r.total_budget_sek is None  # euro is never read into a kronor field
    assert r.extra["Total eligible expenditure (EUR)"] == "337478.4"
    assert r.extra["EU budget (EUR)"] == "134991.36"
    assert (r.extra["Kohesio item"], r.extra["Kohesio beneficiary"]) == ("Q7361953", "Q2481234")
    assert r.title == "Vägen till jobb" and r.extra["Title (en)"] == "The road to work"
    old = rows[3].record
    assert (old.layout, old.project_number) == ("2014-2020", "2018/00460")
    assert old.extra["Kohesio item"] == "Q7000460"  # the file's InfoRegio_URL names it
    bad = rows[5]
    assert bad.record is not None and bad.record.case_number == "24-001-S03"
    assert [w.split(":")[0] for w in bad.warnings] == [
        "kohesio_SE.csv row 5, column 'Operation_Start_Date'",
        "kohesio_SE.csv row 5, column 'Total_Eligible_Expenditure_amount'"]
    assert "Total eligible expenditure (EUR)" not in bad.record.extra


def test_a_table_that_is_neither_list_is_refused_with_its_headers():
    with pytest.raises(ListError) as err:
        read_list_file(LISTS / "not-a-list.csv")
    assert "not-a-list.csv" in str(err.value) and "'namn', 'antal', 'datum'" in str(err.value)


def test_other_currencies_are_not_money(tmp_path):
    text = KOHESIO_CSV.read_text(encoding="utf-8").replace('"EUR"', '"SEK"', 1)
    read = read_list(text.encode("utf-8"), "k.csv")
    r = read.rows[0]
    assert "Total eligible expenditure (EUR)" not in r.record.extra
    assert r.record.extra["Total_Eligible_Expenditure_amount"] == "337478.4"
    assert any("currency 'SEK'" in w for w in r.warnings)


@pytest.mark.parametrize("text,value", [("4 973 906", 4973906), ("4\u00a0973\u00a0906", 4973906),
                                        ("450 000 kr", 450000), ("4973906.0", 4973906),
                                        ("4,973,906", 4973906)])
def test_amounts_in_kronor(text, value):
    assert cells.amount_int(text) == value


@pytest.mark.parametrize("text", ["4 973,5", "-12", "tio", "1e6"])
def test_amounts_that_are_not_whole_kronor_are_refused(text):
    with pytest.raises(cells.CellError):
        cells.amount_int(text)


@pytest.mark.parametrize("text,kind,value", [
    ("2021SE05SFPR001_23-017-S01", "local", "23-017-S01"), ("2018/00076", "local", "2018/00076"),
    ("Q7361953", "qid", "Q7361953"), ("https://linkedopendata.eu/entity/Q7361953", "qid",
                                      "Q7361953"),
    ("04/09/2023", "dmy", dt.date(2023, 9, 4)), ("117.0", "code", "117"),
    ("40.0", "rate-kohesio", 0.4), ("90 %", "rate", 0.9), ("0.9", "rate", 0.9)])
def test_cell_shapes(text, kind, value):
    parse = {"local": cells.local_identifier, "qid": cells.qid, "dmy": cells.date_dmy,
             "code": cells.code, "rate": lambda v: cells.rate(v, bare_is_percent=False),
             "rate-kohesio": lambda v: cells.rate(v, bare_is_percent=True)}[kind]
    assert parse(text) == (pytest.approx(value) if isinstance(value, float) else value)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([" ", "\u00a0", "\u202f", ""]))
def test_any_whole_amount_reads_back_with_any_thousands_space(n, space):
    text = f"{n:,}".replace(",", space)
    assert cells.amount_int(text) == n


HEADER = ESF_CSV.read_text(encoding="utf-8-sig").splitlines()[0]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
                min_size=0, max_size=20))
def test_any_row_of_cells_is_read_or_refused_never_crashes(cells_):
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerow(cells_)
    data = (HEADER + "\n" + buf.getvalue()).encode("utf-8")
    read = read_list(data, "fuzz.csv")
    for row in read.rows:
        assert (row.record is None) == (row.rejected is not None)
        for w in row.warnings:
            assert w.startswith("fuzz.csv row 2")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_list_or_a_list_error(data):
    try:
        read_list(data, "x.csv")
    except ListError as exc:
        assert str(exc).startswith("x.csv: ")


# ------------------------------------------------------------------------------ one build


def _build(store: Path, *sources: Path):
    from esfgraph.pipeline import build

    return build([str(s) for s in sources], Config(), store_path=store, jobs=1)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    report = _build(root / "store", ROOT / "seeds", ESF_CSV, KOHESIO_CSV)
    return root / "store", report


@pytest.fixture(scope="module")
def built_without_kohesio(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists-no-kohesio")
    _build(root / "store", ROOT / "seeds", ESF_CSV)
    return root / "store"


def rows(store: Path, sparql: str) -> list[tuple[str, ...]]:
    result = Store(store).query(PREFIXES + sparql)
    names = [v.value for v in result.variables]
    return sorted(tuple(r[n].value if r[n] is not None else "" for n in names) for r in result)


def test_one_project_per_case_number(built):
    store, _report = built
    counts = rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?p a esf:Project } GROUP BY ?p")
    assert all(n == "1" for _, n in counts)  # no project typed in two graphs
    projects = {p.removeprefix(BASE + "id/project/") for p, _ in counts}
    assert {"2018-00460", "23-017-s01", "22-025-s02", "24-001-s03",
            "kohesio-q7999001", "esf-list-utan-diarienummer-okand-fas-2024-01-01"} <= projects
    # 5 pages (one of them also in both lists), 2 more ESF-list projects (one without a case
    # number, never merged), 2 Kohesio-only projects (one without a case number), and the
    # project both lists share
    assert len(projects) == 10
    from esfgraph.parse import parse_file

    page = parse_file(SEED_2018).record
    assert str(Iris(BASE).project(page)) == BASE + "id/project/2018-00460"


def test_each_source_in_its_own_named_graph_with_provenance(built):
    store, _ = built
    got = rows(store, f"""SELECT ?g ?kind ?file WHERE {{ GRAPH ?g {{
        ?d esf:describes <{BASE}id/project/2018-00460> ; esf:sourceKind ?kind ;
           prov:wasDerivedFrom ?src . ?src dcterms:identifier ?file }} }}""")
    assert got == [
        (f"{BASE}graph/record/2018-00460/esf-list", "esf-list", "esf-projektlista.csv"),
        (f"{BASE}graph/record/2018-00460/kohesio", "kohesio", "kohesio_SE.csv")]
    # which source claims what: the end date per graph (the page's graph too)
    ends = rows(store, f"""SELECT ?g ?end WHERE {{ GRAPH ?g {{
        {{ <{BASE}id/project/2018-00460> schema:endDate ?end }} UNION
        {{ ?d esf:describes <{BASE}id/project/2018-00460> ; schema:endDate ?end }} }} }}""")
    assert ends == [(f"{BASE}graph/record/2018-00460", "2022-03-04"),
                    (f"{BASE}graph/record/2018-00460/esf-list", "2022-03-31"),
                    (f"{BASE}graph/record/2018-00460/kohesio", "2022-03-04")]


def test_kohesio_links_only_where_the_file_names_the_item(built):
    store, _ = built
    links = rows(store, """SELECT ?p ?same ?page WHERE { ?p a esf:Project ; schema:sameAs ?same .
                           OPTIONAL { ?p foaf:page ?page } }""")
    assert links == [
        (f"{BASE}id/project/2018-00460", "https://linkedopendata.eu/entity/Q7000460",
         "https://kohesio.ec.europa.eu/en/projects/Q7000460"),
        (f"{BASE}id/project/23-017-s01", "https://linkedopendata.eu/entity/Q7361953",
         "https://kohesio.ec.europa.eu/en/projects/Q7361953"),
        (f"{BASE}id/project/24-001-s03", "https://linkedopendata.eu/entity/Q7999002",
         "https://kohesio.ec.europa.eu/en/projects/Q7999002"),
        (f"{BASE}id/project/kohesio-q7999001", "https://linkedopendata.eu/entity/Q7999001",
         "https://kohesio.ec.europa.eu/en/projects/Q7999001")]
    orgs = rows(store, """SELECT ?o ?same ?n WHERE { ?o schema:sameAs ?same ;
                          esf:organisationNumber ?n
                          FILTER(STRSTARTS(STR(?same), "https://linkedopendata.eu/")) }""")
    assert orgs == [(f"{BASE}id/org/uppsala-kommun", "https://linkedopendata.eu/entity/Q2481234",
                     "2120003005")]


def test_a_list_only_project_is_a_full_project(built):
    store, _ = built
    p = f"<{BASE}id/project/23-017-s01>"
    got = rows(store, f"""SELECT ?title ?start ?budget ?owner ?eur WHERE {{
        {p} dcterms:title ?title ; schema:startDate ?start ; esf:totalBudgetSEK ?budget ;
            esf:owner ?owner ; esf:totalEligibleExpenditureEUR ?eur FILTER(LANG(?title) = "sv") }}""")
    # the ESF list's facts first (its title, its kronor); Kohesio's euro under its own property
    assert got == [("Vägen till arbete", "2023-09-04", "4973906", f"{BASE}id/org/uppsala-kommun",
                    "337478.4")]
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import version_of

    index = open_index(version_of(store))
    found = index.search(SearchParams(q="arbete"))
    iris = {item["iri"] for item in found["items"]}
    assert f"{BASE}id/project/23-017-s01" in iris


def test_no_euro_in_any_kronor_property_or_amount(built):
    store, _ = built
    sek_props = rows(store, """SELECT DISTINCT ?prop WHERE { ?s ?prop ?v
                               FILTER(STRENDS(STR(?prop), "SEK")) }""")
    assert sek_props  # the kronor properties are there...
    euro = {v for (v,) in rows(store, """SELECT ?v WHERE { ?a schema:currency "EUR" ;
                                          schema:value ?v }""")}
    assert euro == {"337478.4", "134991.36", "2300000.5", "1150000.25", "28000", "11200",
                    "5000"}
    for (prop,) in sek_props:  # ...and none holds a euro amount
        values = {v for (v,) in rows(store, f"SELECT ?v WHERE {{ ?s <{prop}> ?v }}")}
        assert not values & euro, prop
    wrong = rows(store, """SELECT ?a ?c WHERE { ?x schema:amount|esf:totalBudget|esf:totalCost ?a .
                           ?a schema:currency ?c FILTER(?c != "SEK") }""")
    assert wrong == []


def test_kronor_totals_are_unchanged_by_the_kohesio_list(built, built_without_kohesio):
    from esfgraph.queries import get_query

    def money(store: Path) -> list[tuple[str, ...]]:
        return rows(store, get_query("money-per-region").sparql)

    store, _ = built
    assert money(store) == money(built_without_kohesio) != []
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import version_of

    with_k = open_index(version_of(store)).search(SearchParams())
    without = open_index(version_of(built_without_kohesio)).search(SearchParams())
    assert (with_k["esfGrantSEK"], with_k["totalBudgetSEK"]) == \
        (without["esfGrantSEK"], without["totalBudgetSEK"])
    assert with_k["total"] == without["total"] + 2  # the two projects only Kohesio knows


def test_build_reports_bad_cells_and_left_out_rows(built):
    _, report = built
    warned = [m for s, m in report.warnings if s.endswith("kohesio_SE.csv")]
    assert "kohesio_SE.csv row 5, column 'Operation_Start_Date': '15/13/2024' is not a " \
        "calendar date (month must be in 1..12); kept as text" in warned
    assert not [m for _, m in report.warnings if "SHACL" in m]
    rejected = [m for s, m in report.rejected]
    assert rejected == [("esf-projektlista.csv row 4: case number 23-017-S01 is repeated in "
                        "this list; kept row 3 (more complete)")]


def test_link_report_lists_disagreements_and_candidates(monkeypatch):
    from esfgraph.cli import main

    result = CliRunner().invoke(main, ["link-report", "--json", str(ROOT / "seeds"),
                                       str(ESF_CSV), str(KOHESIO_CSV)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["records"] == 5  # the linking tallies are the pages'
    src = data["sources"]
    found = {(d["project"], d["field"]) for d in src["disagreements"]}
    assert found == {("2018-00460", "end date"), ("23-017-s01", "title"),
                     ("23-017-s01", "EU co-financing rate")}
    end = next(d for d in src["disagreements"] if d["field"] == "end date")
    assert end["values"] == [
        {"source": "003_58e54e8db85e930c.txt", "value": "2022-03-04"},
        {"source": "esf-projektlista.csv row 2 (esf-list)", "value": "2022-03-31"},
        {"source": "kohesio_SE.csv row 3 (kohesio)", "value": "2022-03-04"}]
    assert [(c["row"], c["other"]) for c in src["candidates"]] == [
        ("esf-projektlista.csv row 6 (esf-list)", "kohesio_SE.csv row 4 (kohesio)")]
    assert len(src["left_out_rows"]) == 1
    assert src["organisation_numbers_with_several_names"] == {
        "8020001234": ["Framtidsföreningen i Lund", "Föreningen Framtid"]}


def test_an_unchanged_list_is_skipped_and_a_removed_row_leaves(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(KOHESIO_CSV, folder / "kohesio_SE.csv")
    store = tmp_path / "store"
    first = _build(store, folder)
    assert first.mapped == 4
    again = _build(store, folder)
    assert (again.incremental, again.unchanged, again.mapped) == (True, 1, 0)
    lines = (folder / "kohesio_SE.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "kohesio_SE.csv").write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    third = _build(store, folder)
    assert third.mapped == 3
    graphs = Store(store).named_graphs()
    assert f"{BASE}graph/record/23-017-s01/kohesio" in graphs
    assert f"{BASE}graph/record/2018-00460/kohesio" not in graphs
    projects = {p for (p,) in rows(store, "SELECT ?p WHERE { ?p a esf:Project }")}
    assert f"{BASE}id/project/2018-00460" not in projects
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import version_of

    assert open_index(version_of(store)).search(SearchParams())["total"] == 3


def _runner(store: Path):
    """A page-query runner straight on the store (the backend's `bind`: IRIs only)."""
    import pyoxigraph as ox

    st_ = Store(store)

    async def run(template: str, bind: dict[str, str]) -> list[dict]:
        text = template
        for name, iri in bind.items():
            text = text.replace("{{" + name + "}}", f"<{iri}>")
        result = st_.query(text)
        names = [v.value for v in result.variables]
        out = []
        for r in result:
            row = {}
            for n in names:
                t = r[n]
                if t is None:
                    continue
                if isinstance(t, ox.Literal):
                    row[n] = ("literal", t.value, t.language, t.datatype.value)
                else:
                    row[n] = ("uri", t.value, None, None)
            out.append(row)
        return out

    return run


def test_the_card_shows_its_sources_and_links_out_to_kohesio(built):
    import asyncio

    from jinja2 import Environment, FileSystemLoader

    from esfgraph.explore.web.graphdata import project_card

    store, _ = built
    card = asyncio.run(project_card(_runner(store), f"{BASE}id/project/2018-00460", BASE, "sv"))
    got = card["sources"]
    assert [(s["name"], s["file"], s["row"]) for s in got["sources"]] == [
        ("esf.se (sparad sida)", "003_58e54e8db85e930c.txt", None),
        ("ESF-rådets projektlista", "esf-projektlista.csv", "rad 2"),
        ("Kohesio", "kohesio_SE.csv", "rad 3")]
    assert got["kohesio"] == [{"entity": "https://linkedopendata.eu/entity/Q7000460",
                               "page": "https://kohesio.ec.europa.eu/en/projects/Q7000460"}]
    templates = ROOT / "esfgraph" / "explore" / "web" / "templates"
    html = Environment(loader=FileSystemLoader(templates), autoescape=True).get_template(
        "_sources.html").render(card=card, lang="en")
    assert 'href="https://kohesio.ec.europa.eu/en/projects/Q7000460"' in html
    assert "<li>ESF-rådets projektlista: <code>esf-projektlista.csv</code>, rad 2; total budget " \
        "23\u00a0775\u00a0692\u00a0kr</li>" in html
    only_list = asyncio.run(project_card(_runner(store), f"{BASE}id/project/23-017-s01",
                                         BASE, "en"))
    assert [s["name"] for s in only_list["sources"]["sources"]] == [
        "the ESF Council's project list", "Kohesio"]
    assert only_list["title"] == "Vägen till arbete"
    assert [s["amounts"] for s in only_list["sources"]["sources"]] == [
        ["total budget 4\u00a0973\u00a0906\u00a0SEK"], ["eligible expenditure 337\u00a0478.4\u00a0EUR"]]


def test_removing_a_list_file_takes_its_rows_and_list_only_projects(tmp_path):
    from esfgraph.pipeline import remove_sources

    store = tmp_path / "store"
    _build(store, SEED_2018, KOHESIO_CSV)
    removed = remove_sources(["kohesio_SE.csv"], store_path=store)
    assert len(removed) == 4
    projects = {p for (p,) in rows(store, "SELECT ?p WHERE { ?p a esf:Project }")}
    assert projects == {f"{BASE}id/project/2018-00460"}  # the page's project stays
    assert rows(store, "SELECT ?p WHERE { ?p schema:sameAs ?k }") == []
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import version_of

    assert open_index(version_of(store)).search(SearchParams())["total"] == 1


def test_two_names_with_one_organisation_number_are_one_organisation(built):
    store, _ = built
    same = rows(store, f"""SELECT ?a ?b WHERE {{ GRAPH <{BASE}graph/sources> {{
                           ?a schema:sameAs ?b FILTER(STRSTARTS(STR(?b), "{BASE}id/org/")) }} }}""")
    assert same == [(f"{BASE}id/org/framtidsforeningen-i-lund", f"{BASE}id/org/foreningen-framtid")]
    # the project only Kohesio knows is owned by the organisation the number resolves to
    owner = rows(store, f"SELECT ?o WHERE {{ <{BASE}id/project/24-001-s03> esf:owner ?o }}")
    assert owner == [(f"{BASE}id/org/foreningen-framtid",)]


def test_parse_prints_one_record_per_list_row():
    from esfgraph.cli import main

    result = CliRunner().invoke(main, ["parse", str(ESF_CSV)])
    assert result.exit_code == 1  # one row left out (the repeated case number)
    records = json.loads(result.stdout)
    assert [r["provenance"]["row"] for r in records] == ["2", "3", "5", "6"]
    assert records[1]["total_budget_sek"] == 4973906
    assert "row 4: case number 23-017-S01 is repeated" in result.stderr


def test_a_page_arriving_or_leaving_turns_a_list_project_into_a_page_project_and_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ESF_CSV, folder / "lista.csv")
    store = tmp_path / "store"
    p = f"<{BASE}id/project/2018-00460>"
    _build(store, folder)
    query = f"SELECT ?g ?t WHERE {{ GRAPH ?g {{ {p} dcterms:title ?t }} }}"
    assert rows(store, query) == [(f"{BASE}graph/sources", "Motivera och Aktivera MOA")]
    shutil.copy(SEED_2018, folder / SEED_2018.name)
    with_page = _build(store, folder)
    assert with_page.incremental and with_page.mapped == 1
    assert rows(store, query) == [(f"{BASE}graph/record/2018-00460", "Motivera och Aktivera MOA")]
    typed = rows(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ {p} a esf:Project }} }}")
    assert typed == [(f"{BASE}graph/record/2018-00460",)]
    from esfgraph.explore.search import SearchParams, open_index
    from tests.explore_store import version_of

    def owner_in_index() -> str:
        found = open_index(version_of(store)).search(SearchParams(q="Motivera"))
        return next(i["owner"] for i in found["items"] if i["iri"] == p.strip("<>"))

    assert owner_in_index().endswith("pitea-kommun/samhallsbyggnad-kompetensforsorjning")
    (folder / SEED_2018.name).unlink()
    _build(store, folder)
    assert rows(store, query) == [(f"{BASE}graph/sources", "Motivera och Aktivera MOA")]
    assert owner_in_index() == f"{BASE}id/org/pitea-kommun"  # the list's, read back


_FRAGMENT = st.sampled_from(["<p>", "</p>", "<br/>", "<br>", "<b>", "</b>", "<ul>", "<li>",
                             "</li>", "</ul>", "<em>", "</em>", "&amp;", "&lt;", " ", "\n",
                             "unga", "vuxna", "Å", "1 000"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_FRAGMENT, max_size=30))
def test_simple_html_without_the_parser_reads_as_with_it(parts):
    value = "".join(parts)
    assert cells.html_text(value) == cells.html_text_parsed(value)


def test_a_list_larger_than_the_page_size_cap_is_read_whole(tmp_path, monkeypatch):
    """Regression: a 9 MB Kohesio file lost its last thousand rows, silently.

    The build reads a file with the page reader's cap (8 MB: a page is a few kilobytes); a list
    file is read whole instead, and hashed whole (so an unchanged list is recognised).
    """
    import hashlib

    from esfgraph.parse import decode

    monkeypatch.setattr(decode, "MAX_BYTES", 1000)  # the fixture is 2.2 kB
    store = tmp_path / "store"
    report = _build(store, KOHESIO_CSV)
    assert report.mapped == 4 and report.rejected == []
    entries = Store(store).sources()
    assert {e.sha256 for e in entries} == {hashlib.sha256(KOHESIO_CSV.read_bytes()).hexdigest()}
    assert _build(store, KOHESIO_CSV).unchanged == 1


def test_a_list_that_cannot_be_read_keeps_its_stored_rows(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "kohesio_SE.csv"
    shutil.copy(KOHESIO_CSV, path)
    store = tmp_path / "store"
    _build(store, folder)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed
    from esfgraph.parse import decode

    real = decode.read_file

    def refuse(p: str) -> bytes:
        if p.endswith("kohesio_SE.csv"):
            raise PermissionError(13, "Permission denied")
        return real(p)

    monkeypatch.setattr(decode, "read_file", refuse)
    report = _build(store, folder)
    assert [s for s, _ in report.unreadable] == [str(path)]
    assert len(Store(store).sources()) == 4  # a permission problem is not a removed list
    monkeypatch.setattr(decode, "read_file", real)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2]), encoding="utf-8")  # now one row only
    assert _build(store, folder).mapped == 1
    assert [e.slug for e in Store(store).sources()] == ["23-017-s01/kohesio"]


def test_the_xlsx_fixture_reads_as_the_csv(esf_read):
    read = read_list_file(LISTS / "esf-projektlista.xlsx")
    assert (read.kind, read.fmt) == ("esf-list", "XLSX")
    assert _records(read) == _records(esf_read)


def test_one_number_never_joins_two_bodies_the_reference_tables_know_apart():
    """Regression: generated pages gave Södertälje and Kävlinge one organisation number, and
    the two municipalities were made one organisation. A number joins names, not known bodies.
    """
    import pyoxigraph as ox

    from esfgraph.link_sources import _one_org_per_number

    store = ox.Store()
    g = ox.NamedNode(f"{BASE}graph/entities")
    num = ox.NamedNode("https://w3id.org/esfgraph/ontology#organisationNumber")
    gov = ox.NamedNode("https://schema.org/GovernmentOrganization")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for org, number, is_gov in (("sodertalje-kommun", "2120000001", True),
                                ("kavlinge-kommun", "2120000001", True),
                                ("foreningen-framtid", "8020001234", False),
                                ("framtidsforeningen-i-lund", "8020001234", False),
                                ("lund-kommun", "2120001000", True),
                                ("lunds-kommun-ame", "2120001000", False)):
        node = ox.NamedNode(f"{BASE}id/org/{org}")
        store.add(ox.Quad(node, num, ox.Literal(number), g))
        if is_gov:
            store.add(ox.Quad(node, rdf_type, gov, g))
    lines: list[tuple[str, str, str]] = []
    canonical = _one_org_per_number(store, f"{BASE}graph/sources",
                                    lambda s, p, o: lines.append((s, p, o)))
    assert canonical == {f"{BASE}id/org/framtidsforeningen-i-lund": f"{BASE}id/org/foreningen-framtid",
                         f"{BASE}id/org/lunds-kommun-ame": f"{BASE}id/org/lund-kommun"}
    assert len(lines) == 2


def test_lists_in_a_worker_pool_give_the_same_graph(built, tmp_path, monkeypatch):
    """Big lists go to the pool (each file its own task, quads through the spool)."""
    from esfgraph import pipeline, pipeline_lists
    from esfgraph.pipeline import build

    monkeypatch.setattr(pipeline_lists, "LIST_BYTES_PER_PAGE", 8)  # 2 kB lists weigh 250 pages
    pools = []
    real = pipeline.ordered_map

    def recorded(*a, **kw):
        pools.append(kw.get("singles"))
        return real(*a, **kw)

    monkeypatch.setattr(pipeline, "ordered_map", recorded)
    assert pipeline_lists.split_lists([str(ESF_CSV), str(KOHESIO_CSV)])[2] >= 64
    store = tmp_path / "store"
    report = build([str(ROOT / "seeds"), str(ESF_CSV), str(KOHESIO_CSV)], Config(),
                   store_path=store, jobs=2)
    one, _ = built
    assert report.mapped == 5 + 4 + 4

    def shape(path: Path) -> list[tuple[str, int]]:
        s = Store(path)
        return sorted((g, sum(1 for _ in s.iter_quads(g))) for g in s.named_graphs()
                      if "/graph/changes" not in g)

    assert shape(store) == shape(one)
    assert len(pools) == 1 and len(pools[0]) == 2  # the pool ran, each list a task of its own
