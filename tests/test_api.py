"""The public Python API (`import esfgraph`) on real data: every name in `__all__`.

One store of the seeds is built once for the module (no validation: `validate()` is tested on
its own); the notebook in docs/examples and the snippet in docs/guide/api.md run against it
as plain scripts, so the documentation cannot rot.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import esfgraph
from esfgraph.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BAD = ROOT / "tests" / "data" / "bad"
MOA = SEEDS / "003_58e54e8db85e930c.txt"
MOA_IRI = "https://w3id.org/esfgraph/id/project/2018-00460"
SE23 = "https://w3id.org/esfgraph/id/region/SE23"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "store"
    seen: list[int] = []
    report = esfgraph.build([SEEDS], store=path, validate=False, jobs=1,
                            progress=lambda p: seen.append(p.done))
    assert (report.records, report.rejected, report.unreadable) == (5, [], [])
    assert seen == [1, 2, 3, 4, 5] and report.triples > 0 and report.seconds > 0
    return path


@pytest.fixture(scope="module")
def kg(store: Path) -> esfgraph.KnowledgeGraph:
    return esfgraph.open(store)


# -- the shape of the API ------------------------------------------------------------------------


def test_every_public_name_exists_and_none_is_a_module_name():
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(esfgraph.__path__)}
    for name in esfgraph.__all__:
        assert hasattr(esfgraph, name), name
        assert name not in modules, f"public name {name} collides with a module"
    for name in ("read", "build", "open", "KnowledgeGraph", "EsfgraphError"):
        assert name in esfgraph.__all__


def test_every_public_callable_has_a_docstring_and_type_hints():
    import inspect

    for name in esfgraph.__all__:
        obj = getattr(esfgraph, name)
        if inspect.isfunction(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
            hints = inspect.signature(obj)
            assert hints.return_annotation is not inspect.Signature.empty, name
        if inspect.isclass(obj):
            assert obj.__doc__, name
    for attr, method in vars(esfgraph.KnowledgeGraph).items():
        if callable(method) and not attr.startswith("_"):
            assert method.__doc__, attr


def test_one_error_hierarchy_and_the_old_name_still_works():
    from esfgraph.errors import EsfGraphError

    assert EsfGraphError is esfgraph.EsfgraphError
    for name in esfgraph.__all__:
        obj = getattr(esfgraph, name)
        if isinstance(obj, type) and name.endswith("Error"):
            assert issubclass(obj, esfgraph.EsfgraphError), name
    assert issubclass(esfgraph.ParseWarning, UserWarning)
    assert issubclass(esfgraph.RejectedFileWarning, esfgraph.ParseWarning)


# -- read ---------------------------------------------------------------------------------------


def test_read_a_file_its_text_and_its_bytes_give_the_same_record():
    record = esfgraph.read(MOA)
    assert isinstance(record, esfgraph.Record)
    assert (record.project_number, record.esf_grant_sek) == ("2018/00460", 11159401)
    text = MOA.read_text(encoding="utf-8")
    assert esfgraph.read(text).to_json()["project_number"] == "2018/00460"
    assert esfgraph.read(MOA.read_bytes()).esf_grant_sek == 11159401
    assert esfgraph.read(str(MOA)).title == record.title


def test_read_a_folder_gives_a_list_in_file_order():
    records = esfgraph.read(SEEDS)
    assert [r.title for r in records] == ["Ung och aktiv", "Möjligheter del 2", "Visioncenter",
                                          "Motivera och Aktivera MOA", "Våga Välja Väg (VVV)"]


def test_read_warnings_are_python_warnings_naming_file_and_line():
    path = BAD / "impossible-date.txt"
    with pytest.warns(esfgraph.ParseWarning,
                      match=re.escape(f"{path}:17: warning: Projektperiod: value '2014-02-30'")):
        record = esfgraph.read(path)
    assert record.start_date is None


def test_read_errors_are_exceptions_that_name_the_file_and_the_fix(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(esfgraph.ParseError, match="HTML page with no Projektbanken labels found") as info:
        esfgraph.read(page)
    assert info.value.source == str(page)
    with pytest.raises(esfgraph.ParseError, match="no such file"):
        esfgraph.read(tmp_path / "missing.txt")
    shutil.copy(MOA, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(esfgraph.ParseError, match=r"2 of 3 file\(s\) rejected.*errors='warn'"):
        esfgraph.read(tmp_path)
    with pytest.warns(esfgraph.RejectedFileWarning) as caught:
        records = esfgraph.read(tmp_path, errors="warn")
    assert [r.project_number for r in records] == ["2018/00460"]
    assert sorted(Path(str(w.message).split(":")[0]).name for w in caught
                  if w.category is esfgraph.RejectedFileWarning) == ["empty.txt", "page.html"]


def test_read_each_streams_results_and_never_raises(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(MOA, tmp_path / "moa.txt")
    results = list(esfgraph.read_each([tmp_path]))
    assert [(Path(r.source).name, r.ok) for r in results] == [("empty.txt", False),
                                                              ("moa.txt", True)]
    assert isinstance(results[0], esfgraph.ParseResult)
    assert isinstance(results[0].errors[0], esfgraph.Issue)


# -- build and remove ---------------------------------------------------------------------------


def test_build_reports_rejected_files_with_reasons_and_remove_drops_a_record(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(MOA, pages / "moa.txt")
    shutil.copy(SEEDS / "000_d2ed1ed5029aa51d.txt", pages / "ale.txt")
    (pages / "broken.txt").write_text("<html><body>not a page</body></html>", encoding="utf-8")
    report = esfgraph.build([pages], store=tmp_path / "s", validate=False, jobs=1)
    assert report.records == 2
    assert [(Path(f).name, "HTML" in why) for f, why in report.rejected] == [("broken.txt", True)]
    assert "rejected" in report.summary()
    opened = esfgraph.open(tmp_path / "s")
    ale = "ASK { ?p dcterms:title 'Ung och aktiv'@sv }"
    assert opened.ask(ale) is True
    removed = esfgraph.remove([str(pages / "ale.txt")], store=tmp_path / "s")
    assert [e.name for e in removed] == ["ale.txt"]
    assert opened.ask(ale) is False  # an open graph follows the store to its new version
    (tmp_path / "empty").mkdir()
    with pytest.raises(esfgraph.StoreError, match="no pages found"):
        esfgraph.build([tmp_path / "empty"], store=tmp_path / "s2")


# -- open and query -----------------------------------------------------------------------------


def test_open_a_missing_store_or_a_bad_endpoint_says_the_fix(tmp_path):
    with pytest.raises(esfgraph.StoreError, match="no store here; build one first"):
        esfgraph.open(tmp_path / "missing")
    with pytest.raises(esfgraph.RemoteError, match="not an http"):
        esfgraph.open(endpoint="ftp://example.org/sparql")
    with pytest.raises(esfgraph.RemoteError, match="user:password"):
        esfgraph.open("http://127.0.0.1:9/sparql", auth="nocolon")


def test_query_rows_are_dicts_of_python_values(kg):
    result = kg.query("SELECT ?p ?t ?grant ?start WHERE { ?p a esf:Project ; dcterms:title ?t ;"
                      " esf:esfGrantSEK ?grant ; schema:startDate ?start } ORDER BY ?t")
    assert isinstance(result, esfgraph.QueryResult)
    assert result.variables == ["p", "t", "grant", "start"] and len(result) == 5
    moa = next(r for r in result if r["p"] == MOA_IRI)
    assert moa["grant"] == Decimal(11159401) and isinstance(moa["start"], dt.date)
    assert moa["t"] == "Motivera och Aktivera MOA"


def test_query_parameters_are_bound_like_the_cli(kg):
    q = "SELECT ?t WHERE { ?p dcterms:title ?t ; esf:esfGrantSEK ?g FILTER(?g > ?min) }"
    assert [r["t"] for r in kg.query(q, min=5_000_000)] == ["Motivera och Aktivera MOA"]
    assert len(kg.query(q, min=Decimal(0))) == 5
    active = kg.question("projects-active-on", on_date=dt.date(2010, 1, 1))
    again = kg.question("projects-active-on", on_date="2010-01-01")
    assert list(active) == list(again) and len(active) >= 1
    with pytest.raises(esfgraph.QueryError, match="not a valid xsd:date"):
        list(kg.question("projects-active-on", on_date="30 June"))
    with pytest.raises(esfgraph.QueryError, match="no ready-made query named 'nosuch'"):
        kg.question("nosuch")


def test_csv_and_serialize_are_byte_for_byte_the_cli(kg, store):
    result = kg.question("money-per-region")
    cli_csv = CliRunner().invoke(cli, ["query", "--store", str(store), "--name",
                                       "money-per-region", "--format", "csv"]).stdout_bytes
    assert result.serialize("csv") == cli_csv
    assert result.to_csv().encode("utf-8") == cli_csv
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert {"region": SE23, "regionName": "Västsverige", "projects": "2",
            "projectsWithGrant": "2", "esfGrantSEK": "1006922"} in rows
    table = result.serialize("table")
    assert b"(5 rows)" in table or b"rows)" in table


def test_to_pandas_keeps_amounts_whole(kg):
    pd = pytest.importorskip("pandas")
    frame = kg.question("money-per-region").to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["region", "regionName", "projects", "projectsWithGrant",
                                    "esfGrantSEK"]
    row = frame.set_index("regionName").loc["Västsverige"]
    assert int(row["esfGrantSEK"]) == 1006922 and int(row["projects"]) == 2
    assert str(frame["esfGrantSEK"].dtype) == "Int64"


def test_to_polars_when_installed(kg):
    pytest.importorskip("polars")
    frame = kg.question("money-per-region").to_polars()
    assert dict(zip(frame["regionName"], frame["esfGrantSEK"]))["Västsverige"] == 1006922


def test_a_missing_extra_is_named_in_the_error(kg, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars now raises ImportError
    with pytest.raises(esfgraph.MissingExtraError, match=r"esfgraph\[polars\]"):
        kg.question("money-per-region").to_polars()


def test_ask_construct_describe(kg):
    assert kg.ask("ASK { ?p esf:region ?r }") is True
    assert kg.ask("ASK { ?p esf:esfGrantSEK ?g FILTER(?g < 0) }") is False
    graph = kg.construct("CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p dcterms:title ?t ;"
                         " a esf:Project }")
    assert isinstance(graph, rdflib.Graph) and len(graph) == 5
    assert (rdflib.URIRef(MOA_IRI), rdflib.DCTERMS.title,
            rdflib.Literal("Motivera och Aktivera MOA", lang="sv")) in graph
    described = kg.describe(MOA_IRI)
    assert (rdflib.URIRef(MOA_IRI), rdflib.URIRef("https://w3id.org/esfgraph/ontology#esfGrantSEK"),
            None) in described
    with pytest.raises(esfgraph.QueryError, match="ask\\(\\) needs an ASK query"):
        kg.ask("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(esfgraph.QueryError, match="not rows"):
        list(kg.query("CONSTRUCT WHERE { ?s a esf:Project }"))


def test_the_guard_applies_and_says_the_python_fix(kg):
    with pytest.raises(esfgraph.ServiceNotAllowedError, match="allow_service=True"):
        list(kg.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"))
    with pytest.raises(esfgraph.QuerySyntaxError) as info:
        list(kg.query("SELECT ?s WHERE {\n  ?s ?p \n}"))
    assert info.value.line is not None


def test_questions_list_the_ready_made_queries():
    names = [q.name for q in esfgraph.questions()]
    assert "money-per-region" in names and names == sorted(names)


# -- rdflib ------------------------------------------------------------------------------------


def test_rdflib_dataset_reads_the_store_and_refuses_writes(kg):
    ds = kg.rdflib()
    assert isinstance(ds, rdflib.Dataset)
    titles = set(ds.objects(rdflib.URIRef(MOA_IRI), rdflib.DCTERMS.title))
    assert titles == {rdflib.Literal("Motivera och Aktivera MOA", lang="sv")}
    count = next(iter(ds.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a esf:Project }")))[0]
    assert int(count) == 5
    assert len(list(ds.graphs())) > 5  # the named graphs of the store, not a copy
    with pytest.raises(esfgraph.ReadOnlyError, match="read-only"):
        ds.add((rdflib.URIRef(MOA_IRI), rdflib.RDFS.label, rdflib.Literal("x")))
    with pytest.raises(esfgraph.ReadOnlyError):
        ds.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert kg.ask("ASK { <urn:a> ?p ?o }") is False


# -- search and map equal the explorer's data endpoints -----------------------------------------


@pytest.fixture(scope="module")
def explorer(store: Path) -> Iterator[object]:
    from esfgraph.serve import ServeSettings, create_app
    from tests.serve_fixtures.server import app_in_thread

    with app_in_thread(create_app(ServeSettings(store=str(store), workers=1))) as client:
        yield client


def _json(data: object) -> object:
    return json.loads(json.dumps(data))


def test_search_is_projects_json(kg, explorer):
    cases = [({"q": "ungdomar"}, [("q", "ungdomar")]),
             ({"q": "unga", "region": "SE23"}, [("q", "unga"), ("region", "SE23")]),
             ({"period": ["2007-2013", "2014-2020"], "sort": "grant"},
              [("period", "2007-2013"), ("period", "2014-2020"), ("sort", "grant")])]
    for kwargs, params in cases:
        web = explorer.get("/projects.json", params=params + [("lang", "sv")]).json()
        assert _json(kg.search(**kwargs)) == web, kwargs
    assert kg.search(q="unga", region="SE23")["esfGrantSEK"] == 1006922
    with pytest.raises(esfgraph.SearchError, match="unknown search parameter 'regoin'"):
        kg.search(regoin="SE23")
    with pytest.raises(esfgraph.SearchError):
        kg.search(per_page="many")


def test_map_is_map_json(kg, explorer):
    for level, metric in (("municipality", "grant"), ("region", "projects")):
        web = explorer.get("/map.json", params={"level": level, "metric": metric}).json()
        assert _json(kg.map(level, metric)) == web
    with pytest.raises(esfgraph.SearchError):
        kg.map("planet")


# -- validate, export, diff, history ------------------------------------------------------------


def test_validate_returns_conforms_and_report_like_pyshacl(kg, tmp_path):
    conforms, report = kg.validate(jobs=1)
    assert conforms is report.conforms and isinstance(conforms, bool)
    assert "conforms" in report.to_text().lower() or report.results
    path = tmp_path / "all.trig"
    kg.export("trig", path)
    again, file_report = esfgraph.validate_files([path], jobs=1)
    assert again == conforms and len(file_report.results) == len(report.results)


def test_export_returns_bytes_or_writes_a_file(kg, tmp_path):
    data = kg.export("nt")
    graph = rdflib.Graph().parse(data=data, format="nt")
    assert (rdflib.URIRef(MOA_IRI), rdflib.RDF.type,
            rdflib.URIRef("https://w3id.org/esfgraph/ontology#Project")) in graph
    assert kg.export("turtle", tmp_path / "x.ttl") is None
    assert len(rdflib.Graph().parse(tmp_path / "x.ttl")) == len(graph)
    without = rdflib.Graph().parse(data=kg.export("nt", personal_data=False), format="nt")
    assert len(without) < len(graph)
    with pytest.raises(esfgraph.ExportError, match="unknown export format"):
        kg.export("csv")


def test_diff_and_what_changed(kg, tmp_path):
    assert kg.diff(SEEDS) == [] and isinstance(kg.diff(SEEDS), esfgraph.Changes)
    fewer = tmp_path / "fewer"
    shutil.copytree(SEEDS, fewer)
    (fewer / MOA.name).unlink()
    changes = kg.diff(fewer)
    assert [(c.project, c.status) for c in changes] == [(MOA_IRI, "removed")]
    report = json.loads(changes.render("json"))
    assert report and "removed" in json.dumps(report)
    assert esfgraph.what_changed(fewer, SEEDS)[0].status == "added"
    assert "Motivera och Aktivera MOA" in changes.render("text")


def test_history_of_a_project_and_diff_builds(tmp_path):
    """The change log starts with the first build: a second build with a new grant is logged."""
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "moa.txt"
    shutil.copy(MOA, page)
    esfgraph.build([pages], store=tmp_path / "s", validate=False, jobs=1)
    page.write_text(MOA.read_text(encoding="utf-8").replace("11 159 401", "11 259 401"),
                    encoding="utf-8")
    esfgraph.build([pages], store=tmp_path / "s", validate=False, jobs=1)
    kg = esfgraph.open(tmp_path / "s")
    history = kg.history("2018/00460")
    assert isinstance(history, esfgraph.History) and history.project == MOA_IRI
    assert [c.status for c in history][-1] == "changed"
    text = history.render()
    assert text.startswith(f"History of {MOA_IRI}: {len(history)} recorded change(s)")
    assert "11 159 401" in text and "11 259 401" in text
    assert json.loads(history.render("json"))
    between = kg.diff_builds(0, 1)
    assert [(c.project, c.status) for c in between] == [(MOA_IRI, "changed")]
    with pytest.raises(esfgraph.StoreError):
        kg.history("1999/99999")


def test_link_report_on_read_records():
    report = esfgraph.link_report(esfgraph.read(SEEDS))
    assert "municipalit" in report.to_text().lower()
    assert json.loads(report.dumps())


def test_config_and_load_config(tmp_path):
    path = tmp_path / "esfgraph.yaml"
    path.write_text("store: elsewhere\npersonal_data: false\n", encoding="utf-8")
    config = esfgraph.load_config(path)
    assert isinstance(config, esfgraph.Config) and config.store == "elsewhere"
    with pytest.raises(esfgraph.ConfigError):
        esfgraph.load_config(tmp_path / "missing.yaml")


def test_a_remote_endpoint_answers_like_the_store(kg, explorer):
    remote = esfgraph.open(endpoint=f"{explorer.base_url}/sparql")
    assert remote.path is None
    assert remote.question("money-per-region").serialize("csv") == \
        kg.question("money-per-region").serialize("csv")
    assert list(remote.question("money-per-region")) == list(kg.question("money-per-region"))
    assert remote.ask("ASK { ?p esf:region ?r }") is True
    with pytest.raises(esfgraph.NotAvailableError, match="needs a local store"):
        remote.export("nt")
    with pytest.raises(esfgraph.ServiceNotAllowedError):
        list(remote.query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"))


# -- the documentation runs as written ----------------------------------------------------------


def _script_env(store: Path | None) -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    if store is not None:
        env["ESFGRAPH_STORE"] = str(store)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def test_the_guide_snippet_runs_as_written(tmp_path):
    """The three-line example of docs/guide/api.md (and the README): pages → a DataFrame."""
    pytest.importorskip("pandas")
    text = (ROOT / "docs" / "guide" / "api.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- snippet:start -->\s*```python\n(.*?)```", text, re.DOTALL).group(1)
    assert len(snippet.strip().splitlines()) == 3
    shutil.copytree(SEEDS, tmp_path / "seeds")
    out = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env=_script_env(None))
    assert out.returncode == 0, out.stderr
    assert re.search(r"SE23\s+Västsverige\s+2\s+2\s+1006922", out.stdout), out.stdout
    assert (tmp_path / ".esfgraph" / "store").is_dir()


def _code_cells_py(path: Path) -> list[str]:
    cells, current, kind = [], [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if kind == "code":
                cells.append("\n".join(current).strip())
            kind = "markdown" if "[markdown]" in line else "code"
            current = []
        elif kind is not None:
            current.append(line)
    if kind == "code":
        cells.append("\n".join(current).strip())
    return [c for c in cells if c]


def test_the_notebook_and_its_script_agree():
    py = ROOT / "docs" / "examples" / "youth_money.py"
    nb = json.loads(py.with_suffix(".ipynb").read_text(encoding="utf-8"))
    nb_code = ["".join(c["source"]).strip() for c in nb["cells"] if c["cell_type"] == "code"]
    assert nb_code == _code_cells_py(py)
    ast.parse(py.read_text(encoding="utf-8"))


def test_the_notebook_answers_the_readme_question(store, tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    script = ROOT / "docs" / "examples" / "youth_money.py"
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env=_script_env(store))
    assert out.returncode == 0, out.stderr
    assert "Youth projects in Västsverige: 2, ESF grant 1 006 922 SEK" in out.stdout
    assert "Ulricehamn" in out.stdout and "GB" in out.stdout
    chart = tmp_path / "youth_money.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- outside input (property tests) -------------------------------------------------------------



@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=400).map(lambda t: "Projekt\n" + t))
def test_read_of_any_text_gives_a_record_or_a_parse_error(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", esfgraph.ParseWarning)
        try:
            record = esfgraph.read(text)
        except esfgraph.ParseError as exc:
            assert str(exc).startswith("<text>: ")
        else:
            assert isinstance(record, esfgraph.Record)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["integer", "decimal", "double", "boolean", "date", "dateTime",
                        "string", "gYear"]), st.text(max_size=30))
def test_python_value_never_raises_on_ill_typed_literals(datatype, lexical):
    from esfgraph.library.results import python_value

    value = python_value({"type": "literal", "value": lexical,
                          "datatype": f"http://www.w3.org/2001/XMLSchema#{datatype}"})
    assert value is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.integers(), st.decimals(allow_nan=False,
                                                                   allow_infinity=False),
                 st.dates(), st.booleans()))
def test_any_parameter_value_binds_or_says_why(value):
    from esfgraph.library.graph import bind

    try:
        bound = bind({"x": value})
    except esfgraph.QueryError:
        return
    assert set(bound) == {"x"}



def test_read_takes_html_as_a_path_as_text_and_as_bytes(tmp_path):
    """`esfgraph.read` reads an HTML page as `esfgraph parse` does: path, str or bytes."""
    from tests.html_markups import to_html

    html = to_html(MOA.read_text(encoding="utf-8"), "dl")
    want = esfgraph.read(MOA)
    (tmp_path / "moa.html").write_text(html, encoding="utf-8")
    for got in (esfgraph.read(tmp_path / "moa.html"), esfgraph.read(html),
                esfgraph.read(html.encode("utf-8"))):
        assert got.title == want.title and got.esf_grant_sek == want.esf_grant_sek
        assert got.partners == want.partners and got.provenance == {"kind": "page-html"}
