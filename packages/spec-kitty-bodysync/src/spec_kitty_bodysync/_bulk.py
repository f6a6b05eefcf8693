# SQL text is built from this module's constants and the caller's SELECT; values are bound.
# ruff: noqa: S608
"""Bulk import into the body queue straight from another SQLite database, in one transaction.

The source database is attached read-only as schema ``source``; the caller's SELECT names, as
its columns, ``source_key`` (a unique key of the source row, e.g. its id) and then the fourteen
``IMPORT_FIELDS`` in canonical terms. Everything below runs in ONE IMMEDIATE transaction of the
canonical queue (the source is read from one snapshot):

1. screen: one cheap check per row (SQL type tests plus `texts_ok`, registered as an SQL
   function) of every rule of ``BodyUploadTask``: non-blank namespace strings, a
   relative POSIX artifact path, a 64-hex sha256, numbers where numbers belong. Only rows it
   does not pass are fetched whole and judged by the canonical model itself, which accepts them
   (imported) or refuses them (reported with the model's reason, not imported);
2. copy: ``INSERT OR IGNORE ... SELECT`` of every row that passed, in source-key order, state
   ``pending`` (a row whose uniqueness key is already queued is left as it is);
3. verify, field by field: every imported source row's key is in the queue, and every row this
   import added equals a source row in all fourteen fields. A mismatch rolls everything back.

The commit is made durable (``synchronous = FULL``) before the caller records anything about
it elsewhere, so a kill -9 or a power cut after `import_query` returned loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ._namespace import HASH_ALGORITHM
from ._schema import COLUMNS, TABLE
from ._task import BodyUploadTask, TaskState
from .errors import BodySyncError, QueueError, TaskInvalidError

__all__ = ["CLEAN", "IMPORT_FIELDS", "SOURCE_KEY", "BulkImport", "import_query"]

SOURCE_KEY = "source_key"
# Every canonical column the import carries over (the queue assigns row_id, state, delivered_at).
IMPORT_FIELDS: tuple[str, ...] = tuple(
    c for c in COLUMNS if c not in ("row_id", "state", "delivered_at")
)
_KEY_FIELDS = IMPORT_FIELDS[:7]
_PENDING = TaskState.PENDING.value


_HEX = "0123456789abcdef"


def texts_ok(
    project_uuid: str,
    mission_slug: str,
    target_branch: str,
    mission_type: str,
    manifest_version: str,
    artifact_path: str,
    content_hash: str,
) -> bool:
    """SQL function sk_texts_ok, once per row, on seven values SQL already found to be text:
    True only if they pass the model's rules (five non-blank namespace strings as NamespaceRef
    wants, a clean relative artifact path, a 64-lowercase-hex content hash); False means "let
    the model judge the row".

    The path test implies validate_artifact_path, not the converse (`a/.notes.md` goes to the
    model): a `.`/`..` segment starts the path or follows a slash, an empty one is `//`, a
    leading or a trailing slash, and the second-place colon covers a drive letter.
    """
    path = artifact_path
    return bool(
        project_uuid.strip()
        and mission_slug.strip()
        and target_branch.strip()
        and mission_type.strip()
        and manifest_version.strip()
        and path.strip()
        and path[0] not in "/."
        and path[-1] != "/"
        and path[1:2] != ":"
        and "/." not in path
        and "//" not in path
        and "\\" not in path
        and "\x00" not in path
        and "\n" not in path
        and "\r" not in path
        and len(content_hash) == 64
        and not content_hash.strip(_HEX)
    )


# The screen: True only for rows `BodyUploadTask` accepts (the cheap SQL type tests first).
CLEAN = " AND ".join(
    (
        "typeof(content_body) = 'text'",
        "typeof(hash_algorithm) = 'text'",
        f"hash_algorithm = '{HASH_ALGORITHM}'",
        "typeof(size_bytes) = 'integer'",
        "size_bytes >= 0",
        "typeof(retry_count) = 'integer'",
        "retry_count >= 0",
        "typeof(next_attempt_at) IN ('integer', 'real')",
        "typeof(created_at) IN ('integer', 'real')",
        "typeof(last_error) IN ('null', 'text')",
        *(f"typeof({name}) = 'text'" for name in IMPORT_FIELDS[:7]),
        f"sk_texts_ok({', '.join(IMPORT_FIELDS[:7])})",
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
    inserted = conn.execute(
        f"SELECT count(*) FROM main.{TABLE} WHERE row_id > ?", (before_id,)
    ).fetchone()[0]
    # verify every row that was offered to the queue: the screened ones and those the model took
    conn.execute("DELETE FROM temp.bulk_skip")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.bulk_skip (k) VALUES (?)", ((k,) for k, _ in refused)
    )
    same_key = " AND ".join(f"c.{f} = s.{f}" for f in _KEY_FIELDS)
    same_all = " AND ".join(f"c.{f} IS s.{f}" for f in IMPORT_FIELDS[7:])  # the key: joined on
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
        conn.create_function("sk_texts_ok", 7, texts_ok, deterministic=True)
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
