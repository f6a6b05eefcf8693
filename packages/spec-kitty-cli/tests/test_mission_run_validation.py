"""`spec-kitty mission run`: one test per validation code, selector codes, malformed YAML.

Every error test checks the exact envelope, the exit code and that nothing was created.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

STEPS: list[dict[str, Any]] = [
    {"id": "gather", "title": "Gather", "agent_profile": "researcher-robbie"},
    {"id": "decide", "title": "Decide", "requires_inputs": ["export_shape"]},
    {"id": "retrospective", "title": "Retrospective", "depends_on": ["decide"]},
]
RESERVED = ["documentation", "plan", "research", "software-dev"]
TIERS = [
    "explicit",
    "env",
    "project_override",
    "project_legacy",
    "user_global",
    "project_config",
    "builtin",
]


def write_def(folder: Path, key: str | None, steps: Any = STEPS, **meta: Any) -> Path:
    block: dict[str, Any] = {"name": "Demo mission", "version": "1.0.0", **meta}
    if key is not None:
        block = {"key": key, **block}
    path = folder / "mission.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"mission": block, "steps": steps}, sort_keys=False))
    return path


def legacy(project: Path, key: str) -> Path:
    return project / ".kittify" / "missions" / key


def tree(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if ".git" not in p.relative_to(root).parts
    }


VALIDATION_CODES = {
    "MISSION_YAML_MALFORMED",
    "MISSION_REQUIRED_FIELD_MISSING",
    "MISSION_KEY_UNKNOWN",
    "MISSION_KEY_RESERVED",
    "MISSION_RETROSPECTIVE_MISSING",
    "MISSION_STEP_NO_PROFILE_BINDING",
    "MISSION_STEP_AMBIGUOUS_BINDING",
    "MISSION_CONTRACT_REF_UNRESOLVED",
    "MISSION_STEP_DEPENDENCY_CYCLE",
    "MISSION_STEP_DEPENDENCY_UNKNOWN",
}


def run_error(run_cli: Any, project: Path, key: str, selector: str = "demo-run") -> dict[str, Any]:
    before = tree(project)
    res = run_cli("mission", "run", key, "--mission", selector, "--json", cwd=project)
    assert res.exit_code == 2, res.stdout + res.stderr
    env = res.json()
    assert list(env) == ["result", "error_code", "message", "details", "warnings"]
    assert env["result"] == "error"
    assert isinstance(env["details"], dict)
    assert tree(project) == before, "a validation error must create nothing"
    assert not (project / "kitty-specs").exists()
    assert not (project / ".kittify" / "runtime" / "runs").exists()
    if env["error_code"] in VALIDATION_CODES:
        # details.errors lists every problem; the envelope's code and details are the first's
        errors = env["details"].pop("errors")
        assert errors[0]["code"] == env["error_code"]
        assert errors[0]["details"] == env["details"]
    return env


def test_yaml_malformed(project: Path, run_cli: Any) -> None:
    path = legacy(project, "broken") / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("mission: [unclosed\n")
    env = run_error(run_cli, project, "broken")
    assert env["error_code"] == "MISSION_YAML_MALFORMED"
    assert set(env["details"]) == {"file", "mission_key", "parse_error"}
    assert env["details"]["mission_key"] is None  # best effort: unreadable YAML names no key
    assert env["details"]["file"] == str(path.resolve())
    assert env["details"]["parse_error"].startswith("invalid YAML")
    assert env["warnings"] == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"- a\n- b\n", "must be a mapping, found list"),
        (b"", "file is empty"),
        (b"   \n# only a comment\n", "file is empty"),
        (b"42\n", "must be a mapping, found int"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"mission:\n  key: caf\xe9\n", "not UTF-8"),
        (b"a: " + b"x" * (5 * 1024 * 1024) + b"\n", "limit is 1048576 bytes"),
        (b"[" * 200_000 + b"]" * 200_000, "nesting deeper than 64 levels"),
        (b"steps:\n" + b"- " * 100_000 + b"x\n", "nesting deeper than 64 levels"),
        (b"mission: {key: [\n", "invalid YAML"),
        (b"mission: {key: weird, name: n, version: '1'}\nsteps: 7\n", "`steps` must be a list"),
        (b"mission: oops\nsteps: []\n", "`mission` must be a mapping"),
        (b"mission: {key: weird, name: n, version: 1.0}\nsteps: [{id: a, title: A}]\n", "string"),
        (
            b"mission: {key: Not_Kebab, name: n, version: '1'}\nsteps: [{id: a, title: A}]\n",
            "kebab",
        ),
    ],
    ids=[
        "list",
        "empty",
        "blank",
        "scalar",
        "binary",
        "latin1",
        "5MB",
        "deep-flow",
        "deep-block",
        "unclosed",
        "steps-not-list",
        "mission-not-mapping",
        "float-version",
        "bad-key",
    ],
)
def test_unusable_files_are_malformed_never_a_traceback(
    project: Path, run_cli: Any, content: bytes, needle: str
) -> None:
    path = legacy(project, "weird") / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    env = run_error(run_cli, project, "weird")
    assert env["error_code"] == "MISSION_YAML_MALFORMED"
    assert env["details"]["file"] == str(path.resolve())
    assert needle in env["details"]["parse_error"]


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        (["just a string"], "`steps.0` must be a mapping"),
        ([{"id": "a", "title": "A", "depends_on": "b"}], "list of non-empty strings"),
        ([{"id": "a", "title": "A"}, {"id": "a", "title": "B"}], "duplicate step ids: a"),
        ([{"id": "a", "title": "A", "agent_profile": "x", "agent-profile": "y"}], "twice"),
        ([{"id": "a", "title": "A", "prompt": 3}], "`steps.0.prompt` must be a string"),
    ],
)
def test_step_shape_errors_are_malformed(
    project: Path, run_cli: Any, steps: Any, needle: str
) -> None:
    write_def(legacy(project, "shape"), "shape", steps=steps)
    env = run_error(run_cli, project, "shape")
    assert env["error_code"] == "MISSION_YAML_MALFORMED"
    assert needle in env["details"]["parse_error"]


@pytest.mark.parametrize(
    ("key", "meta", "steps", "field", "reported_key"),
    [
        ("nameless", {"name": None}, STEPS, "mission.name", "nameless"),
        ("noversion", {"version": "  "}, STEPS, "mission.version", "noversion"),
        (None, {}, STEPS, "mission.key", None),
        ("stepless", {}, [], "steps", "stepless"),
        ("untitled", {}, [{"id": "a", "agent_profile": "p"}], "steps.0.title", "untitled"),
    ],
)
def test_required_field_missing(
    project: Path,
    run_cli: Any,
    key: str | None,
    meta: dict[str, Any],
    steps: Any,
    field: str,
    reported_key: str | None,
) -> None:
    folder = legacy(project, key or "keyless")
    path = write_def(folder, key, steps=steps, **meta)
    env = run_error(run_cli, project, key or "keyless")
    assert env["error_code"] == "MISSION_REQUIRED_FIELD_MISSING"
    line = env["details"].pop("line")
    assert isinstance(line, int) and line >= 1
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": reported_key,
        "field": field,
        "missing_fields": [field],
    }


def test_missing_mission_block_reports_mission_key_field(project: Path, run_cli: Any) -> None:
    path = legacy(project, "bare") / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("steps:\n  - {id: a, title: A, agent_profile: p}\n")
    env = run_error(run_cli, project, "bare")
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": None,
        "field": "mission.key",
        "missing_fields": ["mission.key", "mission.name", "mission.version"],
        "line": 1,
    }


def test_key_unknown_lists_every_tier(project: Path, run_cli: Any) -> None:
    write_def(legacy(project, "other"), "other")
    env = run_error(run_cli, project, "nope")
    assert env["error_code"] == "MISSION_KEY_UNKNOWN"
    assert env["details"] == {"mission_key": "nope", "tiers_searched": TIERS}
    assert env["warnings"] == []


def test_key_ambiguous_is_reserved_and_same_tier_duplicates_shadow(
    project: Path, run_cli: Any
) -> None:
    from spec_kitty_cli.missions_custom import VALIDATION_DETAIL_KEYS, VALIDATION_ERROR_CODES

    # Reserved in the closed enum (details keys fixed), never raised: within one tier the
    # first folder in sorted order wins and the others are reported as shadowed.
    assert "MISSION_KEY_AMBIGUOUS" in VALIDATION_ERROR_CODES
    assert VALIDATION_DETAIL_KEYS["MISSION_KEY_AMBIGUOUS"] == ("mission_key", "paths")
    first = write_def(legacy(project, "a-copy"), "twin")
    second = write_def(legacy(project, "b-copy"), "twin")
    res = run_cli("mission", "run", "twin", "--mission", "twin-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    [warning] = res.json()["warnings"]
    assert warning["code"] == "MISSION_KEY_SHADOWED"
    assert warning["details"]["selected_path"] == str(first.resolve())
    assert warning["details"]["shadowed_paths"] == [str(second.resolve())]


def test_key_reserved(project: Path, run_cli: Any) -> None:
    path = write_def(legacy(project, "software-dev"), "software-dev")
    env = run_error(run_cli, project, "software-dev")
    assert env["error_code"] == "MISSION_KEY_RESERVED"
    assert env["details"] == {
        "mission_key": "software-dev",
        "file": str(path.resolve()),
        "tier": "project_legacy",
        "reserved_keys": RESERVED,
    }
    [warning] = env["warnings"]
    assert warning["code"] == "MISSION_KEY_SHADOWED"
    assert warning["details"]["selected_tier"] == "project_legacy"
    shadowed = warning["details"]["shadowed_paths"]
    assert len(shadowed) == 1 and shadowed[0].endswith("builtin_missions/software-dev/mission.yaml")


def test_retrospective_missing(project: Path, run_cli: Any) -> None:
    path = write_def(legacy(project, "noretro"), "noretro", steps=STEPS[:2])
    env = run_error(run_cli, project, "noretro")
    assert env["error_code"] == "MISSION_RETROSPECTIVE_MISSING"
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": "noretro",
        "actual_last_step_id": "decide",
        "expected": "retrospective",
    }


def test_step_no_profile_binding(project: Path, run_cli: Any) -> None:
    steps = [{"id": "loose", "title": "Loose"}, *STEPS]
    path = write_def(legacy(project, "unbound"), "unbound", steps=steps)
    env = run_error(run_cli, project, "unbound")
    assert env["error_code"] == "MISSION_STEP_NO_PROFILE_BINDING"
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": "unbound",
        "step_id": "loose",
    }


def test_step_ambiguous_binding(project: Path, run_cli: Any) -> None:
    steps = [{"id": "both", "title": "Both", "agent_profile": "p", "contract_ref": "plan"}, *STEPS]
    path = write_def(legacy(project, "twofold"), "twofold", steps=steps)
    env = run_error(run_cli, project, "twofold")
    assert env["error_code"] == "MISSION_STEP_AMBIGUOUS_BINDING"
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": "twofold",
        "step_id": "both",
    }


def test_first_error_is_reported(project: Path, run_cli: Any) -> None:
    steps = [{"id": "loose", "title": "Loose"}]
    write_def(legacy(project, "many"), "many", steps=steps)
    env = run_error(run_cli, project, "many")
    assert env["error_code"] == "MISSION_RETROSPECTIVE_MISSING"


def test_contract_ref_unresolved(project: Path, run_cli: Any) -> None:
    steps = [{"id": "draft", "title": "Draft", "contract_ref": "no-such-contract"}, *STEPS]
    path = write_def(legacy(project, "refs"), "refs", steps=steps)
    env = run_error(run_cli, project, "refs")
    assert env["error_code"] == "MISSION_CONTRACT_REF_UNRESOLVED"
    assert env["details"] == {
        "file": str(path.resolve()),
        "mission_key": "refs",
        "step_id": "draft",
        "contract_ref": "no-such-contract",
    }


def test_contract_refs_resolve_against_builtin_and_project_contracts(
    project: Path, run_cli: Any
) -> None:
    contracts = project / ".kittify" / "doctrine" / "mission_step_contracts"
    contracts.mkdir(parents=True)
    (contracts / "erp-export.step-contract.yaml").write_text(
        "id: erp-export\nschema_version: '1.0'\naction: export\nmission: erp\n"
        "steps:\n  - {id: export.execute, description: Export}\n"
    )
    (contracts / "broken.step-contract.yaml").write_text("id: [\n")
    (contracts / "stepless.step-contract.yaml").write_text("id: stepless\nsteps: []\n")
    steps = [
        {"id": "spec", "title": "Spec", "contract_ref": "specify"},
        {"id": "export", "title": "Export", "contract_ref": "erp-export"},
        *STEPS,
    ]
    write_def(legacy(project, "refs"), "refs", steps=steps)
    res = run_cli("mission", "run", "refs", "--mission", "refs-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    for bad in ("stepless", "broken"):
        steps[0] = {"id": "spec", "title": "Spec", "contract_ref": bad}
        write_def(legacy(project, f"refs-{bad}"), f"refs-{bad}", steps=steps)
        res = run_cli("mission", "run", f"refs-{bad}", "--mission", "other", "--json", cwd=project)
        assert res.exit_code == 2
        assert res.json()["error_code"] == "MISSION_CONTRACT_REF_UNRESOLVED"


def test_selector_ambiguous(project: Path, run_cli: Any) -> None:
    ids = []
    for title in ("First thing", "Second thing"):
        res = run_cli("agent", "mission", "create", title, "--json", cwd=project)
        ids.append(res.json()["mission_id"])
    prefix = ""
    for a, b in zip(*ids, strict=True):
        if a != b:
            break
        prefix += a
    assert len(prefix) >= 4
    write_def(legacy(project, "erp"), "erp")
    before = tree(project)
    res = run_cli("mission", "run", "erp", "--mission", prefix, "--json", cwd=project)
    assert res.exit_code == 2
    env = res.json()
    assert env["error_code"] == "MISSION_AMBIGUOUS_SELECTOR"
    assert sorted(env["details"]["candidates"]) == ["001-first-thing", "002-second-thing"]
    assert env["warnings"] == []
    assert tree(project) == before


@pytest.mark.parametrize("selector", ["a/b", "..", "../escape", "x/../y", "Not_Kebab", ""])
def test_selector_slug_invalid(project: Path, run_cli: Any, selector: str) -> None:
    write_def(legacy(project, "erp"), "erp")
    env = run_error(run_cli, project, "erp", selector=selector)
    assert env["error_code"] == "MISSION_SLUG_INVALID"
    assert env["details"] == {"mission_slug": selector}
    assert not (project.parent / "escape").exists()


def test_human_error_panel_goes_to_stderr(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "run", "nope", "--mission", "demo-run", cwd=project)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "MISSION_KEY_UNKNOWN" in res.stderr
    assert "tiers_searched: explicit, env," in res.stderr


def test_usage_error_with_json_has_the_run_envelope(project: Path, run_cli: Any) -> None:
    res = run_cli("mission", "run", "erp", "--json", cwd=project)
    assert res.exit_code == 2
    env = res.json()
    assert env["error_code"] == "USAGE_ERROR"
    assert env["warnings"] == [] and "--mission" in env["message"]
    assert env["details"] == {"param": "'--mission'"}
    res = run_cli("mission", "run", "erp", cwd=project)
    assert res.exit_code == 2 and res.stdout == ""


def test_outside_a_project_is_a_structured_error(tmp_path: Path, run_cli: Any) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    res = run_cli("mission", "run", "erp", "--mission", "x", "--json", cwd=bare)
    assert res.exit_code == 2
    assert json.loads(res.stdout)["result"] == "error"
