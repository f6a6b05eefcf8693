"""The schema of the per-checkout event queue `.kittify/state/events.db` (version 2).

``event_journal`` is append-only (triggers refuse UPDATE and DELETE): one row per event, keyed by
``event_id``, holding the full envelope exactly as it passed the gate (canonical JSON). Replay
reads ``envelope`` and never re-stamps it, so ``build_id`` survives by construction; the copied
columns (event_type, aggregate_*, lamport_clock, build_id) exist only for queries.

``event_delivery`` holds the mutable delivery state of each journal row:
``pending`` -> ``delivered`` | ``duplicate`` (both acknowledged by the server) | ``rejected``
(kept with ``reject_reason``; never sent again automatically) | ``superseded`` (never sent: a
newer event of the same fact replaced it while both were unsent, ``superseded_by`` names it;
dossier index events of one artifact). Nothing is ever deleted.

Version 1 lacked ``superseded``; ``MIGRATE_FROM_1`` rebuilds ``event_delivery`` in one
transaction (rows, states and counters kept as they are).

``sync_runs`` records each `sync now` run (counts, outcome, last error). ``queue_meta`` records
``schema_version`` (also ``PRAGMA user_version``) and when the queue was created.
"""

from __future__ import annotations

SCHEMA_VERSION = 2
STATES = ("pending", "delivered", "duplicate", "rejected", "superseded")
ACKNOWLEDGED = ("delivered", "duplicate")

EVENT_DELIVERY_DDL = """
    CREATE TABLE IF NOT EXISTS event_delivery (
        event_id TEXT PRIMARY KEY REFERENCES event_journal (event_id),
        seq INTEGER NOT NULL UNIQUE REFERENCES event_journal (seq),
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'duplicate', 'rejected', 'superseded')),
        retry_count INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        reject_reason TEXT,
        updated_at REAL NOT NULL,
        acknowledged_at REAL,
        superseded_by TEXT
    );
"""
_INDEX = "CREATE INDEX IF NOT EXISTS idx_event_delivery_state ON event_delivery (state, seq);"
_NO_DELETE = """
    CREATE TRIGGER IF NOT EXISTS event_delivery_no_delete BEFORE DELETE ON event_delivery
    BEGIN SELECT RAISE(ABORT, 'delivery state is never deleted'); END;
"""

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
    EVENT_DELIVERY_DDL,
    _INDEX,
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
    _NO_DELETE,
)

# Version 1 -> 2: DROP TABLE fires no trigger; the copy keeps every row and column.
MIGRATE_FROM_1 = (
    "ALTER TABLE event_delivery RENAME TO event_delivery_v1",
    "DROP INDEX IF EXISTS idx_event_delivery_state",
    "DROP TRIGGER IF EXISTS event_delivery_no_delete",
    EVENT_DELIVERY_DDL,
    "INSERT INTO event_delivery (event_id, seq, state, retry_count, next_attempt_at, last_error, "
    "reject_reason, updated_at, acknowledged_at) SELECT event_id, seq, state, retry_count, "
    "next_attempt_at, last_error, reject_reason, updated_at, acknowledged_at "
    "FROM event_delivery_v1",
    "DROP TABLE event_delivery_v1",
    _INDEX,
    _NO_DELETE,
    "UPDATE queue_meta SET value = '2' WHERE key = 'schema_version'",
)

EXPECTED_TABLES = frozenset({"queue_meta", "event_journal", "event_delivery", "sync_runs"})
