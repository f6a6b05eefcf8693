from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_bodysync import (
    Backoff,
    BodyQueue,
    BodyUploadTask,
    HttpTransport,
    NamespaceRef,
    UploadAuthError,
    UploadOutcome,
    content_hash,
    drain,
)

from .conftest import UPLOAD_KEYS, FakeSaas


class Clock:
    """A fake clock: sleep() advances it, so back-off waits take no real time."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def _fill(queue: BodyQueue, ns: NamespaceRef, n: int, now: float = 0.0) -> None:
    queue.enqueue_many(ns, [(f"tasks/WP{i:02d}.md", f"# WP{i:02d}\n") for i in range(n)], now=now)


def test_happy_path_delivers_everything_with_exact_keys(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 5)
    progress: list[tuple[int, int]] = []
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(queue, transport, on_progress=lambda d, t: progress.append((d, t)))
    assert (report.delivered, report.stored, report.already_present) == (5, 5, 0)
    assert (report.pending, report.dead_letter, report.parked, report.stopped) == (
        0,
        0,
        0,
        "drained",
    )
    assert progress == [(i, 5) for i in range(1, 6)]
    assert queue.counts() == {"pending": 0, "delivered": 5, "dead_letter": 0, "parked": 0}
    assert all(set(body) == UPLOAD_KEYS for body in saas.requests)
    first = saas.requests[0]
    assert first == {
        **ns.to_dict(),
        "artifact_path": "tasks/WP00.md",
        "content_hash": content_hash("# WP00\n"),
        "hash_algorithm": "sha256",
        "content_body": "# WP00\n",
    }
    assert report.to_dict()["failures"] == []


def test_rerun_is_idempotent(queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas) -> None:
    _fill(queue, ns, 3)
    with HttpTransport(saas.url, "tok") as transport:
        drain(queue, transport)
        _fill(queue, ns, 3)  # re-enqueue the same bodies: no new rows
        again = drain(queue, transport)
    assert again.attempted == 0 and again.delivered == 0
    assert len(saas.requests) == 3 and len(saas.store_events) == 3


def test_intermittent_server_every_body_arrives_exactly_once(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 12)
    # Ten transient failures of three kinds, spread over the drain (None = answer normally).
    failures = [
        (503, {"Retry-After": "1"}, {"error": "unavailable"}),
        (429, {}, {"error": "rate_limited", "retry_after": 2}),
        (502, {}, "bad gateway"),
    ]
    plan: list[Any] = []
    for i in range(10):
        plan.extend([failures[i % 3], None])
    original = saas.handle

    def flaky(request: Any) -> Any:
        step = plan.pop(0) if plan else None
        if step is not None:
            saas.script.append(step)
        return original(request)

    saas.server.clear_all_handlers()
    saas.server.expect_request("/api/dossier/push-content/").respond_with_handler(flaky)
    clock = Clock()
    backoff = Backoff(base=0.5, cap=4.0, random=lambda: 0.5)
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(
            queue, transport, now=clock.now, sleep=clock.sleep, backoff=backoff,
            deadline=clock.now() + 600,
        )  # fmt: skip
    assert report.stopped == "drained", report
    assert queue.counts() == {"pending": 0, "delivered": 12, "dead_letter": 0, "parked": 0}
    assert len(saas.store_events) == len(set(saas.store_events)) == 12
    assert report.retried == 10 and report.stored == 12
    assert clock.slept, "the drain waited for backed-off rows"
    retried = [t for t in queue.tasks() if t.retry_count]
    errors = [t.last_error or "" for t in retried]
    assert errors and all(e.startswith(("HTTP 5", "HTTP 429")) for e in errors)


def test_retry_after_is_honoured(queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas) -> None:
    _fill(queue, ns, 1)
    saas.script.append((429, {"Retry-After": "42"}, {"error": "rate_limited"}))
    clock = Clock()
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(queue, transport, now=clock.now, sleep=clock.sleep)
    assert report.stopped == "waiting" and report.pending == 1 and report.retried == 1
    assert report.next_attempt_at == clock.now() + 42
    task = queue.tasks()[0]
    assert task.retry_count == 1 and task.next_attempt_at == clock.now() + 42
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(
            queue, transport, now=clock.now, sleep=clock.sleep, deadline=clock.now() + 60
        )
    assert clock.slept == [42.0] and report.delivered == 1 and report.stopped == "drained"


def test_permanent_refusal_is_kept_as_dead_letter_and_drain_goes_on(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 3)
    saas.script.append((400, {}, {"error": "validation_error", "detail": "no such WP"}))
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(queue, transport)
    assert (report.dead_letter, report.delivered) == (1, 2)
    dead = queue.tasks("dead_letter")
    assert len(dead) == 1 and dead[0].artifact_path == "tasks/WP00.md"
    assert dead[0].last_error == "HTTP 400: validation_error - no such WP"
    assert report.failures[0].reason == dead[0].last_error
    assert report.failures[0].state == "dead_letter"


def test_gate_rejection_parks_the_row_and_the_rest_is_delivered(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    bad_ns = dataclasses.replace(ns, project_uuid="not-a-uuid")  # non-blank, but not a UUID
    queue.enqueue(bad_ns, "spec.md", "# Spec\n", now=0.0)
    _fill(queue, ns, 2, now=1.0)
    body = "# Plan\n"
    queue.import_tasks(
        [
            BodyUploadTask(
                **ns.to_dict(), artifact_path="plan.md", content_hash="0" * 64,
                content_body=body, size_bytes=len(body), created_at=2.0,
            )
        ]
    )  # fmt: skip
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(queue, transport)
    assert (report.parked, report.delivered, report.attempted) == (2, 2, 2)
    parked = {t.artifact_path: t.last_error or "" for t in queue.tasks("parked")}
    assert parked["spec.md"].startswith("CONTRACT_INVALID_VALUE")
    assert "project_uuid" in parked["spec.md"]
    assert parked["plan.md"].startswith("BODY_CONTENT_HASH_MISMATCH")
    assert all(r["project_uuid"] == ns.project_uuid for r in saas.requests)


def test_gives_up_after_max_attempts_into_dead_letter(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 1)
    saas.script.extend([(500, {}, "boom")] * 3)
    clock = Clock()
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(
            queue, transport, now=clock.now, sleep=clock.sleep, max_attempts=3,
            deadline=clock.now() + 3600,
        )  # fmt: skip
    assert report.dead_letter == 1 and report.retried == 2 and report.stopped == "drained"
    task = queue.tasks()[0]
    assert task.state == "dead_letter"
    assert task.last_error == "gave up after 3 attempts; last: HTTP 500: boom"


class _Refused:
    """A transport with no server behind it (what HttpTransport answers on ECONNREFUSED)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, payload: dict[str, Any]) -> UploadOutcome:
        self.sent += 1
        return UploadOutcome.retry(reason="unreachable: refused", unreachable=True)


