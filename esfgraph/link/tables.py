"""Read the reference tables shipped in esfgraph/data/ (CSV with '#' comment headers, YAML)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from esfgraph.errors import LinkError
from esfgraph.link.model import County, Municipality, Region
from esfgraph.resources import data_path


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV table, skipping the '#' lines that state its source."""
    path = data_path(name)
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    except OSError as exc:
        raise LinkError(f"{path}: cannot read the reference table ({exc.strerror})") from exc
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def read_yaml(name: str) -> dict[str, Any]:
    """A YAML reference table as a mapping."""
    path = data_path(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LinkError(f"{path}: cannot read the reference table ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise LinkError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise LinkError(f"{path}: the table must be a YAML mapping")
    return data


def load_counties() -> list[County]:
    """The 21 counties from counties.csv."""
    return [
        County(code=r["code"], name=r["name"], nuts3=r["nuts3"], nuts2=r["nuts2"],
               wikidata=r["wikidata"] or None, short_name=r["short_name"], iso=r["iso"])
        for r in _read_csv("counties.csv")
    ]


def load_regions() -> list[Region]:
    """The ESF regions from regions.yaml."""
    data = read_yaml("regions.yaml")
    return [
        Region(name=r["name"], nuts2=r.get("nuts2"), county_codes=tuple(r.get("counties") or ()),
               wikidata=r.get("wikidata"))
        for r in data["regions"]
    ]


def load_municipalities(counties: dict[str, County]) -> list[Municipality]:
    """The 290 municipalities from municipalities.csv, with NUTS 2 taken from their county."""
    out = []
    for r in _read_csv("municipalities.csv"):
        county = counties.get(r["county_code"])
        if county is None or not r["code"].startswith(r["county_code"]):
            raise LinkError(f"{data_path('municipalities.csv')}: municipality {r['code']} has a bad "
                            f"county code {r['county_code']!r}; fix the row")
        out.append(Municipality(
            code=r["code"], name=r["name"], org_name=r["org_name"], county_code=r["county_code"],
            nuts2=county.nuts2, wikidata=r["wikidata"] or None,
            aliases=tuple(a for a in r["aliases"].split("|") if a)))
    return out


def path_of(name: str) -> Path:
    """Where a table lives (for messages and docs)."""
    return data_path(name)
