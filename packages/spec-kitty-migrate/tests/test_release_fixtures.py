"""Upgrade on projects made by the RELEASED spec-kitty-cli versions (tests-integration/
release_fixtures, made by scripts/make_release_fixtures.py): zero loss, canonical output, and a
second run that changes nothing. The live commands over the result: tests-integration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from release_support import VERSIONS, fixture_meta, materialize

from spec_kitty_identity import list_missions, load_project_identity
from spec_kitty_migrate import plan_upgrade, run_upgrade
from spec_kitty_migrate._logfix import ANNOTATION_KEYS, LIFECYCLE_FILE, TRANSITION_KEYS

CANONICAL_LANES = {"planned", "claimed", "in_progress", "for_review", "approved", "done"}
CANONICAL_LANES |= {"blocked", "canceled"}


def _legacy_rows(home: Path, uuid: str) -> int:
    """Rows of this project in every legacy queue the release left (counted independently)."""
    total = 0
    state = home / ".spec-kitty"
    queue = state / "queue.db"
    if queue.is_file():
        conn = sqlite3.connect(queue)
        total += sum(
            json.loads(d).get("project_uuid") == uuid
            for (d,) in conn.execute("SELECT data FROM queue")
        )
        conn.close()
    sync = state / "projects" / uuid / "sync" / "sync.db"
    if sync.is_file():
        conn = sqlite3.connect(sync)
        total += conn.execute("SELECT count(*) FROM journal_entries").fetchone()[0]
        total += conn.execute("SELECT count(*) FROM body_upload_tasks").fetchone()[0]
        conn.close()
    return total


def _legacy_bodies(home: Path, uuid: str) -> int:
    queue = home / ".spec-kitty" / "queue.db"
    if not queue.is_file():
        return 0
    conn = sqlite3.connect(queue)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM body_upload_queue WHERE project_uuid = ?", (uuid,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


def _reduce(log: Path) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for line in log.read_text().splitlines():
        record = json.loads(line)
        allowed = ANNOTATION_KEYS if record.get("kind") == "annotation" else TRANSITION_KEYS
        assert set(record) <= allowed, record
        assert isinstance(record["actor"], str)
        if record.get("kind") != "annotation":
            assert record["to_lane"] in CANONICAL_LANES
            assert record["from_lane"] in CANONICAL_LANES | {None}
            lanes[record["wp_id"]] = record["to_lane"]
    return lanes


BOARD_ALIAS = {"doing": "in_progress"}


@pytest.mark.parametrize("version", VERSIONS)
def test_release_project_upgrades_without_loss(
    version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, home = materialize(version, tmp_path / "fx")
    monkeypatch.setenv("HOME", str(home))
    meta = fixture_meta(version)
    emitted: list[dict[str, Any]] = []

    def emit(fact: dict[str, Any]) -> str | None:
        emitted.append(fact)
        return None

    report = run_upgrade(project, home=home, emit=emit)
    assert report.status == "upgraded" and report.verified and not report.conflicts
    identity = load_project_identity(project)  # bootstrapped where the release wrote none
    assert identity.project_uuid and identity.build_id and identity.node_id
    (mission,) = list_missions(project)
    assert mission.slug == meta["mission_slug"]  # never renamed
    assert mission.meta_path.parent.name == meta["mission_slug"]
    assert mission.identity.mission_number == 1
    log = mission.path / "status.events.jsonl"
    board = {wp: BOARD_ALIAS.get(lane, lane) for wp, lane in meta["board"].items()}
    assert _reduce(log) == board
    # every queued legacy event of this project: imported (handed to the sink) or reported
    ledger = project / ".kittify" / "state" / "legacy-events.jsonl"
    records = [json.loads(x) for x in ledger.read_text().splitlines()] if ledger.is_file() else []
    assert len(records) == _legacy_rows(home, identity.project_uuid)
    assert {r["event_id"] for r in records if r["outcome"] == "imported"} == {
        e["event_id"] for e in emitted
    }
    assert all(r["reason"] for r in records)
    # every queued body of this project, whatever the release named its columns
    (bodies,) = [s for s in report.steps if s.step == "body-queue"]
    assert bodies.rows_imported == _legacy_bodies(home, identity.project_uuid)
    # a second upgrade changes nothing
    again = run_upgrade(project, home=home, emit=emit)
    assert again.status == "up_to_date"
    assert not plan_upgrade(project, home=home).pending


def test_lifecycle_lines_and_coordination_branch_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3.2: the lifecycle lines leave the status log verbatim; the branch's transitions arrive."""
    project, home = materialize("3.2.7", tmp_path / "fx")
    monkeypatch.setenv("HOME", str(home))
    slug = fixture_meta("3.2.7")["mission_slug"]
    before = (project / "kitty-specs" / slug / "status.events.jsonl").read_text().splitlines()
    run_upgrade(project, home=home, emit=lambda fact: None)
    side = (project / "kitty-specs" / slug / LIFECYCLE_FILE).read_text().splitlines()
    lifecycle = [line for line in side if "event_type" in json.loads(line)]
    assert set(before) <= set(lifecycle)  # byte for byte
    extras = [json.loads(line) for line in side if "legacy_extras" in json.loads(line)]
    assert extras and all("review_result" in e["legacy_extras"] for e in extras)
    log = (project / "kitty-specs" / slug / "status.events.jsonl").read_text()
    reasons = [json.loads(line).get("reason") or "" for line in log.splitlines()]
    assert any("in_review mapped to for_review" in r for r in reasons)


def test_in_review_is_mapped_with_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, home = materialize("3.1.10", tmp_path / "fx")
    monkeypatch.setenv("HOME", str(home))
    slug = fixture_meta("3.1.10")["mission_slug"]
    assert '"in_review"' in (project / "kitty-specs" / slug / "status.events.jsonl").read_text()
    plan = plan_upgrade(project, home=home)
    (status,) = [s for s in plan.steps if s.step == "status-wp"]
    assert any("'in_review' -> 'for_review'" in c for f in status.findings for c in f.changes)


def test_hand_made_project_without_config_is_bootstrapped(repo: Path) -> None:
    """The spec-kitty-orchestrator 0.1.2 e2e seed: no config.yaml, meta.json with `title`."""
    mission = repo / "kitty-specs" / "099-orchestrator-e2e"
    (mission / "tasks").mkdir(parents=True)
    meta = {"mission_slug": mission.name, "mission_number": 99, "mission_type": "software-dev"}
    (mission / "meta.json").write_text(json.dumps({**meta, "title": "Orchestrator E2E"}))
    (mission / "tasks" / "WP01-x.md").write_text(
        '---\nwork_package_id: "WP01"\ntitle: "X"\nlane: "planned"\ndependencies: []\n---\n# WP01\n'
    )
    report = run_upgrade(repo, emit=lambda fact: None)
    assert report.status == "upgraded" and not report.conflicts
    assert load_project_identity(repo).project_uuid
    (found,) = list_missions(repo)
    assert found.identity.friendly_name == "Orchestrator E2E"
    assert found.identity.mission_number == 99
    assert _reduce(mission / "status.events.jsonl") == {"WP01": "planned"}
    assert run_upgrade(repo, emit=lambda fact: None).status == "up_to_date"
