"""`sync now` killed with SIGKILL mid-drain: the queue rebuilt from disk delivers every event
exactly once (server-side dedupe by event_id), each with its original build_id."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from saas_stub import SaasStub

N_EVENTS = 60


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_kill_9_mid_drain_loses_and_duplicates_nothing(tmp_path: Path, isolated_home) -> None:
    from spec_kitty_cli._events import EventQueue, emit_event, queue_path
    from spec_kitty_identity import init_project

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init_project(root)
    for n in range(1, N_EVENTS + 1):
        emit_event(
            root,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id=f"mission-{n}",
            payload={"mission_slug": f"{n:03d}-m", "mission_number": n, "mission_type": "plan"},
        )
    with EventQueue(queue_path(root)) as queue:
        original = {e["event_id"]: e for e in queue.iter_envelopes()}
    assert len(original) == N_EVENTS

    with SaasStub() as stub:
        stub.batch_delay = 0.6  # the server stores each batch, then answers slowly
        env = {
            **os.environ,
            "SPEC_KITTY_SERVER_URL": stub.url,
            "SPEC_KITTY_TOKEN": stub.token,
            "SPEC_KITTY_SYNC_BATCH_SIZE": "10",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "spec_kitty_cli", "sync", "now", "--events-only", "--json"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while len(stub.batches) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        stored_before = len(stub.events)
        assert 20 <= stored_before < N_EVENTS  # batch 3 was stored, its answer never arrived

        with EventQueue(queue_path(root)) as queue:
            counts = queue.counts()
            assert counts["pending"] > 0 and sum(counts.values()) == N_EVENTS
            assert list(queue.iter_envelopes()) == list(original.values())

        stub.batch_delay = 0.0
        rerun = subprocess.run(
            [sys.executable, "-m", "spec_kitty_cli", "sync", "now", "--events-only", "--json"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        report = json.loads(rerun.stdout)["events"]
        assert report["duplicate"] >= 10  # the batch the killed process never heard back about

        assert stub.invalid == []
        assert set(stub.success_counts) == set(original)
        assert all(count == 1 for count in stub.success_counts.values())
        for event_id, env_ in stub.events.items():
            assert env_ == original[event_id]  # byte-for-byte, build_id included
        with EventQueue(queue_path(root)) as queue:
            counts = queue.counts()
        assert counts["pending"] == 0 and counts["rejected"] == 0
        assert counts["delivered"] + counts["duplicate"] == N_EVENTS
