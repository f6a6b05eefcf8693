"""Writing a run's events: one fact, one event_id, in the run log and in the event queue.

Under the run lock, the events are built once by the one envelope builder (``new_fact`` +
``prepare``: one clock reservation, each envelope gated), appended
to `run.events.jsonl`, counted in state.json (the commit point), then published to the invoking
checkout's queue with the same envelopes. ``state["events"]`` records the byte size of the log the
state knows (``logged``) and how much of it is known to be queued (``queued``): lines a crashed
call left beyond ``logged`` are cut off, and lines between ``queued`` and ``logged`` are
enqueued again (a no-op for those already queued). After a successful enqueue the small marker
`run.queued` records the queued size, so a call that writes nothing touches no queue at all.
"""

from __future__ import annotations

import os

from ._store import EVENTS_FILE, append_lines, save_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

AGGREGATE_TYPE = "Mission"


def _lines(run_dir: Path, start: int, end: int) -> list[dict[str, Any]]:
    import json

    with open(run_dir / EVENTS_FILE, "rb") as handle:
        handle.seek(start)
        raw = handle.read(end - start)
    return [json.loads(text) for text in raw.splitlines() if text.strip()]


def repair(run_dir: Path, state: dict[str, Any]) -> None:
    """Cut lines a crashed call appended after the last committed state."""
    logged = state["events"]["logged"]
    path = run_dir / EVENTS_FILE
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0
    if size > logged:
        os.truncate(path, logged)


QUEUED_FILE = "run.queued"


def _queued(run_dir: Path, counts: dict[str, int]) -> int:
    """How much of the log is known to be queued: the state's figure or the marker written
    after the last successful enqueue (a lost marker only costs a no-op re-enqueue)."""
    try:
        with open(run_dir / QUEUED_FILE, "rb") as handle:
            marker = int(handle.read(32) or b"0")
    except (OSError, ValueError):
        marker = 0
    return max(counts["queued"], marker if marker <= counts["logged"] else 0)


def _mark_queued(run_dir: Path, offset: int) -> None:
    try:
        fd = os.open(run_dir / QUEUED_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        os.write(fd, str(offset).encode("ascii"))
    finally:
        os.close(fd)


def commit(
    checkout: Path,
    run_dir: Path,
    state: dict[str, Any],
    events: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Log ``events`` (type, payload, actor), save ``state``, enqueue; return the envelopes."""
    counts = state["events"]
    queued = _queued(run_dir, counts)
    if not events and queued >= counts["logged"]:
        return []  # nothing to write, nothing behind: no envelope machinery is loaded
    from .._events import enqueue, new_fact, prepare, publish

    behind = _lines(run_dir, queued, counts["logged"]) if queued < counts["logged"] else []
    if behind:
        enqueue(checkout, behind)
    counts["queued"] = counts["logged"]
    facts = []
    previous = state.get("last_event_id")
    for event_type, payload, actor in events:
        fact = new_fact(
            checkout,
            event_type=event_type,
            aggregate_type=AGGREGATE_TYPE,
            aggregate_id=state["mission_id"],
            payload={**payload, "actor": actor},
            causation_id=previous,
            correlation_id=state.get("correlation_id"),
        )
        previous = fact.event_id
        facts.append(fact)
    batch = prepare(checkout, facts)  # one clock reservation, every envelope gated
    envelopes = batch.envelopes
    if envelopes:
        counts["logged"] = append_lines(run_dir, envelopes)
        state["last_event_id"] = previous
        state["event_count"] = state.get("event_count", 0) + len(envelopes)
    save_state(run_dir, state)
    publish(batch)  # same envelopes, same event_ids, after the log and the state
    _mark_queued(run_dir, counts["logged"])
    return envelopes
