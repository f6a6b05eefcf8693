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

from typing import Any

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


def __getattr__(name: str) -> Any:
    # importlib.metadata is slow to import: load the version only when someone asks for it.
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
