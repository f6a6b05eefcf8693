# SQL text is built from this module's constants and the caller's SELECT; values are bound.
# ruff: noqa: S608
"""Bulk import into the body queue straight from another SQLite database, in one transaction.

The source database is attached read-only as schema ``source``; the caller's SELECT names, as
its columns, ``source_key`` (a unique key of the source row, e.g. its id) and then the fourteen
``IMPORT_FIELDS`` in canonical terms. Everything below runs in ONE IMMEDIATE transaction of the
canonical queue (the source is read from one snapshot):

1. screen: a set-based SQL predicate (``CLEAN``) that implies every rule of ``BodyUploadTask``
   (non-blank namespace strings, a relative POSIX artifact path, a 64-hex sha256, numbers where
   numbers belong). Only rows it cannot vouch for are fetched into Python and judged by the
   canonical model itself; the model accepts them (imported) or refuses them (reported with
   the model's reason, not imported);
2. copy: ``INSERT OR IGNORE ... SELECT`` of every row that passed, in source-key order, state
   ``pending`` (a row whose uniqueness key is already queued is left as it is);
3. verify, field by field: every imported source row's key is in the queue, and every row this
   import added equals a source row in all fourteen fields. A mismatch rolls everything back.

The commit is made durable (``synchronous = FULL``) before the caller records anything about
it elsewhere, so a kill -9 or a power cut after `import_query` returned loses nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ._schema import TABLE
from ._task import BodyUploadTask, TaskState
from .errors import BodySyncError, QueueError, TaskInvalidError

__all__ = ["CLEAN", "IMPORT_FIELDS", "SOURCE_KEY", "BulkImport", "import_query"]

SOURCE_KEY = "source_key"
IMPORT_FIELDS: tuple[str, ...] = (
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
)
_KEY_FIELDS = IMPORT_FIELDS[:7]
_PENDING = TaskState.PENDING.value


def _nonblank(col: str) -> str:
    # Conservative: an ASCII letter or digit proves str.strip() is not empty (the first GLOB is
    # the cheap common case). A value made only of other characters is not vouched for here and
    # goes to the canonical model instead.
    return f"(typeof({col}) = 'text' AND ({col} GLOB '[0-9A-Za-z]*' OR {col} GLOB '*[0-9A-Za-z]*'))"


def _path_ok(col: str) -> str:
    # Each test is at least as strict as validate_artifact_path: a `.` or `..` segment starts the
    # path or follows a slash, so "no leading dot, no `/.`" rules both out (and also flags
    # harmless names like `a/.notes.md`, which the model then judges).
    return " AND ".join(
        (
            _nonblank(col),
            f"instr(CAST({col} AS BLOB), x'00') = 0",  # no NUL anywhere (text functions stop there)
            f"substr({col}, 1, 1) NOT IN ('.', '/')",  # absolute, or a leading `.`/`..` segment
            f"substr({col}, 2, 1) != ':'",  # a drive letter (and any other second-place colon)
            f"substr({col}, -1) != '/'",  # an empty last segment
            f"instr({col}, '/.') = 0",  # a `.` or `..` segment further on
            f"instr({col}, '//') = 0",  # an empty segment
            f"instr({col}, char(92)) = 0",  # backslash
            f"instr({col}, char(10)) = 0",
            f"instr({col}, char(13)) = 0",
        )
    )


_HEX64 = re.compile(rb"[0-9a-f]{64}")


def _sha256_hex(value: object) -> bool:
    """SQL function sk_sha256_hex(blob): the bytes are 64 lowercase hex digits (the model's rule)."""
    return isinstance(value, bytes) and _HEX64.fullmatch(value) is not None


CLEAN = " AND ".join(
    (
        *(_nonblank(c) for c in _KEY_FIELDS[:5]),
        _path_ok("artifact_path"),
        "(typeof(content_hash) = 'text' AND sk_sha256_hex(CAST(content_hash AS BLOB)))",
        "(typeof(hash_algorithm) = 'text' AND hash_algorithm = 'sha256')",
        "typeof(content_body) = 'text'",
        "(typeof(size_bytes) = 'integer' AND size_bytes >= 0)",
        "(typeof(retry_count) = 'integer' AND retry_count >= 0)",
        "typeof(next_attempt_at) IN ('integer', 'real')",
        "typeof(created_at) IN ('integer', 'real')",
        "typeof(last_error) IN ('null', 'text')",
    )
)


@dataclass(frozen=True, kw_only=True)
class BulkImport:
    """What `BodyQueue.import_query` did: rows selected, inserted, already queued, refused."""

    selected: int
    inserted: int
    already_present: int
    refused: tuple[tuple[Any, str], ...] = ()  # (source_key, the canonical model's reason)


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()), safe='/')}?mode={mode}"


