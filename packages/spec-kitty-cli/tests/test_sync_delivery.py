"""Batch delivery of the event queue against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from spec_kitty_bodysync.delivery import DeliverySettings
from spec_kitty_bodysync.delivery import parse_retry_after as retry_after_seconds
from spec_kitty_cli._events import Drainer, EventQueue, LamportClock

TOKEN = "s3cr3t-token-value"
PROJECT = str(uuid.uuid4())
FAST = DeliverySettings(
    timeout=2.0, backoff_base=0.01, backoff_max=0.05, max_attempts=4, deadline=10.0, batch_size=4
)


def envelope(n: int) -> dict[str, Any]:
    from spec_kitty_identity import new_ulid

    eid = new_ulid()
    return {
        "event_id": eid,
        "event_type": "MissionCreated",
        "aggregate_id": new_ulid(),
        "aggregate_type": "Mission",
        "schema_version": "3.0.0",
        "build_id": "b0d1c0de-0000-4000-8000-00000000000" + str(n % 10),
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


class Ingest:
    """A deduplicating batch endpoint; ``script`` holds answers or actions for next requests."""

    def __init__(self) -> None:
        self.successes: dict[str, dict[str, Any]] = {}
        self.success_count: dict[str, int] = {}
        self.requests: list[dict[str, Any]] = []
        self.script: list[Response | Callable[[], None]] = []
        self.extra: dict[str, Any] = {}
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            step = self.script.pop(0) if self.script else None
            self.requests.append({"headers": dict(request.headers)})
        if isinstance(step, Response):
            return step
        if step is not None:
            step()
        assert request.headers["Content-Encoding"] == "gzip"
        body = json.loads(gzip.decompress(request.get_data()))
        results = []
        with self.lock:
            for env in body["events"]:
                eid = env["event_id"]
                if eid in self.successes:
                    results.append({"event_id": eid, "status": "duplicate"})
                else:
                    self.successes[eid] = env
                    self.success_count[eid] = self.success_count.get(eid, 0) + 1
                    results.append({"event_id": eid, "status": "success"})
        return Response(
            json.dumps({"results": results, **self.extra}), content_type="application/json"
        )


@pytest.fixture(scope="module")
def _server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(_server: HTTPServer) -> Iterator[HTTPServer]:
    _server.clear()
    yield _server
    _server.clear()


@pytest.fixture
def ingest(server: HTTPServer) -> Ingest:
    handler = Ingest()
    server.expect_request("/api/v1/events/batch/", method="POST").respond_with_handler(handler)
    return handler


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[EventQueue]:
    with EventQueue(tmp_path / "events.db") as q:
        yield q


def drain(queue: EventQueue, url: str, settings: DeliverySettings = FAST, **kw: Any):
    clock = LamportClock(queue.path.with_name("clock.json"), floor=queue.max_lamport)
    return Drainer(queue, clock, server_url=url, token=TOKEN, settings=settings, **kw).run()


def test_drains_in_batches_with_auth_and_gzip(server, ingest, queue) -> None:
    envs = [envelope(i) for i in range(1, 11)]
    queue.append_many(envs)
    seen: list[tuple[int, int]] = []
    report = drain(queue, server.url_for(""), progress=lambda d, t: seen.append((d, t)))
    assert report.outcome == "drained"
    assert (report.sent, report.delivered, report.batches) == (10, 10, 3)
    assert ingest.successes == {e["event_id"]: e for e in envs}
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in ingest.requests)
    assert queue.counts() == {
        "pending": 0,
        "delivered": 10,
        "duplicate": 0,
        "rejected": 0,
        "superseded": 0,
    }
    assert seen[-1] == (10, 10)
    assert TOKEN not in json.dumps(report.to_dict())
    again = drain(queue, server.url_for(""))
    assert (again.sent, again.batches) == (0, 0)


def test_500_then_200_delivers_once(server, ingest, queue) -> None:
    queue.append_many([envelope(i) for i in range(1, 4)])
    ingest.script = [Response("boom", status=500), Response("busy", status=503)]
    report = drain(queue, server.url_for(""))
    assert report.outcome == "drained"
    assert report.requests == 3
    assert set(ingest.success_count.values()) == {1} and len(ingest.success_count) == 3
    first = queue.delivery(next(iter(ingest.successes)))
    assert first is not None and first["retry_count"] == 2 and first["state"] == "delivered"


def test_429_retry_after_is_honoured(server, ingest, queue) -> None:
    queue.append(envelope(1))
    ingest.script = [Response("slow down", status=429, headers={"Retry-After": "0.3"})]
    started = time.monotonic()
    report = drain(queue, server.url_for(""))
    assert time.monotonic() - started >= 0.3
    assert report.outcome == "drained" and report.delivered == 1


def test_timeout_then_duplicate_counts_once(server, ingest, queue) -> None:
    queue.append_many([envelope(i) for i in range(1, 4)])
    ingest.script = [lambda: time.sleep(0.6)]
    settings = DeliverySettings(
        timeout=0.2, backoff_base=0.3, backoff_max=0.6, max_attempts=6, deadline=10.0, batch_size=10
    )
    report = drain(queue, server.url_for(""), settings)
    assert report.outcome == "drained"
    assert report.requests >= 2
    assert all(n == 1 for n in ingest.success_count.values()) and len(ingest.success_count) == 3
    counts = queue.counts()
    assert counts["pending"] == 0 and counts["delivered"] + counts["duplicate"] == 3


def test_connection_refused_gives_up_and_keeps_events(queue) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    queue.append_many([envelope(i) for i in range(1, 6)])
    report = drain(queue, f"http://127.0.0.1:{port}")
    assert report.outcome == "incomplete"
    assert report.error_code == "SYNC_SERVER_UNAVAILABLE"
    assert report.requests == FAST.max_attempts
    assert report.deferred == 4  # the first batch; the run stops there
    assert queue.counts()["pending"] == 5
    [first, *_] = queue.pending()
    assert first.retry_count == FAST.max_attempts
    assert "ConnectError" in (queue.last_error() or "")


def test_deadline_bounds_a_run(server, ingest, queue) -> None:
    queue.append(envelope(1))
    ingest.script = [Response("slow down", status=429, headers={"Retry-After": "30"})]
    started = time.monotonic()
    report = drain(queue, server.url_for(""))
    assert time.monotonic() - started < 5
    assert report.outcome == "incomplete" and queue.counts()["pending"] == 1
    assert queue.next_attempt_at() is not None


def test_rejected_and_missing_results(server, queue) -> None:
    envs = [envelope(i) for i in range(1, 4)]
    queue.append_many(envs)
    answer = {
        "results": [
            {"event_id": envs[0]["event_id"], "status": "success", "lamport_clock": 50},
            {"event_id": envs[1]["event_id"], "status": "rejected", "error": "schema mismatch"},
        ],
        "server_clock": 70,
    }
    server.expect_request("/api/v1/events/batch/").respond_with_json(answer)
    report = drain(queue, server.url_for(""))
    assert (report.delivered, report.rejected, report.deferred) == (1, 1, 1)
    assert report.outcome == "incomplete" and report.error_code == "SYNC_RESULTS_MISSING"
    assert report.rejections == [{"event_id": envs[1]["event_id"], "reason": "schema mismatch"}]
    assert report.server_clock == 70
    assert LamportClock(queue.path.with_name("clock.json")).current() == 71
    assert queue.delivery(envs[1]["event_id"])["reject_reason"] == "schema mismatch"  # type: ignore[index]


def test_400_with_details_rejects_named_and_resends_rest(server, ingest, queue) -> None:
    envs = [envelope(i) for i in range(1, 4)]
    queue.append_many(envs)
    details = [{"event_id": envs[1]["event_id"], "detail": "mission_type is required"}]
    ingest.script = [
        Response(
            json.dumps({"error": "invalid", "details": json.dumps(details)}),
            status=400,
            content_type="application/json",
        )
    ]
    report = drain(queue, server.url_for(""))
    assert (report.delivered, report.rejected, report.outcome) == (2, 1, "drained")
    assert set(ingest.successes) == {envs[0]["event_id"], envs[2]["event_id"]}


def test_400_without_details_stops(server, ingest, queue) -> None:
    queue.append(envelope(1))
    ingest.script = [Response("nope", status=400)]
    report = drain(queue, server.url_for(""))
    assert (report.outcome, report.error_code) == ("failed", "SYNC_BATCH_REJECTED")
    assert queue.counts()["pending"] == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "SYNC_AUTH_FAILED"),
        (404, "SYNC_ENDPOINT_NOT_FOUND"),
        (412, "SYNC_PROTOCOL_MISMATCH"),
        (418, "SYNC_HTTP_ERROR"),
    ],
)
def test_fatal_answers_stop_without_touching_retry_counts(server, ingest, queue, status, code):
    queue.append(envelope(1))
    ingest.script = [Response("no", status=status)]
    report = drain(queue, server.url_for(""))
    assert (report.outcome, report.error_code, report.requests) == ("failed", code, 1)
    [event] = queue.pending()
    assert event.retry_count == 0


def test_413_halves_the_batch(server, ingest, queue) -> None:
    queue.append_many([envelope(i) for i in range(1, 5)])
    ingest.script = [Response("too big", status=413)]
    report = drain(queue, server.url_for(""))
    assert report.outcome == "drained" and report.delivered == 4
    one = DeliverySettings(**{**FAST.__dict__, "batch_size": 1})
    queue.append(envelope(9))
    ingest.script = [Response("too big", status=413)]
    report = drain(queue, server.url_for(""), one)
    assert (report.outcome, report.error_code) == ("failed", "SYNC_EVENT_TOO_LARGE")


def test_unreadable_200_is_retried(server, ingest, queue) -> None:
    queue.append(envelope(1))
    ingest.script = [Response("<html>", status=200)]
    report = drain(queue, server.url_for(""))
    assert report.outcome == "drained" and report.requests == 2


def test_tampered_event_is_rejected_locally_never_sent(server, ingest, queue) -> None:
    good, bad = envelope(1), envelope(2)
    bad["aggregate_type"] = "Feature"
    queue.append(good)
    queue._insert([bad])  # bypasses the gate, like a damaged or hand-edited queue row
    report = drain(queue, server.url_for(""))
    assert report.rejected_locally == 1 and report.delivered == 1
    assert bad["event_id"] not in ingest.successes
    reason = queue.delivery(bad["event_id"])["reject_reason"]  # type: ignore[index]
    assert reason.startswith("local contract gate: CONTRACT_LEGACY_SURFACE")


def test_due_only_skips_events_waiting_for_backoff(server, ingest, queue) -> None:
    from spec_kitty_cli._events import Outcome

    envs = [envelope(1), envelope(2)]
    queue.append_many(envs)
    queue.apply(
        [
            Outcome(
                event_id=envs[0]["event_id"],
                status="retry",
                error="x",
                next_attempt_at=time.time() + 3600,
            )
        ]
    )
    clock = LamportClock(queue.path.with_name("clock.json"))
    report = Drainer(queue, clock, server_url=server.url_for(""), token=TOKEN, settings=FAST).run(
        due_only=True
    )
    assert report.delivered == 1 and set(ingest.successes) == {envs[1]["event_id"]}


def test_backoff_and_retry_after_parsing() -> None:
    import random
    from dataclasses import replace

    rng = random.Random(7)
    settings = DeliverySettings(backoff_base=1.0, backoff_max=4.0)
    policy = replace(settings.backoff(), random=rng.random)
    delays = [policy.delay(n - 1) for n in range(1, 6)]
    assert 0.5 <= delays[0] <= 1.0 and all(2.0 <= d <= 4.0 for d in delays[2:])
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 -0000") is None  # naive date


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from spec_kitty_bodysync.errors import SettingsError

    monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("SPEC_KITTY_SYNC_BATCH_SIZE", "5000")
    settings = DeliverySettings.from_env()
    assert settings.backoff_base == 0.01 and settings.batch_size == 1000
    monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "zero")
    with pytest.raises(SettingsError) as info:
        DeliverySettings.from_env()
    assert info.value.code == "SYNC_SETTING_INVALID"


def _bad_answers(ids: list[str]) -> list[tuple[str, Any]]:
    ok = [{"event_id": i, "status": "success"} for i in ids]
    return [
        ("server_clock", {"results": ok, "server_clock": 10**30}),
        ("server_clock", {"results": ok, "server_clock": "70"}),
        ("server_clock", {"results": ok, "server_clock": True}),
        ("server_clock", {"results": ok, "server_clock": -1}),
        ("server_clock", {"results": ok, "server_clock": 2**40}),  # a jump past the bound
        ("server_clock", {"results": ok, "server_clock": 1.5}),
        ("results[0].lamport_clock", {"results": [{**ok[0], "lamport_clock": 2**63}, *ok[1:]]}),
        ("results[0].status", {"results": [{**ok[0], "status": 1}, *ok[1:]]}),
        ("results[0].status", {"results": [{**ok[0], "status": "stored"}, *ok[1:]]}),
        ("results[0].event_id", {"results": [{**ok[0], "event_id": "../../etc"}, *ok[1:]]}),
        ("results[0].event_id", {"results": [{**ok[0], "event_id": 7}, *ok[1:]]}),
        ("results[0]", {"results": ["success", *ok[1:]]}),
        ("results[1].event_id", {"results": [ok[0], ok[0]]}),
        (
            "results[0].error",
            {"results": [{"event_id": ids[0], "status": "rejected", "error": {"x": 1}}]},
        ),
        ("results", {"results": [ok[0]] * 2001}),
    ]


@pytest.mark.parametrize("case", range(15))
def test_invalid_answers_change_nothing(server, queue, case: int) -> None:
    envs = [envelope(i) for i in range(1, 3)]
    queue.append_many(envs)
    clock = LamportClock(queue.path.with_name("clock.json"), floor=queue.max_lamport)
    before_clock = clock.current()
    where, answer = _bad_answers([e["event_id"] for e in envs])[case]
    server.expect_request("/api/v1/events/batch/").respond_with_json(answer)
    report = drain(queue, server.url_for(""))
    assert (report.outcome, report.error_code) == ("failed", "SYNC_ANSWER_INVALID")
    assert where in (report.error or "")
    assert queue.counts()["pending"] == 2
    assert all(e.retry_count == 0 for e in queue.pending()) and queue.last_error() is None
    assert clock.current() == before_clock
    assert report.server_clock is None


def test_invalid_400_details_change_nothing(server, queue) -> None:
    queue.append(envelope(1))
    details = [{"event_id": None, "detail": "x"}]
    server.expect_request("/api/v1/events/batch/").respond_with_json(
        {"error": "bad", "details": details}, status=400
    )
    report = drain(queue, server.url_for(""))
    assert (report.outcome, report.error_code) == ("failed", "SYNC_ANSWER_INVALID")
    assert queue.counts()["pending"] == 1 and queue.counts()["rejected"] == 0


def test_long_reasons_are_cut_and_a_bounded_clock_is_merged(server, queue) -> None:
    envs = [envelope(1), envelope(2)]
    queue.append_many(envs)
    answer = {
        "results": [
            {"event_id": envs[0]["event_id"], "status": "rejected", "reason": "r" * 5000},
            {"event_id": envs[1]["event_id"], "status": "success", "error": None},
        ],
        "server_clock": 900_000_000,
    }
    server.expect_request("/api/v1/events/batch/").respond_with_json(answer)
    report = drain(queue, server.url_for(""))
    assert (report.rejected, report.delivered) == (1, 1)
    assert len(report.rejections[0]["reason"]) == 1000
    assert LamportClock(queue.path.with_name("clock.json")).current() == 900_000_001
