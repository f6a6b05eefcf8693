"""BodyQueue: the per-checkout SQLite `body_upload_queue` (offline first, nothing lost).

SQL text is built only from the constant table and column names of `_schema`; every value is
bound as a parameter (hence the S608 suppressions).

Rows are never deleted: a body moves from ``pending`` to ``delivered`` (the server stored it or
already had it), ``dead_letter`` (the server refused it, reason kept) or ``parked`` (the contract
gate refused it before sending, violation kept). Every change is one SQLite transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._bulk import BulkImport, import_query
from ._namespace import (
    HASH_ALGORITHM,
    MAX_BODY_BYTES,
    NamespaceRef,
    content_hash,
    validate_artifact_path,
)
from ._schema import COLUMNS, TABLE, check_schema, ensure_schema
from ._task import STATES, BodyUploadTask, EnqueueResult, TaskState
from .errors import BodyTooLargeError, NamespaceError, QueueError, TaskInvalidError

__all__ = ["BodyQueue"]

_INSERT_COLUMNS = COLUMNS[1:]  # everything but row_id
_PLACEHOLDERS = ", ".join("?" for _ in _INSERT_COLUMNS)
_INSERT = f"INSERT OR IGNORE INTO {TABLE} ({', '.join(_INSERT_COLUMNS)}) VALUES ({_PLACEHOLDERS})"  # noqa: S608
_PENDING = TaskState.PENDING.value
_EXCLUDE = " AND row_id NOT IN (SELECT value FROM json_each(?))"


class BodyQueue:
    """The body upload queue in one SQLite file, created in the canonical layout on first use."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        connection: sqlite3.Connection | None = None,
    ) -> None:
        """Open (creating it in the canonical layout) the queue at ``db_path``.

        ``connection``: an already open (e.g. read-only) connection to ``db_path``; the layout
        is then only verified, never created or changed.
        """
        self.db_path = Path(db_path)
        self.max_body_bytes = max_body_bytes
        if connection is not None:
            connection.row_factory = sqlite3.Row
            self._conn = connection
            try:
                check_schema(connection, self.db_path)
            except BaseException:
                connection.close()
                raise
            return
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.db_path), isolation_level=None, timeout=10.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise self._error("open", exc) from exc
        self._conn = conn
        try:
            ensure_schema(conn, self.db_path)
        except BaseException:
            conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> BodyQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, action: str, exc: BaseException) -> QueueError:
        return QueueError(
            f"body queue {self.db_path}: cannot {action}: {exc}",
            details={"db_path": str(self.db_path), "action": action, "sqlite_error": str(exc)},
        )

    @contextmanager
    def _tx(self, action: str) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it is written, or none of it."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(action, exc) from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise self._error(action, exc) from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:  # pragma: no cover - disk full at commit time
            conn.execute("ROLLBACK")
            raise self._error(action, exc) from exc

    # -- enqueue -----------------------------------------------------------------------------

    def _row(
        self, namespace: NamespaceRef, artifact_path: str, body: str, now: float
    ) -> tuple[Any, ...]:
        if not isinstance(namespace, NamespaceRef):
            raise NamespaceError(
                "enqueue needs a NamespaceRef", details={"type": type(namespace).__name__}
            )
        validate_artifact_path(artifact_path)
        if not isinstance(body, str):
            raise TaskInvalidError(
                "content_body must be text (str)", details={"field": "content_body"}
            )
        encoded = body.encode("utf-8")
        if len(encoded) > self.max_body_bytes:
            raise BodyTooLargeError(
                f"{artifact_path} is {len(encoded):,} bytes; the upload limit is "
                f"{self.max_body_bytes:,} bytes (nothing was queued)",
                details={
                    "artifact_path": artifact_path,
                    "size_bytes": len(encoded),
                    "limit_bytes": self.max_body_bytes,
                    "mission_slug": namespace.mission_slug,
                },
            )
        ns = namespace.to_dict()
        return (
            ns["project_uuid"], ns["mission_slug"], ns["target_branch"], ns["mission_type"],
            ns["manifest_version"], artifact_path, content_hash(body), HASH_ALGORITHM, body,
            len(encoded), 0, 0.0, now, None, _PENDING, None,
        )  # fmt: skip

    def enqueue(
        self,
        namespace: NamespaceRef,
        artifact_path: str,
        content_body: str,
        *,
        now: float | None = None,
    ) -> EnqueueResult:
        """Queue one body; re-enqueueing the same namespace + path + content is a no-op."""
        row = self._row(namespace, artifact_path, content_body, time.time() if now is None else now)
        with self._tx("enqueue") as conn:
            inserted = conn.execute(_INSERT, row).rowcount
        return EnqueueResult.ENQUEUED if inserted == 1 else EnqueueResult.ALREADY_QUEUED

    def enqueue_many(
        self,
        namespace: NamespaceRef,
        items: Iterable[tuple[str, str]],
        *,
        now: float | None = None,
    ) -> list[EnqueueResult]:
        """Queue several ``(artifact_path, content_body)`` in one transaction (validated first)."""
        stamp = time.time() if now is None else now
        rows = [self._row(namespace, path, body, stamp) for path, body in items]
        results: list[EnqueueResult] = []
        with self._tx("enqueue") as conn:
            for row in rows:
                inserted = conn.execute(_INSERT, row).rowcount
                results.append(
                    EnqueueResult.ENQUEUED if inserted == 1 else EnqueueResult.ALREADY_QUEUED
                )
        return results

    def import_tasks(self, tasks: Iterable[BodyUploadTask]) -> int:
        """Insert tasks with every field as given (retry state intact), in one transaction.

        Rows whose namespace + artifact_path + content_hash is already queued are ignored.
        Returns the number of rows inserted. Used by `spec-kitty upgrade` for legacy queues.
        """
        rows = []
        for task in tasks:
            if not isinstance(task, BodyUploadTask):
                raise TaskInvalidError(
                    "import_tasks takes BodyUploadTask records",
                    details={"type": type(task).__name__},
                )
            rows.append(tuple(getattr(task, column) for column in _INSERT_COLUMNS))
        with self._tx("import tasks") as conn:
            before = conn.total_changes
            conn.executemany(_INSERT, rows)
            return conn.total_changes - before

    def import_query(
        self, source_db: Path | str, query: str, params: Sequence[Any] = ()
    ) -> BulkImport:
        """Bulk-import the rows ``query`` selects from another SQLite file, in one transaction.

        ``source_db`` is attached read-only as schema ``source``; ``query`` yields the columns
        ``source_key`` and `IMPORT_FIELDS` (canonical names, in order). Rows are screened by SQL,
        doubtful ones judged by `BodyUploadTask` (refused ones reported, not imported), the rest
        copied as ``pending`` with INSERT OR IGNORE and verified field by field before the
        durable commit. Used by `spec-kitty upgrade` for large legacy queues.
        """
        return import_query(self.db_path, Path(source_db), query, params)

    # -- reading -----------------------------------------------------------------------------

    def _select(
        self, where: str, params: tuple[Any, ...], suffix: str = ""
    ) -> list[BodyUploadTask]:
        sql = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where} {suffix}"  # noqa: S608
        try:
            rows = self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from exc
        return [BodyUploadTask(**dict(row)) for row in rows]

    def due(
        self, limit: int, now: float | None = None, *, exclude: Collection[int] = ()
    ) -> list[BodyUploadTask]:
        """Pending tasks whose next attempt is due, earliest due first, then insertion order.

        ``exclude``: row ids to leave out (rows a drain holds back this run).
        """
        stamp = time.time() if now is None else now
        return self._select(
            f"state = ? AND next_attempt_at <= ?{_EXCLUDE}",
            (_PENDING, stamp, json.dumps(sorted(exclude)), int(limit)),
            "ORDER BY next_attempt_at, row_id LIMIT ?",
        )

    def tasks(self, state: str | None = None) -> list[BodyUploadTask]:
        """Every task (or those in ``state``), in insertion order."""
        if state is None:
            return self._select("1", (), "ORDER BY row_id")
        return self._select("state = ?", (_state(state),), "ORDER BY row_id")

    def states(self, mission_slug: str) -> dict[tuple[str, str], tuple[str, str | None]]:
        """{(artifact_path, content_hash): (state, last_error)} of one mission's bodies."""
        try:
            rows = self._conn.execute(
                f"SELECT artifact_path, content_hash, state, last_error FROM {TABLE} "  # noqa: S608
                "WHERE mission_slug = ? ORDER BY row_id",
                (mission_slug,),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from exc
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def get(self, row_id: int) -> BodyUploadTask | None:
        found = self._select("row_id = ?", (row_id,))
        return found[0] if found else None

    def counts(self) -> dict[str, int]:
        """Number of tasks per state; every state is present (0 when empty)."""
        try:
            rows = self._conn.execute(
                f"SELECT state, COUNT(*) FROM {TABLE} GROUP BY state"  # noqa: S608
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._error("count", exc) from exc
        counts = dict.fromkeys(STATES, 0)
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    def next_due_at(self, *, exclude: Collection[int] = ()) -> float | None:
        """When the earliest pending task (not in ``exclude``) becomes due (None: none pending)."""
        try:
            row = self._conn.execute(
                f"SELECT MIN(next_attempt_at) FROM {TABLE} WHERE state = ?{_EXCLUDE}",  # noqa: S608
                (_PENDING, json.dumps(sorted(exclude))),
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from exc
        return None if row[0] is None else float(row[0])

    # -- state changes (each one transaction, only from pending) ------------------------------

    def _update(self, row_id: int, action: str, sets: str, params: tuple[Any, ...]) -> bool:
        with self._tx(action) as conn:
            cur = conn.execute(
                f"UPDATE {TABLE} SET {sets} WHERE row_id = ? AND state = ?",  # noqa: S608
                (*params, row_id, _PENDING),
            )
            return cur.rowcount == 1

    def mark_delivered(self, row_id: int, *, now: float | None = None) -> bool:
        """The server stored the body or already had it. False if the row was not pending."""
        stamp = time.time() if now is None else now
        return self._update(
            row_id,
            "mark delivered",
            "state = ?, delivered_at = ?",
            (TaskState.DELIVERED.value, stamp),
        )

    def mark_retry(self, row_id: int, *, error: str, next_attempt_at: float) -> bool:
        """A transient failure: count it, keep the reason, try again at ``next_attempt_at``."""
        return self._update(
            row_id,
            "mark retry",
            "retry_count = retry_count + 1, last_error = ?, next_attempt_at = ?",
            (error, float(next_attempt_at)),
        )

    def mark_dead_letter(self, row_id: int, *, reason: str) -> bool:
        """The server refused the body for good; it stays here with the reason."""
        return self._update(
            row_id,
            "mark dead letter",
            "state = ?, last_error = ?",
            (TaskState.DEAD_LETTER.value, reason),
        )

    def mark_parked(self, row_id: int, *, reason: str) -> bool:
        """The contract gate refused the payload before sending; it stays with the violation."""
        return self._update(
            row_id, "mark parked", "state = ?, last_error = ?", (TaskState.PARKED.value, reason)
        )

    def requeue(self, state: str, *, now: float | None = None) -> int:
        """Move every dead-lettered or parked task back to pending (after the cause is fixed)."""
        wanted = _state(state)
        if wanted not in (TaskState.DEAD_LETTER, TaskState.PARKED):
            raise TaskInvalidError(
                f"only dead_letter or parked tasks can be requeued, not {state!r}",
                details={"field": "state"},
            )
        stamp = time.time() if now is None else now
        with self._tx("requeue") as conn:
            return conn.execute(
                f"UPDATE {TABLE} SET state = ?, retry_count = 0, next_attempt_at = ? WHERE state = ?",  # noqa: S608
                (_PENDING, stamp, wanted),
            ).rowcount


def _state(state: str) -> str:
    if state not in STATES:
        raise TaskInvalidError(
            f"unknown task state {state!r}; use one of {', '.join(STATES)}",
            details={"field": "state"},
        )
    return state
