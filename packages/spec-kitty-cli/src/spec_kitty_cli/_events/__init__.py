"""Events of one checkout: the 3.0.0 envelope, the Lamport clock, the SQLite queue, delivery.

Emitting (no network). One fact, one event id: an event with a local log line (status, run
log, dossier) is stamped, prepared (one clock reservation, gated), written to its log, then
published (one queue transaction); ``reconcile`` queues any logged fact the queue lacks::

    fact = new_fact(checkout_root, event_type=..., aggregate_type=..., aggregate_id=...,
                    payload=...)            # event_id, build_id, node_id, timestamp
    batch = prepare(checkout_root, [fact, ...])   # raises on a contract violation
    ... append your log lines (fact.event_id/.build_id/.node_id/.timestamp) ...
    publish(batch)                                # idempotent by event_id
    reconcile(checkout_root) -> ReconcileReport   # start of `sync now`, `doctor`

Events without a local log line::

    emit_events(checkout_root, [spec, ...]) -> list[dict]   # one batch
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
from ._emit import build_event, checkout_identity, emit_event, enqueue, open_clock, open_queue
from ._envelope import (
    AGGREGATE_TYPES,
    ENVELOPE_KEYS,
    build_envelope,
    mission_catalog_payload,
    wp_aggregate_id,
)
from ._queue import EVENTS_DB, EventQueue, queue_path
from ._record import Batch, Fact, emit_events, new_fact, prepare, publish, utc_stamp
from ._records import Outcome, StoredEvent, canonical_json
from ._schema import SCHEMA_VERSION, STATES

__all__ = [
    "AGGREGATE_TYPES",
    "CLOCK_FILE",
    "ENVELOPE_KEYS",
    "EVENTS_DB",
    "SCHEMA_VERSION",
    "STATES",
    "Batch",
    "DrainReport",
    "Drainer",
    "EventQueue",
    "Fact",
    "LamportClock",
    "Outcome",
    "ReconcileReport",
    "StoredEvent",
    "build_envelope",
    "build_event",
    "canonical_json",
    "checkout_identity",
    "drain_checkout",
    "emit_event",
    "emit_events",
    "enqueue",
    "mission_catalog_payload",
    "new_fact",
    "open_clock",
    "open_queue",
    "prepare",
    "publish",
    "queue_path",
    "queue_status",
    "reconcile",
    "utc_stamp",
    "wp_aggregate_id",
]

_LAZY = {
    "DrainReport": "._drain_report",
    "Drainer": "._delivery",
    "drain_checkout": "._sync",
    "queue_status": "._sync",
    "reconcile": "._reconcile",
    "ReconcileReport": "._reconcile",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
