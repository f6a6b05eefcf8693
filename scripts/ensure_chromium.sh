#!/usr/bin/env bash
# Make sure the dashboard's browser test (tox env `browser`) has Debian's chromium.
# In CI (CI=true) it installs the `chromium` package with apt-get when /usr/bin/chromium is
# missing; elsewhere it only says what it found (the test skips without chromium).
# Playwright drives this system browser through executable_path: nothing is downloaded by pip
# or playwright itself (`playwright install` is never run).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "ensure_chromium: found $(command -v chromium) ($(chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi
if [ "${CI:-}" != "true" ]; then
  echo "ensure_chromium: chromium is not installed; the browser test will skip (install it: apt-get install chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: CI=true but no apt-get here; cannot install chromium" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" != "0" ]; then SUDO=(sudo -n); fi
echo "ensure_chromium: CI=true and chromium is missing: apt-get update && apt-get install -y chromium"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium >/dev/null
echo "ensure_chromium: installed $(command -v chromium) ($(chromium --version 2>/dev/null | head -n 1))"
