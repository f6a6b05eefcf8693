# SQL text is built only from this module's constant table and column names; values are bound.
# ruff: noqa: S608
"""The legacy `body_upload_queue` layout and the set-based SQL that reads and marks it.

Legacy layout (read here and only here): PK ``id``, namespace columns ``feature_slug`` and
``mission_key``, with or without the 7-column UNIQUE constraint, its indexes, ``last_error``,
``hash_algorithm`` or the retry columns (absent optional columns read as their defaults).
Bookkeeping lives in two side tables of the legacy file: ``spec_kitty_migrated`` (ids already in
the canonical queue, so a rerun imports nothing twice) and ``spec_kitty_migrate_rejected`` (ids
the canonical model refuses, with the reason).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

TABLE = "body_upload_queue"
LEGACY_COLUMNS = frozenset({"id", "feature_slug", "mission_key"})
# 3.1 kept the same per-user table with mission-era column names: imported the same way.
MISSION_ERA_COLUMNS = frozenset({"id", "mission_slug", "mission_type"})
_ALIASES = {"feature_slug": "mission_slug", "mission_key": "mission_type"}


def is_queue_layout(cols: frozenset[str]) -> bool:
    return cols >= LEGACY_COLUMNS or cols >= MISSION_ERA_COLUMNS


def source_column(cols: frozenset[str], legacy: str) -> str:
    """The column holding ``legacy``'s field in this layout (3.1 names it canonically)."""
    if legacy in cols or legacy not in _ALIASES:
        return legacy
    return _ALIASES[legacy]


MARKER = "spec_kitty_migrated"
REJECTED = "spec_kitty_migrate_rejected"
_MAGIC = b"SQLite format 3\x00"
# legacy column -> canonical field, and the value of an optional column the layout lacks
FIELD_MAP = (
    ("project_uuid", "project_uuid", None),
    ("feature_slug", "mission_slug", None),
    ("target_branch", "target_branch", None),
    ("mission_key", "mission_type", None),
    ("manifest_version", "manifest_version", None),
    ("artifact_path", "artifact_path", None),
    ("content_hash", "content_hash", None),
    ("hash_algorithm", "hash_algorithm", "'sha256'"),
    ("content_body", "content_body", None),
    ("size_bytes", "size_bytes", None),
    ("retry_count", "retry_count", "0"),
    ("next_attempt_at", "next_attempt_at", "0.0"),
    ("created_at", "created_at", None),
    ("last_error", "last_error", "NULL"),
)
# canonical uniqueness key (minus nothing): legacy column -> canonical column
KEY_MAP = tuple((legacy, canonical) for legacy, canonical, _ in FIELD_MAP[:7])
# SQLite folds ASCII case only, for lower() and NOCASE alike: NOCASE just allocates nothing.
_MINE = "{t}project_uuid = ? COLLATE NOCASE"


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == _MAGIC
    except OSError:
        return False


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def tables(conn: sqlite3.Connection, schema: str = "main") -> set[str]:
    rows = conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows}


def columns(conn: sqlite3.Connection) -> frozenset[str]:
    return frozenset(r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})"))


def pending_where(found: set[str], *, alias: str = "", schema: str = "", rejected: bool) -> str:
    """This project's rows not yet marked as migrated (optionally: nor recorded as refused)."""
    t = f"{alias}." if alias else ""
    s = f"{schema}." if schema else ""
    where = _MINE.format(t=t)
    if MARKER in found:
        where += f" AND {t}id NOT IN (SELECT id FROM {s}{MARKER})"
    if rejected and REJECTED in found:
        where += f" AND {t}id NOT IN (SELECT id FROM {s}{REJECTED})"
    return where


def counts(conn: sqlite3.Connection, found: set[str], project_uuid: str) -> tuple[int, int]:
    """(pending rows of this project, rows of other projects) in one scan."""
    mine = pending_where(found, rejected=True)
    row = conn.execute(
        f"SELECT count(*), coalesce(sum({_MINE.format(t='')}), 0), coalesce(sum({mine}), 0) "
        f"FROM {TABLE}",
        (project_uuid, project_uuid),
    ).fetchone()
    return int(row[2]), int(row[0]) - int(row[1])


