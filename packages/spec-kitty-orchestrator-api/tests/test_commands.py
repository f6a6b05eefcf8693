from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_identity import MissionNotFoundError, load_mission_meta, load_project_identity
from spec_kitty_orchestrator_api import (
    ContractVersionMismatchError,
    DependenciesNotSatisfiedError,
    MissionNotReadyError,
    PolicyRequiredError,
    TransitionRejectedError,
    UsageError,
    WPAlreadyClaimedError,
    WPNotFoundError,
    accept_mission,
    append_history,
    contract_version,
    finalize,
    list_ready,
    mission_state,
    start_implementation,
    start_review,
    transition,
)

PAYLOAD_KEYS = {
    "mission_slug",
    "wp_id",
    "from_lane",
    "to_lane",
    "actor",
    "force",
    "reason",
    "execution_mode",
    "review_ref",
    "evidence",
}
ACTOR = "spec-kitty-orchestrator"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def _ready(env: Any) -> list[str]:
    return [w["wp_id"] for w in list_ready(env.host(), env.slug)["ready_work_packages"]]


def _finish(env: Any, wp: str, policy: str) -> None:
    host = env.host()
    start_implementation(host, env.slug, wp, ACTOR, policy)
    transition(
        host,
        env.slug,
        wp,
        "for_review",
        ACTOR,
        policy=policy,
        subtasks_complete=True,
        implementation_evidence_present=True,
    )
    transition(host, env.slug, wp, "done", ACTOR, policy=policy, review_ref=f"review-{wp}")


def test_contract_version() -> None:
    assert contract_version() == {"api_version": "1.0.0", "min_supported_provider_version": "0.1.0"}
    assert contract_version("0.1.2")["api_version"] == "1.0.0"
    for bad in ("0.0.9", "abc", "1.0-rc1", ""):
        with pytest.raises(ContractVersionMismatchError):
            contract_version(bad)


def test_fresh_mission_reads_as_planned_without_writing(env: Any) -> None:
    state = mission_state(env.host(), env.slug)
    assert [
        (w["wp_id"], w["lane"], w["dependencies"], w["last_actor"]) for w in state["work_packages"]
    ] == [
        ("WP01", "planned", [], None),
        ("WP02", "planned", [], None),
        ("WP03", "planned", ["WP01", "WP02"], None),
    ]
    assert state["summary"]["planned"] == 3 and state["mission_slug"] == env.slug
    assert _ready(env) == ["WP01", "WP02"]
    assert not (env.mission_dir / "status.json").exists()
    assert not (env.mission_dir / "status.events.jsonl").exists()
    with pytest.raises(MissionNotFoundError):
        mission_state(env.host(), "999-nope")


def test_start_implementation_claims_once(env: Any, policy_json: str) -> None:
    with pytest.raises(PolicyRequiredError):  # policy is checked before the mission
        start_implementation(env.host(), "999-nope", "WP01", ACTOR, None)
    with pytest.raises(WPNotFoundError):
        start_implementation(env.host(), env.slug, "WP09", ACTOR, policy_json)
    with pytest.raises(DependenciesNotSatisfiedError) as err:
        start_implementation(env.host(), env.slug, "WP03", ACTOR, policy_json)
    assert err.value.details["unsatisfied_dependencies"] == ["WP01", "WP02"]
    data = start_implementation(env.host(), env.slug, "WP01", ACTOR, policy_json)
    assert data["from_lane"] == "planned" and data["to_lane"] == "in_progress"
    assert data["workspace_path"] == str((env.root / ".worktrees" / f"{env.slug}-WP01").resolve())
    assert data["prompt_path"].endswith("WP01-parser.md") and data["no_op"] is False
    lines = env.transitions()
    assert [(e["from_lane"], e["to_lane"]) for e in lines] == [
        ("planned", "claimed"),
        ("claimed", "in_progress"),
    ]
    build_id = load_project_identity(env.root).build_id
    for line in lines:
        assert line["policy_metadata"]["orchestrator_id"] == "spec-kitty-orchestrator"
        assert line["build_id"] == build_id and line["mission_slug"] == env.slug
    assert lines[0]["at"] < lines[1]["at"]
    assert [t for t in env.sink.types()] == ["WPStatusChanged", "WPStatusChanged"]
    for _, agg_type, agg_id, payload in env.sink.events:
        assert set(payload) == PAYLOAD_KEYS and agg_type == "WorkPackage"
        assert agg_id.endswith(":WP01") and payload["execution_mode"] == "worktree"
    again = start_implementation(env.host(), env.slug, "WP01", ACTOR, policy_json)
    assert again["no_op"] is True and again["from_lane"] == "in_progress"
    with pytest.raises(WPAlreadyClaimedError) as claimed:
        start_implementation(env.host(), env.slug, "WP01", "someone-else", policy_json)
    assert claimed.value.details == {
        "wp_id": "WP01",
        "claimed_by": ACTOR,
        "requesting_actor": "someone-else",
    }
    snapshot = json.loads((env.mission_dir / "status.json").read_text())
    assert snapshot["work_packages"]["WP01"]["lane"] == "in_progress"
    assert snapshot["mission_number"] == 1 and snapshot["summary"]["in_progress"] == 1


