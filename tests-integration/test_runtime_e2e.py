"""The mission runtime end to end: `next` and `decision resolve` drive whole runs.

A custom mission of six steps (one decision gate, one step failing once) and a built-in
software-dev mission are driven to MissionRunCompleted through the real CLI; every run event
is checked in `run.events.jsonl`, in `sync events`, against strict `validate_event` of
spec-kitty-events 3.0.0, and delivered by `sync now` to the loopback SaaS.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from acceptance_support import Cli, RecordingStub, cli_env, commit_all, make_repo, scan_tree

RUN_EVENTS = {
    "MissionRunStarted",
    "NextStepIssued",
    "NextStepAutoCompleted",
    "DecisionInputRequested",
    "DecisionInputAnswered",
    "MissionRunCompleted",
}
DEFINITION = """\
mission:
  key: erp
  name: ERP integration
  version: 1.0.0
steps:
  - id: query-erp
    title: Query the ERP
    agent_profile: researcher-robbie
  - id: lookup-provider
    title: Look up the provider
    agent_profile: researcher-robbie
    depends_on: [query-erp]
  - id: ask-user
    title: Ask the export shape
    prompt: Which export shape do the users need?
    requires_inputs: [export_shape]
    options: [csv, json]
    depends_on: [lookup-provider]
  - id: create-js
    title: Create the JS client
    agent_profile: implementer-ivan
    depends_on: [ask-user]
  - id: write-report
    title: Write the report
    contract_ref: specify
    depends_on: [create-js]
  - id: retrospective
    title: Retrospective
    depends_on: [write-report]
