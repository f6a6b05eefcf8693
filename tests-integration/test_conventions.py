"""Conventions as tests: the feature-era audit, lockstep pins, public APIs, our own install."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sk_support import REPO, load_script

PACKAGES = [
    "spec_kitty_identity",
    "spec_kitty_gate",
    "spec_kitty_bodysync",
    "spec_kitty_orchestrator_api",
    "spec_kitty_migrate",
    "spec_kitty_cli",
]


def test_feature_era_audit_is_clean() -> None:
    audit = load_script("audit_feature_era")
    files = audit.tree_files(REPO)
    assert len(files) > 20
    assert audit.scan(files) == []


@pytest.mark.parametrize(
    ("rel", "line", "hit"),
    [
        ("spec_kitty_cli/x.py", "payload['feature_slug'] = 1", True),
        ("spec_kitty_cli/x.py", "run(['merge-feature'])", True),
        ("spec_kitty_cli/x.py", "@click.option('--feature')", True),
        ("spec_kitty_cli/x.py", "@click.option('--feature-flags')", False),
        ("spec_kitty_cli/x.py", '{"aggregate_type": "Feature"}', True),
        ("spec_kitty_cli/x.py", '{"aggregate_type": "Mission"}', False),
        ("spec_kitty_bodysync/q.py", "SELECT mission_key FROM t", True),
        ("spec_kitty_cli/missions_custom/load.py", "mission_key = data['key']", False),
        ("spec_kitty_migrate/meta.py", "data.pop('feature_slug')", False),
        ("spec_kitty_gate/contract.json", '"FeatureCreated"', False),
        ("spec_kitty_gate/_checks.py", '"FeatureCreated"', True),
    ],
)
def test_audit_catches_what_it_must(tmp_path: Path, rel: str, line: str, hit: bool) -> None:
    audit = load_script("audit_feature_era")
    path = tmp_path / "f" / Path(rel).name
    path.parent.mkdir(parents=True)
    path.write_text(f"# header\n{line}\n")
    assert bool(audit.scan([(rel, path)])) is hit


def test_lockstep_passes_and_catches_drift(tmp_path: Path) -> None:
    lockstep = load_script("check_lockstep")
    assert lockstep.check(REPO) == []
    copy = tmp_path / "tree"
    shutil.copytree(
        REPO, copy, ignore=shutil.ignore_patterns(".venv", ".git", ".tox", "__pycache__", "*.db")
    )
    cli = copy / "packages" / "spec-kitty-cli" / "pyproject.toml"
    text = cli.read_text()
    cli.write_text(re.sub(r'"spec-kitty-gate==[^"]+"', '"spec-kitty-gate>=4.0.0"', text))
    errors = lockstep.check(copy)
    assert any("spec-kitty-gate" in e for e in errors)
    cli.write_text(text.replace("spec-kitty-orchestrator==0.1.2", "spec-kitty-orchestrator==0.1.1"))
    assert any("spec-kitty-orchestrator" in e for e in lockstep.check(copy))
    cli.write_text(text)
    changelog = copy / "CHANGELOG.md"
    original = changelog.read_text()
    changelog.write_text(
        original.replace("| spec-kitty-gate | 4.0.0 |", "| spec-kitty-gate | 3.9.0 |")
    )
    assert any("does not name spec-kitty-gate 4.0.0" in e for e in lockstep.check(copy))
    changelog.write_text(original.replace("spec-kitty-orchestrator 0.1.2", "the orchestrator"))
    assert any("does not name spec-kitty-orchestrator 0.1.2" in e for e in lockstep.check(copy))


@pytest.mark.parametrize("name", PACKAGES)
def test_public_api_is_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported)
    assert "__version__" in exported
    for symbol in exported:
        assert getattr(module, symbol) is not None
    assert re.fullmatch(r"\d+\.\d+\.\d+", module.__version__)


def test_installed_spec_kitty_cli_is_ours() -> None:
    script = REPO / "scripts" / "check_installed_is_ours.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from importlib.metadata import distribution

    dist = distribution("spec-kitty-cli")
    assert dist.entry_points.select(group="console_scripts", name="spec-kitty")
    ep = next(iter(dist.entry_points.select(group="console_scripts", name="spec-kitty")))
    assert ep.value == "spec_kitty_cli.main:main"
    importlib.import_module("spec_kitty_cli.main")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("specify_cli")


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("spec_kitty_identity.errors", "IdentityError"),
        ("spec_kitty_gate.errors", "GateError"),
        ("spec_kitty_gate.errors", "ArtifactError"),
        ("spec_kitty_bodysync.errors", "BodySyncError"),
        ("spec_kitty_orchestrator_api.errors", "OrchestratorApiError"),
        ("spec_kitty_orchestrator_api.errors", "StatusWriteError"),
        ("spec_kitty_migrate.errors", "UpgradeError"),
        ("spec_kitty_cli.errors", "CliError"),
    ],
)
def test_every_package_error_has_the_one_structured_shape(module: str, name: str) -> None:
    from spec_kitty_identity import as_structured

    cls = getattr(importlib.import_module(module), name)
    exc = cls("USAGE_ERROR", "boom") if name == "CliError" else cls("boom", details={"k": 1})
    error = as_structured(exc)
    assert error is exc
    assert isinstance(error.code, str) and error.code
    assert error.message == "boom"
    assert error.details.get("k", 1) == 1
    assert error.operator_fixable is (name not in {"ArtifactError", "StatusWriteError"})


def test_mission_errors_are_identity_s_only() -> None:
    import spec_kitty_identity
    import spec_kitty_orchestrator_api

    for name in ("MissionNotFoundError", "MissionAmbiguousError"):
        assert hasattr(spec_kitty_identity, name)
        assert not hasattr(spec_kitty_orchestrator_api, name)
