"""Fixtures for spec-kitty-migrate tests: an isolated HOME and real legacy checkouts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import sk_legacy_fixtures as legacy


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME (legacy per-user queue) and SPEC_KITTY_HOME (canonical node id) in the temp folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SPEC_KITTY_HOME", str(home / ".spec-kitty-state"))
    monkeypatch.delenv("SPECIFY_REPO_ROOT", raising=False)
    return home


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository with a canonical-free `.kittify/`."""
    root = legacy.make_repo(tmp_path / "repo")
    (root / ".kittify").mkdir()
    return root


@pytest.fixture
def legacy_project(tmp_path: Path, isolated_home: Path) -> Path:
    """A committed checkout with legacy meta.json, config, status, WP file and a 30-row queue."""
    return legacy.make_legacy_project(tmp_path / "project", home=isolated_home)
