"""One fact, one event id: status lines and queued envelopes share their identity; reconcile."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SAME = ("event_id", "build_id", "node_id")


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Docs site", "--json", cwd=project).json()
    tasks = project / "kitty-specs" / created["mission_slug"] / "tasks"
    for i in range(1, 4):
        (tasks / f"WP0{i}-part.md").write_text(f"---\nwork_package_id: WP0{i}\ntitle: P{i}\n---\n")
    return str(created["mission_slug"])


def _log(project: Path, mission: str) -> list[dict[str, Any]]:
    path = project / "kitty-specs" / mission / "status.events.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def _queued(project: Path) -> dict[str, dict[str, Any]]:
    """The queued envelopes whose fact lives in a status log (the dossier's events have their
    own outbox, dossier.db, with the same log-first rule: tests/test_dossier.py)."""
    db = project / ".kittify" / "state" / "events.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT event_id, envelope FROM event_journal WHERE aggregate_type != 'MissionDossier'"
        ).fetchall()
    return {eid: json.loads(text) for eid, text in rows}


def _stamped_lines(project: Path, mission: str) -> list[dict[str, Any]]:
    return [r for r in _log(project, mission) if r.get("kind") != "annotation"]


def test_a_transition_line_and_its_envelope_share_the_identity(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code == 0
    moved = run_cli("agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission)
    assert moved.exit_code == 0
    queued = _queued(project)
    lines = _stamped_lines(project, mission)
    # MissionCreated + 3 x (WPCreated, seed) + the claim: every one both logged and queued
    assert len(lines) == len(queued) == 8
    claim = next(r for r in lines if r.get("to_lane") == "claimed")
    envelope = queued[claim["event_id"]]
    assert envelope["event_type"] == "WPStatusChanged"
    assert {k: envelope[k] for k in SAME} == {k: claim[k] for k in SAME}
    assert envelope["timestamp"] == claim["at"]
    assert envelope["payload"]["to_lane"] == "claimed" and envelope["payload"]["wp_id"] == "WP01"
    for line in lines:
        env = queued[line["event_id"]]
        assert (env["build_id"], env["node_id"], env["timestamp"]) == (
            line["build_id"],
            line["node_id"],
            line["at"],
        )
    created = [r for r in lines if r.get("event_type") == "MissionCreated"]
    assert len(created) == 1 and queued[created[0]["event_id"]]["aggregate_type"] == "Mission"


def test_finalize_reserves_one_clock_range_and_queues_in_one_batch(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    before = set(_queued(project))
    assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code == 0
    seeded = [e for eid, e in _queued(project).items() if eid not in before]
    assert len(seeded) == 6  # 3 x (WPCreated, seed)
    clocks = sorted(e["lamport_clock"] for e in seeded)
    assert clocks == list(range(clocks[0], clocks[0] + len(clocks)))  # one range, no gap
    clock = json.loads((project / ".kittify" / "state" / "clock.json").read_text())
    assert clock["lamport_clock"] >= clocks[-1]  # the dossier's index events come after


def _lose_the_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash right after the log write: the queue transaction never happens."""
    import spec_kitty_cli._events as events

    class Crash(Exception):
        pass

    def crash(batch: Any) -> int:
        raise Crash

    monkeypatch.setattr(events, "publish", crash)


