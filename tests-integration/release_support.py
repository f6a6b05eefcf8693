"""Materialize a fixture made by a released spec-kitty-cli (see scripts/make_release_fixtures.py).

`materialize(version, tmp)` rebuilds the project exactly as the release left it: every ref from
`repo.bundle`, HEAD on the branch the release had checked out, the working-tree overlay (files
git did not hold), the linked worktrees the release created, and the release's per-user state
folder under ``<tmp>/home``. Returns (project, home).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "release_fixtures"
VERSIONS = tuple(
    sorted(
        (p.name for p in FIXTURES.iterdir() if p.is_dir()),
        key=lambda v: tuple(int(x) for x in v.split(".")),
    )
)


def fixture_meta(version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / version / "fixture.json").read_text())
    return data


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def materialize(version: str, tmp: Path) -> tuple[Path, Path]:
    source = FIXTURES / version
    meta = fixture_meta(version)
    project = tmp / "proj"
    project.mkdir(parents=True)
    _git(project, "init", "-q", "-b", "fixture-init")
    _git(project, "fetch", "-q", str(source / "repo.bundle"), "refs/heads/*:refs/heads/*")
    _git(project, "checkout", "-q", meta["head"])
    _git(project, "config", "user.email", "upgrade-tests@spec-kitty.invalid")
    _git(project, "config", "user.name", "Upgrade Tests")
    overlay = source / "overlay"
    for path in sorted(p for p in overlay.rglob("*") if p.is_file()):
        target = project / path.relative_to(overlay)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for rel in meta["deleted"]:
        (project / rel).unlink()
    for tree in meta["worktrees"]:
        _git(project, "worktree", "add", "-q", tree["path"], tree["branch"])
    home = tmp / "home"
    if (source / "home").is_dir():
        shutil.copytree(source / "home", home, dirs_exist_ok=True)
    home.mkdir(exist_ok=True)
    return project, home
