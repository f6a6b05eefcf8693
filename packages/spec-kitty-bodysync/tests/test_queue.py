from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from spec_kitty_bodysync import (
    MAX_BODY_BYTES,
    SCHEMA_VERSION,
    BodyQueue,
    BodyTooLargeError,
    BodyUploadTask,
    EnqueueResult,
    NamespaceError,
    NamespaceRef,
    QueueError,
    QueueSchemaError,
    TaskInvalidError,
    content_hash,
)

CANONICAL = [
    ("row_id", "INTEGER", 0, None),
    ("project_uuid", "TEXT", 1, None),
    ("mission_slug", "TEXT", 1, None),
    ("target_branch", "TEXT", 1, None),
    ("mission_type", "TEXT", 1, None),
    ("manifest_version", "TEXT", 1, None),
    ("artifact_path", "TEXT", 1, None),
    ("content_hash", "TEXT", 1, None),
    ("hash_algorithm", "TEXT", 1, "'sha256'"),
    ("content_body", "TEXT", 1, None),
    ("size_bytes", "INTEGER", 1, None),
    ("retry_count", "INTEGER", 1, "0"),
    ("next_attempt_at", "REAL", 1, "0"),
    ("created_at", "REAL", 1, None),
    ("last_error", "TEXT", 0, None),
    ("state", "TEXT", 1, "'pending'"),
    ("delivered_at", "REAL", 0, None),
]


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def test_fresh_database_has_the_canonical_schema_and_version(queue: BodyQueue) -> None:
    conn = _raw(queue.db_path)
    cols = [(r[1], r[2], r[3], r[4]) for r in conn.execute("PRAGMA table_info(body_upload_queue)")]
    assert cols == CANONICAL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='body_upload_queue'").fetchone()[0]
    assert "AUTOINCREMENT" in sql
    indexes = {r[1]: r for r in conn.execute("PRAGMA index_list(body_upload_queue)")}
    assert "idx_body_queue_drain" in indexes
    assert set(indexes) == {"idx_body_queue_drain", "sqlite_autoindex_body_upload_queue_1"}
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT row_id FROM body_upload_queue "
        "WHERE project_uuid = ? AND mission_slug = ? AND target_branch = ?",
        ("p", "001-x", "main"),
    ).fetchall()
    assert "sqlite_autoindex_body_upload_queue_1" in " ".join(str(r[-1]) for r in plan)
    drain_cols = [r[2] for r in conn.execute("PRAGMA index_info(idx_body_queue_drain)")]
    assert drain_cols == ["state", "next_attempt_at", "row_id"]
    unique = [name for name, row in indexes.items() if row[2] == 1]
    assert len(unique) == 1
    assert [r[2] for r in conn.execute(f"PRAGMA index_info({unique[0]})")] == [
        "project_uuid", "mission_slug", "target_branch", "mission_type", "manifest_version",
        "artifact_path", "content_hash",
    ]  # fmt: skip
    every_name = " ".join(r[0] or "" for r in conn.execute("SELECT sql FROM sqlite_master"))
    for legacy in ("feature", "mission_key"):
        assert legacy not in every_name
    conn.close()


def test_enqueue_then_same_body_again_is_a_no_op(queue: BodyQueue, ns: NamespaceRef) -> None:
    assert queue.enqueue(ns, "spec.md", "# Spec\n", now=100.0) is EnqueueResult.ENQUEUED
    assert queue.enqueue(ns, "spec.md", "# Spec\n", now=200.0) is EnqueueResult.ALREADY_QUEUED
    assert queue.enqueue(ns, "spec.md", "# Spec v2\n", now=300.0) is EnqueueResult.ENQUEUED
    other = dataclasses.replace(ns, target_branch="release")
    assert queue.enqueue(other, "spec.md", "# Spec\n") is EnqueueResult.ENQUEUED
    tasks = queue.tasks()
    assert len(tasks) == 3
    first = tasks[0]
    assert first.content_hash == content_hash("# Spec\n")
    assert first.hash_algorithm == "sha256"
    assert first.size_bytes == len(b"# Spec\n")
    assert (first.created_at, first.next_attempt_at, first.retry_count) == (100.0, 0.0, 0)
    assert first.state == "pending" and first.last_error is None and first.delivered_at is None
    assert queue.counts() == {"pending": 3, "delivered": 0, "dead_letter": 0, "parked": 0}


