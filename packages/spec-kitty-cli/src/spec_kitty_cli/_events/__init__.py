"""Events of one checkout: the 3.0.0 envelope, the Lamport clock, the SQLite queue, delivery.

Emitting (no network)::

    emit_event(checkout_root, *, event_type, aggregate_type, aggregate_id, payload,
               causation_id=None, correlation_id=None) -> dict   # the stored envelope

Files (untracked, per checkout): `.kittify/state/events.db` (queue, schema ``SCHEMA_VERSION``),
`.kittify/state/clock.json` (+ `.lock`), `.kittify/state/sync.lock` (one drain at a time).

Delivery (``drain_checkout``, ``Drainer``, ``DrainReport``) and ``queue_status`` are imported on
first use: emitting never pays for httpx.
"""

from __future__ import annotations

from typing import Any

from ._clock import CLOCK_FILE, LamportClock
from ._emit import build_event, checkout_identity, emit_event, enqueue
from ._envelope import (
    AGGREGATE_TYPES,
    ENVELOPE_KEYS,
    build_envelope,
    mission_catalog_payload,
    wp_aggregate_id,
)
from ._queue import EVENTS_DB, EventQueue, queue_path
from ._records import Outcome, StoredEvent, canonical_json
from ._schema import SCHEMA_VERSION, STATES

__all__ = [
    "AGGREGATE_TYPES",
    "CLOCK_FILE",
    "ENVELOPE_KEYS",
    "EVENTS_DB",
    "SCHEMA_VERSION",
    "STATES",
    "DrainReport",
    "Drainer",
    "EventQueue",
    "LamportClock",
    "Outcome",
    "StoredEvent",
    "build_envelope",
    "build_event",
    "canonical_json",
    "checkout_identity",
    "drain_checkout",
    "emit_event",
    "enqueue",
    "mission_catalog_payload",
    "queue_path",
    "queue_status",
    "wp_aggregate_id",
]

_LAZY = {
    "DrainReport": "._drain_report",
    "Drainer": "._delivery",
    "drain_checkout": "._sync",
    "queue_status": "._sync",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
