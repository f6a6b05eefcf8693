"""Step `body-queue`: legacy `body_upload_queue` rows -> the canonical per-checkout queue.

The legacy queue lived in the per-user ``~/.spec-kitty/queue.db`` (or ``queues/queue-<scope>.db``)
shared by every project, and in project-local databases (layouts: see `_legacy_queue`). Every
row of THIS project (by project_uuid) is imported into `.kittify/state/bodies.db` with every field
carried over (``feature_slug`` -> ``mission_slug``, ``mission_key`` -> ``mission_type``, retry
state intact) by `BodyQueue.import_query`: the legacy file attached read-only, one INSERT ...
SELECT in one transaction, screened by SQL, doubtful rows judged by the canonical model, verified
field by field, committed durably. The legacy file's write lock is held from before that import
until its rows are marked as migrated (one INSERT ... SELECT, then commit), so a rerun imports
nothing twice (and a kill between the two commits is harmless: INSERT OR IGNORE). Rows the canonical
model refuses stay in place, recorded with the reason, and are reported.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import checkout_state_dir

from . import _legacy_queue as lq
from ._context import Project
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeDependencyError, UpgradeUnparseableError, UpgradeVerifyError

STEP_ID = "body-queue"
TITLE = "Body upload queue: legacy feature_slug/mission_key rows into .kittify/state/bodies.db"
CANONICAL_DB = "bodies.db"


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


def _probe(path: Path, project_uuid: str) -> Finding | None:
    if not lq.is_sqlite(path):
        return None
    try:
        conn = lq.connect(path)
        try:
            found = lq.tables(conn)
            if lq.TABLE not in found:
                return None
            columns = lq.columns(conn)
            if not lq.is_queue_layout(columns):
                return None
            pending, others = lq.counts(conn, found, project_uuid)
            rejected = lq.refused_rows(conn, found, project_uuid)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UpgradeUnparseableError(
            f"{path} is not a readable SQLite database; fix or move it, then rerun upgrade",
            details={"file": str(path), "reason": str(exc)},
        ) from exc
    if not pending and not rejected:
        return None
    if pending:
        return Finding(
            step=STEP_ID,
            path=str(path),
            summary="legacy body_upload_queue (feature_slug, mission_key)",
            changes=(
                f"{pending} row(s) -> .kittify/state/bodies.db (feature_slug -> mission_slug, "
                "mission_key -> mission_type, retry state kept)",
                f"{others} row(s) of other projects left in place",
            ),
            rows=pending,
            work=_Work(db_path=path, columns=columns),
        )
    return _refused_finding(str(path), rejected)


def _refused_finding(path: str, rejected: list[tuple[int, str]]) -> Finding:
    sample = "; ".join(f"id {i}: {reason}" for i, reason in rejected[:3])
    return Finding(
        step=STEP_ID,
        path=path,
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
    work: _Work = finding.work
    project_uuid = project.project_uuid() or ""
    label = f"importing {work.db_path.name}"
    ctx.tick(label, 0, finding.rows)
    conn = lq.connect(work.db_path)
    try:
        # Hold the legacy file's write lock from before the import until the rows are marked:
        # nobody can add, change or drop a legacy row in between, so the rows marked are
        # exactly the rows the import read (and verified in the canonical queue).
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = lq.tables(conn)
            sql = lq.import_query(work.columns, found)
            result = queue.import_query(work.db_path, sql, (project_uuid,))
            refused = [(int(key), reason) for key, reason in result.refused]
            marked = lq.mark(
                conn,
                found,
                target=queue.db_path,
                project_uuid=project_uuid,
                refused=refused,
                stamp=time.time(),
            )
            if marked != result.selected - len(refused):
                raise UpgradeVerifyError(
                    f"{work.db_path}: {marked} row(s) to mark as migrated, but the canonical "
                    f"queue took {result.selected - len(refused)}; nothing was marked",
                    details={"file": str(work.db_path), "marked": marked},
                )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
    ctx.tick(label, result.selected, finding.rows)
    return int(result.inserted), int(result.already_present), refused


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
                conflicts.append(_refused_finding(finding.path, rejected))
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
            missing = lq.unmatched_marked(conn, path)
        finally:
            conn.close()
        if missing:
            problems.append(f"{name}: {missing} migrated row(s) missing from {target}")
    return problems
