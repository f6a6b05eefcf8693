"""`spec-kitty mission list|info|current|create`, the built-in definitions, the help text."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def create(run_cli: Any, project: Path, title: str) -> dict[str, Any]:
    res = run_cli("mission", "create", title, "--json", cwd=project)
    assert res.exit_code == 0, res.stdout + res.stderr
    data: dict[str, Any] = res.json()
    return data


def test_help_lists_the_commands_and_run_help(run_cli: Any) -> None:
    res = run_cli("mission", "--help")
    assert res.exit_code == 0
    for name in ("create", "current", "info", "list", "run"):
        assert f"\n  {name} " in res.stdout
    res = run_cli("mission", "run", "--help")
    assert "Start (or attach to) a runtime for a project-authored custom mission" in res.stdout
    assert "<mission-key>" in res.stdout and "--mission <mission-slug>" in res.stdout
    # `--json` reads as on every command; the seed's `--no-json` is accepted, not advertised
    assert "  --json " in res.stdout and "--no-json" not in res.stdout


def test_create_list_and_info(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "list", "--json", cwd=project)
    assert res.json() == {"result": "success", "missions": []}
    assert "No missions yet" in run_cli("mission", "list", cwd=project).stdout
    first = create(run_cli, project, "User auth flow")
    assert first["mission_slug"] == "001-user-auth-flow"
    human = run_cli("mission", "create", "Billing", "--mission-type", "research", cwd=project)
    assert human.exit_code == 0 and "002-billing" in human.stdout
    missions = run_cli("mission", "list", "--json", cwd=project).json()["missions"]
    assert [(m["mission_slug"], m["mission_number"], m["mission_type"]) for m in missions] == [
        ("001-user-auth-flow", 1, "software-dev"),
        ("002-billing", 2, "research"),
    ]
    assert missions[0]["mission_id"] == first["mission_id"]
    assert missions[0]["mission_dir"] == first["mission_dir"]
    assert "001-user-auth-flow" in run_cli("mission", "list", cwd=project).stdout
    for selector in ("001-user-auth-flow", first["mission_id"], first["mission_id"][:12]):
        info = run_cli("mission", "info", selector, "--json", cwd=project).json()
        assert info["mission"]["mission_id"] == first["mission_id"]
    text = run_cli("mission", "info", "002-billing", cwd=project).stdout
    assert "mission_type: research" in text and "mission_number: 2" in text


def test_create_rejects_unknown_type(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "create", "X", "--mission-type", "erp", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "MISSION_TYPE_UNKNOWN"
    assert not (project / "kitty-specs").exists()


def test_info_unknown_mission(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "info", "nope", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "MISSION_NOT_FOUND"


def test_current_from_env_and_branch(project: Path, run_cli: Any, monkeypatch: Any) -> None:
    first = create(run_cli, project, "User auth")
    create(run_cli, project, "User auth flow")
    res = run_cli("mission", "current", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "MISSION_NOT_DETECTED"
    assert res.json()["details"]["branch"] == "main"
    git(project, "checkout", "-q", "-b", "002-user-auth-flow-WP01")
    res = run_cli("mission", "current", "--json", cwd=project).json()
    assert (res["mission"]["mission_slug"], res["source"]) == ("002-user-auth-flow", "branch")
    git(project, "checkout", "-q", "-b", "001-user-auth")
    res = run_cli("mission", "current", "--json", cwd=project).json()
    assert res["mission"]["mission_slug"] == "001-user-auth"
    monkeypatch.setenv("SPEC_KITTY_MISSION", first["mission_id"])
    res = run_cli("mission", "current", "--json", cwd=project).json()
    assert (res["mission"]["mission_slug"], res["source"]) == ("001-user-auth", "env")
    assert "001-user-auth" in run_cli("mission", "current", cwd=project).stdout


def test_current_on_a_detached_head(project: Path, run_cli: Any) -> None:
    git(project, "checkout", "-q", "--detach")
    res = run_cli("mission", "current", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["details"]["branch"] is None


@pytest.mark.parametrize("key", ["software-dev", "research", "documentation", "plan"])
def test_builtin_definitions_validate(key: str, tmp_path: Path) -> None:
    from spec_kitty_cli.builtin_missions import BUILTIN_MISSIONS_ROOT
    from spec_kitty_cli.missions_custom import DiscoveryContext, validate_custom_mission

    ctx = DiscoveryContext(
        project_root=tmp_path, builtin_root=BUILTIN_MISSIONS_ROOT, home=tmp_path, environ={}
    )
    report = validate_custom_mission(ctx, key)
    assert report.ok, report.errors
    assert report.selected is not None and report.selected.tier == "builtin"
    steps = report.definition.steps
    # Built-ins are exempt from the retrospective rule, and bind every step to a profile.
    assert steps[-1].id != "retrospective"
    assert all(s.agent_profile and not s.contract_ref for s in steps)


def test_builtin_step_contracts_ship_every_id(tmp_path: Path) -> None:
    from spec_kitty_cli.builtin_missions import BUILTIN_STEP_CONTRACTS_ROOT
    from spec_kitty_cli.missions_custom._contracts import contract_ids

    ids = set(contract_ids(BUILTIN_STEP_CONTRACTS_ROOT, tmp_path))
    expected = {"specify", "plan", "tasks", "implement", "review"}
    expected |= {f"research-{s}" for s in ("scoping", "methodology", "gathering", "synthesis")}
    expected |= {"research-output"}
    expected |= {
        f"documentation-{s}"
        for s in ("discover", "audit", "design", "generate", "validate", "publish", "accept")
    }
    assert ids == expected


def test_definition_files_declare_custom_keys_only(tmp_path: Path) -> None:
    from spec_kitty_cli.missions_custom import RESERVED_BUILTIN_KEYS, load_definition

    path = tmp_path / "erp" / "mission.yaml"
    path.parent.mkdir()
    path.write_text(
        "mission: {key: erp, name: ERP, version: '1', description: d}\n"
        "steps:\n  - {id: a, title: A, agent-profile: p}\n"
        "audit_steps:\n  - {id: audit, title: Audit}\n"
    )
    definition = load_definition(path)
    assert definition.steps[0].agent_profile == "p"
    assert definition.description == "d"
    assert "erp" not in RESERVED_BUILTIN_KEYS


@pytest.mark.parametrize(
    ("audit", "needle"),
    [
        ("audit_steps: 3\n", "`audit_steps` must be a list"),
        ("audit_steps: [3]\n", "`audit_steps.0` must be a mapping"),
        ("audit_steps: [{id: a}]\n", "audit_steps.0.title"),
    ],
)
def test_audit_steps_shape(tmp_path: Path, audit: str, needle: str) -> None:
    from spec_kitty_cli.missions_custom import DefinitionLoadError, load_definition

    path = tmp_path / "mission.yaml"
    path.write_text("mission: {key: erp, name: ERP, version: '1'}\nsteps: [{id: a, title: A}]\n")
    path.write_text(path.read_text() + audit)
    with pytest.raises(DefinitionLoadError) as err:
        load_definition(path)
    assert needle in err.value.message


def test_unreadable_definition_is_malformed(tmp_path: Path) -> None:
    from spec_kitty_cli.missions_custom import DefinitionLoadError, load_definition

    folder = tmp_path / "mission.yaml"
    folder.mkdir()
    with pytest.raises(DefinitionLoadError) as err:
        load_definition(folder)
    assert err.value.code == "MISSION_YAML_MALFORMED"
    with pytest.raises(DefinitionLoadError) as err:
        load_definition(tmp_path / "absent.yaml")
    assert "cannot read the file" in err.value.message


@pytest.mark.slow
def test_wheel_ships_the_builtin_definitions_and_contracts(tmp_path: Path) -> None:
    import shutil
    import zipfile

    from spec_kitty_cli.builtin_missions import BUILTIN_MISSIONS_ROOT

    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    repo = Path(__file__).resolve().parents[3]
    subprocess.run(
        [uv, "build", "--package", "spec-kitty-cli", "--wheel", "--out-dir", str(tmp_path), "-q"],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "spec_kitty_cli/builtin_missions/" + p.relative_to(BUILTIN_MISSIONS_ROOT).as_posix()
        for p in BUILTIN_MISSIONS_ROOT.rglob("*.yaml")
    }
    assert len(shipped) == 4 + 17
    assert shipped <= names


def test_mission_list_json_imports_nothing_heavy(project: Path) -> None:
    import json
    import sys

    probe = (
        "import sys\n"
        "from spec_kitty_cli.main import run\n"
        "code = run(['mission', 'list', '--json'])\n"
        "heavy = ['yaml', 'rich', 'filelock', 'pydantic', 'httpx', 'sqlite_utils',\n"
        "         'spec_kitty_cli.missions_custom']\n"
        "print([m for m in heavy if m in sys.modules], code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True
    )
    envelope, loaded = done.stdout.splitlines()
    assert json.loads(envelope)["result"] == "success"
    assert loaded == "[] 0"
