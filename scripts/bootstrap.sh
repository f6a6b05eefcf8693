# Sourced by .ci/run and scripts/quickstart: make uv available and sync the workspace.
# A fresh machine has only Python 3.11 and pip; everything else is installed here.
set -euo pipefail
export PATH="$HOME/.local/bin:$PATH"
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  python3 -m pip install --quiet --disable-pip-version-check uv >&2
  if command -v uv >/dev/null 2>&1; then UV=(uv); else UV=(python3 -m uv); fi
fi
"${UV[@]}" sync --all-packages --locked --compile-bytecode --quiet
