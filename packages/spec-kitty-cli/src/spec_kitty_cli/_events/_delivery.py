"""Draining the event queue to ``POST {server}/api/v1/events/batch/``.

Request: gzip-compressed JSON ``{"events": [envelope, ...]}`` (the envelopes exactly as stored),
headers ``Authorization: Bearer <token>``, ``Content-Type: application/json``,
``Content-Encoding: gzip``. Each batch passes the gate (surface ``event_batch``) first; an
envelope the gate refuses is marked ``rejected`` locally with the reason and never sent.

Answer (200): ``{"results": [{"event_id", "status": "success"|"duplicate"|"rejected",
"error"?}], "server_clock"?: int}``; a result may also carry ``"lamport_clock": int``. The
highest clock value read from ``server_clock`` and the per-result ``lamport_clock`` values is
merged into the checkout's Lamport clock (``max(local, remote) + 1``). 400 with
``details: [{event_id, error|reason|detail}]`` rejects the named events and resends the rest.

All state changes for one answer are one SQLite transaction. A crash before it leaves the events
pending; the next run resends them and the server answers ``duplicate`` (exactly-once effect by
event_id). Each run walks the queue once in journal order, so it always ends.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable

from spec_kitty_bodysync.delivery import (
    TRANSIENT_STATUS,
    DeliverySettings,
    HttpClient,
    Notify,
    Reply,
    RetryNotice,
)
from spec_kitty_bodysync.errors import (
    AnswerInvalidError,
    DeadlineExceededError,
    DeliveryError,
    ServerUnreachableError,
)

from ._answer_check import CheckedAnswer, check_details, check_results
from ._clock import LamportClock
from ._drain_report import Answer, DrainReport
from ._queue import EventQueue
from ._records import Outcome, StoredEvent

BATCH_PATH = "/api/v1/events/batch/"
_STATUS_MAP = {"success": "delivered", "duplicate": "duplicate", "rejected": "rejected"}
_FATAL_CODES = {401: "SYNC_AUTH_FAILED", 403: "SYNC_AUTH_FAILED", 404: "SYNC_ENDPOINT_NOT_FOUND"}
Progress = Callable[[int, int], None]


class Drainer:
    """One drain run over ``queue`` (see the module doc)."""

    def __init__(
        self,
        queue: EventQueue,
        clock: LamportClock,
        *,
        server_url: str,
        token: str,
        settings: DeliverySettings,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
        notify: Notify | None = None,
    ) -> None:
        self.queue, self.clock, self.settings = queue, clock, settings
        self.server_url, self._token = server_url, token
        self.url = server_url.rstrip("/") + BATCH_PATH
        self.headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        self.backoff = settings.backoff()
        self.progress, self.sleep, self.notify = progress, sleep, notify
        self.report = DrainReport()
        self.deadline = 0.0
        self.done = 0

    def run(self, *, due_only: bool = False) -> DrainReport:
        report = self.report
        report.total_pending = self.queue.counts()["pending"]
        self.deadline = time.monotonic() + self.settings.deadline
        cursor, size = 0, self.settings.batch_size
        from .._version import __version__

        agent = f"spec-kitty/{__version__}"
        with HttpClient(self.server_url, self._token, self.settings, user_agent=agent) as client:
            while True:
                due = time.time() if due_only else None
                batch = self.queue.pending(after_seq=cursor, limit=size, due_before=due)
                if not batch:
                    break
                report.batches += 1
                answer, batch = self._deliver(client, self._gate(batch))
                if answer is not None and answer.kind == "too_large":
                    size = max(1, len(batch) // 2)
                    report.batches -= 1
                    continue
                cursor = batch[-1].seq if batch else cursor
                if answer is not None and answer.kind in ("fatal", "gave_up"):
                    report.outcome = "failed" if answer.kind == "fatal" else "incomplete"
                    break
        if report.outcome == "drained" and report.deferred:
            report.outcome = "incomplete"
            report.error_code = report.error_code or "SYNC_RESULTS_MISSING"
        return report

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.report.total_pending)

    def _gate(self, batch: list[StoredEvent]) -> list[StoredEvent]:
        from spec_kitty_gate import ContractViolation, check, is_conformant

        if is_conformant("event_batch", {"events": [e.envelope for e in batch]}):
            return batch
        good, bad = [], []
        for event in batch:
            try:
                check("event", event.envelope)
            except ContractViolation as exc:
                reason = f"local contract gate: {exc.code} at {exc.details.get('path')}"
                bad.append(Outcome(event_id=event.event_id, status="rejected", error=reason))
                self.report.note_rejection(event.event_id, reason)
            else:
                good.append(event)
        self.queue.apply(bad)
        self.report.rejected_locally += len(bad)
        self._tick(len(bad))
        check("event_batch", {"events": [e.envelope for e in good]})
        return good

    def _deliver(
        self, client: HttpClient, batch: list[StoredEvent]
    ) -> tuple[Answer | None, list[StoredEvent]]:
        """Send ``batch`` until answered; returns the last answer and the events it covered."""
        answer: Answer | None = None
        pending, covered = list(batch), list(batch)
        while pending:
            answer = self._post(client, pending)
            if answer.kind == "ok":
                self._apply_results(pending, answer.body)
                return answer, covered
            if answer.kind == "bad_request":
                named = self._reject_named(pending, answer)
                if not named:
                    self._stop("SYNC_BATCH_REJECTED", answer.error)
                    return Answer(kind="fatal"), covered
                pending = [e for e in pending if e.event_id not in named]
                continue
            if answer.kind == "too_large" and len(pending) > 1:
                return answer, covered
            if answer.kind == "too_large":
                self._stop("SYNC_EVENT_TOO_LARGE", answer.error)
                return Answer(kind="fatal"), covered
            return answer, covered
        return answer, covered

    def _stop(self, code: str, error: str | None) -> None:
        self.report.error_code, self.report.error = code, error

    def _post(self, client: HttpClient, batch: list[StoredEvent]) -> Answer:
        body = gzip.compress(
            json.dumps({"events": [e.envelope for e in batch]}, ensure_ascii=False).encode(),
            compresslevel=5,
        )
        attempt = 0
        while True:
            attempt += 1
            self.report.requests += 1
            retry_after: float | None = None
            try:
                reply = client.post(BATCH_PATH, body, headers=self.headers, deadline=self.deadline)
            except ServerUnreachableError as exc:
                error, code = exc.message, "SYNC_SERVER_UNAVAILABLE"
            except DeadlineExceededError as exc:
                error, code = exc.message, exc.code
            except DeliveryError as exc:  # a redirect, an oversized or undecodable answer
                self._stop(exc.code, exc.message)
                return Answer(kind="fatal", error=exc.message)
            else:
                answer, retry_after = self._classify(reply)
                if answer is not None:
                    return answer
                error, code = f"HTTP {reply.status} from {self.url}", "SYNC_SERVER_UNAVAILABLE"
            delay = self.backoff.wait(attempt - 1, retry_after)
            self.queue.apply(
                [
                    Outcome(
                        event_id=e.event_id,
                        status="retry",
                        error=error,
                        next_attempt_at=time.time() + delay,
                    )
                    for e in batch
                ]
            )
            out_of_time = time.monotonic() + delay > self.deadline
            if attempt >= self.settings.max_attempts or out_of_time:
                self._stop(code, error)
                self.report.deferred += len(batch)
                self._tick(len(batch))
                return Answer(kind="gave_up", error=error)
            if self.notify is not None:
                self.notify(
                    RetryNotice(
                        queue="events",
                        attempt=attempt,
                        max_attempts=self.settings.max_attempts,
                        wait=delay,
                        reason=error,
                        pending=max(0, self.report.total_pending - self.done),
                    )
                )
            self.sleep(delay)

    def _classify(self, reply: Reply) -> tuple[Answer | None, float | None]:
        """An answer to act on, or (None, retry_after) for a transient failure."""
        code = reply.status
        try:
            if code in (200, 201, 202):
                body = reply.json()
                if isinstance(body, dict) and isinstance(body.get("results"), list):
                    local = self.clock.current()
                    checked = check_results(body, url=self.url, local_clock=local)
                    return Answer(kind="ok", status=code, body=checked), None
                return None, None
            text = reply.text()
            if code == 400:
                named = check_details(reply.json(), url=self.url)
                return Answer(
                    kind="bad_request", status=code, body=named, error=f"HTTP 400: {text}"
                ), None
        except AnswerInvalidError as exc:  # nothing of this answer is stored
            self._stop(exc.code, exc.message)
            return Answer(kind="fatal", status=code, error=exc.message), None
        if code == 413:
            return Answer(kind="too_large", status=code, error=f"HTTP 413: {text}"), None
        if code in TRANSIENT_STATUS:
            return None, reply.retry_after
        error = f"HTTP {code} from {self.url}: {text}"
        self._stop(_FATAL_CODES.get(code, "SYNC_HTTP_ERROR"), error)
        if code == 412:
            self.report.error_code = "SYNC_PROTOCOL_MISMATCH"
        return Answer(kind="fatal", status=code, error=error), None

    def _reject_named(self, batch: list[StoredEvent], answer: Answer) -> set[str]:
        ids = {e.event_id for e in batch}
        outcomes = [
            Outcome(event_id=d.event_id, status="rejected", error=d.reason)
            for d in answer.body
            if d.event_id in ids
        ]
        self.queue.apply(outcomes)
        for o in outcomes:
            self.report.note_rejection(o.event_id, o.error)
        self.report.rejected += len(outcomes)
        self.report.sent += len(outcomes)
        self._tick(len(outcomes))
        return {o.event_id for o in outcomes}

    def _apply_results(self, batch: list[StoredEvent], answer: CheckedAnswer) -> None:
        outcomes = []
        for event in batch:
            item = answer.results.get(event.event_id)
            if item is None:
                outcomes.append(
                    Outcome(
                        event_id=event.event_id,
                        status="retry",
                        error="the server answer has no result for this event",
                    )
                )
                continue
            status = _STATUS_MAP[item.status]
            error = (item.reason or "rejected by the server") if status == "rejected" else None
            outcomes.append(Outcome(event_id=event.event_id, status=status, error=error))
        self.queue.apply(outcomes)
        report = self.report
        report.sent += len(batch)
        for o in outcomes:
            if o.status == "retry":
                report.deferred += 1
            else:
                setattr(report, o.status, getattr(report, o.status) + 1)
            if o.status == "rejected":
                report.note_rejection(o.event_id, o.error)
        self._tick(len(batch))
        if answer.clock is not None:
            report.server_clock = max(answer.clock, report.server_clock or 0)
            self.clock.receive(answer.clock)
