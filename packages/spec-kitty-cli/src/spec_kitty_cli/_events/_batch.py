"""Many events of one checkout at once: one clock reservation, one gated transaction.

``build_envelopes`` stamps a list of event specs (event_type, aggregate_type, aggregate_id,
payload) with consecutive Lamport values reserved in one clock write. ``queue_envelopes`` gates
them and stores them in ONE transaction of the event queue; in the same transaction it marks
each ``supersedes`` entry (old event_id -> new event_id) ``superseded`` when the old event is
still pending (an event already sent or answered is never touched). Re-queueing identical
envelopes is a no-op, so a caller that logged the envelopes first can replay them after a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ._clock import CLOCK_FILE, LamportClock
from ._emit import _queue, checkout_identity
from ._envelope import build_envelope
from ._queue import EVENTS_DB, EventQueue


class EventSpec(NamedTuple):
    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]


def build_envelopes(
    checkout_root: Path, specs: Sequence[EventSpec], *, correlation_id: str | None = None
) -> list[dict[str, Any]]:
    """Full 3.0.0 envelopes for ``specs`` (not gated, not stored), in order."""
    from spec_kitty_identity import checkout_state_dir

    if not specs:
        return []
    root = Path(checkout_root).resolve()
    identity = checkout_identity(root)
    state = checkout_state_dir(root)
    queue = _queue(state / EVENTS_DB)
    clocks = LamportClock(state / CLOCK_FILE, floor=queue.max_lamport).reserve(len(specs))
    return [
        build_envelope(
            identity,
            event_type=spec.event_type,
            aggregate_type=spec.aggregate_type,
            aggregate_id=spec.aggregate_id,
            payload=spec.payload,
            lamport_clock=clock,
            correlation_id=correlation_id,
        )
        for clock, spec in zip(clocks, specs, strict=True)
    ]


def queue_envelopes(
    checkout_root: Path,
    envelopes: Sequence[Mapping[str, Any]],
    *,
    supersedes: Mapping[str, str] | None = None,
) -> tuple[int, list[str]]:
    """Gate and store ``envelopes``; supersede still-pending old events. (new rows, superseded)."""
    from spec_kitty_gate import check
    from spec_kitty_identity import checkout_state_dir

    root = Path(checkout_root).resolve()
    queue = _queue(checkout_state_dir(root) / EVENTS_DB)
    for envelope in envelopes:
        check("event", envelope)
    return supersede_and_insert(queue, envelopes, supersedes or {})


def supersede_and_insert(
    queue: EventQueue, envelopes: Sequence[Mapping[str, Any]], supersedes: Mapping[str, str]
) -> tuple[int, list[str]]:
    """Store gated envelopes and mark pending ``old`` events superseded, in one transaction."""
    import time

    now = time.time()
    done: list[str] = []
    with queue._transaction():
        inserted = queue._insert_rows(envelopes)
        for old, new in supersedes.items():
            cur = queue.conn.execute(
                "UPDATE event_delivery SET state = 'superseded', superseded_by = ?, "
                "updated_at = ? WHERE event_id = ? AND state = 'pending'",
                (new, now, old),
            )
            if cur.rowcount:
                done.append(old)
    return inserted, done


def delivery_states(checkout_root: Path, event_ids: Sequence[str]) -> dict[str, str]:
    """{event_id: delivery state} for the ids the queue knows (never creates the queue)."""
    import json

    from spec_kitty_identity import checkout_state_dir

    path = checkout_state_dir(Path(checkout_root).resolve()) / EVENTS_DB
    if not event_ids or not path.is_file():
        return {}
    with EventQueue.open_readonly(path) as queue:
        rows = queue.conn.execute(
            "SELECT event_id, state FROM event_delivery "
            "WHERE event_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(event_ids)),),
        ).fetchall()
    return {str(eid): str(state) for eid, state in rows}
