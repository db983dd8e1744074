"""`esfgraph link-report`: counts on the seeds and unresolved names listed for the alias tables."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from esfgraph.cli._group import main
from esfgraph.link import default_gazetteer
from esfgraph.link.report import link_report
from esfgraph.record import Record

ROOT = Path(__file__).resolve().parent.parent


def test_report_on_hand_built_records_lists_unresolved_names() -> None:
    records = [
        Record(source="a.txt", layout="2007-2013", owner="Ale kommun", region="Västsverige",
               municipalities=["Ale", "Atlantis"], partners=["Socialtjänsten", "Acme AB"],
               cofinanciers=["Arbetsförmedlingen"]),
        Record(source="b.txt", layout="2021-2027", owner="Acme AB", region="Narnia",
               beneficiary_city="Piteå", beneficiary_postcode="94185",
               sections={"Transnationellt samarbete": "Samarbete med partner i Tyskland."}),
        Record(source="c.txt", layout="2021-2027", beneficiary_city="Nowhere",
               sections={"Transnationellt samarbete": "Vi söker partners utomlands."}),
    ]
    report = link_report(records, default_gazetteer())
    data = report.to_json()["categories"]
    assert (data["municipalities"]["linked"], data["municipalities"]["unresolved"]) == (1, 1)
    assert data["municipalities"]["unresolved_names"] == {"Atlantis": ["a.txt"]}
    assert (data["regions"]["linked"], data["regions"]["unresolved_names"]) == (1, {"Narnia": ["b.txt"]})
    assert (data["owners"]["linked"], data["owners"]["unresolved"]) == (1, 1)
    # "Socialtjänsten" is a unit: Ale kommun (the owner) is the evidence for its parent
    assert (data["partners"]["linked"], data["partners"]["unresolved_names"]) == (1, {"Acme AB": ["a.txt"]})
    assert data["cofinanciers"]["linked"] == 1
    assert data["organisations"]["unresolved_names"] == {"Acme AB": ["a.txt"]}
    assert (data["beneficiary_places"]["linked"], data["beneficiary_places"]["unresolved"]) == (1, 1)
    assert data["foreign_places"]["linked"] == 1
    assert report.no_contact_found == ["c.txt"]
    text = report.to_text()
    assert "unresolved municipalities (Kommun list):\n  Atlantis  (a.txt)" in text
    assert "records: 3" in text


def test_cli_on_the_seeds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["link-report", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["records"] == 5
    cats = data["categories"]
    for key in ("municipalities", "regions", "owners", "partners", "cofinanciers", "organisations"):
        assert cats[key]["unresolved"] == 0, (key, cats[key])
    assert cats["municipalities"]["linked"] == 4
    assert cats["regions"]["linked"] == 5 and cats["owners"]["linked"] == 5
    assert cats["foreign_places"]["linked"] == 2  # East Lothian (in Scotland), Bryssel
    assert list(cats["foreign_organisations"]["unresolved_names"]) == ["JES (BE)"]


def test_cli_text_and_help(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    out = runner.invoke(main, ["link-report", str(ROOT / "seeds")])
    assert out.exit_code == 0 and "owners" in out.output and "JES (BE)" in out.output
    help_ = runner.invoke(main, ["link-report", "--help"])
    assert help_.exit_code == 0 and "esfgraph link-report pages/" in help_.output
    monkeypatch.chdir(tmp_path)  # no seeds/ here: a clear usage error, no traceback
    missing = runner.invoke(main, ["link-report"])
    assert missing.exit_code == 2 and "no seeds/ folder" in missing.output
