"""Facts that replace older unsent facts: the one-fact path (``_record``) plus superseding.

The dossier records its events like every emitter with a local log (see ``_record``)::

    facts = [new_fact(root, ...) for spec in specs]   # event_id, build_id, node_id, timestamp
    batch = prepare(root, facts)                      # one clock reservation, every envelope gated
    ... log the envelopes (dossier.db outbox) ...
    publish_superseding(batch, {old_id: new_id})      # ONE queue transaction

``publish_superseding`` stores the batch exactly as ``publish`` does (idempotent by event_id:
the same fact queued by ``reconcile`` first is kept) and, in the same transaction, marks each
``old`` event ``superseded`` by ``new`` while it is still pending; an event already sent or
answered is never touched. ``delivery_states`` reads the state of events without creating the
queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._queue import EVENTS_DB, EventQueue
from ._record import Batch


def publish_superseding(batch: Batch, supersedes: Mapping[str, str]) -> tuple[int, list[str]]:
    """Queue a prepared batch and supersede still-pending old events; (new rows, superseded)."""
    if not batch.envelopes and not supersedes:
        return 0, []
    import sqlite3

    from ._emit import open_queue
    from ._queue import queue_error

    queue = open_queue(batch.checkout_root)
    try:
        return supersede_and_insert(queue, batch.envelopes, supersedes)
    except sqlite3.Error as exc:
        raise queue_error(queue.path, "write", exc) from exc


def supersede_and_insert(
    queue: EventQueue, envelopes: Sequence[Mapping[str, Any]], supersedes: Mapping[str, str]
) -> tuple[int, list[str]]:
    """Store gated envelopes of recorded facts and mark pending ``old`` events superseded."""
    import time

    now = time.time()
    done: list[str] = []
    with queue._transaction():
        inserted = queue._insert_rows(envelopes, same_fact=True)
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
