"""Cutover acceptance 3: a project with legacy state is upgraded, then every command works.

The legacy state is written here from literal legacy names, as an older spec-kitty left it:
identity inside ``project:`` of .kittify/config.yaml (with a committed build id), meta.json with
feature-era keys and a string number, a status log with feature-era keys and the ``doing`` lane,
WP frontmatter with legacy keys, and the user-level body queue with legacy columns. Before the
upgrade live commands fail closed; after ``spec-kitty upgrade --yes --json`` identity show,
mission list/info, status, orchestrator-api mission-state/list-ready/transition, agent tasks
move, sync now (events and bodies reach the server in canonical terms) and contract check all
work, and every identity field is preserved.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from acceptance_support import (
    BODY_KEYS,
    POLICY_JSON,
    Cli,
    RecordingStub,
    cli_env,
    commit_all,
    make_repo,
    scan_requests,
)
from saas_stub import contract_problems

PROJECT_UUID = "3c1d9f0e-5b7a-4e2c-9d8f-1a2b3c4d5e6f"
BUILD_ID = "7e4b1c2d-9a8f-4b3c-8d2e-1f0a9b8c7d6e"
NODE_ID = "a4c3e2f1b0d9"
MISSIONS = {  # slug -> (legacy number string, legacy mission type key)
    "064-identity-cutover": ("064", "software-dev"),
    "065-research-spike": ("065", "research"),
}
LEGACY_CONFIG = f"""# spec-kitty project configuration
vcs:
  type: git
project:
  uuid: {PROJECT_UUID}
  slug: legacy-widgets
  node_id: {NODE_ID}
  build_id: {BUILD_ID}
merge:
  strategy: squash