def test_review_cycle_and_done_evidence_from_git(env: Any, policy_json: str) -> None:
    host = env.host()
    start_implementation(host, env.slug, "WP01", ACTOR, policy_json)
    with pytest.raises(TransitionRejectedError, match="subtasks_complete"):
        transition(
            host, env.slug, "WP01", "for_review", ACTOR, policy=policy_json, subtasks_complete=False
        )
    with pytest.raises(PolicyRequiredError):
        transition(host, env.slug, "WP01", "for_review", ACTOR)
    with pytest.raises(TransitionRejectedError, match="start-review needs for_review"):
        start_review(host, env.slug, "WP01", ACTOR, policy_json, "feedback-1")
    moved = transition(host, env.slug, "WP01", "for_review", ACTOR, policy=policy_json)
    assert moved == {
        "mission_slug": env.slug,
        "mission_number": 1,
        "mission_type": "software-dev",
        "wp_id": "WP01",
        "from_lane": "in_progress",
        "to_lane": "for_review",
        "policy_metadata_recorded": True,
        "force": False,
    }
    with pytest.raises(TransitionRejectedError, match="review reference"):
        start_review(host, env.slug, "WP01", ACTOR, policy_json, None)
    review = start_review(host, env.slug, "WP01", ACTOR, policy_json, "feedback-WP01-cycle1")
    assert (review["from_lane"], review["to_lane"], review["no_op"]) == (
        "for_review",
        "in_progress",
        False,
    )
    assert start_review(host, env.slug, "WP01", ACTOR, policy_json, "feedback-WP01-cycle1")["no_op"]
    assert env.transitions()[-1]["review_ref"] == "feedback-WP01-cycle1"
    transition(host, env.slug, "WP01", "for_review", ACTOR, policy=policy_json)
    done = transition(
        host, env.slug, "WP01", "done", ACTOR, policy=policy_json, review_ref="review-WP01-cycle2"
    )
    assert (done["from_lane"], done["to_lane"]) == ("for_review", "done")
    evidence = env.transitions()[-1]["evidence"]
    assert evidence["repos"] == [
        {
            "repo": load_project_identity(env.root).project_slug,
            "branch": "main",
            "commit": _git(env.root, "rev-parse", "HEAD"),
        }
    ]
    assert evidence["review"] == {
        "reviewer": ACTOR,
        "verdict": "approved",
        "reference": "review-WP01-cycle2",
    }
    assert env.sink.events[-1][3]["evidence"] == evidence


def test_done_evidence_comes_from_the_wp_workspace_and_caller_evidence_is_kept(
    env: Any, policy_json: str
) -> None:
    host = env.host()
    start_implementation(host, env.slug, "WP02", ACTOR, policy_json)
    ws = env.root / ".worktrees" / f"{env.slug}-WP02"
    _git(env.root, "worktree", "add", "-q", "--detach", str(ws), "HEAD")
    (ws / "wp02.txt").write_text("x")
    _git(ws, "add", "wp02.txt")
    _git(ws, "commit", "-q", "-m", "WP02")
    transition(host, env.slug, "WP02", "for_review", ACTOR, policy=policy_json)
    transition(host, env.slug, "WP02", "approved", ACTOR, policy=policy_json, review_ref="r2")
    assert env.transitions()[-1]["evidence"]["repos"][0]["commit"] == _git(ws, "rev-parse", "HEAD")
    assert env.transitions()[-1]["evidence"]["repos"][0]["branch"] == "HEAD"
    given = {
        "review": {"reviewer": "lead", "verdict": "approved"},
        "verification": [{"command": "pytest", "result": "pass"}],
    }
    transition(host, env.slug, "WP02", "done", ACTOR, evidence_json=json.dumps(given))
    evidence = env.transitions()[-1]["evidence"]
    assert (
        evidence["review"] == given["review"] and evidence["verification"] == given["verification"]
    )
    for bad in (
        "{",
        "[]",
        '{"nope": 1}',
        '{"repos": []}',
        '{"repos": [{"repo": "r"}]}',
        '{"review": {"verdict": "approved"}}',
        '{"verification": [{"command": "x", "result": "p", "z": 1}]}',
    ):
        with pytest.raises(UsageError):
            transition(host, env.slug, "WP02", "done", ACTOR, evidence_json=bad)


