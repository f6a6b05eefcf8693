"""`spec-kitty agent tasks finalize|move`: seeding and moving work packages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Docs site", "--json", cwd=project).json()
    tasks = project / "kitty-specs" / created["mission_slug"] / "tasks"
    (tasks / "WP01-setup.md").write_text("---\nwork_package_id: WP01\ntitle: Setup\n---\nSet up.\n")
    (tasks / "WP02-pages.md").write_text(
        "---\nwork_package_id: WP02\ntitle: Pages\ndependencies: [WP01]\nsubtasks: [T001]\n---\n"
    )
    return str(created["mission_slug"])


def _lines(project: Path, mission: str) -> list[dict[str, Any]]:
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    return [x for x in lines if "kind" not in x]  # transitions only


def test_finalize_seeds_planned_and_queues_wp_created(
    run_cli: Any, project: Path, mission: str
) -> None:
    result = run_cli("agent", "tasks", "finalize", "--mission", mission, "--json")
    assert result.exit_code == 0
    data = result.json()
    assert data["result"] == "success" and data["seeded"] == ["WP01", "WP02"]
    assert [(e["from_lane"], e["to_lane"]) for e in _lines(project, mission)] == [
        (None, "planned")
    ] * 2
    from spec_kitty_cli._events import EventQueue, queue_path

    with EventQueue(queue_path(project)) as queue:
        types = [e["event_type"] for e in queue.iter_envelopes()]
    assert types.count("WPCreated") == 2 and types.count("WPStatusChanged") == 2
    again = run_cli("agent", "tasks", "finalize", "--mission", mission)
    assert again.exit_code == 0 and "already seeded: WP01, WP02" in again.stdout


def test_finalize_rejects_unknown_frontmatter_keys(
    run_cli: Any, project: Path, mission: str
) -> None:
    bad = project / "kitty-specs" / mission / "tasks" / "WP03-x.md"
    bad.write_text("---\nwork_package_id: WP03\nfeature_slug: 001-old\n---\n")
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    before = log.read_bytes()
    result = run_cli("agent", "tasks", "finalize", "--mission", mission, "--json")
    assert result.exit_code == 2
    err = result.json()
    assert err["error_code"] == "WP_FILE_INVALID" and err["details"] == {
        "file": str(bad),
        "key": "feature_slug",
    }
    assert log.read_bytes() == before  # nothing written


def test_move_follows_the_table_and_force_needs_a_note(
    run_cli: Any, project: Path, mission: str
) -> None:
    run_cli("agent", "tasks", "finalize", "--mission", mission)
    ok = run_cli(
        "agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission, "--json"
    )
    assert ok.exit_code == 0 and ok.json()["to_lane"] == "claimed"
    human = run_cli("agent", "tasks", "move", "WP01", "--to", "doing", "--mission", mission)
    assert human.exit_code == 0 and "claimed → in_progress" in human.stdout
    illegal = run_cli(
        "agent", "tasks", "move", "WP02", "--to", "done", "--mission", mission, "--json"
    )
    assert illegal.exit_code == 2 and illegal.json()["error_code"] == "TRANSITION_REJECTED"
    no_note = run_cli(
        "agent", "tasks", "move", "WP02", "--to", "done", "--mission", mission, "--force", "--json"
    )
    assert "actor and reason" in no_note.json()["message"]
    forced = run_cli(
        "agent",
        "tasks",
        "move",
        "WP02",
        "--to",
        "done",
        "--mission",
        mission,
        "--force",
        "--note",
        "done elsewhere",
        "--actor",
        "lead",
        "--json",
    )
    assert forced.exit_code == 0
    last = _lines(project, mission)[-1]
    assert last["force"] is True and last["reason"] == "done elsewhere" and last["actor"] == "lead"
    assert last["evidence"]["review"] == {"reviewer": "lead", "verdict": "approved"}
    unknown = run_cli(
        "agent", "tasks", "move", "WP01", "--to", "in_review", "--mission", mission, "--json"
    )
    assert unknown.exit_code == 2 and unknown.json()["error_code"] == "USAGE_ERROR"


def test_move_to_done_with_caller_evidence(run_cli: Any, project: Path, mission: str) -> None:
    evidence = '{"review": {"reviewer": "qa", "verdict": "approved", "reference": "PR-7"}}'
    result = run_cli(
        "agent",
        "tasks",
        "move",
        "WP01",
        "--to",
        "done",
        "--mission",
        mission,
        "--force",
        "--note",
        "reviewed in PR-7",
        "--evidence-json",
        evidence,
        "--json",
    )
    assert result.exit_code == 0
    last = _lines(project, mission)[-1]
    assert last["evidence"]["review"] == {
        "reviewer": "qa",
        "verdict": "approved",
        "reference": "PR-7",
    }
    assert last["evidence"]["repos"][0]["branch"] == "main"
    bad = run_cli(
        "agent",
        "tasks",
        "move",
        "WP02",
        "--to",
        "done",
        "--mission",
        mission,
        "--force",
        "--note",
        "x",
        "--evidence-json",
        "{",
        "--json",
    )
    assert bad.exit_code == 2 and bad.json()["error_code"] == "USAGE_ERROR"


def test_finalize_reports_every_problem_in_one_pass(
    run_cli: Any, project: Path, mission: str
) -> None:
    tasks = project / "kitty-specs" / mission / "tasks"
    (tasks / "WP03-owner.md").write_text(
        "---\nwork_package_id: WP03\nowner: me\ncolour: red\n---\n"
    )
    (tasks / "WP04-ghost.md").write_text(
        "---\nwork_package_id: WP04\ntitle: Ghost\ndependencies: [WP09]\n---\n"
    )
    result = run_cli("agent", "tasks", "finalize", "--mission", mission, "--json")
    assert result.exit_code == 2
    err = result.json()
    assert err["error_code"] == "WP_FILE_INVALID"
    problems = err["details"]["errors"]
    assert [Path(p["file"]).name for p in problems] == ["WP03-owner.md", "WP04-ghost.md"]
    assert problems[0]["keys"] == ["colour", "owner"]
    assert "allowed: " in problems[0]["message"] and "dependencies" in problems[0]["message"]
    assert problems[1]["unknown"] == ["WP09"]
    human = run_cli("agent", "tasks", "finalize", "--mission", mission)
    assert "WP03-owner.md" in human.stderr and "WP04-ghost.md" in human.stderr
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
    assert not [r for r in lines if r.get("wp_id")]  # refused: no work package was seeded
