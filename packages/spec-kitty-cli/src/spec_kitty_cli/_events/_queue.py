"""The offline event queue of one checkout: `.kittify/state/events.db` (see ``_schema``).

Every public write is one SQLite transaction. ``append`` passes each envelope through the contract
gate first (surface ``event``); a violation raises and nothing is stored. The connection runs in
WAL mode with a busy timeout, so parallel spec-kitty processes in one checkout can append while
another one drains.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CliError
from ._records import Outcome, StoredEvent, canonical_json
from ._schema import (
    ACKNOWLEDGED,
    EXPECTED_TABLES,
    MIGRATE_FROM_1,
    SCHEMA_VERSION,
    STATEMENTS,
    STATES,
)

EVENTS_DB = "events.db"


def queue_error(path: Path, action: str, exc: BaseException) -> CliError:
    """A structured queue failure naming the file: a damaged file is the operator's to fix
    (EVENT_QUEUE_CORRUPT, exit 2); anything else (permissions, a full disk) is infrastructure."""
    corrupt = isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.OperationalError
    )
    code = "EVENT_QUEUE_CORRUPT" if corrupt else "EVENT_QUEUE_UNAVAILABLE"
    hint = (
        "move it aside (`spec-kitty doctor` checks it)"
        if corrupt
        else "check permissions and space"
    )
    return CliError(
        code,
        f"cannot {action} the event queue {path}: {exc}; {hint}",
        details={"file": str(path), "action": action, "sqlite_error": str(exc)},
        operator_fixable=corrupt,
    )


class EventQueue:
    """The SQLite journal plus delivery state; use as a context manager."""

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        from spec_kitty_identity import guard_sqlite_path

        self.path = guard_sqlite_path(Path(path))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise queue_error(self.path, "open", exc) from exc
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                self._create_schema(version)
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            self.conn.close()
            raise queue_error(self.path, "open", exc) from exc
        except BaseException:
            self.conn.close()
            raise

    def _stored(self, text: str) -> Any:
        """A stored envelope, read as the file content it is: depth-checked before parsing
        (cheap for a real envelope, which holds far fewer brackets than the limit)."""
        from spec_kitty_identity import MAX_DEPTH, json_nesting_exceeds

        if json_nesting_exceeds(text, MAX_DEPTH):
            raise queue_error(self.path, "read", sqlite3.DatabaseError("envelope nested too deep"))
        try:
            return json.loads(text)
        except ValueError as exc:
            raise queue_error(self.path, "read", sqlite3.DatabaseError(str(exc))) from exc

    @classmethod
    def open_readonly(cls, path: Path) -> EventQueue:
        """An existing queue for reading only (no schema changes, works on a read-only folder)."""
        from spec_kitty_identity import connect_readonly

        queue = cls.__new__(cls)
        queue.path = Path(path)
        try:
            queue.conn = connect_readonly(queue.path)
            version = queue.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise queue_error(queue.path, "read", exc) from exc
        if version != SCHEMA_VERSION:
            queue.conn.close()
            raise CliError(
                "EVENT_QUEUE_SCHEMA_MISMATCH",
                f"{queue.path} has queue schema {version}, this spec-kitty reads "
                f"{SCHEMA_VERSION}; run a writing command (or `spec-kitty upgrade`) first",
                details={"file": str(queue.path), "schema_version": version},
            )
        return queue

    def __enter__(self) -> EventQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- schema -------------------------------------------------------------------------------

    def _create_schema(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise CliError(
                "EVENT_QUEUE_TOO_NEW",
                f"{self.path} has queue schema {version}; this spec-kitty knows up to "
                f"{SCHEMA_VERSION}. Upgrade spec-kitty.",
                details={"file": str(self.path), "schema_version": version},
            )
        if version == 1:
            with self._transaction():
                for statement in MIGRATE_FROM_1:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
            return
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        foreign = sorted({name for (name,) in rows} - EXPECTED_TABLES - {"sqlite_sequence"})
        if foreign:
            raise CliError(
                "EVENT_QUEUE_UNKNOWN_SCHEMA",
                f"{self.path} holds tables spec-kitty does not know ({', '.join(foreign)}); "
                "run `spec-kitty upgrade` to rewrite legacy queue state",
                details={"file": str(self.path), "tables": foreign, "hint": "spec-kitty upgrade"},
            )
        self.conn.execute("PRAGMA journal_mode = WAL")
        # The whole schema in one transaction: tables, CHECKs, triggers and the version.
        with self._transaction():
            for statement in STATEMENTS:
                self.conn.execute(statement)
            self.conn.executemany(
                "INSERT OR IGNORE INTO queue_meta (key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), ("created_at", f"{time.time():.6f}")],
            )
            self.conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM queue_meta WHERE key = 'schema_version'")
        return int(row.fetchone()[0])

    # -- writes -------------------------------------------------------------------------------

    def append(self, envelope: Mapping[str, Any]) -> bool:
        """Gate and store one envelope; False when this exact event is already queued."""
        return self.append_many([envelope]) == 1

    def append_many(self, envelopes: Iterable[Mapping[str, Any]]) -> int:
        """Gate every envelope, then store them all in one transaction; return how many were new.

        Re-appending an identical envelope is a no-op; a different envelope under an existing
        event_id is an error (EVENT_ID_CONFLICT) and nothing of the call is stored.
        """
        from spec_kitty_gate import check

        items = list(envelopes)
        for envelope in items:
            check("event", envelope)
        return self._insert(items)

    def insert_facts(self, envelopes: Sequence[Mapping[str, Any]]) -> int:
        """Store already-gated envelopes of recorded facts (one transaction).

        An event_id already queued is kept when it is the same fact (same type, aggregate,
        payload, build_id, node_id and timestamp: reconcile queued it from the log first);
        anything else under that id is EVENT_ID_CONFLICT and nothing of the call is stored.
        """
        return self._insert(envelopes, same_fact=True)

    def _insert(self, envelopes: Sequence[Mapping[str, Any]], *, same_fact: bool = False) -> int:
        """Store already-gated envelopes (one transaction). Callers must have gated them."""
        with self._transaction():
            return self._insert_rows(envelopes, same_fact=same_fact)

    def _insert_rows(
        self, envelopes: Sequence[Mapping[str, Any]], *, same_fact: bool = False
    ) -> int:
        """The inserts of ``_insert``, inside the caller's transaction."""
        now = time.time()
        inserted = 0
        for env in envelopes:
            text = canonical_json(env)
            cur = self.conn.execute(
                "INSERT INTO event_journal (event_id, event_type, aggregate_type, "
                "aggregate_id, lamport_clock, build_id, envelope, enqueued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                (
                    env["event_id"],
                    env["event_type"],
                    env["aggregate_type"],
                    env["aggregate_id"],
                    env["lamport_clock"],
                    env["build_id"],
                    text,
                    now,
                ),
            )
            if cur.rowcount == 0:
                self._check_same(env["event_id"], text, same_fact=same_fact)
                continue
            self.conn.execute(
                "INSERT INTO event_delivery (event_id, seq, state, updated_at) "
                "VALUES (?, ?, 'pending', ?)",
                (env["event_id"], cur.lastrowid, now),
            )
            inserted += 1
        return inserted

    def _check_same(self, event_id: str, text: str, *, same_fact: bool = False) -> None:
        row = self.conn.execute(
            "SELECT envelope FROM event_journal WHERE event_id = ?", (event_id,)
        ).fetchone()
        if row[0] != text and not (same_fact and _fact(row[0]) == _fact(text)):
            raise CliError(
                "EVENT_ID_CONFLICT",
                f"event {event_id} is already queued with a different envelope",
                details={"event_id": event_id, "file": str(self.path)},
            )

    def apply(self, outcomes: Sequence[Outcome], *, now: float | None = None) -> None:
        """Record the answer for a batch in ONE transaction (all or nothing)."""
        at = time.time() if now is None else now
        acked = [(o.status, at, at, o.event_id) for o in outcomes if o.status in ACKNOWLEDGED]
        rejected = [
            (o.error or "rejected", at, o.event_id) for o in outcomes if o.status == "rejected"
        ]
        retry = [
            (o.error, o.next_attempt_at, at, o.event_id) for o in outcomes if o.status == "retry"
        ]
        unknown = {o.status for o in outcomes} - {"delivered", "duplicate", "rejected", "retry"}
        if unknown:
            raise ValueError(f"unknown outcome status: {sorted(unknown)}")
        with self._transaction():
            self.conn.executemany(
                "UPDATE event_delivery SET state = ?, acknowledged_at = ?, updated_at = ?, "
                "last_error = NULL WHERE event_id = ? AND state = 'pending'",
                acked,
            )
            self.conn.executemany(
                "UPDATE event_delivery SET state = 'rejected', reject_reason = ?, "
                "updated_at = ? WHERE event_id = ? AND state = 'pending'",
                rejected,
            )
            self.conn.executemany(
                "UPDATE event_delivery SET retry_count = retry_count + 1, last_error = ?, "
                "next_attempt_at = ?, updated_at = ? WHERE event_id = ? AND state = 'pending'",
                retry,
            )

    def record_run(self, run: Mapping[str, Any]) -> None:
        """Store the summary of one `sync now` run."""
        keys = (
            "started_at",
            "finished_at",
            "server_url",
            "outcome",
            "sent",
            "delivered",
            "duplicate",
            "rejected",
            "error_code",
            "error",
        )
        with self._transaction():
            self.conn.execute(
                # Column names are the constants above, never input.
                f"INSERT INTO sync_runs ({', '.join(keys)}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(keys))})",
                tuple(run.get(k) for k in keys),
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    # -- reads --------------------------------------------------------------------------------

    def pending(
        self, *, after_seq: int = 0, limit: int = 500, due_before: float | None = None
    ) -> list[StoredEvent]:
        """Pending events after ``after_seq`` in journal order (optionally only due ones)."""
        sql = (
            "SELECT d.seq, d.event_id, j.envelope, d.retry_count FROM event_delivery d "
            "JOIN event_journal j ON j.seq = d.seq WHERE d.state = 'pending' AND d.seq > ?"
        )
        params: list[Any] = [after_seq]
        if due_before is not None:
            sql += " AND d.next_attempt_at <= ?"
            params.append(due_before)
        sql += " ORDER BY d.seq LIMIT ?"
        params.append(limit)
        return [
            StoredEvent(seq=seq, event_id=eid, envelope=self._stored(text), retry_count=retries)
            for seq, eid, text, retries in self.conn.execute(sql, params)
        ]

    def counts(self) -> dict[str, int]:
        """Number of events in each delivery state (every state present, zero when empty)."""
        out = dict.fromkeys(STATES, 0)
        for state, n in self.conn.execute(
            "SELECT state, count(*) FROM event_delivery GROUP BY state"
        ):
            out[state] = n
        return out

    def delivery(self, event_id: str) -> dict[str, Any] | None:
        """The delivery row of one event (state, retry_count, next_attempt_at, errors)."""
        cur = self.conn.execute("SELECT * FROM event_delivery WHERE event_id = ?", (event_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def iter_envelopes(self, *, state: str | None = None) -> Iterator[dict[str, Any]]:
        """Replay: every stored envelope in journal order, exactly as stored."""
        sql = "SELECT j.envelope FROM event_journal j"
        params: tuple[Any, ...] = ()
        if state is not None:
            sql += " JOIN event_delivery d ON d.seq = j.seq WHERE d.state = ?"
            params = (state,)
        for (text,) in self.conn.execute(sql + " ORDER BY j.seq", params):
            yield self._stored(text)

    def missing(self, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` that are not in the journal (at most 500 per call)."""
        return missing_from(self.conn, event_ids)

    def max_lamport(self) -> int:
        row = self.conn.execute("SELECT max(lamport_clock) FROM event_journal").fetchone()
        return int(row[0] or 0)

    def next_attempt_at(self) -> float | None:
        row = self.conn.execute(
            "SELECT min(next_attempt_at) FROM event_delivery "
            "WHERE state = 'pending' AND next_attempt_at > 0"
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def last_error(self) -> str | None:
        row = self.conn.execute(
            "SELECT last_error FROM event_delivery WHERE state = 'pending' AND last_error "
            "IS NOT NULL ORDER BY updated_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def last_run(self) -> dict[str, Any] | None:
        cur = self.conn.execute("SELECT * FROM sync_runs ORDER BY run_id DESC LIMIT 1")
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def rejections(self, *, limit: int = 20) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT event_id, reject_reason FROM event_delivery WHERE state = 'rejected' "
            "ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
        return [{"event_id": eid, "reason": reason} for eid, reason in cur]


_PER_SEND = ("lamport_clock", "correlation_id", "causation_id")


def _fact(text: str) -> dict[str, Any]:
    """An envelope without what each send of one fact may choose anew (clock, correlation)."""
    envelope = json.loads(text)
    for key in _PER_SEND:
        envelope.pop(key, None)
    return dict(envelope)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def queue_path(checkout_root: Path) -> Path:
    from spec_kitty_identity import checkout_state_dir

    return checkout_state_dir(checkout_root) / EVENTS_DB


def missing_from(conn: sqlite3.Connection, event_ids: Sequence[str]) -> set[str]:
    """Those of ``event_ids`` not in the journal of ``conn`` (any connection, read-only too;
    at most 500 per call)."""
    if len(event_ids) > 500:
        raise ValueError("missing() takes at most 500 event ids per call")
    marks = ", ".join("?" * len(event_ids))
    found = conn.execute(
        f"SELECT event_id FROM event_journal WHERE event_id IN ({marks})",  # noqa: S608
        tuple(event_ids),
    )
    return set(event_ids) - {row[0] for row in found}
