"""Builders of legacy spec-kitty state, written from literal legacy names.

Nothing here is produced by renaming canonical code: the legacy layouts are spelled out as the
older spec-kitty wrote them (feature_slug, feature_number, mission, mission_key, `doing`, the
`id`-keyed body_upload_queue, identity inside `project:`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

PROJECT_UUID = "6f1c2b9e-4d1a-4c39-9d7e-2a5b8c0e1f34"
OTHER_UUID = "0a0b0c0d-1111-4222-8333-444455556666"

LEGACY_QUEUE_DDL_FULL = """
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
CREATE INDEX idx_body_queue_next_attempt ON body_upload_queue(next_attempt_at);
CREATE INDEX idx_body_queue_namespace ON body_upload_queue(project_uuid, feature_slug, target_branch);
"""

LEGACY_QUEUE_DDL_BARE = """
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
    created_at REAL NOT NULL
);
"""

LEGACY_EVENT_QUEUE_DDL = """
CREATE TABLE queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE NOT NULL, event_type TEXT NOT NULL,
    data TEXT NOT NULL, timestamp INTEGER NOT NULL, retry_count INTEGER DEFAULT 0, coalesce_key TEXT
);
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@spec-kitty.invalid")
    git(path, "config", "user.name", "spec-kitty test")
    return path


def legacy_config_text(
    *,
    build_id: str | None = "9b2f6a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
    node_id: str = "d036a097a835",
    extra: str = "",
) -> str:
    build = f"  build_id: {build_id}\n" if build_id else ""
    return (
        "# spec-kitty project configuration\n"
        "vcs:\n  type: git\n"
        "agents:\n  available: [claude, codex]  # the agents we use\n  auto_commit: true\n"
        "project:\n"
        f"  uuid: {PROJECT_UUID}\n"
        "  slug: demo-project\n"
        f"  node_id: {node_id}\n"
        f"{build}"
        "  # repo_slug: owner/repo\n"
        f"{extra}"
        "# merge settings below\n"
        "merge:\n  strategy: squash\n"
    )


def write_legacy_config(root: Path, **kwargs: Any) -> Path:
    path = root / ".kittify" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(legacy_config_text(**kwargs), encoding="utf-8")
    return path


def legacy_meta(slug: str, number: str = "064", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "feature_number": number,
        "feature_slug": slug,
        "slug": slug,
        "friendly_name": "Complete mission identity cutover",
        "mission": "software-dev",
        "target_branch": "main",
        "created_at": "2026-04-05T10:11:12+00:00",
        "vcs": "git",
        "purpose_tldr": "Rename everything",
    }
    data.update(extra)
    return data


def write_meta(root: Path, slug: str, data: dict[str, Any]) -> Path:
    path = root / "kitty-specs" / slug / "meta.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def legacy_status_lines(slug: str) -> list[dict[str, Any]]:
    return [
        {
            "event_id": "01JQ0000000000000000000001",
            "feature_slug": slug,
            "wp_id": "WP01",
            "from_lane": "planned",
            "to_lane": "claimed",
            "at": "2026-04-05T10:00:00+00:00",
            "actor": "claude",
            "force": False,
            "execution_mode": "worktree",
            "reason": None,
            "review_ref": None,
            "evidence": None,
        },
        {
            "event_id": "01JQ0000000000000000000002",
            "feature_slug": slug,
            "wp_id": "WP01",
            "from_lane": "claimed",
            "to_lane": "doing",
            "at": "2026-04-05T10:05:00+00:00",
            "actor": "claude",
            "force": False,
            "execution_mode": "worktree",
            "reason": None,
            "review_ref": None,
            "evidence": None,
        },
        {
            "event_id": "01JQ0000000000000000000003",
            "kind": "annotation",
            "wp_id": "WP01",
            "at": "2026-04-05T10:06:00+00:00",
            "actor": "claude",
            "delta": {"note": "halfway - ok"},
        },
        {
            "event_id": "01JQ0000000000000000000004",
            "feature_slug": slug,
            "wp_id": "WP01",
            "from_lane": "doing",
            "to_lane": "for_review",
            "at": "2026-04-05T10:09:00+00:00",
            "actor": "claude",
            "force": False,
            "execution_mode": "worktree",
            "reason": None,
            "review_ref": None,
            "evidence": None,
        },
    ]


def write_status(root: Path, slug: str, lines: list[dict[str, Any]]) -> Path:
    path = root / "kitty-specs" / slug / "status.events.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x, sort_keys=True) + "\n" for x in lines), encoding="utf-8")
    return path


