"""The steps of a body sync, shared by `sync bodies` and `sync now` (library-like: no output).

index_step(root, selector) -> (refs, report)   the dossier pipeline of the selected missions
body_step(root, refs, settings=..., ...)       queue and upload the bodies whose index
                                               events the SaaS accepted (under a file lock)
drain_events(root, url, token, ...)            the event drain (index events first)
queue_counts(root)                             the body queue's file and counts
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._sync import BODIES_DB

Progress = Callable[[int, int], None]
if TYPE_CHECKING:
    from spec_kitty_bodysync.delivery import Notify


def index_step(root: Path, selector: str | None) -> tuple[list[Any], dict[str, Any]]:
    """Run the dossier pipeline for the selected missions; (mission refs, report data)."""
    from ._pipeline import run_pipeline
    from ._sync import missions

    refs = missions(root, selector)
    runs = run_pipeline(root, refs)
    skipped = [{"mission_slug": r.mission_slug, **s} for r in runs for s in r.skipped]
    return refs, {
        "missions": [r.mission_slug for r in runs],
        "indexed": sum(len(r.indexed) for r in runs),
        "index_events": sum(r.events for r in runs),
        "superseded": sum(r.superseded for r in runs),
        "missing": [
            {"mission_slug": r.mission_slug, "artifact_path": p} for r in runs for p in r.missing
        ],
        "skipped": skipped,
        "dossier": [r.to_dict() for r in runs],
    }


@contextlib.contextmanager
def drain_lock(db_path: Path) -> Iterator[bool]:
    """True when this process may drain; False when another drain of this queue is running."""
    from filelock import FileLock, Timeout

    from spec_kitty_identity import guard_state_path

    lock = FileLock(str(guard_state_path(Path(f"{db_path}.lock"))))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def drain_events(
    root: Path, url: str, token: str, *, delivery: Any = None, notify: Notify | None = None
) -> Any:
    """Deliver the pending events of ``root`` (SYNC_IN_PROGRESS if another drain runs)."""
    from .._events import drain_checkout

    return drain_checkout(root, server_url=url, token=token, settings=delivery, notify=notify)


def body_step(
    root: Path,
    refs: list[Any],
    *,
    settings: tuple[str, str],
    progress: Progress | None,
    max_wait: float,
    delivery: Any = None,
    notify: Notify | None = None,
) -> dict[str, Any]:
    """Queue and upload the bodies whose index events the SaaS accepted (under the drain lock)."""
    from spec_kitty_identity import checkout_state_dir

    from ._sync import deliver_bodies

    url, token = settings
    db_path = checkout_state_dir(root) / BODIES_DB
    with drain_lock(db_path) as mine:
        if not mine:
            return {"server": url, "status": "drain already running", "failures": []}
        report = deliver_bodies(
            root,
            refs,
            server_url=url,
            token=token,
            progress=progress,
            max_wait=max_wait,
            delivery=delivery,
            notify=notify,
            drain_events=lambda: drain_events(root, url, token, delivery=delivery, notify=notify),
        )
    report["status"] = report.pop("stopped")
    return {"server": url, **report}


def queue_counts(root: Path) -> dict[str, Any]:
    """The body queue's file and its counts per state."""
    from spec_kitty_bodysync import BodyQueue
    from spec_kitty_identity import checkout_state_dir, guard_sqlite_path

    db_path = checkout_state_dir(root) / BODIES_DB
    with BodyQueue(guard_sqlite_path(db_path)) as queue:
        return {"queue_file": str(db_path), "queue": queue.counts()}
