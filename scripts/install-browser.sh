#!/usr/bin/env bash
# Install Debian's Chromium for the browser test (tests/test_serve_browser.py), only when missing.
# Playwright drives this system browser; we never run `playwright install` (no browser downloads).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: /usr/bin/chromium"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y chromium
