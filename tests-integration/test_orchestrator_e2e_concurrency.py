"""Eight processes race to claim the same planned WP: exactly one wins, under the mission lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "orchestrator_fixtures"))
import orch_harness as harness

pytestmark = [pytest.mark.e2e]


def test_eight_concurrent_claims_one_winner(tmp_path: Path) -> None:
    project = harness.make_project(tmp_path)
    procs = [
        subprocess.Popen(
            [
                "spec-kitty",
                "orchestrator-api",
                "start-implementation",
                "--mission",
                project.slug,
                "--wp",
                "WP01",
                "--actor",
                f"orchestrator-{i}",
                "--policy",
                harness.POLICY_JSON,
            ],
            cwd=project.root,
            env=project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    envelopes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1, (out, err)
        envelopes.append(json.loads(lines[0]))
    winners = [e for e in envelopes if e["success"]]
    assert len(winners) == 1
    assert (
        sorted(e["error_code"] for e in envelopes if not e["success"]) == ["WP_ALREADY_CLAIMED"] * 7
    )
    winner = winners[0]["data"]
    assert (winner["from_lane"], winner["to_lane"], winner["no_op"]) == (
        "planned",
        "in_progress",
        False,
    )
    claimant = next(e["data"]["claimed_by"] for e in envelopes if not e["success"])
    events = [e for e in project.events() if "kind" not in e]  # transitions
    assert [(e["from_lane"], e["to_lane"]) for e in events] == [
        ("planned", "claimed"),
        ("claimed", "in_progress"),
    ]
    assert {e["actor"] for e in events} == {claimant}