def write_wp(root: Path, slug: str, name: str = "WP01-setup.md", lane: str = "doing") -> Path:
    path = root / "kitty-specs" / slug / "tasks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n"
        "work_package_id: WP01\n"
        "title: Set up the repository\n"
        f"feature_slug: {slug}\n"
        f"lane: {lane}  # legacy lane\n"
        "dependencies: []\n"
        "subtasks: [T001, T002]\n"
        "---\n"
        "# WP01: set up\n\nfeature_slug: this line is prose, not frontmatter.\n",
        encoding="utf-8",
    )
    return path


def legacy_row(i: int, *, project_uuid: str = PROJECT_UUID, body_size: int = 200) -> dict[str, Any]:
    body = f"# Artefakt {i} - ünïcødé ✓\n" + "x" * body_size
    return {
        "project_uuid": project_uuid,
        "feature_slug": f"{(i % 7) + 1:03d}-mission-ü{i % 7}",
        "target_branch": "main" if i % 3 else "develop",
        "mission_key": "software-dev" if i % 2 else "research",
        "manifest_version": "1",
        "artifact_path": f"spéc/ärtifact-{i}-日本.md",
        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
        "hash_algorithm": "sha256",
        "content_body": body,
        "size_bytes": len(body.encode()),
        "retry_count": i % 5,
        "next_attempt_at": 1_760_000_000.0 + i * 1.5,
        "created_at": 1_750_000_000.0 + i,
        "last_error": None if i % 4 else f"HTTP 503 on attempt {i % 5} - retry",
    }


def make_legacy_queue(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    ddl: str = LEGACY_QUEUE_DDL_FULL,
    with_event_queue: bool = True,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    conn.executescript(ddl)
    if with_event_queue:
        conn.executescript(LEGACY_EVENT_QUEUE_DDL)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(body_upload_queue)") if r[1] != "id"]
    sql = (
        f"INSERT INTO body_upload_queue ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.executemany(sql, ([row[c] for c in columns] for row in rows))
    conn.commit()
    conn.close()
    return path


def legacy_rows_by_key(
    path: Path, project_uuid: str = PROJECT_UUID
) -> dict[tuple[Any, ...], dict[str, Any]]:
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT * FROM body_upload_queue WHERE project_uuid = ?", (project_uuid,)
    ).fetchall()
    conn.close()
    return {
        (
            r["project_uuid"],
            r["feature_slug"],
            r["target_branch"],
            r["mission_key"],
            r["manifest_version"],
            r["artifact_path"],
            r["content_hash"],
        ): dict(r)
        for r in rows
    }


def canonical_rows_by_key(path: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM body_upload_queue").fetchall()
    conn.close()
    return {
        (
            r["project_uuid"],
            r["mission_slug"],
            r["target_branch"],
            r["mission_type"],
            r["manifest_version"],
            r["artifact_path"],
            r["content_hash"],
        ): dict(r)
        for r in rows
    }


FIELD_PAIRS = (
    ("project_uuid", "project_uuid"),
    ("feature_slug", "mission_slug"),
    ("target_branch", "target_branch"),
    ("mission_key", "mission_type"),
    ("manifest_version", "manifest_version"),
    ("artifact_path", "artifact_path"),
    ("content_hash", "content_hash"),
    ("hash_algorithm", "hash_algorithm"),
    ("content_body", "content_body"),
    ("size_bytes", "size_bytes"),
    ("retry_count", "retry_count"),
    ("next_attempt_at", "next_attempt_at"),
    ("created_at", "created_at"),
    ("last_error", "last_error"),
)


def assert_rows_carried(legacy: Path, canonical: Path, project_uuid: str = PROJECT_UUID) -> int:
    """N legacy rows of the project in, N canonical rows out, field by field; returns N."""
    old = legacy_rows_by_key(legacy, project_uuid)
    new = canonical_rows_by_key(canonical)
    mine = {k: v for k, v in new.items() if k[0] == project_uuid}
    assert set(mine) == set(old), (len(mine), len(old))
    for key, row in old.items():
        target = mine[key]
        for legacy_name, canonical_name in FIELD_PAIRS:
            assert target[canonical_name] == row.get(legacy_name, target[canonical_name]), (
                key,
                legacy_name,
                row.get(legacy_name),
                target[canonical_name],
            )
        assert target["state"] == "pending"
    return len(old)


def make_legacy_project(
    root: Path, *, home: Path, rows: int = 30, slug: str = "064-complete-mission-identity-cutover"
) -> Path:
    """A git checkout with every kind of legacy state, committed like an old spec-kitty left it."""
    make_repo(root)
    write_legacy_config(root)
    write_meta(root, slug, legacy_meta(slug))
    write_status(root, slug, legacy_status_lines(slug))
    write_wp(root, slug)
    queue_rows = [legacy_row(i) for i in range(rows)] + [
        legacy_row(i, project_uuid=OTHER_UUID) for i in range(5)
    ]
    make_legacy_queue(home / ".spec-kitty" / "queue.db", queue_rows)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "legacy state")
    return root