"""
LEGACY_QUEUE_DDL = """
CREATE TABLE body_upload_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_uuid TEXT NOT NULL,
    feature_slug TEXT NOT NULL,
    target_branch TEXT NOT NULL,
    mission_key TEXT NOT NULL,
    manifest_version TEXT NOT NULL,
    artifact_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    hash_algorithm TEXT NOT NULL DEFAULT 'sha256',
    content_body TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    retry_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0.0,
    created_at REAL NOT NULL,
    last_error TEXT,
    UNIQUE(project_uuid, feature_slug, target_branch, mission_key, manifest_version,
           artifact_path, content_hash)
);
"""
QUEUE_ROWS = 12


def _legacy_status(slug: str) -> list[dict[str, Any]]:
    base = {"feature_slug": slug, "wp_id": "WP01", "actor": "claude", "force": False}
    base.update(execution_mode="worktree", reason=None, review_ref=None, evidence=None)
    moves = [("planned", "claimed"), ("claimed", "doing"), ("doing", "for_review")]
    return [
        {**base, "event_id": f"01JQ00000000000000000000{i:02d}", "from_lane": a, "to_lane": b,
         "at": f"2026-04-05T10:0{i}:00+00:00"}
        for i, (a, b) in enumerate(moves, 1)
    ]  # fmt: skip


def _write_legacy_project(root: Path, home: Path) -> list[dict[str, Any]]:
    make_repo(root)
    (root / ".kittify").mkdir()
    (root / ".kittify" / "config.yaml").write_text(LEGACY_CONFIG, encoding="utf-8")
    for slug, (number, kind) in MISSIONS.items():
        folder = root / "kitty-specs" / slug
        (folder / "tasks").mkdir(parents=True)
        meta = {
            "feature_number": number,
            "feature_slug": slug,
            "slug": slug,
            "friendly_name": slug[4:].replace("-", " ").title(),
            "mission": kind,
            "target_branch": "main",
            "created_at": "2026-04-05T10:11:12+00:00",
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        (folder / "spec.md").write_text(f"# {slug}\n\nLegacy spec ✓\n", encoding="utf-8")
    first = root / "kitty-specs" / "064-identity-cutover"
    (first / "status.events.jsonl").write_text(
        "".join(json.dumps(x, sort_keys=True) + "\n" for x in _legacy_status(first.name))
    )
    (first / "tasks" / "WP01-setup.md").write_text(
        "---\nwork_package_id: WP01\ntitle: Set up\nfeature_slug: 064-identity-cutover\n"
        "lane: doing\ndependencies: []\nsubtasks: []\n---\n# WP01\n",
        encoding="utf-8",
    )
    (first / "tasks" / "WP02-wire.md").write_text(
        "---\nwork_package_id: WP02\ntitle: Wire\ndependencies: [WP01]\nsubtasks: []\n---\n"
        "# WP02\n",
        encoding="utf-8",
    )
    rows = []
    for i in range(QUEUE_ROWS):
        slug = list(MISSIONS)[i % 2]
        body = f"# Legacy research note {i} ✓\n"
        rows.append(
            {
                "project_uuid": PROJECT_UUID,
                "feature_slug": slug,
                "target_branch": "main",
                "mission_key": MISSIONS[slug][1],
                "manifest_version": "1",
                "artifact_path": f"research/note-{i}.md",
                "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                "hash_algorithm": "sha256",
                "content_body": body,
                "size_bytes": len(body.encode()),
                "retry_count": i % 3,
                "next_attempt_at": 0.0,
                "created_at": 1_750_000_000.0 + i,
                "last_error": None if i % 2 else "HTTP 503 - retry",
            }
        )
    db = home / ".spec-kitty" / "queue.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.executescript(LEGACY_QUEUE_DDL)
    columns = list(rows[0])
    conn.executemany(
        f"INSERT INTO body_upload_queue ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        [tuple(r[c] for c in columns) for r in rows],
    )
    conn.commit()
    conn.close()
    commit_all(root, "state as an older spec-kitty left it")
    return rows


def test_legacy_project_upgrades_and_every_command_works(
    tmp_path: Path, isolated_home: Path
) -> None:
    root = tmp_path / "project"
    legacy_rows = _write_legacy_project(root, isolated_home)
    slug = "064-identity-cutover"
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        # Live code fails closed on legacy state and points to `spec-kitty upgrade`.
        refused = cli(root, "identity", "show", "--json", expect=2).json()
        assert refused["error_code"] == "LEGACY_STATE" and "upgrade" in json.dumps(refused)
        refused = cli(root, "orchestrator-api", "mission-state", "--mission", slug, expect=None)
        assert refused.code != 0 and "upgrade" in refused.stdout

        upgraded = cli.json(root, "upgrade", "--yes", "--json")
        assert upgraded["status"] == "upgraded", upgraded
        again = cli.json(root, "upgrade", "--yes", "--json")
        assert again["status"] == "up_to_date", again

        ident = cli.json(root, "identity", "show", "--json")
        assert ident["project"]["uuid"] == PROJECT_UUID
        assert ident["project"]["slug"] == "legacy-widgets"
        assert ident["build"]["id"] == BUILD_ID
        assert ident["node"]["id"] == NODE_ID
        listed = {
            m["mission_slug"]: m for m in cli.json(root, "mission", "list", "--json")["missions"]
        }
        assert set(listed) == set(MISSIONS)
        for name, (number, kind) in MISSIONS.items():
            info = cli.json(root, "mission", "info", name, "--json")
            for mission in (listed[name], info.get("mission", info)):
                assert mission["mission_slug"] == name
                assert mission["mission_number"] == int(number)
                assert mission["mission_type"] == kind
        board = cli.json(root, "status", "--mission", slug, "--json")
        assert board["result"] == "success", board

        api = ("orchestrator-api",)
        state = cli.json(root, *api, "mission-state", "--mission", slug)
        assert state["success"], state
        lanes = {w["wp_id"]: w["lane"] for w in state["data"]["work_packages"]}
        assert lanes == {"WP01": "for_review", "WP02": "planned"}
        ready = cli.json(root, *api, "list-ready", "--mission", slug)
        assert ready["success"] and ready["data"]["ready_work_packages"] == []
        done = cli.json(
            root, *api, "transition", "--mission", slug, "--wp", "WP01", "--to", "approved",
            "--actor", "reviewer", "--review-ref", "PR-64", "--policy", POLICY_JSON,
        )  # fmt: skip
        assert done["success"], done
        ready = cli.json(root, *api, "list-ready", "--mission", slug)["data"]
        assert [w["wp_id"] for w in ready["ready_work_packages"]] == ["WP02"]
        moved = cli.json(
            root, "agent", "tasks", "move", "WP02", "--to", "claimed", "--mission", slug,
            "--actor", "claude", "--json",
        )  # fmt: skip
        assert moved["result"] == "success", moved

        synced = cli.json(root, "sync", "now", "--json")
        assert synced["events"]["rejected"] == 0 and synced["queue"]["pending"] == 0, synced
        envelopes = cli.json(root, "sync", "events", "--full", "--limit", "0", "--json")

    # Events: the moves made after the upgrade, canonical and valid, with the preserved identity.
    assert stub.invalid == []
    received = list(stub.events.values())
    moves = {
        (e["payload"]["wp_id"], e["payload"]["from_lane"], e["payload"]["to_lane"])
        for e in received
        if e["event_type"] == "WPStatusChanged"
    }
    assert {("WP01", "for_review", "approved"), ("WP02", "planned", "claimed")} <= moves
    for env in received:
        assert contract_problems(env) == []
        assert (env["project_uuid"], env["build_id"], env["node_id"]) == (
            PROJECT_UUID,
            BUILD_ID,
            NODE_ID,
        )
        if "mission_slug" in env["payload"]:
            assert env["payload"]["mission_slug"] in MISSIONS
    # Bodies: every legacy queued body reached the server under canonical namespace keys.
    bodies = {(b["mission_slug"], b["artifact_path"]): b for b in stub.body_payloads()}
    for row in legacy_rows:
        body = bodies[(row["feature_slug"], row["artifact_path"])]
        assert set(body) == BODY_KEYS
        assert body["mission_type"] == row["mission_key"]
        assert body["content_body"] == row["content_body"]
        assert body["content_hash"] == row["content_hash"]
        assert body["project_uuid"] == PROJECT_UUID
    assert scan_requests(stub.requests) == []

    # contract check accepts what was sent (an envelope and a body payload).
    envelope = next(e for e in envelopes["events"] if e["event_type"] == "WPStatusChanged")
    sent = envelope.get("envelope", envelope)
    doc = tmp_path / "envelope.json"
    doc.write_text(json.dumps(sent))
    checked = cli.json(root, "contract", "check", "--surface", "event", str(doc), "--json")
    assert checked["conformant"] is True
    payload_doc = tmp_path / "body.json"
    payload_doc.write_text(json.dumps(next(iter(bodies.values()))))
    checked = cli.json(
        root, "contract", "check", "--surface", "body_upload", str(payload_doc), "--json"
    )
    assert checked["conformant"] is True
