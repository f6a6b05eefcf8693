from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_identity import load_mission_meta
from spec_kitty_identity.errors import MissionMetaError
from spec_kitty_orchestrator_api import (
    ERROR_CODES,
    PreflightFailedError,
    UnsupportedStrategyError,
    WPFileError,
    make_envelope,
    merge_mission,
    respond,
    start_implementation,
    transition,
)

ACTOR = "spec-kitty-orchestrator"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def _work(env: Any, policy: str, wp: str, lane: str = "done", files: int = 1) -> None:
    """Implement ``wp`` in its detached workspace (as the orchestrator does) and review it."""
    host = env.host()
    start_implementation(host, env.slug, wp, ACTOR, policy)
    ws = env.root / ".worktrees" / f"{env.slug}-{wp}"
    _git(env.root, "worktree", "add", "-q", "--detach", str(ws), "HEAD")
    for i in range(files):
        (ws / f"{wp.lower()}-{i}.txt").write_text(f"{wp} {i}\n")
        _git(ws, "add", "-A")
        _git(ws, "commit", "-q", "-m", f"{wp} part {i}")
    transition(host, env.slug, wp, "for_review", ACTOR, policy=policy)
    transition(host, env.slug, wp, lane, ACTOR, policy=policy, review_ref=f"review-{wp}")


@pytest.mark.parametrize(("strategy", "commits"), [("merge", 4 + 3), ("squash", 3), ("rebase", 4)])
def test_merge_strategies_bring_every_wp_into_main(
    env: Any, policy_json: str, strategy: str, commits: int
) -> None:
    _work(env, policy_json, "WP01", files=2)
    _work(env, policy_json, "WP02", lane="approved")
    _work(env, policy_json, "WP03")
    before = int(_git(env.root, "rev-list", "--count", "main"))
    data = merge_mission(env.host(), env.slug, strategy=strategy)
    assert (
        data["merged"] is True and data["target_branch"] == "main" and data["strategy"] == strategy
    )
    assert data["merged_wps"] == ["WP01", "WP02", "WP03"] and data["worktree_removed"] is False
    tree = _git(env.root, "ls-tree", "--name-only", "main").split()
    assert {"wp01-0.txt", "wp01-1.txt", "wp02-0.txt", "wp03-0.txt"} <= set(tree)
    assert (env.root / "wp02-0.txt").exists()  # the main checkout was fast-forwarded
    assert int(_git(env.root, "rev-list", "--count", "main")) - before == commits
    assert data["merged_commit"] == _git(env.root, "rev-parse", "main")
    last = env.transitions()[-1]
    assert (last["wp_id"], last["from_lane"], last["to_lane"]) == ("WP02", "approved", "done")
    assert last["evidence"]["repos"][0]["commit"] == data["merged_commit"]
    assert last["evidence"]["review"]["reference"] == "review-WP02"
    meta = load_mission_meta(env.mission_dir / "meta.json")
    assert meta.merged_wps == ("WP01", "WP02", "WP03") and meta.merged_strategy == strategy
    again = merge_mission(env.host(), env.slug, strategy=strategy)
    assert again["merged_wps"] == [] and again["already_merged_wps"] == ["WP01", "WP02", "WP03"]
    assert not list((env.root / ".worktrees").glob(".merge-*"))


def test_merge_into_a_branch_not_checked_out_and_wps_without_work(
    env: Any, policy_json: str
) -> None:
    _git(env.root, "branch", "release")
    _work(env, policy_json, "WP01")
    for wp in ("WP02", "WP03"):
        host = env.host()
        start_implementation(host, env.slug, wp, ACTOR, policy_json)
        transition(host, env.slug, wp, "for_review", ACTOR, policy=policy_json)
        transition(host, env.slug, wp, "done", ACTOR, policy=policy_json, review_ref="r")
    data = merge_mission(env.host(), env.slug, target="release")
    assert data["merged_wps"] == ["WP01"] and data["no_work_wps"] == ["WP02", "WP03"]
    assert "wp01-0.txt" in _git(env.root, "ls-tree", "--name-only", "release")
    assert not (env.root / "wp01-0.txt").exists()  # main untouched


def test_merge_preflight_and_strategy(env: Any, policy_json: str) -> None:
    with pytest.raises(UnsupportedStrategyError):
        merge_mission(env.host(), env.slug, strategy="octopus")
    with pytest.raises(PreflightFailedError) as err:
        merge_mission(env.host(), env.slug, target="nope")
    assert err.value.details["target_branch"] == "nope"
    assert "WP01 is planned, not approved or done" in err.value.details["errors"]
    assert "target branch 'nope' does not exist" in err.value.details["errors"]


def test_merge_conflict_leaves_target_untouched(env: Any, policy_json: str) -> None:
    _work(env, policy_json, "WP01")
    _work(env, policy_json, "WP02")
    _work(env, policy_json, "WP03")
    ws = env.root / ".worktrees" / f"{env.slug}-WP02"
    (ws / "wp01-0.txt").write_text("conflicting\n")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "-m", "clash")
    head = _git(env.root, "rev-parse", "main")
    with pytest.raises(PreflightFailedError) as err:
        merge_mission(env.host(), env.slug)
    assert err.value.details["errors"][0].startswith("WP02:")
    assert _git(env.root, "rev-parse", "main") == head
    assert not list((env.root / ".worktrees").glob(".merge-*"))


def test_merge_push_to_origin(env: Any, policy_json: str, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(remote))
    _git(env.root, "remote", "add", "origin", str(remote))
    for wp in ("WP01", "WP02", "WP03"):
        _work(env, policy_json, wp)
    data = merge_mission(env.host(), env.slug, push=True)
    assert data["pushed"] is True
    assert _git(remote, "rev-parse", "main") == data["merged_commit"]
    _git(env.root, "remote", "set-url", "origin", str(tmp_path / "missing.git"))
    with pytest.raises(PreflightFailedError, match="pushing"):
        merge_mission(env.host(), env.slug, push=True)


def test_envelope_has_seven_keys_and_maps_foreign_codes() -> None:
    env = make_envelope("list-ready", success=True, data={"mission_slug": "x"})
    assert list(env) == [
        "contract_version",
        "command",
        "timestamp",
        "correlation_id",
        "success",
        "error_code",
        "data",
    ]
    assert env["command"] == "orchestrator-api.list-ready" and env["correlation_id"].startswith(
        "corr-"
    )
    assert len(env["correlation_id"]) == 37

    def bad_file() -> dict[str, Any]:
        raise WPFileError(
            "tasks/WP01.md: unknown frontmatter key `lane`", details={"file": "f", "key": "lane"}
        )

    failed = respond("mission-state", bad_file)
    assert failed.exit_code == 2 and failed.envelope["error_code"] == "USAGE_ERROR"
    assert failed.envelope["data"] == {
        "file": "f",
        "key": "lane",
        "cause": "WP_FILE_INVALID",
        "message": "tasks/WP01.md: unknown frontmatter key `lane`",
    }

    def bad_meta() -> dict[str, Any]:
        raise MissionMetaError("meta.json broken", details={"file": "meta.json"})

    assert respond("mission-state", bad_meta).envelope["data"]["cause"] == "MISSION_META_INVALID"

    def crash() -> dict[str, Any]:
        raise ValueError("bug")

    with pytest.raises(ValueError):
        respond("mission-state", crash)
    assert "FEATURE_NOT_FOUND" not in ERROR_CODES and len(ERROR_CODES) == 12