def test_size_counts_utf8_bytes_and_the_limit_is_enforced(tmp_path: Path, ns: NamespaceRef) -> None:
    q = BodyQueue(tmp_path / "b.db", max_body_bytes=10)
    assert q.enqueue(ns, "a.md", "ééééé") is EnqueueResult.ENQUEUED  # 10 bytes
    with pytest.raises(BodyTooLargeError) as err:
        q.enqueue(ns, "b.md", "éééééé")  # 12 bytes
    assert err.value.details["size_bytes"] == 12
    assert err.value.details["limit_bytes"] == 10
    assert "12 bytes" in err.value.message and "10 bytes" in err.value.message
    assert q.counts()["pending"] == 1
    q.close()


def test_saas_limit_is_the_default(queue: BodyQueue, ns: NamespaceRef) -> None:
    assert queue.max_body_bytes == MAX_BODY_BYTES == 524_288
    assert queue.enqueue(ns, "ok.md", "x" * MAX_BODY_BYTES) is EnqueueResult.ENQUEUED
    with pytest.raises(BodyTooLargeError):
        queue.enqueue(ns, "big.md", "x" * (MAX_BODY_BYTES + 1))


def test_enqueue_refuses_anything_but_a_namespace_ref(queue: BodyQueue) -> None:
    with pytest.raises(NamespaceError):
        queue.enqueue({"mission_slug": "x"}, "spec.md", "x")  # type: ignore[arg-type]
    with pytest.raises(TaskInvalidError):
        queue.enqueue(
            NamespaceRef(
                project_uuid="p", mission_slug="m", target_branch="b", mission_type="t",
                manifest_version="1",
            ),
            "spec.md",
            b"bytes",  # type: ignore[arg-type]
        )  # fmt: skip
    assert queue.counts()["pending"] == 0


def test_enqueue_many_is_all_or_nothing(queue: BodyQueue, ns: NamespaceRef) -> None:
    with pytest.raises(Exception, match=r"\.\."):
        queue.enqueue_many(ns, [("spec.md", "a"), ("../escape.md", "b")])
    assert queue.counts()["pending"] == 0
    results = queue.enqueue_many(ns, [("spec.md", "a"), ("plan.md", "b"), ("spec.md", "a")])
    assert results == ["enqueued", "enqueued", "already_queued"]


def _task(ns: NamespaceRef, path: str, **kw: object) -> BodyUploadTask:
    body = str(kw.pop("content_body", f"body of {path}"))
    fields: dict[str, object] = {
        **ns.to_dict(),
        "artifact_path": path,
        "content_hash": content_hash(body),
        "content_body": body,
        "size_bytes": len(body.encode()),
        "created_at": 1000.0,
        **kw,
    }
    return BodyUploadTask(**fields)  # type: ignore[arg-type]


def test_import_tasks_keeps_every_field_and_is_idempotent(
    queue: BodyQueue, ns: NamespaceRef
) -> None:
    tasks = [
        _task(ns, "spec.md", retry_count=3, next_attempt_at=5000.5, last_error="HTTP 503"),
        _task(ns, "plan.md", state="dead_letter", last_error="HTTP 400: validation_error"),
        _task(ns, "tasks.md", state="delivered", delivered_at=1234.0),
    ]
    assert queue.import_tasks(tasks) == 3
    assert queue.import_tasks(tasks) == 0
    got = queue.tasks()
    assert [dataclasses.replace(t, row_id=None) for t in got] == tasks
    assert queue.counts() == {"pending": 1, "delivered": 1, "dead_letter": 1, "parked": 0}
    with pytest.raises(TaskInvalidError):
        queue.import_tasks([ns])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("field", "value"),
    [("state", "uploaded"), ("retry_count", -1), ("size_bytes", True), ("created_at", "now"),
     ("content_hash", None), ("last_error", 5), ("content_hash", "A" * 64),
     ("content_hash", "0" * 63), ("content_hash", "sha256:" + "0" * 64),
     ("hash_algorithm", "md5")],
)  # fmt: skip
def test_tasks_with_impossible_values_are_refused(
    ns: NamespaceRef, field: str, value: object
) -> None:
    with pytest.raises(TaskInvalidError) as err:
        _task(ns, "spec.md", **{field: value})
    assert err.value.details["field"] == field


