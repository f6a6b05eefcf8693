from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from spec_kitty_identity import (
    ConfigError,
    LegacyStateError,
    NotInitializedError,
    init_project,
    load_project_identity,
    read_config,
    set_config_section,
)
from spec_kitty_identity._project import repo_slug_from_url


def _commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")


def test_worktrees_and_clone_get_distinct_stable_build_ids(repo: Path, tmp_path: Path) -> None:
    init_project(repo)
    (repo / ".gitignore").write_text(".kittify/state/\n")
    _commit_all(repo)
    wt1, wt2 = tmp_path / "wt1", tmp_path / "wt2"
    git(repo, "worktree", "add", "-q", str(wt1), "-b", "b1")
    git(repo, "worktree", "add", "-q", str(wt2), "-b", "b2")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))

    checkouts = [wt1, wt2, clone]
    first = [load_project_identity(c).build_id for c in checkouts]
    second = [load_project_identity(c).build_id for c in checkouts]
    assert len(set(first)) == 3
    assert first == second
    project_uuids = {load_project_identity(c).project_uuid for c in checkouts}
    assert len(project_uuids) == 1  # one project, three builds
    for checkout in checkouts:
        assert git(checkout, "status", "--porcelain") == ""


def test_build_id_never_committed_even_without_gitignore(repo: Path) -> None:
    init_project(repo)
    load_project_identity(repo)
    git(repo, "add", "-A")
    tracked = git(repo, "ls-files").split()
    assert ".kittify/config.yaml" in tracked
    assert not [p for p in tracked if p.startswith(".kittify/state/")]


def test_node_id_differs_from_build_id_and_is_per_user(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    init_project(repo)
    ident = load_project_identity(repo)
    assert ident.node_id != ident.build_id
    assert len(ident.node_id) == 12 and int(ident.node_id, 16) >= 0
    uuid.UUID(ident.build_id)
    monkeypatch.setenv("SPEC_KITTY_HOME", str(tmp_path / "other-user"))
    assert load_project_identity(repo).node_id != ident.node_id
    assert load_project_identity(repo).build_id == ident.build_id


def test_repo_slug_from_remote_and_null_without(repo: Path) -> None:
    init_project(repo)
    assert load_project_identity(repo).repo_slug is None
    git(repo, "remote", "add", "origin", "git@github.com:acme/rocket.git")
    assert load_project_identity(repo).repo_slug == "acme/rocket"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/acme/rocket.git", "acme/rocket"),
        ("git@github.com:acme/rocket.git", "acme/rocket"),
        ("ssh://git@host:22/acme/rocket/", "acme/rocket"),
        ("/srv/git/acme/rocket.git", "acme/rocket"),
    ],
)
def test_repo_slug_from_url(url: str, slug: str) -> None:
    assert repo_slug_from_url(url) == slug


def test_project_slug_from_remote_name(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "https://example.invalid/acme/Rocket_Ship.git")
    assert init_project(repo).project_slug == "rocket-ship"


def test_init_is_idempotent_and_preserves_other_sections(repo: Path) -> None:
    cfg = repo / ".kittify" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text("# team settings\nagents:\n  available: [claude]  # keep me\n")
    first = init_project(repo)
    second = init_project(repo)
    assert first == second
    text = cfg.read_text()
    assert "# team settings" in text and "# keep me" in text
    assert read_config(repo)["agents"] == {"available": ["claude"]}


def test_unparseable_config_is_an_error_and_never_overwritten(repo: Path) -> None:
    cfg = repo / ".kittify" / "config.yaml"
    cfg.parent.mkdir()
    broken = "project: [unclosed\n"
    cfg.write_text(broken)
    with pytest.raises(ConfigError) as info:
        init_project(repo)
    assert info.value.details["file"] == str(cfg)
    assert cfg.read_text() == broken
    cfg.write_text("- a\n- b\n")
    with pytest.raises(ConfigError):
        set_config_section(repo, "project", {"uuid": "x"})
    assert cfg.read_text() == "- a\n- b\n"


def test_not_initialised(repo: Path) -> None:
    with pytest.raises(NotInitializedError) as info:
        load_project_identity(repo)
    assert info.value.code == "PROJECT_NOT_INITIALIZED"


def test_legacy_project_section_points_to_upgrade(repo: Path) -> None:
    cfg = repo / ".kittify" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text(f"project:\n  uuid: {uuid.uuid4()}\n  slug: x\n  node_id: abcdef012345\n")
    with pytest.raises(LegacyStateError) as info:
        load_project_identity(repo)
    assert "spec-kitty upgrade" in info.value.message
    assert info.value.details["key"] == "project.node_id"


@pytest.mark.parametrize(
    "section",
    [
        "project: [1, 2]\n",
        "project:\n  uuid: nope\n  slug: x\n",
        f"project:\n  uuid: {uuid.uuid4()}\n  slug: ''\n",
    ],
)
def test_bad_project_sections(repo: Path, section: str) -> None:
    cfg = repo / ".kittify" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text(section)
    with pytest.raises(ConfigError):
        load_project_identity(repo)


def test_damaged_build_state_names_the_file(repo: Path) -> None:
    init_project(repo)
    state = repo / ".kittify" / "state" / "build.json"
    state.write_text("{not json")
    with pytest.raises(ConfigError) as info:
        load_project_identity(repo)
    assert info.value.details["file"] == str(state)
    state.write_text(json.dumps({"build_id": "  "}))
    with pytest.raises(ConfigError):
        load_project_identity(repo)


def test_config_section_appended_and_replaced(repo: Path) -> None:
    set_config_section(repo, "tracker", {"provider": "linear"})
    set_config_section(repo, "sync", {"enabled": True})
    set_config_section(repo, "tracker", {"provider": "jira", "binding_ref": "b"})
    assert read_config(repo) == {
        "tracker": {"provider": "jira", "binding_ref": "b"},
        "sync": {"enabled": True},
    }
