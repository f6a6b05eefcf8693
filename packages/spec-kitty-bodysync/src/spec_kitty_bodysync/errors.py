"""Errors raised by spec-kitty-bodysync.

Every error carries a stable ``code``, a human ``message`` and a ``details`` dict, so the CLI can
render one structured envelope for all of them. ``operator_fixable`` tells whether the person at
the keyboard can fix it (bad input, legacy state, credentials: exit 2) or whether it is an
infrastructure failure (exit 1).

    BodySyncError                   BODY_SYNC_ERROR (a spec_kitty_identity.SpecKittyError)
    ├── NamespaceError              BODY_NAMESPACE_INVALID (a blank or non-string namespace field)
    ├── ArtifactPathError           BODY_ARTIFACT_PATH_INVALID (absolute, "..", backslash, blank)
    ├── BodyTooLargeError           BODY_TOO_LARGE (over the upload limit; nothing queued)
    ├── TaskInvalidError            BODY_TASK_INVALID (a BodyUploadTask with an impossible field)
    ├── QueueSchemaError            BODY_QUEUE_LEGACY_SCHEMA / BODY_QUEUE_SCHEMA_TOO_NEW
    ├── UploadAuthError             BODY_SYNC_UNAUTHORIZED (the server refused the token)
    └── QueueError                  BODY_QUEUE_ERROR (SQLite failure: infrastructure)
"""

from __future__ import annotations

from typing import Any

from spec_kitty_identity.errors import SpecKittyError

__all__ = [
    "ArtifactPathError",
    "BodySyncError",
    "BodyTooLargeError",
    "NamespaceError",
    "QueueError",
    "QueueSchemaError",
    "TaskInvalidError",
    "UploadAuthError",
]


class BodySyncError(SpecKittyError):
    """Base class: a structured, renderable body-sync failure."""

    code = "BODY_SYNC_ERROR"

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, details=details)
        if code is not None:
            self.code = code


class NamespaceError(BodySyncError):
    """A NamespaceRef field is missing, not a string, or blank: nothing is queued."""

    code = "BODY_NAMESPACE_INVALID"


class ArtifactPathError(BodySyncError):
    """An artifact path is not a clean mission-dir-relative POSIX path."""

    code = "BODY_ARTIFACT_PATH_INVALID"


class BodyTooLargeError(BodySyncError):
    """The body is larger than the upload limit (the SaaS accepts at most 524,288 bytes)."""

    code = "BODY_TOO_LARGE"


class TaskInvalidError(BodySyncError):
    """A BodyUploadTask carries a value the queue cannot hold (state, counters, types)."""

    code = "BODY_TASK_INVALID"


class QueueSchemaError(BodySyncError):
    """The body queue has a layout this version does not write: run `spec-kitty upgrade`."""

    code = "BODY_QUEUE_LEGACY_SCHEMA"


class UploadAuthError(BodySyncError):
    """The server answered 401: the token is missing, wrong or expired. Nothing was marked."""

    code = "BODY_SYNC_UNAUTHORIZED"


class QueueError(BodySyncError):
    """SQLite could not read or write the body queue (disk, locks, corruption)."""

    code = "BODY_QUEUE_ERROR"
    operator_fixable = False
