"""Where status events go: the library is handed an EventSink and knows no network or queue.

One fact, one event id: the status model stamps every event itself (``StampedEvent``: event_id,
build_id, node_id and the timestamp the status line records as ``at``), then

1. ``sink.prepare(events)`` builds and checks the envelopes (raising refuses: nothing is written),
2. the status lines are appended to ``status.events.jsonl`` (one write, one fsync),
3. ``sink.publish(prepared)`` queues the envelopes (one transaction).

A crash between 2 and 3 leaves lines without envelopes; the CLI's reconcile step queues them
from the log (idempotent by event_id), so the log stays the source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, kw_only=True)
class StampedEvent:
    """An event with the identity its status line and its envelope share.

    ``aggregate_type`` is "WorkPackage" (``aggregate_id`` = "<mission_id>:<wp_id>") for
    WPStatusChanged and WPCreated, "Mission" (``aggregate_id`` = mission_id) for MissionClosed.
    ``payload`` holds exactly the 3.0.0 payload keys; ``at`` is the envelope's ``timestamp``.
    """

    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    event_id: str
    build_id: str
    node_id: str
    at: str


@runtime_checkable
class EventSink(Protocol):
    """Receives every event the status model produces (see the module docstring)."""

    def prepare(self, events: Sequence[StampedEvent]) -> Any:
        """Build and check the envelopes; raise to refuse the change (nothing is written)."""
        ...

    def publish(self, prepared: Any) -> None:
        """Queue what ``prepare`` returned, after the status lines are durable."""
        ...
