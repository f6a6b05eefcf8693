"""Cutover acceptance 7: the old orchestrator command names, the old flag and the old error codes.

The words come from the contract artifact's deny-lists (never a hand-kept list). Every old
command name and the old predecessor of ``--mission`` (on every orchestrator-api command and on
the agent-facing commands) fail as unknown: one USAGE_ERROR envelope, exit 2, no alias, no hint
towards the mission-era name. The old error codes never appear in any response, including the
failures that replaced them (MISSION_NOT_FOUND, MISSION_NOT_READY), the orchestrator API's
closed list of codes excludes them, and the gate refuses a response carrying one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from acceptance_support import (
    POLICY_JSON,
    Cli,
    Result,
    cli_env,
    commit_all,
    deny_list,
    make_repo,
    run_in_process,
    write_wps,
)

from spec_kitty_gate import ContractViolation, artifact_info, check
from spec_kitty_orchestrator_api import ERROR_CODES

DENY = artifact_info()["deny"]
OLD_COMMANDS = DENY["orchestrator_commands"]
OLD_FLAGS = DENY["cli_flags"]
OLD_CODES = DENY["orchestrator_error_codes"]
ENVELOPE_KEYS = {
    "contract_version", "command", "timestamp", "correlation_id", "success", "error_code", "data",
}  # fmt: skip
API_COMMANDS = {
    "mission-state": (),
    "list-ready": (),
    "start-implementation": ("--wp", "WP01", "--actor", "a", "--policy", POLICY_JSON),
    "start-review": ("--wp", "WP01", "--actor", "a", "--policy", POLICY_JSON),
    "transition": ("--wp", "WP01", "--to", "done", "--actor", "a"),
    "append-history": ("--wp", "WP01", "--actor", "a", "--note", "n"),
    "accept-mission": ("--actor", "a"),
    "merge-mission": (),
}
AGENT_COMMANDS = [
    ("status", "--json"),
    ("mission", "info", "--json"),
    ("agent", "tasks", "finalize", "--json"),
    ("agent", "tasks", "move", "WP01", "--to", "claimed", "--json"),
    ("sync", "bodies", "--json"),
]


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """One project for the module: every call below is refused or read-only."""
    tmp = tmp_path_factory.mktemp("old-names")
    home = tmp / "home"
    cli = Cli(cli_env(home))
    root = make_repo(tmp / "project")
    cli.json(root, "init", "--json")
    slug = cli.json(root, "agent", "mission", "create", "Old names", "--json")["mission_slug"]
    write_wps(root, slug, {"WP01": ("Only part", [])})
    commit_all(root, "mission")
    cli.json(root, "agent", "tasks", "finalize", "--mission", slug, "--json")
    return root, slug, home


@pytest.fixture
def project(
    shared_project: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str]]:
    root, slug, home = shared_project
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SPEC_KITTY_HOME", str(home / ".spec-kitty-state"))
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    before = log.read_text()
    yield root, slug
    assert log.read_text() == before  # nothing any test here ran changed the mission


def _unknown(result: Result, offending: str) -> None:
    assert result.code == 2, result
    envelope = result.json()
    text = json.dumps(envelope)
    if set(envelope) == ENVELOPE_KEYS:  # the orchestrator API's contract envelope
        assert envelope["success"] is False and envelope["error_code"] == "USAGE_ERROR"
        assert envelope["command"] == "orchestrator-api.unknown"
        message = envelope["data"]["message"]
    else:  # the generic CLI envelope
        assert envelope["result"] == "error" and envelope["error_code"] == "USAGE_ERROR"
        message = envelope["message"]
    assert "No such" in message and offending in message, message
    # No alias and no hint towards the mission-era replacement.
    for replacement in ("--mission", "mission-state", "accept-mission", "merge-mission"):
        assert replacement not in text, text
    assert not any(code in text for code in OLD_CODES)


def test_the_words_come_from_the_artifact() -> None:
    assert len(OLD_COMMANDS) >= 3 and OLD_FLAGS and len(OLD_CODES) >= 2
    assert set(OLD_COMMANDS) | set(OLD_FLAGS) | set(OLD_CODES) <= set(
        deny_list().words + deny_list().flags
    )


def test_old_command_names_are_unknown(project: tuple[Path, str]) -> None:
    root, slug = project
    cli = Cli(cli_env(Path(os.environ["HOME"])))
    for old in OLD_COMMANDS:  # as a real process: exit status and stdout as the client sees them
        _unknown(cli(root, "orchestrator-api", old, "--mission", slug, expect=None), old)
        _unknown(cli(root, "orchestrator-api", old, "--actor", "a", expect=None), old)


@pytest.mark.parametrize("flag", OLD_FLAGS)
def test_the_old_flag_is_unknown_everywhere(project: tuple[Path, str], flag: str) -> None:
    root, slug = project
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    before = log.read_text()
    for command, extra in API_COMMANDS.items():
        result = run_in_process(root, "orchestrator-api", command, flag, slug, *extra)
        _unknown(result, flag)
    assert log.read_text() == before  # nothing ran
    for args in AGENT_COMMANDS:
        _unknown(run_in_process(root, *args, flag, slug), flag)
    # Only the mission-era flag works, on the same command line.
    ok = run_in_process(root, "orchestrator-api", "mission-state", "--mission", slug)
    assert ok.code == 0 and ok.json()["success"] is True


def test_old_error_codes_never_appear(project: tuple[Path, str]) -> None:
    root, slug = project
    responses = [
        run_in_process(root, "orchestrator-api", "mission-state", "--mission", "999-missing"),
        run_in_process(root, "orchestrator-api", "list-ready", "--mission", "999-missing"),
        run_in_process(root, "orchestrator-api", "accept-mission", "--mission", slug, "--actor", "a"),
        run_in_process(root, "orchestrator-api", "merge-mission", "--mission", slug),
        run_in_process(root, "orchestrator-api", "transition", "--mission", slug, "--wp", "WP01",
                       "--to", "done", "--actor", "a"),
        run_in_process(root, "orchestrator-api", "contract-version", "--provider-version", "0.0.1"),
        run_in_process(root, "mission", "info", "999-missing", "--json"),
        run_in_process(root, "status", "--mission", "999-missing", "--json"),
    ]  # fmt: skip
    codes = [r.json().get("error_code") for r in responses]
    assert codes[:3] == ["MISSION_NOT_FOUND", "MISSION_NOT_FOUND", "MISSION_NOT_READY"], codes
    assert all(c for c in codes), codes
    for result in responses:
        assert result.code != 0
        assert not any(code in result.stdout + result.stderr for code in OLD_CODES), result
    assert not set(OLD_CODES) & set(ERROR_CODES)
    assert {"MISSION_NOT_FOUND", "MISSION_NOT_READY"} <= set(ERROR_CODES)


@pytest.mark.parametrize("code", OLD_CODES)
def test_the_gate_refuses_a_response_with_an_old_code(project: tuple[Path, str], code: str) -> None:
    root, _ = project
    response = run_in_process(
        root, "orchestrator-api", "mission-state", "--mission", "999-x"
    ).json()
    check("orchestrator_response", response)
    response["error_code"] = code
    with pytest.raises(ContractViolation) as info:
        check("orchestrator_response", response)
    assert info.value.path == "$.error_code"
