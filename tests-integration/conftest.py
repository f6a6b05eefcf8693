"""Fixtures shared by the cross-package integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SPEC_KITTY_HOME", str(home / ".spec-kitty-state"))
    for var in (
        "SPECIFY_REPO_ROOT",
        "SPEC_KITTY_SERVER_URL",
        "SPEC_KITTY_TOKEN",
        "SPEC_KITTY_MISSION",
    ):
        monkeypatch.delenv(var, raising=False)
    return home
