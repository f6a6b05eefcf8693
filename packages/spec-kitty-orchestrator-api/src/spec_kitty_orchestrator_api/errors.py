"""Errors raised by spec-kitty-orchestrator-api.

Every error carries a stable ``code``, a human ``message`` and a ``details`` dict. ``code`` is
one of the orchestrator-api contract 1.0.0 error codes, except for the status-model errors marked
below, which the envelope reports as USAGE_ERROR with ``details.cause`` naming the real code.
``operator_fixable`` is True for input or state the user can fix (CLI exit 2), False for
infrastructure failures (exit 1).

Every error is a ``spec_kitty_identity.StructuredError`` by shape (this module stays free of
imports: start-up time). A selector that matches no mission, or several, raises identity's own
MissionNotFoundError (MISSION_NOT_FOUND) or MissionAmbiguousError (MISSION_AMBIGUOUS_SELECTOR).

    OrchestratorApiError
    ├── UsageError                    USAGE_ERROR
    ├── PolicyRequiredError           POLICY_METADATA_REQUIRED
    ├── PolicyValidationError         POLICY_VALIDATION_FAILED
    ├── WPNotFoundError               WP_NOT_FOUND
    ├── TransitionRejectedError       TRANSITION_REJECTED
    ├── WPAlreadyClaimedError         WP_ALREADY_CLAIMED
    ├── MissionNotReadyError          MISSION_NOT_READY
    ├── DependenciesNotSatisfiedError TRANSITION_REJECTED (reason dependencies_not_satisfied)
    ├── PreflightFailedError          PREFLIGHT_FAILED
    ├── ContractVersionMismatchError  CONTRACT_VERSION_MISMATCH
    ├── UnsupportedStrategyError      UNSUPPORTED_STRATEGY
    ├── WPFileError                   WP_FILE_INVALID      (status model)
    ├── StatusLogError                STATUS_LOG_CORRUPT   (status model)
    ├── StatusLegacyError             LEGACY_STATE         (status model: run `spec-kitty upgrade`)
    └── StatusWriteError              STATUS_WRITE_FAILED  (status model, infrastructure)
"""

from __future__ import annotations

from typing import Any, ClassVar


class OrchestratorApiError(Exception):
    """Base class: a structured failure of the status model or an orchestrator-api command."""

    code: ClassVar[str] = "USAGE_ERROR"
    operator_fixable: ClassVar[bool] = True

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class UsageError(OrchestratorApiError):
    """Bad arguments: unknown lane, unparseable JSON option, missing value."""

    code = "USAGE_ERROR"


class PolicyRequiredError(OrchestratorApiError):
    """A run-affecting command was called without --policy."""

    code = "POLICY_METADATA_REQUIRED"


class PolicyValidationError(OrchestratorApiError):
    """--policy is not a valid policy object (keys, types, dangerous flags, secrets)."""

    code = "POLICY_VALIDATION_FAILED"


class WPNotFoundError(OrchestratorApiError):
    """No `tasks/WPnn[-title].md` prompt file for this work package."""

    code = "WP_NOT_FOUND"


class TransitionRejectedError(OrchestratorApiError):
    """The lane change is illegal (3.0.0 table) or a guard failed."""

    code = "TRANSITION_REJECTED"


class WPAlreadyClaimedError(OrchestratorApiError):
    """Another actor holds the work package."""

    code = "WP_ALREADY_CLAIMED"


class MissionNotReadyError(OrchestratorApiError):
    """accept-mission while some work package is not approved or done."""

    code = "MISSION_NOT_READY"


class DependenciesNotSatisfiedError(OrchestratorApiError):
    """start-implementation while a dependency is not approved or done.

    Contract 1.0.0 has no code of its own for this (the 0.1.2 client would raise a bare
    HostError on an unknown code): it is a TRANSITION_REJECTED whose ``details.reason`` is
    ``dependencies_not_satisfied`` and ``details.unsatisfied_dependencies`` names them.
    """

    code = "TRANSITION_REJECTED"


class PreflightFailedError(OrchestratorApiError):
    """merge-mission cannot run (git state, target branch, incomplete work packages)."""

    code = "PREFLIGHT_FAILED"


class ContractVersionMismatchError(OrchestratorApiError):
    """The provider version is invalid or below the minimum this host supports."""

    code = "CONTRACT_VERSION_MISMATCH"


class UnsupportedStrategyError(OrchestratorApiError):
    """merge-mission --strategy is not merge, squash or rebase."""

    code = "UNSUPPORTED_STRATEGY"


class WPFileError(OrchestratorApiError):
    """A WP prompt file is malformed (frontmatter, unknown key, id mismatch)."""

    code = "WP_FILE_INVALID"


class StatusLogError(OrchestratorApiError):
    """status.events.jsonl holds a line that is not a valid status record."""

    code = "STATUS_LOG_CORRUPT"


class StatusLegacyError(OrchestratorApiError):
    """status.events.jsonl holds a non-canonical key: `spec-kitty upgrade` rewrites it."""

    code = "LEGACY_STATE"


class StatusWriteError(OrchestratorApiError):
    """The event log or status.json could not be written (disk, permissions, lock timeout)."""

    code = "STATUS_WRITE_FAILED"
    operator_fixable = False
