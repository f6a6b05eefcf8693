from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from spec_kitty_identity import (
    ProjectRootNotFoundError,
    checkout_state_dir,
    find_checkout_root,
    find_main_repo_root,
    git_dir,
    init_project,
    user_state_dir,
)
from spec_kitty_identity._roots import is_linked_worktree


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def project(repo: Path) -> Path:
    init_project(repo)
    (repo / "src" / "deep").mkdir(parents=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    return repo


def test_root_from_subfolder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "src" / "deep")
    assert find_checkout_root() == project
    assert find_main_repo_root() == project


def test_env_override_first(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPECIFY_REPO_ROOT", str(project / "src"))
    assert find_checkout_root() == project
    monkeypatch.setenv("SPECIFY_REPO_ROOT", str(tmp_path / "missing"))
    with pytest.raises(ProjectRootNotFoundError):
        find_checkout_root()


def test_linked_worktree_resolves_main(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wt = project / ".worktrees" / "m-orchestrator"
    git(project, "worktree", "add", "-q", "-B", "orch", str(wt), "HEAD")
    (wt / ".kittify").mkdir(exist_ok=True)
    assert is_linked_worktree(wt)
    assert git_dir(wt) is not None and git_dir(wt) != project / ".git"
    monkeypatch.setenv("SPECIFY_REPO_ROOT", str(wt))
    assert find_checkout_root() == wt
    assert find_main_repo_root() == project


def test_worktree_without_kittify_never_borrows_parent(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wt = project / ".worktrees" / "bare"
    git(project, "worktree", "add", "-q", "--detach", str(wt), "HEAD")
    # .kittify/config.yaml is committed, so the worktree has its own .kittify
    assert find_checkout_root(wt) == wt


def test_no_project(tmp_path: Path) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / ".git").mkdir()
    with pytest.raises(ProjectRootNotFoundError) as info:
        find_checkout_root(lonely)
    assert info.value.details["hint"] == "spec-kitty init"
    assert find_checkout_root(lonely, require_kittify=False) == lonely
    with pytest.raises(ProjectRootNotFoundError):
        find_main_repo_root(lonely)


def test_state_dir_ignores_itself(project: Path) -> None:
    state = checkout_state_dir(project)
    (state / "x.db").write_text("x")
    assert git(project, "status", "--porcelain") == ""


def test_user_state_dir_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPEC_KITTY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert user_state_dir() == tmp_path / "xdg" / "spec-kitty"


def test_worktree_of_uncommitted_project_is_its_own_checkout(repo: Path, tmp_path: Path) -> None:
    from spec_kitty_identity import load_project_identity, main_root_of

    (repo / "README").write_text("x")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "first")
    init_project(repo)  # .kittify/ exists in the main clone only: never committed
    wt = tmp_path / "side"
    git(repo, "worktree", "add", "-q", "--detach", str(wt), "HEAD")
    assert not (wt / ".kittify").exists()
    (wt / "sub").mkdir()
    assert find_checkout_root(wt / "sub") == wt
    assert find_main_repo_root(wt / "sub") == repo
    assert main_root_of(wt) == repo and main_root_of(repo) == repo
    main_id, side_id = load_project_identity(repo), load_project_identity(wt)
    assert side_id.project_uuid == main_id.project_uuid
    assert side_id.build_id != main_id.build_id
    assert (wt / ".kittify" / "state" / "build.json").is_file()
    assert git(wt, "status", "--porcelain") == ""


def test_plain_repo_without_project_still_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q", "-b", "main")
    with pytest.raises(ProjectRootNotFoundError):
        find_checkout_root(plain)


def test_lock_files_never_show_in_git_status(repo: Path) -> None:
    """The locks for config edits and mission numbering live in untracked state."""
    from spec_kitty_identity import create_mission, init_project, set_config_section

    from .conftest import git

    init_project(repo)
    set_config_section(repo, "extra", {"a": 1})
    create_mission(
        repo, title="Locks stay hidden", mission_type="software-dev", target_branch="main"
    )
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert status  # the config and the mission's meta.json are there to be committed
    assert not [line for line in status if line.endswith(".lock")], status
