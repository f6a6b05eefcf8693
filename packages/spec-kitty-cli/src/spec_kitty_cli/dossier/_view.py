"""Read-only records of the dossier: for `dossier show`, `sync status` and the dashboard.

Nothing here writes or emits: the records describe the index as the last pipeline run left it
(``computed_at``); an artifact whose file stat no longer matches the index is flagged
``modified_since_index``. Index state of an artifact's index event: ``queued`` (in the event
queue, unsent), ``accepted`` (delivered or duplicate), ``rejected``, ``superseded``, ``logged``
(written to the dossier outbox, not yet in the queue). Body state: ``waiting_for_index``,
``ready`` (index accepted, body queued at the next sync), or the body queue state (``pending``,
``delivered``, ``dead_letter``, ``parked``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ._store import DOSSIER_DB, DossierStore

_INDEX_STATE = {
    "pending": "queued",
    "delivered": "accepted",
    "duplicate": "accepted",
    "rejected": "rejected",
    "superseded": "superseded",
}


def _parity(state: dict[str, Any]) -> str:
    if state.get("baseline_hash") is None:
        return "unknown"
    return "clean" if state["baseline_hash"] == state.get("snapshot_hash") else "drifted"


def _summary(state: dict[str, Any], indexed: int, missing: list[str]) -> dict[str, Any]:
    return {
        "mission_slug": state["mission_slug"],
        "namespace": json.loads(state["ns"]),
        "artifacts_indexed": indexed,
        "artifacts_missing": missing,
        "snapshot_hash": state.get("snapshot_hash"),
        "computed_at": state.get("computed_at"),
        "baseline_hash": state.get("baseline_hash"),
        "parity": _parity(state),
        "drift": (
            None
            if state.get("drift_actual_hash") is None
            else {"kind": state.get("drift_kind"), "actual_hash": state["drift_actual_hash"]}
        ),
        "skipped": json.loads(state.get("skipped_json") or "[]"),
    }


def _store(root: Path) -> DossierStore | None:
    from spec_kitty_identity import checkout_state_dir

    path = checkout_state_dir(Path(root).resolve()) / DOSSIER_DB
    return DossierStore.open_readonly(path) if path.is_file() else None


def dossier_summary(root: Path, mission_slug: str | None = None) -> list[dict[str, Any]]:
    """Per mission namespace: indexed/missing artifacts, snapshot hash, parity and drift.

    A plain record (JSON-ready), for `sync status` and the dashboard. [] before any index.
    """
    store = _store(root)
    if store is None:
        return []
    with store:
        out = []
        for state in store.namespaces(mission_slug):
            artifacts = json.loads(state.get("snapshot_json") or "{}")
            missing = sorted(store.missing(state["ns"]))
            out.append(_summary(state, len(artifacts), missing))
    return out


def _body_states(path: Path, slug: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """{(artifact_path, content_hash): (state, last_error)}, read without writing anything."""
    import contextlib

    from spec_kitty_bodysync import TABLE
    from spec_kitty_identity import connect_readonly

    with contextlib.closing(connect_readonly(path)) as conn:
        rows = conn.execute(
            f"SELECT artifact_path, content_hash, state, last_error FROM {TABLE} "  # noqa: S608
            "WHERE mission_slug = ? ORDER BY row_id",
            (slug,),
        ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _modified(folder: Path, row: dict[str, Any]) -> bool:
    try:
        st = os.lstat(folder / row["artifact_path"])
    except OSError:
        return True
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns) != (
        row["mtime_ns"], row["st_size"], row["ino"], row["ctime_ns"]
    )  # fmt: skip


def dossier_detail(root: Path, ref: Any) -> dict[str, Any]:
    """Every artifact of one mission's dossier: path, class, hash, size, index and body state."""
    from spec_kitty_identity import checkout_state_dir

    from .._events._batch import delivery_states

    slug = ref.identity.mission_slug
    store = _store(root)
    record: dict[str, Any] = {"mission_slug": slug, "mission_dir": str(ref.path), "indexed": False}
    if store is None:
        return {**record, "namespaces": [], "artifacts": [], "missing": []}
    bodies_db = checkout_state_dir(Path(root).resolve()) / "bodies.db"
    bodies: dict[tuple[str, str], tuple[str, str | None]] = {}
    if bodies_db.is_file():
        bodies = _body_states(bodies_db, slug)
    with store:
        states = store.namespaces(slug)
        logged = {e["event_id"] for e, _ in store.unqueued()}
        rows = [(s, store.artifacts(s["ns"]), store.missing(s["ns"])) for s in states]
    ids = [r["index_event_id"] for _, arts, _ in rows for r in arts.values()]
    ids += [m["event_id"] for _, _, miss in rows for m in miss.values()]
    delivery = delivery_states(root, ids)
    artifacts, missing, summaries = [], [], []
    for state, arts, miss in rows:
        summaries.append(_summary(state, len(arts), sorted(miss)))
        for path, row in arts.items():
            eid = row["index_event_id"]
            index_state = "logged" if eid in logged else _INDEX_STATE.get(delivery.get(eid, ""))
            body = bodies.get((path, row["content_hash"]))
            body_state = body[0] if body else (
                "ready" if index_state == "accepted" else "waiting_for_index"
            )  # fmt: skip
            artifacts.append(
                {
                    "artifact_path": path,
                    "artifact_class": row["artifact_class"],
                    "content_hash": row["content_hash"],
                    "size_bytes": row["size_bytes"],
                    "indexed_at": row["indexed_at"],
                    "index_event_id": eid,
                    "index_state": index_state or "unknown",
                    "body_state": body_state,
                    "body_error": body[1] if body and body[0] != "delivered" else None,
                    "modified_since_index": _modified(ref.path, row),
                }
            )
        for path, info in miss.items():
            missing.append(
                {
                    "artifact_path": path,
                    "reason": info["reason"],
                    "checked_at": info["checked_at"],
                    "event_id": info["event_id"],
                    "event_state": _INDEX_STATE.get(delivery.get(info["event_id"], ""), "logged"),
                }
            )
    return {
        **record,
        "indexed": bool(states),
        "namespaces": summaries,
        "artifacts": artifacts,
        "missing": missing,
    }
