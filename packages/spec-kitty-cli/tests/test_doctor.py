"""`spec-kitty doctor [--json]`: read-only checks; every finding has a code and a fix."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> Path:
    created = run_cli("agent", "mission", "create", "Doctor", "--json", cwd=project).json()
    folder = project / "kitty-specs" / created["mission_slug"]
    (folder / "tasks" / "WP01.md").write_text("---\nwork_package_id: WP01\ntitle: A\n---\n")
    assert run_cli("agent", "tasks", "finalize", "--mission", folder.name, "--json").exit_code == 0
    from spec_kitty_cli._events._emit import close_queues

    close_queues()
    return folder


def doctor(run_cli: Any, project: Path) -> tuple[int, dict[str, Any]]:
    result = run_cli("doctor", "--json", cwd=project)
    assert "Traceback" not in result.stderr
    return result.exit_code, result.json()


def codes(env: dict[str, Any]) -> list[str]:
    return [f["code"] for f in env.get("details", {}).get("findings", [])]


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if ".git" not in p.relative_to(root).parts and not p.is_symlink()
    }


def test_a_healthy_project_is_clean_and_doctor_changes_nothing(
    project: Path, run_cli: Any, mission: Path
) -> None:
    before = tree(project)
    code, env = doctor(run_cli, project)
    assert code == 0 and env["result"] == "success" and env["findings"] == []
    checks = env["checks"]
    assert checks["missions"] == {"count": 1, "work_packages": 1}
    lines = len((mission / "status.events.jsonl").read_text().splitlines())
    assert lines == 3  # MissionCreated, then WPCreated and the seed of WP01
    assert checks["status_logs"] == {"logs": 1, "lines": lines}
    assert checks["event_queue"]["integrity"] == "ok"
    # MissionCreated, WPCreated, WPStatusChanged, and the dossier's: 6 of create (3 indexed,
    # 2 missing, 1 snapshot) and 2 of finalize (the WP file indexed, a new snapshot)
    assert checks["event_queue"]["counts"]["pending"] == 11
    assert set(checks["event_queue"]["counts"]) == {
        "pending", "delivered", "duplicate", "rejected", "superseded"
    }  # fmt: skip
    assert checks["identity"]["project"]["slug"]
    assert tree(project) == before
    human = run_cli("doctor", cwd=project)
    assert human.exit_code == 0 and "Nothing to fix" in human.stdout


def test_status_log_problems_are_reported_with_line_numbers(
    project: Path, run_cli: Any, mission: Path
) -> None:
    log = mission / "status.events.jsonl"
    good = log.read_text()
    n = len(good.splitlines())
    seed = next(line for line in good.splitlines() if '"kind"' not in line)
    legacy = json.loads(seed) | {"feature_slug": "x"}
    log.write_text(
        good
        + "not json\n"
        + json.dumps(legacy)
        + "\n"
        + "[" * 5000
        + "]" * 5000
        + "\n"
        + '{"to_lane": "doing", "event_id": "e", "wp_id": "WP01", "at": "t", "actor": "a"}\n'
        + '{"torn'
    )
    before = log.read_bytes()
    code, env = doctor(run_cli, project)
    assert code == 2 and env["error_code"] == "DOCTOR_FINDINGS"
    found = [(f["code"], f["line"]) for f in env["details"]["findings"]]
    assert found == [
        ("STATUS_LOG_CORRUPT", n + 1),
        ("LEGACY_STATE", n + 2),
        ("STATUS_LOG_CORRUPT", n + 3),
        ("STATUS_LOG_CORRUPT", n + 4),
        ("STATUS_LOG_TORN_TAIL", n + 5),
    ]
    legacy_finding = env["details"]["findings"][1]
    assert "spec-kitty upgrade" in legacy_finding["fix"]
    assert all(f["fix"] and f["file"] == str(log) for f in env["details"]["findings"])
    assert log.read_bytes() == before


def test_meta_wp_staging_and_symlink_findings(
    project: Path, run_cli: Any, mission: Path, tmp_path: Path
) -> None:
    (project / "kitty-specs" / ".creating-01ABC").mkdir()
    (project / "kitty-specs" / "002-no-meta").mkdir()
    bad = project / "kitty-specs" / "003-bad"
    bad.mkdir()
    (bad / "meta.json").write_bytes(b"\xff")
    (mission / "tasks" / "WP02.md").write_text(
        "---\nwork_package_id: WP02\ndependencies: [WP02]\n---\n"
    )
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    (mission / "notes.json").symlink_to(outside)
    code, env = doctor(run_cli, project)
    assert code == 2
    assert codes(env) == [
        "MISSION_CREATE_INTERRUPTED",
        "WP_FILE_INVALID",
        "MISSION_META_MISSING",
        "MISSION_META_INVALID",
        "STATE_SYMLINK_OUTSIDE_PROJECT",
    ]
    link = env["details"]["findings"][-1]
    assert link["file"] == str(mission / "notes.json")
    assert link["details"]["resolves_to"] == str(outside.resolve())


def test_queue_findings_integrity_schema_and_dead_letters(
    project: Path, run_cli: Any, mission: Path
) -> None:
    db = project / ".kittify" / "state" / "events.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE event_delivery SET state = 'rejected', reject_reason = 'schema: bad' "
            "WHERE seq = (SELECT min(seq) FROM event_delivery)"
        )
    code, env = doctor(run_cli, project)
    assert code == 2 and codes(env) == ["QUEUE_DEAD_LETTER"]
    assert env["details"]["findings"][0]["details"]["reason"] == "schema: bad"
    assert env["details"]["checks"]["event_queue"]["counts"]["rejected"] == 1
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 7")
    assert codes(doctor(run_cli, project)[1]) == ["QUEUE_SCHEMA_MISMATCH"]
    db.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert codes(doctor(run_cli, project)[1]) in (["QUEUE_UNREADABLE"], ["QUEUE_INTEGRITY_FAILED"])


def test_a_body_queue_is_checked_read_only(project: Path, run_cli: Any, mission: Path) -> None:
    from spec_kitty_bodysync import BodyQueue

    db = project / ".kittify" / "state" / "bodies.db"
    with BodyQueue(db) as queue:
        counts = queue.counts()
    code, env = doctor(run_cli, project)
    assert code == 0
    assert env["checks"]["body_queue"]["counts"] == counts
    assert env["checks"]["body_queue"]["schema_version"] == 1


def test_a_lock_held_too_long_is_reported(project: Path, run_cli: Any, mission: Path) -> None:
    lock = project / ".kittify" / "state" / "locks" / "stuck.lock"
    lock.parent.mkdir(exist_ok=True)
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    fd = os.open(lock, os.O_RDWR)
    try:
        code, env = doctor(run_cli, project)
    finally:
        os.close(fd)
    assert code == 0  # not held
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        code, env = doctor(run_cli, project)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert code == 2 and codes(env) == ["LOCK_HELD_TOO_LONG"]
    assert env["details"]["findings"][0]["file"] == str(lock)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://saas.example", None),
        ("http://127.0.0.1:8000", None),
        ("http://[::1]:8000", None),
        ("http://localhost", None),
        ("http://saas.example", "SERVER_URL_INSECURE"),
        ("ftp://saas.example", "SERVER_URL_INVALID"),
        ("https://", "SERVER_URL_INVALID"),
        ("http://[bad", "SERVER_URL_INVALID"),
    ],
)
def test_the_server_url_scheme(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch, url: str, code: str | None
) -> None:
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", url)
    exit_code, env = doctor(run_cli, project)
    assert codes(env) == ([] if code is None else [code])
    assert exit_code == (0 if code is None else 2)


def test_identity_findings_never_mint(project: Path, run_cli: Any) -> None:
    build = project / ".kittify" / "state" / "build.json"
    build.unlink()
    code, env = doctor(run_cli, project)
    assert code == 2 and codes(env) == ["IDENTITY_NOT_MINTED"]
    assert not build.exists()
    config = project / ".kittify" / "config.yaml"
    config.write_text("project: [unclosed\n")
    assert codes(doctor(run_cli, project)[1]) == ["CONFIG_UNPARSEABLE"]
    config.write_text("other: 1\n")
    assert codes(doctor(run_cli, project)[1]) == ["PROJECT_NOT_INITIALIZED"]
    human = run_cli("doctor", cwd=project)
    assert human.exit_code == 2 and "PROJECT_NOT_INITIALIZED" in human.stdout
    assert "fix:" in human.stdout


def test_legacy_meta_is_reported_for_upgrade(project: Path, run_cli: Any, mission: Path) -> None:
    meta = mission / "meta.json"
    meta.write_text(json.dumps(json.loads(meta.read_text()) | {"feature_number": "001"}))
    code, env = doctor(run_cli, project)
    assert code == 2 and codes(env) == ["LEGACY_STATE"]
    assert "spec-kitty upgrade" in env["details"]["findings"][0]["fix"]