"""


def _project(tmp_path: Path, cli: Cli) -> Path:
    root = make_repo(tmp_path / "project")
    cli(root, "init", "--json")
    commit_all(root, "init")
    return root


def _next(cli: Cli, root: Path, mission: str, *extra: str) -> dict[str, Any]:
    answer = cli.json(root, "next", "--mission", mission, "--agent", "claude", *extra, "--json")
    assert answer["result"] == "success"
    return answer


def _run_events(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "run.events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _strictly_valid(envelopes: list[dict[str, Any]]) -> None:
    from spec_kitty_events.conformance import validate_event

    for envelope in envelopes:
        result = validate_event(envelope, envelope["event_type"], strict=True)
        assert result.valid, (envelope["event_type"], result)
        payload_result = validate_event(envelope["payload"], envelope["event_type"], strict=True)
        assert payload_result.valid, (envelope["event_type"], payload_result)


def _queued(cli: Cli, root: Path) -> list[dict[str, Any]]:
    listed = cli.json(root, "sync", "events", "--limit", "0", "--full", "--json")
    return [row["envelope"] for row in listed["events"] if row["event_type"] in RUN_EVENTS]


def test_custom_mission_of_six_steps_is_driven_to_completion(
    tmp_path: Path, isolated_home: Path
) -> None:
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        root = _project(tmp_path, cli)
        definition = root / ".kittify" / "missions" / "erp" / "mission.yaml"
        definition.parent.mkdir(parents=True)
        definition.write_text(DEFINITION, encoding="utf-8")
        started = cli.json(root, "mission", "run", "erp", "--mission", "erp-rollout", "--json")
        run_dir = Path(started["run_dir"])

        order: list[str] = []
        received: dict[str, dict[str, str]] = {}
        failed_once = False
        answer = _next(cli, root, "erp-rollout")
        while answer["kind"] != "terminal":
            if answer["kind"] == "decision_required":
                assert answer["decision_id"] == "input:export_shape"
                assert answer["options"] == ["csv", "json"]
                assert "Which export shape" in answer["question"]
                listed = cli.json(
                    root, "agent", "decision", "list", "--mission", "erp-rollout", "--json"
                )
                assert [d["decision_id"] for d in listed["open"]] == ["input:export_shape"]
                cli.json(
                    root,
                    "agent",
                    "decision",
                    "resolve",
                    "input:export_shape",
                    "--mission",
                    "erp-rollout",
                    "--final-answer",
                    "csv",
                    "--json",
                )
                answer = _next(cli, root, "erp-rollout")
                continue
            assert answer["kind"] == "step", answer
            step = answer["step"]
            order.append(step["id"])
            received[step["id"]] = answer["decisions"]
            assert answer["depends_on_done"] == step["depends_on"]
            if step["id"] == "create-js" and not failed_once:
                failed_once = True
                blocked = _next(cli, root, "erp-rollout", "--result", "failed")
                assert blocked["kind"] == "blocked" and "create-js" in blocked["reason"]
                other = cli.json(
                    root, "next", "--mission", "erp-rollout", "--agent", "codex", "--json"
                )
                assert other["kind"] == "blocked"
                again = _next(cli, root, "erp-rollout")
                assert again["kind"] == "blocked"
                answer = _next(cli, root, "erp-rollout", "--result", "success")
                continue
            answer = _next(cli, root, "erp-rollout", "--result", "success")

        assert order == [
            "query-erp",
            "lookup-provider",
            "ask-user",
            "create-js",
            "write-report",
            "retrospective",
        ]
        assert received["query-erp"] == {} and received["lookup-provider"] == {}
        for later in ("ask-user", "create-js", "write-report", "retrospective"):
            assert received[later] == {"export_shape": "csv"}
        assert _next(cli, root, "erp-rollout")["kind"] == "terminal"

        logged = _run_events(run_dir)
        types = [e["event_type"] for e in logged]
        assert types[0] == "MissionRunStarted" and types[-1] == "MissionRunCompleted"
        assert types.count("MissionRunCompleted") == 1
        assert types.count("NextStepIssued") == 6
        assert types.count("DecisionInputRequested") == types.count("DecisionInputAnswered") == 1
        results = [
            e["payload"]["result"] for e in logged if e["event_type"] == "NextStepAutoCompleted"
        ]
        assert results == ["success"] * 3 + ["failed", "success"] + ["success"] * 2
        _strictly_valid(logged)

        queued = _queued(cli, root)
        assert [e["event_id"] for e in queued] == [e["event_id"] for e in logged]
        assert queued == logged  # one fact, one event_id: the same envelope in both places
        status = cli.json(root, "status", "--mission", "erp-rollout", "--json")
        assert status["run"]["status"] == "completed"
        assert status["run"]["steps_done"] == status["run"]["steps_total"] == 6

        synced = cli.json(root, "sync", "now", "--json")
        assert synced["result"] == "success"
    assert stub.invalid == []
    delivered = {e["event_id"] for e in stub.events.values()}
    assert {e["event_id"] for e in logged} <= delivered
    assert scan_tree(root).hits == []


def test_builtin_software_dev_mission_is_driven_from_discovery_to_accept(
    tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(cli_env(isolated_home))
    root = _project(tmp_path, cli)
    created = cli.json(root, "mission", "create", "Checkout flow", "--json")
    slug = created["mission_slug"]
    order = []
    answer = _next(cli, root, slug)
    assert answer["events"] == ["MissionRunStarted", "NextStepIssued"]
    while answer["kind"] == "step":
        order.append(answer["step"]["id"])
        assert answer["step"]["agent_profile"]
        answer = _next(cli, root, slug, "--result", "success")
    assert answer["kind"] == "terminal"
    assert order == ["discovery", "specify", "plan", "tasks", "implement", "review", "accept"]
    listed = cli.json(root, "mission", "list", "--json")
    [row] = listed["missions"]
    assert row["run"]["status"] == "completed"
    run_dir = Path(answer["run_dir"])
    logged = _run_events(run_dir)
    assert logged[0]["event_type"] == "MissionRunStarted"
    assert logged[0]["payload"]["mission_type"] == "software-dev"
    assert logged[-1]["event_type"] == "MissionRunCompleted"
    _strictly_valid(logged)
    assert [e["event_id"] for e in _queued(cli, root)] == [e["event_id"] for e in logged]


@pytest.mark.parametrize("bad", ["cycle", "unknown"])
def test_mission_run_refuses_bad_dependencies_and_creates_nothing(
    tmp_path: Path, isolated_home: Path, bad: str
) -> None:
    cli = Cli(cli_env(isolated_home))
    root = _project(tmp_path, cli)
    text = DEFINITION.replace("depends_on: [query-erp]", "depends_on: [create-js]")
    if bad == "unknown":
        text = DEFINITION.replace("depends_on: [query-erp]", "depends_on: [nowhere]")
    definition = root / ".kittify" / "missions" / "erp" / "mission.yaml"
    definition.parent.mkdir(parents=True)
    definition.write_text(text, encoding="utf-8")
    refused = cli(root, "mission", "run", "erp", "--mission", "erp-rollout", "--json", expect=2)
    envelope = refused.json()
    if bad == "cycle":
        assert envelope["error_code"] == "MISSION_STEP_DEPENDENCY_CYCLE"
        cycle = envelope["details"]["cycle"]
        assert cycle[0] == cycle[-1]
        assert set(cycle) == {"lookup-provider", "ask-user", "create-js"}
    else:
        assert envelope["error_code"] == "MISSION_STEP_DEPENDENCY_UNKNOWN"
        assert envelope["details"]["step_id"] == "lookup-provider"
        assert envelope["details"]["depends_on"] == "nowhere"
    assert envelope["details"]["file"] == str(definition.resolve())
    assert envelope["details"]["mission_key"] == "erp"
    assert not (root / "kitty-specs").exists()
    assert not (root / ".kittify" / "runtime" / "runs").exists()
