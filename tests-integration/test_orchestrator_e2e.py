"""The real spec-kitty-orchestrator 0.1.2 drives our `spec-kitty orchestrator-api` end to end.

A fake `claude` agent and a `spec-kitty` shim (this workspace's CLI) come first on PATH; the
project is a real git repository with a 3-WP mission (WP03 depends on WP01 and WP02).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "orchestrator_fixtures"))
import orch_harness as harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ACTOR = "spec-kitty-orchestrator"


def _moves(events: list[dict[str, Any]], wp: str) -> list[tuple[str | None, str]]:
    return [
        (e["from_lane"], e["to_lane"]) for e in events if e.get("wp_id") == wp and "kind" not in e
    ]


def _notes(events: list[dict[str, Any]], wp: str) -> list[str]:
    return [
        e["delta"]["note"] for e in events if e.get("kind") == "annotation" and e["wp_id"] == wp
    ]


def _lanes(project: harness.Project) -> dict[str, str]:
    code, env = project.spec_kitty("orchestrator-api", "mission-state", "--mission", project.slug)
    assert code == 0 and env["success"]
    return {w["wp_id"]: w["lane"] for w in env["data"]["work_packages"]}


def test_happy_path_runs_to_completion(tmp_path: Path) -> None:
    project = harness.make_project(tmp_path)
    run = project.orchestrate()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Orchestration completed successfully." in run.stdout
    assert _lanes(project) == {"WP01": "done", "WP02": "done", "WP03": "done"}
    events = project.events()
    transitions = [e for e in events if "kind" not in e]
    for wp in ("WP01", "WP02", "WP03"):
        assert _moves(events, wp) == [
            ("planned", "claimed"),
            ("claimed", "in_progress"),
            ("in_progress", "for_review"),
            ("for_review", "done"),
        ]
        done = next(e for e in transitions if e["wp_id"] == wp and e["to_lane"] == "done")
        assert done["force"] is False and done["review_ref"].startswith(f"review-{wp}-cycle1-")
        assert done["reason"] == "Review approved by 'claude-code'"
        ws = project.root / ".worktrees" / f"{project.slug}-{wp}"
        assert (
            done["evidence"]["repos"][0]["commit"] == harness.git(ws, "rev-parse", "HEAD").strip()
        )
        assert done["evidence"]["review"] == {
            "reviewer": ACTOR,
            "verdict": "approved",
            "reference": done["review_ref"],
        }
        notes = _notes(events, wp)
        for text in (
            "Starting implementation",
            "Implementation completed successfully",
            "Starting review cycle 1",
            "Review approved in cycle 1",
        ):
            assert any(text in n for n in notes), (wp, notes)
    assert all(e["actor"] == ACTOR for e in transitions)
    assert all(e["policy_metadata"]["orchestrator_id"] == ACTOR for e in transitions)
    at = {(e["wp_id"], e["to_lane"]): e["at"] for e in transitions}
    assert at[("WP03", "claimed")] > max(at[("WP01", "done")], at[("WP02", "done")])
    orch_copy = project.root / ".worktrees" / f"{project.slug}-orchestrator" / "kitty-specs"
    copy = orch_copy / project.slug / "status.events.jsonl"  # as committed at creation, if at all
    assert not copy.exists() or '"to_lane"' not in copy.read_text()
    for call in project.agent_calls():
        assert call["cwd"] == str(project.root / ".worktrees" / f"{project.slug}-{call['wp']}")
    code, accepted = project.spec_kitty(
        "orchestrator-api", "accept-mission", "--mission", project.slug, "--actor", ACTOR
    )
    assert code == 0 and accepted["data"]["accepted"] is True
    code, merged = project.spec_kitty(
        "orchestrator-api", "merge-mission", "--mission", project.slug
    )
    assert code == 0 and merged["data"]["merged_wps"] == ["WP01", "WP02", "WP03"]
    assert {"wp01.txt", "wp02.txt", "wp03.txt"} <= {p.name for p in project.root.iterdir()}


def test_one_review_rejected_once_still_completes(tmp_path: Path) -> None:
    project = harness.make_project(tmp_path, FAKE_AGENT_REJECT_ONCE="WP02")
    run = project.orchestrate()
    assert run.returncode == 0, run.stdout + run.stderr
    assert _lanes(project) == {"WP01": "done", "WP02": "done", "WP03": "done"}
    events = project.events()
    assert _moves(events, "WP02") == [
        ("planned", "claimed"),
        ("claimed", "in_progress"),
        ("in_progress", "for_review"),
        ("for_review", "in_progress"),
        ("in_progress", "for_review"),
        ("for_review", "done"),
    ]
    wp02 = [e for e in events if e.get("wp_id") == "WP02" and "kind" not in e]
    assert wp02[3]["review_ref"].startswith("feedback-WP02-cycle1-") and wp02[3]["force"] is False
    assert wp02[5]["review_ref"].startswith("review-WP02-cycle2-")
    assert any(
        c["wp"] == "WP02" and c["role"] == "implementation" and c["rework"]
        for c in project.agent_calls()
    )
    logs = project.root / ".kittify" / "logs"
    assert (logs / f"{project.slug}_WP02_reimpl-1.log").exists()
    assert (logs / f"{project.slug}_WP02_review-2.log").exists()


def test_failing_implementation_blocks_and_deadlocks(tmp_path: Path) -> None:
    project = harness.make_project(tmp_path, max_retries=1, FAKE_AGENT_FAIL_IMPL="WP02")
    run = project.orchestrate()
    assert run.returncode == 1
    assert "Dependency deadlock detected. Non-terminal WPs: ['WP03']" in run.stdout + run.stderr
    assert _lanes(project) == {"WP01": "done", "WP02": "blocked", "WP03": "planned"}
    blocked = [e for e in project.events() if e.get("to_lane") == "blocked"]
    assert len(blocked) == 1 and blocked[0]["from_lane"] == "in_progress"
    assert (
        blocked[0]["force"] is False
        and blocked[0]["reason"] == "All implementation agents exhausted"
    )
    assert any(
        "FAILED: all implementation agents exhausted" in n for n in _notes(project.events(), "WP02")
    )
    code, env = project.spec_kitty(
        "orchestrator-api", "accept-mission", "--mission", project.slug, "--actor", ACTOR
    )
    assert code == 2 and env["error_code"] == "MISSION_NOT_READY"
    assert env["data"]["incomplete_wps"] == [
        {"wp_id": "WP02", "lane": "blocked"},
        {"wp_id": "WP03", "lane": "planned"},
    ]


def test_contract_smoke_through_the_client_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_orchestrator.host.client import HostClient, MissionNotFoundError

    project = harness.make_project(tmp_path)
    monkeypatch.setenv("PATH", project.env["PATH"])
    monkeypatch.setenv("SPEC_KITTY_HOME", project.env["SPEC_KITTY_HOME"])
    client = HostClient(project.root, ACTOR, policy_json=harness.POLICY_JSON)
    assert client.contract_version().api_version == "1.0.0"
    assert [w.wp_id for w in client.list_ready(project.slug).ready_work_packages] == [
        "WP01",
        "WP02",
    ]
    state = client.mission_state(project.slug)
    assert [w.lane for w in state.work_packages] == ["planned"] * 3
    started = client.start_implementation(project.slug, "WP01")
    assert started.to_lane == "in_progress" and Path(started.workspace_path).is_absolute()
    with pytest.raises(MissionNotFoundError):
        client.mission_state("999-missing")
    proc = subprocess.run(
        ["spec-kitty", "orchestrator-api", "feature-state", "--mission", project.slug],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and '"orchestrator-api.unknown"' in proc.stdout
