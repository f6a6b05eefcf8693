"""The canonical `body_upload_queue` layout and its creation (the version lives in user_version).

The database records ``PRAGMA user_version = SCHEMA_VERSION`` in the same transaction that
creates the table, so `spec-kitty upgrade` can tell a canonical queue from a legacy layout (a
table with other columns, or user_version 0). Opening a database whose table does not match the
canonical layout fails closed with ``QueueSchemaError`` instead of reading it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import QueueError, QueueSchemaError

__all__ = ["COLUMNS", "DDL", "SCHEMA_VERSION", "TABLE", "ensure_schema"]

SCHEMA_VERSION = 1
TABLE = "body_upload_queue"
COLUMNS: tuple[str, ...] = (
    "row_id",
    "project_uuid",
    "mission_slug",
    "target_branch",
    "mission_type",
    "manifest_version",
    "artifact_path",
    "content_hash",
    "hash_algorithm",
    "content_body",
    "size_bytes",
    "retry_count",
    "next_attempt_at",
    "created_at",
    "last_error",
    "state",
    "delivered_at",
)
DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_uuid TEXT NOT NULL,
    mission_slug TEXT NOT NULL,
    target_branch TEXT NOT NULL,
    mission_type TEXT NOT NULL,
    manifest_version TEXT NOT NULL,
    artifact_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    hash_algorithm TEXT NOT NULL DEFAULT 'sha256',
    content_body TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    retry_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    last_error TEXT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'dead_letter', 'parked')),
    delivered_at REAL NULL,
    UNIQUE (project_uuid, mission_slug, target_branch, mission_type, manifest_version,
            artifact_path, content_hash)
)"""
# Drain order: due rows first by next_attempt_at, then insertion order (one range scan).
# Lookups by namespace use the UNIQUE index, whose leading columns are the namespace (a second
# namespace index only slowed every insert down).
INDEXES: dict[str, tuple[str, ...]] = {
    "idx_body_queue_drain": ("state", "next_attempt_at", "row_id"),
}


def _columns(conn: sqlite3.Connection) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({TABLE})")]


def _check(db_path: Path, user_version: int, columns: list[str]) -> None:
    if user_version > SCHEMA_VERSION:
        raise QueueSchemaError(
            f"{db_path} was written by a newer spec-kitty (body queue schema {user_version}, "
            f"this version knows {SCHEMA_VERSION}); upgrade spec-kitty",
            code="BODY_QUEUE_SCHEMA_TOO_NEW",
            details={"db_path": str(db_path), "schema_version": user_version},
        )
    if tuple(columns) != COLUMNS or user_version != SCHEMA_VERSION:
        unknown = sorted(set(columns) - set(COLUMNS))
        raise QueueSchemaError(
            f"{db_path}: `{TABLE}` is not in the canonical layout (schema {user_version}"
            + (f", unknown column `{unknown[0]}`" if unknown else "")
            + "); run `spec-kitty upgrade` to rewrite it",
            details={
                "db_path": str(db_path),
                "schema_version": user_version,
                "unknown_columns": unknown,
                "missing_columns": [c for c in COLUMNS if c not in columns],
                "hint": "spec-kitty upgrade",
            },
        )


def check_schema(conn: sqlite3.Connection, db_path: Path) -> None:
    """Verify an existing queue's layout without changing anything (read-only callers)."""
    try:
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        _check(db_path, user_version, _columns(conn))
    except sqlite3.Error as exc:
        raise QueueError(
            f"cannot read the body queue {db_path}: {exc}",
            details={"db_path": str(db_path), "sqlite_error": str(exc)},
        ) from exc


def ensure_schema(conn: sqlite3.Connection, db_path: Path) -> None:
    """Create the canonical table and indexes (once), or verify an existing one; fail closed."""
    try:
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        columns = _columns(conn)
        if columns:
            _check(db_path, user_version, columns)
            return
        if user_version > SCHEMA_VERSION:
            _check(db_path, user_version, columns)
        _create(conn, db_path)
    except sqlite3.Error as exc:
        raise QueueError(
            f"cannot open the body queue {db_path}: {exc}",
            details={"db_path": str(db_path), "sqlite_error": str(exc)},
        ) from exc


def _create(conn: sqlite3.Connection, db_path: Path) -> None:
    # Plain DDL: importing sqlite-utils for two indexes cost ~0.1 s on every first open.
    conn.execute("BEGIN IMMEDIATE")
    try:
        columns = _columns(conn)  # another process may have won the race
        if not columns:
            conn.execute(DDL)
            for name, cols in INDEXES.items():
                conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({', '.join(cols)})")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            columns = _columns(conn)
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        _check(db_path, user_version, columns)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
