"""Legacy body_upload_queue rows -> the canonical queue: N in, N out, field by field."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sk_legacy_fixtures as legacy

from spec_kitty_bodysync import BodyQueue
from spec_kitty_identity import init_project
from spec_kitty_migrate import UpgradeUnparseableError, plan_upgrade, run_upgrade


def _canonical(root: Path) -> Path:
    return root / ".kittify" / "state" / "bodies.db"


def _user_queue(home: Path) -> Path:
    return home / ".spec-kitty" / "queue.db"


def _project(repo: Path) -> Path:
    legacy.write_legacy_config(repo)
    return repo


def _rows(n: int, **kwargs: object) -> list[dict[str, object]]:
    return [legacy.legacy_row(i, **kwargs) for i in range(n)]  # type: ignore[arg-type]


def test_ten_thousand_rows_arrive_field_by_field(repo: Path, isolated_home: Path) -> None:
    rows = _rows(10_000)
    for i in range(0, 10_000, 2_500):  # a few large bodies
        body = f"# big {i} ✓\n" + "ü" * 200_000
        rows[i].update(
            content_body=body,
            size_bytes=len(body.encode()),
            content_hash=legacy.hashlib.sha256(body.encode()).hexdigest(),
        )
    others = _rows(50, project_uuid=legacy.OTHER_UUID)
    queue = legacy.make_legacy_queue(_user_queue(isolated_home), rows + others)
    _project(repo)
    report = run_upgrade(repo)
    step = report.steps[3]
    assert (step.rows_imported, step.rows_already_present) == (10_000, 0)
    assert legacy.assert_rows_carried(queue, _canonical(repo)) == 10_000
    with BodyQueue(_canonical(repo)) as canonical:
        assert canonical.counts()["pending"] == 10_000
    conn = sqlite3.connect(str(queue))
    assert conn.execute("SELECT count(*) FROM body_upload_queue").fetchone()[0] == 10_050
    assert conn.execute("SELECT count(*) FROM spec_kitty_migrated").fetchone()[0] == 10_000
    conn.close()
    again = run_upgrade(repo)
    assert again.status == "up_to_date"


def test_bare_layout_without_last_error_or_unique(repo: Path, isolated_home: Path) -> None:
    rows = _rows(20)
    for row in rows:
        row.pop("last_error")
    rows.append(dict(rows[0]))  # an exact duplicate: possible without the UNIQUE constraint
    queue = legacy.make_legacy_queue(
        _user_queue(isolated_home), rows, ddl=legacy.LEGACY_QUEUE_DDL_BARE
    )
    _project(repo)
    report = run_upgrade(repo)
    step = report.steps[3]
    assert (step.rows_imported, step.rows_already_present) == (20, 1)
    assert legacy.assert_rows_carried(queue, _canonical(repo)) == 20
    assert all(
        r["last_error"] is None for r in legacy.canonical_rows_by_key(_canonical(repo)).values()
    )


def test_project_local_and_scoped_queues(repo: Path, isolated_home: Path) -> None:
    _project(repo)
    local = legacy.make_legacy_queue(repo / ".kittify" / "queue.db", _rows(5))
    scoped = legacy.make_legacy_queue(
        isolated_home / ".spec-kitty" / "queues" / "queue-0123456789abcdef.db",
        [legacy.legacy_row(i) for i in range(5, 12)],
    )
    (repo / ".kittify" / "notes.db").write_text("not sqlite")
    plan = plan_upgrade(repo)
    assert {f.path for f in plan.steps[3].findings} == {str(local), str(scoped)}
    run_upgrade(repo)
    assert len(legacy.canonical_rows_by_key(_canonical(repo))) == 12


def test_crash_between_import_and_marker_is_harmless(repo: Path, isolated_home: Path) -> None:
    queue = legacy.make_legacy_queue(_user_queue(isolated_home), _rows(40))
    _project(repo)
    run_upgrade(repo)
    conn = sqlite3.connect(str(queue))
    conn.execute("DROP TABLE spec_kitty_migrated")  # as if killed before the marker commit
    conn.commit()
    conn.close()
    report = run_upgrade(repo)
    assert (report.steps[3].rows_imported, report.steps[3].rows_already_present) == (0, 40)
    assert legacy.assert_rows_carried(queue, _canonical(repo)) == 40


def test_rows_the_canonical_model_refuses_stay_and_are_reported(
    repo: Path, isolated_home: Path
) -> None:
    rows = _rows(6)
    rows[1]["feature_slug"] = "   "
    rows[2]["artifact_path"] = "/etc/passwd"
    queue = legacy.make_legacy_queue(_user_queue(isolated_home), rows)
    _project(repo)
    report = run_upgrade(repo)
    assert report.steps[3].rows_imported == 4
    [conflict] = report.conflicts
    assert conflict.rows == 2 and "id 2" in (conflict.conflict or "")
    again = run_upgrade(repo)
    assert again.status == "up_to_date"
    assert again.conflicts[0].rows == 2
    conn = sqlite3.connect(str(queue))
    assert conn.execute("SELECT count(*) FROM body_upload_queue").fetchone()[0] == 6
    conn.close()


def test_canonical_or_foreign_databases_are_not_legacy(repo: Path, isolated_home: Path) -> None:
    init_project(repo)
    BodyQueue(_canonical(repo)).close()
    other = isolated_home / ".spec-kitty" / "queue.db"
    other.parent.mkdir(parents=True)
    sqlite3.connect(str(other)).executescript(legacy.LEGACY_EVENT_QUEUE_DDL)
    assert run_upgrade(repo).status == "up_to_date"


def test_no_project_identity_means_no_queue_import(repo: Path, isolated_home: Path) -> None:
    legacy.make_legacy_queue(_user_queue(isolated_home), _rows(3))
    assert plan_upgrade(repo).steps[3].findings == ()


def test_unreadable_sqlite_refuses(repo: Path, isolated_home: Path) -> None:
    _project(repo)
    bad = _user_queue(isolated_home)
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    with pytest.raises(UpgradeUnparseableError) as caught:
        run_upgrade(repo)
    assert caught.value.details["file"] == str(bad)
