"""What a drain reports (the answers themselves are checked in ``_answer_check``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED_REJECTIONS = 50


@dataclass(kw_only=True)
class DrainReport:
    """What one drain did. ``outcome``: drained | incomplete | failed."""

    outcome: str = "drained"
    total_pending: int = 0
    sent: int = 0
    delivered: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejected_locally: int = 0
    deferred: int = 0
    batches: int = 0
    requests: int = 0
    server_clock: int | None = None
    error_code: str | None = None
    error: str | None = None
    rejections: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def note_rejection(self, event_id: str, reason: str | None) -> None:
        """Remember a rejection for the report (the first few; the queue keeps them all)."""
        if len(self.rejections) < MAX_LISTED_REJECTIONS:
            self.rejections.append({"event_id": event_id, "reason": reason or ""})


@dataclass(frozen=True, kw_only=True)
class Answer:
    kind: str  # ok | bad_request | too_large | fatal | gave_up
    status: int | None = None
    body: Any = None
    error: str | None = None