def test_reconcile_queues_logged_facts_the_queue_lacks_exactly_once(
    run_cli: Callable[..., Any], project: Path, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli._events import reconcile

    with monkeypatch.context() as patch:
        _lose_the_publish(patch)
        finalize = run_cli("agent", "tasks", "finalize", "--mission", mission)
        assert finalize.exit_code != 0
    lines = _stamped_lines(project, mission)
    assert len(lines) == 7 and len(_queued(project)) == 1  # only MissionCreated was queued
    report = reconcile(project)
    assert report.queued == 6 and report.facts["status"] == 7 and report.refused == []
    assert report.facts["runs"] == 0 and set(report.facts) == {"status", "runs", "dossier"}
    queued = _queued(project)
    assert set(queued) == {r["event_id"] for r in lines}
    for line in lines:
        assert queued[line["event_id"]]["timestamp"] == line["at"]
        assert queued[line["event_id"]]["node_id"] == line["node_id"]
    assert reconcile(project).queued == 0  # idempotent
    # the lost writer's retry sees its facts queued already and keeps them
    again = run_cli("agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission)
    assert again.exit_code == 0 and len(_queued(project)) == 8


def test_reconcile_skips_other_builds_and_lines_before_one_id_per_fact(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    from spec_kitty_cli._events import reconcile

    assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code == 0
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    seed = next(r for r in _stamped_lines(project, mission) if r.get("to_lane") == "planned")
    foreign = {**seed, "event_id": "01JFOREIGNBUILD0000000000A", "build_id": "another-build"}
    legacy = {k: v for k, v in seed.items() if k != "node_id"}
    legacy["event_id"] = "01JOLDLINE0000000000000000"
    with log.open("a") as handle:
        for record in (foreign, legacy):
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    report = reconcile(project)
    assert report.queued == 0 and report.facts["status"] == 7 and report.facts["runs"] == 0
    assert not {foreign["event_id"], legacy["event_id"]} & set(_queued(project))


def test_reconcile_reports_a_fact_the_gate_refuses_and_queues_the_rest(
    run_cli: Callable[..., Any], project: Path, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli._events import reconcile

    with monkeypatch.context() as patch:
        _lose_the_publish(patch)
        run_cli("agent", "tasks", "finalize", "--mission", mission)
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    records = _log(project, mission)
    bad = next(r for r in records if r.get("event_type") == "WPCreated")
    bad["payload"]["feature_slug"] = "001-old"  # hand-edited into something the SaaS refuses
    log.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    report = reconcile(project)
    assert report.queued == 5 and [r["event_id"] for r in report.refused] == [bad["event_id"]]
    assert bad["event_id"] not in _queued(project)
    assert report.to_json_dict()["refused"][0]["source"] == "status"


_CHILD = r"""
import json, os, random, sys, time
from pathlib import Path
import spec_kitty_cli._events as events
from spec_kitty_orchestrator_api import Host, append_history, transition
from spec_kitty_cli._queue_sink import QueueSink

real = events.publish
WIDE = os.environ.get("SK_TEST_WIDE_WINDOW") == "1"
def slow_publish(batch):
    # widen the window between the log and the queue (wide: the parent surely kills inside it)
    time.sleep(0.5 if WIDE else random.uniform(0, 0.02))
    return real(batch)
events.publish = slow_publish
root, slug = Path(sys.argv[1]), sys.argv[2]
cycle = ["claimed", "in_progress", "for_review", "in_progress"]
policy = json.dumps({"orchestrator_id": "loop", "orchestrator_version": "0", "agent_family": "x",
    "approval_mode": "full_auto", "sandbox_mode": "workspace_write", "network_mode": "none",
    "dangerous_flags": []})
n = 0
while True:
    for wp in ("WP01", "WP02", "WP03"):
        host = Host(root, sink=QueueSink(root))
        lane = host.open(slug).lane(wp)
        nxt = cycle[(cycle.index(lane) + 1) % len(cycle)] if lane in cycle else "claimed"
        transition(host, slug, wp, nxt, "loop", force=True, note="loop", policy=policy,
                   review_ref="r-1")
        if n % 3 == 0:
            append_history(host, slug, wp, "loop", f"note {n}")
        n += 1
"""


def _window_open(project: Path, mission: str) -> bool:
    try:
        logged = {r["event_id"] for r in _stamped_lines(project, mission)}
        return bool(logged - set(_queued(project)))
    except (sqlite3.Error, ValueError, OSError):
        return False


def test_kill_9_between_append_and_enqueue_ends_one_to_one_after_reconcile(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    from spec_kitty_cli._events import reconcile

    assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code == 0
    rng = random.Random(14)
    env = {**os.environ}
    hit_window = 0
    errors = project.parent / "child.err"
    for round_ in range(8):
        with errors.open("wb") as err:
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(project), mission],
                env={**env, "SK_TEST_WIDE_WINDOW": "1" if round_ % 2 == 0 else "0"},
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        deadline = time.monotonic() + 30
        if round_ % 2 == 0:  # kill exactly inside the window: a line the queue lacks
            while time.monotonic() < deadline and not _window_open(project, mission):
                assert child.poll() is None, errors.read_text()
                time.sleep(0.001)
        else:  # kill at a random point of the loop
            time.sleep(rng.uniform(0.3, 1.2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        hit_window += _window_open(project, mission)
        report = reconcile(project)
        logged = _stamped_lines(project, mission)
        ids = [r["event_id"] for r in logged]
        queued = _queued(project)
        assert len(ids) == len(set(ids)) and set(ids) == set(queued), report
        for line in logged:
            env_ = queued[line["event_id"]]
            assert (env_["build_id"], env_["node_id"], env_["timestamp"]) == (
                line["build_id"],
                line["node_id"],
                line["at"],
            )
    assert hit_window >= 4  # the targeted rounds really crashed inside the window


def test_reconcile_queues_the_run_log_up_to_its_committed_size(
    run_cli: Callable[..., Any], project: Path, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's events lost before the enqueue come back from run.events.jsonl, same event_id;
    lines a crashed call left after the committed size are not facts and stay out."""
    import spec_kitty_cli._events as events
    from spec_kitty_cli._events import reconcile

    before = set(_all_queued(project))
    with monkeypatch.context() as patch:  # a crash after the run log and state, before the queue

        def crash(*args: Any, **kwargs: Any) -> int:
            raise KeyboardInterrupt

        patch.setattr(events, "enqueue", crash)
        step = run_cli("next", "--mission", mission, "--agent", "claude", "--json", cwd=project)
        assert step.exit_code != 0
    run_dir = next((project / ".kittify" / "runtime" / "runs").iterdir())
    log = run_dir / "run.events.jsonl"
    run_events = [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
    assert run_events[0]["event_type"] == "MissionRunStarted"
    assert not {e["event_id"] for e in run_events} & set(_all_queued(project))
    stray = {**run_events[-1], "event_id": "01J0000000000000000000STRY"}
    with log.open("a") as handle:  # a crashed call's line beyond the committed size
        handle.write(json.dumps(stray, sort_keys=True) + "\n")
    report = reconcile(project)
    assert report.facts["runs"] == len(run_events) and report.refused == []
    queued = _all_queued(project)
    for event in run_events:
        assert queued[event["event_id"]]["timestamp"] == event["timestamp"]
        assert queued[event["event_id"]]["payload"] == event["payload"]
    assert stray["event_id"] not in queued
    assert set(queued) - before - {e["event_id"] for e in run_events} == set()
    assert reconcile(project).queued == 0


def _all_queued(project: Path) -> dict[str, dict[str, Any]]:
    db = project / ".kittify" / "state" / "events.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT event_id, envelope FROM event_journal").fetchall()
    return {eid: json.loads(text) for eid, text in rows}


def test_doctor_finds_unqueued_facts_and_reconcile_queues_them(
    run_cli: Callable[..., Any], project: Path, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _lose_the_publish(patch)
        assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code != 0
    db = project / ".kittify" / "state" / "events.db"
    before = db.read_bytes()
    found = run_cli("doctor", "--json", cwd=project)
    assert found.exit_code == 2
    findings = [f for f in found.json()["details"]["findings"] if f["check"] == "unqueued_events"]
    assert [(f["code"], f["details"]["source"]) for f in findings] == [
        ("EVENTS_NOT_QUEUED", "status")
    ]
    assert len(findings[0]["details"]["event_ids"]) == 6
    assert db.read_bytes() == before  # doctor alone changes nothing
    fixed = run_cli("doctor", "--reconcile", "--json", cwd=project)
    assert fixed.exit_code == 0, fixed.stdout
    assert fixed.json()["checks"]["reconciled"]["queued"] == 6
    assert fixed.json()["checks"]["unqueued_events"] == {"status": 0, "runs": 0, "dossier": 0}
    logged = {r["event_id"] for r in _stamped_lines(project, mission)}
    assert logged == set(_queued(project))
    human = run_cli("doctor", "--reconcile", cwd=project)
    assert "reconciled: queued 0 logged event(s)" in human.stdout


def test_a_corrupt_status_log_does_not_stop_reconcile(
    run_cli: Callable[..., Any], project: Path, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts before the bad line are queued; the bad line is doctor's finding, not a crash."""
    from spec_kitty_cli._events import reconcile

    with monkeypatch.context() as patch:
        _lose_the_publish(patch)
        assert run_cli("agent", "tasks", "finalize", "--mission", mission).exit_code != 0
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    with log.open("a") as handle:
        handle.write("{not json\n")
    report = reconcile(project)
    assert report.queued == 6
    doctor = run_cli("doctor", "--json", cwd=project).json()["details"]["findings"]
    assert {f["code"] for f in doctor} == {"STATUS_LOG_CORRUPT"}