def test_dependency_order_list_ready_and_accept(env: Any, policy_json: str) -> None:
    host = env.host()
    with pytest.raises(MissionNotReadyError) as err:
        accept_mission(host, env.slug, ACTOR)
    assert [i["wp_id"] for i in err.value.details["incomplete_wps"]] == ["WP01", "WP02", "WP03"]
    _finish(env, "WP01", policy_json)
    assert _ready(env) == ["WP02"]
    _finish(env, "WP02", policy_json)
    assert _ready(env) == ["WP03"]
    _finish(env, "WP03", policy_json)
    assert _ready(env) == []
    env.sink.events.clear()
    accepted = accept_mission(host, env.slug, ACTOR)
    assert accepted["accepted"] is True and accepted["mode"] == "auto" and not accepted["no_op"]
    assert accepted["done_wps"] == ["WP01", "WP02", "WP03"]
    meta = load_mission_meta(env.mission_dir / "meta.json")
    assert (meta.accepted_at, meta.accepted_by, meta.acceptance_mode) == (
        accepted["accepted_at"],
        ACTOR,
        "orchestrator",
    )
    assert env.sink.events == [
        (
            "MissionClosed",
            "Mission",
            meta.mission_id,
            {"mission_slug": env.slug, "mission_number": 1, "mission_type": "software-dev"},
        )
    ]
    again = accept_mission(host, env.slug, ACTOR)
    assert again["no_op"] is True and again["accepted_at"] == accepted["accepted_at"]
    assert len(env.sink.events) == 1


def test_append_history_notes_land_in_status_json(env: Any) -> None:
    data = append_history(env.host(), env.slug, "WP01", ACTOR, "Starting implementation")
    assert data["history_entry_id"].startswith("hist-") and len(data["history_entry_id"]) == 37
    note = env.events()[-1]
    assert note["kind"] == "annotation" and note["delta"]["note"].endswith(
        f"{ACTOR}: Starting implementation"
    )
    snapshot = json.loads((env.mission_dir / "status.json").read_text())
    assert snapshot["work_packages"]["WP01"]["notes"] == [note["delta"]["note"]]
    assert snapshot["work_packages"]["WP01"]["lane"] == "planned"
    with pytest.raises(UsageError):
        append_history(env.host(), env.slug, "WP01", ACTOR, "  ")
    with pytest.raises(WPNotFoundError):
        append_history(env.host(), env.slug, "WP07", ACTOR, "x")
    assert env.sink.events == []


def test_a_refusing_sink_leaves_nothing_written(env: Any, policy_json: str) -> None:
    env.sink.refuse = True
    with pytest.raises(RuntimeError):
        start_implementation(env.host(), env.slug, "WP01", ACTOR, policy_json)
    assert env.events() == [] and not (env.mission_dir / "status.json").exists()


def test_finalize_seeds_planned_once(env: Any, write_wp: Any) -> None:
    data = finalize(env.host(), env.slug)
    assert data["seeded"] == ["WP01", "WP02", "WP03"] and data["already_seeded"] == []
    assert [(e["from_lane"], e["to_lane"], e["actor"]) for e in env.transitions()] == [
        (None, "planned", "finalize-tasks")
    ] * 3
    assert env.sink.types() == ["WPCreated"] * 3 + ["WPStatusChanged"] * 3
    created = env.sink.events[2][3]
    assert created == {
        "wp_id": "WP03",
        "title": "Wire",
        "mission_slug": env.slug,
        "dependencies": ["WP01", "WP02"],
    }
    assert finalize(env.host(), env.slug)["seeded"] == []
    assert len(env.transitions()) == 3
    write_wp(env.mission_dir, "WP04", deps=["WP09"])
    from spec_kitty_orchestrator_api import WPFileError

    with pytest.raises(WPFileError):
        finalize(env.host(), env.slug)