def test_unreachable_server_stops_the_drain_without_burning_attempts(
    queue: BodyQueue, ns: NamespaceRef
) -> None:
    _fill(queue, ns, 10)
    transport = _Refused()
    report = drain(queue, transport, max_attempts=1, unreachable_limit=3)
    assert report.stopped == "unreachable" and transport.sent == 3
    assert queue.counts()["pending"] == 10 and report.dead_letter == 0


def test_unreachable_loopback_port_end_to_end(tmp_path: Path, ns: NamespaceRef) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        BodyQueue(tmp_path / "b.db") as queue,
        HttpTransport(f"http://127.0.0.1:{port}", "tok", timeout=2) as transport,
    ):
        _fill(queue, ns, 4)
        report = drain(queue, transport)
        assert report.stopped == "unreachable" and report.pending == 4


def test_deadline_stops_a_long_drain(queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas) -> None:
    _fill(queue, ns, 5)
    clock = Clock()

    class Ticking(HttpTransport):
        def send(self, payload: dict[str, Any]) -> UploadOutcome:
            clock.t += 10  # each upload takes 10 s on the fake clock
            return super().send(payload)

    with Ticking(saas.url, "tok") as transport:
        report = drain(queue, transport, now=clock.now, deadline=clock.now() + 25)
    assert report.stopped == "deadline" and report.delivered == 3 and report.pending == 2


def test_401_stops_and_leaves_the_row_pending(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 2)
    saas.script.append((401, {}, {"detail": "bad token"}))
    with HttpTransport(saas.url, "tok") as transport, pytest.raises(UploadAuthError):
        drain(queue, transport)
    assert queue.counts()["pending"] == 2
    assert all(t.retry_count == 0 for t in queue.tasks())


def test_exception_between_send_and_mark_then_restart_delivers_the_rest(
    queue: BodyQueue, ns: NamespaceRef, saas: FakeSaas
) -> None:
    _fill(queue, ns, 6)

    class CrashAfterThirdSend(HttpTransport):
        sends = 0

        def send(self, payload: dict[str, Any]) -> UploadOutcome:
            outcome = super().send(payload)  # the server has stored it ...
            type(self).sends += 1
            if type(self).sends == 3:
                raise RuntimeError("power cut")  # ... but the row is never marked
            return outcome

    with CrashAfterThirdSend(saas.url, "tok") as crashing, pytest.raises(RuntimeError):
        drain(queue, crashing)
    assert queue.counts()["delivered"] == 2 and queue.counts()["pending"] == 4
    with HttpTransport(saas.url, "tok") as transport:
        report = drain(queue, transport)
    assert (report.stored, report.already_present, report.pending) == (3, 1, 0)
    assert len(saas.store_events) == len(set(saas.store_events)) == 6