def refused_rows(
    conn: sqlite3.Connection, found: set[str], project_uuid: str
) -> list[tuple[int, str]]:
    """Rows of this project recorded as refused by the canonical model (and not migrated)."""
    if REJECTED not in found:
        return []
    marked = f" AND r.id NOT IN (SELECT id FROM {MARKER})" if MARKER in found else ""
    return conn.execute(
        f"SELECT r.id, r.reason FROM {REJECTED} r JOIN {TABLE} q ON q.id = r.id "
        f"WHERE {_MINE.format(t='q.')}{marked} ORDER BY r.id",
        (project_uuid,),
    ).fetchall()


def import_query(cols: frozenset[str], found: set[str]) -> str:
    """The SELECT for `BodyQueue.import_query`: this project's unmarked rows, canonical names."""
    parts = ["id AS source_key"]
    for legacy, canonical, default in FIELD_MAP:
        column = source_column(cols, legacy)
        value = column if column in cols or default is None else default
        parts.append(f"{value} AS {canonical}")
    where = pending_where(found, schema="source", rejected=False)
    return f"SELECT {', '.join(parts)} FROM source.{TABLE} WHERE {where}"


def mark(
    conn: sqlite3.Connection,
    found: set[str],
    *,
    target: Path,
    project_uuid: str,
    refused: list[tuple[int, str]],
    stamp: float,
) -> int:
    """Inside the caller's write transaction on the legacy file (held since before the import,
    so the rows are exactly those the import read): mark every pending row of this project but
    the refused ones as migrated (one INSERT ... SELECT) and record the refused ones with their
    reason. Returns the number of rows marked."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} "
        "(id INTEGER PRIMARY KEY, migrated_at REAL NOT NULL, target TEXT NOT NULL)"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {REJECTED} "
        "(id INTEGER PRIMARY KEY, reason TEXT NOT NULL, rejected_at REAL NOT NULL)"
    )
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS refused_now (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.refused_now")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.refused_now (id) VALUES (?)", ((i,) for i, _ in refused)
    )
    before = conn.total_changes
    conn.execute(
        f"INSERT OR IGNORE INTO main.{MARKER} (id, migrated_at, target) "
        f"SELECT id, ?, ? FROM main.{TABLE} WHERE {pending_where(found, rejected=False)}"
        " AND id NOT IN (SELECT id FROM temp.refused_now)",
        (stamp, str(target), project_uuid),
    )
    marked = conn.total_changes - before
    conn.executemany(
        f"INSERT OR REPLACE INTO {REJECTED} (id, reason, rejected_at) VALUES (?, ?, ?)",
        ((i, reason, stamp) for i, reason in refused),
    )
    conn.execute(f"DELETE FROM {REJECTED} WHERE id IN (SELECT id FROM {MARKER})")
    return marked


def unmatched_marked(conn: sqlite3.Connection, legacy: Path) -> int:
    """Rows of ``legacy`` marked as migrated whose canonical twin is missing (``conn`` is the
    canonical queue; the legacy file is attached for the count)."""
    conn.execute("ATTACH DATABASE ? AS legacy", (str(legacy),))
    try:
        cols = frozenset(r[1] for r in conn.execute(f"PRAGMA legacy.table_info({TABLE})"))
        twin = " AND ".join(f"c.{new} = l.{source_column(cols, old)}" for old, new in KEY_MAP)
        return int(
            conn.execute(
                f"SELECT count(*) FROM legacy.{TABLE} l JOIN legacy.{MARKER} m ON m.id = l.id "
                f"WHERE NOT EXISTS (SELECT 1 FROM main.{TABLE} c WHERE {twin})"
            ).fetchone()[0]
        )
    finally:
        conn.execute("DETACH DATABASE legacy")
