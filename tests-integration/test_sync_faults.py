"""Fault injection on the batch endpoint: nothing lost, nothing duplicated on the server side."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from saas_stub import Fault, SaasStub

from spec_kitty_bodysync.delivery import DeliverySettings
from spec_kitty_cli._events import EventQueue, drain_checkout, emit_event, queue_path

# timeout: the stub validates with spec-kitty-events, whose first import takes seconds on a busy machine
FAST = DeliverySettings(
    timeout=15.0, backoff_base=0.01, backoff_max=0.05, max_attempts=5, deadline=60.0, batch_size=4
)


@pytest.fixture
def root(tmp_path: Path, isolated_home) -> Path:
    from spec_kitty_identity import init_project

    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    init_project(path)
    for n in range(1, 11):
        emit_event(
            path,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id=f"mission-{n}",
            payload={
                "mission_slug": f"{n:03d}-m",
                "mission_number": n,
                "mission_type": "software-dev",
            },
        )
    return path


@pytest.fixture
def stub() -> Iterator[SaasStub]:
    with SaasStub() as server:
        yield server


def _all_ids(root: Path) -> set[str]:
    with EventQueue(queue_path(root)) as queue:
        return {e["event_id"] for e in queue.iter_envelopes()}


def _assert_exactly_once(root: Path, stub: SaasStub) -> None:
    assert stub.invalid == []
    assert set(stub.success_counts) == _all_ids(root)
    assert all(n == 1 for n in stub.success_counts.values())
    with EventQueue(queue_path(root)) as queue:
        counts = queue.counts()
        envelopes = {e["event_id"]: e for e in queue.iter_envelopes()}
    assert counts["pending"] == 0 and counts["rejected"] == 0
    assert all(stub.events[eid]["build_id"] == env["build_id"] for eid, env in envelopes.items())


def _drain(root: Path, url: str, token: str, settings: DeliverySettings = FAST):
    return drain_checkout(root, server_url=url, token=token, settings=settings)


def test_500_then_200(root: Path, stub: SaasStub) -> None:
    stub.faults.extend([Fault(status=500), Fault(status=502)])
    report = _drain(root, stub.url, stub.token)
    assert report.outcome == "drained" and report.delivered == 10
    _assert_exactly_once(root, stub)


def test_429_retry_after(root: Path, stub: SaasStub) -> None:
    stub.faults.append(Fault(status=429, retry_after="1"))
    started = time.monotonic()
    report = _drain(root, stub.url, stub.token)
    assert time.monotonic() - started >= 1.0
    assert report.outcome == "drained"
    _assert_exactly_once(root, stub)


def test_connection_refused_then_server_up(root: Path, stub: SaasStub) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    report = _drain(root, dead, stub.token)
    assert report.outcome == "incomplete" and report.error_code == "SYNC_SERVER_UNAVAILABLE"
    with EventQueue(queue_path(root)) as queue:
        assert queue.counts()["pending"] == 10
    report = _drain(root, stub.url, stub.token)
    assert report.outcome == "drained"
    _assert_exactly_once(root, stub)


def test_slow_answers_and_dropped_connections(root: Path, stub: SaasStub) -> None:
    stub.faults.extend([Fault(delay=0.8), Fault(drop=True), Fault(delay=0.8)])
    settings = DeliverySettings(
        timeout=0.3, backoff_base=0.05, backoff_max=0.1, max_attempts=8, deadline=20.0, batch_size=4
    )
    report = _drain(root, stub.url, stub.token, settings)
    assert report.outcome == "drained"
    assert report.requests > report.batches  # timeouts were retried
    assert sum(stub.duplicate_counts.values()) >= 1  # the server had stored a timed-out batch
    _assert_exactly_once(root, stub)


def test_wrong_token_stops_and_keeps_everything(root: Path, stub: SaasStub) -> None:
    report = _drain(root, stub.url, "not-the-token")
    assert (report.outcome, report.error_code) == ("failed", "SYNC_AUTH_FAILED")
    assert stub.events == {}
    report = _drain(root, stub.url, stub.token)
    assert report.outcome == "drained"
    _assert_exactly_once(root, stub)


def test_server_clock_is_merged(root: Path, stub: SaasStub) -> None:
    from spec_kitty_cli._events import CLOCK_FILE, LamportClock

    stub.clock = 500
    _drain(root, stub.url, stub.token)
    clock = LamportClock(root / ".kittify" / "state" / CLOCK_FILE)
    assert clock.current() > 500
    env = emit_event(
        root,
        event_type="MissionClosed",
        aggregate_type="Mission",
        aggregate_id="mission-1",
        payload={"mission_slug": "001-m", "mission_number": 1, "mission_type": "software-dev"},
    )
    assert env["lamport_clock"] > 500
