"""What a drain reports, and how the batch endpoint's answers are read."""

from __future__ import annotations

import json
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


def reason_of(item: dict[str, Any]) -> str:
    for key in ("error", "error_message", "reason", "detail"):
        if item.get(key):
            return str(item[key])
    return "rejected by the server"


def remote_clock(body: dict[str, Any], results: list[Any]) -> int | None:
    values = [body.get("server_clock")] + [
        r.get("lamport_clock") for r in results if isinstance(r, dict)
    ]
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
    return max(ints) if ints else None


def details_list(body: Any) -> list[dict[str, Any]]:
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return []
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, dict) and isinstance(d.get("event_id"), str)]
