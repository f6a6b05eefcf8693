"""spec-kitty-bodysync: mission artifact bodies queued and uploaded under canonical namespace terms.

Public API::

    NamespaceRef, manifest_version_for, content_hash, validate_artifact_path, MAX_BODY_BYTES
    BodyUploadTask, TaskState, EnqueueResult
    BulkImport, IMPORT_FIELDS, SOURCE_KEY (BodyQueue.import_query: bulk import from SQLite)
    BodyQueue (enqueue, enqueue_many, import_tasks, import_query, counts, due, tasks, get, next_due_at,
               mark_delivered, mark_retry, mark_dead_letter, mark_parked, requeue), SCHEMA_VERSION
    collect_artifacts -> CollectedArtifacts(artifacts: Artifact..., skipped: SkippedArtifact...)
    read_artifact (one candidate's bytes and text, or why it is skipped)
    index_mission -> IndexResult(artifacts: IndexedArtifact..., skipped, hashed): the dossier
        index (sha256, size, artifact class) with a stat cache; artifact_class, ARTIFACT_CLASSES
    dossier payloads: indexed_payload, missing_payload, snapshot_payload, drift_payload,
        snapshot_hash, drift_kind, DOSSIER_EVENT_TYPES, DOSSIER_AGGREGATE_TYPE
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
from ._collect import (
    Artifact,
    CollectedArtifacts,
    SkippedArtifact,
    collect_artifacts,
    read_artifact,
)
from ._dossier import AGGREGATE_TYPE as DOSSIER_AGGREGATE_TYPE
from ._dossier import (
    ARTIFACT_INDEXED,
    ARTIFACT_MISSING,
    DOSSIER_EVENT_TYPES,
    PARITY_DRIFT_DETECTED,
    SNAPSHOT_COMPUTED,
    drift_kind,
    drift_payload,
    indexed_payload,
    missing_payload,
    snapshot_hash,
    snapshot_payload,
)
from ._drain import DrainFailure, DrainReport, drain
from ._index import ARTIFACT_CLASSES, IndexedArtifact, IndexResult, artifact_class, index_mission
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
from ._transport import (
    INDEX_ENTRY_NOT_FOUND,
    PUSH_CONTENT_PATH,
    HttpTransport,
    Transport,
    UploadOutcome,
)
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
    "ARTIFACT_CLASSES",
    "ARTIFACT_INDEXED",
    "ARTIFACT_MISSING",
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
    "DOSSIER_AGGREGATE_TYPE",
    "DOSSIER_EVENT_TYPES",
    "DeadlineExceededError",
    "DeliveryError",
    "DrainFailure",
    "DrainReport",
    "EnqueueResult",
    "HASH_ALGORITHM",
    "HttpTransport",
    "IMPORT_FIELDS",
    "INDEX_ENTRY_NOT_FOUND",
    "IndexResult",
    "IndexedArtifact",
    "MAX_BODY_BYTES",
    "NamespaceError",
    "NamespaceRef",
    "PARITY_DRIFT_DETECTED",
    "PUSH_CONTENT_PATH",
    "QueueError",
    "QueueSchemaError",
    "RedirectRefusedError",
    "SCHEMA_VERSION",
    "SNAPSHOT_COMPUTED",
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
    "artifact_class",
    "collect_artifacts",
    "content_hash",
    "drain",
    "drift_kind",
    "drift_payload",
    "index_mission",
    "indexed_payload",
    "manifest_version_for",
    "missing_payload",
    "parse_retry_after",
    "read_artifact",
    "snapshot_hash",
    "snapshot_payload",
    "validate_artifact_path",
]


__getattr__ = lazy_getattr(__name__)
