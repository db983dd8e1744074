#!/usr/bin/env bash
# Install esfgraph into ./.venv, build the embedded seeds/ into the store, validate it, and serve it.
# Extra arguments go to `esfgraph serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
.venv/bin/esfgraph build seeds/
.venv/bin/esfgraph validate --store .esfgraph/store
exec .venv/bin/esfgraph serve "$@"
