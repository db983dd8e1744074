# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # How much ESF money went to youth projects in Västsverige, and which municipalities partnered abroad?
#
# The README's example question, answered with esfgraph's Python API and pandas.
# Build a store first (`esfgraph build seeds/`, or `esfgraph.build(["seeds/"])`); this
# notebook opens `.esfgraph/store`, or the store named by the `ESFGRAPH_STORE` variable.
# It is kept as a jupytext "percent" script (`youth_money.py`) and as a notebook
# (`youth_money.ipynb`, made with `jupytext --to ipynb youth_money.py`); the test suite
# runs the script, so the answer below cannot rot.

# %%
import os

import matplotlib

matplotlib.use("Agg")  # draw to a file: works without a display (and in the test suite)
import matplotlib.pyplot as plt
import pandas as pd

import esfgraph

kg = esfgraph.open(os.environ.get("ESFGRAPH_STORE", ".esfgraph/store"))

# %% [markdown]
# ## Youth projects in Västsverige
#
# The explorer's search (the same answer as `/projects.json`) finds projects about young
# people: Swedish stemming matches *unga*, *ungdomar*, *ungdomarna*, ... in titles and texts.
# Västsverige is the ESF region with NUTS code SE23.

# %%
found = kg.search(q="unga", region="SE23", per_page=100)
youth = pd.DataFrame(found["items"])[["title", "ownerLabel", "esfGrantSEK", "startDate"]]
youth = youth.sort_values("esfGrantSEK", ascending=False)
grant = f"{found['esfGrantSEK']:,}".replace(",", " ")  # 1 006 922: Swedish grouping
print(f"Youth projects in Västsverige: {found['total']}, ESF grant {grant} SEK")
print(youth.to_string(index=False))

# %% [markdown]
# ## Which municipalities partnered abroad?
#
# A project's transnational contacts (foreign places or organisations named in its
# transnational section) with their ISO country codes, joined to the municipalities the
# project names. SPARQL through `kg.query`; the rows come back as a DataFrame.

# %%
abroad = kg.query("""
SELECT ?municipalityName ?title ?contactName ?country WHERE {
  ?project a esf:Project ; dcterms:title ?title ;
           esf:municipality ?municipality ; esf:transnationalContact ?contact .
  ?municipality rdfs:label ?municipalityName FILTER(LANG(?municipalityName) = "sv")
  OPTIONAL { ?contact rdfs:label ?label }
  BIND(COALESCE(STR(?label), STR(?contact)) AS ?contactName)
  OPTIONAL { { ?contact esf:countryCode ?country }
             UNION { ?contact schema:containedInPlace|schema:location ?in .
                     ?in esf:countryCode ?country } }
}
ORDER BY ?municipalityName ?title ?country
""").to_pandas()
print("Municipalities with transnational partners:")
print(abroad.drop_duplicates().to_string(index=False))

# %% [markdown]
# ## One chart: the ESF grant of each youth project in Västsverige

# %%
fig, ax = plt.subplots(figsize=(7, 3))
ax.barh(youth["title"], youth["esfGrantSEK"] / 1e6, color="#1f5fa8")
ax.set_xlabel("ESF grant (million SEK)")
ax.set_title("Youth projects in Västsverige")
ax.invert_yaxis()
fig.tight_layout()
fig.savefig("youth_money.png", dpi=100)
print("chart written to youth_money.png")
