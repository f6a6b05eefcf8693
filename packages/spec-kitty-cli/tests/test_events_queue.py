"""The SQLite event queue and the Lamport clock, on real files."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spec_kitty_cli._events import (
    SCHEMA_VERSION,
    EventQueue,
    LamportClock,
    Outcome,
    canonical_json,
)
from spec_kitty_cli.errors import CliError
from spec_kitty_gate import ContractViolation

PROJECT = str(uuid.uuid4())


def envelope(n: int, *, build_id: str = "b0d1c0de-0000-4000-8000-000000000001") -> dict:
    from spec_kitty_identity import new_ulid

    eid = new_ulid()
    return {
        "event_id": eid,
        "event_type": "MissionCreated",
        "aggregate_id": new_ulid(),
        "aggregate_type": "Mission",
        "schema_version": "3.0.0",
        "build_id": build_id,
        "node_id": "0123456789ab",
        "lamport_clock": n,
        "correlation_id": eid,
        "causation_id": None,
        "timestamp": datetime.now(UTC).isoformat(),
        "project_uuid": PROJECT,
        "project_slug": "demo",
        "repo_slug": "acme/demo",
        "payload": {"mission_slug": f"{n:03d}-m", "mission_number": n, "mission_type": "plan"},
    }


@pytest.fixture
def queue(tmp_path: Path):
    with EventQueue(tmp_path / "state" / "events.db") as q:
        yield q


def test_schema_version_is_recorded(queue: EventQueue) -> None:
    assert queue.schema_version() == SCHEMA_VERSION
    assert queue.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert queue.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_append_is_idempotent_and_conflicts_are_errors(queue: EventQueue) -> None:
    env = envelope(1)
    assert queue.append(env) is True
    assert queue.append(dict(env)) is False
    with pytest.raises(CliError) as info:
        queue.append({**env, "lamport_clock": 99})
    assert info.value.code == "EVENT_ID_CONFLICT"
    assert queue.counts() == {
        "pending": 1,
        "delivered": 0,
        "duplicate": 0,
        "rejected": 0,
        "superseded": 0,
    }


def test_append_many_gates_everything_first(queue: EventQueue) -> None:
    good, bad = envelope(1), envelope(2)
    bad["payload"]["feature_number"] = 2
    with pytest.raises(ContractViolation):
        queue.append_many([good, bad])
    assert queue.counts()["pending"] == 0
    assert queue.append_many([good, envelope(3)]) == 2


def test_journal_is_append_only(queue: EventQueue) -> None:
    env = envelope(1)
    queue.append(env)
    for sql in (
        "UPDATE event_journal SET build_id = 'x'",
        "DELETE FROM event_journal",
        "DELETE FROM event_delivery",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            queue.conn.execute(sql)
    assert next(queue.iter_envelopes()) == env


def test_stored_envelope_is_byte_identical_and_keeps_build_id(queue: EventQueue) -> None:
    foreign = envelope(1, build_id="11111111-2222-4333-8444-555555555555")
    queue.append(foreign)
    row = queue.conn.execute("SELECT envelope, build_id FROM event_journal").fetchone()
    assert row == (canonical_json(foreign), foreign["build_id"])
    [pending] = queue.pending()
    assert pending.envelope == foreign
    assert list(queue.iter_envelopes(state="pending")) == [foreign]


def test_apply_outcomes_in_one_transaction(queue: EventQueue) -> None:
    envs = [envelope(i) for i in range(1, 6)]
    queue.append_many(envs)
    queue.apply(
        [
            Outcome(event_id=envs[0]["event_id"], status="delivered"),
            Outcome(event_id=envs[1]["event_id"], status="duplicate"),
            Outcome(event_id=envs[2]["event_id"], status="rejected", error="bad payload"),
            Outcome(
                event_id=envs[3]["event_id"], status="retry", error="HTTP 503", next_attempt_at=4e9
            ),
        ]
    )
    assert queue.counts() == {
        "pending": 2,
        "delivered": 1,
        "duplicate": 1,
        "rejected": 1,
        "superseded": 0,
    }
    retry = queue.delivery(envs[3]["event_id"])
    assert retry is not None
    assert (retry["retry_count"], retry["last_error"]) == (1, "HTTP 503")
    assert queue.next_attempt_at() == 4e9
    assert queue.last_error() == "HTTP 503"
    assert queue.rejections() == [{"event_id": envs[2]["event_id"], "reason": "bad payload"}]
    assert [e.event_id for e in queue.pending()] == [envs[3]["event_id"], envs[4]["event_id"]]
    assert [e.event_id for e in queue.pending(due_before=1e9)] == [envs[4]["event_id"]]
    # acknowledged events never go back to pending or rejected
    queue.apply([Outcome(event_id=envs[0]["event_id"], status="rejected", error="late")])
    assert queue.counts()["delivered"] == 1
    with pytest.raises(ValueError, match="unknown outcome"):
        queue.apply([Outcome(event_id=envs[4]["event_id"], status="lost")])
    assert queue.delivery("nope") is None


def test_pending_walks_with_a_cursor(queue: EventQueue) -> None:
    queue.append_many([envelope(i) for i in range(1, 8)])
    first = queue.pending(limit=3)
    rest = queue.pending(after_seq=first[-1].seq, limit=10)
    assert len(first) == 3 and len(rest) == 4
    assert [e.seq for e in first + rest] == sorted(e.seq for e in first + rest)
    assert queue.max_lamport() == 7


def test_record_and_read_runs(queue: EventQueue) -> None:
    assert queue.last_run() is None
    queue.record_run(
        {
            "started_at": 1.0,
            "finished_at": 2.0,
            "server_url": "http://x",
            "outcome": "drained",
            "sent": 1,
            "delivered": 1,
            "duplicate": 0,
            "rejected": 0,
        }
    )
    run = queue.last_run()
    assert run is not None
    assert (run["outcome"], run["error_code"]) == ("drained", None)


def test_newer_or_foreign_schema_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with contextlib.closing(sqlite3.connect(newer)) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(CliError) as info:
        EventQueue(newer)
    assert info.value.code == "EVENT_QUEUE_TOO_NEW"
    legacy = tmp_path / "legacy.db"
    with contextlib.closing(sqlite3.connect(legacy)) as conn:
        conn.execute("CREATE TABLE queue (id INTEGER PRIMARY KEY, event_id TEXT, data TEXT)")
    with pytest.raises(CliError) as info:
        EventQueue(legacy)
    assert info.value.code == "EVENT_QUEUE_UNKNOWN_SCHEMA"
    assert info.value.details["tables"] == ["queue"]


def _append_worker(path: str, start: int, count: int) -> None:
    with EventQueue(Path(path)) as q:
        for i in range(count):
            q.append(envelope(start + i))


def _tick_worker(path: str, count: int, out: str) -> None:
    clock = LamportClock(Path(path))
    values = [clock.tick() for _ in range(count)]
    Path(out).write_text(json.dumps(values))


def test_parallel_processes_append_and_tick_safely(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    db, clock = tmp_path / "events.db", tmp_path / "clock.json"
    EventQueue(db).close()
    procs = [ctx.Process(target=_append_worker, args=(str(db), 1 + i * 100, 40)) for i in range(3)]
    procs += [
        ctx.Process(target=_tick_worker, args=(str(clock), 40, str(tmp_path / f"t{i}.json")))
        for i in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with EventQueue(db) as q:
        assert q.counts()["pending"] == 120
    ticks = [v for i in range(3) for v in json.loads((tmp_path / f"t{i}.json").read_text())]
    assert sorted(ticks) == list(range(1, 121))
    assert LamportClock(clock).current() == 120


def test_clock_receive_floor_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    clock = LamportClock(path, floor=lambda: 41)
    assert clock.current() == 41
    assert clock.tick() == 42
    assert clock.receive(10) == 43
    assert clock.receive(100) == 101
    assert json.loads(path.read_text())["lamport_clock"] == 101
    with pytest.raises(ValueError):
        clock.receive(-1)
    for bad in ("{", '{"lamport_clock": -3}', '{"lamport_clock": true}', "[]"):
        path.write_text(bad)
        with pytest.raises(CliError) as info:
            clock.tick()
        assert info.value.code == "EVENT_CLOCK_DAMAGED"


def test_clock_lock_timeout_is_structured(tmp_path: Path) -> None:
    from filelock import FileLock

    clock = LamportClock(tmp_path / "clock.json", timeout=0.05)
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()

    def hold() -> None:
        with FileLock(str(clock.lock_path)):
            ready.set()
            release.wait(10)

    holder = ctx.Process(target=hold)
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(CliError) as info:
            clock.tick()
        assert info.value.code == "EVENT_CLOCK_LOCKED"
        assert info.value.operator_fixable is False
    finally:
        release.set()
        holder.join(10)
