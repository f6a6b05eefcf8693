"""The pydantic definition schema: every problem of a file in one pass, with its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def _write(project: Path, text: str, key: str = "erp") -> Path:
    path = project / ".kittify" / "missions" / key / "mission.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _refused(run_cli: Any, project: Path, key: str = "erp") -> dict[str, Any]:
    res = run_cli("mission", "run", key, "--mission", "demo-run", "--json", cwd=project)
    assert res.exit_code == 2, res.stdout
    assert not (project / "kitty-specs").exists()
    envelope: dict[str, Any] = res.json()
    return envelope


def test_every_problem_is_reported_with_its_line(project: Path, run_cli: Any) -> None:
    path = _write(
        project,
        "mission:\n"
        "  key: erp\n"
        "  name: ERP\n"
        "  version: '1'\n"
        "steps:\n"
        "  - id: query\n"
        "    title: Query\n"
        "    agnet_profile: researcher-robbie\n"
        "  - id: draft\n"
        "    depends_on: [query]\n"
        "    agent_profile: implementer-ivan\n"
        "  - id: ship\n"
        "    title: 3\n"
        "    agent_profile: x\n",
    )
    env = _refused(run_cli, project)
    errors = env["details"]["errors"]
    codes = [e["code"] for e in errors]
    assert env["error_code"] == codes[0]
    assert sorted(codes) == sorted(
        ["MISSION_YAML_MALFORMED", "MISSION_REQUIRED_FIELD_MISSING", "MISSION_YAML_MALFORMED"]
    )
    by_field = {e["details"]["field"]: e for e in errors}
    unknown = by_field["steps.0.agnet_profile"]
    assert unknown["details"]["line"] == 8
    assert "agent_profile" in unknown["details"]["allowed_keys"]
    assert "agent-profile" in unknown["details"]["allowed_keys"]
    assert "allowed keys:" in unknown["message"] and f"{path.resolve()}:8:" in unknown["message"]
    assert unknown["details"]["mission_key"] == "erp"
    assert unknown["details"]["file"] == str(path.resolve())
    missing = by_field["steps.1.title"]
    assert missing["details"]["missing_fields"] == ["steps.1.title"]
    assert missing["details"]["line"] == 9
    wrong = by_field["steps.2.title"]
    assert "must be a string" in wrong["details"]["parse_error"] and wrong["details"]["line"] == 13


def test_all_missing_fields_are_listed(project: Path, run_cli: Any) -> None:
    _write(project, "mission: {key: erp}\nsteps:\n  - {id: a}\n")
    env = _refused(run_cli, project)
    assert env["error_code"] == "MISSION_REQUIRED_FIELD_MISSING"
    assert env["details"]["field"] == "mission.name"
    assert env["details"]["missing_fields"] == ["mission.name", "mission.version", "steps.0.title"]
    assert env["details"]["line"] == 1


def test_structural_problems_come_together(project: Path, run_cli: Any) -> None:
    _write(
        project,
        "mission: {key: erp, name: ERP, version: '1'}\n"
        "steps:\n"
        "  - {id: a, title: A}\n"
        "  - {id: b, title: B, agent_profile: p, contract_ref: specify, depends_on: [a, b]}\n",
    )
    env = _refused(run_cli, project)
    codes = [e["code"] for e in env["details"]["errors"]]
    assert env["details"]["actual_last_step_id"] == "b"
    assert codes == [
        "MISSION_RETROSPECTIVE_MISSING",
        "MISSION_STEP_DEPENDENCY_CYCLE",
        "MISSION_STEP_NO_PROFILE_BINDING",
        "MISSION_STEP_AMBIGUOUS_BINDING",
    ]
    assert env["details"]["errors"][1]["details"]["cycle"] == ["b", "b"]


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        (
            "steps:\n  - {id: a, title: A, raci: {responsible: {actor_type: robot}}}\n",
            "steps.0.raci",
        ),
        ("steps:\n  - {id: a, title: A, requires_inputs: ['']}\n", "list of non-empty strings"),
        (
            "steps:\n  - {id: a, title: A}\naudit_steps: [{id: x, title: X, audit: {trigger_mode: never, enforcement: blocking}}]\n",
            "audit_steps.0.audit.trigger_mode",
        ),
        ("steps:\n  - {id: a, title: A}\nextra_top: 1\n", "unknown key `extra_top`"),
    ],
)
def test_shape_problems(project: Path, run_cli: Any, yaml_text: str, needle: str) -> None:
    _write(project, "mission: {key: erp, name: ERP, version: '1'}\n" + yaml_text)
    env = _refused(run_cli, project)
    messages = " ".join(e["message"] for e in env["details"]["errors"])
    assert needle in messages


def test_valid_definition_with_raci_and_audit_steps_runs(project: Path, run_cli: Any) -> None:
    _write(
        project,
        "mission: {key: erp, name: ERP, version: '1'}\n"
        "steps:\n"
        "  - id: a\n"
        "    title: A\n"
        "    agent-profile: implementer-ivan\n"
        "    raci:\n"
        "      responsible: {actor_type: llm}\n"
        "      accountable: {actor_type: human, actor_id: pat}\n"
        "    raci_override_reason: pat owns it\n"
        "  - {id: retrospective, title: Retro, depends_on: [a]}\n"
        "audit_steps:\n"
        "  - {id: audit, title: Audit, audit: {trigger_mode: manual, enforcement: advisory}}\n",
    )
    res = run_cli("mission", "run", "erp", "--mission", "demo-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout


def _imported(args: list[str], cwd: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "spec_kitty_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    ]


def test_pydantic_stays_off_the_orchestrator_api_and_next_paths(
    project: Path, run_cli: Any
) -> None:
    created = run_cli("agent", "mission", "create", "Plain", "--json", cwd=project).json()
    slug = created["mission_slug"]
    state = _imported(["orchestrator-api", "mission-state", "--mission", slug], project)
    assert "spec_kitty_orchestrator_api" in state  # the measurement sees the command's imports
    assert not [m for m in state if m.split(".")[0] == "pydantic"]
    # a built-in run is started (and its definition validated) on the first call ...
    first = _imported(["next", "--mission", slug, "--json"], project)
    assert "pydantic" in first
    # ... every later call plans from the frozen run: no pydantic, no click, no rich
    later = _imported(["next", "--mission", slug, "--json"], project)
    assert "spec_kitty_cli.runtime._engine" in later
    roots = {m.split(".")[0] for m in later}
    assert not roots & {"pydantic", "click", "rich", "yaml"}
