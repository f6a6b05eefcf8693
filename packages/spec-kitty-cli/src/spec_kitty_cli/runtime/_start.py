"""Starting a run: a complete run folder renamed into place, then the index points at it.

The folder is assembled under `runs/.tmp-<run_id>` (frozen definition, state.json with the plan,
run.events.jsonl holding MissionRunStarted) and renamed, so a run folder is complete or absent.
The index `mission-runs.json` is read and replaced under its own lock by the caller. The
MissionRunStarted envelope is enqueued once the run exists (the same event_id as its line).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from ._engine import RUNNING, service_actor
from ._store import (
    EVENTS_FILE,
    FROZEN_FILE,
    INDEX_FILE,
    STATE_FILE,
    STATE_SCHEMA,
    RunLock,
    dump,
    line,
    read_index,
    run_dir_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def ensure_runtime(runtime: Path) -> Path:
    """`.kittify/runtime/`, created on demand and ignoring itself in git."""
    ignore = runtime / ".gitignore"
    if not ignore.is_file():
        from spec_kitty_identity import atomic_write_text

        atomic_write_text(ignore, "# spec-kitty mission runs of this checkout\n*\n")
    return runtime


def index_lock(runtime: Path) -> RunLock:
    """The lock of the run index (held while a run is looked up and started)."""
    from spec_kitty_identity import guard_state_path

    return RunLock(guard_state_path(ensure_runtime(runtime) / f".{INDEX_FILE}.lock"))


def find_run(
    runtime: Path, mission_slug: str, mission_id: str
) -> tuple[Path, dict[str, Any]] | None:
    """The run folder and index entry of this mission, when the run still exists."""
    entry = read_index(runtime).get(mission_slug)
    run_dir = run_dir_of(runtime, entry)
    if run_dir is None or not isinstance(entry, dict) or entry.get("mission_id") != mission_id:
        return None
    return run_dir, entry


def start_run(
    checkout: Path,
    runtime: Path,
    *,
    definition: Any,
    plan: list[dict[str, Any]],
    tier: str,
    mission_slug: str,
    mission_id: str,
) -> tuple[str, Path]:
    """Create the run of ``definition`` for the mission and index it; return (run_id, run_dir).

    The caller holds the index lock.
    """
    import hashlib
    import shutil
    import uuid

    from spec_kitty_identity import atomic_write_text, guard_state_path

    from .._events import build_event, enqueue

    ensure_runtime(runtime)
    run_id = uuid.uuid4().hex
    runs = runtime / "runs"
    runs.mkdir(exist_ok=True)
    staging, final = runs / f".tmp-{run_id}", runs / run_id
    started = now_text()
    envelope = build_event(
        checkout,
        event_type="MissionRunStarted",
        aggregate_type="Mission",
        aggregate_id=mission_id,
        payload={"run_id": run_id, "mission_type": definition.key, "actor": service_actor()},
    )
    first = line(envelope).encode("utf-8")
    state = {
        "schema": STATE_SCHEMA,
        "run_id": run_id,
        "mission_type": definition.key,
        "mission_slug": mission_slug,
        "mission_id": mission_id,
        "template_path": str(definition.path),
        "template_tier": tier,
        "template_version": definition.version,
        "template_hash": hashlib.sha256(definition.source).hexdigest(),
        "started_at": started,
        "completed_at": None,
        "policy_snapshot": {"strictness": "medium", "default_route": "same_llm_context"},
        "status": RUNNING,
        "steps": plan,
        "completed_steps": [],
        "issued": None,
        "issued_step_id": None,
        "history": [],
        "inputs": {"mission_slug": mission_slug},
        "decisions": {},
        "pending_decisions": {},
        "blocked_reason": None,
        "correlation_id": envelope["event_id"],
        "last_event_id": envelope["event_id"],
        "event_count": 1,
        "events": {"logged": len(first), "queued": 0},
    }
    try:
        guard_state_path(staging)
        guard_state_path(final)
        staging.mkdir()
        (staging / FROZEN_FILE).write_bytes(definition.source)
        (staging / STATE_FILE).write_text(dump(state), encoding="utf-8")
        (staging / EVENTS_FILE).write_bytes(first)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    index = read_index(runtime)
    index[mission_slug] = {
        "mission_id": mission_id,
        "mission_type": definition.key,
        "mission_slug": mission_slug,
        "run_dir": str(final.resolve()),
        "run_id": run_id,
        "started_at": started,
    }
    atomic_write_text(runtime / INDEX_FILE, dump(index))
    enqueue(checkout, [envelope])
    return run_id, final.resolve()


def iter_runs(runtime: Path) -> Iterator[tuple[str, Path]]:
    """(mission_slug, run_dir) of every indexed run that exists."""
    for slug, entry in read_index(runtime).items():
        run_dir = run_dir_of(runtime, entry)
        if run_dir is not None:
            yield slug, run_dir
