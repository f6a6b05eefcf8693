"""`spec-kitty status --mission M [--json]`: the kanban board."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Board", "--json", cwd=project).json()
    tasks = project / "kitty-specs" / created["mission_slug"] / "tasks"
    for wp in ("WP01", "WP02", "WP03"):
        (tasks / f"{wp}-x.md").write_text(f"---\nwork_package_id: {wp}\ntitle: Task {wp}\n---\n")
    return str(created["mission_slug"])


def test_status_json_and_table(run_cli: Any, project: Path, mission: str) -> None:
    run_cli(
        "agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission, "--actor", "ann"
    )
    run_cli(
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
        "shipped",
        "--actor",
        "bob",
    )
    result = run_cli("status", "--mission", mission, "--json")
    assert result.exit_code == 0
    data = result.json()
    assert (
        data["summary"]["claimed"] == 1
        and data["summary"]["done"] == 1
        and data["summary"]["planned"] == 1
    )
    assert data["done_count"] == 1 and data["total_wps"] == 3 and data["done_percentage"] == 33.3
    wp2 = next(w for w in data["work_packages"] if w["wp_id"] == "WP02")
    assert wp2["lane"] == "done" and wp2["last_actor"] == "bob" and wp2["force_count"] == 1
    table = run_cli("status", "--mission", mission)
    assert table.exit_code == 0
    for text in ("claimed (1)", "done (1)", "planned (1)", "WP01", "Task WP02", "1/3 done"):
        assert text in table.stdout


def test_status_unknown_mission(run_cli: Any, project: Path) -> None:
    result = run_cli("status", "--mission", "404-none", "--json", cwd=project)
    assert result.exit_code == 2 and result.json()["error_code"] == "MISSION_NOT_FOUND"
