"""`spec-kitty orchestrator-api`: one gated JSON envelope per call, mission-era names only."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

POLICY = json.dumps(
    {
        "orchestrator_id": "spec-kitty-orchestrator",
        "orchestrator_version": "0.1.2",
        "agent_family": "claude",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
        "tool_restrictions": None,
    }
)
KEYS = [
    "contract_version",
    "command",
    "timestamp",
    "correlation_id",
    "success",
    "error_code",
    "data",
]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Text pipeline", "--json", cwd=project).json()
    tasks = project / "kitty-specs" / created["mission_slug"] / "tasks"
    for wp, deps in (("WP01", ""), ("WP02", ""), ("WP03", "WP01, WP02")):
        (tasks / f"{wp}-part.md").write_text(
            f"---\nwork_package_id: {wp}\ntitle: Part {wp}\ndependencies: [{deps}]\n---\nDo {wp}.\n"
        )
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "mission")
    return str(created["mission_slug"])


@pytest.fixture
def api(run_cli: Callable[..., Any], project: Path) -> Callable[..., tuple[int, dict[str, Any]]]:
    from spec_kitty_gate import check

    def call(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
        result = run_cli("orchestrator-api", *args, cwd=cwd or project)
        envelope = result.json()  # exactly one JSON line on stdout
        assert list(envelope) == KEYS
        check("orchestrator_response", envelope)
        return result.exit_code, envelope

    return call


@pytest.mark.parametrize(
    "argv",
    [
        ["feature-state", "--mission", "001-x"],
        ["accept-feature", "--mission", "001-x", "--actor", "a"],
        ["merge-feature", "--mission", "001-x"],
        ["mission-state", "--feature", "001-x"],
        ["list-ready", "--feature", "001-x"],
        ["resolve-workspace", "--mission", "001-x", "--wp", "WP01"],
        ["mission-state"],
        ["accept-mission", "--mission", "x", "--actor", "a", "--policy", "{}"],
        [],
    ],
)
def test_old_and_unknown_names_fail_as_unknown(api: Any, argv: list[str]) -> None:
    code, env = api(*argv)
    assert code == 2 and env["success"] is False and env["error_code"] == "USAGE_ERROR"
    assert env["command"] == "orchestrator-api.unknown"
    text = json.dumps(env["data"]).lower()
    assert (
        "mission-state" not in text and "accept-mission" not in text and "did you mean" not in text
    )


def test_contract_version(api: Any) -> None:
    code, env = api("contract-version")
    assert code == 0 and env["data"] == {
        "api_version": "1.0.0",
        "min_supported_provider_version": "0.1.0",
    }
    assert env["correlation_id"].startswith("corr-") and env["error_code"] is None
    code, env = api("contract-version", "--provider-version", "0.0.1")
    assert code == 2 and env["error_code"] == "CONTRACT_VERSION_MISMATCH"


def test_full_lifecycle_envelopes_and_queued_events(api: Any, mission: str, project: Path) -> None:
    code, env = api("mission-state", "--mission", mission)
    assert code == 0 and [w["lane"] for w in env["data"]["work_packages"]] == ["planned"] * 3
    code, env = api("list-ready", "--mission", mission)
    assert [w["wp_id"] for w in env["data"]["ready_work_packages"]] == ["WP01", "WP02"]
    code, env = api(
        "start-implementation",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--policy",
        POLICY,
    )
    assert code == 0 and env["command"] == "orchestrator-api.start-implementation"
    assert Path(env["data"]["workspace_path"]).is_absolute()
    code, env = api(
        "transition",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--to",
        "for_review",
        "--actor",
        "o",
        "--policy",
        POLICY,
        "--subtasks-complete",
        "--implementation-evidence-present",
    )
    assert env["data"]["to_lane"] == "for_review"
    code, env = api(
        "start-review",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--policy",
        POLICY,
        "--review-ref",
        "feedback-1",
    )
    assert env["data"]["to_lane"] == "in_progress"
    code, env = api(
        "transition",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--to",
        "doing",
        "--actor",
        "o",
        "--policy",
        POLICY,
    )
    assert env["error_code"] == "TRANSITION_REJECTED"  # doing = in_progress: already there
    api(
        "transition",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--to",
        "for_review",
        "--actor",
        "o",
        "--policy",
        POLICY,
    )
    code, env = api(
        "transition",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--to",
        "done",
        "--actor",
        "o",
        "--policy",
        POLICY,
        "--review-ref",
        "review-1",
    )
    assert code == 0 and env["data"]["policy_metadata_recorded"] is True
    code, env = api(
        "append-history",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--note",
        "Review approved in cycle 1",
    )
    assert env["data"]["history_entry_id"].startswith("hist-")
    code, env = api("accept-mission", "--mission", mission, "--actor", "o")
    assert code == 2 and env["error_code"] == "MISSION_NOT_READY"
    assert [i["wp_id"] for i in env["data"]["incomplete_wps"]] == ["WP02", "WP03"]
    from spec_kitty_gate import check

    snapshot = json.loads((project / "kitty-specs" / mission / "status.json").read_text())
    check("status_snapshot", snapshot)
    assert snapshot["work_packages"]["WP01"]["lane"] == "done"
    assert len(snapshot["work_packages"]["WP01"]["notes"]) == 1
    lines = (project / "kitty-specs" / mission / "status.events.jsonl").read_text().splitlines()
    transitions = [json.loads(x) for x in lines if '"kind"' not in x]
    assert all(
        t["policy_metadata"]["orchestrator_id"] == "spec-kitty-orchestrator" for t in transitions
    )
    from spec_kitty_cli._events import EventQueue, queue_path

    with EventQueue(queue_path(project)) as queue:
        queued = [e for e in queue.iter_envelopes() if e["event_type"] == "WPStatusChanged"]
    assert [(e["payload"]["from_lane"], e["payload"]["to_lane"]) for e in queued] == [
        (t["from_lane"], t["to_lane"]) for t in transitions
    ]
    assert all(e["aggregate_type"] == "WorkPackage" for e in queued)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["transition", "--wp", "WP01", "--to", "in_review", "--actor", "o"], "USAGE_ERROR"),
        (
            ["transition", "--wp", "WP01", "--to", "claimed", "--actor", "o"],
            "POLICY_METADATA_REQUIRED",
        ),
        (
            ["transition", "--wp", "WP01", "--to", "claimed", "--actor", "o", "--policy", "{bad"],
            "POLICY_VALIDATION_FAILED",
        ),
        (
            ["transition", "--wp", "WP01", "--to", "done", "--actor", "o", "--evidence-json", "[1"],
            "USAGE_ERROR",
        ),
        (
            ["transition", "--wp", "WP01", "--to", "done", "--actor", "o", "--force"],
            "TRANSITION_REJECTED",
        ),
        (["transition", "--wp", "WP09", "--to", "blocked", "--actor", "o"], "WP_NOT_FOUND"),
        (
            ["start-implementation", "--wp", "WP03", "--actor", "o", "--policy", POLICY],
            "TRANSITION_REJECTED",
        ),
        (["merge-mission", "--strategy", "octopus"], "UNSUPPORTED_STRATEGY"),
        (["merge-mission"], "PREFLIGHT_FAILED"),
    ],
)
def test_errors_are_envelopes(api: Any, mission: str, argv: list[str], code: str) -> None:
    exit_code, env = api(*argv[:1], "--mission", mission, *argv[1:])
    assert exit_code == 2 and env["error_code"] == code and env["data"]["message"]
    assert env["command"] == f"orchestrator-api.{argv[0]}"


def test_bad_state_on_disk_gives_envelopes(api: Any, mission: str, project: Path) -> None:
    wp = project / "kitty-specs" / mission / "tasks" / "WP02-part.md"
    wp.write_text("---\nwork_package_id: WP02\nlane: doing\n---\n")
    code, env = api("list-ready", "--mission", mission)
    assert code == 2 and env["error_code"] == "USAGE_ERROR"
    assert env["data"]["cause"] == "WP_FILE_INVALID"
    assert env["data"]["key"] == "lane" and env["data"]["file"] == str(wp)
    (project / "kitty-specs" / mission / "meta.json").unlink()
    code, env = api("mission-state", "--mission", mission)
    assert code == 2 and env["error_code"] == "MISSION_NOT_FOUND"
    _code, env = api("mission-state", "--mission", "0")
    assert env["error_code"] == "MISSION_NOT_FOUND"


def test_append_history_from_a_linked_worktree_lands_in_the_main_repo(
    api: Any, mission: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wt = project / ".worktrees" / f"{mission}-orchestrator"
    _git(
        project,
        "worktree",
        "add",
        "-q",
        "-B",
        f"spec-kitty/orchestrator/{mission}",
        str(wt),
        "HEAD",
    )
    (wt / ".kittify").mkdir(exist_ok=True)
    monkeypatch.setenv("SPECIFY_REPO_ROOT", str(wt))
    code, _env = api(
        "append-history",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--note",
        "Starting implementation",
        cwd=wt,
    )
    assert code == 0
    assert (
        "Starting implementation"
        in (project / "kitty-specs" / mission / "status.events.jsonl").read_text()
    )
    copy = wt / "kitty-specs" / mission / "status.events.jsonl"  # as committed, if at all
    assert not copy.exists() or "Starting implementation" not in copy.read_text()


def test_read_only_commands_import_no_heavy_modules(mission: str, project: Path) -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from spec_kitty_cli.main import run\n"
        "for argv in (['contract-version'], ['mission-state', '--mission', sys.argv[1]],"
        " ['list-ready', '--mission', sys.argv[1]]):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert run(['orchestrator-api', *argv]) == 0\n"
        "heavy = ('filelock', 'httpx', 'sqlite_utils', 'pydantic', 'rich', 'yaml', 'sqlite3')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, mission],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip() == "[]"
    assert not (project / "kitty-specs" / mission / "status.json").exists()


def test_envelopes_the_gate_refuses_are_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from spec_kitty_cli.commands.orchestrator_api import emit, render_error
    from spec_kitty_gate import is_conformant
    from spec_kitty_orchestrator_api import Response, make_envelope

    bad = make_envelope(
        "mission-state", success=True, data={"mission_slug": "x", "feature_slug": "x"}
    )
    assert emit(Response(envelope=bad, exit_code=0)) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["success"] is False and printed["command"] == "orchestrator-api.mission-state"
    assert (
        printed["data"]["cause"] == "CONTRACT_LEGACY_SURFACE"
        and "feature_slug" not in printed["data"]
    )
    assert is_conformant("orchestrator_response", printed)
    assert render_error(ValueError("boom")) == 1
    crashed = json.loads(capsys.readouterr().out)
    assert crashed["data"] == {"message": "boom", "cause": "INTERNAL_ERROR"}


def test_a_torn_status_line_is_reported_not_fatal(api: Any, mission: str, project: Path) -> None:
    api(
        "transition",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--to",
        "blocked",
        "--actor",
        "o",
        "--note",
        "waiting",
    )
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    with log.open("a") as handle:
        handle.write('{"event_id": "01K0TORN", "wp_')  # a crash in the middle of a write
    code, env = api("mission-state", "--mission", mission)
    assert code == 0 and "incomplete" in env["data"]["warnings"][0]
    assert env["data"]["work_packages"][0]["lane"] == "blocked"
    code, env = api(
        "transition", "--mission", mission, "--wp", "WP01", "--to", "canceled", "--actor", "o"
    )
    assert code == 0 and env["data"]["from_lane"] == "blocked"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert [x["to_lane"] for x in lines if "kind" not in x] == [
        "blocked",
        "canceled",
    ]
    assert "01K0TORN" in log.with_name("status.events.jsonl.torn").read_text()


def test_list_ready_offers_nothing_start_implementation_would_refuse(
    api: Callable[..., tuple[int, dict[str, Any]]], mission: str, project: Path
) -> None:
    """Reads and writes agree: without a project identity the write path refuses, so list-ready
    refuses the same way instead of offering WP01 forever (the 0.1.2 client's endless loop)."""
    config = project / ".kittify" / "config.yaml"
    config.write_text("vcs:\n  type: git\n")
    _, ready = api("list-ready", "--mission", mission)
    _, started = api(
        "start-implementation",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--policy",
        POLICY,
    )
    assert not started["success"] and not ready["success"]
    assert ready["error_code"] == started["error_code"]
    assert ready["data"].get("cause") == started["data"].get("cause")


def test_a_checkout_without_a_build_id_mints_it_on_its_first_write(
    api: Callable[..., tuple[int, dict[str, Any]]], mission: str, project: Path
) -> None:
    """FR-006: the build id is generated on first use, by a write command too."""
    build = project / ".kittify" / "state" / "build.json"
    build.unlink(missing_ok=True)
    code, started = api(
        "start-implementation",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "o",
        "--policy",
        POLICY,
    )
    assert code == 0 and started["success"], started
    assert json.loads(build.read_text())["build_id"]
