"""Cutover acceptance 1: an agent runs a whole mission and nothing feature-era appears anywhere.

A real git repository, the installed CLI as a subprocess, the loopback SaaS stand-in validating
every envelope with spec-kitty-events 3.0.0. The agent creates a mission, finalizes three work
packages, drives them through the lanes with the orchestrator API (one review sends WP03 back),
accepts the mission and syncs events and bodies. Then:

- the server holds MissionCreated, WPCreated x3, one WPStatusChanged per status-log transition
  and MissionClosed, each valid under spec-kitty-events 3.0.0, and bodies with exactly 9 keys;
- no deny-listed word (the gate artifact's deny-lists united with spec-kitty-events' cutover
  artifact) appears in any stdout, any file under the project or the user state (every SQLite
  table dumped row by row) or any HTTP request the server received.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from acceptance_support import (
    BODY_KEYS,
    POLICY_JSON,
    Cli,
    RecordingStub,
    cli_env,
    commit_all,
    deny_list,
    make_repo,
    scan_json,
    scan_requests,
    scan_results,
    scan_text,
    scan_tree,
    write_wps,
)
from saas_stub import contract_problems

from spec_kitty_gate import artifact_info

WPS = {
    "WP01": ("Parser", []),
    "WP02": ("Renderer", []),
    "WP03": ("Wire parser and renderer", ["WP01", "WP02"]),
}
ACTOR = "acceptance-orchestrator"


def _drive(cli: Cli, root: Path, slug: str, wp: str, *, rework: bool = False) -> None:
    api = ("orchestrator-api",)
    common = ("--mission", slug, "--wp", wp, "--actor", ACTOR, "--policy", POLICY_JSON)
    started = cli.json(root, *api, "start-implementation", *common)
    assert started["success"] and started["data"]["to_lane"] == "in_progress", started
    moved = cli.json(root, *api, "transition", *common, "--to", "for_review")
    assert moved["success"], moved
    if rework:
        back = cli.json(root, *api, "start-review", *common, "--review-ref", f"feedback-{wp}")
        assert back["success"] and back["data"]["to_lane"] == "in_progress", back
        assert cli.json(root, *api, "transition", *common, "--to", "for_review")["success"]
    approved = cli.json(
        root, *api, "transition", *common, "--to", "approved", "--review-ref", f"review-{wp}"
    )
    assert approved["success"], approved
    done = cli.json(root, *api, "transition", *common, "--to", "done")
    assert done["success"] and done["data"]["to_lane"] == "done", done
    note = ("--mission", slug, "--wp", wp, "--actor", ACTOR, "--note", f"{wp} finished")
    assert cli.json(root, *api, "append-history", *note)["success"]


def test_agent_runs_a_mission_and_nothing_feature_era_appears(
    tmp_path: Path, isolated_home: Path
) -> None:
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        root = make_repo(tmp_path / "project")
        cli.json(root, "init", "--json")
        commit_all(root, "spec-kitty init")
        created = cli.json(root, "agent", "mission", "create", "Text pipeline", "--json")
        slug, mission_id = created["mission_slug"], created["mission_id"]
        assert created["mission_number"] == 1
        write_wps(root, slug, WPS)
        commit_all(root, "three work packages")
        finalized = cli.json(root, "agent", "tasks", "finalize", "--mission", slug, "--json")
        assert finalized["seeded"] == ["WP01", "WP02", "WP03"]

        api = ("orchestrator-api",)
        version = cli.json(root, *api, "contract-version")
        assert version["data"]["api_version"] == "1.0.0"
        ready = cli.json(root, *api, "list-ready", "--mission", slug)["data"]
        assert [w["wp_id"] for w in ready["ready_work_packages"]] == ["WP01", "WP02"]
        _drive(cli, root, slug, "WP01")
        _drive(cli, root, slug, "WP02")
        ready = cli.json(root, *api, "list-ready", "--mission", slug)["data"]
        assert [w["wp_id"] for w in ready["ready_work_packages"]] == ["WP03"]
        _drive(cli, root, slug, "WP03", rework=True)
        state = cli.json(root, *api, "mission-state", "--mission", mission_id)["data"]
        assert {w["wp_id"]: w["lane"] for w in state["work_packages"]} == dict.fromkeys(WPS, "done")
        accepted = cli.json(root, *api, "accept-mission", "--mission", slug, "--actor", ACTOR)
        assert accepted["success"] and accepted["data"]["accepted"] is True, accepted
        # Read-only commands an agent uses along the way (their stdout is scanned too).
        cli.json(root, "status", "--mission", slug, "--json")
        cli.json(root, "mission", "list", "--json")
        cli.json(root, "mission", "info", slug, "--json")
        cli.json(root, "identity", "show", "--json")
        cli.json(root, "sync", "status", "--json")

        synced = cli.json(root, "sync", "now", "--json")
        assert synced["events"]["rejected"] == 0, synced
        assert synced["queue"]["pending"] == 0, synced
        cli.json(root, "sync", "events", "--full", "--limit", "0", "--json")
        cli.json(root, "contract", "info", "--json")

    # -- what the server received ----------------------------------------------------------
    assert stub.invalid == []
    received = list(stub.events.values())
    for env in received:
        assert contract_problems(env) == [], env
    types = Counter(e["event_type"] for e in received)
    assert types["MissionCreated"] == 1 and types["MissionClosed"] == 1
    assert types["WPCreated"] == 3
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    transitions = [
        json.loads(line) for line in log.read_text().splitlines() if '"kind"' not in line
    ]
    expected = Counter((t["wp_id"], t["from_lane"], t["to_lane"]) for t in transitions)
    sent = Counter(
        (e["payload"]["wp_id"], e["payload"]["from_lane"], e["payload"]["to_lane"])
        for e in received
        if e["event_type"] == "WPStatusChanged"
    )
    assert sent == expected and types["WPStatusChanged"] == len(transitions)
    assert ("WP03", "for_review", "in_progress") in sent  # the rework rollback too
    dossier = {t for t in types if t.startswith("MissionDossier")}
    assert set(types) - dossier == {
        "MissionCreated", "WPCreated", "WPStatusChanged", "MissionClosed"
    }  # fmt: skip
    assert {"MissionDossierArtifactIndexed", "MissionDossierSnapshotComputed"} <= dossier
    for env in received:
        if env["event_type"] in dossier:
            assert env["aggregate_type"] == "MissionDossier"
            assert env["aggregate_id"] == f"{mission_id}:dossier"
    # every body went out after its index event was accepted: none was refused
    assert {answer[0] for answer in stub.body_answers} <= {200, 201}
    closed = next(e for e in received if e["event_type"] == "MissionClosed")
    assert closed["aggregate_type"] == "Mission" and closed["aggregate_id"] == mission_id
    assert closed["payload"] == {
        "mission_slug": slug,
        "mission_number": 1,
        "mission_type": "software-dev",
    }
    for env in received:
        if env["event_type"].startswith("WP"):
            assert env["aggregate_type"] == "WorkPackage"
            assert env["aggregate_id"] == f"{mission_id}:{env['payload']['wp_id']}"
    assert all(n == 1 for n in stub.success_counts.values())

    bodies = stub.body_payloads()
    assert bodies, "no artifact body reached the server"
    for body in bodies:
        assert set(body) == BODY_KEYS, sorted(body)
        assert body["mission_slug"] == slug and body["hash_algorithm"] == "sha256"
        digest = hashlib.sha256(body["content_body"].encode("utf-8")).hexdigest()
        assert body["content_hash"] == digest
    paths = {b["artifact_path"] for b in bodies}
    assert {"meta.json", "spec.md"} <= paths
    assert sum(p.startswith("tasks/WP0") for p in paths) == 3

    # -- the feature-era scan: stdout, every file, every request ----------------------------
    deny = deny_list()
    assert len(cli.results) >= 30
    # `contract info` prints the artifact, whose deny-lists name what is rejected: that section
    # (and only that section) may spell the words.
    info = next(r for r in cli.results if r.args[:2] == ("contract", "info"))
    info_data = info.json()
    assert info_data.pop("deny") == artifact_info()["deny"]
    assert scan_json(info_data, "contract info") == []
    assert scan_results(r for r in cli.results if r is not info) == []
    tree = scan_tree(root, isolated_home)
    assert tree.files >= 15 and tree.sqlite_files >= 2 and tree.sqlite_rows >= 40, tree
    assert tree.hits == []
    assert len(stub.requests) >= 2
    assert scan_requests(stub.requests) == []
    # The scans are not vacuous: every deny-listed word is found when it is planted.
    for word in deny.words + deny.flags:
        assert scan_text(f"x {word} y", "planted"), word
    for kind in deny.aggregate_types:
        assert scan_json({"aggregate_type": kind}, "planted")
    for root_name in deny.aggregate_roots:
        assert scan_json({"aggregate_id": f"{root_name}:1"}, "planted")


@pytest.mark.parametrize("index", [0, -1])
def test_the_tree_scan_finds_a_planted_word_in_sqlite_and_json(tmp_path: Path, index: int) -> None:
    import sqlite3

    word = deny_list().words[index]
    conn = sqlite3.connect(tmp_path / "state.db")
    conn.execute("CREATE TABLE t (a TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (json.dumps({word: 1}),))
    conn.commit()
    conn.close()
    (tmp_path / "clean.json").write_text('{"mission_slug": "001-x"}')
    found = scan_tree(tmp_path)
    assert found.sqlite_files == 1 and found.sqlite_rows >= 1
    assert any("state.db:t[0]" in hit for hit in found.hits), found.hits
