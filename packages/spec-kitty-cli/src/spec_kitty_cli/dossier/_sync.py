"""One dossier sync of a checkout: pipeline, then (with a server) bodies in rounds.

``index_missions`` runs the pipeline (no network). ``deliver_bodies`` queues and drains the
bodies whose index events the SaaS accepted; when a round re-queued index events (404
``index_entry_not_found``, bodies queued before the dossier existed) or found files changed
since indexing (re-indexed here), the events are delivered again and one more round runs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ._bodies import BodyRound, queue_accepted, unindexed_handler, update_baselines
from ._pipeline import MissionRun, run_pipeline
from ._store import DOSSIER_DB, DossierStore, ns_key

BODIES_DB = "bodies.db"
MAX_ROUNDS = 3


def missions(root: Path, selector: str | None) -> list[Any]:
    """The missions of the clone (the main repository's kitty-specs), or the selected one."""
    from spec_kitty_identity import list_missions, main_root_of, resolve_mission

    main = main_root_of(root)
    if selector is not None:
        return [resolve_mission(main, selector)]
    return list_missions(main)


def index_missions(root: Path, selector: str | None = None) -> list[MissionRun]:
    """Run the pipeline for the selected missions (default: every mission)."""
    return run_pipeline(root, missions(root, selector))


def _drain_round(
    root: Path, store: DossierStore, queue: Any, refs: list[Any], *, transport: Any, **kw: Any
) -> tuple[BodyRound, Any]:
    from spec_kitty_bodysync import drain

    found = queue_accepted(root, store, queue, refs)

    def ready(task: Any) -> bool:
        key = (ns_key(task.namespace.to_dict()), task.artifact_path, task.content_hash)
        return key in found.accepted

    report = drain(
        queue, transport, ready=ready, on_unindexed=unindexed_handler(root, store, found), **kw
    )
    return found, report


def deliver_bodies(
    root: Path,
    refs: list[Any],
    *,
    server_url: str,
    token: str,
    progress: Any = None,
    max_wait: float = 30.0,
    delivery: Any = None,
    notify: Any = None,
    drain_events: Any = None,
) -> dict[str, Any]:
    """Queue and drain accepted bodies, in rounds; return the report data.

    Every round shares one deadline, ``max_wait`` seconds from now, requests in flight included
    (the one delivery client of spec-kitty-bodysync, ``delivery`` its settings).
    """
    from spec_kitty_bodysync import BodyQueue, HttpTransport
    from spec_kitty_bodysync.delivery import DeliverySettings
    from spec_kitty_identity import checkout_state_dir, guard_sqlite_path

    settings = delivery or DeliverySettings.from_env()
    ends = time.monotonic() + max_wait
    state = checkout_state_dir(Path(root).resolve())
    total: dict[str, Any] = {"rounds": 0, "enqueued": 0, "toctou": [], "requeued": []}
    total["reindexed"] = []
    reports: list[Any] = []
    found = BodyRound()
    with (
        DossierStore(state / DOSSIER_DB) as store,
        BodyQueue(guard_sqlite_path(state / BODIES_DB)) as queue,
        HttpTransport(server_url, token, settings=settings, deadline=ends) as transport,
    ):
        for _ in range(MAX_ROUNDS):
            total["rounds"] += 1
            found, report = _drain_round(
                root, store, queue, refs, transport=transport,
                deadline=time.time() + max(0.0, ends - time.monotonic()),
                backoff=settings.backoff(), on_progress=progress, notify=notify,
            )  # fmt: skip
            reports.append(report)
            total["enqueued"] += found.enqueued
            total["toctou"].extend(found.toctou)
            total["requeued"].extend(found.requeued)
            if not found.toctou and not found.requeued:
                break
            if found.toctou:
                changed = {t["mission_slug"] for t in found.toctou}
                again = run_pipeline(root, [r for r in refs if r.identity.mission_slug in changed])
                total["reindexed"].extend(
                    {"mission_slug": r.mission_slug, "indexed": r.indexed} for r in again
                )
            if drain_events is None:
                break
            drain_events()
        total["baselines"] = update_baselines(store, queue, found.accepted, refs)
        total["waiting_for_index"] = found.waiting
        total["queue"] = queue.counts()
        total["queue_file"] = str(queue.db_path)
    return {**_merge(reports), **total}


_SUMMED = (
    "attempted",
    "delivered",
    "stored",
    "already_present",
    "retried",
    "dead_letter",
    "parked",
)


def _merge(reports: list[Any]) -> dict[str, Any]:
    """One report for all rounds: counts summed, failures joined, the end state of the last."""
    merged: dict[str, Any] = reports[-1].to_dict()
    for key in _SUMMED:
        merged[key] = sum(getattr(r, key) for r in reports)
    merged["failures"] = [f for r in reports for f in r.to_dict()["failures"]]
    return merged
