"""BodyQueue.import_query: bulk import from another SQLite file, screened, verified, one transaction."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec_kitty_bodysync import (
    IMPORT_FIELDS,
    SOURCE_KEY,
    BodyQueue,
    BodySyncError,
    BodyUploadTask,
    QueueError,
    TaskInvalidError,
    content_hash,
)

from .conftest import PROJECT_UUID

QUERY = (
    f"SELECT id AS {SOURCE_KEY}, "
    + ", ".join(f"{f} AS {f}" for f in IMPORT_FIELDS)
    + " FROM source.incoming WHERE project_uuid = ?"
)
DDL = (
    "CREATE TABLE incoming (id INTEGER PRIMARY KEY, "
    + ", ".join(IMPORT_FIELDS)  # no affinity: values keep the type they were written with
    + ")"
)


def _row(i: int, **changes: Any) -> dict[str, Any]:
    body = f"# Artefakt {i} ✓\n" + "x" * (i % 50)
    row: dict[str, Any] = {
        "project_uuid": PROJECT_UUID,
        "mission_slug": f"00{i % 3 + 1}-mission-ü",
        "target_branch": "main",
        "mission_type": "software-dev",
        "manifest_version": "1",
        "artifact_path": f"tasks/WP{i:02d}-日本.md",
        "content_hash": content_hash(body),
        "hash_algorithm": "sha256",
        "content_body": body,
        "size_bytes": len(body.encode()),
        "retry_count": i % 4,
        "next_attempt_at": 1_760_000_000.5 + i,
        "created_at": 1_750_000_000 + i,
        "last_error": None if i % 2 else f"HTTP 503 #{i}",
    }
    row.update(changes)
    return row


def _source(path: Path, rows: list[dict[str, Any]]) -> Path:
    conn = sqlite3.connect(str(path))
    conn.execute(DDL)
    conn.executemany(
        f"INSERT INTO incoming ({', '.join(IMPORT_FIELDS)}) "
        f"VALUES ({', '.join('?' for _ in IMPORT_FIELDS)})",
        ([row[f] for f in IMPORT_FIELDS] for row in rows),
    )
    conn.commit()
    conn.close()
    return path


def _model_verdict(row: dict[str, Any]) -> str | None:
    try:
        BodyUploadTask(**row)
    except (BodySyncError, TypeError) as exc:
        return str(getattr(exc, "message", exc))
    return None


def test_every_field_arrives_pending_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    rows = [_row(i) for i in range(200)]
    source = _source(tmp_path / "in.db", rows)
    with BodyQueue(tmp_path / "bodies.db") as queue:
        result = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (result.selected, result.inserted, result.already_present) == (200, 200, 0)
        assert result.refused == ()
        got = queue.tasks()
        assert [(t.artifact_path, t.state, t.delivered_at) for t in got] == [
            (r["artifact_path"], "pending", None) for r in rows
        ]  # in source order
        for task, row in zip(got, rows, strict=True):
            assert {f: getattr(task, f) for f in IMPORT_FIELDS} == row
        again = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (again.selected, again.inserted, again.already_present) == (200, 0, 200)
        assert queue.counts()["pending"] == 200


def test_an_existing_row_keeps_its_own_retry_state(tmp_path: Path) -> None:
    source = _source(tmp_path / "in.db", [_row(1, retry_count=0)])
    with BodyQueue(tmp_path / "bodies.db") as queue:
        queue.import_tasks([BodyUploadTask(**_row(1, retry_count=7, last_error="kept"))])
        result = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (result.inserted, result.already_present) == (0, 1)
        [task] = queue.tasks()
        assert (task.retry_count, task.last_error) == (7, "kept")


def test_same_key_twice_in_the_source_the_first_wins(tmp_path: Path) -> None:
    rows = [_row(1, retry_count=1), _row(1, retry_count=2), _row(1, retry_count=1)]
    source = _source(tmp_path / "in.db", rows)
    with BodyQueue(tmp_path / "bodies.db") as queue:
        result = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (result.selected, result.inserted, result.already_present) == (3, 1, 2)
        assert [t.retry_count for t in queue.tasks()] == [1]


REFUSED = [
    ("mission_slug", "   "),
    ("mission_slug", "\u2003\t"),
    ("target_branch", None),
    ("manifest_version", 1),
    ("artifact_path", "/etc/passwd"),
    ("artifact_path", "C:/x.md"),
    ("artifact_path", "a/../b.md"),
    ("artifact_path", "a//b.md"),
    ("artifact_path", "a\\b.md"),
    ("artifact_path", "a/b/"),
    ("artifact_path", "./a.md"),
    ("artifact_path", "a\x00b.md"),
    ("content_hash", "A" * 64),
    ("content_hash", "0" * 63),
    ("content_hash", "0" * 64 + "\x00"),
    ("content_hash", b"0" * 64),
    ("hash_algorithm", "md5"),
    ("content_body", None),
    ("content_body", b"bytes"),
    ("size_bytes", -1),
    ("size_bytes", 3.0),
    ("retry_count", "2"),
    ("next_attempt_at", "soon"),
    ("created_at", None),
    ("last_error", 5),
]


def test_rows_the_model_refuses_are_reported_with_its_reason(tmp_path: Path) -> None:
    rows = [_row(0)] + [_row(i + 1, **{f: v}) for i, (f, v) in enumerate(REFUSED)]
    source = _source(tmp_path / "in.db", rows)
    with BodyQueue(tmp_path / "bodies.db") as queue:
        result = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (result.selected, result.inserted) == (len(rows), 1)
        reasons = dict(result.refused)
        assert sorted(reasons) == list(range(2, len(rows) + 1))
        for key, row in enumerate(rows[1:], start=2):
            if isinstance(row["content_body"], str):
                assert reasons[key] == _model_verdict(row), (key, row)
        assert [t.artifact_path for t in queue.tasks()] == [rows[0]["artifact_path"]]


def test_rows_the_screen_doubts_but_the_model_accepts_are_imported(tmp_path: Path) -> None:
    odd = [
        _row(1, artifact_path="notes/.hidden.md"),
        _row(2, artifact_path=".kittify-notes.md"),
        _row(3, mission_slug="日本"),
        _row(4, artifact_path="1:b.md"),
    ]
    source = _source(tmp_path / "in.db", [_row(0), *odd])
    with BodyQueue(tmp_path / "bodies.db") as queue:
        result = queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert (result.inserted, result.refused) == (5, ())
        by_path = {t.artifact_path: t for t in queue.tasks()}
        for row in odd:
            task = by_path[row["artifact_path"]]
            assert {f: getattr(task, f) for f in IMPORT_FIELDS} == row


def test_a_changed_copy_fails_verification_and_nothing_is_imported(tmp_path: Path) -> None:
    source = _source(tmp_path / "in.db", [_row(i) for i in range(5)])
    db = tmp_path / "bodies.db"
    BodyQueue(db).close()
    conn = sqlite3.connect(str(db))  # a trigger that alters what was written (a broken copy)
    conn.execute(
        "CREATE TRIGGER tamper AFTER INSERT ON body_upload_queue WHEN new.retry_count = 2 "
        "BEGIN UPDATE body_upload_queue SET retry_count = 99 WHERE row_id = new.row_id; END"
    )
    conn.commit()
    conn.close()
    with BodyQueue(db) as queue:
        with pytest.raises(QueueError) as caught:
            queue.import_query(source, QUERY, (PROJECT_UUID,))
        assert caught.value.details["differing"] == 1
        assert queue.counts()["pending"] == 0


def test_the_query_must_name_the_canonical_columns(tmp_path: Path) -> None:
    source = _source(tmp_path / "in.db", [_row(0)])
    with BodyQueue(tmp_path / "bodies.db") as queue:
        with pytest.raises(TaskInvalidError) as caught:
            queue.import_query(source, "SELECT id AS source_key FROM source.incoming")
        assert caught.value.details["columns"] == ["source_key"]
        with pytest.raises(QueueError):
            queue.import_query(tmp_path / "missing.db", QUERY, (PROJECT_UUID,))
        assert not (tmp_path / "missing.db").exists()  # attached read-only: never created
        with pytest.raises(QueueError):
            queue.import_query(source, "SELECT nonsense FROM nowhere")


def test_the_source_is_read_only(tmp_path: Path) -> None:
    source = _source(tmp_path / "in.db", [_row(0)])
    before = source.read_bytes()
    with BodyQueue(tmp_path / "bodies.db") as queue:
        queue.import_query(source, QUERY, (PROJECT_UUID,))
    assert source.read_bytes() == before


_TEXT = st.one_of(
    st.sampled_from(["", " ", "\t", "x", "日本", "main", "a b", "\u2003"]),
    st.text(max_size=6),
)
_PATHS = st.one_of(
    st.sampled_from(
        ["a.md", "/a.md", "a/./b", "a/../b", "...", "a/.b", ".a", "a//b", "a/", "C:a", "a\\b"]
    ),
    st.text(alphabet="ab./\\:\x00\n ", max_size=6),
)
_VALUES: dict[str, Any] = {
    "project_uuid": _TEXT,
    "mission_slug": _TEXT,
    "target_branch": _TEXT,
    "mission_type": _TEXT,
    "manifest_version": st.one_of(_TEXT, st.integers(0, 3)),
    "artifact_path": _PATHS,
    "content_hash": st.sampled_from(["0" * 64, "f" * 64, "F" * 64, "0" * 63 + "g", "", "0" * 65]),
    "hash_algorithm": st.sampled_from(["sha256", "SHA256", "md5"]),
    "size_bytes": st.one_of(st.integers(-2, 5), st.just(1.5), st.just("3")),
    "retry_count": st.one_of(st.integers(-2, 5), st.none()),
    "next_attempt_at": st.one_of(st.floats(0, 10), st.integers(0, 9), st.just("x")),
    "created_at": st.one_of(st.floats(0, 10), st.integers(0, 9), st.none()),
    "last_error": st.one_of(st.none(), st.text(max_size=3), st.integers(0, 2)),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional=_VALUES), min_size=1, max_size=12))
def test_import_agrees_with_the_model_row_by_row(changes: list[dict[str, Any]]) -> None:
    rows = [_row(i, **c) for i, c in enumerate(changes)]
    every_row = QUERY.split(" WHERE ")[0]
    with tempfile.TemporaryDirectory() as tmp:
        source = _source(Path(tmp) / "in.db", rows)
        with BodyQueue(Path(tmp) / "bodies.db") as queue:
            result = queue.import_query(source, every_row)
            refused = dict(result.refused)
            queued = {tuple(getattr(t, f) for f in IMPORT_FIELDS[:7]): t for t in queue.tasks()}
        for key, row in enumerate(rows, start=1):
            verdict = _model_verdict(row)
            assert refused.get(key) == verdict, row
            if verdict is None:
                task = queued[tuple(row[f] for f in IMPORT_FIELDS[:7])]
                assert task.state == "pending"
        assert result.inserted == len(queued)
        assert result.selected == len(rows)
