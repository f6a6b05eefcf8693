"""The dossier pipeline of one checkout: index each mission, emit what changed, nothing else.

Per mission (namespace = project_uuid, mission_slug, target_branch, mission_type,
manifest_version):

1. index the artifacts body upload selects (stat cache: unchanged files are not read);
2. ``MissionDossierArtifactIndexed`` for each new or changed artifact; an older index event of the
   same artifact that is still unsent is marked superseded in the same queue transaction;
3. ``MissionDossierArtifactMissing`` for each required artifact that became absent (or unusable);
4. ``MissionDossierSnapshotComputed`` when the parity hash or the anomaly count changed;
5. ``MissionDossierParityDriftDetected`` when the snapshot differs from the namespace's parity
   baseline (once per differing snapshot).

Nothing changed, nothing emitted. Envelopes get one clock reservation, are logged in dossier.db
first (one transaction with the index), then gated and queued in one event-queue transaction; a
crash in between is repaired by ``reconcile`` and the next run (``requeue_outbox``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._store import DossierStore, ns_key


@dataclass(kw_only=True)
class MissionRun:
    """What one pipeline run did for one mission."""

    mission_slug: str
    namespace: dict[str, str]
    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    hashed: int = 0
    missing: list[str] = field(default_factory=list)
    newly_missing: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    changed_during_read: list[str] = field(default_factory=list)
    snapshot_hash: str = ""
    snapshot_emitted: bool = False
    drift: dict[str, Any] | None = None
    events: int = 0
    superseded: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Plan:
    """Event specs in emission order, each with what to record once its event id is known."""

    specs: list[Any] = field(default_factory=list)
    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, spec: Any, record_kind: str, **record: Any) -> None:
        self.specs.append(spec)
        self.records.append((record_kind, record))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def namespace_for(root: Path, ref: Any) -> Any:
    from spec_kitty_bodysync import NamespaceRef, manifest_version_for

    from .._events import checkout_identity

    ident = ref.identity
    return NamespaceRef(
        project_uuid=checkout_identity(root).project_uuid,
        mission_slug=ident.mission_slug,
        target_branch=ident.target_branch,
        mission_type=ident.mission_type,
        manifest_version=manifest_version_for(ident.mission_type),
    )


def aggregate_id(ref: Any) -> str:
    return f"{ref.identity.mission_id}:dossier"


def index_spec(namespace: Any, agg: str, path: str, content_hash: str, size: int, at: str) -> Any:
    from spec_kitty_bodysync import ARTIFACT_INDEXED, DOSSIER_AGGREGATE_TYPE, indexed_payload

    from ._record import EventSpec

    payload = indexed_payload(
        namespace, artifact_path=path, content_hash=content_hash, size_bytes=size, indexed_at=at
    )
    return EventSpec(ARTIFACT_INDEXED, DOSSIER_AGGREGATE_TYPE, agg, payload)


def _plan_mission(store: DossierStore, root: Path, ref: Any, plan: _Plan) -> MissionRun:
    import spec_kitty_bodysync as bs

    from ._record import EventSpec
    from ._required import required_artifacts

    namespace = namespace_for(root, ref)
    ns = ns_key(namespace.to_dict())
    agg = aggregate_id(ref)
    run = MissionRun(mission_slug=namespace.mission_slug, namespace=namespace.to_dict())
    rows = store.artifacts(ns)
    cache = {
        path: bs.IndexedArtifact(
            artifact_path=path,
            artifact_class=row["artifact_class"],
            content_hash=row["content_hash"],
            size_bytes=row["size_bytes"],
            stat=(row["mtime_ns"], row["st_size"], row["ino"], row["ctime_ns"]),
            hashed_at_ns=row["hashed_at_ns"],
        )
        for path, row in rows.items()
    }
    result = bs.index_mission(ref.path, cache=cache)
    at = now_iso()
    run.hashed, run.changed_during_read = result.hashed, list(result.changed_during_read)
    run.skipped = [s._asdict() for s in result.skipped]
    for art in result.artifacts:
        old = rows.get(art.artifact_path)
        if old is not None and old["content_hash"] == art.content_hash:
            run.unchanged += 1
            if cache[art.artifact_path] is not art:  # re-hashed, same content: new stat only
                plan.records.append(("stat", {"ns": ns, "art": art}))
            continue
        spec = index_spec(namespace, agg, art.artifact_path, art.content_hash, art.size_bytes, at)
        old_id = None if old is None else old["index_event_id"]
        plan.add(spec, "index", ns=ns, slug=run.mission_slug, art=art, at=at, supersedes=old_id)
        run.indexed.append(art.artifact_path)
    present = result.by_path()
    gone = sorted(set(rows) - set(present))
    if gone:
        plan.records.append(("gone", {"ns": ns, "paths": gone}))
    skipped = {s.artifact_path: s for s in result.skipped}
    reported = store.missing(ns)
    for path in required_artifacts(namespace.mission_type):
        if path in present:
            if path in reported:
                plan.records.append(("found", {"ns": ns, "path": path}))
            continue
        run.missing.append(path)
        reason = skipped[path].reason if path in skipped else "absent"
        if path in reported and reported[path]["reason"] == reason:
            continue
        hint = (
            f"write {path} in the mission folder"
            if reason == "absent"
            else f"{path} cannot be indexed ({reason}: {skipped[path].detail}); fix the file"
        )
        payload = bs.missing_payload(namespace, artifact_path=path, checked_at=at, hint=hint)
        plan.add(
            EventSpec(bs.ARTIFACT_MISSING, bs.DOSSIER_AGGREGATE_TYPE, agg, payload),
            "missing",
            ns=ns,
            slug=run.mission_slug,
            path=path,
            reason=reason,
            at=at,
        )
        run.newly_missing.append(path)
    hashes = {a.artifact_path: a.content_hash for a in result.artifacts}
    run.snapshot_hash = bs.snapshot_hash(hashes.values())
    state = store.namespace(ns) or {}
    changed = state.get("snapshot_hash") != run.snapshot_hash or state.get("anomaly_count") != len(
        run.missing
    )
    snap: dict[str, Any] = {"ns": ns, "slug": run.mission_slug, "hash": run.snapshot_hash}
    snap["at"] = at
    snap.update(artifacts=hashes, anomalies=len(run.missing), skipped=run.skipped)
    if changed:
        payload = bs.snapshot_payload(
            namespace,
            parity_hash=run.snapshot_hash,
            artifact_count=len(hashes),
            anomaly_count=len(run.missing),
            computed_at=at,
        )
        plan.add(
            EventSpec(bs.SNAPSHOT_COMPUTED, bs.DOSSIER_AGGREGATE_TYPE, agg, payload),
            "snapshot",
            **snap,
        )
        run.snapshot_emitted = True
    else:
        plan.records.append(("snapshot_state", snap))
    _plan_drift(namespace, agg, state, run, hashes, plan, at)
    return run


def _plan_drift(
    namespace: Any,
    agg: str,
    state: dict[str, Any],
    run: MissionRun,
    hashes: dict[str, str],
    plan: _Plan,
    at: str,
) -> None:
    import spec_kitty_bodysync as bs

    from ._record import EventSpec

    baseline = state.get("baseline_hash")
    if baseline is None or baseline == run.snapshot_hash:
        if state.get("drift_actual_hash") is not None:
            plan.records.append(("parity", {"ns": ns_key(run.namespace)}))
        return
    if state.get("drift_actual_hash") == run.snapshot_hash:
        return
    kind, paths = bs.drift_kind(json.loads(state.get("baseline_json") or "{}"), hashes)
    payload = bs.drift_payload(
        namespace,
        expected_hash=baseline,
        actual_hash=run.snapshot_hash,
        kind=kind,
        changed_paths=paths,
        detected_at=at,
    )
    plan.add(
        EventSpec(bs.PARITY_DRIFT_DETECTED, bs.DOSSIER_AGGREGATE_TYPE, agg, payload),
        "drift",
        ns=ns_key(run.namespace),
        actual=run.snapshot_hash,
        kind=kind,
    )
    run.drift = {"kind": kind, "expected_hash": baseline, "actual_hash": run.snapshot_hash}
    run.drift["changed"] = paths


def run_pipeline(root: Path, refs: list[Any]) -> list[MissionRun]:
    """Index ``refs`` (mission folder refs) for the checkout ``root``; emit what changed."""
    from spec_kitty_identity import checkout_state_dir

    from ._record import commit_plan
    from ._store import DOSSIER_DB

    root = Path(root).resolve()
    with DossierStore(checkout_state_dir(root) / DOSSIER_DB) as store:
        requeue_outbox(root, store)
        plan = _Plan()
        runs = [_plan_mission(store, root, ref, plan) for ref in refs]
        counts = commit_plan(root, store, plan.specs, plan.records)
    by_slug = {r.mission_slug: r for r in runs}
    for slug, (events, superseded) in counts.items():
        by_slug[slug].events, by_slug[slug].superseded = events, superseded
    return runs


def requeue_outbox(root: Path, store: DossierStore) -> int:
    """Queue every logged envelope a crash kept out of the event queue; return how many."""
    from spec_kitty_gate import check

    from .._events._batch import publish_superseding
    from .._events._record import Batch

    pending = store.unqueued()
    if not pending:
        return 0
    envelopes = [env for env, _ in pending]
    for envelope in envelopes:
        check("event", envelope)  # as gated when logged; a changed gate refuses loudly
    supersedes = {old: env["event_id"] for env, old in pending if old}
    publish_superseding(Batch(checkout_root=root, envelopes=envelopes), supersedes)
    store.mark_queued([e["event_id"] for e in envelopes])
    return len(envelopes)
