"""Organisation linking rules: municipalities, units and their evidence, national and regional bodies."""

from __future__ import annotations

import pytest

from esfgraph.link import Gazetteer, OrgRef, default_gazetteer, org_key
from esfgraph.link.names import strip_definite
from esfgraph.record import Record


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def rec(**kw: object) -> Record:
    return Record(source="test.txt", layout="2007-2013", **kw)  # type: ignore[arg-type]


def assert_municipality(ref: OrgRef, key: str, code: str) -> None:
    assert (ref.kind, ref.key, ref.municipality_code, ref.parent) == ("municipality", key, code, None)


@pytest.mark.parametrize("name,key,code", [
    ("Ale kommun", "ale-kommun", "1440"),
    ("Ulricehamns kommun", "ulricehamns-kommun", "1491"),
    ("Ulricehamn", "ulricehamns-kommun", "1491"),
    ("ULRICEHAMNS  kommun", "ulricehamns-kommun", "1491"),
    ("Mjölby kommun", "mjolby-kommun", "0586"),
    ("Göteborgs Stad", "goteborgs-kommun", "1480"),
    ("Malmö stad", "malmo-kommun", "1280"),
    ("Region Gotland", "region-gotland", "0980"),
    ("Flens kommun, Flens kommun", "flens-kommun", "0482"),
])
def test_municipality_names_resolve_to_the_municipal_body(gaz: Gazetteer, name: str, key: str,
                                                         code: str) -> None:
    ref = gaz.resolve_org(name, rec())
    assert_municipality(ref, key, code)
    assert ref.resolved


def test_bare_municipality_under_cofinanciers(gaz: Gazetteer) -> None:
    r = rec(owner="Ulricehamns kommun, Vård och omsorgsförvaltningen", cofinanciers=["Ulricehamn"])
    ref = gaz.resolve_org(r.cofinanciers[0], r)
    assert_municipality(ref, "ulricehamns-kommun", "1491")
    assert ref.label == "Ulricehamns kommun"


def test_body_comma_unit(gaz: Gazetteer) -> None:
    ref = gaz.resolve_org("Ulricehamns kommun, Vård och omsorgsförvaltningen", rec())
    assert ref.kind == "unit" and ref.label == "Vård och omsorgsförvaltningen"
    assert ref.key == "vard-och-omsorgsforvaltning"
    assert ref.parent is not None
    assert_municipality(ref.parent, "ulricehamns-kommun", "1491")
    assert ref.municipality_code == "1491"


@pytest.mark.parametrize("name,unit,parent_key", [
    ("Flens kommun, AU-Centrum", "AU-Centrum", "flens-kommun"),
    ("Piteå kommun, Samhällsbyggnad Kompetensförsörjning", "Samhällsbyggnad Kompetensförsörjning",
     "pitea-kommun"),
    ("Ale kommun Arbetsmarknadsenheten", "Arbetsmarknadsenheten", "ale-kommun"),
    ("Region Skåne, Regionala utvecklingsnämnden", "Regionala utvecklingsnämnden", "region-skane"),
])
def test_units_with_an_explicit_parent(gaz: Gazetteer, name: str, unit: str, parent_key: str) -> None:
    ref = gaz.resolve_org(name, rec())
    assert (ref.kind, ref.label, ref.parent.key) == ("unit", unit, parent_key)


def test_a_list_of_bodies_in_one_bullet_is_not_a_unit(gaz: Gazetteer) -> None:
    ref = gaz.resolve_org("Arbetsförmedlingen, Försäkringskassan", rec())
    assert ref.kind == "organisation" and ref.parent is None


# bare units and their evidence ------------------------------------------------------------
def test_bare_unit_owner_with_municipality_list_and_email(gaz: Gazetteer) -> None:
    r = rec(owner="Arbetsmarknadsenheten (AME)", contact_email="jerry.brattasen@ale.se",
            municipalities=["Ale"])
    ref = gaz.resolve_org(r.owner, r)
    assert ref.kind == "unit" and ref.label == "Arbetsmarknadsenheten (AME)"
    assert ref.key == "arbetsmarknadsenhet" and ref.alt_labels == ("AME",)
    assert_municipality(ref.parent, "ale-kommun", "1440")


@pytest.mark.parametrize("evidence", [
    {"municipalities": ["Mjölby"]},
    {"contact_email": "johanna.forssell@mjolby.se"},
    {"owner": "Mjölby kommun"},
    {"owner": "Mjölby kommun, Socialförvaltningen"},
    {"beneficiary_city": "Mjölby", "beneficiary_postcode": "59580"},
])
def test_each_kind_of_evidence_alone(gaz: Gazetteer, evidence: dict) -> None:
    ref = gaz.resolve_org("Omsorgs- och socialförvaltningen", rec(**evidence))
    assert ref.kind == "unit" and ref.parent is not None
    assert ref.parent.municipality_code == "0586"


