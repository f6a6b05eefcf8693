"""Committing one pipeline plan: the one-fact path of every emitter with a local log.

Order: mint the facts (``new_fact``: event_id, build_id, node_id, timestamp) and ``prepare``
them (one clock reservation, every envelope gated: a contract violation stores nothing); write
the index changes AND the envelopes (the dossier's log, ``dossier_outbox``, queued = 0) in one
dossier.db transaction; publish them in one event-queue transaction that also supersedes
still-pending older index events of the same artifacts; mark the outbox rows queued. A crash
between the log and the queue is repaired by ``reconcile`` (the outbox is one of its sources;
see ``_facts``) and by the next run's ``requeue_outbox`` (which also supersedes), so nothing is
lost and no fact gets a second event id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ._store import DossierStore


class EventSpec(NamedTuple):
    """One dossier event to record (its identity is minted by ``new_fact``)."""

    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]


EVENT_KINDS = frozenset({"index", "missing", "snapshot", "drift"})


def _stat_params(art: Any) -> tuple[Any, ...]:
    return (*art.stat, art.hashed_at_ns)


def _apply(conn: Any, kind: str, rec: dict[str, Any], event_id: str | None) -> None:
    if kind == "index":
        art = rec["art"]
        conn.execute(
            "INSERT OR REPLACE INTO dossier_artifact (ns, mission_slug, artifact_path, "
            "artifact_class, content_hash, size_bytes, mtime_ns, st_size, ino, ctime_ns, "
            "hashed_at_ns, index_event_id, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (rec["ns"], rec["slug"], art.artifact_path, art.artifact_class, art.content_hash,
             art.size_bytes, *_stat_params(art), event_id, rec["at"]),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO dossier_index_event (event_id, ns, mission_slug, artifact_path, "
            "content_hash, size_bytes, created_at) VALUES (?,?,?,?,?,?,?)",
            (event_id, rec["ns"], rec["slug"], art.artifact_path, art.content_hash,
             art.size_bytes, time.time()),
        )  # fmt: skip
    elif kind == "stat":
        art = rec["art"]
        conn.execute(
            "UPDATE dossier_artifact SET mtime_ns = ?, st_size = ?, ino = ?, ctime_ns = ?, "
            "hashed_at_ns = ? WHERE ns = ? AND artifact_path = ?",
            (*_stat_params(art), rec["ns"], art.artifact_path),
        )
    elif kind == "gone":
        conn.executemany(
            "DELETE FROM dossier_artifact WHERE ns = ? AND artifact_path = ?",
            [(rec["ns"], p) for p in rec["paths"]],
        )
    elif kind == "missing":
        conn.execute(
            "INSERT OR REPLACE INTO dossier_missing (ns, mission_slug, artifact_path, event_id, "
            "reason, checked_at) VALUES (?,?,?,?,?,?)",
            (rec["ns"], rec["slug"], rec["path"], event_id, rec["reason"], rec["at"]),
        )
    elif kind == "found":
        conn.execute(
            "DELETE FROM dossier_missing WHERE ns = ? AND artifact_path = ?",
            (rec["ns"], rec["path"]),
        )
    elif kind in ("snapshot", "snapshot_state"):
        conn.execute(
            "INSERT INTO dossier_namespace (ns, mission_slug) VALUES (?, ?) "
            "ON CONFLICT (ns) DO NOTHING",
            (rec["ns"], rec["slug"]),
        )
        conn.execute(
            "UPDATE dossier_namespace SET snapshot_hash = ?, snapshot_json = ?, "
            "anomaly_count = ?, computed_at = ?, skipped_json = ?, "
            "snapshot_event_id = coalesce(?, snapshot_event_id) WHERE ns = ?",
            (rec["hash"], json.dumps(rec["artifacts"], sort_keys=True), rec["anomalies"],
             rec["at"], json.dumps(rec["skipped"]), event_id, rec["ns"]),
        )  # fmt: skip
    elif kind == "drift":
        conn.execute(
            "UPDATE dossier_namespace SET drift_actual_hash = ?, drift_event_id = ?, "
            "drift_kind = ? WHERE ns = ?",
            (rec["actual"], event_id, rec["kind"], rec["ns"]),
        )
    elif kind == "parity":
        conn.execute(
            "UPDATE dossier_namespace SET drift_actual_hash = NULL, drift_kind = NULL WHERE ns = ?",
            (rec["ns"],),
        )
    elif kind == "requeue":
        conn.execute(
            "INSERT INTO dossier_index_event (event_id, ns, mission_slug, artifact_path, "
            "content_hash, size_bytes, created_at, requeue_of) VALUES (?,?,?,?,?,?,?,?)",
            (event_id, rec["ns"], rec["slug"], rec["path"], rec["hash"], rec["size"],
             time.time(), rec.get("requeue_of")),
        )  # fmt: skip
    else:  # pragma: no cover - a programming error
        raise ValueError(f"unknown plan record {kind!r}")


def commit_plan(
    root: Path,
    store: DossierStore,
    specs: Sequence[Any],
    records: Sequence[tuple[str, dict[str, Any]]],
) -> dict[str, tuple[int, int]]:
    """Emit ``specs`` and apply ``records``; {mission_slug: (events queued, superseded)}."""
    from .._events import new_fact, prepare
    from .._events._batch import publish_superseding

    facts = [
        new_fact(
            root,
            event_type=spec.event_type,
            aggregate_type=spec.aggregate_type,
            aggregate_id=spec.aggregate_id,
            payload=spec.payload,
        )
        for spec in specs
    ]
    batch = prepare(root, facts)
    envelopes = batch.envelopes
    ids = iter(e["event_id"] for e in envelopes)
    supersedes: dict[str, str] = {}
    slugs: dict[str, str] = {}
    with store.transaction() as conn:
        for kind, rec in records:
            event_id = next(ids) if kind in EVENT_KINDS or kind == "requeue" else None
            _apply(conn, kind, rec, event_id)
            if event_id is not None:
                slugs[event_id] = rec.get("slug") or json.loads(rec["ns"])["mission_slug"]
                if rec.get("supersedes"):
                    supersedes[event_id] = rec["supersedes"]
        store.log_envelopes(envelopes, supersedes)
    counts: dict[str, tuple[int, int]] = {}
    if not envelopes:
        return counts
    _, superseded = publish_superseding(batch, {old: new for new, old in supersedes.items()})
    store.mark_queued([e["event_id"] for e in envelopes])
    old_to_slug = {old: slugs[new] for new, old in supersedes.items()}
    for slug in slugs.values():
        events, sup = counts.get(slug, (0, 0))
        counts[slug] = (events + 1, sup)
    for old in superseded:
        events, sup = counts[old_to_slug[old]]
        counts[old_to_slug[old]] = (events, sup + 1)
    return counts
