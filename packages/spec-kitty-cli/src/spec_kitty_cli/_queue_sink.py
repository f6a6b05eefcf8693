"""The CLI's EventSink for the status model: every status event goes to the event queue.

The status model stamps each event (event_id, build_id, node_id, ``at``) and writes it to
status.events.jsonl; this sink turns the same stamps into envelopes: ``prepare`` reserves one
Lamport range and gates them all (before any line is written), ``publish`` queues them in one
transaction (after the lines are durable). The queue is the invoking checkout's, the same
checkout whose build_id the status lines carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def fact_of(event: Any, correlation_id: str | None = None) -> Any:
    """The ``_events.Fact`` of a ``spec_kitty_orchestrator_api.StampedEvent``."""
    from ._events import Fact

    return Fact(
        event_type=event.event_type,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        payload=event.payload,
        event_id=event.event_id,
        build_id=event.build_id,
        node_id=event.node_id,
        timestamp=event.at,
        correlation_id=correlation_id,
    )


class QueueSink:
    """Forwards status events to the per-checkout event queue (gate-checked in ``prepare``)."""

    def __init__(self, checkout_root: Path) -> None:
        self.checkout_root = checkout_root
        # The first event of a call is its root; later events of the same call correlate to it.
        self.correlation_id: str | None = None
        self.emitted: list[dict[str, Any]] = []

    def prepare(self, events: Sequence[Any]) -> Any:
        from ._events import prepare

        facts = []
        for event in events:
            facts.append(fact_of(event, self.correlation_id))
            if self.correlation_id is None:
                self.correlation_id = event.event_id
        return prepare(self.checkout_root, facts)

    def publish(self, prepared: Any) -> None:
        from ._events import publish

        publish(prepared)
        self.emitted.extend(prepared.envelopes)
