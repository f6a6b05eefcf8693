"""The dossier state of one checkout: `.kittify/state/dossier.db` (untracked, schema 1).

Tables (``ns`` is the namespace as canonical JSON of its five fields)::

    dossier_artifact     the index: one row per present artifact (ns, path) with its hash, size,
                         class, the stat it was hashed at (the stat cache) and the event id of
                         the index event that carries this hash
    dossier_index_event  every index event ever emitted: (event_id, ns, path, content_hash,
                         size, requeue_of). A body may go out once one of the events for its
                         (ns, path, hash) was accepted by the SaaS.
    dossier_missing      required artifacts reported missing (ns, path) and the event id
    dossier_namespace    per namespace: last snapshot (hash, {path: hash}, event id), the parity
                         baseline (the snapshot the SaaS last held in full), the drift reported
    dossier_outbox       every dossier envelope, written here BEFORE the event queue; rows
                         with queued = 0 are (re)queued by the next pipeline run (kill -9 safe)

Every pipeline run's writes are one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import CliError

DOSSIER_DB = "dossier.db"
SCHEMA_VERSION = 1
_DDL = (
    """CREATE TABLE IF NOT EXISTS dossier_artifact (
        ns TEXT NOT NULL, mission_slug TEXT NOT NULL, artifact_path TEXT NOT NULL,
        artifact_class TEXT NOT NULL, content_hash TEXT NOT NULL, size_bytes INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL, st_size INTEGER NOT NULL, ino INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL, hashed_at_ns INTEGER NOT NULL,
        index_event_id TEXT NOT NULL, indexed_at TEXT NOT NULL,
        PRIMARY KEY (ns, artifact_path))""",
    """CREATE TABLE IF NOT EXISTS dossier_index_event (
        event_id TEXT PRIMARY KEY, ns TEXT NOT NULL, mission_slug TEXT NOT NULL,
        artifact_path TEXT NOT NULL, content_hash TEXT NOT NULL, size_bytes INTEGER NOT NULL,
        created_at REAL NOT NULL, requeue_of TEXT)""",
    """CREATE INDEX IF NOT EXISTS idx_dossier_index_event_key
        ON dossier_index_event (ns, artifact_path, content_hash)""",
    """CREATE TABLE IF NOT EXISTS dossier_missing (
        ns TEXT NOT NULL, mission_slug TEXT NOT NULL, artifact_path TEXT NOT NULL,
        event_id TEXT NOT NULL, reason TEXT NOT NULL, checked_at TEXT NOT NULL,
        PRIMARY KEY (ns, artifact_path))""",
    """CREATE TABLE IF NOT EXISTS dossier_namespace (
        ns TEXT PRIMARY KEY, mission_slug TEXT NOT NULL,
        snapshot_hash TEXT, snapshot_json TEXT, snapshot_event_id TEXT, anomaly_count INTEGER,
        computed_at TEXT, baseline_hash TEXT, baseline_json TEXT, baseline_at TEXT,
        drift_actual_hash TEXT, drift_event_id TEXT, drift_kind TEXT, skipped_json TEXT)""",
    """CREATE TABLE IF NOT EXISTS dossier_outbox (
        event_id TEXT PRIMARY KEY, envelope TEXT NOT NULL, supersedes TEXT,
        queued INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL)""",
)
ARTIFACT_COLUMNS = (
    "artifact_path", "artifact_class", "content_hash", "size_bytes", "mtime_ns", "st_size",
    "ino", "ctime_ns", "hashed_at_ns", "index_event_id", "indexed_at",
)  # fmt: skip


def ns_key(namespace: Mapping[str, str]) -> str:
    return json.dumps(dict(namespace), sort_keys=True, separators=(",", ":"))


class DossierStore:
    """dossier.db of one checkout; every write method is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 30000")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.conn.close()
                raise CliError(
                    "DOSSIER_STORE_TOO_NEW",
                    f"{self.path} has dossier schema {version}; this spec-kitty knows "
                    f"{SCHEMA_VERSION}. Upgrade spec-kitty.",
                    details={"file": str(self.path), "schema_version": version},
                )
            if version < SCHEMA_VERSION:
                self.conn.execute("PRAGMA journal_mode = WAL")
                with self.transaction():
                    for statement in _DDL:
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise CliError(
                "DOSSIER_STORE_ERROR",
                f"cannot open the dossier index {self.path}: {exc}",
                details={"file": str(self.path), "sqlite_error": str(exc)},
                operator_fixable=False,
            ) from exc

    @classmethod
    def open_readonly(cls, path: Path) -> DossierStore:
        """An existing dossier.db for reading only (never written, works on a read-only folder)."""
        from spec_kitty_identity import connect_readonly

        store = cls.__new__(cls)
        store.path = Path(path)
        try:
            store.conn = connect_readonly(store.path)
            version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise CliError(
                "DOSSIER_STORE_ERROR",
                f"cannot read the dossier index {store.path}: {exc}",
                details={"file": str(store.path), "sqlite_error": str(exc)},
                operator_fixable=False,
            ) from exc
        if version != SCHEMA_VERSION:
            store.conn.close()
            raise CliError(
                "DOSSIER_STORE_SCHEMA_MISMATCH",
                f"{store.path} has dossier schema {version}, this spec-kitty reads "
                f"{SCHEMA_VERSION}; run `spec-kitty sync now` (or upgrade spec-kitty) first",
                details={"file": str(store.path), "schema_version": version},
            )
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> DossierStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- reads ------------------------------------------------------------------------------

    def artifacts(self, ns: str) -> dict[str, dict[str, Any]]:
        cur = self.conn.execute(
            f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM dossier_artifact WHERE ns = ? "  # noqa: S608
            "ORDER BY artifact_path",
            (ns,),
        )
        return {row[0]: dict(zip(ARTIFACT_COLUMNS, row, strict=True)) for row in cur}

    def missing(self, ns: str) -> dict[str, dict[str, str]]:
        cur = self.conn.execute(
            "SELECT artifact_path, event_id, reason, checked_at FROM dossier_missing "
            "WHERE ns = ? ORDER BY artifact_path",
            (ns,),
        )
        return {p: {"event_id": e, "reason": r, "checked_at": c} for p, e, r, c in cur}

    def namespace(self, ns: str) -> dict[str, Any] | None:
        cur = self.conn.execute("SELECT * FROM dossier_namespace WHERE ns = ?", (ns,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def namespaces(self, mission_slug: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM dossier_namespace"
        params: tuple[Any, ...] = ()
        if mission_slug is not None:
            sql, params = sql + " WHERE mission_slug = ?", (mission_slug,)
        cur = self.conn.execute(sql + " ORDER BY mission_slug, ns", params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def index_events(self, ns: str, artifact_path: str, content_hash: str) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT event_id, requeue_of, created_at FROM dossier_index_event "
            "WHERE ns = ? AND artifact_path = ? AND content_hash = ? ORDER BY created_at",
            (ns, artifact_path, content_hash),
        )
        return [{"event_id": e, "requeue_of": r, "created_at": c} for e, r, c in cur]

    def index_keys(self, mission_slug: str | None = None) -> dict[str, tuple[str, str, str]]:
        """{event_id: (ns, artifact_path, content_hash)} of every index event (or one mission's)."""
        sql = "SELECT event_id, ns, artifact_path, content_hash FROM dossier_index_event"
        params: tuple[Any, ...] = ()
        if mission_slug is not None:
            sql, params = sql + " WHERE mission_slug = ?", (mission_slug,)
        return {e: (n, p, h) for e, n, p, h in self.conn.execute(sql, params)}

    def unqueued(self) -> list[tuple[dict[str, Any], str | None]]:
        cur = self.conn.execute(
            "SELECT envelope, supersedes FROM dossier_outbox WHERE queued = 0 ORDER BY rowid"
        )
        return [(json.loads(text), old) for text, old in cur]

    # -- writes (callers wrap them in one transaction) --------------------------------------

    def log_envelopes(
        self, envelopes: Sequence[Mapping[str, Any]], supersedes: Mapping[str, str]
    ) -> None:
        """Record envelopes in the outbox (queued = 0); ``supersedes``: new id -> old id."""
        now = time.time()
        from .._events import canonical_json

        self.conn.executemany(
            "INSERT INTO dossier_outbox (event_id, envelope, supersedes, created_at) "
            "VALUES (?, ?, ?, ?)",
            [
                (e["event_id"], canonical_json(e), supersedes.get(e["event_id"]), now)
                for e in envelopes
            ],
        )

    def mark_queued(self, event_ids: Sequence[str]) -> None:
        with self.transaction():
            self.conn.executemany(
                "UPDATE dossier_outbox SET queued = 1 WHERE event_id = ?",
                [(e,) for e in event_ids],
            )
