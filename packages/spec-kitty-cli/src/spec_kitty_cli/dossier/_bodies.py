"""Bodies after their index events: what may go out, TOCTOU, 404 re-indexing, the baseline.

A body is queued only once the SaaS accepted (delivered or duplicate) an index event carrying
its (namespace, path, content hash); until then the artifact's body waits in the dossier index.
When it is queued the file is read again: if its hash is no longer the indexed one (the file
changed between indexing and upload) nothing is queued, the change is reported and the caller
re-indexes. A body row in the queue whose index event is not accepted is held by the drain
(still pending, no attempt counted). A 404 ``index_entry_not_found`` re-queues that artifact's
index event once (a new event for the same content); a second one is retried with backoff.
A pending row no index event ever covered (a body queued before the dossier existed, e.g. by
`spec-kitty upgrade`) gets an index event built from the row itself, so nothing queued is lost.

When every artifact of a namespace's snapshot is accepted and its body delivered, the snapshot
becomes the namespace's parity baseline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._store import DossierStore, ns_key

ACCEPTED = ("delivered", "duplicate")
Key = tuple[str, str, str]


@dataclass(kw_only=True)
class BodyRound:
    """What one body round found before draining."""

    accepted: set[Key] = field(default_factory=set)
    enqueued: int = 0
    waiting: int = 0
    toctou: list[dict[str, str]] = field(default_factory=list)
    requeued: list[dict[str, str]] = field(default_factory=list)


def accepted_keys(root: Path, store: DossierStore) -> set[Key]:
    from .._events._batch import delivery_states

    keys = store.index_keys()
    states = delivery_states(root, list(keys))
    return {key for event_id, key in keys.items() if states.get(event_id) in ACCEPTED}


def queue_accepted(root: Path, store: DossierStore, queue: Any, refs: list[Any]) -> BodyRound:
    """Queue the body of every accepted, not yet queued artifact whose file still matches."""
    from spec_kitty_bodysync import content_hash, read_artifact

    from ._pipeline import namespace_for

    out = BodyRound(accepted=accepted_keys(root, store))
    for ref in refs:
        namespace = namespace_for(root, ref)
        ns = ns_key(namespace.to_dict())
        queued = queue.states(namespace.mission_slug)
        items: list[tuple[str, str]] = []
        for path, row in store.artifacts(ns).items():
            if (path, row["content_hash"]) in queued:
                continue
            if (ns, path, row["content_hash"]) not in out.accepted:
                out.waiting += 1
                continue
            got = read_artifact(ref.path / path, path, max_bytes=queue.max_body_bytes)
            now_hash = None if not isinstance(got, tuple) else content_hash(got[1])
            if now_hash != row["content_hash"]:
                out.toctou.append(
                    {
                        "mission_slug": namespace.mission_slug,
                        "artifact_path": path,
                        "indexed_hash": row["content_hash"],
                        "current": now_hash or f"skipped: {getattr(got, 'reason', '?')}",
                    }
                )
                continue
            items.append((path, got[1]))
        if items:
            results = queue.enqueue_many(namespace, items)
            out.enqueued += sum(1 for r in results if r == "enqueued")
    _index_orphans(root, store, queue, out)
    return out


def _requeue_record(task: Any, requeue_of: str | None) -> tuple[Any, dict[str, Any]]:
    from ._pipeline import index_spec, now_iso

    ns = ns_key(task.namespace.to_dict())
    at = now_iso()
    agg = f"{_mission_id(task)}:dossier"
    spec = index_spec(
        task.namespace, agg, task.artifact_path, task.content_hash, task.size_bytes, at
    )
    record = {"ns": ns, "slug": task.mission_slug, "path": task.artifact_path}
    record.update(hash=task.content_hash, size=task.size_bytes, requeue_of=requeue_of)
    return spec, record


def _mission_id(task: Any) -> str:
    """The mission_id of a queued body's mission (the dossier aggregate is per mission)."""
    from spec_kitty_identity import resolve_mission

    from .._project import main_repo_root

    try:
        return str(resolve_mission(main_repo_root(), task.mission_slug).identity.mission_id)
    except Exception:  # a body of a deleted mission still gets an aggregate id
        return str(task.mission_slug)


def _index_orphans(root: Path, store: DossierStore, queue: Any, out: BodyRound) -> None:
    from ._record import commit_plan

    known = set(store.index_keys().values())
    specs, records = [], []
    for task in queue.tasks("pending"):
        key = (ns_key(task.namespace.to_dict()), task.artifact_path, task.content_hash)
        if key in known:
            continue
        known.add(key)
        spec, record = _requeue_record(task, None)
        specs.append(spec)
        records.append(("requeue", record))
        out.requeued.append({"mission_slug": task.mission_slug, "artifact_path": key[1]})
    if specs:
        commit_plan(root, store, specs, records)


def unindexed_handler(root: Path, store: DossierStore, out: BodyRound) -> Callable[[Any], bool]:
    """on_unindexed for the drain: re-queue the index event once per (ns, path, hash)."""
    from ._record import commit_plan

    def handle(task: Any) -> bool:
        ns = ns_key(task.namespace.to_dict())
        events = store.index_events(ns, task.artifact_path, task.content_hash)
        if any(e["requeue_of"] for e in events):
            return False
        last = events[-1]["event_id"] if events else None
        spec, record = _requeue_record(task, last or "unknown")
        commit_plan(root, store, [spec], [("requeue", record)])
        out.accepted.discard((ns, task.artifact_path, task.content_hash))
        out.requeued.append(
            {"mission_slug": task.mission_slug, "artifact_path": task.artifact_path}
        )
        return True

    return handle


def update_baselines(store: DossierStore, queue: Any, accepted: set[Key], refs: list[Any]) -> int:
    """Make each fully delivered snapshot its namespace's parity baseline; return how many."""
    import json

    slugs = {ref.identity.mission_slug for ref in refs}
    updated = 0
    for state in store.namespaces():
        if state["mission_slug"] not in slugs or state["snapshot_hash"] is None:
            continue
        if state["baseline_hash"] == state["snapshot_hash"]:
            continue
        bodies = queue.states(state["mission_slug"])
        artifacts: dict[str, str] = json.loads(state["snapshot_json"] or "{}")
        if all(
            (state["ns"], p, h) in accepted and bodies.get((p, h), ("",))[0] == "delivered"
            for p, h in artifacts.items()
        ):
            with store.transaction() as conn:
                conn.execute(
                    "UPDATE dossier_namespace SET baseline_hash = snapshot_hash, "
                    "baseline_json = snapshot_json, baseline_at = ?, drift_actual_hash = NULL, "
                    "drift_kind = NULL WHERE ns = ?",
                    (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), state["ns"]),
                )
            updated += 1
    return updated
