"""Bring a cached mission view up to date after lines were appended to its status log.

`status.events.jsonl` is append-only: when the file kept its inode, grew, and the bytes just
before the old end are unchanged, only the new lines are parsed (with the status model's own
line checks) and folded into the previous reduction. Folding gives the reducer's result only when
every new record sorts after everything already folded; when one does not (a clock skew, a
replayed line), or anything else is unusual (a torn tail, an unterminated line, a check that
fails), the caller reads the whole log again, so errors are always reported by the full reader
with their file and line.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_orchestrator_api import LogRead, MissionView, Reduced, WPStatus

GUARD = 64  # bytes before the old end that must be unchanged
ROLLBACK_SOURCES = frozenset({"for_review", "approved"})
ROLLBACK_TARGETS = frozenset({"in_progress", "planned"})


def _line_checks() -> tuple[Any, Any] | None:
    try:  # the status model's own per-line checks (private: absent -> always read in full)
        from spec_kitty_orchestrator_api._log import _bounded, _check_line
    except ImportError:  # pragma: no cover - a refactor of the status model
        return None
    return _bounded, _check_line


@dataclass(frozen=True, kw_only=True)
class LogState:
    """Where the folded log ends and the largest sort keys folded so far."""

    inode: int
    size: int
    lines: int
    guard: bytes
    seen: frozenset[str]
    last_move: tuple[str, int, str] | None
    last_note: tuple[str, str] | None


def _move_key(record: dict[str, Any]) -> tuple[str, int, str]:
    back = record.get("from_lane") in ROLLBACK_SOURCES and record["to_lane"] in ROLLBACK_TARGETS
    return (record["at"], 1 if back else 0, record["event_id"])


def state_of(view: MissionView) -> LogState | None:
    """The tail state of a freshly read view (None when it cannot be extended)."""
    log = view.log
    if log.torn_tail is not None or log.needs_newline:
        return None
    try:
        with log.path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            raw = handle.read(log.valid_size)
    except OSError:
        return None
    if len(raw) != log.valid_size:
        return None
    records = [*log.transitions, *log.annotations]
    moves = [_move_key(r) for r in log.transitions]
    notes = [(r["at"], r["event_id"]) for r in log.annotations]
    return LogState(
        inode=st.st_ino,
        size=log.valid_size,
        lines=raw.count(b"\n"),
        guard=raw[-GUARD:],
        seen=frozenset(r["event_id"] for r in records),
        last_move=max(moves) if moves else None,
        last_note=max(notes) if notes else None,
    )


@dataclass(frozen=True, kw_only=True)
class Tail:
    records: list[dict[str, Any]]
    size: int
    lines: int
    guard: bytes


def _read_tail(path: Path, state: LogState) -> Tail | None:
    checks = _line_checks()
    if checks is None:
        return None
    bounded, check_line = checks
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_ino != state.inode:
                return None
            start = max(0, state.size - len(state.guard))
            handle.seek(start)
            chunk = handle.read()
    except OSError:
        return None
    if chunk[: state.size - start] != state.guard:
        return None
    new = chunk[state.size - start :]
    if not new or not new.endswith(b"\n"):
        return None
    out = []
    try:
        lineno = state.lines
        for line in new.decode("utf-8").split("\n")[:-1]:
            lineno += 1
            if not line or line.isspace():
                continue
            bounded(path, lineno, line)
            out.append(check_line(path, lineno, json.loads(line)))
    except Exception:  # the full reader reports it, with file and line
        return None
    whole = chunk[-GUARD:] if len(chunk) >= GUARD else chunk
    return Tail(
        records=out, size=state.size + len(new), lines=state.lines + new.count(b"\n"), guard=whole
    )


def _fold(reduced: Reduced, moves: list[dict[str, Any]], notes: list[dict[str, Any]]) -> Reduced:
    wps = dict(reduced.wps)
    for event in moves:
        old = wps.get(event["wp_id"]) or WPStatus(wp_id=event["wp_id"], lane="planned")
        wps[event["wp_id"]] = dataclasses.replace(
            old,
            lane=event["to_lane"],
            actor=event["actor"],
            last_transition_at=event["at"],
            last_event_id=event["event_id"],
            last_from_lane=event.get("from_lane"),
            review_ref=event.get("review_ref"),
            force_count=old.force_count + (1 if event["force"] else 0),
            event_count=old.event_count + 1,
        )
    for note in notes:
        text = note["delta"].get("note")
        old = wps.get(note["wp_id"]) or WPStatus(wp_id=note["wp_id"], lane="planned")
        if isinstance(text, str):
            old = dataclasses.replace(old, notes=(*old.notes, text))
        wps[note["wp_id"]] = old
    last = moves[-1] if moves else None
    return Reduced(
        wps=dict(sorted(wps.items())),
        event_count=reduced.event_count + len(moves) + len(notes),
        last_event_id=last["event_id"] if last else reduced.last_event_id,
        last_at=last["at"] if last else reduced.last_at,
    )


def extend(view: MissionView, state: LogState) -> tuple[MissionView, LogState] | None:
    """The view with the appended lines folded in, or None: read the whole log instead."""
    tail = _read_tail(view.log.path, state)
    if tail is None:
        return None
    added = tail.records
    seen = set(state.seen)
    fresh = []
    for record in added:
        if record["event_id"] in seen:
            continue  # a duplicated line: the reducer keeps the first occurrence
        seen.add(record["event_id"])
        fresh.append(record)
    moves = [r for r in fresh if r.get("kind") != "annotation"]
    notes = [r for r in fresh if r.get("kind") == "annotation"]
    move_keys = [_move_key(r) for r in moves]
    note_keys = [(r["at"], r["event_id"]) for r in notes]
    if move_keys != sorted(move_keys) or note_keys != sorted(note_keys):
        return None
    if state.last_move is not None and move_keys and move_keys[0] <= state.last_move:
        return None
    if state.last_note is not None and note_keys and note_keys[0] <= state.last_note:
        return None
    log = view.log
    new_log = LogRead(
        path=log.path,
        transitions=[*log.transitions, *(r for r in added if r.get("kind") != "annotation")],
        annotations=[*log.annotations, *(r for r in added if r.get("kind") == "annotation")],
        torn_tail=None,
        valid_size=tail.size,
        needs_newline=False,
    )
    new_view = dataclasses.replace(view, log=new_log, reduced=_fold(view.reduced, moves, notes))
    new_state = dataclasses.replace(
        state,
        size=tail.size,
        lines=tail.lines,
        guard=tail.guard,
        seen=frozenset(seen),
        last_move=move_keys[-1] if move_keys else state.last_move,
        last_note=note_keys[-1] if note_keys else state.last_note,
    )
    return new_view, new_state
