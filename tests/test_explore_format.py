"""The explorer's one formatting module, its TopoJSON decoder and its chart/colour arithmetic."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esfgraph.explore.web import charts, topo
from esfgraph.web import format as fmt
from esfgraph.web import i18n

S = "\u00a0"  # the no-break space between digit groups and before units


@pytest.mark.parametrize("value, lang, expected", [
    ("11159401", "sv", f"11{S}159{S}401{S}kr"),
    (11159401, "en", f"11{S}159{S}401{S}SEK"),
    ("450000", "sv", f"450{S}000{S}kr"),
    ("999", "sv", f"999{S}kr"),
    ("0", "sv", f"0{S}kr"),
    ("1234567.50", "sv", f"1{S}234{S}567,5{S}kr"),
    ("-1000", "sv", f"-1{S}000{S}kr"),
    (None, "sv", ""), ("", "sv", ""), ("abc", "sv", ""), ("NaN", "sv", ""),
])
def test_money(value, lang, expected):
    assert fmt.money(value, lang) == expected


@pytest.mark.parametrize("rate, lang, expected", [
    ("0.5", "sv", f"50{S}%"), (0.5, "en", f"50{S}%"), ("0.425", "sv", f"42,5{S}%"),
    ("0.425", "en", f"42.5{S}%"), ("1", "sv", f"100{S}%"), ("0.3333", "sv", f"33,33{S}%"),
    (None, "sv", ""),
])
def test_percent(rate, lang, expected):
    assert fmt.percent(rate, lang) == expected


def test_number_keeps_exact_decimals_and_rounds_half_up_only_when_asked():
    assert fmt.number("23775692.10") == f"23{S}775{S}692,1"
    assert fmt.number("0.1") == "0,1"
    assert fmt.number("2.25", decimals=1) == "2,3"
    assert fmt.number("12345678901234567890") == f"12{S}345{S}678{S}901{S}234{S}567{S}890"


@pytest.mark.parametrize("value, lang, expected", [
    ("2019-03-01", "sv", f"1{S}mars 2019"), ("2019-03-01", "en", f"1{S}March 2019"),
    (dt.date(2022, 12, 24), "sv", f"24{S}december 2022"), ("2014-02-17", "sv", f"17{S}februari 2014"),
    ("not a date", "sv", "not a date"), (None, "sv", ""),
])
def test_date(value, lang, expected):
    assert fmt.date(value, lang) == expected


def test_date_range():
    assert fmt.date_range("2019-03-01", "2022-03-04") == f"1{S}mars 2019 – 4{S}mars 2022"
    assert fmt.date_range(None, "2022-03-04", "en") == f"4{S}March 2022"


def test_compact_money():
    assert fmt.compact_money("11159401") == f"11,2{S}mnkr"
    assert fmt.compact_money("11159401", "en") == f"11.2{S}M SEK"
    assert fmt.compact_money("450000") == f"450{S}tkr"
    assert fmt.compact_money("5000") == f"5{S}000{S}kr"


def test_pick_label_prefers_page_language_then_swedish_then_untagged():
    labels = [("Genomförande", "sv"), ("Implementation", "en")]
    assert fmt.pick_label(labels, "en") == "Implementation"
    assert fmt.pick_label(labels, "sv") == "Genomförande"
    assert fmt.pick_label([("Ale kommun", "sv")], "en") == "Ale kommun"
    assert fmt.pick_label([("JES", None)], "en") == "JES"
    assert fmt.pick_label([], "sv", fallback="x") == "x"


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_money_groups_digits_and_round_trips(n):
    text = fmt.money(n)
    digits = text.removesuffix(f"{S}kr").replace(S, "")
    assert int(digits) == n
    assert all(len(group) == 3 for group in text.removesuffix(f"{S}kr").lstrip("-").split(S)[1:])


def test_choose_lang():
    assert i18n.choose_lang("en", "sv", "sv") == "en"
    assert i18n.choose_lang(None, "en", "sv") == "en"
    assert i18n.choose_lang("xx", None, "en-GB,en;q=0.9,sv;q=0.8") == "en"
    assert i18n.choose_lang(None, None, "de, sv;q=0.5, en;q=0.4") == "sv"
    assert i18n.choose_lang(None, None, "fr") == "sv"
    assert i18n.choose_lang(None, None, "en;q=bad") == "sv"
    assert i18n.choose_lang(None, None, None) == "sv"


# --------------------------------------------------------------------------- TopoJSON


def test_decode_arcs_undoes_delta_encoding_and_quantization():
    doc = {"type": "Topology", "transform": {"scale": [0.5, 2], "translate": [10, 50]},
           "arcs": [[[0, 0], [2, 1], [1, -1]], [[4, 0], [0, 3]]]}
    assert topo.decode_arcs(doc) == [[(10.0, 50.0), (11.0, 52.0), (11.5, 50.0)],
                                     [(12.0, 50.0), (12.0, 56.0)]]
    with pytest.raises(ValueError, match="Topology"):
        topo.decode_arcs({"type": "FeatureCollection"})


def test_ring_points_reverses_negative_arcs_and_drops_shared_points():
    arcs = [[(0, 0), (1, 0)], [(1, 0), (1, 1)], [(0, 0), (1, 1)]]
    assert topo.ring_points([0, 1, ~2], arcs) == [(0, 0), (1, 0), (1, 1), (0, 0)]


def test_projection_is_centred_on_15_east():
    x, y = topo.project(15.0, 62.0)
    assert x == pytest.approx(0.0)
    assert y == pytest.approx(0.0 + 62.0 * 3.141592653589793 / 180)
    assert topo.project(20, 62)[0] > 0 > topo.project(11, 62)[0]


def test_shipped_boundaries_decode_to_290_municipalities_21_counties_8_regions():
    doc = topo.load_topology()
    assert len(doc["objects"]["municipalities"]["geometries"]) == 290
    for level, count in (("municipality", 290), ("county", 21), ("region", 8)):
        layer = topo.layer(level)
        assert len(layer.areas) == count
        assert all(a.path.startswith("M") and a.path.endswith("z") for a in layer.areas)
        assert 1000 < layer.height < 1400 and layer.width == 500
    codes = {a.code for a in topo.layer("municipality").areas}
    assert {"0114", "2580", "1440", "0180"} <= codes
    assert {a.code for a in topo.layer("region").areas} == {
        "SE11", "SE12", "SE21", "SE22", "SE23", "SE31", "SE32", "SE33"}
    # every decoded point lies inside the file's bounding box
    lon0, lat0, lon1, lat1 = doc["bbox"]
    for arc in topo.decode_arcs(doc):
        for lon, lat in arc:
            assert lon0 - 1e-6 <= lon <= lon1 + 1e-6 and lat0 - 1e-6 <= lat <= lat1 + 1e-6


def test_kiruna_is_north_of_malmo_on_the_drawn_map():
    def first_point(code):
        area = next(a for a in topo.layer("municipality").areas if a.code == code)
        x, y = area.path[1:].split("l")[0].split()
        return int(x), int(y)

    assert first_point("2584")[1] < first_point("1280")[1]  # smaller y = further north


def test_geo_source_file_names_the_licence():
    from esfgraph.resources import package_path

    text = package_path("explore", "web", "geo", "SOURCE.md").read_text("utf-8")
    assert "Who's On First" in text and "CC0" in text and "LSIB" in text
    json.loads(package_path("explore", "web", "geo",
                            "sweden-municipalities.topojson").read_text("utf-8"))


# --------------------------------------------------------------------------- charts


def test_breaks_and_colour_classes():
    values = [0, 1, 2, 3, 4, 5, 6, 100]
    bounds = charts.breaks(values)
    assert bounds == sorted(bounds) and bounds[-1] == 100
    assert charts.colour_class(0, bounds) == 0
    assert charts.colour_class(100, bounds) == charts.CLASSES
    assert 1 <= charts.colour_class(1, bounds) < charts.colour_class(100, bounds)
    assert charts.breaks([0, 0]) == []
    legend = charts.legend(bounds, "projects", "sv")
    assert legend[0]["cls"] == 0 and legend[-1]["cls"] == charts.CLASSES


def test_bars_scale_to_the_largest_value():
    chart = charts.bars([{"label": "a", "v": "10"}, {"label": "b", "v": "5"},
                         {"label": "c", "v": None}], "v", "sv", money=False)
    widths = [r["width"] for r in chart["rows"]]
    assert widths[0] == charts.BAR_WIDTH and widths[1] == charts.BAR_WIDTH / 2 and widths[2] == 0
    assert [r["text"] for r in chart["rows"]] == ["10", "5", "0"]
    assert chart["rows"][0]["value"] == Decimal(10)


# --------------------------------------------------------------------------- one language per page


@pytest.mark.parametrize("value, expected", [
    ("8024815566", "802481-5566"), ("802481-5566", "802481-5566"), ("198024815566", "802481-5566"),
    ("16 8024815566", "802481-5566"), ("212000-1355", "212000-1355"),
    ("12345", "12345"), ("", ""), (None, ""), ("abcdefghij", "abcdefghij"),
])
def test_org_number_is_written_with_its_hyphen(value, expected):
    assert fmt.org_number(value) == expected


@given(st.text(max_size=30))
def test_org_number_never_invents_digits(text):
    out = fmt.org_number(text)
    digits = "".join(c for c in text if c.isdigit())
    assert out == text.strip() or out.replace("-", "") in (digits, digits[2:])


@pytest.mark.parametrize("value, lang, expected", [
    ("2026-12-05T01:39:51Z", "sv", f"5{S}dec. 2026"), ("2026-12-05", "en", f"5{S}Dec 2026"),
    ("2019-05-01", "sv", f"1{S}maj 2019"), ("2019-06-30", "en", f"30{S}June 2019"),
    ("2019-03-01", "sv", f"1{S}mars 2019"), ("soon", "sv", "soon"), ("", "sv", ""),
])
def test_short_date(value, lang, expected):
    assert fmt.short_date(value, lang) == expected


@pytest.mark.parametrize("key, sv", [
    ("BE", "Belgien"), ("DK", "Danmark"), ("DE", "Tyskland"), ("SE", "Sverige"),
    ("BE-brussels", "Bryssel"), ("DK-copenhagen", "Köpenhamn"), ("FI-helsinki", "Helsingfors"),
    ("BE-antwerp", "Antwerpen"), ("IT-rome", "Rom"),
])
def test_places_abroad_have_their_swedish_names_on_swedish_pages(key, sv):
    iri = f"https://w3id.org/esfgraph/id/place/{key}"
    assert fmt.exonym(iri, "sv") == sv
    assert fmt.exonym(iri, "en") is None
    assert fmt.pick_label([("Belgium", "en")] + fmt.place_labels(iri, "sv"), "sv") == sv


def test_a_swedish_label_in_the_graph_wins_over_the_table():
    iri = "https://w3id.org/esfgraph/id/place/SE"
    labels = [("Konungariket Sverige", "sv"), ("Sweden", "en")] + fmt.place_labels(iri, "sv")
    assert fmt.pick_label_tagged(labels, "sv") == ("Konungariket Sverige", "sv")
    assert fmt.exonym("https://w3id.org/esfgraph/id/municipality/1440", "sv") is None


@pytest.mark.parametrize("url, text", [
    ("http://www.wikidata.org/entity/Q34", "Wikidata Q34"),
    ("http://data.europa.eu/nuts/code/SE232", "NUTS SE232"),
    ("https://sws.geonames.org/2800866/", "GeoNames 2800866"),
    ("http://publications.europa.eu/resource/authority/country/SWE",
     "EU Publications Office SWE"),
    ("https://www.flen.se/kommun/x", "flen.se"),
])
def test_links_out_are_named_not_shown_raw(url, text):
    assert fmt.link_text(url) == text


@pytest.mark.parametrize("key, label, lang, kind, expected", [
    ("https://w3id.org/esfgraph/concept/programme-area/2014-2020/1", "Ökat arbetskraftsutbud",
     "sv", "", "Ökat arbetskraftsutbud (2014–2020)"),
    ("2021-2027/A", "2021-2027/A", "sv", "programme_area", "Programområde A (2021–2027)"),
    ("2021-2027/A", None, "en", "programme_area", "Programme area A (2021–2027)"),
    ("2014-2020/2.1", "2014-2020/2.1", "sv", "specific_objective",
     "Specifikt mål 2.1 (2014–2020)"),
    ("https://w3id.org/esfgraph/concept/specific-objective/2014-2020/2.1", "", "en", "",
     "Specific objective 2.1 (2014–2020)"),
    ("https://w3id.org/esfgraph/concept/programme-area/2007-2013/1",
     "Kompetensutveckling (2007–2013)", "sv", "", "Kompetensutveckling (2007–2013)"),
])
def test_programme_areas_are_told_apart_by_period(key, label, lang, kind, expected):
    assert fmt.concept_label(key, label, lang, kind) == expected


def test_long_chart_labels_go_above_their_bars_and_are_never_cut():
    short = charts.bars([{"label": "Övre Norrland", "v": "10"}], "v", "sv")
    assert short["rows"][0]["anchor"] == "end" and short["label_width"] >= charts.LABEL_WIDTH
    long = "Ökat arbetskraftsutbud och förbättrad kompetens (2014–2020)"
    chart = charts.bars([{"label": long, "v": "10"}, {"label": "Programområde A (2021–2027)",
                                                     "v": "5"}], "v", "sv")
    first = chart["rows"][0]
    assert first["anchor"] == "start" and first["label_y"] < first["bar_y"]
    assert first["short"].endswith("…") and len(first["short"]) == charts.MAX_LABEL_CHARS
    # the widest label fits the drawing, with the estimated character width
    assert max(len(r["short"]) for r in chart["rows"]) * charts.CHAR_WIDTH <= chart["width"]
    assert chart["rows"][1]["y"] - first["y"] == charts.STACK_HEIGHT
