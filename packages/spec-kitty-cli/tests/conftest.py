"""Shared fixtures for spec-kitty-cli tests: isolated home, real git projects, an in-process CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON line, got {self.stdout!r}"
        return json.loads(lines[0])


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Per-user state (node id, credentials) and HOME point into the test's temp folder."""
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


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return stdout (raises on failure)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def make_git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@spec-kitty.invalid")
    git(path, "config", "user.name", "spec-kitty test")
    return path


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `spec-kitty ARGS...` in-process (optionally in ``cwd``) and capture its output."""
    from spec_kitty_cli.main import run

    def _run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        if stdin is not None:
            import io
            import sys

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = run(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return _run


@pytest.fixture
def project(tmp_path: Path, run_cli: Callable[..., Result]) -> Path:
    """A real git repository with one commit, initialised with `spec-kitty init`."""
    root = make_git_repo(tmp_path / "project")
    assert run_cli("init", str(root), "--json").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` outside `.git/`, to prove that a refusal changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def refused_with(result: Result, code: str) -> dict[str, Any]:
    """Assert a structured refusal (exit 2, ``code``, no traceback) and return its envelope."""
    assert result.exit_code == 2, result.stdout + result.stderr
    env = result.json()
    assert env["result"] == "error" and env["error_code"] == code, env
    assert "Traceback" not in result.stderr
    return dict(env)


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """The tree snapshot function (see ``snapshot_tree``)."""
    return snapshot_tree


@pytest.fixture
def refused() -> Callable[[Result, str], dict[str, Any]]:
    """The structured-refusal assertion (see ``refused_with``)."""
    return refused_with
