"""Cutover acceptance 4: a non-conformant event is stopped by the gate before any request leaves.

Three deliberate breakages, each built through the real envelope builder of the installed CLI and
then broken: a feature-era key injected into the payload, build_id dropped, aggregate_type set to
the feature-era aggregate. Each is stopped twice over:

- on the way in: ``emit_event`` / ``EventQueue.append`` (the real emit and store path) raise a
  ``ContractViolation`` naming code, path and rule, and nothing is stored;
- on the way out: the same envelope written straight into the queue file (as a damaged or older
  queue could hold it) is refused by `spec-kitty sync now` before sending: the server records
  zero requests, the CLI answers exit 2 with the code and path, and the row is kept as rejected.

`spec-kitty contract check` gives the same code, path and rule for the document.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from acceptance_support import Cli, RecordingStub, cli_env, commit_all, deny_list, make_repo

from spec_kitty_cli._events import (
    EventQueue,
    build_envelope,
    canonical_json,
    checkout_identity,
    emit_event,
    mission_catalog_payload,
    queue_path,
)
from spec_kitty_gate import ContractViolation, artifact_info
from spec_kitty_identity import resolve_mission

LEGACY_KEY = "feature_slug"  # the test names the legacy word it proves is rejected
LEGACY_AGGREGATE = "Feature"
CASES = {
    "legacy-key-in-payload": ("CONTRACT_LEGACY_SURFACE", f"$.payload.{LEGACY_KEY}", "deny.keys"),
    "build-id-dropped": ("CONTRACT_MISSING_FIELD", "$.build_id", "required"),
    "legacy-aggregate-type": ("CONTRACT_LEGACY_SURFACE", "$.aggregate_type", "deny.aggregate_type"),
}


def test_the_broken_values_are_on_the_artifacts_deny_list() -> None:
    assert LEGACY_KEY in artifact_info()["deny"]["keys"]
    assert LEGACY_AGGREGATE in deny_list().aggregate_types


def _break(case: str, env: dict[str, Any]) -> dict[str, Any]:
    env = json.loads(json.dumps(env))
    if case == "legacy-key-in-payload":
        env["payload"][LEGACY_KEY] = env["payload"]["mission_slug"]
    elif case == "build-id-dropped":
        del env["build_id"]
    else:
        env["aggregate_type"] = LEGACY_AGGREGATE
    return env


def _journal_count(root: Path) -> int:
    with sqlite3.connect(queue_path(root)) as conn:
        return int(conn.execute("SELECT count(*) FROM event_journal").fetchone()[0])


def _smuggle(root: Path, env: dict[str, Any], build_id: str) -> None:
    """Write ``env`` into the queue file directly, bypassing the gate (a damaged queue)."""
    conn = sqlite3.connect(queue_path(root), isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "INSERT INTO event_journal (event_id, event_type, aggregate_type, aggregate_id, "
            "lamport_clock, build_id, envelope, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                env["event_id"], env["event_type"], env["aggregate_type"], env["aggregate_id"],
                env["lamport_clock"], build_id, canonical_json(env), time.time(),
            ),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO event_delivery (event_id, seq, state, updated_at) "
            "VALUES (?, ?, 'pending', ?)",
            (env["event_id"], cur.lastrowid, time.time()),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.mark.parametrize("case", list(CASES))
def test_gate_stops_a_broken_event_before_any_request(
    case: str, tmp_path: Path, isolated_home: Path
) -> None:
    code, path, rule = CASES[case]
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        root = make_repo(tmp_path / "project")
        cli.json(root, "init", "--json")
        commit_all(root, "spec-kitty init")
        slug = cli.json(root, "agent", "mission", "create", "Gate check", "--json")["mission_slug"]
        first = cli.json(root, "sync", "now", "--events-only", "--json")
        # MissionCreated and the dossier events of the new mission, in one batch
        assert first["events"]["delivered"] == 7 and len(stub.requests) == 1

        # The real builder makes a valid envelope; then it is broken on purpose.
        mission = resolve_mission(root, slug).identity
        identity = checkout_identity(root)
        good = build_envelope(
            identity,
            event_type="MissionClosed",
            aggregate_type="Mission",
            aggregate_id=mission.mission_id,
            payload=mission_catalog_payload(mission),
            lamport_clock=50,
        )
        bad = _break(case, good)

        # 1. On the way in: the emit and store paths refuse it; nothing is stored.
        stored = _journal_count(root)
        with pytest.raises(ContractViolation) as refused:
            if case == "build-id-dropped":
                with EventQueue(queue_path(root)) as queue:
                    queue.append(bad)
            else:
                emit_event(
                    root,
                    event_type=bad["event_type"],
                    aggregate_type=bad["aggregate_type"],
                    aggregate_id=bad["aggregate_id"],
                    payload=bad["payload"],
                )
        assert (refused.value.code, refused.value.path, refused.value.rule) == (code, path, rule)
        assert refused.value.details["surface"] == "event"
        assert _journal_count(root) == stored

        # 2. On the way out: smuggled into the queue file, it never leaves the machine.
        _smuggle(root, bad, identity.build_id)
        out = cli(root, "sync", "now", "--events-only", "--json", expect=2)
        assert len(stub.requests) == 1, [r.path for r in stub.requests[1:]]
        assert all(bad["event_id"] not in r.body for r in stub.requests)
        report = out.json()
        text = json.dumps(report)
        assert code in text and path in text, report
        status = cli.json(root, "sync", "status", "--json")["events"]
        assert status["counts"]["rejected"] == 1 and status["counts"]["pending"] == 0, status
        assert code in json.dumps(status["rejections"]), status
        with sqlite3.connect(queue_path(root)) as conn:
            reason = conn.execute(
                "SELECT reject_reason FROM event_delivery WHERE event_id = ?", (bad["event_id"],)
            ).fetchone()[0]
        assert code in reason and path in reason

    # 3. contract check names code, path and rule for the same document.
    doc = tmp_path / "broken.json"
    doc.write_text(json.dumps(bad))
    checked = cli(root, "contract", "check", "--surface", "event", str(doc), "--json", expect=2)
    error = checked.json()
    assert error["result"] == "error" and error["error_code"] == code
    (violation,) = error["details"]["violations"]
    assert (violation["path"], violation["rule"]) == (path, rule)
    assert stub.invalid == []


def test_sync_events_lists_a_rejected_envelope_without_build_id(
    tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(cli_env(isolated_home))
    root = make_repo(tmp_path / "project")
    cli.json(root, "init", "--json")
    slug = cli.json(root, "agent", "mission", "create", "Gate check", "--json")["mission_slug"]
    mission = resolve_mission(root, slug).identity
    identity = checkout_identity(root)
    env = build_envelope(
        identity,
        event_type="MissionClosed",
        aggregate_type="Mission",
        aggregate_id=mission.mission_id,
        payload=mission_catalog_payload(mission),
        lamport_clock=50,
    )
    bad = _break("build-id-dropped", env)
    _smuggle(root, bad, identity.build_id)
    listed = cli.json(root, "sync", "events", "--limit", "0", "--json")
    row = next(e for e in listed["events"] if e["event_id"] == bad["event_id"])
    assert row["build_id"] == identity.build_id
