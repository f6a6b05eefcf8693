"""Records crossing the queue boundary: stored events, delivery outcomes, the stored JSON form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def canonical_json(envelope: Mapping[str, Any]) -> str:
    """The stored form of an envelope: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, kw_only=True)
class StoredEvent:
    """A queued event as read back: its journal position, the envelope, its retry count."""

    seq: int
    event_id: str
    envelope: dict[str, Any]
    retry_count: int


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What to record for one event after a batch answer.

    status: ``delivered`` | ``duplicate`` | ``rejected`` | ``retry`` (stays pending).
    """

    event_id: str
    status: str
    error: str | None = None
    next_attempt_at: float = 0.0
