"""The shipped reference tables: complete, consistent, and right where we can check them."""

from __future__ import annotations

import pycountry
import pytest

from esfgraph.link import Gazetteer, default_gazetteer
from esfgraph.link.names import fold
from esfgraph.record import CANONICAL_REGIONS


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def test_290_municipalities_with_unique_codes_and_names(gaz: Gazetteer) -> None:
    munis = list(gaz.municipalities.values())
    assert len(munis) == 290
    assert len({m.code for m in munis}) == 290
    assert len({m.name for m in munis}) == 290
    assert len({m.org_name for m in munis}) == 290
    for m in munis:
        assert len(m.code) == 4 and m.code.isdigit(), m
        assert m.code[:2] == m.county_code, m
        assert m.county_code in gaz.counties, m
        assert m.nuts2 == gaz.counties[m.county_code].nuts2


def test_every_county_has_a_municipality(gaz: Gazetteer) -> None:
    used = {m.county_code for m in gaz.municipalities.values()}
    assert used == set(gaz.counties)


@pytest.mark.parametrize("code,name,county", [
    ("0180", "Stockholm", "01"), ("1480", "Göteborg", "14"), ("1280", "Malmö", "12"),
    ("0380", "Uppsala", "03"), ("1440", "Ale", "14"), ("1491", "Ulricehamn", "14"),
    ("0586", "Mjölby", "05"), ("0482", "Flen", "04"), ("2581", "Piteå", "25"),
    ("0560", "Boxholm", "05"), ("0509", "Ödeshög", "05"), ("2584", "Kiruna", "25"),
])
def test_spot_checks(gaz: Gazetteer, code: str, name: str, county: str) -> None:
    m = gaz.municipality_by_code(code)
    assert m is not None and (m.name, m.county_code) == (name, county)


def test_municipality_counts_per_county(gaz: Gazetteer) -> None:
    counts: dict[str, int] = {}
    for m in gaz.municipalities.values():
        counts[m.county_code] = counts.get(m.county_code, 0) + 1
    assert counts == {"01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1,
                      "10": 5, "12": 33, "13": 6, "14": 49, "17": 16, "18": 12, "19": 10,
                      "20": 15, "21": 10, "22": 7, "23": 8, "24": 15, "25": 14}


def test_21_counties_match_iso_3166_2_in_pycountry(gaz: Gazetteer) -> None:
    assert len(gaz.counties) == 21
    for c in gaz.counties.values():
        sub = pycountry.subdivisions.get(code=c.iso)
        assert sub is not None, c
        # pycountry writes "Stockholms län [SE-01]"
        assert sub.name == f"{c.name} [SE-{c.code}]", (sub.name, c)
        assert c.nuts3.startswith(c.nuts2) and len(c.nuts3) == 5


def test_nuts_codes(gaz: Gazetteer) -> None:
    nuts3 = {c.code: c.nuts3 for c in gaz.counties.values()}
    assert nuts3 == {"01": "SE110", "03": "SE121", "04": "SE122", "05": "SE123", "18": "SE124",
                     "19": "SE125", "06": "SE211", "07": "SE212", "08": "SE213", "09": "SE214",
                     "10": "SE221", "12": "SE224", "13": "SE231", "14": "SE232", "17": "SE311",
                     "20": "SE312", "21": "SE313", "22": "SE321", "23": "SE322", "24": "SE331",
                     "25": "SE332"}


def test_regions_cover_the_canonical_names_and_partition_the_counties(gaz: Gazetteer) -> None:
    assert set(gaz.regions) == set(CANONICAL_REGIONS)
    assert gaz.region("Nationellt").nuts2 is None
    nuts2 = {r.name: r.nuts2 for r in gaz.regions.values()}
    assert nuts2["Västsverige"] == "SE23" and nuts2["Övre Norrland"] == "SE33"
    assert nuts2["Småland och öarna"] == "SE21" and nuts2["Östra Mellansverige"] == "SE12"
    listed = [cc for r in gaz.regions.values() for cc in r.county_codes]
    assert sorted(listed) == sorted(gaz.counties)
    for r in gaz.regions.values():
        for cc in r.county_codes:
            assert gaz.counties[cc].nuts2 == r.nuts2


def test_wikidata_ids_when_present_are_well_formed(gaz: Gazetteer) -> None:
    import re
    for m in gaz.municipalities.values():
        assert m.wikidata is None or re.fullmatch(r"Q[1-9]\d*", m.wikidata)


def test_municipality_lookup_spellings(gaz: Gazetteer) -> None:
    assert gaz.municipality("Ale").code == "1440"
    assert gaz.municipality("Ale kommun").code == "1440"
    assert gaz.municipality("ulricehamns  KOMMUN").code == "1491"
    assert gaz.municipality("Göteborgs Stad").code == "1480"
    assert gaz.municipality("Falu kommun").code == "2080"
    assert gaz.municipality("Region Gotland").code == "0980"
    assert gaz.municipality("Upplands-Väsby").code == "0114"
    assert gaz.municipality("Mjolby").code == "0586"  # ASCII spelling, unambiguous
    assert gaz.municipality("Habo") is not None and gaz.municipality("Habo").code == "0643"
    assert gaz.municipality("Håbo").code == "0305"
    assert gaz.municipality("Atlantis") is None
    assert gaz.municipality("") is None
    assert gaz.county("14").name == "Västra Götalands län"
    assert gaz.county("99") is None


def test_email_domains(gaz: Gazetteer) -> None:
    assert gaz.municipality_by_email("jerry.brattasen@ale.se").code == "1440"
    assert gaz.municipality_by_email("johanna.forssell@mjolby.se").code == "0586"
    assert gaz.municipality_by_email("ulrika.geeraedts@ulricehamn.se").code == "1491"
    assert gaz.municipality_by_email("per.noren@flen.se").code == "0482"
    assert gaz.municipality_by_email("ylva.lindstrom@pitea.se").code == "2581"
    assert gaz.municipality_by_email("x@socialtjansten.goteborg.se").code == "1480"
    assert gaz.municipality_by_email("a@upplandsvasby.se").code == "0114"
    assert gaz.municipality_by_email("a@gmail.com") is None
    assert gaz.municipality_by_email("a@habo.se") is None  # Håbo and Habo both fold to habo
    assert gaz.municipality_by_email("not an email") is None


def test_municipality_by_place(gaz: Gazetteer) -> None:
    assert gaz.municipality_by_place("Piteå", "94185").code == "2581"
    assert gaz.municipality_by_place("PITEÅ", None).code == "2581"
    assert gaz.municipality_by_place("Visby", None).code == "0980"
    assert gaz.municipality_by_place(None, "94185") is None  # no postcode table shipped
    assert gaz.municipality_by_place("Nödinge", None) is None  # not a seat name we ship
    assert gaz.municipality_by_place("Ale kommun", None) is None  # a body, not a town


def test_gazetteer_pickles(gaz: Gazetteer) -> None:
    import pickle
    copy = pickle.loads(pickle.dumps(gaz))
    assert copy.municipality("Ale").code == "1440"


def test_fold_keeps_swedish_letters() -> None:
    assert fold("Håbo") != fold("Habo")


@pytest.mark.parametrize("name", ["municipalities.csv", "counties.csv", "regions.yaml",
                                  "country_aliases.yaml", "organisations.yaml"])
def test_every_table_states_its_source(name: str) -> None:
    from esfgraph.resources import data_path
    head = data_path(name).read_text(encoding="utf-8").split("\n")[:8]
    assert all(line.startswith("#") for line in head[:3])
    assert any("SOURCE:" in line for line in head), name
