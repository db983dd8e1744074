#!/usr/bin/env bash
# Install esfgraph with its test dependencies into ./.venv and run the whole test suite.
# System packages the tests use (Debian's chromium for the browser test, virtuoso-opensource for
# the push test) are installed when missing and we are root or have sudo; without them those
# tests are skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
if [ "${ESFGRAPH_NO_SYSTEM_PACKAGES:-0}" != 1 ]; then
  bash scripts/install-browser.sh >/dev/null 2>&1 || echo "test.sh: chromium not installed; the browser test will be skipped" >&2
  bash scripts/start-virtuoso.sh install >/dev/null 2>&1 || echo "test.sh: virtuoso not installed; the Virtuoso test will be skipped" >&2
fi
exec .venv/bin/python -m pytest "$@"
