"""Checkout-level sync: one drain at a time per checkout, recorded in ``sync_runs``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from spec_kitty_bodysync.delivery import DeliverySettings, Notify

from ..errors import CliError
from ._clock import CLOCK_FILE, LamportClock
from ._delivery import Drainer, Progress
from ._drain_report import DrainReport
from ._queue import EVENTS_DB, EventQueue

SYNC_LOCK = "sync.lock"


def drain_checkout(
    checkout_root: Path,
    *,
    server_url: str,
    token: str,
    settings: DeliverySettings | None = None,
    progress: Progress | None = None,
    due_only: bool = False,
    notify: Notify | None = None,
) -> DrainReport:
    """Deliver the pending events of ``checkout_root``; SYNC_IN_PROGRESS if another drain runs."""
    from filelock import FileLock, Timeout

    from spec_kitty_identity import checkout_state_dir, guard_state_path

    state = checkout_state_dir(Path(checkout_root).resolve())
    lock = FileLock(str(guard_state_path(state / SYNC_LOCK)), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise CliError(
            "SYNC_IN_PROGRESS",
            "another `spec-kitty sync` is delivering this checkout's events; try again later",
            details={"lock": str(state / SYNC_LOCK)},
            operator_fixable=False,
        ) from exc
    try:
        with EventQueue(state / EVENTS_DB) as queue:
            clock = LamportClock(state / CLOCK_FILE, floor=queue.max_lamport)
            started = time.time()
            drainer = Drainer(
                queue,
                clock,
                server_url=server_url,
                token=token,
                settings=settings or DeliverySettings.from_env(),
                progress=progress,
                notify=notify,
            )
            report = drainer.run(due_only=due_only)
            queue.record_run(_run_row(report, server_url=server_url, started=started))
            return report
    finally:
        lock.release()


def _run_row(report: DrainReport, *, server_url: str, started: float) -> dict[str, Any]:
    return {
        "started_at": started,
        "finished_at": time.time(),
        "server_url": server_url,
        "outcome": report.outcome,
        "sent": report.sent,
        "delivered": report.delivered,
        "duplicate": report.duplicate,
        "rejected": report.rejected + report.rejected_locally,
        "error_code": report.error_code,
        "error": report.error,
    }


def queue_status(checkout_root: Path) -> dict[str, Any]:
    """Counts by state, schema version, next retry and the last error; never creates the db."""
    from datetime import UTC, datetime

    from spec_kitty_identity import checkout_state_dir

    path = checkout_state_dir(Path(checkout_root).resolve()) / EVENTS_DB
    out: dict[str, Any] = {"queue_file": str(path), "exists": path.is_file()}
    if not path.is_file():
        from ._schema import SCHEMA_VERSION, STATES

        counts = dict.fromkeys(STATES, 0)
        out.update(schema_version=SCHEMA_VERSION, counts={**counts, "total": 0})
        out.update(next_attempt_at=None, last_error=None, last_run=None, rejections=[])
        return out

    def iso(ts: float | None) -> str | None:
        return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()

    with EventQueue.open_readonly(path) as queue:
        counts = queue.counts()
        last_run = queue.last_run()
        if last_run is not None:
            last_run["started_at"] = iso(last_run["started_at"])
            last_run["finished_at"] = iso(last_run["finished_at"])
        last_error = None
        if last_run is not None and last_run.get("error_code"):
            last_error = {
                "code": last_run["error_code"],
                "message": last_run["error"],
                "at": last_run["finished_at"],
            }
        elif (pending_error := queue.last_error()) is not None:
            last_error = {"code": "SYNC_EVENT_RETRY", "message": pending_error, "at": None}
        out.update(
            schema_version=queue.schema_version(),
            counts={**counts, "total": sum(counts.values())},
            next_attempt_at=iso(queue.next_attempt_at()),
            last_error=last_error,
            last_run=last_run,
            rejections=queue.rejections(limit=10),
        )
    return out
