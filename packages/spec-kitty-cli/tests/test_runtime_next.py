"""`spec-kitty next` and `agent decision` in-process: every answer kind and every refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DEFINITION = (
    "mission: {key: erp, name: ERP, version: '1.0.0'}\n"
    "steps:\n"
    "  - {id: query, title: Query, agent_profile: researcher-robbie}\n"
    "  - {id: ask, title: Ask, requires_inputs: [shape, region], depends_on: [query]}\n"
    "  - {id: draft, title: Draft, contract_ref: specify, depends_on: [ask]}\n"
    "  - {id: retrospective, title: Retro, depends_on: [draft]}\n"
)


@pytest.fixture
def run(project: Path, run_cli: Any) -> Path:
    path = project / ".kittify" / "missions" / "erp" / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(DEFINITION, encoding="utf-8")
    res = run_cli("mission", "run", "erp", "--mission", "erp-run", "--json", cwd=project)
    return Path(res.json()["run_dir"])


def nxt(run_cli: Any, project: Path, *args: str, code: int = 0, agent: str = "a1") -> Any:
    res = run_cli("next", "--mission", "erp-run", "--agent", agent, *args, "--json", cwd=project)
    assert res.exit_code == code, res.stdout + res.stderr
    return res.json()


def resolve(run_cli: Any, project: Path, did: str, answer: str, code: int = 0) -> Any:
    res = run_cli(
        "agent",
        "decision",
        "resolve",
        did,
        "--mission",
        "erp-run",
        "--final-answer",
        answer,
        "--actor",
        "pat",
        "--json",
        cwd=project,
    )
    assert res.exit_code == code, res.stdout
    return res.json()


def state(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "state.json").read_text())
    return data


def test_decisions_gate_the_step_and_reach_it(project: Path, run_cli: Any, run: Path) -> None:
    assert nxt(run_cli, project)["step"]["id"] == "query"
    first = nxt(run_cli, project, "--result", "success")
    assert first["kind"] == "decision_required"
    assert (first["decision_id"], first["open_decisions"]) == (
        "input:shape",
        ["input:shape", "input:region"],
    )
    assert first["events"] == [
        "NextStepAutoCompleted",
        "DecisionInputRequested",
        "DecisionInputRequested",
    ]
    again = nxt(run_cli, project, agent="a2")
    assert again["decision_id"] == "input:shape" and again["events"] == []
    listed = run_cli("agent", "decision", "list", "--mission", "erp-run", "--json", cwd=project)
    assert [d["decision_id"] for d in listed.json()["open"]] == ["input:region", "input:shape"]
    done = resolve(run_cli, project, "input:shape", "csv")
    assert (done["recorded"], done["answered_by"]) == (True, "pat")
    assert resolve(run_cli, project, "input:shape", "csv")["recorded"] is False
    refused = resolve(run_cli, project, "input:shape", "json", code=2)
    assert refused["error_code"] == "DECISION_ALREADY_ANSWERED"
    missing = resolve(run_cli, project, "input:nope", "x", code=2)
    assert missing["error_code"] == "DECISION_NOT_FOUND"
    assert missing["details"]["open_decisions"] == ["input:region"]
    assert nxt(run_cli, project)["decision_id"] == "input:region"
    resolve(run_cli, project, "input:region", "eu")
    step = nxt(run_cli, project)
    assert step["step"]["id"] == "ask"
    assert step["decisions"] == {"shape": "csv", "region": "eu"}
    assert step["depends_on_done"] == ["query"]
    step = nxt(run_cli, project, "--result", "success")
    assert step["step"]["contract"]["id"] == "specify"  # the contract's content, not its ref
    human = run_cli("agent", "decision", "list", "--mission", "erp-run", cwd=project)
    assert "answered" in human.stdout and "csv" in human.stdout


def test_failed_step_blocks_until_reported_success(project: Path, run_cli: Any, run: Path) -> None:
    nxt(run_cli, project)
    blocked = nxt(run_cli, project, "--result", "blocked")
    assert blocked["kind"] == "blocked" and blocked["run_status"] == "blocked"
    assert "query" in blocked["reason"] and "--result success" in blocked["reason"]
    other = nxt(run_cli, project, agent="a2")
    assert (other["kind"], other["held_by"], other["step_id"]) == ("blocked", "a1", "query")
    wrong = nxt(run_cli, project, "--result", "success", agent="a2", code=2)
    assert wrong["error_code"] == "RUN_STEP_NOT_HELD"
    again = nxt(run_cli, project, "--result", "failed")
    assert again["kind"] == "blocked"
    assert [h["result"] for h in state(run)["history"]] == ["blocked", "failed"]
    ok = nxt(run_cli, project, "--result", "success")
    assert ok["kind"] == "decision_required" and ok["run_status"] == "running"


def test_retried_report_with_step_is_recorded_once(project: Path, run_cli: Any, run: Path) -> None:
    nxt(run_cli, project)
    nxt(run_cli, project, "--result", "success", "--step", "query")
    retry = nxt(run_cli, project, "--result", "success", "--step", "query")
    assert retry["kind"] == "decision_required" and retry["events"] == []
    assert state(run)["completed_steps"] == ["query"]
    wrong = nxt(run_cli, project, "--result", "success", "--step", "draft", code=2)
    assert wrong["error_code"] == "RUN_STEP_NOT_HELD"
    assert wrong["details"]["step_id"] == "draft"


def test_run_completes_and_stays_terminal(project: Path, run_cli: Any, run: Path) -> None:
    nxt(run_cli, project)
    nxt(run_cli, project, "--result", "success")
    resolve(run_cli, project, "input:shape", "csv")
    resolve(run_cli, project, "input:region", "eu")
    for _ in range(3):
        nxt(run_cli, project)
        last = nxt(run_cli, project, "--result", "success")
    assert last["kind"] == "terminal" and last["events"][-1] == "MissionRunCompleted"
    assert nxt(run_cli, project, agent="zz")["kind"] == "terminal"
    data = state(run)
    assert data["status"] == "completed" and data["completed_at"]
    status = run_cli("status", "--mission", "erp-run", cwd=project)
    assert "Run completed: 4/4 steps done" in status.stdout
    human = run_cli("next", "--mission", "erp-run", cwd=project)
    assert "Run complete" in human.stdout


def test_live_definition_drift_is_a_warning(project: Path, run_cli: Any, run: Path) -> None:
    live = project / ".kittify" / "missions" / "erp" / "mission.yaml"
    live.write_text(DEFINITION.replace("Query", "Changed"), encoding="utf-8")
    answer = nxt(run_cli, project)
    assert answer["step"]["title"] == "Query"  # planned from the frozen copy
    [warning] = answer["warnings"]
    assert warning["code"] == "MISSION_DEFINITION_CHANGED"
    assert warning["details"]["file"] == str(live.resolve())
    live.unlink()
    assert nxt(run_cli, project)["warnings"][0]["details"]["live_hash"] is None
    human = run_cli("next", "--mission", "erp-run", "--agent", "a1", cwd=project)
    assert "MISSION_DEFINITION_CHANGED" in human.stderr and "Step query" in human.stdout


def test_refusals(project: Path, run_cli: Any, run: Path) -> None:
    created = run_cli(
        "agent", "mission", "create", "Plain", "--mission-type", "research", "--json", cwd=project
    ).json()
    listed = run_cli(
        "agent", "decision", "list", "--mission", created["mission_slug"], "--json", cwd=project
    )
    assert listed.exit_code == 2 and listed.json()["error_code"] == "RUN_NOT_STARTED"
    assert listed.json()["details"]["hint"].startswith("spec-kitty next --mission")
    bad = run_cli("next", "--mission", "erp-run", "--agent", " ", "--json", cwd=project)
    assert bad.exit_code == 2 and bad.json()["error_code"] == "RUN_INPUT_INVALID"
    long = run_cli(
        "agent",
        "decision",
        "resolve",
        "input:shape",
        "--mission",
        "erp-run",
        "--final-answer",
        "x" * 10_001,
        "--json",
        cwd=project,
    )
    assert long.exit_code == 2 and long.json()["details"]["param"] == "--final-answer"
    surrogate = run_cli("next", "--mission", "erp-run", "--agent", "a\udcff", "--json", cwd=project)
    assert surrogate.exit_code == 2  # refused for every command by the argv check
    from spec_kitty_cli.errors import CliError
    from spec_kitty_cli.runtime import next_action

    with pytest.raises(CliError) as caught:
        next_action(project, project, "erp-run", agent="a\udcff")
    assert caught.value.code == "RUN_INPUT_INVALID"
    unknown = run_cli("next", "--mission", "nope", "--json", cwd=project)
    assert unknown.exit_code == 2 and unknown.json()["error_code"] == "MISSION_NOT_FOUND"


def test_custom_mission_without_run_names_mission_run(
    project: Path, run_cli: Any, run: Path
) -> None:
    index = project / ".kittify" / "runtime" / "mission-runs.json"
    index.unlink()
    res = run_cli("next", "--mission", "erp-run", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["details"]["hint"] == "spec-kitty mission run erp --mission erp-run"


def test_orphan_lines_are_cut_and_lagging_events_requeued(
    project: Path, run_cli: Any, run: Path
) -> None:
    nxt(run_cli, project)
    log = run / "run.events.jsonl"
    committed = log.read_bytes()
    with log.open("ab") as handle:
        handle.write(b'{"torn": tr')
    data = state(run)
    data["events"]["queued"] = 0  # as if the queue had missed everything
    (run / "state.json").write_text(json.dumps(data))
    (run / "run.queued").write_text("garbage")  # a damaged marker counts as nothing queued
    from spec_kitty_cli._events._emit import close_queues

    close_queues()
    for path in (project / ".kittify" / "state").glob("events.db*"):
        path.unlink()  # the queue lost every event
    nxt(run_cli, project, "--result", "success")
    assert log.read_bytes().startswith(committed)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    listed = run_cli("sync", "events", "--limit", "0", "--json", cwd=project).json()
    assert [e["event_id"] for e in listed["events"]] == [e["event_id"] for e in lines]
    again = run_cli("next", "--mission", "erp-run", "--agent", "a1", "--json", cwd=project)
    assert again.json()["events"] == []
    relisted = run_cli("sync", "events", "--limit", "0", "--json", cwd=project).json()
    assert len(relisted["events"]) == len(lines)


def test_damaged_state_is_a_structured_error(project: Path, run_cli: Any, run: Path) -> None:
    (run / "state.json").write_text("{not json")
    res = run_cli("next", "--mission", "erp-run", "--json", cwd=project)
    assert (res.exit_code, res.json()["error_code"]) == (1, "RUN_STATE_INVALID")
    (run / "state.json").write_text("[]")
    res = run_cli("next", "--mission", "erp-run", "--json", cwd=project)
    assert res.json()["details"]["file"] == str(run / "state.json")


def test_lock_held_too_long_is_run_locked(project: Path, run_cli: Any, run: Path) -> None:
    from spec_kitty_cli.errors import CliError
    from spec_kitty_cli.runtime._store import LOCK_FILE, RunLock

    with (
        RunLock(run / LOCK_FILE),
        pytest.raises(CliError) as caught,
        RunLock(run / LOCK_FILE, timeout=0.05),
    ):
        pass
    assert caught.value.code == "RUN_LOCKED" and not caught.value.operator_fixable


def test_progress_record(project: Path, run_cli: Any, run: Path) -> None:
    from spec_kitty_cli.runtime import all_progress, run_progress

    nxt(run_cli, project)
    progress = run_progress(project, "erp-run")
    assert progress is not None
    assert progress.issued is not None and progress.issued["step_id"] == "query"
    assert progress.waiting == ("ask", "draft", "retrospective")
    assert progress.to_dict()["steps_total"] == 4
    assert run_progress(project, "other") is None
    assert set(all_progress(project)) == {"erp-run"}
    nxt(run_cli, project, "--result", "success")
    status = run_cli("status", "--mission", "erp-run", cwd=project).stdout
    assert "decisions open: input:region, input:shape" in status
    listed = run_cli("mission", "list", cwd=project).stdout
    assert "running 1/4" in listed
