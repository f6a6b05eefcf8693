"""Writing status: decide, emit, append and re-materialize under one per-mission lock.

Every change runs as ``transact(...)``: take the mission's file lock (in the main repository's
untracked `.kittify/state/locks/`), read the log afresh, let the caller decide, stamp every event
(event_id, build_id, node_id, ``at``), let the EventSink prepare the envelopes (a refusal there
writes nothing), append the status lines in one write (one fsync), publish the envelopes (one
queue transaction), then rewrite meta.json (if asked) and status.json atomically. Read, decide
and append are covered by the same lock, so two racing claims cannot both win. The log is
written before the queue: the CLI's reconcile step closes the window between the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ._log import append_records
from ._reduce import reduce_events
from ._sink import EventSink, StampedEvent
from ._view import SNAPSHOT_NAME, MissionView, resolve, view_of
from .errors import StatusWriteError

LOCK_TIMEOUT_S = 60.0
EXECUTION_MODE = "worktree"


@dataclass(frozen=True, kw_only=True)
class Move:
    """One lane transition to record."""

    wp_id: str
    from_lane: str | None
    to_lane: str
    actor: str
    force: bool = False
    reason: str | None = None
    review_ref: str | None = None
    evidence: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class SinkEvent:
    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]


@dataclass(kw_only=True)
class Change:
    """What a command decided: moves, notes, extra events and an optional new meta.json."""

    moves: list[Move] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (wp_id, actor, note)
    before: list[SinkEvent] = field(default_factory=list)
    after: list[SinkEvent] = field(default_factory=list)
    meta: Any = None  # a MissionIdentity to write
    policy_metadata: dict[str, Any] | None = None
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Committed:
    view: MissionView
    change: Change
    records: list[dict[str, Any]]
    torn_tail: str | None


def lock_path(root: Path, slug: str) -> Path:
    from spec_kitty_identity import checkout_state_dir, guard_state_path

    locks = guard_state_path(checkout_state_dir(root) / "locks")
    locks.mkdir(parents=True, exist_ok=True)
    return guard_state_path(locks / f"{slug}.lock")


TRANSITION_PAYLOAD_KEYS = (
    "mission_slug",
    "wp_id",
    "from_lane",
    "to_lane",
    "actor",
    "force",
    "reason",
    "execution_mode",
    "review_ref",
    "evidence",
)


def transition_payload(view: MissionView, move: Move) -> dict[str, Any]:
    """The 3.0.0 StatusTransitionPayload (exactly its keys)."""
    return {
        "mission_slug": view.slug,
        "wp_id": move.wp_id,
        "from_lane": move.from_lane,
        "to_lane": move.to_lane,
        "actor": move.actor,
        "force": move.force,
        "reason": move.reason,
        "execution_mode": EXECUTION_MODE,
        "review_ref": move.review_ref,
        "evidence": move.evidence,
    }


class _Clock:
    """Strictly increasing timestamps, never before the last one in the log."""

    def __init__(self, view: MissionView) -> None:
        log = view.log
        stamps = [r["at"] for r in (*log.transitions, *log.annotations, *log.events)]
        self.last: datetime | None = None
        if stamps:
            try:
                self.last = datetime.fromisoformat(max(stamps))
            except ValueError:
                self.last = None

    def next(self) -> str:
        now = datetime.now(UTC)
        if self.last is not None and now <= self.last:
            now = self.last + timedelta(microseconds=1)
        self.last = now
        return now.isoformat(timespec="microseconds")


def _event_line(event: SinkEvent, clock: _Clock, origin: tuple[str, str]) -> dict[str, Any]:
    from spec_kitty_identity import new_ulid

    return {
        "kind": "event",
        "event_id": new_ulid(),
        "event_type": event.event_type,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "payload": event.payload,
        "at": clock.next(),
        "build_id": origin[0],
        "node_id": origin[1],
    }


def _records(view: MissionView, change: Change, origin: tuple[str, str]) -> list[dict[str, Any]]:
    """The status lines of ``change``, in log order: events before, moves, notes, events after."""
    from spec_kitty_identity import new_ulid

    build_id, node_id = origin
    clock = _Clock(view)
    records = [_event_line(e, clock, origin) for e in change.before]
    for move in change.moves:
        records.append(
            {
                **transition_payload(view, move),
                "event_id": new_ulid(),
                "mission_id": view.mission_id,
                "at": clock.next(),
                "policy_metadata": change.policy_metadata,
                "build_id": build_id,
                "node_id": node_id,
            }
        )
    for wp_id, actor, note in change.notes:
        records.append(
            {
                "event_id": new_ulid(),
                "kind": "annotation",
                "wp_id": wp_id,
                "at": clock.next(),
                "actor": actor,
                "build_id": build_id,
                "node_id": node_id,
                "delta": {"note": note},
            }
        )
    records += [_event_line(e, clock, origin) for e in change.after]
    return records


def stamped(record: dict[str, Any], mission_id: str) -> StampedEvent | None:
    """The event a status line stands for (None for a note): the sink's and reconcile's view."""
    kind = record.get("kind")
    if kind == "annotation":
        return None
    if kind == "event":
        return StampedEvent(
            event_type=record["event_type"],
            aggregate_type=record["aggregate_type"],
            aggregate_id=record["aggregate_id"],
            payload=record["payload"],
            event_id=record["event_id"],
            build_id=record["build_id"],
            node_id=record["node_id"],
            at=record["at"],
        )
    return StampedEvent(
        event_type="WPStatusChanged",
        aggregate_type="WorkPackage",
        aggregate_id=f"{mission_id}:{record['wp_id']}",
        payload={key: record.get(key) for key in TRANSITION_PAYLOAD_KEYS},
        event_id=record["event_id"],
        build_id=record["build_id"],
        node_id=record["node_id"],
        at=record["at"],
    )


def materialize(view: MissionView) -> Path:
    """Rewrite status.json atomically (skipped when the bytes would not change)."""
    from spec_kitty_identity import atomic_write_text

    path = view.mission_dir / SNAPSHOT_NAME
    text = json.dumps(view.snapshot(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return path


def _guard_targets(mission_dir: Path) -> None:
    """Refuse before anything is emitted or written when a target leads out of the project."""
    from spec_kitty_identity import guard_state_path

    from ._log import LOG_NAME, TORN_SUFFIX

    for name in (LOG_NAME, LOG_NAME + TORN_SUFFIX, SNAPSHOT_NAME, "meta.json"):
        guard_state_path(mission_dir / name)


def transact(
    root: Path,
    selector: str,
    decide: Callable[[MissionView], Change],
    *,
    sink: EventSink,
    origin: Callable[[], tuple[str, str]],
) -> Committed:
    """Run one status change under the mission's lock (see the module docstring)."""
    from filelock import FileLock, Timeout

    mission_dir, identity = resolve(root, selector)
    lock = FileLock(str(lock_path(root, identity.mission_slug)), timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            _guard_targets(mission_dir)
            view = view_of(root, mission_dir, identity)
            change = decide(view)
            return _commit(view, change, sink, origin)
    except Timeout as exc:
        raise StatusWriteError(
            f"timed out after {LOCK_TIMEOUT_S:.0f}s waiting for the lock of {identity.mission_slug}",
            details={"lock": str(lock.lock_file)},
        ) from exc


def _commit(
    view: MissionView, change: Change, sink: EventSink, origin: Callable[[], tuple[str, str]]
) -> Committed:
    from spec_kitty_identity import write_mission_meta

    if change.meta is None and not (change.moves or change.notes or change.before or change.after):
        return Committed(view=view, change=change, records=[], torn_tail=None)
    has_lines = change.moves or change.notes or change.before or change.after
    records = _records(view, change, origin()) if has_lines else []
    events = [e for e in (stamped(r, view.mission_id) for r in records) if e is not None]
    prepared = sink.prepare(events) if events else None
    torn = append_records(view.log, records) if records else None
    if events:
        sink.publish(prepared)
    identity = view.identity
    if change.meta is not None:
        write_mission_meta(view.mission_dir / "meta.json", change.meta)
        identity = change.meta
    transitions = [*view.log.transitions, *(r for r in records if "kind" not in r)]
    annotations = [*view.log.annotations, *(r for r in records if r.get("kind") == "annotation")]
    after = MissionView(
        root=view.root,
        mission_dir=view.mission_dir,
        identity=identity,
        wps=view.wps,
        log=view.log,
        reduced=reduce_events(transitions, annotations),
    )
    if change.moves or change.notes or change.meta is not None:
        materialize(after)
    return Committed(view=after, change=change, records=records, torn_tail=torn)
