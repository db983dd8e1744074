"""The fast foreign-contact finder gives exactly what the original word-scanning finder gave.

`tests/data/foreign_equivalence.json.gz` was recorded with the original implementation of
`esfgraph.link.foreign` (before the speed-up): for each stored text, the list of
`ForeignMention`s that `find_foreign` returned. The texts are the seed pages, the free texts of
300 generated pages (`bench/generate.py`, seed 11) and a few hundred adversarial texts built
from gazetteer names (genitives, multi-word names, ambiguous cities, organisation intros).
The texts themselves are stored, so a later change to the generator does not change this test.

Re-record only on purpose (when the results are meant to change):
    .venv/bin/python tests/test_link_foreign_equivalence.py --record
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import sys
from pathlib import Path

import pytest

from esfgraph.link import Gazetteer, default_gazetteer
from esfgraph.link.foreign import record_texts

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "foreign_equivalence.json.gz"


def _load() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _as_dicts(mentions: list) -> list[dict]:
    return [dataclasses.asdict(m) for m in mentions]


@pytest.fixture(scope="module")
def fixture() -> dict:
    return _load()


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def test_fixture_covers_every_kind(fixture: dict) -> None:
    kinds = {m["kind"] for case in fixture["cases"] for m in case["expected"]}
    assert kinds == {"country", "region", "city", "organisation"}
    assert len(fixture["cases"]) >= 500
    assert sum(1 for c in fixture["cases"] if not c["expected"]) > 100  # texts with no hit too


def test_same_mentions_as_the_original_finder(fixture: dict, gaz: Gazetteer) -> None:
    diffs = []
    for case in fixture["cases"]:
        got = _as_dicts(gaz.find_foreign(case["text"]))
        if got != case["expected"]:
            diffs.append((case["id"], got, case["expected"]))
    assert not diffs, f"{len(diffs)} texts differ; first: {diffs[0]}"


def test_seed_records_same_as_the_original_finder(fixture: dict, gaz: Gazetteer) -> None:
    from esfgraph.parse import parse_file

    for name, expected in fixture["seed_records"].items():
        record = parse_file(ROOT / "seeds" / name).record
        assert _as_dicts(gaz.find_foreign_in_record(record)) == expected, name


def test_index_built_and_index_from_the_disk_cache_give_the_same_results(
        fixture: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first finder builds the index and writes the cache; the second reads it."""
    from esfgraph.link import foreign

    monkeypatch.setenv("ESFGRAPH_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ESFGRAPH_NO_CACHE", raising=False)
    (tmp_path / "foreign-index-0000.pickle").write_bytes(b"from an older version")
    built = Gazetteer()
    built.find_foreign("x")
    (cached_file,) = tmp_path.glob("foreign-index-*.pickle")  # the older one was removed
    assert cached_file == foreign._cache_file()
    cached = Gazetteer()
    cached.find_foreign("x")
    assert cached._foreign._by_words == built._foreign._by_words
    for case in fixture["cases"][::5]:
        assert _as_dicts(cached.find_foreign(case["text"])) == case["expected"], case["id"]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from esfgraph.link import foreign

    monkeypatch.setenv("ESFGRAPH_CACHE_DIR", str(tmp_path))
    foreign._cache_file().write_bytes(b"not a pickle")
    found = Gazetteer().find_foreign("Studieresa till Bryssel.")
    assert [(m.kind, m.iso2, m.geonames_id) for m in found] == [("city", "BE", 2800866)]
    assert foreign._cache_file().read_bytes() != b"not a pickle"  # written again


# --------------------------------------------------------------------------------------------
# Recording (run by hand with the implementation whose results are the reference)
# --------------------------------------------------------------------------------------------

_SWEDISH = ["Vi har", "samarbetat med", "partners i", "under hösten", "studieresa till",
            "och", "med", "i", "samt", "projektet", "deltagarna besökte", "kontakter med",
            "Erfarenheter från", "Det", "ett utbyte", "Man", "Europa", "Sverige", "Stockholm"]
_ORG_FORMS = ["projektet {n}", "organisationen {n}", "föreningen {n}", "partnern {n}",
              "{n} är ett projekt för unga", "{n} är en organisation som", "the project {n}",
              "{n} is an organisation for", "nätverket {n}", "stiftelsen {n}"]
_ORG_NAMES = ["JES", "Mondragon Futures", "Jobs Youth", "Ale", "Vi Gör", "Nordic Bridge",
              "Skottland", "Paris", "Lernen Europa Netz", "Kommun Ale", "East", "Arbetsförmedlingen"]


def _adversarial_texts(gaz: Gazetteer, count: int, seed: int) -> list[str]:
    """Texts mixing gazetteer names, their genitives, Swedish filler and organisation intros."""
    finder = gaz._foreign if gaz._foreign is not None else None
    if finder is None:
        gaz.find_foreign("x")
        finder = gaz._foreign
    keys = sorted(" ".join(w) for w in finder._by_words)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(1, 5)):
            words = []
            for _ in range(rng.randint(3, 14)):
                r = rng.random()
                if r < 0.25:
                    name = rng.choice(keys)
                    words.append(name + ("s" if rng.random() < 0.2 else ""))
                elif r < 0.32:
                    words.append(rng.choice(_ORG_FORMS).format(n=rng.choice(_ORG_NAMES)))
                else:
                    words.append(rng.choice(_SWEDISH))
            sep = rng.choice([", ", " ", " och "])
            sentences.append(words[0][:1].upper() + words[0][1:] + " " + sep.join(words[1:]) + ".")
        joiner = rng.choice([" ", "\n\n", "\n- ", "\n• "])
        text = joiner.join(sentences)
        if rng.random() < 0.05:
            text = "Inte aktuellt. " + text
        out.append(text)
    return out


def _record() -> None:  # pragma: no cover - used to write the fixture
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate_pages

    from esfgraph.parse import parse_file, parse_text

    gaz = default_gazetteer()
    cases = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        cases.append({"id": f"seed:{path.name}", "text": path.read_text(encoding="utf-8")})
    for name, text, _truth in generate_pages(300, seed=11, bad_rate=0):
        record = parse_text(text, name).record
        if record is not None:
            cases.append({"id": f"gen:{name}", "text": "\n\n".join(record_texts(record))})
    hand = [
        "Vi samarbetar med projektet JES i Bryssel, Belgien.",
        "JES är ett projekt för unga i Gent. Partnern Nordic Bridge finns i Köpenhamn.",
        "Lille ligger i Frankrike. Lille är vackert.",
        "Studieresa till Skottlands huvudstad och East Lothian.",
        "Inte aktuellt",
        "Ej aktuellt. Vi åkte till Paris.",
        "I East Lothian in Scotland har man genomfört ett liknande projekt.",
        "Europa och Sverige och Stockholm.",
    ]
    cases += [{"id": f"hand:{i}", "text": t} for i, t in enumerate(hand)]
    cases += [{"id": f"adv:{i}", "text": t}
              for i, t in enumerate(_adversarial_texts(gaz, 400, seed=5))]
    for case in cases:
        case["expected"] = _as_dicts(gaz.find_foreign(case["text"]))
    seed_records = {p.name: _as_dicts(gaz.find_foreign_in_record(parse_file(p).record))
                    for p in sorted((ROOT / "seeds").glob("*.txt"))}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(FIXTURE, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump({"cases": cases, "seed_records": seed_records}, fh, ensure_ascii=False)
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":  # pragma: no cover
    if "--record" in sys.argv:
        _record()
