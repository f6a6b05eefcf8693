"""Mission selection for people: inferred when it can be, candidates listed when it cannot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import git


def create(run_cli: Any, project: Path, title: str) -> str:
    return str(run_cli("mission", "create", title, "--json", cwd=project).json()["mission_slug"])


def test_the_only_mission_is_inferred_and_named_on_stderr(project: Path, run_cli: Any) -> None:
    slug = create(run_cli, project, "Docs site")
    res = run_cli("status", "--json", cwd=project)
    assert res.exit_code == 0
    assert res.json()["mission_slug"] == slug
    assert f"using mission {slug} (the only mission)" in res.stderr
    current = run_cli("mission", "current", "--json", cwd=project).json()
    assert (current["mission"]["mission_slug"], current["source"]) == (slug, "only")


def test_the_number_selects_a_mission(project: Path, run_cli: Any) -> None:
    create(run_cli, project, "Docs site")
    second = create(run_cli, project, "Billing")
    for selector in ("002", "2"):
        res = run_cli("status", "--mission", selector, "--json", cwd=project)
        assert res.exit_code == 0 and res.json()["mission_slug"] == second


def test_an_unknown_selector_lists_the_missions(project: Path, run_cli: Any) -> None:
    first = create(run_cli, project, "Docs site")
    second = create(run_cli, project, "Billing")
    res = run_cli("status", "--mission", "007", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "MISSION_NOT_FOUND"
    assert err["details"]["candidates"] == [first, second]
    human = run_cli("status", "--mission", "007", cwd=project)
    assert first in human.stderr and second in human.stderr


def test_two_missions_and_no_hint_list_the_candidates(project: Path, run_cli: Any) -> None:
    first = create(run_cli, project, "Docs site")
    second = create(run_cli, project, "Billing")
    res = run_cli("status", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "MISSION_NOT_DETECTED"
    assert err["details"]["candidates"] == [first, second]
    git(project, "checkout", "-q", "-b", f"{second}-WP01")
    res = run_cli("status", "--json", cwd=project)
    assert res.exit_code == 0 and res.json()["mission_slug"] == second
    assert "the mission of branch" in res.stderr


def test_the_environment_wins(project: Path, run_cli: Any, monkeypatch: Any) -> None:
    first = create(run_cli, project, "Docs site")
    create(run_cli, project, "Billing")
    monkeypatch.setenv("SPEC_KITTY_MISSION", "1")
    res = run_cli("status", "--json", cwd=project)
    assert res.exit_code == 0 and res.json()["mission_slug"] == first
    assert "from $SPEC_KITTY_MISSION" in res.stderr


def test_no_mission_yet_says_how_to_create_one(project: Path, run_cli: Any) -> None:
    res = run_cli("status", cwd=project)
    assert res.exit_code == 2
    assert "spec-kitty mission create" in res.stderr


def test_orchestrator_api_still_requires_mission(project: Path, run_cli: Any) -> None:
    create(run_cli, project, "Docs site")
    res = run_cli("orchestrator-api", "mission-state", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "USAGE_ERROR"


def test_next_and_decisions_infer_the_mission_too(project: Path, run_cli: Any) -> None:
    slug = create(run_cli, project, "Docs site")
    step = run_cli("next", "--json", cwd=project)
    assert step.exit_code == 0, step.stdout
    assert step.json()["mission_slug"] == slug and step.json()["kind"] == "step"
    assert f"using mission {slug} (the only mission)" in step.stderr
    listed = run_cli("agent", "decision", "list", "--json", cwd=project)
    assert listed.exit_code == 0 and listed.json()["mission_slug"] == slug
    unknown = run_cli("agent", "decision", "resolve", "D1", "--final-answer", "x", "--json")
    assert unknown.exit_code == 2 and unknown.json()["error_code"] != "USAGE_ERROR"
    create(run_cli, project, "Billing")
    ambiguous = run_cli("next", "--json", cwd=project)
    assert ambiguous.exit_code == 2
    assert ambiguous.json()["error_code"] == "MISSION_NOT_DETECTED"


def test_the_console_script_infers_the_mission_of_next(project: Path, run_cli: Any) -> None:
    import subprocess
    import sys

    slug = create(run_cli, project, "Docs site")
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", "next", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["mission_slug"] == slug
