# SQL text is built only from this module's constant table and column names; values are bound.
# ruff: noqa: S608
"""Step `body-queue`: legacy `body_upload_queue` rows -> the canonical per-checkout queue.

Legacy layout (read here and only here): PK ``id``, namespace columns ``feature_slug`` and
``mission_key``, with or without the 7-column UNIQUE constraint, its indexes and ``last_error``.
It lived in the per-user ``~/.spec-kitty/queue.db`` (or ``queues/queue-<scope>.db``) shared by
every project, and in project-local databases. Every row of THIS project (by project_uuid) is
imported into `.kittify/state/bodies.db` in one transaction with every field carried over
(``feature_slug`` -> ``mission_slug``, ``mission_key`` -> ``mission_type``, retry state intact).
The legacy file keeps its rows; after the canonical commit the imported ids are recorded in its
side table ``spec_kitty_migrated`` so a rerun imports nothing twice (the canonical INSERT OR
IGNORE makes a crash between the two commits harmless). Rows the canonical model refuses stay
in place, recorded with the reason in ``spec_kitty_migrate_rejected`` and reported.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import checkout_state_dir

from ._context import Project
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeDependencyError, UpgradeUnparseableError

STEP_ID = "body-queue"
TITLE = "Body upload queue: legacy feature_slug/mission_key rows into .kittify/state/bodies.db"
TABLE = "body_upload_queue"
LEGACY_COLUMNS = frozenset({"id", "feature_slug", "mission_key"})
MARKER = "spec_kitty_migrated"
REJECTED = "spec_kitty_migrate_rejected"
CANONICAL_DB = "bodies.db"
_MAGIC = b"SQLite format 3\x00"
# legacy column -> canonical BodyUploadTask field (optional columns fall back to their default)
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
_UNIQUE = ("project_uuid", "target_branch", "manifest_version", "artifact_path", "content_hash")


@dataclass(frozen=True, kw_only=True)
class _Work:
    db_path: Path
    columns: frozenset[str]


def canonical_db(project: Project) -> Path:
    return checkout_state_dir(project.root) / CANONICAL_DB


def candidates(project: Project) -> list[Path]:
    """Every place an older spec-kitty kept a body queue for this user or this checkout."""
    found: list[Path] = []
    user = project.home / ".spec-kitty"
    found.append(user / "queue.db")
    if (user / "queues").is_dir():
        found.extend(sorted((user / "queues").glob("*.db")))
    if project.kittify.is_dir():
        for path in sorted(project.kittify.rglob("*.db")):
            if "upgrade-backups" not in path.parts and path.name != CANONICAL_DB:
                found.append(path)
    return [p for p in dict.fromkeys(found) if p.is_file()]


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == _MAGIC
    except OSError:
        return False


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(conn: sqlite3.Connection) -> frozenset[str]:
    return frozenset(r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})"))


def _where(tables: set[str], *, skip_rejected: bool) -> str:
    where = "lower(project_uuid) = lower(?)"
    if MARKER in tables:
        where += f" AND id NOT IN (SELECT id FROM {MARKER})"
    if skip_rejected and REJECTED in tables:
        where += f" AND id NOT IN (SELECT id FROM {REJECTED})"
    return where


def _select_sql(columns: frozenset[str], where: str) -> str:
    parts = ["id"]
    for legacy, _field, default in FIELD_MAP:
        parts.append(legacy if legacy in columns or default is None else default)
    return f"SELECT {', '.join(parts)} FROM {TABLE} WHERE {where} ORDER BY id"


_FIELDS = tuple(field for _legacy, field, _default in FIELD_MAP)


def _task(row: tuple[Any, ...]) -> Any:
    from spec_kitty_bodysync import BodyUploadTask

    return BodyUploadTask(**dict(zip(_FIELDS, row[1:], strict=True)), state="pending")


def _probe(path: Path, project_uuid: str) -> Finding | None:
    if not _is_sqlite(path):
        return None
    try:
        conn = _connect(path)
        try:
            tables = _tables(conn)
            if TABLE not in tables:
                return None
            columns = _columns(conn)
            if not columns >= LEGACY_COLUMNS:
                return None
            pending = conn.execute(
                f"SELECT count(*) FROM {TABLE} WHERE {_where(tables, skip_rejected=True)}",
                (project_uuid,),
            ).fetchone()[0]
            others = conn.execute(
                f"SELECT count(*) FROM {TABLE} WHERE lower(project_uuid) != lower(?)",
                (project_uuid,),
            ).fetchone()[0]
            rejected: list[tuple[int, str]] = []
            if REJECTED in tables:
                marked = f" AND r.id NOT IN (SELECT id FROM {MARKER})" if MARKER in tables else ""
                rejected = conn.execute(
                    f"SELECT r.id, r.reason FROM {REJECTED} r JOIN {TABLE} q ON q.id = r.id "
                    f"WHERE lower(q.project_uuid) = lower(?){marked} ORDER BY r.id",
                    (project_uuid,),
                ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UpgradeUnparseableError(
            f"{path} is not a readable SQLite database; fix or move it, then rerun upgrade",
            details={"file": str(path), "reason": str(exc)},
        ) from exc
    if not pending and not rejected:
        return None
    work = _Work(db_path=path, columns=columns)
    changes = (
        f"{pending} row(s) -> .kittify/state/bodies.db (feature_slug -> mission_slug, "
        "mission_key -> mission_type, retry state kept)",
        f"{others} row(s) of other projects left in place",
    )
    if pending:
        return Finding(
            step=STEP_ID,
            path=str(path),
            summary="legacy body_upload_queue (feature_slug, mission_key)",
            changes=changes,
            rows=pending,
            work=work,
        )
    sample = "; ".join(f"id {i}: {reason}" for i, reason in rejected[:3])
    return Finding(
        step=STEP_ID,
        path=str(path),
        summary="legacy body_upload_queue rows the canonical queue refuses",
        rows=len(rejected),
        conflict=f"{len(rejected)} row(s) stay in the legacy queue: {sample}",
    )


def detect(project: Project) -> StepPlan:
    project_uuid = project.project_uuid()
    if project_uuid is None:
        return StepPlan(step=STEP_ID, title=TITLE)
    findings = [f for p in candidates(project) if (f := _probe(p, project_uuid)) is not None]
    touches: list[Path] = [Path(f.path) for f in findings if not f.blocked]
    if touches:
        touches.append(canonical_db(project))
    return StepPlan(step=STEP_ID, title=TITLE, findings=tuple(findings), touches=tuple(touches))


def _import_one(
    project: Project, finding: Finding, ctx: ApplyContext, queue: Any
) -> tuple[int, int, list[tuple[int, str]]]:
    from spec_kitty_bodysync import BodySyncError

    work: _Work = finding.work
    project_uuid = project.project_uuid() or ""
    conn = _connect(work.db_path)
    try:
        tables = _tables(conn)
        sql = _select_sql(work.columns, _where(tables, skip_rejected=False))
        imported: list[int] = []
        rejected: list[tuple[int, str]] = []
        total = finding.rows
        label = f"importing {work.db_path.name}"

        def tasks() -> Iterator[Any]:
            for row in conn.execute(sql, (project_uuid,)):
                try:
                    task = _task(row)
                except (BodySyncError, TypeError) as exc:
                    rejected.append((row[0], str(getattr(exc, "message", exc))))
                    continue
                imported.append(row[0])
                if len(imported) % 2000 == 0:
                    ctx.tick(label, len(imported), total)
                yield task

        inserted = int(queue.import_tasks(tasks()))
        ctx.tick(label, len(imported), total)
        stamp = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER} "
                "(id INTEGER PRIMARY KEY, migrated_at REAL NOT NULL, target TEXT NOT NULL)"
            )
            conn.executemany(
                f"INSERT OR IGNORE INTO {MARKER} (id, migrated_at, target) VALUES (?, ?, ?)",
                ((i, stamp, str(queue.db_path)) for i in imported),
            )
            if rejected:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {REJECTED} "
                    "(id INTEGER PRIMARY KEY, reason TEXT NOT NULL, rejected_at REAL NOT NULL)"
                )
                conn.executemany(
                    f"INSERT OR REPLACE INTO {REJECTED} (id, reason, rejected_at) VALUES (?, ?, ?)",
                    ((i, reason, stamp) for i, reason in rejected),
                )
            if imported and REJECTED in _tables(conn):
                conn.executemany(
                    f"DELETE FROM {REJECTED} WHERE id = ?",
                    ((i,) for i in imported),
                )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return inserted, len(imported) - inserted, rejected
    finally:
        conn.close()


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    if not plan.actionable:
        return StepReport(step=STEP_ID, title=TITLE, conflicts=plan.conflicts)
    try:
        from spec_kitty_bodysync import BodyQueue
    except ImportError as exc:  # pragma: no cover - the workspace always ships bodysync
        raise UpgradeDependencyError(
            "spec-kitty-bodysync is not installed; the body queue cannot be migrated",
            details={"package": "spec-kitty-bodysync"},
        ) from exc
    target = canonical_db(project)
    created = () if target.exists() else (str(target),)
    conflicts = list(plan.conflicts)
    notes: list[str] = []
    changed: list[str] = []
    inserted_total = present_total = 0
    with BodyQueue(target) as queue:
        for finding in plan.actionable:
            inserted, present, rejected = _import_one(project, finding, ctx, queue)
            inserted_total += inserted
            present_total += present
            changed.append(finding.path)
            notes.append(
                f"{finding.path}: {inserted} row(s) imported, {present} already in the canonical "
                f"queue, {len(rejected)} refused"
            )
            if rejected:
                sample = "; ".join(f"id {i}: {r}" for i, r in rejected[:3])
                conflicts.append(
                    Finding(
                        step=STEP_ID,
                        path=finding.path,
                        summary="legacy body_upload_queue rows the canonical queue refuses",
                        rows=len(rejected),
                        conflict=f"{len(rejected)} row(s) stay in the legacy queue: {sample}",
                    )
                )
    return StepReport(
        step=STEP_ID,
        title=TITLE,
        changed=(*changed, str(target)),
        created=created,
        notes=tuple(notes),
        conflicts=tuple(conflicts),
        rows_imported=inserted_total,
        rows_already_present=present_total,
    )


def verify(project: Project, report: StepReport) -> list[str]:
    """Every legacy row marked as migrated has its canonical row (by the uniqueness key)."""
    target = canonical_db(project)
    problems: list[str] = []
    for name in report.changed:
        path = Path(name)
        if path == target:
            continue
        conn = sqlite3.connect(str(target))
        try:
            conn.execute("ATTACH DATABASE ? AS legacy", (str(path),))
            match = " AND ".join(f"c.{c} = l.{c}" for c in _UNIQUE)
            missing = conn.execute(
                f"SELECT count(*) FROM legacy.{TABLE} l JOIN legacy.{MARKER} m ON m.id = l.id "
                f"WHERE NOT EXISTS (SELECT 1 FROM main.{TABLE} c WHERE {match} "
                "AND c.mission_slug = l.feature_slug AND c.mission_type = l.mission_key)"
            ).fetchone()[0]
        finally:
            conn.close()
        if missing:
            problems.append(f"{name}: {missing} migrated row(s) missing from {target}")
    return problems
