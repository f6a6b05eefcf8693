"""`spec-kitty contract check|info`: the gate on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from spec_kitty_cli.commands.contract import contract
from spec_kitty_cli.errors import CliError

BIND = {
    "build_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "node_id": "a1b2c3d4e5f6",
    "repo_slug": "acme/demo",
    "slug": "demo",
    "uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
}


def _write(tmp_path: Path, doc: Any, name: str = "doc.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_conformant_file_with_click_runner(tmp_path: Path) -> None:
    path = _write(tmp_path, BIND)
    result = CliRunner().invoke(contract, ["check", "--surface", "tracker_bind", path, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["result"] == "success" and out["conformant"] is True
    assert out["surface"] == "tracker_bind" and out["file"] == path
    assert out["artifact_id"].startswith("spec-kitty-contract/3.0.0/")


def test_conformant_stdin_human_output() -> None:
    result = CliRunner().invoke(
        contract, ["check", "--surface", "tracker_bind", "-"], input=json.dumps(BIND)
    )
    assert result.exit_code == 0
    assert "<stdin> conforms to tracker_bind" in result.output


def test_violation_raises_structured_error_with_click_runner(tmp_path: Path) -> None:
    path = _write(tmp_path, {**BIND, "feature_slug": "x"})
    result = CliRunner().invoke(contract, ["check", "--surface", "tracker_bind", path])
    assert isinstance(result.exception, CliError)
    assert result.exception.code == "CONTRACT_LEGACY_SURFACE"
    assert result.exception.operator_fixable is True
    (violation,) = result.exception.details["violations"]
    assert violation["path"] == "$.feature_slug"


def test_violation_exits_2_with_json_envelope(tmp_path: Path, run_cli) -> None:
    path = _write(tmp_path, {**BIND, "uuid": "not-a-uuid"})
    res = run_cli("contract", "check", "--surface", "tracker_bind", path, "--json")
    assert res.exit_code == 2
    out = res.json()
    assert out["result"] == "error"
    assert out["error_code"] == "CONTRACT_INVALID_VALUE"
    assert out["details"]["file"] == path
    (violation,) = out["details"]["violations"]
    assert (violation["path"], violation["rule"], violation["surface"]) == (
        "$.uuid",
        "format",
        "tracker_bind",
    )


def test_violation_exits_2_in_human_mode(tmp_path: Path, run_cli) -> None:
    path = _write(tmp_path, {"events": [{}]})
    res = run_cli("contract", "check", "--surface", "event_batch", path)
    assert res.exit_code == 2
    assert "CONTRACT_SCHEMA_VERSION" in res.stderr


def test_unknown_surface_exits_2(tmp_path: Path, run_cli) -> None:
    res = run_cli("contract", "check", "--surface", "nope", _write(tmp_path, {}), "--json")
    assert res.exit_code == 2
    assert res.json()["error_code"] == "CONTRACT_UNKNOWN_SURFACE"


def test_invalid_json_names_the_file(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{\n  'single': quotes\n}", encoding="utf-8")
    res = run_cli("contract", "check", "--surface", "event", str(path), "--json")
    assert res.exit_code == 2
    out = res.json()
    assert out["error_code"] == "CONTRACT_INPUT_INVALID_JSON"
    assert out["details"] == {"file": str(path), "line": 2, "column": 3}


def test_invalid_json_on_stdin(run_cli) -> None:
    res = run_cli("contract", "check", "--surface", "event", "-", "--json", stdin="nope")
    assert res.exit_code == 2
    assert res.json()["details"]["file"] == "<stdin>"


def test_unreadable_file_exits_2(tmp_path: Path, run_cli) -> None:
    res = run_cli(
        "contract", "check", "--surface", "event", str(tmp_path / "missing.json"), "--json"
    )
    assert res.exit_code == 2
    out = res.json()
    assert out["error_code"] == "CONTRACT_INPUT_UNREADABLE"
    assert out["details"]["reason"] == "FileNotFoundError"


def test_info(run_cli) -> None:
    res = run_cli("contract", "info", "--json")
    assert res.exit_code == 0
    out = res.json()
    assert out["provenance"]["events_package"] == {"name": "spec-kitty-events", "version": "3.0.0"}
    assert "event" in out["surfaces"]
    human = CliRunner().invoke(contract, ["info"])
    assert human.exit_code == 0 and "spec-kitty-events==3.0.0" in human.output
