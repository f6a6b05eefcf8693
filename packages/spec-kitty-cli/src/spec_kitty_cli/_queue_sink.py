"""The CLI's EventSink for the status model: every status event goes to the event queue.

Adapts ``EventSink.emit(event_type, aggregate_type, aggregate_id, payload)`` to
``spec_kitty_cli._events.emit_event(checkout_root, ...)`` (imported lazily: only writes pay for
it). The queue is the invoking checkout's, the same checkout whose build_id the status lines carry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class QueueSink:
    """Forwards status events to the per-checkout event queue (gate-checked there)."""

    def __init__(self, checkout_root: Path) -> None:
        self.checkout_root = checkout_root
        # The first event of a call is its root; later events of the same call correlate to it.
        self.correlation_id: str | None = None
        self.emitted: list[dict[str, Any]] = []

    def emit(
        self, event_type: str, aggregate_type: str, aggregate_id: str, payload: dict[str, Any]
    ) -> None:
        from ._events import emit_event

        envelope = emit_event(
            self.checkout_root,
            event_type=event_type,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            payload=payload,
            correlation_id=self.correlation_id,
        )
        self.emitted.append(envelope)
        if self.correlation_id is None:
            self.correlation_id = str(envelope.get("event_id") or "") or None
