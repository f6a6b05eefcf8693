"""Reconcile: queue every locally logged fact that the event queue lacks (idempotent by event_id).

The local logs are the source of truth: an emitter appends its line first, then queues the
envelope. A crash in between leaves a line without an envelope; ``reconcile`` rebuilds the
envelope from the line (same event_id, build_id, node_id and timestamp; a fresh Lamport value)
and queues it. It runs at the start of `sync now` and from `spec-kitty doctor`.

Only lines of THIS checkout are reconciled (their ``build_id`` is this checkout's): another
worktree's lines belong to that worktree's queue. Lines without ``node_id`` predate one event id
per fact (their envelopes were minted under other ids) and are never re-sent.

Log sources (``sources()``) are functions ``fn(checkout_root, build_id) -> Iterable[Fact]``
that yield the facts their logs hold for that build: the status logs and the runtime's run logs
(up to what each run's state counts as logged) and the dossier's outbox (dossier.db; the
pipeline's next run also supersedes from it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._record import Fact

Source = Callable[[Path, str], Iterable[Fact]]
CHUNK = 500  # event ids looked up per query


@dataclass(frozen=True, kw_only=True)
class ReconcileReport:
    """What reconcile found: facts per source, how many were missing and queued now."""

    facts: dict[str, int] = field(default_factory=dict)
    queued: int = 0
    queued_ids: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "facts": dict(self.facts),
            "queued": self.queued,
            "queued_event_ids": list(self.queued_ids[:100]),
            "refused": list(self.refused),
        }


def sources() -> dict[str, Source]:
    """Every local log whose facts reconcile queues, by name (as reported in ``facts``)."""
    from ..dossier._facts import dossier_facts
    from ._sources import run_facts, status_facts

    return {"status": status_facts, "runs": run_facts, "dossier": dossier_facts}


def _chunks(facts: Iterable[Fact]) -> Iterator[list[Fact]]:
    chunk: list[Fact] = []
    for fact in facts:
        chunk.append(fact)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reconcile(checkout_root: Path) -> ReconcileReport:
    """Queue the facts of this checkout's local logs that the queue lacks; report what it did.

    A fact the contract gate refuses is reported (``refused``) and left out; the others are
    queued, one transaction per chunk. Safe to run at any time, concurrently with writers.
    """
    from spec_kitty_gate import ContractViolation, check

    from ._emit import checkout_identity, open_clock, open_queue
    from ._record import envelopes_for

    root = Path(checkout_root).resolve()
    build_id = str(checkout_identity(root).build_id)
    queue = open_queue(root)
    counts: dict[str, int] = {}
    queued: list[str] = []
    refused: list[dict[str, Any]] = []
    for name, source in sources().items():
        counts[name] = 0
        for chunk in _chunks(source(root, build_id)):
            counts[name] += len(chunk)
            absent = queue.missing([f.event_id for f in chunk])
            missing = [f for f in chunk if f.event_id in absent]
            if not missing:
                continue
            envelopes = envelopes_for(root, missing, open_clock(root).reserve(len(missing)))
            good = []
            for envelope in envelopes:
                try:
                    check("event", envelope)
                except ContractViolation as exc:
                    refused.append(
                        {"event_id": envelope["event_id"], "source": name, "reason": str(exc)}
                    )
                    continue
                good.append(envelope)
            if good:
                queue.insert_facts(good)
                queued += [e["event_id"] for e in good]
    return ReconcileReport(facts=counts, queued=len(queued), queued_ids=queued, refused=refused)


def unqueued(checkout_root: Path) -> dict[str, list[str]]:
    """Read-only reconcile (for `spec-kitty doctor`): per source, the event ids of logged facts
    of this checkout that the queue lacks. Nothing is written; the queue is opened read-only."""
    from spec_kitty_identity import checkout_state_dir, connect_readonly, loads_json, read_bounded

    from ._queue import EVENTS_DB, missing_from

    root = Path(checkout_root).resolve()
    state = checkout_state_dir(root)
    try:  # read, never mint: no build id means no fact of this checkout was logged
        build = loads_json(read_bounded(state / "build.json"))
    except FileNotFoundError:
        return {name: [] for name in sources()}
    build_id = build.get("build_id") if isinstance(build, dict) else None
    if not isinstance(build_id, str) or not build_id:
        return {name: [] for name in sources()}
    path = state / EVENTS_DB
    conn = connect_readonly(path) if path.is_file() else None
    found: dict[str, list[str]] = {}
    try:
        for name, source in sources().items():
            found[name] = []
            for chunk in _chunks(source(root, build_id)):
                ids = [f.event_id for f in chunk]
                absent = set(ids) if conn is None else missing_from(conn, ids)
                found[name] += [i for i in ids if i in absent]
    finally:
        if conn is not None:
            conn.close()
    return found
