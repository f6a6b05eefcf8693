"""spec-kitty-bodysync: mission artifact bodies queued and uploaded under canonical namespace terms.

Public API::

    NamespaceRef, manifest_version_for, content_hash, validate_artifact_path, MAX_BODY_BYTES
    BodyUploadTask, TaskState, EnqueueResult
    BulkImport, IMPORT_FIELDS, SOURCE_KEY (BodyQueue.import_query: bulk import from SQLite)
    BodyQueue (enqueue, enqueue_many, import_tasks, import_query, counts, due, tasks, get, next_due_at,
               mark_delivered, mark_retry, mark_dead_letter, mark_parked, requeue), SCHEMA_VERSION
    collect_artifacts -> CollectedArtifacts(artifacts: Artifact..., skipped: SkippedArtifact...)
    HttpTransport, Transport, UploadOutcome, parse_retry_after, PUSH_CONTENT_PATH
    drain -> DrainReport, Backoff
    errors: BodySyncError and its subclasses (DeliveryError and its subclasses included)

The delivery mechanism shared with the CLI's event queue (settings, server URL and token,
backoff, the httpx client with its limits) is the subpackage ``spec_kitty_bodysync.delivery``.

Heavy modules (httpx, spec_kitty_gate) are imported only where they are used.
"""

from __future__ import annotations

from spec_kitty_identity import lazy_getattr

from ._bulk import IMPORT_FIELDS, SOURCE_KEY, BulkImport
from ._collect import Artifact, CollectedArtifacts, SkippedArtifact, collect_artifacts
from ._drain import DrainFailure, DrainReport, drain
from ._namespace import (
    HASH_ALGORITHM,
    MAX_BODY_BYTES,
    NamespaceRef,
    content_hash,
    manifest_version_for,
    validate_artifact_path,
)
from ._queue import BodyQueue
from ._schema import SCHEMA_VERSION, TABLE
from ._task import BodyUploadTask, EnqueueResult, TaskState
from ._transport import PUSH_CONTENT_PATH, HttpTransport, Transport, UploadOutcome
from .delivery import Backoff, parse_retry_after
from .errors import (
    AnswerInvalidError,
    AnswerTooLargeError,
    ArtifactPathError,
    BodySyncError,
    BodyTooLargeError,
    DeadlineExceededError,
    DeliveryError,
    NamespaceError,
    QueueError,
    QueueSchemaError,
    RedirectRefusedError,
    ServerUnreachableError,
    SettingsError,
    TaskInvalidError,
    UploadAuthError,
)

# Plain sorted() order (the monorepo convention test), not ruff's constants-first order.
__all__ = [  # noqa: RUF022
    "AnswerInvalidError",
    "AnswerTooLargeError",
    "Artifact",
    "ArtifactPathError",
    "Backoff",
    "BodyQueue",
    "BodySyncError",
    "BodyTooLargeError",
    "BodyUploadTask",
    "BulkImport",
    "CollectedArtifacts",
    "DeadlineExceededError",
    "DeliveryError",
    "DrainFailure",
    "DrainReport",
    "EnqueueResult",
    "HASH_ALGORITHM",
    "HttpTransport",
    "IMPORT_FIELDS",
    "MAX_BODY_BYTES",
    "NamespaceError",
    "NamespaceRef",
    "PUSH_CONTENT_PATH",
    "QueueError",
    "QueueSchemaError",
    "RedirectRefusedError",
    "SCHEMA_VERSION",
    "SOURCE_KEY",
    "ServerUnreachableError",
    "SettingsError",
    "SkippedArtifact",
    "TABLE",
    "TaskInvalidError",
    "TaskState",
    "Transport",
    "UploadAuthError",
    "UploadOutcome",
    "__version__",
    "collect_artifacts",
    "content_hash",
    "drain",
    "manifest_version_for",
    "parse_retry_after",
    "validate_artifact_path",
]


__getattr__ = lazy_getattr(__name__)
