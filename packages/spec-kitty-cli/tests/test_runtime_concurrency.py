"""Eight `spec-kitty next` processes at once on one run: one step issued, nothing torn."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest


def _definition(project: Path) -> None:
    path = project / ".kittify" / "missions" / "race" / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "mission: {key: race, name: Race, version: '1.0.0'}\n"
        "steps:\n"
        "  - {id: first, title: First, agent_profile: implementer-ivan}\n"
        "  - {id: second, title: Second, agent_profile: implementer-ivan, depends_on: [first]}\n"
        "  - {id: retrospective, title: Retro, depends_on: [second]}\n",
        encoding="utf-8",
    )


def _next(project: Path, agent: str) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "spec_kitty_cli",
            "next",
            "--mission",
            "race-run",
            "--agent",
            agent,
            "--json",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


def _lines(run_dir: Path) -> list[dict[str, Any]]:
    text = (run_dir / "run.events.jsonl").read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("same_agent", [False, True], ids=["eight-agents", "one-agent-retrying"])
def test_eight_concurrent_next_calls_issue_exactly_one_step(
    project: Path, run_cli: Any, same_agent: bool
) -> None:
    _definition(project)
    started = run_cli("mission", "run", "race", "--mission", "race-run", "--json", cwd=project)
    run_dir = Path(started.json()["run_dir"])
    agents = ["agent-0"] * 8 if same_agent else [f"agent-{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda a: _next(project, a), agents))
    steps = [a for a in answers if a["kind"] == "step"]
    if same_agent:
        assert len(steps) == 8 and {a["step"]["id"] for a in steps} == {"first"}
    else:
        [winner] = steps
        assert winner["step"]["id"] == "first"
        losers = [a for a in answers if a is not winner]
        assert all(a["kind"] == "blocked" for a in losers)
        assert {a["held_by"] for a in losers} == {winner["agent"]}
    issued = [e for e in _lines(run_dir) if e["event_type"] == "NextStepIssued"]
    assert len(issued) == 1
    state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
    assert state["issued"]["step_id"] == "first"
    assert state["issued"]["agent"] == issued[0]["payload"]["agent_id"]
    assert state["events"]["logged"] == (run_dir / "run.events.jsonl").stat().st_size
    assert not [p.name for p in run_dir.iterdir() if p.name.endswith(".tmp")]
    listed = run_cli("sync", "events", "--limit", "0", "--json", cwd=project).json()
    assert [e["event_type"] for e in listed["events"]].count("NextStepIssued") == 1
