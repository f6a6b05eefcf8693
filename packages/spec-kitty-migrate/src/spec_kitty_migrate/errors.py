"""Errors raised by spec-kitty-migrate.

Every error carries a stable ``code``, a human ``message`` and a ``details`` dict; the CLI renders
them as its structured error envelope. ``operator_fixable`` decides the exit code: True (the user
can fix the input or answer a question) -> 2, False (disk, database, a failed verification) -> 1.

    UpgradeError                      (a spec_kitty_identity.SpecKittyError)
    ├── UpgradeUnparseableError       UPGRADE_UNPARSEABLE         a file cannot be parsed
    ├── UpgradeConflictError          UPGRADE_CONFLICT            legacy and canonical values differ
    ├── UpgradeNeedsConfirmationError UPGRADE_NEEDS_CONFIRMATION  no --yes and no terminal
    ├── UpgradeBusyError              UPGRADE_BUSY                another upgrade holds the lock
    ├── UpgradeDependencyError        UPGRADE_DEPENDENCY_MISSING  a canonical store is unavailable
    ├── UpgradeBackupError            UPGRADE_BACKUP_FAILED       (infrastructure)
    └── UpgradeVerifyError            UPGRADE_VERIFY_FAILED       (infrastructure)
"""

from __future__ import annotations

from spec_kitty_identity.errors import SpecKittyError


class UpgradeError(SpecKittyError):
    """Base class: a structured, renderable upgrade failure."""

    code = "UPGRADE_ERROR"


class UpgradeUnparseableError(UpgradeError):
    """A file upgrade would read cannot be parsed; nothing was changed."""

    code = "UPGRADE_UNPARSEABLE"


class UpgradeConflictError(UpgradeError):
    """Some files hold legacy and canonical values that disagree; they were left untouched."""

    code = "UPGRADE_CONFLICT"


class UpgradeNeedsConfirmationError(UpgradeError):
    """Changes are pending, stdin is not a terminal and --yes was not given."""

    code = "UPGRADE_NEEDS_CONFIRMATION"


class UpgradeBusyError(UpgradeError):
    """Another `spec-kitty upgrade` is running in this checkout."""

    code = "UPGRADE_BUSY"


class UpgradeDependencyError(UpgradeError):
    """A canonical store the upgrade writes into is not available in this installation."""

    code = "UPGRADE_DEPENDENCY_MISSING"
    operator_fixable = False


class UpgradeBackupError(UpgradeError):
    """A file could not be backed up; nothing was rewritten."""

    code = "UPGRADE_BACKUP_FAILED"
    operator_fixable = False


class UpgradeVerifyError(UpgradeError):
    """After the rewrite a runtime loader still refuses a file (the backup is kept)."""

    code = "UPGRADE_VERIFY_FAILED"
    operator_fixable = False
