"""Regenerate esfgraph/data/place-names-sv.csv from pycountry and country_aliases.yaml.

Run from the repository root: `python scripts/place-names-sv.py` (kept so the table can be
refreshed when pycountry updates its Swedish catalogues; the CSV names its sources)."""
import csv
import gettext
import io
from importlib.metadata import version
from pathlib import Path

import pycountry
import yaml

from esfgraph.link.names import slug

sv = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["sv"])
rows = []
for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
    rows.append((c.alpha_2, sv.gettext(c.name), c.name))
sv2 = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["sv"])
for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
    name = sv2.gettext(sub.name)
    if name != sub.name:  # only subdivisions with a Swedish name of their own (Nyland, Åland)
        rows.append((sub.code, name, sub.name))
data = yaml.safe_load(Path("esfgraph/data/country_aliases.yaml").read_text(encoding="utf-8"))
seen = set()
for written, (gname, cc) in data["cities"].items():
    key = f"{cc}-{slug(gname)}"
    if key in seen:
        continue
    seen.add(key)
    rows.append((key, written, gname))
out = io.StringIO()
out.write("# Swedish names of places abroad, for the explorer's Swedish pages (exonyms: Belgien, Bryssel).\n")
out.write(f"# SOURCE countries: the Swedish translation of ISO 3166-1 shipped by pycountry {version('pycountry')}\n")
out.write("#   (Debian iso-codes, locales/sv/LC_MESSAGES/iso3166-1.mo; LGPL-2.1-or-later), and of ISO 3166-2\n")
out.write("#   (iso3166-2.mo) for the subdivisions whose Swedish name differs (Nyland, Egentliga Finland).\n")
out.write("# SOURCE cities: the first spelling listed for each city in esfgraph/data/country_aliases.yaml\n")
out.write("#   (the Swedish exonym, after Språkrådet's recommendations, as curated there).\n")
out.write("# Regenerate with scripts/place-names-sv.py.\n")
out.write("# key = the last segment of the place IRI (id/place/BE, id/place/BE-brussels).\n")
w = csv.writer(out, lineterminator="\n")
w.writerow(["key", "sv", "en"])
w.writerows(rows)
Path("esfgraph/data/place-names-sv.csv").write_text(out.getvalue(), encoding="utf-8")
