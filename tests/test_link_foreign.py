"""Transnational contacts: places abroad and foreign organisations, with evidence; no false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from esfgraph.link import ForeignMention, Gazetteer, default_gazetteer
from esfgraph.link.foreign import split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def by_label(found: list[ForeignMention]) -> dict[str, ForeignMention]:
    return {m.label: m for m in found}


def test_seed_001_east_lothian_in_scotland_is_one_contact(gaz: Gazetteer) -> None:
    """"East Lothian in Scotland" is one contact (East Lothian, in GB), not two."""
    found = by_label(gaz.find_foreign(seed("001")))
    assert set(found) == {"East Lothian"}
    eln = found["East Lothian"]
    assert (eln.kind, eln.iso2, eln.iso3166_2) == ("region", "GB", "GB-ELN")
    assert eln.evidence.startswith("I East Lothian in Scotland har man genomfört ett liknande projekt")
    assert eln.evidence.endswith("15-22.")
    assert eln.place_key == "GB-ELN"


def test_seed_004_visit_to_brussels_and_jes_not_each_place_jes_works_in(gaz: Gazetteer) -> None:
    """The study visit to Brussels is a contact; "JES is a project for ... in Brussels, Antwerp
    and Ghent" describes JES's own reach: JES is the contact, not Antwerp and Ghent."""
    found = by_label(gaz.find_foreign(seed("004")))
    assert set(found) == {"Bryssel", "JES"}
    ids = {label: (m.kind, m.iso2, m.geonames_id) for label, m in found.items()}
    assert ids["Bryssel"] == ("city", "BE", 2800866)
    assert ids["JES"] == ("organisation", "BE", None)
    assert found["Bryssel"].evidence == ("Flens kommun, Arbetsmarknads- och Utbildningscentrum har "
                                         "under hösten varit på studieresa till Bryssel.")
    jes = "JES är ett projekt för nederländsktalande ungdomar i Bryssel, Antwerpen och Gent."
    assert found["JES"].evidence == jes
    assert found["Bryssel"].place_key == "BE-brussels"


def test_record_text_helper_finds_contacts_outside_the_transnational_section(gaz: Gazetteer) -> None:
    from esfgraph.record import Record

    r = Record(source="t", layout="2007-2013", sections={
        "Bakgrund": "Vi har varit på studieresa till Bryssel.",
        "Transnationellt samarbete": "Samarbete med partners i Belgien.",
    })
    labels = [m.label for m in gaz.find_foreign_in_record(r)]
    assert labels == ["Belgien", "Bryssel"]  # transnational section first


@pytest.mark.parametrize("prefix", ["000", "002", "003"])
def test_seeds_without_foreign_places(gaz: Gazetteer, prefix: str) -> None:
    assert gaz.find_foreign(seed(prefix)) == []


@pytest.mark.parametrize("text", [
    "Inte aktuellt i detta projekt.",
    "Vi gör en studieresa till Stockholm och Göteborg.",
    "Vi söker liknande ungdomsprojekt i Europa.",
    "Förstudien ska lägga grunden för ett kommande transnationellt EU-projekt inom området.",
    "Man genomförde en kartläggning. Medan vi väntade kom Arbetsförmedlingen.",
    "Vi vill visa på möjligheter att arbeta och studera både i Sverige och utomlands.",
    "Projektet Duellen finansieras av Samordningsförbundet RAR.",
    "Jordan och Georgia arbetar som handledare i Ale.",
    "Utbildningen sker i Västra Götaland, Skåne och Norrbotten.",
    "Studiebesök i Kristinehamns kommun och hos Helsingborgs Stad.",
    "",
])
def test_swedish_texts_without_foreign_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.find_foreign(text) == []


def test_countries_in_swedish_and_english(gaz: Gazetteer) -> None:
    found = by_label(gaz.find_foreign(
        "Vi samarbetar med partners i Belgien och Tyskland. We also work with Denmark. "
        "Skottlands kommuner deltar. Studiebesök i Holland och Storbritannien."))
    assert {k: (m.kind, m.iso2) for k, m in found.items()} == {
        "Belgien": ("country", "BE"), "Tyskland": ("country", "DE"), "Denmark": ("country", "DK"),
        "Skottlands": ("region", "GB"), "Holland": ("country", "NL"),
        "Storbritannien": ("country", "GB")}
    assert found["Belgien"].wikidata == "Q31" and found["Tyskland"].wikidata == "Q183"
    assert found["Belgien"].place_key == "BE" and found["Belgien"].name == "Belgium"
    assert found["Denmark"].evidence == "We also work with Denmark."


def test_city_known_only_next_to_its_country(gaz: Gazetteer) -> None:
    found = by_label(gaz.find_foreign("Vi besökte Lille i Frankrike."))
    assert found["Lille"].kind == "city" and found["Lille"].iso2 == "FR"
    assert found["Lille"].geonames_id is not None
    assert gaz.find_foreign("Lille gruppen träffas varje vecka.") == []


def test_people_next_to_foreign_places_are_not_organisations(gaz: Gazetteer) -> None:
    found = gaz.find_foreign("Vi reste med Anna Berg till Berlin. Vi bodde hos Per Ek i Tyskland.")
    assert [(m.kind, m.label) for m in found] == [("city", "Berlin"), ("country", "Tyskland")]


def test_foreign_organisation_in_english(gaz: Gazetteer) -> None:
    found = gaz.find_foreign("Our partner Jobcentre Plus is a public agency in Scotland.")
    assert [(m.kind, m.label, m.iso2) for m in found] == [
        ("organisation", "Jobcentre Plus", "GB")]  # Scotland only says where it is


def test_each_place_once_with_its_first_sentence(gaz: Gazetteer) -> None:
    found = gaz.find_foreign("Vi åker till Köpenhamn. Sedan åker vi till Köpenhamn igen.")
    assert [(m.label, m.evidence) for m in found] == [("Köpenhamn", "Vi åker till Köpenhamn.")]


def test_split_sentences() -> None:
    text = "Första meningen. Andra meningen!\n\nRubrik utan punkt\n  • punkt ett\n  • punkt två"
    assert split_sentences(text) == ["Första meningen.", "Andra meningen!", "Rubrik utan punkt",
                                     "punkt ett", "punkt två"]
