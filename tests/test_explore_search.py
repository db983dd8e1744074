"""The explorer search: parameters, facets and their counts, sums (equal to SPARQL on the
store), sorting, paging, snippets, the map aggregate and related projects."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esfgraph.explore.search import (
    FACETS,
    BadSearch,
    SearchParams,
    open_index,
    query_words,
    snippet,
)
from esfgraph.store import Store
from tests.explore_store import build_explore_store, project, version_of

ESF = "https://w3id.org/esfgraph/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_explore_store(tmp_path_factory.mktemp("search") / "store")


@pytest.fixture(scope="module")
def index(store: Path):
    found = open_index(version_of(store))
    assert found is not None
    return found


def sparql_totals(store: Path, where: str) -> tuple[int, int, int]:
    """(projects, summed ESF grant, summed total budget) by a SPARQL aggregate on the store."""
    query = f"""PREFIX esf: <https://w3id.org/esfgraph/ontology#>
    PREFIX schema: <https://schema.org/>
    SELECT (COUNT(?p) AS ?n) (SUM(COALESCE(?g, 0)) AS ?grant) (SUM(COALESCE(?b, 0)) AS ?budget)
    WHERE {{ {{ SELECT DISTINCT ?p WHERE {{ ?p a esf:Project . {where} }} }}
             OPTIONAL {{ ?p esf:esfGrantSEK ?g }} OPTIONAL {{ ?p esf:totalBudgetSEK ?b }} }}"""
    row = next(iter(Store(store).query(query)))
    return (int(row["n"].value), int(Decimal(row["grant"].value)),
            int(Decimal(row["budget"].value)))


# ------------------------------------------------------------------------------ parameters


def test_from_query_reads_repeated_facets_and_numbers():
    p = SearchParams.from_query([("q", " unga "), ("period", "2014-2020"),
                                 ("period", "2021-2027"), ("region", "SE33"),
                                 ("start_from", "2015"), ("grant_min", "1 000 000"),
                                 ("sort", "grant"), ("page", "2"), ("per_page", "50"),
                                 ("lang", "en")])
    assert p.q == "unga" and p.period == ("2014-2020", "2021-2027") and p.region == ("SE33",)
    assert (p.start_from, p.grant_min, p.sort, p.order, p.page, p.per_page) == (
        2015, 1_000_000, "grant", "desc", 2, 50)
    assert p.extra == {"lang": "en"}


@pytest.mark.parametrize("pairs,word", [
    ([("page", "-1")], "page"), ([("page", "0")], "page"), ([("page", "10000000")], "page"),
    ([("per_page", "100000")], "per_page"), ([("per_page", "-5")], "per_page"),
    ([("page", "abc")], "page"), ([("start_from", "20x")], "start_from"),
    ([("start_to", "99999")], "start_to"), ([("grant_min", "-1")], "grant_min"),
    ([("sort", "price")], "sort"), ([("order", "up")], "order"),
    ([("owner_type", "church")], "owner_type"), ([("abroad", "maybe")], "abroad"),
    ([("q", "x" * 10_000)], "q"), ([("q", " ".join(["ord"] * 40))], "q"),
    ([("municipality", str(i)) for i in range(400)], "municipality"),
])
def test_bad_values_raise_bad_search_naming_the_parameter(pairs, word):
    with pytest.raises(BadSearch) as err:
        SearchParams.from_query(pairs)
    assert str(err.value).startswith(word)


def test_to_query_round_trips_and_leaves_defaults_out():
    p = SearchParams.from_query([("q", "unga"), ("county", "25"), ("county", "14"),
                                 ("abroad", "true"), ("sort", "title"), ("page", "3")])
    assert SearchParams.from_query(p.to_query()) == p
    assert SearchParams().to_query() == []
    assert p.with_(page=1).to_query() == [("q", "unga"), ("county", "25"), ("county", "14"),
                                          ("abroad", "true"), ("sort", "title")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["q", "period", "region", "county", "owner",
                                           "abroad", "sort", "order", "page", "per_page",
                                           "grant_min", "start_from", "x"]),
                          st.text(max_size=30)), max_size=8))
def test_any_query_string_parses_or_is_a_bad_search(pairs):
    try:
        p = SearchParams.from_query(pairs)
    except BadSearch:
        return
    assert SearchParams.from_query(p.to_query()) == p


def test_query_words_fold_case_and_drop_stop_words():
    assert query_words("Projekt FÖR Unga och Nyanlända") == ["projekt", "unga", "nyanlända"]
    assert query_words("och") == ["och"]  # only stop words: keep them
    assert query_words('"NEAR" * -(x)') == ["near", "x"]


# ------------------------------------------------------------------------------ results


def test_all_projects_and_their_sums_equal_sparql(store, index):
    result = index.search(SearchParams())
    assert (result["total"], result["esfGrantSEK"], result["totalBudgetSEK"]) == \
        sparql_totals(store, "")
    assert result["total"] == 15


@pytest.mark.parametrize("pairs,where", [
    ([("period", "2014-2020")],
     f"?p esf:programmingPeriod <{ESF}concept/period/2014-2020> ."),
    ([("period", "2007-2013"), ("period", "2021-2027")],
     (f"VALUES ?per {{ <{ESF}concept/period/2007-2013> <{ESF}concept/period/2021-2027> }} "
      "?p esf:programmingPeriod ?per .")),
    ([("region", "SE33")], f"?p esf:region <{ESF}id/region/SE33> ."),
    ([("region", "SE33"), ("period", "2014-2020")],
     (f"?p esf:region <{ESF}id/region/SE33> ; "
      f"esf:programmingPeriod <{ESF}concept/period/2014-2020> .")),
    ([("county", "14")], f"?p esf:municipality/esf:county <{ESF}id/county/14> ."),
    ([("abroad", "true")], "FILTER EXISTS { ?p esf:transnationalContact ?c }"),
    ([("abroad", "false")], "FILTER NOT EXISTS { ?p esf:transnationalContact ?c }"),
    ([("start_from", "2016"), ("start_to", "2019")],
     "?p schema:startDate ?d FILTER(YEAR(?d) >= 2016 && YEAR(?d) <= 2019)"),
    ([("grant_min", "1000000")], "?p esf:esfGrantSEK ?gm FILTER(?gm >= 1000000)"),
    ([("phase", "forprojektering")], f"?p esf:phase <{ESF}concept/phase/forprojektering> ."),
    ([("programme_area", "2007-2013/2")],
     f"?p esf:programmeArea <{ESF}concept/programme-area/2007-2013/2> ."),
])
def test_facet_selections_count_and_sum_as_sparql(store, index, pairs, where):
    result = index.search(SearchParams.from_query(pairs))
    assert (result["total"], result["esfGrantSEK"], result["totalBudgetSEK"]) == \
        sparql_totals(store, where)
    assert result["total"] > 0
    # the equivalent SPARQL shown to the user lists the same projects
    listed = {row["project"].value for row in Store(store).query(result["sparql"])}
    assert listed == {i["iri"] for i in index.search(
        SearchParams.from_query(pairs).with_(per_page=500))["items"]}


def test_a_facets_counts_ignore_its_own_selection(index):
    everything = index.search(SearchParams())
    chosen = index.search(SearchParams(period=("2014-2020",)))
    counts = lambda r, f: {v["value"]: v["count"] for v in r["facets"][f]}
    assert counts(chosen, "period") == counts(everything, "period")
    assert {v["value"] for v in chosen["facets"]["period"] if v["selected"]} == {"2014-2020"}
    # other facets count within the selection
    assert sum(counts(chosen, "abroad").values()) == chosen["total"] == 6
    assert sum(counts(everything, "abroad").values()) == 15


def test_facet_values_have_labels_in_both_languages(index):
    sv = index.search(SearchParams(), lang="sv")["facets"]
    en = index.search(SearchParams(), lang="en")["facets"]
    assert set(sv) == set(FACETS)
    label = lambda f, facet, v: next(x["label"] for x in f[facet] if x["value"] == v)
    assert label(sv, "phase", "genomforande") == "Genomförande"
    assert label(en, "phase", "genomforande") == "Implementation"
    assert label(sv, "region", "SE33") == "Övre Norrland"
    assert label(sv, "municipality", "1440") == "Ale kommun"
    assert label(sv, "owner_type", "association") == "Förening"
    assert label(en, "owner_type", "company") == "Company"


def test_owner_types_come_from_the_owners(index):
    types = {v["value"]: v["count"] for v in index.search(SearchParams())["facets"]["owner_type"]}
    assert types == {"municipality": 12, "region": 1, "association": 1, "company": 1}
    found = index.search(SearchParams(owner_type=("association",)))
    assert [i["title"] for i in found["items"]] == ["Socialt företagande i Stockholm"]


def test_unknown_facet_values_give_an_empty_result_and_keep_the_value(index):
    result = index.search(SearchParams(municipality=("9999",), owner=("<script>",)))
    assert result["total"] == 0 and result["items"] == []
    assert {"value": "9999", "label": "9999", "count": 0, "selected": True} in \
        result["facets"]["municipality"]


def test_items_carry_the_documented_keys(index):
    item = index.search(SearchParams(q="motivera"))["items"][0]
    assert set(item) == {"iri", "title", "projectNumber", "caseNumber", "period", "phase",
                         "phaseLabel", "owner", "ownerLabel", "ownerOrgNumber", "esfGrantSEK",
                         "totalBudgetSEK", "startDate", "endDate", "region", "regionLabel",
                         "countries", "countryLabels", "snippet"}
    assert item["iri"] == project("2018-00460")
    assert (item["projectNumber"], item["esfGrantSEK"], item["totalBudgetSEK"]) == (
        "2018/00460", 11159401, 23775692)
    assert (item["startDate"], item["endDate"], item["region"], item["regionLabel"]) == (
        "2019-03-01", "2022-03-04", "SE33", "Övre Norrland")


@pytest.mark.parametrize("sort,order", [("grant", "desc"), ("grant", "asc"),
                                        ("start", "desc"), ("start", "asc"),
                                        ("title", "asc"), ("title", "desc")])
def test_sorting(index, sort, order):
    items = index.search(SearchParams(sort=sort, order=order, per_page=500))["items"]
    assert len(items) == 15
    if sort == "grant":
        values = [i["esfGrantSEK"] for i in items if i["esfGrantSEK"] is not None]
        assert values == sorted(values, reverse=order == "desc")
        assert all(i["esfGrantSEK"] is None for i in items[len(values):])  # missing last
    elif sort == "start":
        values = [i["startDate"] for i in items]
        assert values == sorted(values, reverse=order == "desc")
    else:
        titles = [i["title"] for i in items]
        assert titles[0 if order == "asc" else -1] == "Digital kompetens för äldre arbetstagare"
        # Swedish order: Å, Ä, Ö after Z
        assert titles.index("Våga Välja Väg (VVV)") < titles.index("Vägar till vården") \
            if order == "asc" else titles.index("Våga Välja Väg (VVV)") > titles.index(
                "Vägar till vården")


def test_paging_splits_the_result_without_overlap(index):
    seen: list[str] = []
    for page in range(1, 5):
        result = index.search(SearchParams(sort="title", page=page, per_page=4))
        assert result["total"] == 15 and result["page"] == page and result["perPage"] == 4
        seen += [i["iri"] for i in result["items"]]
    assert len(seen) == len(set(seen)) == 15
    far = index.search(SearchParams(page=99, per_page=10))
    assert far["items"] == [] and far["total"] == 15


def test_snippets_mark_the_matched_words_and_escape_html(index):
    item = index.search(SearchParams(q="ungdomar"))["items"][0]
    assert "<mark>" in item["snippet"]
    marked = re.findall(r"<mark>(.*?)</mark>", item["snippet"])
    assert all(m.lower().startswith("ungdom") for m in marked)
    pattern = re.compile(r"ungdom\w*", re.IGNORECASE)
    out = snippet("Vi <b>stöttar</b> ungdomar & unga <script>x</script>", pattern)
    assert out == ("Vi &lt;b&gt;stöttar&lt;/b&gt; <mark>ungdomar</mark> &amp; unga "
                   "&lt;script&gt;x&lt;/script&gt;")


@pytest.mark.parametrize("q", ['"', "*", "NEAR", "-", "(", ")", 'ungdom" OR "', "a AND -b",
                               "<script>alert(1)</script>", "NEAR(ungdomar kvinnor, 2)",
                               "^unga", "title:unga", "{title}:unga", "''", "\x00", "🙂"])
def test_fts_syntax_and_html_in_the_text_are_plain_words(index, q):
    result = index.search(SearchParams(q=q))
    assert result["total"] >= 0
    for item in result["items"]:
        assert "<script" not in item["snippet"]


def test_near_is_a_word_not_an_operator(index):
    assert index.search(SearchParams(q="NEAR(ungdomar kvinnor, 2)"))["total"] == 0
    assert index.search(SearchParams(q="ungdomar -kvinnor"))["total"] == \
        index.search(SearchParams(q="ungdomar kvinnor"))["total"]


# ------------------------------------------------------------------------------ map, related


def test_map_by_region_equals_sparql_sums(store, index):
    result = index.map_aggregate("region", "grant", SearchParams())
    query = """PREFIX esf: <https://w3id.org/esfgraph/ontology#>
    SELECT ?r (COUNT(DISTINCT ?p) AS ?n) (SUM(COALESCE(?g, 0)) AS ?grant) WHERE {
      ?p a esf:Project ; esf:region ?r . OPTIONAL { ?p esf:esfGrantSEK ?g } } GROUP BY ?r"""
    expected = {row["r"].value.rsplit("/", 1)[1]: (int(row["n"].value),
                                                   int(Decimal(row["grant"].value)))
                for row in Store(store).query(query)}
    got = {code: (v["projects"], v["esfGrantSEK"]) for code, v in result["values"].items()}
    assert got == expected
    assert result["max"] == max(v["value"] for v in result["values"].values())
    assert result["values"]["SE33"]["label"] == "Övre Norrland"
    assert all(v["value"] == v["esfGrantSEK"] for v in result["values"].values())


def test_map_follows_the_filters_and_counts_projects(index):
    result = index.map_aggregate("municipality", "projects",
                                 SearchParams(period=("2007-2013",)))
    assert result["values"] == {
        code: {"label": label, "projects": 1, "projectsWithGrant": 1, "esfGrantSEK": grant,
               "value": 1}
        for code, label, grant in [("1440", "Ale kommun", 450000),
                                   ("1491", "Ulricehamns kommun", 556922),
                                   ("0482", "Flens kommun", 620800),
                                   ("0586", "Mjölby kommun", 221114)]}
    by_county = index.map_aggregate("county", "projects", SearchParams())
    assert by_county["values"]["14"]["projects"] == 2 and by_county["max"] == 2


@pytest.mark.parametrize("level,metric", [("kommun", "grant"), ("region", "money")])
def test_map_refuses_unknown_levels_and_metrics(index, level, metric):
    with pytest.raises(BadSearch):
        index.map_aggregate(level, metric, SearchParams())


def test_related_projects(index):
    related = index.related(project("2016-00127"), limit=5)
    assert related and len(related) <= 5
    assert all(r["iri"] != project("2016-00127") for r in related)
    assert {r["reason"] for r in related} <= {"owner", "municipality", "text"}
    assert index.related("https://example.org/nothing") == []
    ale = index.related(project("ung-och-aktiv-genomforande-2014-02-17"), limit=3)
    assert all(set(r) >= {"iri", "title", "reason"} for r in ale)
