"""`spec-kitty upgrade`: plan, confirmation, JSON envelope, exit codes, idempotence."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "spec-kitty-migrate" / "tests"))
import sk_legacy_fixtures as legacy

SLUG = "064-complete-mission-identity-cutover"


@pytest.fixture
def legacy_checkout(tmp_path: Path, isolated_home: Path) -> Path:
    return legacy.make_legacy_project(tmp_path / "legacy", home=isolated_home)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_upgrade_then_up_to_date(run_cli: Callable[..., Any], legacy_checkout: Path) -> None:
    result = run_cli("upgrade", "--yes", "--json", cwd=legacy_checkout)
    assert result.exit_code == 0, result.stdout + result.stderr
    data = result.json()
    assert data["result"] == "success" and data["status"] == "upgraded" and data["verified"]
    assert Path(data["backup_dir"]).is_dir()
    assert data["applied"][3]["rows_imported"] == 30
    again = run_cli("upgrade", "--json", cwd=legacy_checkout)
    assert again.exit_code == 0
    assert again.json()["status"] == "up_to_date"
    human = run_cli("upgrade", cwd=legacy_checkout)
    assert "Nothing to upgrade" in human.stdout


def test_dry_run_prints_the_plan(run_cli: Callable[..., Any], legacy_checkout: Path) -> None:
    meta = legacy_checkout / "kitty-specs" / SLUG / "meta.json"
    before = meta.read_bytes()
    result = run_cli("upgrade", "--dry-run", "--json", cwd=legacy_checkout)
    data = result.json()
    assert data["status"] == "planned" and data["dry_run"] is True
    assert {s["id"] for s in data["plan"]["steps"] if s["findings"]} == {
        "config-identity",
        "meta-json",
        "status-wp",
        "body-queue",
    }
    human = run_cli("upgrade", "--dry-run", cwd=legacy_checkout)
    assert human.exit_code == 0 and "Dry run" in human.stdout and "meta.json" in human.stdout
    assert meta.read_bytes() == before


def test_non_interactive_without_yes_refuses(
    run_cli: Callable[..., Any], legacy_checkout: Path
) -> None:
    result = run_cli("upgrade", "--json", cwd=legacy_checkout, stdin="")
    assert result.exit_code == 2
    err = result.json()
    assert err["error_code"] == "UPGRADE_NEEDS_CONFIRMATION"
    assert "feature_slug" in (legacy_checkout / "kitty-specs" / SLUG / "meta.json").read_text()


def test_tty_confirms(
    run_cli: Callable[..., Any], legacy_checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(legacy_checkout)
    monkeypatch.setattr(sys, "stdin", _Tty("n\n"))
    declined = run_cli("upgrade")
    assert declined.exit_code == 0 and "Nothing was changed" in declined.stdout
    monkeypatch.setattr(sys, "stdin", _Tty("y\n"))
    accepted = run_cli("upgrade")
    assert accepted.exit_code == 0, accepted.stderr
    assert "Upgraded" in accepted.stdout and "backup and manifest" in accepted.stdout


def test_unparseable_file_exit_2(run_cli: Callable[..., Any], legacy_checkout: Path) -> None:
    bad = legacy_checkout / "kitty-specs" / "065-x" / "meta.json"
    bad.parent.mkdir()
    bad.write_text("{oops")
    result = run_cli("upgrade", "--yes", "--json", cwd=legacy_checkout)
    assert result.exit_code == 2
    err = result.json()
    assert err["error_code"] == "UPGRADE_UNPARSEABLE" and err["details"]["file"] == str(bad)


def test_conflict_exit_2_others_migrated(
    run_cli: Callable[..., Any], legacy_checkout: Path
) -> None:
    legacy.write_meta(
        legacy_checkout, "065-x", legacy.legacy_meta("065-x", "065", mission_type="research")
    )
    result = run_cli("upgrade", "--yes", "--json", cwd=legacy_checkout)
    assert result.exit_code == 2
    err = result.json()
    assert err["error_code"] == "UPGRADE_CONFLICT"
    assert err["details"]["conflicts"][0]["path"].endswith("065-x/meta.json")
    assert err["details"]["report"]["status"] == "upgraded"
    human = run_cli("upgrade", cwd=legacy_checkout)
    assert human.exit_code == 2 and "UPGRADE_CONFLICT" in human.stderr


def test_live_commands_fail_closed_until_upgraded(
    run_cli: Callable[..., Any], legacy_checkout: Path
) -> None:
    before = run_cli("identity", "show", "--json", cwd=legacy_checkout)
    assert before.exit_code == 2
    assert "spec-kitty upgrade" in before.json()["message"]
    assert run_cli("upgrade", "--yes", cwd=legacy_checkout).exit_code == 0
    after = run_cli("identity", "show", "--json", cwd=legacy_checkout)
    assert after.exit_code == 0
    assert after.json()["build"]["id"] == "9b2f6a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


def test_only_upgrade_imports_spec_kitty_migrate() -> None:
    """Importing every other CLI command module leaves spec_kitty_migrate unloaded."""
    code = """
import importlib, json, pkgutil, sys
import spec_kitty_cli.commands as pkg
from spec_kitty_cli._registry import AGENT_COMMANDS, COMMANDS
names = {m.name for m in pkgutil.iter_modules(pkg.__path__)}
names |= {mod.rsplit('.', 1)[-1] for mod, _, _ in [*COMMANDS.values(), *AGENT_COMMANDS.values()]}
loaded = []
for name in sorted(names - {'upgrade'}):
    try:
        importlib.import_module('spec_kitty_cli.commands.' + name)
        loaded.append(name)
    except ModuleNotFoundError as exc:
        if exc.name != 'spec_kitty_cli.commands.' + name:
            raise
import spec_kitty_cli.main
bad = sorted(m for m in sys.modules if m.startswith('spec_kitty_migrate'))
importlib.import_module('spec_kitty_cli.commands.upgrade')
print(json.dumps({'loaded': loaded, 'migrate_before': bad, 'upgrade_ok': True}))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert data["migrate_before"] == []
    assert {"init", "identity", "agent"} <= set(data["loaded"])


def test_the_commands_named_for_people_work_as_written(
    run_cli: Callable[..., Any], legacy_checkout: Path
) -> None:
    dry = run_cli("upgrade", "--dry-run", cwd=legacy_checkout, stdin="")
    assert "Run `spec-kitty upgrade --yes` to apply" in dry.stdout  # no terminal: --yes is needed
    refused = run_cli("upgrade", cwd=legacy_checkout, stdin="")
    assert refused.exit_code == 2
    assert "spec-kitty upgrade --yes" in refused.stderr
    assert len(max(refused.stderr.splitlines(), key=len)) < 300  # the plan is not one long line
    for marker in ("{'", "['", "True", "None"):
        assert marker not in refused.stderr
    applied = run_cli("upgrade", "--yes", cwd=legacy_checkout, stdin="")
    assert applied.exit_code == 0, applied.stderr