def test_bare_unit_partner_uses_owner_evidence(gaz: Gazetteer) -> None:
    r = rec(owner="Flens kommun, AU-Centrum", partners=["Kultur och Fritidsförvaltning"])
    ref = gaz.resolve_org("Kultur och Fritidsförvaltning", r)
    assert ref.kind == "unit" and ref.parent.key == "flens-kommun"


def test_bare_unit_without_evidence_has_no_parent(gaz: Gazetteer) -> None:
    ref = gaz.resolve_org("Kultur och Fritidsförvaltning", rec())
    assert (ref.kind, ref.parent, ref.municipality_code) == ("unit", None, None)
    assert not ref.resolved
    assert gaz.resolve_org("Socialtjänsten", None).parent is None


def test_conflicting_evidence_gives_no_parent(gaz: Gazetteer) -> None:
    r = rec(municipalities=["Ale"], contact_email="someone@mjolby.se")
    assert gaz.resolve_org("Socialförvaltningen", r).parent is None


def test_beneficiary_town_is_evidence_only_without_a_municipality_list(gaz: Gazetteer) -> None:
    r = rec(municipalities=["Ale"], beneficiary_city="Mjölby")
    assert gaz.resolve_org("Socialförvaltningen", r).parent.municipality_code == "1440"


def test_several_listed_municipalities_are_no_evidence(gaz: Gazetteer) -> None:
    r = rec(municipalities=["Mjölby", "Boxholm", "Ödeshög"])
    assert gaz.resolve_org("Socialförvaltningen", r).parent is None


def test_definite_forms_share_a_key(gaz: Gazetteer) -> None:
    r = rec(municipalities=["Mjölby"], partners=["Individ och Familjeomsorg",
                                                 "Individ och Familjeomsorgen"])
    a, b = (gaz.resolve_org(n, r) for n in r.partners)
    assert a.key == b.key == "individ-och-familjeomsorg"
    assert a.parent == b.parent and a.parent.municipality_code == "0586"
    assert a.label != b.label  # labels stay as written


@pytest.mark.parametrize("a,b", [
    ("Kultur och Fritidsförvaltning", "Kultur- och fritidsförvaltningen"),
    ("Vård & omsorgsförvaltningen", "Vård och omsorgsförvaltning"),
    ("Arbetsmarknadsenheten (AME)", "Arbetsmarknadsenhet"),
    ("Socialnämnden", "socialnämnd"),
    ("Arbetsmarknadskontoret", "Arbetsmarknadskontor"),
])
def test_org_key_variants(a: str, b: str) -> None:
    assert org_key(a) == org_key(b)


@pytest.mark.parametrize("word", ["Duellen", "Sverige", "Gotland", "Centrum", "Ungdomen", "kommun"])
def test_definite_stripping_is_conservative(word: str) -> None:
    assert strip_definite(word) == word


# national and regional bodies -------------------------------------------------------------
def test_arbetsformedlingen_and_its_local_office(gaz: Gazetteer) -> None:
    national = gaz.resolve_org("Arbetsförmedlingen", rec())
    assert (national.kind, national.key) == ("national-agency", "arbetsformedlingen")
    office = gaz.resolve_org("Arbetsförmedling Flen", rec())
    assert office.kind == "unit" and office.parent == national
    assert office.key == "arbetsformedlingen-flen" and office.label == "Arbetsförmedling Flen"
    same = gaz.resolve_org("Arbetsförmedlingen Flen", rec())
    assert same.key == office.key


@pytest.mark.parametrize("name,kind,key", [
    ("Försäkringskassan", "national-agency", "forsakringskassan"),
    ("Svenska ESF-rådet", "national-agency", "svenska-esf-radet"),
    ("ESF-rådet", "national-agency", "svenska-esf-radet"),
    ("Region Skåne", "region", "region-skane"),
    ("Västra Götalandsregionen", "region", "vastra-gotalandsregionen"),
    ("Region Västra Götaland", "region", "vastra-gotalandsregionen"),
    ("Landstinget Sörmland", "region", "region-sormland"),
    ("Region Jämtland Härjedalen", "region", "region-jamtland-harjedalen"),
    ("Länsstyrelsen i Östergötlands län", "county-board", "lansstyrelsen-i-ostergotlands-lan"),
    ("Länsstyrelsen Skåne", "county-board", "lansstyrelsen-i-skane-lan"),
    ("Samordningsförbundet RAR", "organisation", "samordningsforbundet-rar"),
    ("FoU Välfärd Sjuhärad", "organisation", "fou-valfard-sjuharad"),
])
def test_public_bodies(gaz: Gazetteer, name: str, kind: str, key: str) -> None:
    ref = gaz.resolve_org(name, rec(municipalities=["Flen"]))
    assert (ref.kind, ref.key, ref.parent) == (kind, key, None)


def test_empty_name(gaz: Gazetteer) -> None:
    assert gaz.resolve_org("", rec()).kind == "organisation"


def test_all_region_bodies_and_county_boards_are_distinct(gaz: Gazetteer) -> None:
    boards = {gaz.resolve_org(f"Länsstyrelsen i {c.name}", None).key for c in gaz.counties.values()}
    assert len(boards) == 21
