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
    ├── QueueError                  BODY_QUEUE_ERROR (SQLite failure: infrastructure)
    └── DeliveryError               talking to the SaaS (spec_kitty_bodysync.delivery), for both queues
        ├── SettingsError           server URL, token, credentials file, SYNC_* variables (exit 2):
        │                           SERVER_URL_INVALID, SERVER_URL_INSECURE, AUTH_TOKEN_EMPTY,
        │                           AUTH_TOKEN_INVALID, CREDENTIALS_INSECURE, CREDENTIALS_DAMAGED,
        │                           SYNC_NOT_CONFIGURED, SYNC_SETTING_INVALID
        ├── RedirectRefusedError    SYNC_REDIRECT_REFUSED (a 3xx: never followed with the token; exit 2)
        ├── ServerUnreachableError  SYNC_SERVER_UNREACHABLE (no HTTP answer: refused, DNS, timeout)
        ├── DeadlineExceededError   SYNC_DEADLINE_EXCEEDED (the run's time budget ran out mid-request)
        ├── AnswerTooLargeError     SYNC_ANSWER_TOO_LARGE (the answer, decompressed, passed the cap)
        └── AnswerInvalidError      SYNC_ANSWER_INVALID (a field of the answer has a wrong type,
                                    range or shape; nothing of it was stored)

    A server fault (unreachable, too slow, too large, malformed) is infrastructure: exit 1.
"""

from __future__ import annotations

from typing import Any

from spec_kitty_identity.errors import SpecKittyError

__all__ = [
    "AnswerInvalidError",
    "AnswerTooLargeError",
    "ArtifactPathError",
    "BodySyncError",
    "BodyTooLargeError",
    "DeadlineExceededError",
    "DeliveryError",
    "NamespaceError",
    "QueueError",
    "QueueSchemaError",
    "RedirectRefusedError",
    "ServerUnreachableError",
    "SettingsError",
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


class DeliveryError(BodySyncError):
    """Base of every failure of the delivery mechanism (settings, transport, server answers)."""

    code = "SYNC_DELIVERY_ERROR"
    operator_fixable = False


class SettingsError(DeliveryError):
    """A server URL, token, credentials file or SPEC_KITTY_SYNC_* value the user must fix."""

    code = "SYNC_SETTING_INVALID"
    operator_fixable = True


class RedirectRefusedError(DeliveryError):
    """The server answered 3xx. Redirects are never followed: the token stays where it was sent."""

    code = "SYNC_REDIRECT_REFUSED"
    operator_fixable = True


class ServerUnreachableError(DeliveryError):
    """No HTTP answer (refused, reset, DNS, per-request timeout): transient, retried."""

    code = "SYNC_SERVER_UNREACHABLE"


class DeadlineExceededError(DeliveryError):
    """The run's overall deadline passed while a request was still in flight."""

    code = "SYNC_DEADLINE_EXCEEDED"


class AnswerTooLargeError(DeliveryError):
    """The answer (after decompression) is larger than the cap; reading stopped at the cap."""

    code = "SYNC_ANSWER_TOO_LARGE"


class AnswerInvalidError(DeliveryError):
    """A server answer failed validation (type, range, shape): nothing of it was stored."""

    code = "SYNC_ANSWER_INVALID"
