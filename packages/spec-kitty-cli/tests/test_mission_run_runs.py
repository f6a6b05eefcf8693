"""`mission run` success: the mission, the run dir, attach, RUN_START_FAILED, the Panel."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import yaml

STEPS: list[dict[str, Any]] = [
    {"id": "query-erp", "title": "Query the ERP", "agent_profile": "researcher-robbie"},
    {"id": "ask-user", "title": "Ask the user", "requires_inputs": ["export_shape"]},
    {"id": "draft", "title": "Draft the spec", "contract_ref": "specify"},
    {"id": "retrospective", "title": "Retrospective", "depends_on": ["draft"]},
]


def write_def(project: Path, key: str = "erp") -> Path:
    path = project / ".kittify" / "missions" / key / "mission.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"mission": {"key": key, "name": "ERP", "version": "1.0.0"}, "steps": STEPS}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run_json(run_cli: Any, project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    res = run_cli("mission", "run", *args, "--json", cwd=project)
    return res.exit_code, res.json()


def test_new_slug_creates_the_canonical_mission_and_a_run(project: Path, run_cli: Any) -> None:
    definition = write_def(project)
    code, env = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0
    mission_dir = (project / "kitty-specs" / "erp-rollout").resolve()
    meta = json.loads((mission_dir / "meta.json").read_text())
    runs = (project / ".kittify" / "runtime" / "runs").resolve()
    [run_dir] = list(runs.iterdir())
    assert env == {
        "result": "success",
        "mission_key": "erp",
        "mission_slug": "erp-rollout",
        "mission_id": meta["mission_id"],
        "feature_dir": str(mission_dir),
        "mission_dir": str(mission_dir),
        "run_dir": str(run_dir),
        "warnings": [],
    }
    assert list(env)[:7] == [
        "result",
        "mission_key",
        "mission_slug",
        "mission_id",
        "feature_dir",
        "mission_dir",
        "run_dir",
    ]
    assert meta["mission_slug"] == "erp-rollout"
    assert meta["mission_type"] == "erp"
    assert meta["mission_number"] == 1
    assert meta["target_branch"] == "main"
    frozen = (run_dir / "mission_template_frozen.yaml").read_bytes()
    assert frozen == definition.read_bytes()
    state = json.loads((run_dir / "state.json").read_text())
    assert state["run_id"] == run_dir.name and len(run_dir.name) == 32
    assert state["template_hash"] == hashlib.sha256(frozen).hexdigest()
    assert state["template_tier"] == "project_legacy"
    assert state["mission_id"] == meta["mission_id"]
    assert [s["route"]["kind"] for s in state["steps"]] == [
        "agent_profile",
        "decision",
        "step_contract",
        "retrospective",
    ]
    assert state["steps"][0]["route"]["contract_ref"] == "custom:erp:query-erp"
    [event] = [json.loads(line) for line in (run_dir / "run.events.jsonl").read_text().splitlines()]
    assert event["event_type"] == "MissionRunStarted"
    assert event["payload"]["run_id"] == run_dir.name
    index = json.loads((project / ".kittify" / "runtime" / "mission-runs.json").read_text())
    assert index["erp-rollout"]["run_dir"] == str(run_dir)
    assert not [p for p in runs.iterdir() if p.name.startswith(".tmp")]


def test_second_run_attaches(project: Path, run_cli: Any) -> None:
    write_def(project)
    _, first = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    code, second = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0
    assert second == first
    runs = project / ".kittify" / "runtime" / "runs"
    assert len(list(runs.iterdir())) == 1
    events = (Path(first["run_dir"]) / "run.events.jsonl").read_text().splitlines()
    assert len(events) == 1
    # attach by mission_id and by an id prefix too
    for selector in (first["mission_id"], first["mission_id"][:10].lower()):
        code, again = run_json(run_cli, project, "erp", "--mission", selector)
        assert (code, again["run_dir"], again["mission_slug"]) == (
            0,
            first["run_dir"],
            "erp-rollout",
        )


def test_stale_index_entry_starts_a_new_run(project: Path, run_cli: Any) -> None:
    write_def(project)
    _, first = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    (Path(first["run_dir"]) / "state.json").unlink()
    code, second = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0 and second["run_dir"] != first["run_dir"]
    index = project / ".kittify" / "runtime" / "mission-runs.json"
    data = json.loads(index.read_text())
    data["erp-rollout"]["run_id"] = "../../escape"
    index.write_text(json.dumps(data))
    code, third = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0 and third["run_dir"] not in {first["run_dir"], second["run_dir"]}


def test_existing_mission_keeps_its_identity(project: Path, run_cli: Any) -> None:
    write_def(project)
    created = run_cli("agent", "mission", "create", "Billing export", "--json", cwd=project).json()
    meta_file = Path(created["mission_dir"]) / "meta.json"
    before = meta_file.read_text()
    code, env = run_json(run_cli, project, "erp", "--mission", "001-billing-export")
    assert code == 0
    assert env["mission_id"] == created["mission_id"]
    assert meta_file.read_text() == before
    assert [p.name for p in (project / "kitty-specs").iterdir() if p.is_dir()] == [
        "001-billing-export"
    ]


def test_builtin_definition_runs(project: Path, run_cli: Any) -> None:
    code, env = run_json(run_cli, project, "software-dev", "--mission", "web-shop")
    assert code == 0, env
    state = json.loads((Path(env["run_dir"]) / "state.json").read_text())
    assert state["template_tier"] == "builtin"
    assert [s["id"] for s in state["steps"]][-1] == "accept"


def test_run_start_failed(project: Path, run_cli: Any) -> None:
    write_def(project)
    (project / ".kittify" / "runtime").write_text("not a folder")
    code, env = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 1
    assert env["result"] == "error" and env["error_code"] == "RUN_START_FAILED"
    assert env["details"]["mission_key"] == "erp"
    assert env["details"]["mission_slug"] == "erp-rollout"
    assert env["warnings"] == []
    assert not (project / "kitty-specs").exists()


def test_corrupt_index_is_run_start_failed_and_kept(project: Path, run_cli: Any) -> None:
    write_def(project)
    runtime = project / ".kittify" / "runtime"
    runtime.mkdir()
    (runtime / "mission-runs.json").write_text("[1, 2]")
    code, env = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert (code, env["error_code"]) == (1, "RUN_START_FAILED")
    assert (runtime / "mission-runs.json").read_text() == "[1, 2]"


def test_human_success_panel(project: Path, run_cli: Any) -> None:
    write_def(project)
    res = run_cli("mission", "run", "erp", "--mission", "erp-rollout", cwd=project)
    assert res.exit_code == 0
    assert "Mission Run Started" in res.stdout
    assert "feature_dir:" in res.stdout and "run_dir:" in res.stdout


def _render(outcome: Any) -> str:
    from rich.console import Console

    from spec_kitty_cli.missions_custom import build_panel

    buffer = io.StringIO()
    Console(file=buffer, width=72, color_system=None, legacy_windows=False).print(
        build_panel(outcome)
    )
    return buffer.getvalue()


SUCCESS_SNAPSHOT = """\
╭─ Mission Run Started ────────────────────────────────────────────────╮
│ Started a runtime of definition 'erp' for mission demo               │
│ (01J0000000000000000000000Z).                                        │
│   feature_dir: /repo/kitty-specs/demo                                │
│   run_dir: /repo/.kittify/runtime/runs/abc                           │
╰──────────────────────────────────────────────────────────────────────╯
"""

ERROR_SNAPSHOT = """\
╭─ MISSION_STEP_NO_PROFILE_BINDING ─────────────────────────────╮
│ step 'loose' declares neither agent_profile nor contract_ref  │
│   file: /repo/.kittify/missions/erp/mission.yaml              │
│   mission_key: erp                                            │
│   step_id: loose                                              │
│ [warn] MISSION_KEY_SHADOWED: 'erp' shadows 1 other definition │
╰───────────────────────────────────────────────────────────────╯
"""


def test_panel_snapshots() -> None:
    from spec_kitty_cli.missions_custom import RunOutcome

    ok = RunOutcome(
        exit_code=0,
        envelope={
            "result": "success",
            "mission_key": "erp",
            "mission_slug": "demo",
            "mission_id": "01J0000000000000000000000Z",
            "feature_dir": "/repo/kitty-specs/demo",
            "mission_dir": "/repo/kitty-specs/demo",
            "run_dir": "/repo/.kittify/runtime/runs/abc",
            "warnings": [],
        },
        message="Started a runtime of definition 'erp' for mission demo "
        "(01J0000000000000000000000Z).",
    )
    assert _render(ok) == SUCCESS_SNAPSHOT
    warning = {
        "code": "MISSION_KEY_SHADOWED",
        "message": "'erp' shadows 1 other definition",
        "details": {},
    }
    failed = RunOutcome(
        exit_code=2,
        envelope={
            "result": "error",
            "error_code": "MISSION_STEP_NO_PROFILE_BINDING",
            "message": "step 'loose' declares neither agent_profile nor contract_ref",
            "details": {
                "file": "/repo/.kittify/missions/erp/mission.yaml",
                "mission_key": "erp",
                "step_id": "loose",
            },
            "warnings": [warning],
        },
        message="step 'loose' declares neither agent_profile nor contract_ref",
        warnings=[warning],
    )
    assert _render(failed) == ERROR_SNAPSHOT


def test_detached_head_new_slug_is_refused_before_writing(project: Path, run_cli: Any) -> None:
    import subprocess

    write_def(project)
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=project, check=True)
    code, env = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert (code, env["error_code"]) == (2, "TARGET_BRANCH_UNKNOWN")
    assert env["warnings"] == []
    assert not (project / "kitty-specs" / "erp-rollout").exists()
    assert not (project / ".kittify" / "runtime" / "runs").exists()


def test_recreated_mission_gets_a_new_run(project: Path, run_cli: Any) -> None:
    import shutil

    write_def(project)
    _, first = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    shutil.rmtree(first["feature_dir"])
    code, second = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0
    assert second["mission_id"] != first["mission_id"]
    assert second["run_dir"] != first["run_dir"]


def test_same_root_in_two_tiers_is_scanned_once(
    project: Path, run_cli: Any, monkeypatch: Any
) -> None:
    write_def(project)
    monkeypatch.setenv("SPEC_KITTY_MISSION_PATHS", str(project / ".kittify" / "missions"))
    code, env = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    assert code == 0 and env["warnings"] == []
    state = json.loads((Path(env["run_dir"]) / "state.json").read_text())
    assert state["template_tier"] == "env"


def test_human_error_renders_null_details(project: Path, run_cli: Any) -> None:
    path = project / ".kittify" / "missions" / "keyless" / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("mission: {name: n, version: '1'}\nsteps: [{id: a, title: A}]\n")
    res = run_cli("mission", "run", "keyless", "--mission", "x", cwd=project)
    assert res.exit_code == 2
    assert "MISSION_REQUIRED_FIELD_MISSING" in res.stderr
    assert "mission_key: null" in res.stderr and "field: mission.key" in res.stderr


def test_missing_argument_with_json(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "run", "--mission", "x", "--json", cwd=project)
    assert res.exit_code == 2
    env = res.json()
    assert (env["error_code"], env["warnings"]) == ("USAGE_ERROR", [])
    assert env["details"]["param"] == "'<mission-key>'"


def test_attach_reports_the_definition_the_run_uses(project: Path, run_cli: Any) -> None:
    write_def(project, "erp")
    write_def(project, "erp-two")
    _, first = run_json(run_cli, project, "erp", "--mission", "erp-rollout")
    code, second = run_json(run_cli, project, "erp-two", "--mission", "erp-rollout")
    assert code == 0
    assert (second["mission_key"], second["run_dir"]) == ("erp", first["run_dir"])
