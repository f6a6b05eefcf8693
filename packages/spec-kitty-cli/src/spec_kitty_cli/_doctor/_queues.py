"""Doctor's queue and lock checks: both SQLite queues read-only, locks probed without waiting."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from ._model import Report

LOCK_STALE_AFTER_S = 600.0
_QUEUES = {
    # name: (file, table, state column, dead-letter state, reason column, id column)
    "event_queue": (
        "events.db",
        "event_delivery",
        "state",
        "rejected",
        "reject_reason",
        "event_id",
    ),
    "body_queue": (
        "bodies.db",
        "body_upload_queue",
        "state",
        "dead_letter",
        "last_error",
        "row_id",
    ),
}


def _expected(name: str) -> tuple[int, tuple[str, ...]]:
    """The schema version this spec-kitty writes, and every delivery state of the queue."""
    if name == "event_queue":
        from .._events._schema import SCHEMA_VERSION, STATES

        return SCHEMA_VERSION, tuple(STATES)
    from spec_kitty_bodysync import SCHEMA_VERSION as BODY_VERSION
    from spec_kitty_bodysync import TaskState

    return int(BODY_VERSION), tuple(state.value for state in TaskState)


def check_queue(report: Report, state: Path, name: str) -> None:
    """PRAGMA integrity_check, schema version, counts by state, dead letters with reasons."""
    from spec_kitty_identity import connect_readonly

    filename, table, column, dead, reason, ident = _QUEUES[name]
    path = state / filename
    facts: dict[str, Any] = {"file": str(path), "exists": path.is_file()}
    report.checks[name] = facts
    if not path.is_file():
        return
    fix = f"move {path.name} aside (`mv {path} {path}.damaged`); a new queue is created on next use"
    try:
        conn = connect_readonly(path)
    except sqlite3.Error as exc:
        report.add(name, "QUEUE_UNREADABLE", f"cannot open {path.name}: {exc}", fix, file=path)
        return
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        facts["integrity"] = "ok" if rows == ["ok"] else rows[:20]
        if rows != ["ok"]:
            report.add(name, "QUEUE_INTEGRITY_FAILED", f"{path.name}: {rows[0]}", fix, file=path)
            return
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        expected, states = _expected(name)
        facts["schema_version"] = version
        if version != expected:
            report.add(
                name,
                "QUEUE_SCHEMA_MISMATCH",
                f"{path.name} has schema {version}, this spec-kitty uses {expected}",
                "run `spec-kitty upgrade` (legacy layout) or upgrade spec-kitty (newer layout)",
                file=path,
                schema_version=version,
                expected=expected,
            )
            return
        counts = conn.execute(
            f"SELECT {column}, count(*) FROM {table} GROUP BY {column}"  # noqa: S608 - constants
        ).fetchall()
        facts["counts"] = {**dict.fromkeys(states, 0), **{str(k): int(n) for k, n in counts}}
        letters = conn.execute(
            f"SELECT {ident}, {reason} FROM {table} WHERE {column} = ? ORDER BY {ident}",  # noqa: S608
            (dead,),
        ).fetchall()
    except sqlite3.Error as exc:
        report.add(name, "QUEUE_UNREADABLE", f"cannot read {path.name}: {exc}", fix, file=path)
        return
    finally:
        conn.close()
    for item, why in letters:
        report.add(
            name,
            "QUEUE_DEAD_LETTER",
            f"{path.name}: {item} was refused and will not be retried: {why}",
            "read the reason; fix the cause and resend (the entry is kept, never deleted)",
            file=path,
            entry=str(item),
            reason=why,
        )


def _held(path: Path) -> bool:
    """Whether a process holds the lock file now (a non-blocking probe, released at once)."""
    import fcntl

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def check_locks(report: Report, state: Path, *, now: float | None = None) -> None:
    """Locks held longer than any spec-kitty command runs (its holder is hung or gone astray)."""
    now = time.time() if now is None else now
    facts = report.checks.setdefault("locks", {"locks": 0, "held": 0})
    if not state.is_dir():
        return
    for path in sorted(state.rglob("*.lock")):
        if path.is_symlink() or not path.is_file():
            continue
        facts["locks"] += 1
        try:
            held = _held(path)
            age = now - path.stat().st_mtime
        except OSError:
            continue
        if not held:
            continue
        facts["held"] += 1
        if age > LOCK_STALE_AFTER_S:
            report.add(
                "locks",
                "LOCK_HELD_TOO_LONG",
                f"{path.name} has been held for {int(age)} s, longer than any spec-kitty command",
                f"find the holder with `fuser {path}` and stop it if it hangs",
                file=path,
                age_s=int(age),
            )


def check_unqueued(report: Report, checkout: Path) -> None:
    """Logged facts of this checkout (status and run logs) that the event queue lacks."""
    from .._events._reconcile import unqueued

    try:
        found = unqueued(checkout)
    except sqlite3.Error:
        return  # an unreadable queue is the event_queue check's finding
    facts = {name: len(ids) for name, ids in found.items()}
    report.checks["unqueued_events"] = facts
    for name, ids in found.items():
        if ids:
            report.add(
                "unqueued_events",
                "EVENTS_NOT_QUEUED",
                f"{len(ids)} event(s) of the {name} logs are not in the event queue (a command "
                "stopped between writing its log line and queueing it)",
                "run `spec-kitty doctor --reconcile` or `spec-kitty sync now` (both queue them "
                "with the same event_id)",
                source=name,
                event_ids=ids[:20],
            )
