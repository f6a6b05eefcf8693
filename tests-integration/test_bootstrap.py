"""The README's set-up works on a Debian system python that refuses `pip install` (PEP 668).

scripts/bootstrap.sh must get uv without touching that interpreter and without
--break-system-packages. These tests run it under an interpreter carrying the EXTERNALLY-MANAGED
marker, with an empty HOME and no uv on PATH, exactly as a fresh machine has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sk_support import REPO

CHECK_MARKER = (
    "import sys, sysconfig, pathlib; "
    "sys.exit(not (pathlib.Path(sysconfig.get_path('stdlib')) / 'EXTERNALLY-MANAGED').is_file())"
)


def _externally_managed_python() -> Path | None:
    candidates = [Path("/usr/bin/python3"), *(Path(p) for p in [shutil.which("python3")] if p)]
    for python in candidates:
        if python.is_file() and subprocess.run([python, "-c", CHECK_MARKER]).returncode == 0:
            return python
    return None


SYSTEM_PYTHON = _externally_managed_python()
pytestmark = pytest.mark.skipif(
    SYSTEM_PYTHON is None, reason="no python with an EXTERNALLY-MANAGED marker on this machine"
)


def _fresh_env(tmp_path: Path, python: Path) -> dict[str, str]:
    """Only that python's folder and /bin on PATH, an empty HOME; TLS settings kept."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if k.startswith(("SSL_", "PIP_CERT", "REQUESTS_"))}
    return {**keep, "HOME": str(home), "PATH": f"{python.parent}:/bin", "LANG": "C.UTF-8"}


def _bootstrap(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = 'SK_BOOTSTRAP_UV_ONLY=1 source scripts/bootstrap.sh && "${UV[@]}" --version'
    return subprocess.run(
        ["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_marker_is_in_force_for_that_python(tmp_path: Path) -> None:
    assert SYSTEM_PYTHON is not None
    env = _fresh_env(tmp_path, SYSTEM_PYTHON)
    refused = subprocess.run(
        [SYSTEM_PYTHON, "-m", "pip", "install", "--dry-run", "--no-deps", "uv"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0  # the condition the bootstrap has to get around


def test_bootstrap_installs_uv_privately_under_pep_668(tmp_path: Path) -> None:
    assert SYSTEM_PYTHON is not None
    env = _fresh_env(tmp_path, SYSTEM_PYTHON)
    assert subprocess.run(["bash", "-c", "command -v uv"], env=env).returncode != 0
    first = _bootstrap(env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("uv ")
    private = Path(env["HOME"]) / ".cache" / "spec-kitty-bootstrap"
    assert list(private.glob("uv-*/bin/uv"))  # in the private folder ...
    assert "installing uv" in first.stderr  # ... and it said what it installed
    # ... while the system interpreter is unchanged: it still cannot import uv
    assert subprocess.run([SYSTEM_PYTHON, "-c", "import uv"], env=env).returncode != 0
    script = (REPO / "scripts" / "bootstrap.sh").read_text().splitlines()
    assert not [line for line in script if "--break-system" in line.split("#", 1)[0]]

    again = _bootstrap(env)  # a second run reuses it, installing nothing
    assert again.returncode == 0, again.stderr
    assert "installing uv" not in again.stderr
    assert again.stdout == first.stdout
