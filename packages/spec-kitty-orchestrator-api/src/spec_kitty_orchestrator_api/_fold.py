"""Fold the status log into per-WP state line by line, and bring a fold up to date after appends.

`Fold` gives exactly `reduce_events`'s result for the same lines, in any order, holding only one
state per work package plus the event ids seen (never the log). `status.events.jsonl` is
append-only: when the file kept its inode, grew, and its first and last 4 KiB before the old end
are unchanged, only the new lines are parsed (with the status model's own line checks) and folded
in. An incremental step is taken only when every new record sorts after everything already folded
(the reducer's order: ``(at, rollback-last, event_id)``, notes ``(at, event_id)``); anything
unusual (a torn or unterminated tail, a check that fails, a record out of order, a rewritten or
replaced file) makes the caller read the whole log again, so errors are always reported by the
full reader with their file and line. The dashboard (in memory) and the read commands (a cache
file, `_statecache`) share this one mechanism.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._lanes import is_rollback
from ._log import LogRead
from ._reduce import DEFAULT_LANE, Reduced, WPStatus

GUARD = 4096  # bytes at the start and before the old end that must be unchanged
_FIELDS = ("lane", "actor", "last_transition_at", "last_event_id", "last_from_lane")


def move_key(record: dict[str, Any]) -> tuple[str, int, str]:
    back = is_rollback(record.get("from_lane"), record["to_lane"])
    return (record["at"], 1 if back else 0, record["event_id"])


def _new_wp() -> dict[str, Any]:
    return {"key": None, "force_count": 0, "event_count": 0, "notes": []}


class Fold:
    """The reducer's state, built one record at a time (order independent, duplicates ignored)."""

    def __init__(self) -> None:
        self.wps: dict[str, dict[str, Any]] = {}
        self.seen_moves: set[str] = set()
        self.seen_notes: set[str] = set()
        self.last_move: tuple[str, int, str] | None = None
        self.last_note: tuple[str, str] | None = None

    def in_order(self, record: dict[str, Any]) -> bool:
        """True when ``record`` is a duplicate or sorts after everything folded so far."""
        if record.get("kind") == "annotation":
            if record["event_id"] in self.seen_notes:
                return True
            return self.last_note is None or (record["at"], record["event_id"]) > self.last_note
        if record.get("kind") is not None or record["event_id"] in self.seen_moves:
            return True
        return self.last_move is None or move_key(record) > self.last_move

    def add(self, record: dict[str, Any]) -> None:
        kind = record.get("kind")
        if kind == "annotation":
            self._note(record)
        elif kind is None:
            self._move(record)

    def _move(self, event: dict[str, Any]) -> None:
        if event["event_id"] in self.seen_moves:
            return  # the first occurrence wins
        self.seen_moves.add(event["event_id"])
        key = move_key(event)
        wp = self.wps.setdefault(event["wp_id"], _new_wp())
        wp["force_count"] += 1 if event["force"] else 0
        wp["event_count"] += 1
        if self.last_move is None or key > self.last_move:
            self.last_move = key
        if wp["key"] is not None and tuple(wp["key"]) > key:
            return
        wp["key"] = list(key)
        wp["lane"] = event["to_lane"]
        wp["actor"] = event["actor"]
        wp["last_transition_at"] = event["at"]
        wp["last_event_id"] = event["event_id"]
        wp["last_from_lane"] = event.get("from_lane")
        wp["review_ref"] = event.get("review_ref")
        wp["last_reason"] = event.get("reason")

    def _note(self, note: dict[str, Any]) -> None:
        if note["event_id"] in self.seen_notes:
            return
        self.seen_notes.add(note["event_id"])
        key = (note["at"], note["event_id"])
        if self.last_note is None or key > self.last_note:
            self.last_note = key
        wp = self.wps.setdefault(note["wp_id"], _new_wp())
        text = note["delta"].get("note")
        if isinstance(text, str):
            wp["notes"].append([note["at"], note["event_id"], text])

    def reduced(self) -> Reduced:
        """The same value `reduce_events` returns for the folded records."""
        wps = {}
        for wp_id, wp in sorted(self.wps.items()):
            wps[wp_id] = WPStatus(
                wp_id=wp_id,
                lane=wp.get("lane", DEFAULT_LANE),
                **{name: wp.get(name) for name in _FIELDS[1:]},
                review_ref=wp.get("review_ref"),
                last_reason=wp.get("last_reason"),
                force_count=wp["force_count"],
                event_count=wp["event_count"],
                notes=tuple(text for _, _, text in sorted(wp["notes"])),
            )
        last = self.last_move
        return Reduced(
            wps=wps,
            event_count=len(self.seen_moves) + len(self.seen_notes),
            last_event_id=last[2] if last else None,
            last_at=last[0] if last else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "wps": self.wps,
            "seen_moves": sorted(self.seen_moves),
            "seen_notes": sorted(self.seen_notes),
            "last_move": list(self.last_move) if self.last_move else None,
            "last_note": list(self.last_note) if self.last_note else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fold:
        """A fold read back from `to_json` (KeyError/TypeError/ValueError when malformed)."""
        fold = cls()
        for wp_id, wp in data["wps"].items():
            if not isinstance(wp_id, str) or not isinstance(wp, dict):
                raise ValueError("malformed work package state")
            int(wp["force_count"]), int(wp["event_count"]), list(wp["notes"])
            fold.wps[wp_id] = wp
        fold.seen_moves = {str(e) for e in data["seen_moves"]}
        fold.seen_notes = {str(e) for e in data["seen_notes"]}
        move, note = data["last_move"], data["last_note"]
        fold.last_move = (str(move[0]), int(move[1]), str(move[2])) if move else None
        fold.last_note = (str(note[0]), str(note[1])) if note else None
        return fold


@dataclass(frozen=True, kw_only=True)
class Cover:
    """How much of the log a fold covers, and what those bytes looked like (to detect rewrites)."""

    inode: int
    size: int
    lines: int
    head: str  # sha256 of the first GUARD bytes
    tail: str  # sha256 of the GUARD bytes before ``size``


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cover_of(handle: Any, size: int, lines: int) -> Cover:
    """The cover of the first ``size`` bytes of an open log (reads at most 8 KiB)."""
    handle.seek(0)
    head = handle.read(min(size, GUARD))
    handle.seek(max(0, size - GUARD))
    tail = handle.read(size - max(0, size - GUARD))
    inode = os.fstat(handle.fileno()).st_ino
    return Cover(inode=inode, size=size, lines=lines, head=_digest(head), tail=_digest(tail))


def still_covers(handle: Any, cover: Cover) -> bool:
    """The open log is the same file, at least as long, with the covered bytes unchanged."""
    st = os.fstat(handle.fileno())
    if st.st_ino != cover.inode or st.st_size < cover.size:
        return False
    return cover_of(handle, cover.size, cover.lines) == cover


def read_tail(path: Path, cover: Cover) -> tuple[list[dict[str, Any]], Cover] | None:
    """The checked records appended after ``cover`` and the new cover, or None: read in full."""
    from ._stream import parse_line

    records: list[dict[str, Any]] = []
    try:
        with path.open("rb") as handle:
            if not still_covers(handle, cover):
                return None
            handle.seek(cover.size)
            size, lineno = cover.size, cover.lines
            for line in handle:
                if not line.endswith(b"\n"):
                    return None  # torn or unterminated: the full reader reports it
                lineno += 1
                size += len(line)
                record = parse_line(path, lineno, line)
                if record is not None:
                    records.append(record)
            return records, cover_of(handle, size, lineno)
    except Exception:  # the full reader reports it, with file and line
        return None


def fold_in(fold: Fold, records: list[dict[str, Any]]) -> bool:
    """Fold ``records`` (in file order) if each sorts after all before it; False: read in full."""
    for record in records:
        if not fold.in_order(record):
            return False
        fold.add(record)
    return True


@dataclass(frozen=True, kw_only=True)
class LogState:
    """A dashboard view's fold and the part of its log it covers."""

    fold: Fold
    cover: Cover


def log_state_of(view: Any) -> LogState | None:
    """The tail state of a freshly read MissionView (None when it cannot be extended)."""
    log: LogRead = view.log
    if log.torn_tail is not None or log.needs_newline:
        return None
    fold = Fold()
    for record in (*log.transitions, *log.annotations):
        fold.add(record)
    try:
        with log.path.open("rb") as handle:
            raw_lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            if os.fstat(handle.fileno()).st_size != log.valid_size:
                return None
            cover = cover_of(handle, log.valid_size, raw_lines)
    except OSError:
        return None
    return LogState(fold=fold, cover=cover)


def extend_view(view: Any, state: LogState) -> tuple[Any, LogState] | None:
    """The view with the appended lines folded in, or None: read the whole log instead."""
    tail = read_tail(view.log.path, state.cover)
    if tail is None:
        return None
    added, cover = tail
    fold = copy.deepcopy(state.fold)
    if not fold_in(fold, added):
        return None
    log = view.log
    new_log = dataclasses.replace(
        log,
        transitions=[*log.transitions, *(r for r in added if r.get("kind") is None)],
        annotations=[*log.annotations, *(r for r in added if r.get("kind") == "annotation")],
        events=[*log.events, *(r for r in added if r.get("kind") == "event")],
        valid_size=cover.size,
    )
    new_view = dataclasses.replace(view, log=new_log, reduced=fold.reduced())
    return new_view, LogState(fold=fold, cover=cover)
