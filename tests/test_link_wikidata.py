"""Wikidata items of municipalities and counties: from the verified tables, never guessed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from esfgraph.cli import main
from esfgraph.config import Config
from esfgraph.link import Gazetteer
from esfgraph.namespaces import SKOS, WD
from esfgraph.resources import data_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


def _table(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in data_path(name).read_text(encoding="utf-8").splitlines()
             if not ln.startswith("#")]
    return list(csv.DictReader(lines))


def test_tables_name_their_sources_at_the_top() -> None:
    for name in ("wikidata-municipalities.csv", "wikidata-counties.csv"):
        head = data_path(name).read_text(encoding="utf-8").splitlines()[:3]
        assert any(ln.startswith("# Source:") for ln in head), name
        assert any("cross-checked" in ln for ln in data_path(name).read_text().splitlines()[:6])


def test_289_of_290_municipalities_and_21_of_21_counties_link(gaz: Gazetteer) -> None:
    assert sum(1 for m in gaz.municipalities.values() if m.wikidata) == 289
    assert len(gaz.municipalities) == 290
    assert sum(1 for c in gaz.counties.values() if c.wikidata) == 21
    rows = {r["scb_code"]: r for r in _table("wikidata-municipalities.csv")}
    assert rows["0128"]["status"] == "disputed" and gaz.municipalities["0128"].wikidata is None
    for code, m in gaz.municipalities.items():
        assert m.wikidata == (rows[code]["wikidata"] or None), code
    for r in _table("wikidata-counties.csv"):
        assert gaz.counties[r["county_code"]].wikidata == r["wikidata"]


def test_reference_graph_links_with_exact_match(gaz: Gazetteer) -> None:
    g = gaz.reference_graph(Config().base_iri)
    base = Config().base_iri
    from rdflib import URIRef

    assert (URIRef(base + "id/municipality/2581"), SKOS.exactMatch, WD["Q507656"]) in g
    assert not [o for o in g.objects(URIRef(base + "id/municipality/0128"), SKOS.exactMatch)
                if str(o).startswith(str(WD))]
    linked = {s for s, o in g.subject_objects(SKOS.exactMatch) if str(o).startswith(str(WD))
              and "/id/municipality/" in str(s)}
    assert len(linked) == 289


def test_link_report_shows_the_wikidata_counts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["link-report", "seeds/"])
    assert result.exit_code == 0, result.output
    assert "municipalities                       289 of 290" in result.output
    assert "counties                              21 of 21" in result.output
    result = CliRunner().invoke(main, ["link-report", "seeds/", "--json"])
    import json

    data = json.loads(result.output)
    assert data["wikidata"] == {"municipalities": {"linked": 289, "total": 290},
                                "counties": {"linked": 21, "total": 21}}


def test_a_wrong_row_is_a_clear_error(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from esfgraph.errors import LinkError
    from esfgraph.link import tables

    good = data_path("wikidata-municipalities.csv").read_text(encoding="utf-8")
    bad = tmp_path / "wikidata-municipalities.csv"
    bad.write_text(good.replace("0180,Q506250", "0180,Stockholm"), encoding="utf-8")
    real = tables.data_path
    monkeypatch.setattr(tables, "data_path",
                        lambda name: bad if name == "wikidata-municipalities.csv" else real(name))
    with pytest.raises(LinkError, match="0180.*not a Wikidata item"):
        Gazetteer()
