"""spec-kitty-migrate: the only reader of legacy local state, and its rewrite to mission terms.

Imported only by the CLI's `spec-kitty upgrade` command (an import-linter contract enforces it).

Public API::

    plan_upgrade(checkout_root) -> UpgradePlan           detect + plan, read-only
    run_upgrade(checkout_root, dry_run=, confirm=, progress=) -> UpgradeReport
    STEPS: the registry of MigrationStep (id, title, detect, apply, verify)
    Finding, StepPlan, UpgradePlan, StepReport, UpgradeReport (frozen, with to_dict())
    errors: UpgradeError and its subclasses (stable codes)
"""

from __future__ import annotations

from spec_kitty_identity import lazy_getattr

from ._model import Finding, StepPlan, StepReport, UpgradePlan, UpgradeReport
from ._runner import STEPS, MigrationStep, plan_upgrade, run_upgrade
from .errors import (
    UpgradeBackupError,
    UpgradeBusyError,
    UpgradeConflictError,
    UpgradeDependencyError,
    UpgradeError,
    UpgradeNeedsConfirmationError,
    UpgradeUnparseableError,
    UpgradeVerifyError,
)

# Plain sorted() order (the monorepo convention test), not ruff's constants-first order.
__all__ = [  # noqa: RUF022
    "Finding",
    "MigrationStep",
    "STEPS",
    "StepPlan",
    "StepReport",
    "UpgradeBackupError",
    "UpgradeBusyError",
    "UpgradeConflictError",
    "UpgradeDependencyError",
    "UpgradeError",
    "UpgradeNeedsConfirmationError",
    "UpgradePlan",
    "UpgradeReport",
    "UpgradeUnparseableError",
    "UpgradeVerifyError",
    "__version__",
    "plan_upgrade",
    "run_upgrade",
]


__getattr__ = lazy_getattr(__name__)
