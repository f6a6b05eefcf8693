"""``emit_event``: envelope -> gate -> queue, for one checkout. No network, ever.

``build_event`` + ``enqueue``: one envelope at a time for a caller that writes its own line
between the two (the runtime's run log).
``open_queue`` / ``open_clock`` give the checkout's queue (kept open per process) and its
Lamport clock; ``_record`` builds the batch API (prepare / publish / emit_events) on them.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ._clock import CLOCK_FILE, LamportClock
from ._envelope import build_envelope
from ._queue import EVENTS_DB, EventQueue, queue_error

# One process often emits many events for one checkout: reading config.yaml (YAML) every time
# would dominate. The cache is keyed by the files the identity comes from, so a changed file
# is re-read.
_IDENTITY_CACHE: dict[Path, tuple[tuple[int, ...], Any]] = {}
# Closing the last connection to a WAL database checkpoints and removes the WAL (~0.6 ms), so a
# process that emits many events keeps its queue open; a forked child opens its own.
_QUEUES: dict[Path, tuple[int, EventQueue]] = {}


def _queue(path: Path) -> EventQueue:
    hit = _QUEUES.get(path)
    if hit is not None and hit[0] == os.getpid() and path.is_file():
        return hit[1]
    if not _QUEUES:
        atexit.register(close_queues)
    queue = EventQueue(path)
    _QUEUES[path] = (os.getpid(), queue)
    return queue


def close_queues() -> None:
    """Close the queues this process keeps open for emitting (runs at exit)."""
    while _QUEUES:
        _, (pid, queue) = _QUEUES.popitem()
        if pid == os.getpid():
            queue.close()


def _stat_key(*paths: Path) -> tuple[int, ...]:
    key: list[int] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            key.extend((-1, -1))
        else:
            key.extend((st.st_mtime_ns, st.st_size))
    return tuple(key)


def checkout_identity(checkout_root: Path) -> Any:
    """The ProjectIdentity of ``checkout_root`` (cached while its source files are unchanged)."""
    from spec_kitty_identity import checkout_state_dir, config_path, load_project_identity

    root = Path(checkout_root).resolve()
    key = _stat_key(config_path(root), checkout_state_dir(root) / "build.json")
    hit = _IDENTITY_CACHE.get(root)
    if hit is not None and hit[0] == key:
        return hit[1]
    from ._identity_cache import load_cached, store

    identity = load_cached(root)  # no YAML parsing while the source files are unchanged
    if identity is None:
        identity = load_project_identity(root)
        store(root, identity)
    # Loading may mint build.json: key the cache on the files as they are now.
    key = _stat_key(config_path(root), checkout_state_dir(root) / "build.json")
    _IDENTITY_CACHE[root] = (key, identity)
    return identity


def preflight(checkout_root: Path) -> None:
    """Open (and keep) this checkout's queue: a refusal here comes before any other write."""
    from spec_kitty_identity import checkout_state_dir

    _queue(checkout_state_dir(Path(checkout_root).resolve()) / EVENTS_DB)


def build_event(
    checkout_root: Path,
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    payload: dict[str, Any],
    causation_id: str | None = None,
    correlation_id: str | None = None,
    event_id: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """Build and gate the 3.0.0 envelope for this checkout, without storing it.

    The Lamport clock is advanced under its file lock. A caller that writes a local line for
    the event first stores that line, then passes the same envelope to :func:`enqueue` (one
    fact, one event_id). A contract violation raises ``spec_kitty_gate.ContractViolation``.
    """
    from spec_kitty_gate import check
    from spec_kitty_identity import checkout_state_dir

    root = Path(checkout_root).resolve()
    identity = checkout_identity(root)
    state = checkout_state_dir(root)
    queue = _queue(state / EVENTS_DB)
    clock = LamportClock(state / CLOCK_FILE, floor=queue.max_lamport)
    envelope = build_envelope(
        identity,
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        payload=payload,
        lamport_clock=clock.tick(),
        causation_id=causation_id,
        correlation_id=correlation_id,
        event_id=event_id,
        timestamp=timestamp,
    )
    check("event", envelope)
    return envelope


def enqueue(checkout_root: Path, envelopes: list[dict[str, Any]]) -> int:
    """Gate and store envelopes in this checkout's queue (one transaction); return how many
    were new. Re-enqueueing an identical envelope is a no-op."""
    from spec_kitty_identity import checkout_state_dir

    queue = _queue(checkout_state_dir(Path(checkout_root).resolve()) / EVENTS_DB)
    try:
        return queue.append_many(envelopes)
    except sqlite3.Error as exc:
        raise queue_error(queue.path, "write", exc) from exc


def open_queue(checkout_root: Path) -> EventQueue:
    """The event queue of ``checkout_root`` (kept open for this process)."""
    from spec_kitty_identity import checkout_state_dir

    return _queue(checkout_state_dir(Path(checkout_root).resolve()) / EVENTS_DB)


def open_clock(checkout_root: Path) -> LamportClock:
    """The Lamport clock of ``checkout_root`` (floor: the highest value already queued)."""
    from spec_kitty_identity import checkout_state_dir

    state = checkout_state_dir(Path(checkout_root).resolve())
    return LamportClock(state / CLOCK_FILE, floor=open_queue(checkout_root).max_lamport)


def emit_event(
    checkout_root: Path,
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    payload: dict[str, Any],
    causation_id: str | None = None,
    correlation_id: str | None = None,
    event_id: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """Build the 3.0.0 envelope for this checkout, gate it, queue it; return the envelope.

    ``event_id``/``timestamp`` are given only by `spec-kitty upgrade` (an imported legacy event
    keeps its id and time); everything else gets a fresh ULID and now.

    A contract violation raises ``spec_kitty_gate.ContractViolation`` and nothing is stored.
    The Lamport clock is advanced under its file lock before the envelope is built. Only for
    events without a local log line; see ``_record`` for those with one.
    """
    from ._record import emit_events

    spec = {
        "event_type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": aggregate_id,
        "payload": payload,
        "causation_id": causation_id,
        "correlation_id": correlation_id,
        "event_id": event_id,
        "timestamp": timestamp,
    }
    return emit_events(checkout_root, [spec])[0]
