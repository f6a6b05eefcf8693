"""The upgrade runner: detect -> plan -> back up -> apply -> verify -> report.

Steps run in registry order under a per-checkout lock. Before the first rewrite a journal is
written to `.kittify/state/upgrade-journal.json`; every file is backed up (once per run, with its
sha256 in the manifest) before it is touched; every rewrite is a temp file + rename or one SQLite
transaction. A run killed at any point leaves the journal behind: the next run resumes it under
the same run id (keeping the original backups), finishes what is left and verifies the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import checkout_state_dir

from . import _config, _events, _meta, _queue, _status
from ._backup import Backup, Journal
from ._context import ProgressFn, Project
from ._model import StepPlan, StepReport, UpgradePlan, UpgradeReport
from ._runtime import ApplyContext
from .errors import UpgradeBusyError, UpgradeVerifyError

LOCK_NAME = "upgrade.lock"
EmitFn = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True, kw_only=True)
class MigrationStep:
    """One registered migration: detect (read-only), apply (after backup) and verify."""

    id: str
    title: str
    detect: Callable[[Project], StepPlan]
    apply: Callable[[Project, StepPlan, ApplyContext], StepReport]
    verify: Callable[[Project, StepReport], list[str]]


def _step(module: object) -> MigrationStep:
    return MigrationStep(
        id=module.STEP_ID,  # type: ignore[attr-defined]
        title=module.TITLE,  # type: ignore[attr-defined]
        detect=module.detect,  # type: ignore[attr-defined]
        apply=module.apply,  # type: ignore[attr-defined]
        verify=module.verify,  # type: ignore[attr-defined]
    )


# Order matters: the status step stamps mission ids the meta step settles.
STEPS: tuple[MigrationStep, ...] = tuple(
    _step(m) for m in (_config, _meta, _status, _queue, _events)
)


def _plan(project: Project) -> UpgradePlan:
    project.cache.clear()
    return UpgradePlan(
        checkout_root=project.root, steps=tuple(step.detect(project) for step in STEPS)
    )


def _project(root: Path, home: Path | None) -> Project:
    return Project(root=root) if home is None else Project(root=root, home=home)


def plan_upgrade(checkout_root: Path, *, home: Path | None = None) -> UpgradePlan:
    """Detect legacy state and plan the rewrites; reads only (UPGRADE_UNPARSEABLE on bad files)."""
    return _plan(_project(checkout_root, home))


def run_upgrade(
    checkout_root: Path,
    *,
    dry_run: bool = False,
    confirm: Callable[[UpgradePlan], bool] | None = None,
    progress: ProgressFn | None = None,
    home: Path | None = None,
    emit: EmitFn | None = None,
) -> UpgradeReport:
    """Upgrade one checkout (or, with ``dry_run``, only plan it).

    ``confirm`` is asked once, with the plan, before anything is written; returning False
    leaves everything as it is (status "planned").
    """
    from filelock import FileLock, Timeout

    project = _project(checkout_root, home)
    if dry_run:
        plan = _plan(project)
        return UpgradeReport(
            checkout_root=checkout_root,
            status="planned" if plan.pending else "up_to_date",
            dry_run=True,
            plan=plan,
        )
    state = checkout_state_dir(checkout_root)
    lock = FileLock(str(state / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise UpgradeBusyError(
            "another `spec-kitty upgrade` is running in this checkout; wait for it to finish",
            details={"lock": str(state / LOCK_NAME)},
        ) from exc
    try:
        return _run_locked(project, confirm, progress, emit)
    finally:
        lock.release()


def _run_locked(
    project: Project,
    confirm: Callable[[UpgradePlan], bool] | None,
    progress: ProgressFn | None,
    emit: EmitFn | None = None,
) -> UpgradeReport:
    root = project.root
    plan = _plan(project)  # again, under the lock
    journal = Journal(root)
    interrupted = journal.path.is_file()
    if not plan.pending and not interrupted:
        return UpgradeReport(checkout_root=root, status="up_to_date", dry_run=False, plan=plan)
    if plan.pending and confirm is not None and not confirm(plan):
        return UpgradeReport(checkout_root=root, status="planned", dry_run=False, plan=plan)
    run_id, resumed = journal.start()
    backup = Backup(root, run_id)
    journal.phase("backup", backup_dir=str(backup.directory))
    for path in plan.touches:
        backup.save(path)
    journal.phase("apply")
    ctx = ApplyContext(backup=backup, progress=progress, emit=emit)
    reports = tuple(
        step.apply(project, step_plan, ctx)
        for step, step_plan in zip(STEPS, plan.steps, strict=True)
    )
    journal.phase("verify")
    problems = [
        problem
        for step, report in zip(STEPS, reports, strict=True)
        for problem in step.verify(project, report)
    ]
    after = _plan(project)
    problems.extend(
        f"{finding.path}: still legacy after the rewrite ({finding.summary})"
        for step_plan in after.steps
        for finding in step_plan.actionable
    )
    if problems:
        raise UpgradeVerifyError(
            f"upgrade rewrote files but {len(problems)} check(s) failed; originals are in "
            f"{backup.directory}",
            details={"problems": problems, "backup_dir": str(backup.directory), "run_id": run_id},
        )
    report = UpgradeReport(
        checkout_root=root,
        status="upgraded",
        dry_run=False,
        plan=plan,
        steps=reports,
        run_id=run_id,
        backup_dir=backup.directory,
        resumed=resumed,
        verified=True,
    )
    journal.finish(backup, {"changed": sum(len(r.changed) for r in reports)})
    return report