def _check_columns(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> None:
    cur = conn.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)
    names = tuple(d[0] for d in cur.description)
    if names != (SOURCE_KEY, *IMPORT_FIELDS):
        raise TaskInvalidError(
            f"import_query needs the columns {SOURCE_KEY}, {', '.join(IMPORT_FIELDS)} in order",
            details={"field": "query", "columns": list(names)},
        )


def _judge(
    suspects: list[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, str]]]:
    """The canonical model decides about rows the SQL screen could not vouch for."""
    accepted: list[tuple[Any, ...]] = []
    refused: list[tuple[Any, str]] = []
    for row in suspects:
        try:
            BodyUploadTask(**dict(zip(IMPORT_FIELDS, row[1:], strict=True)))
        except (BodySyncError, TypeError) as exc:
            refused.append((row[0], str(getattr(exc, "message", exc))))
            continue
        accepted.append((*row[1:], _PENDING))
    return accepted, refused


def _run(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> BulkImport:
    cols = ", ".join(IMPORT_FIELDS)
    src = f"({sql}) AS s"
    suspects = conn.execute(
        f"SELECT * FROM {src} WHERE NOT ({CLEAN}) ORDER BY {SOURCE_KEY}",
        params,
    ).fetchall()
    accepted, refused = _judge(suspects)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_skip (k PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.bulk_skip")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.bulk_skip (k) VALUES (?)", ((r[0],) for r in suspects)
    )
    before_id = conn.execute(f"SELECT coalesce(max(row_id), 0) FROM main.{TABLE}").fetchone()[0]
    before = conn.total_changes
    conn.execute(
        f"INSERT OR IGNORE INTO main.{TABLE} ({cols}, state) SELECT {cols}, ? FROM {src} "
        f"WHERE {SOURCE_KEY} NOT IN (SELECT k FROM temp.bulk_skip) ORDER BY {SOURCE_KEY}",
        (_PENDING, *params),
    )
    conn.executemany(
        f"INSERT OR IGNORE INTO main.{TABLE} ({cols}, state) "
        f"VALUES ({', '.join('?' for _ in range(len(IMPORT_FIELDS) + 1))})",
        accepted,
    )
    inserted = conn.total_changes - before
    # verify every row that was offered to the queue: the screened ones and those the model took
    conn.execute("DELETE FROM temp.bulk_skip")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.bulk_skip (k) VALUES (?)", ((k,) for k, _ in refused)
    )
    same_key = " AND ".join(f"c.{f} = s.{f}" for f in _KEY_FIELDS)
    same_all = " AND ".join(f"c.{f} IS s.{f}" for f in IMPORT_FIELDS)
    selected, missing, matching = conn.execute(
        f"SELECT count(*), coalesce(sum(c.row_id IS NULL), 0), count(DISTINCT CASE "
        f"WHEN c.row_id > ? AND c.state = ? AND c.delivered_at IS NULL AND {same_all} "
        f"THEN c.row_id END) FROM {src} LEFT JOIN main.{TABLE} c ON {same_key} "
        f"WHERE s.{SOURCE_KEY} NOT IN (SELECT k FROM temp.bulk_skip)",
        (before_id, _PENDING, *params),
    ).fetchone()
    if missing or matching != inserted:
        raise QueueError(
            f"bulk import verification failed: {missing} row(s) missing, "
            f"{inserted - matching} row(s) differing from their source; nothing was imported",
            details={"missing": missing, "differing": inserted - matching, "action": "import"},
        )
    return BulkImport(
        selected=selected + len(refused),
        inserted=inserted,
        already_present=selected - inserted,
        refused=tuple(refused),
    )


def import_query(
    db_path: Path, source_db: Path, sql: str, params: Sequence[Any] = ()
) -> BulkImport:
    """Import the rows ``sql`` selects from ``source_db`` (attached read-only as ``source``)."""
    try:
        conn = sqlite3.connect(_uri(db_path, "rw"), uri=True, isolation_level=None, timeout=30.0)
    except sqlite3.Error as exc:
        raise QueueError(
            f"body queue {db_path}: cannot open for import: {exc}",
            details={"db_path": str(db_path), "action": "import", "sqlite_error": str(exc)},
        ) from exc
    try:
        for pragma in ("busy_timeout = 30000", "synchronous = FULL", "temp_store = MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        conn.create_function("sk_sha256_hex", 1, _sha256_hex, deterministic=True)
        conn.execute("ATTACH DATABASE ? AS source", (_uri(source_db, "ro"),))
        _check_columns(conn, sql, params)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = _run(conn, sql, params)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
    except sqlite3.Error as exc:
        raise QueueError(
            f"body queue {db_path}: cannot import from {source_db}: {exc}",
            details={
                "db_path": str(db_path),
                "source_db": str(source_db),
                "action": "import",
                "sqlite_error": str(exc),
            },
        ) from exc
    finally:
        conn.close()
