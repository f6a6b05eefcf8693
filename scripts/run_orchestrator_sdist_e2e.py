"""Run spec-kitty-orchestrator 0.1.2's OWN e2e suite (shipped in its sdist) against our host.

Steps: download the sdist from the package index's simple API (PEP 691 JSON; the index is
$UV_INDEX_URL or https://pypi.org/simple) and refuse it unless its sha256 is the one pinned here
(the tox env is made by uv and has no pip), unpack it, apply ONE change to its harness, run
`pytest tests/e2e` from the unpacked folder with `SK_ORCH_E2E_SPEC_KITTY_BIN` naming our
`spec-kitty`, and a private HOME.

The one change (and nothing else in their harness): `seed_minimal_spec_kitty_project` writes a
hand-made, uninitialized project (meta.json with `title`, a WP file with `lane:`, no
`.kittify/config.yaml`); our host refuses such legacy state until `spec-kitty upgrade` rewrote it,
which is the documented path. So one `spec-kitty upgrade --yes` runs right before the seed's
`git add -A` / commit:

    +    require_success(run_command(["spec-kitty", "upgrade", "--yes"], cwd=root, env=env))
         require_success(run_command(["git", "add", "-A"], cwd=root))

Usage: python scripts/run_orchestrator_sdist_e2e.py [--sdist-dir DIR] [pytest args...]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import httpx

VERSION = "0.1.2"
FILENAME = f"spec_kitty_orchestrator-{VERSION}.tar.gz"
# sha256 of spec_kitty_orchestrator-0.1.2.tar.gz as PyPI lists it (and `pip download` produces)
SHA256 = "473909e98d9efd6cea01f435e47d210d81a8cd9d76db3832afb6134da0c8064c"
JSON_SIMPLE = "application/vnd.pypi.simple.v1+json"
ANCHOR = '    require_success(run_command(["git", "add", "-A"], cwd=root))\n'
PATCH = '    require_success(run_command(["spec-kitty", "upgrade", "--yes"], cwd=root, env=env))\n'


def _verified(path: Path) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{path}: sha256 {digest} is not the pinned {SHA256}; refusing it")
    return path


def _sdist(folder: Path) -> Path:
    """The pinned sdist: from FOLDER when it is there, else from the index (then verified)."""
    local = folder / FILENAME
    if local.is_file():
        return _verified(local)
    index = os.environ.get("UV_INDEX_URL") or "https://pypi.org/simple"
    page = f"{index.rstrip('/')}/spec-kitty-orchestrator/"
    with httpx.Client(timeout=60.0, follow_redirects=True) as client:
        listing = client.get(page, headers={"Accept": JSON_SIMPLE})
        listing.raise_for_status()
        files = [f for f in listing.json()["files"] if f["filename"] == FILENAME]
        if not files:
            raise SystemExit(f"{page} lists no {FILENAME}")
        body = client.get(httpx.URL(page).join(files[0]["url"]))
        body.raise_for_status()
    partial = folder / f".{FILENAME}.part"
    partial.write_bytes(body.content)
    _verified(partial)
    partial.replace(local)
    return local


def patch_harness(harness: Path) -> None:
    """Insert the single upgrade call; refuse if their harness is not the expected one."""
    text = harness.read_text(encoding="utf-8")
    if text.count(ANCHOR) != 1:
        raise SystemExit(f"{harness}: the seed's `git add -A` line is not there exactly once")
    harness.write_text(text.replace(ANCHOR, PATCH + ANCHOR), encoding="utf-8")


def main(argv: list[str]) -> int:
    sdist_dir = None
    if argv[:1] == ["--sdist-dir"]:
        sdist_dir, argv = Path(argv[1]), argv[2:]
    binary = shutil.which("spec-kitty")
    if binary is None:
        raise SystemExit("our `spec-kitty` is not on PATH (install spec-kitty-cli first)")
    with tempfile.TemporaryDirectory(prefix="sk-orch-e2e-") as tmp:
        work = Path(tmp)
        folder = sdist_dir or work
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(_sdist(folder)) as archive:
            archive.extractall(work / "src", filter="data")
        root = work / "src" / f"spec_kitty_orchestrator-{VERSION}"
        patch_harness(root / "tests" / "e2e" / "harness.py")
        home = work / "home"
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "SK_ORCH_E2E_SPEC_KITTY_BIN": binary}
        env["SPEC_KITTY_HOME"] = str(home / ".spec-kitty-state")
        for var in ("SPECIFY_REPO_ROOT", "SPEC_KITTY_SERVER_URL", "SPEC_KITTY_TOKEN"):
            env.pop(var, None)
        cmd = [sys.executable, "-m", "pytest", "tests/e2e", "-p", "no:cacheprovider", *argv]
        return subprocess.run(cmd, cwd=root, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
