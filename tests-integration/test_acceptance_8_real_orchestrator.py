"""Cutover acceptance 8: the real spec-kitty-orchestrator 0.1.2 completes a mission against the
installed CLI, and everything it caused reaches the SaaS stand-in in mission-era terms.

Reuses orchestrator_fixtures/orch_harness.py (a real git project with three WPs, WP03 depending
on WP01 and WP02; the fake `claude` agent; a `spec-kitty` shim running the installed CLI). The
agent finalizes the work packages, the orchestrator runs, the mission is accepted and synced: the
server holds MissionCreated, WPCreated x3, one WPStatusChanged per status-log transition and
MissionClosed, all valid under spec-kitty-events 3.0.0, and no deny-listed word appears in any
request or in what spec-kitty wrote.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from acceptance_support import BODY_KEYS, RecordingStub, scan_requests, scan_tree
from saas_stub import contract_problems

sys.path.insert(0, str(Path(__file__).parent / "orchestrator_fixtures"))
import orch_harness as harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ACTOR = "spec-kitty-orchestrator"


def test_real_orchestrator_completes_a_mission_and_it_syncs(tmp_path: Path) -> None:
    project = harness.make_project(tmp_path)
    code, finalized = project.spec_kitty(
        "agent", "tasks", "finalize", "--mission", project.slug, "--json"
    )
    assert code == 0 and finalized["seeded"] == list(harness.WPS)
    run = project.orchestrate()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Orchestration completed successfully." in run.stdout
    code, state = project.spec_kitty("orchestrator-api", "mission-state", "--mission", project.slug)
    assert code == 0 and {w["lane"] for w in state["data"]["work_packages"]} == {"done"}
    code, accepted = project.spec_kitty(
        "orchestrator-api", "accept-mission", "--mission", project.slug, "--actor", ACTOR
    )
    assert code == 0 and accepted["data"]["accepted"] is True

    with RecordingStub() as stub:
        project.env.update(SPEC_KITTY_SERVER_URL=stub.url, SPEC_KITTY_TOKEN=stub.token)
        code, synced = project.spec_kitty("sync", "now", "--json")
        assert code == 0, synced
        assert synced["events"]["rejected"] == 0 and synced["queue"]["pending"] == 0

    assert stub.invalid == []
    received = list(stub.events.values())
    assert all(contract_problems(env) == [] for env in received)
    types = Counter(e["event_type"] for e in received)
    assert (types["MissionCreated"], types["WPCreated"], types["MissionClosed"]) == (1, 3, 1)
    transitions = [e for e in project.events() if "kind" not in e]
    expected = Counter((t["wp_id"], t["from_lane"], t["to_lane"]) for t in transitions)
    sent = Counter(
        (e["payload"]["wp_id"], e["payload"]["from_lane"], e["payload"]["to_lane"])
        for e in received
        if e["event_type"] == "WPStatusChanged"
    )
    assert sent == expected and sum(sent.values()) == types["WPStatusChanged"]
    for wp in harness.WPS:
        assert sent[(wp, "for_review", "done")] == 1
    assert all(set(b) == BODY_KEYS for b in stub.body_payloads())
    assert stub.body_payloads()

    assert scan_requests(stub.requests) == []
    # What spec-kitty wrote: the mission folder, the per-checkout state and the user state.
    tree = scan_tree(
        project.root / "kitty-specs",
        project.root / ".kittify",
        Path(project.env["SPEC_KITTY_HOME"]),
    )
    assert tree.sqlite_files >= 2 and tree.hits == [], tree.hits
    meta = json.loads((project.root / "kitty-specs" / project.slug / "meta.json").read_text())
    assert meta["accepted_by"] == ACTOR
