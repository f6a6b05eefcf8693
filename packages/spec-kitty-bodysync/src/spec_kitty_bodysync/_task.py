"""BodyUploadTask: one queued mission artifact body, and the states a task moves through."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from ._namespace import HASH_ALGORITHM, NAMESPACE_FIELDS, NamespaceRef, validate_artifact_path
from .errors import TaskInvalidError

__all__ = ["STATES", "BodyUploadTask", "EnqueueResult", "TaskState"]

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class TaskState(enum.StrEnum):
    """pending -> delivered | dead_letter (server refused) | parked (gate refused)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD_LETTER = "dead_letter"
    PARKED = "parked"


STATES: tuple[str, ...] = tuple(s.value for s in TaskState)


class EnqueueResult(enum.StrEnum):
    """What `BodyQueue.enqueue` did: a new row, or nothing because the body is already queued."""

    ENQUEUED = "enqueued"
    ALREADY_QUEUED = "already_queued"


@dataclass(frozen=True, kw_only=True)
class BodyUploadTask:
    """One row of `body_upload_queue` (``row_id`` is None until the queue assigns one)."""

    project_uuid: str
    mission_slug: str
    target_branch: str
    mission_type: str
    manifest_version: str
    artifact_path: str
    content_hash: str
    content_body: str
    size_bytes: int
    created_at: float
    hash_algorithm: str = HASH_ALGORITHM
    retry_count: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    state: str = TaskState.PENDING.value
    delivered_at: float | None = None
    row_id: int | None = None

    def __post_init__(self) -> None:
        self.namespace  # noqa: B018 - validates the five namespace fields
        validate_artifact_path(self.artifact_path)
        for name in ("content_hash", "content_body", "hash_algorithm"):
            if not isinstance(getattr(self, name), str):
                raise _invalid(name, getattr(self, name), "must be a string")
        if self.hash_algorithm != HASH_ALGORITHM:
            raise _invalid("hash_algorithm", self.hash_algorithm, f"must be {HASH_ALGORITHM!r}")
        if _SHA256_HEX.fullmatch(self.content_hash) is None:
            raise _invalid("content_hash", self.content_hash, "must be 64 lowercase hex digits")
        for name in ("size_bytes", "retry_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _invalid(name, value, "must be an integer >= 0")
        for name in ("created_at", "next_attempt_at"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _invalid(name, value, "must be a number (epoch seconds)")
        if self.state not in STATES:
            raise _invalid("state", self.state, f"must be one of {', '.join(STATES)}")
        if self.last_error is not None and not isinstance(self.last_error, str):
            raise _invalid("last_error", self.last_error, "must be a string or null")

    @property
    def namespace(self) -> NamespaceRef:
        return NamespaceRef(**{name: getattr(self, name) for name in NAMESPACE_FIELDS})

    def upload_payload(self) -> dict[str, str]:
        """Exactly the nine keys POSTed to push-content: namespace + artifact."""
        return {
            **self.namespace.to_dict(),
            "artifact_path": self.artifact_path,
            "content_hash": self.content_hash,
            "hash_algorithm": self.hash_algorithm,
            "content_body": self.content_body,
        }


def _invalid(name: str, value: Any, problem: str) -> TaskInvalidError:
    shown = value if isinstance(value, str | int | float | type(None)) else repr(value)
    return TaskInvalidError(
        f"BodyUploadTask.{name} {problem} (got {shown!r})", details={"field": name}
    )
