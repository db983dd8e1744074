#!/usr/bin/env bash
# Regenerate the API reference (docs/api/) from the docstrings and type hints of the public
# names in esfgraph/__init__.py (`__all__`); internal modules are left out on purpose.
# Needs the docs extra: pip install -e '.[docs]'. Also refreshes the example notebook from
# its jupytext script, so the two committed forms stay equal (tests/test_api.py checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
rm -f docs/api/*.html docs/api/search.js
"$PY" -m pdoc esfgraph '!esfgraph\..*' --docformat google --no-show-source --no-search \
    --footer-text "esfgraph $("$PY" -c 'import esfgraph; print(esfgraph.__version__)')" \
    -o docs/api
"$PY" -m jupytext --update --to ipynb docs/examples/youth_money.py -o docs/examples/youth_money.ipynb
echo "docs/api/ and docs/examples/youth_money.ipynb regenerated"
