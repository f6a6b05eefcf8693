"""The schema of the per-checkout event queue `.kittify/state/events.db` (version 1).

``event_journal`` is append-only (triggers refuse UPDATE and DELETE): one row per event, keyed by
``event_id``, holding the full envelope exactly as it passed the gate (canonical JSON). Replay
reads ``envelope`` and never re-stamps it, so ``build_id`` survives by construction; the copied
columns (event_type, aggregate_*, lamport_clock, build_id) exist only for queries.

``event_delivery`` holds the mutable delivery state of each journal row:
``pending`` -> ``delivered`` | ``duplicate`` (both acknowledged by the server) | ``rejected``
(kept with ``reject_reason``; never sent again automatically). Nothing is ever deleted.

``sync_runs`` records each `sync now` run (counts, outcome, last error). ``queue_meta`` records
``schema_version`` (also ``PRAGMA user_version``) and when the queue was created.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
STATES = ("pending", "delivered", "duplicate", "rejected")
ACKNOWLEDGED = ("delivered", "duplicate")

STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS queue_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE IF NOT EXISTS event_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        lamport_clock INTEGER NOT NULL,
        build_id TEXT NOT NULL CHECK (length(build_id) > 0),
        envelope TEXT NOT NULL,
        enqueued_at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE IF NOT EXISTS event_delivery (
        event_id TEXT PRIMARY KEY REFERENCES event_journal (event_id),
        seq INTEGER NOT NULL UNIQUE REFERENCES event_journal (seq),
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'duplicate', 'rejected')),
        retry_count INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        reject_reason TEXT,
        updated_at REAL NOT NULL,
        acknowledged_at REAL
    );
    """,
    """
    CREATE INDEX IF NOT EXISTS idx_event_delivery_state ON event_delivery (state, seq);
    """,
    """
    CREATE TABLE IF NOT EXISTS sync_runs (
        run_id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at REAL NOT NULL,
        finished_at REAL NOT NULL,
        server_url TEXT NOT NULL,
        outcome TEXT NOT NULL,
        sent INTEGER NOT NULL,
        delivered INTEGER NOT NULL,
        duplicate INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        error_code TEXT,
        error TEXT
    );
    """,
    """
    CREATE TRIGGER IF NOT EXISTS event_journal_no_update BEFORE UPDATE ON event_journal
    BEGIN SELECT RAISE(ABORT, 'event_journal is append-only'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS event_journal_no_delete BEFORE DELETE ON event_journal
    BEGIN SELECT RAISE(ABORT, 'event_journal is append-only'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS event_delivery_no_delete BEFORE DELETE ON event_delivery
    BEGIN SELECT RAISE(ABORT, 'delivery state is never deleted'); END;
    """,
)

EXPECTED_TABLES = frozenset({"queue_meta", "event_journal", "event_delivery", "sync_runs"})
