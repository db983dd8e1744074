"""Read the reference tables shipped in esfgraph/data/ (CSV with '#' comment headers, YAML)."""

from __future__ import annotations

import csv
import re
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


_QID = re.compile(r"^Q[1-9][0-9]*$")


def _wikidata_items(name: str, key: str, known: set[str]) -> dict[str, str]:
    """Code → Wikidata item from a verified table; an empty cell (a disputed item) is left out.

    A code the main table does not know, or a cell that is not a Q-number, is an error: these
    tables are checked by hand and a wrong link is worse than none.
    """
    out: dict[str, str] = {}
    for row in _read_csv(name):
        code, qid = row[key], row["wikidata"]
        if code not in known:
            raise LinkError(f"{data_path(name)}: unknown code {code!r}; fix the row")
        if qid and not _QID.match(qid):
            raise LinkError(f"{data_path(name)}: {code}: {qid!r} is not a Wikidata item (Q…)")
        if qid:
            out[code] = qid
    return out


def load_counties() -> list[County]:
    """The 21 counties from counties.csv, with Wikidata items from wikidata-counties.csv."""
    rows = _read_csv("counties.csv")
    items = _wikidata_items("wikidata-counties.csv", "county_code", {r["code"] for r in rows})
    for row in _read_csv("wikidata-counties.csv"):  # the two tables must name the same county
        main = next(r for r in rows if r["code"] == row["county_code"])
        if (row["nuts3"], row["iso_3166_2"]) != (main["nuts3"], main["iso"]):
            raise LinkError(f"{data_path('wikidata-counties.csv')}: county {row['county_code']} "
                            f"has NUTS 3 / ISO {row['nuts3']}/{row['iso_3166_2']}, counties.csv "
                            f"says {main['nuts3']}/{main['iso']}; fix the row")
    return [
        County(code=r["code"], name=r["name"], nuts3=r["nuts3"], nuts2=r["nuts2"],
               wikidata=r["wikidata"] or items.get(r["code"]), short_name=r["short_name"],
               iso=r["iso"])
        for r in rows
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
    """The 290 municipalities from municipalities.csv, with NUTS 2 taken from their county and
    Wikidata items from wikidata-municipalities.csv."""
    out = []
    rows = _read_csv("municipalities.csv")
    items = _wikidata_items("wikidata-municipalities.csv", "scb_code", {r["code"] for r in rows})
    for r in rows:
        county = counties.get(r["county_code"])
        if county is None or not r["code"].startswith(r["county_code"]):
            raise LinkError(f"{data_path('municipalities.csv')}: municipality {r['code']} has a bad "
                            f"county code {r['county_code']!r}; fix the row")
        out.append(Municipality(
            code=r["code"], name=r["name"], org_name=r["org_name"], county_code=r["county_code"],
            nuts2=county.nuts2, wikidata=r["wikidata"] or items.get(r["code"]),
            aliases=tuple(a for a in r["aliases"].split("|") if a)))
    return out


def path_of(name: str) -> Path:
    """Where a table lives (for messages and docs)."""
    return data_path(name)
