# Sourced by .ci/run and scripts/quickstart: make uv available, then sync the workspace.
#
# A fresh machine has only python3 and pip, possibly a Debian system python that refuses
# `pip install` (PEP 668: an EXTERNALLY-MANAGED marker). uv is never installed into that
# interpreter: `pip install --target` puts it in a private folder of its own, which PEP 668 does
# not govern, so no --break-system-packages is needed and the system python stays untouched.
# Then `uv sync --locked` installs exactly what uv.lock pins into .venv/.
set -euo pipefail

SK_UV_VERSION="0.13.9"  # the uv that uv.lock pins (tox-uv depends on it); bump them together
SK_BOOT_DIR="${SPEC_KITTY_BOOTSTRAP_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spec-kitty-bootstrap}"

sk_say() { printf 'bootstrap: %s\n' "$*" >&2; }

sk_ensure_uv() {
  local private="$SK_BOOT_DIR/uv-$SK_UV_VERSION"
  if command -v uv >/dev/null 2>&1; then
    UV=(uv)
    sk_say "using $(command -v uv) ($(uv --version))"
  elif [ -x "$private/bin/uv" ]; then
    UV=("$private/bin/uv")
    sk_say "using $private/bin/uv ($("$private/bin/uv" --version))"
  else
    local python
    python="$(command -v python3 || command -v python || true)"
    if [ -z "$python" ]; then
      sk_say "no python3 on PATH: install Python 3.11 and pip first"; return 1
    fi
    sk_say "installing uv $SK_UV_VERSION into $private (a private folder; $python is not changed)"
    local started=$SECONDS
    if ! "$python" -m pip install --disable-pip-version-check --no-input --quiet \
        --root-user-action=ignore --target "$private" "uv==$SK_UV_VERSION" >&2; then
      sk_say "could not install uv with '$python -m pip'; install pip for that python, or put uv on PATH"
      return 1
    fi
    UV=("$private/bin/uv")
    sk_say "uv $SK_UV_VERSION ready in $((SECONDS - started)) s"
  fi
}

sk_sync_workspace() {
  local started=$SECONDS
  sk_say "syncing the workspace into .venv/ (exactly the versions uv.lock pins)"
  "${UV[@]}" sync --all-packages --locked --compile-bytecode --no-progress >&2
  sk_say "workspace ready in $((SECONDS - started)) s"
}

sk_ensure_uv
if [ "${SK_BOOTSTRAP_UV_ONLY:-0}" != "1" ]; then
  sk_sync_workspace
fi
