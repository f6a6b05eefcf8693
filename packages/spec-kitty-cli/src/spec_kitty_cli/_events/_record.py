"""One fact, one event id: the local log line and the queued envelope share its identity.

Every emitter that keeps a local log (status lines, run-log lines, dossier lines) records an
event in three steps; the log is the source of truth, the queue is reconciled from it::

    facts = [new_fact(root, event_type=..., aggregate_type=..., aggregate_id=..., payload=...)]
    batch = prepare(root, facts)   # ONE clock reservation, every envelope gated (raises: nothing
                                   # is stored, so write no log line either)
    ...append one log line per fact, carrying fact.event_id, .build_id, .node_id, .timestamp...
    publish(batch)                 # ONE queue transaction, idempotent by event_id

A crash between the log write and ``publish`` is repaired by ``reconcile`` (see ``_reconcile``),
which rebuilds the envelope from the line: same event_id, build_id, node_id and timestamp.
``emit_events(root, specs)`` does all three for events that have no local log line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._envelope import build_envelope


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One event with the identity its log line and its envelope share."""

    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: Mapping[str, Any]
    event_id: str
    build_id: str
    node_id: str
    timestamp: str  # ISO 8601, UTC, microseconds: the log line's `at`
    causation_id: str | None = None
    correlation_id: str | None = None

    @classmethod
    def of_envelope(cls, env: Mapping[str, Any]) -> Fact:
        """The fact a stored 3.0.0 envelope stands for (KeyError when a field is missing)."""
        return cls(
            event_type=env["event_type"],
            aggregate_type=env["aggregate_type"],
            aggregate_id=env["aggregate_id"],
            payload=env["payload"],
            event_id=env["event_id"],
            build_id=env["build_id"],
            node_id=env["node_id"],
            timestamp=env["timestamp"],
            causation_id=env.get("causation_id"),
            correlation_id=env.get("correlation_id"),
        )


@dataclass(frozen=True, kw_only=True)
class Batch:
    """Gated envelopes waiting for ``publish`` (the output of ``prepare``)."""

    checkout_root: Path
    envelopes: list[dict[str, Any]] = field(default_factory=list)


def utc_stamp(at: datetime | None = None) -> str:
    """The one timestamp format of log lines and envelopes (UTC, microseconds, +00:00)."""
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")


def _text_stamp(value: datetime | str | None) -> str | None:
    from ._envelope import _timestamp

    return None if value is None else _timestamp(value)


def new_fact(
    checkout_root: Path,
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    payload: Mapping[str, Any],
    timestamp: str | None = None,
    causation_id: str | None = None,
    correlation_id: str | None = None,
) -> Fact:
    """Mint the identity of one event of ``checkout_root`` (a fresh ULID, its build and node)."""
    from spec_kitty_identity import new_ulid

    from ._emit import checkout_identity

    identity = checkout_identity(checkout_root)
    return Fact(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        payload=payload,
        event_id=new_ulid(),
        build_id=str(identity.build_id),
        node_id=str(identity.node_id),
        timestamp=timestamp or utc_stamp(),
        causation_id=causation_id,
        correlation_id=correlation_id,
    )


def envelopes_for(
    checkout_root: Path, facts: Sequence[Fact], lamport_clocks: Iterable[int]
) -> list[dict[str, Any]]:
    """Build (not gate) the envelopes of ``facts`` with the given Lamport values."""
    from ._emit import checkout_identity

    identity = checkout_identity(checkout_root)
    return [
        build_envelope(
            identity,
            event_type=fact.event_type,
            aggregate_type=fact.aggregate_type,
            aggregate_id=fact.aggregate_id,
            payload=fact.payload,
            lamport_clock=clock,
            event_id=fact.event_id,
            build_id=fact.build_id,
            node_id=fact.node_id,
            timestamp=fact.timestamp,
            causation_id=fact.causation_id,
            correlation_id=fact.correlation_id,
        )
        for fact, clock in zip(facts, lamport_clocks, strict=True)
    ]


def prepare(checkout_root: Path, facts: Sequence[Fact]) -> Batch:
    """Reserve one Lamport range, build and gate every envelope; store nothing.

    A contract violation raises ``spec_kitty_gate.ContractViolation`` before any log line or
    queue row exists.
    """
    from spec_kitty_gate import check

    root = Path(checkout_root).resolve()
    if not facts:
        return Batch(checkout_root=root)
    from ._emit import open_clock

    clocks = open_clock(root).reserve(len(facts))
    envelopes = envelopes_for(root, facts, clocks)
    for envelope in envelopes:
        check("event", envelope)
    return Batch(checkout_root=root, envelopes=envelopes)


def publish(batch: Batch) -> int:
    """Queue a prepared batch in one transaction; return how many events were new.

    An event already queued under the same event_id (reconcile got there first) is kept as is.
    """
    if not batch.envelopes:
        return 0
    import sqlite3

    from ._emit import open_queue
    from ._queue import queue_error

    queue = open_queue(batch.checkout_root)
    try:
        return queue.insert_facts(batch.envelopes)
    except sqlite3.Error as exc:
        raise queue_error(queue.path, "write", exc) from exc


def emit_events(checkout_root: Path, specs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Emit events that have no local log line: one clock reservation, one transaction.

    Each spec holds event_type, aggregate_type, aggregate_id, payload and optionally
    causation_id / correlation_id, and (only `spec-kitty upgrade`, importing a legacy event that
    keeps its identity) event_id / timestamp. Returns the stored envelopes, in order.
    """
    from spec_kitty_identity import new_ulid

    from ._emit import checkout_identity

    root = Path(checkout_root).resolve()
    identity = checkout_identity(root)
    build_id, node_id, stamp = str(identity.build_id), str(identity.node_id), utc_stamp()
    facts = [
        Fact(
            event_type=spec["event_type"],
            aggregate_type=spec["aggregate_type"],
            aggregate_id=spec["aggregate_id"],
            payload=spec["payload"],
            event_id=spec.get("event_id") or new_ulid(),
            build_id=build_id,
            node_id=node_id,
            timestamp=_text_stamp(spec.get("timestamp")) or stamp,
            causation_id=spec.get("causation_id"),
            correlation_id=spec.get("correlation_id"),
        )
        for spec in specs
    ]
    batch = prepare(root, facts)
    publish(batch)
    return batch.envelopes
