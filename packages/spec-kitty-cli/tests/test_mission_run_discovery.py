"""Discovery of custom mission definitions: precedence across the seven tiers, packs, shadowing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_kitty_cli.missions_custom import (
    TIERS,
    DiscoveryContext,
    discover,
    validate_custom_mission,
)

STEPS: list[dict[str, Any]] = [
    {"id": "gather", "title": "Gather", "agent_profile": "researcher-robbie"},
    {"id": "retrospective", "title": "Retrospective"},
]


def write_def(folder: Path, key: str, name: str = "Demo") -> Path:
    path = folder / "mission.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"mission": {"key": key, "name": name, "version": "1.0.0"}, "steps": STEPS}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path.resolve()


def add_packs(project: Path, packs: Any) -> None:
    config = project / ".kittify" / "config.yaml"
    config.write_text(config.read_text() + yaml.safe_dump({"mission_packs": packs}))


def make_pack(root: Path, entries: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    manifest = {
        "pack": {"name": "acme", "version": "1.0.0"},
        "missions": [{"key": k, "path": p} for k, p in entries.items()],
    }
    (root / "mission-pack.yaml").write_text(yaml.safe_dump(manifest))


def test_precedence_across_all_seven_tiers(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    explicit = tmp_path / "explicit"
    env_root = tmp_path / "env-root"
    builtin = tmp_path / "builtin"
    paths = {
        "explicit": write_def(explicit / "multi", "multi"),
        "env": write_def(env_root / "multi", "multi"),
        "project_override": write_def(
            project / ".kittify" / "overrides" / "missions" / "multi", "multi"
        ),
        "project_legacy": write_def(project / ".kittify" / "missions" / "multi", "multi"),
        "user_global": write_def(home / ".kittify" / "missions" / "multi", "multi"),
        "project_config": write_def(project / "packs" / "acme" / "defs" / "multi", "multi"),
        "builtin": write_def(builtin / "multi", "multi"),
    }
    make_pack(project / "packs" / "acme", {"multi": "defs/multi/mission.yaml"})
    add_packs(project, ["packs/acme"])
    ctx = DiscoveryContext(
        project_root=project,
        builtin_root=builtin,
        home=home,
        environ={"SPEC_KITTY_MISSION_PATHS": f"{os.pathsep} {os.pathsep}{env_root}"},
        explicit_paths=[explicit],
    )
    assert list(paths) == list(TIERS)
    for index, tier in enumerate(TIERS):
        report = validate_custom_mission(ctx, "multi")
        assert report.ok, report.errors
        assert report.selected is not None
        assert (report.selected.tier, report.selected.path) == (tier, paths[tier])
        lower = [str(paths[t]) for t in TIERS[index + 1 :]]
        shadow = [w for w in report.warnings if w["code"] == "MISSION_KEY_SHADOWED"]
        if lower:
            assert shadow == [
                {
                    "code": "MISSION_KEY_SHADOWED",
                    "message": shadow[0]["message"],
                    "details": {
                        "mission_key": "multi",
                        "selected_path": str(paths[tier]),
                        "selected_tier": tier,
                        "shadowed_paths": lower,
                    },
                }
            ]
        else:
            assert shadow == []
        paths[tier].unlink()
    assert not validate_custom_mission(ctx, "multi").ok


def test_shadowed_warning_through_the_cli(project: Path, run_cli: Any, isolated_home: Path) -> None:
    user = write_def(isolated_home / ".kittify" / "missions" / "erp", "erp")
    legacy = write_def(project / ".kittify" / "missions" / "erp", "erp")
    res = run_cli("mission", "run", "erp", "--mission", "erp-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    env = res.json()
    assert env["warnings"] == [
        {
            "code": "MISSION_KEY_SHADOWED",
            "message": env["warnings"][0]["message"],
            "details": {
                "mission_key": "erp",
                "selected_path": str(legacy),
                "selected_tier": "project_legacy",
                "shadowed_paths": [str(user)],
            },
        }
    ]
    human = run_cli("mission", "run", "erp", "--mission", "erp-run", cwd=project)
    assert "[warn] MISSION_KEY_SHADOWED" in human.stdout


def test_env_tier_and_user_global_through_the_cli(
    project: Path, run_cli: Any, isolated_home: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    write_def(isolated_home / ".kittify" / "missions" / "erp", "erp")
    direct = write_def(tmp_path / "loose", "erp", name="Env")
    monkeypatch.setenv("SPEC_KITTY_MISSION_PATHS", str(direct))  # a root that is the file
    res = run_cli("mission", "run", "erp", "--mission", "erp-run", "--json", cwd=project)
    assert res.exit_code == 0
    details = res.json()["warnings"][0]["details"]
    assert (details["selected_tier"], details["selected_path"]) == ("env", str(direct))


def test_root_level_mission_yaml_and_non_definition_files(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "single"
    top = write_def(root, "single")
    (root / "notes").mkdir()
    (root / "notes" / "readme.md").write_text("not a definition")
    other = tmp_path / "other.yaml"
    other.write_text("mission: {}")
    ctx = DiscoveryContext(
        project_root=project,
        builtin_root=tmp_path / "no-builtins",
        home=tmp_path,
        environ={"SPEC_KITTY_MISSION_PATHS": f"{root}{os.pathsep}{other}"},
    )
    found = discover(ctx).candidates
    assert [(c.tier, c.path, c.key) for c in found] == [("env", top, "single")]


def test_broken_higher_tier_file_fails_closed(
    project: Path, run_cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    broken = tmp_path / "env-root" / "erp" / "mission.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text(": : :\n")
    write_def(project / ".kittify" / "missions" / "erp", "erp")
    monkeypatch.setenv("SPEC_KITTY_MISSION_PATHS", str(tmp_path / "env-root"))
    res = run_cli("mission", "run", "erp", "--mission", "erp-run", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "MISSION_YAML_MALFORMED"
    assert res.json()["details"]["file"] == str(broken.resolve())
    assert not (project / "kitty-specs").exists()


def test_pack_definitions_are_found_through_the_manifest(project: Path, run_cli: Any) -> None:
    pack = project / "packs" / "acme"
    listed = write_def(pack / "deep" / "nested" / "erp", "erp")
    make_pack(pack, {"erp": "deep/nested/erp/mission.yaml"})
    add_packs(project, ["packs/acme"])
    res = run_cli("mission", "run", "erp", "--mission", "erp-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    state = (Path(res.json()["run_dir"]) / "state.json").read_text()
    assert str(listed) in state and '"template_tier": "project_config"' in state


PACK_CASES = {
    "no-manifest": ("mission-pack.yaml", "has no mission-pack.yaml"),
    "manifest-not-yaml": ("mission-pack.yaml", "invalid YAML"),
    "manifest-no-pack": ("mission-pack.yaml", "`pack` must be a mapping"),
    "manifest-bad-missions": ("mission-pack.yaml", "`missions` must be a list"),
    "entry-missing": ("gone/mission.yaml", "missing file"),
    "entry-outside": ("outside/mission.yaml", "outside the pack root"),
    "definition-broken": ("erp/mission.yaml", "required field `mission.name` is missing"),
    "pack-missing": ("", "does not exist"),
}


@pytest.mark.parametrize("case", list(PACK_CASES))
def test_pack_load_failed_warning(project: Path, run_cli: Any, case: str) -> None:
    pack = project / "packs" / "acme"
    failed_rel, needle = PACK_CASES[case]
    if case != "pack-missing":
        make_pack(pack, {})
    if case == "manifest-not-yaml":
        (pack / "mission-pack.yaml").write_text("pack: [\n")
    elif case == "no-manifest":
        (pack / "mission-pack.yaml").unlink()
    elif case == "manifest-no-pack":
        (pack / "mission-pack.yaml").write_text("missions: []\n")
    elif case == "manifest-bad-missions":
        (pack / "mission-pack.yaml").write_text("pack: {name: a, version: '1'}\nmissions: [3]\n")
    elif case == "entry-missing":
        make_pack(pack, {"gone": "gone/mission.yaml"})
    elif case == "entry-outside":
        write_def(project / "packs" / "outside", "outside")
        make_pack(pack, {"outside": "../outside/mission.yaml"})
    elif case == "definition-broken":
        (pack / "erp").mkdir()
        (pack / "erp" / "mission.yaml").write_text("mission: {key: erp, version: '1'}\n")
    add_packs(project, ["packs/acme"])
    write_def(project / ".kittify" / "missions" / "good", "good")
    res = run_cli("mission", "run", "good", "--mission", "good-run", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    [warning] = res.json()["warnings"]
    assert warning["code"] == "MISSION_PACK_LOAD_FAILED"
    assert set(warning["details"]) == {"pack_root", "failed_path", "parse_error"}
    assert warning["details"]["pack_root"] == str(pack.resolve())
    expected = project / "packs" / ("outside" if case == "entry-outside" else "acme")
    failed = expected / failed_rel.removeprefix("outside/") if failed_rel else expected
    assert warning["details"]["failed_path"] == str(failed.resolve())
    assert needle in warning["details"]["parse_error"]


@pytest.mark.parametrize("packs", ["packs/acme", ["packs/acme", 7]])
def test_bad_mission_packs_setting_warns(project: Path, run_cli: Any, packs: Any) -> None:
    make_pack(project / "packs" / "acme", {})
    add_packs(project, packs)
    write_def(project / ".kittify" / "missions" / "good", "good")
    res = run_cli("mission", "run", "good", "--mission", "good-run", "--json", cwd=project)
    assert res.exit_code == 0
    [warning] = res.json()["warnings"]
    config = str((project / ".kittify" / "config.yaml").resolve())
    assert warning["details"]["pack_root"] == config == warning["details"]["failed_path"]


def test_pack_warnings_accompany_errors_too(project: Path, run_cli: Any) -> None:
    add_packs(project, ["packs/missing"])
    res = run_cli("mission", "run", "nope", "--mission", "x", "--json", cwd=project)
    assert res.exit_code == 2
    env = res.json()
    assert env["error_code"] == "MISSION_KEY_UNKNOWN"
    assert [w["code"] for w in env["warnings"]] == ["MISSION_PACK_LOAD_FAILED"]


def test_failed_file_is_attributed_to_its_declared_key(project: Path, run_cli: Any) -> None:
    folder = project / ".kittify" / "missions" / "folder-name"
    folder.mkdir(parents=True)
    (folder / "mission.yaml").write_text("mission: {key: declared, version: '1'}\nsteps: []\n")
    res = run_cli("mission", "run", "declared", "--mission", "x", "--json", cwd=project)
    assert res.json()["details"]["field"] == "mission.name"
    res = run_cli("mission", "run", "folder-name", "--mission", "x", "--json", cwd=project)
    assert res.json()["error_code"] == "MISSION_KEY_UNKNOWN"