def test_due_order_and_state_changes(queue: BodyQueue, ns: NamespaceRef) -> None:
    for i, path in enumerate(["a.md", "b.md", "c.md", "d.md"]):
        queue.enqueue(ns, path, path, now=float(i))
    a, b, c, d = queue.tasks()
    assert [t.artifact_path for t in queue.due(10, now=10.0)] == ["a.md", "b.md", "c.md", "d.md"]
    assert queue.mark_retry(a.row_id, error="HTTP 503", next_attempt_at=50.0)  # type: ignore[arg-type]
    assert queue.mark_retry(b.row_id, error="HTTP 503", next_attempt_at=20.0)  # type: ignore[arg-type]
    assert [t.artifact_path for t in queue.due(10, now=10.0)] == ["c.md", "d.md"]
    assert [t.artifact_path for t in queue.due(1, now=10.0)] == ["c.md"]
    assert [t.artifact_path for t in queue.due(10, now=60.0)] == ["c.md", "d.md", "b.md", "a.md"]
    assert queue.next_due_at() == 0.0
    assert queue.mark_delivered(c.row_id, now=11.0)  # type: ignore[arg-type]
    assert queue.mark_dead_letter(d.row_id, reason="HTTP 400: bad")  # type: ignore[arg-type]
    assert queue.next_due_at() == 20.0
    assert queue.mark_parked(b.row_id, reason="CONTRACT_INVALID_VALUE")  # type: ignore[arg-type]
    # Only pending rows change: a delivered row cannot be dead-lettered afterwards.
    assert not queue.mark_dead_letter(c.row_id, reason="late")  # type: ignore[arg-type]
    got = {t.artifact_path: t for t in queue.tasks()}
    assert got["a.md"].retry_count == 1 and got["a.md"].last_error == "HTTP 503"
    assert got["c.md"].state == "delivered" and got["c.md"].delivered_at == 11.0
    assert got["d.md"].state == "dead_letter" and got["d.md"].last_error == "HTTP 400: bad"
    assert got["b.md"].state == "parked"
    assert queue.counts() == {"pending": 1, "delivered": 1, "dead_letter": 1, "parked": 1}
    assert queue.get(c.row_id) == got["c.md"]  # type: ignore[arg-type]
    assert queue.get(9999) is None
    assert [t.artifact_path for t in queue.tasks("parked")] == ["b.md"]
    assert queue.requeue("dead_letter", now=70.0) == 1
    assert queue.get(d.row_id).state == "pending"  # type: ignore[arg-type,union-attr]
    with pytest.raises(TaskInvalidError):
        queue.requeue("delivered")
    with pytest.raises(TaskInvalidError):
        queue.tasks("uploaded")


def test_reopen_keeps_rows(tmp_path: Path, ns: NamespaceRef) -> None:
    with BodyQueue(tmp_path / "b.db") as q:
        q.enqueue(ns, "spec.md", "x")
    with BodyQueue(tmp_path / "b.db") as q:
        assert q.counts()["pending"] == 1


def test_legacy_layout_is_refused_not_read(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    conn = _raw(path)
    # The pre-cutover column names, literally, as a legacy queue carries them.
    conn.execute(
        "CREATE TABLE body_upload_queue (id INTEGER PRIMARY KEY, project_uuid TEXT, "
        "feature_slug TEXT, target_branch TEXT, mission_key TEXT, manifest_version TEXT)"
    )
    conn.commit()
    conn.close()
    with pytest.raises(QueueSchemaError) as err:
        BodyQueue(path)
    assert err.value.code == "BODY_QUEUE_LEGACY_SCHEMA"
    assert err.value.details["hint"] == "spec-kitty upgrade"
    assert "feature_slug" in err.value.details["unknown_columns"]


def test_canonical_columns_without_version_are_refused(tmp_path: Path) -> None:
    with BodyQueue(tmp_path / "b.db"):
        pass
    conn = _raw(tmp_path / "b.db")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    with pytest.raises(QueueSchemaError):
        BodyQueue(tmp_path / "b.db")


@pytest.mark.parametrize("with_table", [True, False])
def test_newer_schema_is_refused(tmp_path: Path, with_table: bool) -> None:
    if with_table:
        with BodyQueue(tmp_path / "b.db"):
            pass
    conn = _raw(tmp_path / "b.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(QueueSchemaError) as err:
        BodyQueue(tmp_path / "b.db")
    assert err.value.code == "BODY_QUEUE_SCHEMA_TOO_NEW"


def test_unusable_database_is_an_infrastructure_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(QueueError) as err:
        BodyQueue(tmp_path / "dir.db")
    assert err.value.operator_fixable is False
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(QueueError):
        BodyQueue(garbage)
